package rodin

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"github.com/kiln3d/kiln/providers"
	"github.com/kiln3d/kiln/providers/httpkit"

	"github.com/kiln3d/kiln/providers/rodin/rodintest"
)

// TestKeyNeverShows drives every call through failures whose answers quote the API key (a server
// that echoes what it was sent) and checks that no error and no log line holds it, nor the
// Authorization header.
func TestKeyNeverShows(t *testing.T) {
	h := setup(t, nil, stallFast)
	key := h.fake.Key
	ctx := context.Background()
	var errs []error
	collect := func(r providers.Remote) (any, error) {
		files, _, err := h.collect(h.p, r)
		return files, err
	}
	keep := func(_ any, err error) {
		if err != nil {
			errs = append(errs, err)
		}
	}
	echo := func(route string, status int) rodintest.Fault {
		return rodintest.Fault{Route: route, Status: status, Message: "bad key " + key + " (Authorization: Bearer " + key + ")"}
	}
	// Refusals that quote the key, on every route.
	for _, f := range []rodintest.Fault{echo(rodintest.RouteSubmit, 400), echo(rodintest.RouteSubmit, 500), echo(rodintest.RouteSubmit, 401)} {
		h.fake.Inject(f)
		keep(h.p.Submit(ctx, h.request()))
	}
	h.fake.Inject(rodintest.Fault{Route: rodintest.RouteSubmit, Status: 502, ContentType: "text/html", Body: "<h1>Bad gateway</h1><p>Authorization: Bearer " + key + "</p>"})
	keep(h.p.Submit(ctx, h.request()))
	h.fake.Inject(rodintest.Fault{Route: rodintest.RouteSubmit, Body: `{"error": "key ` + key + ` is odd"}`, ContentType: "application/json"})
	keep(h.p.Submit(ctx, h.request()))
	h.fake.Inject(echo(rodintest.RouteBalance, 401))
	keep(h.p.Balance(ctx))
	h.fake.Inject(echo(rodintest.RouteBalance, 403))
	keep(nil, h.p.TestKey(ctx, h.secrets))
	h.fake.Inject(rodintest.Fault{Route: rodintest.RouteBalance, Body: `{"balance": "` + key + `"}`, ContentType: "application/json"})
	keep(h.p.Balance(ctx))

	remote := h.submit()
	always := func(f rodintest.Fault) rodintest.Fault { f.Times = -1; return f }
	h.fake.Inject(always(echo(rodintest.RouteStatus, 500)))
	keep(collect(remote))
	h.fake.ClearFaults()
	h.fake.Inject(always(echo(rodintest.RouteDownload, 404)))
	keep(collect(remote))
	h.fake.ClearFaults()
	h.fake.Inject(always(echo(rodintest.RouteStorage, 500)))
	keep(collect(remote))
	h.fake.ClearFaults()
	h.fake.Inject(always(rodintest.Fault{Route: rodintest.RouteStorage, Body: "not a model, key " + key}))
	keep(collect(remote))
	h.fake.ClearFaults()

	// A key with a stray control character is refused without being quoted.
	keep(nil, h.p.TestKey(ctx, keyOf(key+"\x01")))
	// A connection that fails.
	p, err := New(Config{Endpoint: "http://127.0.0.1:1/api/v2", Secrets: h.secrets, Config: httpkit.Config{Log: h.cfg.Log}})
	if err != nil {
		t.Fatal(err)
	}
	keep(p.Submit(ctx, h.request()))

	if len(errs) < 14 {
		t.Errorf("only %d errors: the faults did not all bite", len(errs))
	}
	for _, err := range errs {
		if strings.Contains(err.Error(), key) || strings.Contains(strings.ToLower(err.Error()), "bearer rk_") {
			t.Errorf("an error shows the key: %v", err)
		}
	}
	log := h.log.String()
	if strings.Contains(log, key) {
		t.Errorf("the log shows the key:\n%s", log)
	}
	if !strings.Contains(log, "rodin refused") {
		t.Errorf("the log holds no refusal: the test logged nothing worth reading:\n%s", log)
	}
}

// TestRedirectDropsTheKey: a redirect to another host (here another port) carries no
// Authorization there.
func TestRedirectDropsTheKey(t *testing.T) {
	var mu sync.Mutex
	var leaked []string
	back := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		leaked = append(leaked, r.Header.Get("Authorization"))
		mu.Unlock()
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write([]byte(`{"balance": 3}`))
	}))
	defer back.Close()
	front := httptest.NewServer(http.RedirectHandler(back.URL+"/api/v2/check_balance", http.StatusFound))
	defer front.Close()
	p, err := New(Config{Endpoint: front.URL + "/api/v2", Secrets: keyOf("rk_redirected1234")})
	if err != nil {
		t.Fatal(err)
	}
	if b, err := p.Balance(context.Background()); err != nil || b != 3 {
		t.Fatalf("balance %v, %v", b, err)
	}
	mu.Lock()
	defer mu.Unlock()
	if len(leaked) != 1 || leaked[0] != "" {
		t.Errorf("the other host got Authorization %q", leaked)
	}
}
