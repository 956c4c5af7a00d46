package rodin

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/kiln3d/kiln/providers"
	"github.com/kiln3d/kiln/providers/providertest"
	"github.com/kiln3d/kiln/providers/rodin/rodintest"
)

func TestTestKey(t *testing.T) {
	h := setup(t, nil)
	ctx := context.Background()
	if err := h.p.TestKey(ctx, h.secrets); err != nil {
		t.Errorf("the account's key: %v", err)
	}
	wrong := "rk_" + strings.Repeat("e", 40)
	err := h.p.TestKey(ctx, keyOf(wrong))
	api := providertest.APIError(t, err)
	if !errors.Is(err, providers.ErrUnauthorized) || !strings.HasPrefix(api.Message, rodintest.MsgNotAuthenticated) ||
		!strings.Contains(api.Message, "create a new one") {
		t.Errorf("a wrong key: %v", err)
	}
	revoked := h.fake.AddKey("laptop")
	if err := h.p.TestKey(ctx, keyOf(revoked)); err != nil {
		t.Errorf("a new key: %v", err)
	}
	h.fake.Revoke(revoked)
	if err := h.p.TestKey(ctx, keyOf(revoked)); !errors.Is(err, providers.ErrUnauthorized) || !strings.Contains(err.Error(), "Not authenticated") {
		t.Errorf("a revoked key: %v", err)
	}
	// Every key test asked the balance, and nothing else.
	if n, all := h.fake.Count(rodintest.RouteBalance), len(h.fake.Received()); n != 4 || all != 4 {
		t.Errorf("%d balance checks of %d requests, want 4 of 4", n, all)
	}
}

// TestNotAuthenticated403: the words make a 403 a refused key (what a bearer scheme's framework
// answers to a missing token).
func TestNotAuthenticated403(t *testing.T) {
	h := setup(t, nil)
	h.fake.Inject(rodintest.Fault{Route: rodintest.RouteBalance, Status: 403, Body: `{"detail":"Not authenticated"}`, ContentType: "application/json"})
	if err := h.p.TestKey(context.Background(), h.secrets); !errors.Is(err, providers.ErrUnauthorized) {
		t.Errorf("got %v", err)
	}
	h.fake.Inject(rodintest.Fault{Route: rodintest.RouteBalance, Status: 403, Message: "Business subscription required"})
	if err := h.p.TestKey(context.Background(), h.secrets); !errors.Is(err, providers.ErrForbidden) {
		t.Errorf("a 403 of other words: %v, want ErrForbidden", err)
	}
}

// TestDamagedKeys: a key that cannot go into a header is refused before anything is sent.
func TestDamagedKeys(t *testing.T) {
	h := setup(t, nil)
	for key, says := range map[string]string{
		"":                         "no Rodin API key",
		"   ":                      "no Rodin API key",
		"Bearer rk_abc123456":      "contains a space",
		"rk_abc\n123456":           "line break",
		"rk_abc\x00123456":         "invisible character",
		"rk_abc\u00e9123456":       "accents",
		"\u201crk_abc123456\u201d": "word processor",
	} {
		err := h.p.TestKey(context.Background(), keyOf(key))
		var ce *CredentialsError
		if !errors.As(err, &ce) || !errors.Is(err, providers.ErrUnauthorized) || !strings.Contains(err.Error(), says) {
			t.Errorf("key %q: %v, want a CredentialsError saying %q", key, err, says)
		}
	}
	if err := h.p.TestKey(context.Background(), keyOf("  "+h.fake.Key+"\n")); err != nil {
		t.Errorf("a key pasted with spaces around it: %v", err)
	}
	if n := h.fake.Count(rodintest.RouteBalance); n != 1 {
		t.Errorf("%d requests, want only the good key's", n)
	}
}

// TestWithSecrets: two credentials bound from one provider each send their own key, and share its
// address.
func TestWithSecrets(t *testing.T) {
	h := setup(t, nil, func(c *Config) { c.Secrets = nil })
	second := h.fake.AddKey("studio")
	a := h.p.WithSecrets(keyOf(h.fake.Key)).(*Provider)
	b := h.p.WithSecrets(keyOf(second)).(*Provider)
	ctx := context.Background()
	if _, err := a.Balance(ctx); err != nil {
		t.Fatal(err)
	}
	remote, err := b.Submit(ctx, h.request())
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := h.collect(b, remote); err != nil {
		t.Fatal(err)
	}
	for _, r := range h.fake.Received() {
		if r.Route == rodintest.RouteStorage {
			continue
		}
		want := "Bearer " + second
		if r.Route == rodintest.RouteBalance {
			want = "Bearer " + h.fake.Key
		}
		if got := r.Header.Get("Authorization"); got != want {
			t.Errorf("%s sent the wrong key", r.Route)
		}
	}
	// The unbound provider asks for a key.
	if _, err := h.p.Balance(ctx); !errors.Is(err, providers.ErrUnauthorized) {
		t.Errorf("the unbound provider: %v", err)
	}
	// The address is shared.
	if err := h.p.SetEndpoint("https://rodin.example.com/api/v2"); err != nil {
		t.Fatal(err)
	}
	if a.Endpoint() != "https://rodin.example.com/api/v2" {
		t.Errorf("a bound provider kept its own address %q", a.Endpoint())
	}
}

func TestEndpoint(t *testing.T) {
	for raw, want := range map[string]string{
		"":                                     DefaultEndpoint,
		"https://api.hyper3d.com/api/v2/":      DefaultEndpoint,
		"https://hyperhuman.deemos.com":        "https://hyperhuman.deemos.com/api/v2",
		"https://hyperhuman.deemos.com/":       "https://hyperhuman.deemos.com/api/v2",
		"http://127.0.0.1:8080/rodin-base/api": "http://127.0.0.1:8080/rodin-base/api",
	} {
		p, err := New(Config{Endpoint: raw})
		if err != nil {
			t.Errorf("New(%q): %v", raw, err)
		} else if p.Endpoint() != want {
			t.Errorf("New(%q): %q, want %q", raw, p.Endpoint(), want)
		}
	}
	for _, bad := range []string{"http://api.hyper3d.com/api/v2", "https://user:pw@api.hyper3d.com", "https://api.hyper3d.com/api/v2?key=x"} {
		if _, err := New(Config{Endpoint: bad}); err == nil || !strings.HasPrefix(err.Error(), "rodin: ") {
			t.Errorf("New(%q): %v, want a refusal", bad, err)
		}
	}
}
