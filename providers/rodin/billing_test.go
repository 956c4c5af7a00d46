package rodin

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/kiln3d/kiln/providers"
	"github.com/kiln3d/kiln/providers/providertest"
	"github.com/kiln3d/kiln/providers/rodin/rodintest"
)

// TestSubmitIsNeverSentTwice: whatever goes wrong once /rodin may have reached Rodin, it is sent
// once, and the error does not claim that nothing was sent.
func TestSubmitIsNeverSentTwice(t *testing.T) {
	for name, c := range map[string]struct {
		fault rodintest.Fault
		kind  error
	}{
		"500":                  {rodintest.ServerError(rodintest.RouteSubmit, 500), providers.ErrServer},
		"503 with Retry-After": {rodintest.Fault{Route: rodintest.RouteSubmit, Status: 503, RetryAfter: "1"}, providers.ErrServer},
		"429":                  {rodintest.RateLimited(rodintest.RouteSubmit, "1"), providers.ErrRateLimited},
		"accepted then 502":    {rodintest.AcceptedThenFailed(), providers.ErrServer},
		"gateway page":         {rodintest.HTMLPage(rodintest.RouteSubmit, 504), providers.ErrServer},
		"broken JSON":          {rodintest.MalformedJSON(rodintest.RouteSubmit), providers.ErrServer},
		"307 to itself":        {rodintest.Fault{Route: rodintest.RouteSubmit, Status: http.StatusTemporaryRedirect}, providers.ErrServer},
	} {
		t.Run(name, func(t *testing.T) {
			h := setup(t, nil)
			h.fake.Inject(c.fault)
			_, err := h.p.Submit(context.Background(), h.request())
			if !errors.Is(err, c.kind) {
				t.Errorf("got %v, want %v", err, c.kind)
			}
			if errors.Is(err, providers.ErrNotSent) {
				t.Errorf("%v claims nothing was sent", err)
			}
			if n := h.fake.Count(rodintest.RouteSubmit); n != 1 {
				t.Errorf("%d submissions, want 1", n)
			}
		})
	}
}

// TestAcceptedThenFailedWasCharged: the case the rule is for: the fake has the task, charged.
func TestAcceptedThenFailedWasCharged(t *testing.T) {
	h := setup(t, nil)
	h.fake.Inject(rodintest.AcceptedThenFailed())
	if _, err := h.p.Submit(context.Background(), h.request()); err == nil {
		t.Fatal("no error")
	}
	if tasks := h.fake.Tasks(); len(tasks) != 1 || h.fake.Balance() != 25-tasks[0].Cost {
		t.Errorf("%d tasks, balance %v", len(tasks), h.fake.Balance())
	}
}

// TestSubmitToAClosedPort: no connection, so nothing was sent: ErrNotSent and ErrNetwork.
func TestSubmitToAClosedPort(t *testing.T) {
	p, err := New(Config{Endpoint: "http://" + providertest.ClosedAddr(t) + "/api/v2", Secrets: keyOf("rk_closedport1234")})
	if err != nil {
		t.Fatal(err)
	}
	req := providers.Request{Images: []providers.Image{{Path: writePNG(t, "a.png", 1)}}, Polycount: 20000}
	_, err = p.Submit(context.Background(), req)
	if !errors.Is(err, providers.ErrNotSent) || !errors.Is(err, providers.ErrNetwork) {
		t.Errorf("got %v, want ErrNotSent and ErrNetwork", err)
	}
}

// TestSubmitWithoutAKey: asks for a key, sends nothing.
func TestSubmitWithoutAKey(t *testing.T) {
	h := setup(t, nil, func(c *Config) { c.Secrets = nil })
	_, err := h.p.Submit(context.Background(), h.request())
	var ce *CredentialsError
	if !errors.As(err, &ce) || !errors.Is(err, providers.ErrUnauthorized) || !errors.Is(err, providers.ErrNotSent) ||
		!strings.Contains(err.Error(), "no Rodin API key") {
		t.Errorf("got %v", err)
	}
	if n := h.fake.Count(rodintest.RouteSubmit); n != 0 {
		t.Errorf("%d submissions", n)
	}
}

// TestSubmitRefusedByRodin: a 400 is invalid input in Rodin's words.
func TestSubmitRefusedByRodin(t *testing.T) {
	h := setup(t, nil)
	h.fake.Inject(rodintest.Fault{Route: rodintest.RouteSubmit, Status: 400, Message: "tier must be one of Sketch, Regular"})
	_, err := h.p.Submit(context.Background(), h.request())
	api := providertest.APIError(t, err)
	if !errors.Is(err, providers.ErrInvalidInput) || api.Message != "tier must be one of Sketch, Regular" || api.Status != 400 {
		t.Errorf("got %v", err)
	}
}

// TestInsufficientFunds: INSUFFICIENT_FUND is out of credits, whatever the status it comes with.
func TestInsufficientFunds(t *testing.T) {
	for name, setupFunds := range map[string]func(*rodintest.Server){
		"empty account": func(s *rodintest.Server) { s.SetBalance(0.25) },
		"402":           func(s *rodintest.Server) { s.Inject(rodintest.NoFunds(0)) },
		"400":           func(s *rodintest.Server) { s.Inject(rodintest.NoFunds(400)) },
		"403":           func(s *rodintest.Server) { s.Inject(rodintest.NoFunds(403)) },
		"201":           func(s *rodintest.Server) { s.Inject(rodintest.NoFunds(201)) },
		"200":           func(s *rodintest.Server) { s.Inject(rodintest.NoFunds(200)) },
	} {
		t.Run(name, func(t *testing.T) {
			h := setup(t, nil)
			setupFunds(h.fake)
			_, err := h.p.Submit(context.Background(), h.request())
			if !errors.Is(err, providers.ErrOutOfCredits) || !strings.Contains(err.Error(), "too few credits") {
				t.Errorf("got %v, want ErrOutOfCredits", err)
			}
			if errors.Is(err, providers.ErrNotSent) {
				t.Errorf("%v claims nothing was sent", err)
			}
		})
	}
}

// TestPrice: the published prices, and Basis saying how.
func TestPrice(t *testing.T) {
	p := setup(t, nil).p
	for name, c := range map[string]struct {
		req     providers.Request
		credits float64
		basis   string
	}{
		"default":        {providers.Request{}, 0.5, "Gen-2.5-Medium 0.5, as published"},
		"Extreme-High":   {providers.Request{Options: map[string]string{OptionTier: TierExtremeHigh}}, 1, "as published"},
		"HighPack":       {providers.Request{Options: map[string]string{OptionTier: TierHigh, OptionHighPack: on}}, 1.5, "HighPack +1"},
		"Gen-2":          {providers.Request{Options: map[string]string{OptionTier: TierGen2}}, 0.5, "unverified"},
		"Gen-1 raw pack": {providers.Request{Options: map[string]string{OptionTier: TierSketch, OptionMeshMode: "Raw", OptionHighPack: on}}, 0.5, "unverified"},
		"texturing":      {providers.Request{Model: "chair.glb"}, 0.5, "unverified"},
	} {
		got, err := p.Price(c.req)
		if err != nil || got.Credits != c.credits || !strings.Contains(got.Basis, c.basis) {
			t.Errorf("%s: %+v, %v; want %v credits, %q", name, got, err, c.credits, c.basis)
		}
	}
	if _, err := p.Price(providers.Request{Options: map[string]string{OptionTier: "Gen-9"}}); !errors.Is(err, providers.ErrInvalidInput) {
		t.Errorf("an unknown tier: %v", err)
	}
}

// TestBalance: a number in halves; a refused key is ErrUnauthorized.
func TestBalance(t *testing.T) {
	h := setup(t, nil)
	h.fake.SetBalance(12.5)
	if b, err := h.p.Balance(context.Background()); err != nil || b != 12.5 {
		t.Errorf("balance %v, %v; want 12.5", b, err)
	}
	h.fake.Inject(rodintest.Fault{Route: rodintest.RouteBalance, Body: `{"balance": "7.5"}`, ContentType: "application/json"})
	if b, err := h.p.Balance(context.Background()); err != nil || b != 7.5 {
		t.Errorf("balance %v, %v; want 7.5 from a string", b, err)
	}
	h.fake.Inject(rodintest.Fault{Route: rodintest.RouteBalance, Body: `{"error": "OK"}`, ContentType: "application/json"})
	if _, err := h.p.Balance(context.Background()); !errors.Is(err, providers.ErrServer) || !strings.Contains(err.Error(), "without the balance") {
		t.Errorf("an answer without a balance: %v", err)
	}
	h.secrets.Set(FieldAPIKey, "rk_wrongwrongwrong")
	if _, err := h.p.Balance(context.Background()); !errors.Is(err, providers.ErrUnauthorized) {
		t.Errorf("a wrong key: %v", err)
	}
}

// TestSubmitStalledAnswer: an answer that stops half-way holds Submit only until its context ends;
// the work may be Rodin's by then, so the error does not say nothing was sent.
func TestSubmitStalledAnswer(t *testing.T) {
	h := setup(t, nil)
	h.fake.Inject(rodintest.StalledBody(rodintest.RouteSubmit))
	ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
	defer cancel()
	_, err := h.p.Submit(ctx, h.request())
	if !errors.Is(err, context.DeadlineExceeded) || errors.Is(err, providers.ErrNotSent) {
		t.Errorf("got %v, want the deadline, not ErrNotSent", err)
	}
	if n := h.fake.Count(rodintest.RouteSubmit); n > 1 {
		t.Errorf("%d submissions", n)
	}
}
