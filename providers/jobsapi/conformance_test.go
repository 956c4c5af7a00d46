package jobsapi

import (
	"context"
	"errors"
	"path/filepath"
	"strings"
	"testing"

	"github.com/kiln3d/kiln/providers"
	"github.com/kiln3d/kiln/providers/httpkit"
	"github.com/kiln3d/kiln/providers/providertest"
)

// sample is a reference image every provider accepts.
var sample = filepath.Join("..", "..", "assets", "samples", "mushroom.png")

func TestConformance(t *testing.T) {
	h := setup(t)
	// The core binds each job's credential: the suite runs on what New and WithSecrets make.
	p, err := New(Config{Endpoint: h.fake.URL, Config: httpkit.Config{Poll: h.cfg.Poll, Sleep: h.cfg.Sleep, Log: h.cfg.Log}})
	if err != nil {
		t.Fatal(err)
	}
	bound := p.WithSecrets(h.secrets).(*Provider)
	providertest.Run(t, bound, sample)
	// The suite submits three times (a job, a prompt, one it cancels) and never sends one again.
	if n := len(h.fake.Received(routeSubmit)); n != 3 {
		t.Errorf("%d submissions, want 3", n)
	}
}

func TestKeyConformance(t *testing.T) {
	h := setup(t)
	wrong := keyOf("kiln_0badc0de_" + strings.Repeat("A", 43))
	providertest.RunKeyTest(t, h.p, h.secrets, wrong)
}

// TestEndpoint: the address takes loopback http and https elsewhere, keeps a refused one out,
// restores the default on "", drops a pasted /api/v1, and is shared by every bound provider.
func TestEndpoint(t *testing.T) {
	for raw, want := range map[string]string{
		"":                                DefaultEndpoint,
		"http://127.0.0.1:3000/":          DefaultEndpoint,
		"http://127.0.0.1:3000/api/v1":    DefaultEndpoint,
		"http://localhost:8080":           "http://localhost:8080",
		"https://kiln.studio.example":     "https://kiln.studio.example",
		"https://example.com/kiln/":       "https://example.com/kiln",
		"https://example.com/kiln/api/v1": "https://example.com/kiln",
		"http://[::1]:3000":               "http://[::1]:3000",
	} {
		p, err := New(Config{Endpoint: raw})
		if err != nil {
			t.Errorf("New(%q): %v", raw, err)
		} else if p.Endpoint() != want {
			t.Errorf("New(%q): %q, want %q", raw, p.Endpoint(), want)
		}
	}
	for _, bad := range []string{"http://kiln.studio.example", "ftp://127.0.0.1", "not a url", "https://", "https://u:pw@example.com", "https://example.com/?key=x"} {
		if _, err := New(Config{Endpoint: bad}); err == nil || !strings.HasPrefix(err.Error(), Name+": ") {
			t.Errorf("New(%q): %v, want a refusal", bad, err)
		}
	}
	p, err := New(Config{})
	if err != nil {
		t.Fatal(err)
	}
	if p.DefaultEndpoint() != DefaultEndpoint || p.Endpoint() != DefaultEndpoint {
		t.Errorf("default %q, in use %q", p.DefaultEndpoint(), p.Endpoint())
	}
	bound := p.WithSecrets(keyOf("k")).(*Provider)
	if err := p.SetEndpoint("http://api.example.com"); err == nil || p.Endpoint() != DefaultEndpoint {
		t.Errorf("plain http elsewhere: %v, endpoint %q", err, p.Endpoint())
	}
	if err := p.SetEndpoint("https://kiln.example.com"); err != nil || bound.Endpoint() != "https://kiln.example.com" {
		t.Errorf("a bound provider kept its own address %q (%v)", bound.Endpoint(), err)
	}
	if err := bound.SetEndpoint(""); err != nil || p.Endpoint() != DefaultEndpoint {
		t.Errorf("SetEndpoint(\"\") gave %q, %v", p.Endpoint(), err)
	}
}

// TestWithSecrets: two credentials bound from one provider each send their own key; the unbound
// provider asks for one.
func TestWithSecrets(t *testing.T) {
	h := setup(t, func(c *Config) { c.Secrets = nil })
	second := h.fake.AddKey(scopeRead, scopeWrite)
	a := h.p.WithSecrets(keyOf(h.fake.Key)).(*Provider)
	b := h.p.WithSecrets(keyOf(second)).(*Provider)
	ctx := context.Background()
	if err := a.TestKey(ctx, keyOf(h.fake.Key)); err != nil {
		t.Fatal(err)
	}
	remote, err := b.Submit(ctx, h.request())
	if err != nil {
		t.Fatal(err)
	}
	if _, _, _, err := h.collect(b, remote); err != nil {
		t.Fatal(err)
	}
	for _, r := range h.fake.Received() {
		want := second
		if r.Route == routeList {
			want = h.fake.Key
		}
		if got := r.Header.Get("X-Api-Key"); got != want {
			t.Errorf("%s %s sent the wrong key", r.Method, r.Path)
		}
	}
	if _, err := h.p.Submit(ctx, h.request()); !errors.Is(err, providers.ErrUnauthorized) || !errors.Is(err, providers.ErrNotSent) {
		t.Errorf("the unbound provider: %v", err)
	}
	// The other key's job is not this key's: 404.
	if _, _, _, err := h.collect(a, remote); !errors.Is(err, providers.ErrNotFound) || !strings.Contains(err.Error(), "another key") {
		t.Errorf("another key's job: %v, want ErrNotFound", err)
	}
}

// TestCapabilities: the picker's words, the idempotency claim, and the one option.
func TestCapabilities(t *testing.T) {
	c := setup(t).p.Capabilities()
	if c.Name != "jobsapi" || c.Title != "Kiln server" || !c.Idempotent || !c.NeedsKey || c.Offline || !c.Prompt || !c.Views || !c.Dimensions {
		t.Errorf("capabilities %+v", c)
	}
	if len(c.KeyFields) != 1 || c.KeyFields[0].Key != "key" || !c.KeyFields[0].Secret {
		t.Errorf("key fields %+v: want one secret field \"key\" (KILN_JOBSAPI_KEY)", c.KeyFields)
	}
	if len(c.Options) != 1 || c.Options[0].Key != "provider" || (providers.Request{}).Option(c, "provider") != "auto" {
		t.Errorf("options %+v: want provider, the server's choice by default", c.Options)
	}
	if r := c.Polycount; r.Min != 500 || r.Max != 200000 || r.Default != 8000 {
		t.Errorf("polycount %+v", r)
	}
}
