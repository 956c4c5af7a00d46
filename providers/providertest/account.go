package providertest

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"

	"github.com/kiln3d/kiln/providers"
)

// Account is a Fake that behaves like a paid cloud service: it needs a key (one field, "api_key"),
// takes each job's credential through providers.Keyed, and charges Price credits a job against a
// balance (providers.Pricer). Tests of the core and the views use it for credential pickers and
// cost lines without a network.
type Account struct {
	*Fake
	// Cost is what each job costs, in credits, unless PriceOf says otherwise.
	Cost float64
	// PriceOf, when set, prices each request instead of Cost (a dearer tier, an add-on).
	PriceOf func(providers.Request) float64
	// BalanceErr, when set, is what Balance returns.
	BalanceErr error
	// BalanceGate, when set, holds every Balance call until it receives (or is closed): a test
	// can show that the caller goes on while the account is asked.
	BalanceGate chan struct{}

	state   *accountState
	secrets providers.Secrets // the bound credential; nil on the unbound provider
}

type accountState struct {
	asked    atomic.Int32 // Balance calls
	mu       sync.Mutex
	balances map[string]float64 // by API key
	keysUsed []string           // the API key of every Submit, in order
}

// NewAccount returns an Account provider called name whose API keys hold these balances.
func NewAccount(name string, balances map[string]float64) *Account {
	f := NewFake(name)
	f.Caps.NeedsKey = true
	f.Caps.KeyFields = []providers.KeyField{{Key: "api_key", Label: "API key", Secret: true}}
	a := &Account{Fake: f, Cost: 0.5, state: &accountState{balances: map[string]float64{}}}
	for k, v := range balances {
		a.state.balances[k] = v
	}
	return a
}

// WithSecrets implements providers.Keyed.
func (a *Account) WithSecrets(s providers.Secrets) providers.Provider {
	bound := *a
	bound.secrets = s
	return &bound
}

// key returns the bound credential's API key, or an error wrapping ErrUnauthorized.
func (a *Account) key(ctx context.Context) (string, error) {
	if a.secrets == nil {
		return "", fmt.Errorf("%s: no key bound: %w", a.Caps.Title, providers.ErrUnauthorized)
	}
	f, err := a.secrets.Fields(ctx)
	if err != nil {
		return "", err
	}
	a.state.mu.Lock()
	defer a.state.mu.Unlock()
	if _, ok := a.state.balances[f["api_key"]]; !ok {
		return "", fmt.Errorf("%s: the key is not known: %w", a.Caps.Title, providers.ErrUnauthorized)
	}
	return f["api_key"], nil
}

// Submit implements providers.Provider: it needs a bound, known key, and records which.
func (a *Account) Submit(ctx context.Context, req providers.Request) (providers.Remote, error) {
	if err := providers.CheckRequest(a.Caps, req); err != nil {
		return providers.Remote{}, err
	}
	key, err := a.key(ctx)
	if err != nil {
		return providers.Remote{}, errors.Join(err, providers.ErrNotSent)
	}
	r, err := a.Fake.Submit(ctx, req)
	if err == nil {
		a.state.mu.Lock()
		a.state.keysUsed = append(a.state.keysUsed, key)
		a.state.mu.Unlock()
	}
	return r, err
}

// KeysUsed lists the API key each accepted Submit was made with, in order.
func (a *Account) KeysUsed() []string {
	a.state.mu.Lock()
	defer a.state.mu.Unlock()
	return append([]string(nil), a.state.keysUsed...)
}

// Price implements providers.Pricer.
func (a *Account) Price(req providers.Request) (providers.Price, error) {
	cost := a.Cost
	if a.PriceOf != nil {
		cost = a.PriceOf(req)
	}
	return providers.Price{Credits: cost, Basis: fmt.Sprintf("%g credits a job", cost)}, nil
}

// BalanceCalls counts the Balance calls so far, bound copies' included.
func (a *Account) BalanceCalls() int { return int(a.state.asked.Load()) }

// Balance implements providers.Pricer: the bound key's credits.
func (a *Account) Balance(ctx context.Context) (float64, error) {
	a.state.asked.Add(1)
	if a.BalanceGate != nil {
		select {
		case <-a.BalanceGate:
		case <-ctx.Done():
			return 0, ctx.Err()
		}
	}
	if a.BalanceErr != nil {
		return 0, a.BalanceErr
	}
	key, err := a.key(ctx)
	if err != nil {
		return 0, err
	}
	a.state.mu.Lock()
	defer a.state.mu.Unlock()
	return a.state.balances[key], nil
}
