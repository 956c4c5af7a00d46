package jobsapi

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/kiln3d/kiln/providers"
)

// TestRefusedKey: a 401 is a refused key, in the server's words and Kiln's advice.
func TestRefusedKey(t *testing.T) {
	h := setup(t)
	wrong := keyOf("kiln_0badc0de_" + strings.Repeat("x", 43))
	_, err := h.p.WithSecrets(wrong).Submit(context.Background(), h.request())
	api := asAPI(t, err)
	if !errors.Is(err, providers.ErrUnauthorized) || api.Status != 401 || !strings.HasPrefix(api.Message, "missing or unknown API key") ||
		!strings.Contains(api.Message, "revoked") {
		t.Errorf("a wrong key: %v", err)
	}
	for key, says := range map[string]string{"": "no Kiln server API key", "kiln_a b": "contains a space", "kiln_\u00e9t\u00e9": "accents"} {
		if err := h.p.TestKey(context.Background(), keyOf(key)); !errors.Is(err, providers.ErrUnauthorized) || !strings.Contains(err.Error(), says) {
			t.Errorf("key %q: %v, want %q", key, err, says)
		}
	}
}

// TestMissingScope: a 403 is a missing permission, naming the scope.
func TestMissingScope(t *testing.T) {
	h := setup(t)
	reader := keyOf(h.fake.AddKey(scopeRead))
	_, err := h.p.WithSecrets(reader).Submit(context.Background(), h.request())
	if !errors.Is(err, providers.ErrForbidden) || providers.Transient(err) || !strings.Contains(err.Error(), "lacks the scope jobs:write") {
		t.Errorf("a read-only key submitting: %v", err)
	}
	if err := h.p.TestKey(context.Background(), reader); err != nil {
		t.Errorf("a read-only key's test: %v", err)
	}
	writer := keyOf(h.fake.AddKey(scopeWrite))
	if err := h.p.TestKey(context.Background(), writer); !errors.Is(err, providers.ErrForbidden) || !strings.Contains(err.Error(), "jobs:read") {
		t.Errorf("a write-only key's test: %v, want ErrForbidden naming jobs:read", err)
	}
	if got := h.fake.Received(routeList); len(got) != 2 || got[0].Query.Get("limit") != "1" {
		t.Errorf("the key tests asked %+v, want /api/v1/jobs?limit=1", got)
	}
}

// TestRateLimited: a 429 carries the wait the server asks for, from Retry-After or the server's
// own header; Collect waits it out.
func TestRateLimited(t *testing.T) {
	h := setup(t)
	h.fake.Inject(routeSubmit, 1, fault{Status: 429, Code: "rate_limited", Message: "slow down",
		Header: map[string]string{"Retry-After": "30", "X-Ratelimit-Retry-After": "30", "X-Ratelimit-Remaining": "0", "X-Ratelimit-Reset": "60"}})
	_, err := h.p.Submit(context.Background(), h.request())
	api := asAPI(t, err)
	if !errors.Is(err, providers.ErrRateLimited) || api.RetryAfter != 30*time.Second || !strings.Contains(api.Message, "slow down") {
		t.Errorf("a 429: %v (retry after %v)", err, api.RetryAfter)
	}
	if api.RateLimit == nil || api.RateLimit.Remaining != 0 || api.RateLimit.Limit != 60 {
		t.Errorf("the quota %+v", api.RateLimit)
	}

	h = setup(t)
	h.fake.Inject(routeSubmit, 1, fault{Status: 429, Code: "rate_limited", Message: "slow down",
		Header: map[string]string{"X-Ratelimit-Retry-After": "12"}})
	_, err = h.p.Submit(context.Background(), h.request())
	if api := asAPI(t, err); api.RetryAfter != 12*time.Second {
		t.Errorf("x-ratelimit-retry-after alone: retry after %v, want 12s", api.RetryAfter)
	}

	h = setup(t)
	remote := h.submit()
	h.fake.Inject(routeJob, 1, fault{Status: 429, Code: "rate_limited", Message: "slow down", Header: map[string]string{"Retry-After": "7"}})
	if _, _, _, err := h.collect(h.p, remote); err != nil {
		t.Fatal(err)
	}
	if !hasWait(h.sleeper.Slept(), 6*time.Second, 7*time.Second) {
		t.Errorf("Collect waited %v, want the 7 s asked for", h.sleeper.Slept())
	}
}

// TestBucketEmpty: an answer saying no request is left makes the next call wait until the reset,
// before it leaves; a cancelled wait sends nothing.
func TestBucketEmpty(t *testing.T) {
	clock := newClock()
	h := setup(t, func(c *Config) { c.Now, c.Sleep = clock.Now, clock.Sleep })
	empty := map[string]string{"X-Ratelimit-Remaining": "0", "X-Ratelimit-Reset": "9"}
	h.fake.Inject(routeList, 1, fault{Status: 200, Body: `{"jobs": []}`, Header: empty})
	if err := h.p.TestKey(context.Background(), h.secrets); err != nil {
		t.Fatal(err)
	}
	if w := clock.Waits(); len(w) != 0 {
		t.Fatalf("waited %v before the first call", w)
	}
	if err := h.p.TestKey(context.Background(), h.secrets); err != nil {
		t.Fatal(err)
	}
	if w := clock.Waits(); len(w) != 1 || w[0] != 9*time.Second {
		t.Errorf("the call after an empty bucket waited %v, want 9s", w)
	}
	// The bucket has requests again: no more waiting.
	if err := h.p.TestKey(context.Background(), h.secrets); err != nil || len(clock.Waits()) != 1 {
		t.Errorf("a call with requests left waited: %v, %v", clock.Waits(), err)
	}

	// Another provider bound to the same key shares the bucket; a cancelled wait sends nothing.
	h.fake.Inject(routeList, 1, fault{Status: 200, Body: `{"jobs": []}`, Header: empty})
	if err := h.p.TestKey(context.Background(), h.secrets); err != nil {
		t.Fatal(err)
	}
	sent := len(h.fake.Received())
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	bound := h.p.WithSecrets(h.secrets)
	if _, err := bound.Submit(ctx, h.request()); !errors.Is(err, context.Canceled) || !errors.Is(err, providers.ErrNotSent) {
		t.Errorf("a cancelled wait: %v", err)
	}
	if len(h.fake.Received()) != sent {
		t.Error("a cancelled wait sent its request")
	}
	// A reset beyond reason is waited for at most maxRateWait.
	h.fake.Inject(routeList, 1, fault{Status: 200, Body: `{"jobs": []}`, Header: map[string]string{"X-Ratelimit-Remaining": "0", "X-Ratelimit-Reset": "86400"}})
	for range 2 {
		if err := h.p.TestKey(context.Background(), h.secrets); err != nil {
			t.Fatal(err)
		}
	}
	if w := clock.Waits(); w[len(w)-1] != maxRateWait {
		t.Errorf("a day's reset waited %v, want %v", w[len(w)-1], maxRateWait)
	}
}

// TestServerFailures: a 5xx, a proxy's page and broken JSON are server errors, transient.
func TestServerFailures(t *testing.T) {
	h := setup(t)
	for _, f := range []fault{
		{Status: 500, Code: "internal", Message: "database is locked"},
		{Status: 503, Code: "shutting_down", Message: "the server is stopping"},
		{Status: 502, Body: "<html><h1>Bad gateway</h1></html>"},
		{Status: 202, Body: `{"id": "2026`},
		{Status: 202, Body: `{"status": "queued"}`},
	} {
		h.fake.Inject(routeSubmit, 1, f)
		_, err := h.p.Submit(context.Background(), h.request())
		if !errors.Is(err, providers.ErrServer) || !providers.Transient(err) {
			t.Errorf("%d %s: %v, want a transient server error", f.Status, f.Code+f.Body, err)
		}
	}
	// A server that is not running: a network error, nothing sent.
	p, err := New(Config{Endpoint: "http://" + closedAddr(t), Secrets: h.secrets})
	if err != nil {
		t.Fatal(err)
	}
	_, err = p.Submit(context.Background(), h.request())
	if !errors.Is(err, providers.ErrNetwork) || !errors.Is(err, providers.ErrNotSent) {
		t.Errorf("no server: %v", err)
	}
}

// hasWait says whether waits holds one from lo to hi.
func hasWait(waits []time.Duration, lo, hi time.Duration) bool {
	for _, w := range waits {
		if w >= lo && w <= hi {
			return true
		}
	}
	return false
}
