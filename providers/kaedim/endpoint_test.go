package kaedim

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

// TestEndpointRule: Kaedim holds its endpoint to httpkit's rule (tested there in full), names
// itself in the refusal, and keeps the address it had when a new one is refused.
func TestEndpointRule(t *testing.T) {
	if got, err := checkEndpoint(" https://eu.example.com/kaedim/"); err != nil || got != "https://eu.example.com/kaedim" {
		t.Errorf("%q, %v", got, err)
	}
	for _, raw := range []string{"http://api.kaedim3d.com", "https://artist:hunter2@kaedim.com", "api.kaedim3d.com"} {
		_, err := checkEndpoint(raw)
		if err == nil || !strings.HasPrefix(err.Error(), "kaedim: ") || strings.Contains(err.Error(), "hunter2") {
			t.Errorf("%q: %v", raw, err)
		}
		if _, err := New(Config{Endpoint: raw}); err == nil {
			t.Errorf("New took %q", raw)
		}
	}
	p, err := New(Config{})
	if err != nil || p.Endpoint() != DefaultEndpoint || p.DefaultEndpoint() != DefaultEndpoint {
		t.Fatalf("default endpoint: %v, %v", p, err)
	}
	if err := p.SetEndpoint("http://example.com"); err == nil || p.Endpoint() != DefaultEndpoint {
		t.Errorf("SetEndpoint took plain http to a remote host: %v, now %s", err, p.Endpoint())
	}
	if err := p.SetEndpoint("http://127.0.0.1:1"); err != nil || p.Endpoint() != "http://127.0.0.1:1" {
		t.Errorf("SetEndpoint: %v, now %s", err, p.Endpoint())
	}
	if err := p.SetEndpoint(""); err != nil || p.Endpoint() != DefaultEndpoint {
		t.Errorf("SetEndpoint(\"\"): %v, now %s", err, p.Endpoint())
	}
}

// TestRedirectKeepsTheKeys: a redirect to another host carries none of the credentials.
func TestRedirectKeepsTheKeys(t *testing.T) {
	h := setup(t, nil)
	var leaked []string
	elsewhere := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		for _, name := range []string{"X-API-Key", "Authorization", "refresh-token"} {
			if r.Header.Get(name) != "" {
				leaked = append(leaked, name)
			}
		}
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write([]byte(`{"status":"success","message":[]}`))
	}))
	defer elsewhere.Close()
	redirector := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if strings.HasSuffix(r.URL.Path, "/refreshJWT") {
			_, _ = w.Write([]byte(`{"status":"success","jwt":"eyJredirect.test.jwt"}`))
			return
		}
		http.Redirect(w, r, elsewhere.URL+r.URL.Path, http.StatusTemporaryRedirect)
	}))
	defer redirector.Close()
	if err := h.p.SetEndpoint(redirector.URL); err != nil {
		t.Fatal(err)
	}
	if _, err := h.p.Projects(context.Background()); err != nil {
		t.Fatal(err)
	}
	if len(leaked) != 0 {
		t.Errorf("the other host received %v", leaked)
	}
}
