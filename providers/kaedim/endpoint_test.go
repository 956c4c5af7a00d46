package kaedim

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

func TestEndpointRule(t *testing.T) {
	for raw, want := range map[string]string{
		"":                               DefaultEndpoint,
		"https://api.kaedim3d.com/":      "https://api.kaedim3d.com",
		" https://eu.example.com/kaedim": "https://eu.example.com/kaedim",
		"http://127.0.0.1:8080":          "http://127.0.0.1:8080",
		"http://127.9.9.9":               "http://127.9.9.9",
		"http://[::1]:9000/base/":        "http://[::1]:9000/base",
		"http://LOCALHOST:3000":          "http://LOCALHOST:3000",
	} {
		got, err := checkEndpoint(raw)
		if err != nil || got != want {
			t.Errorf("%q: %q, %v; want %q", raw, got, err, want)
		}
	}
	for raw, why := range map[string]string{
		"http://api.kaedim3d.com":           "plain http is accepted only for this computer",
		"http://192.168.1.20:8080":          "plain http is accepted only for this computer",
		"http://localhost.example.com":      "plain http is accepted only for this computer",
		"http://127.0.0.1.nip.io":           "plain http is accepted only for this computer",
		"ftp://api.kaedim3d.com":            "must start with https://",
		"api.kaedim3d.com":                  "not a URL",
		"https://artist:hunter2@kaedim.com": "must not hold a user name or password",
		"https://api.kaedim3d.com/?x=1":     "no ?query",
		"https://api.kaedim3d.com/#top":     "no ?query",
	} {
		_, err := checkEndpoint(raw)
		if err == nil || !strings.Contains(err.Error(), why) {
			t.Errorf("%q: %v, want a refusal saying %q", raw, err, why)
		}
		if err != nil && strings.Contains(err.Error(), "hunter2") {
			t.Errorf("%q: the refusal repeats the password: %v", raw, err)
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
