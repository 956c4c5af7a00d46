// Package threedverse is Kiln's client for 3dverse's Asset API: the place an artist publishes a
// finished model to, where 3dverse converts it into a scene that others view and share in a
// browser.
//
// 3dverse lets only a user act on assets. With an API key (made in the 3dverse console), Kiln
// acts as its own 3dverse user: it finds that user (Config.Username, "kiln") among the app's users
// or registers it, makes it a user token (scope write, Config.TokenTTL) that it keeps through
// providers.Secrets and reuses until shortly before it expires, and gives it write access to the
// folder a model goes to. Without an API key, an artist may paste a user token that 3dverse made
// for their own user; Kiln then acts as that user, on the folders it may write to.
//
// A publication crosses 3dverse in one call, Publish, resumable from the handle it saves: the
// files leave in one multipart upload, whose upload task Kiln then follows until every
// conversion has ended. The handle records that an upload left before it leaves, and its task's id
// as soon as 3dverse answers, so that a Publish made again after a restart or a failure follows
// that upload, or finds what it made in the folder, and never sends the files twice.
//
// Every call carries the API key in an api_key header or the user token in a user_token header,
// and neither is ever sent with a redirect to another host, nor shown in an error or a log line.
package threedverse

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/kiln3d/kiln/providers"
	"github.com/kiln3d/kiln/providers/httpkit"
)

// Name is the target's registry key.
const Name = "3dverse"

// Title is the target's name in the views and in messages.
const Title = "3dverse"

// DefaultEndpoint is the Asset API's documented base address; every route follows it.
const DefaultEndpoint = "https://api.3dverse.com/app/v1"

// DefaultUsername is the 3dverse user Kiln registers and acts as when it has an API key.
const DefaultUsername = "kiln"

// DefaultTokenTTL is how long a user token Kiln makes lasts.
const DefaultTokenTTL = time.Hour

// minTokenTTL is the shortest TokenTTL New takes: a token is renewed tokenMargin before it
// expires, so a shorter one would be renewed at nearly every call.
const minTokenTTL = 5 * time.Minute

// The defaults of the polling of an upload task: 3dverse converts a model in seconds to minutes.
const (
	defaultFirst = time.Second
	defaultMax   = 10 * time.Second
)

// Config sets up a Target.
type Config struct {
	// Endpoint is the Asset API's base address, DefaultEndpoint when empty. It must use https;
	// plain http is accepted only for loopback hosts (a fake).
	Endpoint string
	// Username is the 3dverse user Kiln acts as with an API key; DefaultUsername when empty.
	Username string
	// TokenTTL is how long the user tokens Kiln makes with an API key last; DefaultTokenTTL when
	// 0. It must be at least five minutes.
	TokenTTL time.Duration
	// Config is the setup every cloud client shares: the HTTP client, the polling, the clock, the
	// timer and the log.
	httpkit.Config
}

// Target is the 3dverse client (providers.Target). One value serves any number of concurrent
// publications; WithSecrets binds a credential.
type Target struct {
	// Kit is the HTTP client, polling, clock, timer and log, with every default applied.
	httpkit.Kit
	// Address is the Asset API's address, which every value WithSecrets makes from one New
	// shares (providers.Endpointed).
	*httpkit.Address
	// secrets is the credential this value acts with; nil until WithSecrets binds one.
	secrets  providers.Secrets
	username string
	ttl      time.Duration
	// shared holds what every value WithSecrets makes from one New shares: the users found, the
	// locks that make one token at a time per key, and the rate limits.
	shared *shared
}

// Compile-time checks of the interfaces the core looks for.
var (
	_ providers.Target      = (*Target)(nil)
	_ providers.KeyedTarget = (*Target)(nil)
	_ providers.KeyTester   = (*Target)(nil)
	_ providers.Endpointed  = (*Target)(nil)
)

// New returns a 3dverse target, or an error when cfg cannot be used (an endpoint that is not
// https, a TokenTTL under five minutes).
func New(cfg Config) (*Target, error) {
	address, err := httpkit.NewAddress(DefaultEndpoint, cfg.Endpoint, checkEndpoint)
	if err != nil {
		return nil, err
	}
	ttl := cfg.TokenTTL
	switch {
	case ttl == 0:
		ttl = DefaultTokenTTL
	case ttl < minTokenTTL:
		return nil, fmt.Errorf("%s: a user token must last at least %v, not %v", Name, minTokenTTL, ttl)
	}
	username := strings.TrimSpace(cfg.Username)
	if username == "" {
		username = DefaultUsername
	}
	return &Target{
		// api_key and user_token are dropped, like Authorization, by every redirect that leaves
		// the host.
		Kit:      cfg.Kit(defaultFirst, defaultMax, headerAPIKey, headerUserToken),
		Address:  address,
		username: username,
		ttl:      ttl,
		shared:   &shared{users: map[string]string{}, locks: map[string]chan struct{}{}, limits: httpkit.NewLimits(maxRateWait)},
	}, nil
}

// WithSecrets returns the target acting with the credential s (providers.KeyedTarget): it shares
// the address, the HTTP client, the users found, the token locks and the rate limits with t.
func (t *Target) WithSecrets(s providers.Secrets) providers.Target {
	bound := *t
	bound.secrets = s
	return &bound
}

// Describe says what 3dverse is and takes (providers.Target).
func (t *Target) Describe() providers.TargetInfo {
	return providers.TargetInfo{
		Name:      Name,
		Title:     Title,
		KeyFields: KeyFields(),
		Formats:   []string{"glb", "gltf"},
		Help: "Publishing uploads the model to a 3dverse folder, where 3dverse converts it into a scene " +
			"that you and your team can view and share in a browser.",
	}
}

// checkEndpoint returns the address Kiln will send the credentials to, or why it will not.
func checkEndpoint(raw string) (string, error) {
	e, err := httpkit.CheckEndpoint(raw, DefaultEndpoint)
	if err != nil {
		return "", fmt.Errorf("%s: %w", Name, err)
	}
	return e, nil
}

// shared is what every value WithSecrets makes from one New holds in common. It is safe for
// concurrent use.
type shared struct {
	mu sync.Mutex
	// users are Kiln's user ids, by users' key (endpoint, API key hash and username).
	users map[string]string
	// locks make one user token at a time per API key, by the same key: a channel holding one
	// value is the lock, so that a wait for it honours a context.
	locks map[string]chan struct{}
	// limits say until when a credential's rate limit holds every call, by bucket.
	limits *httpkit.Limits
}

// user returns the user id found for k, or "".
func (s *shared) user(k string) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.users[k]
}

// setUser keeps (or, for "", forgets) the user id found for k.
func (s *shared) setUser(k, id string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if id == "" {
		delete(s.users, k)
		return
	}
	s.users[k] = id
}

// lock takes the lock of k's user tokens, or returns ctx's error; unlock gives it back.
func (s *shared) lock(ctx context.Context, k string) (unlock func(), err error) {
	s.mu.Lock()
	l := s.locks[k]
	if l == nil {
		l = make(chan struct{}, 1)
		s.locks[k] = l
	}
	s.mu.Unlock()
	select {
	case l <- struct{}{}:
		return func() { <-l }, nil
	case <-ctx.Done():
		return nil, ctx.Err()
	}
}

// wrapCtx wraps err (a context's) with what Kiln was doing.
func wrapCtx(op string, err error) error { return fmt.Errorf("%s: %s: %w", Name, op, err) }

// ctxErr is ctx's error wrapped with op, or nil while ctx is live.
func ctxErr(ctx context.Context, op string) error {
	if err := ctx.Err(); err != nil {
		return wrapCtx(op, err)
	}
	return nil
}
