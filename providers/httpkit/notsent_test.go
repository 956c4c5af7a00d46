package httpkit

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/kiln3d/kiln/providers"
	"github.com/kiln3d/kiln/providers/providertest"
)

// A request that could not even connect never reached the server: the error says so, so that a
// billable request is known to be safe to send again. One that reached it and got no answer is
// not marked.
func TestNetworkErrorSaysWhetherTheRequestLeft(t *testing.T) {
	closed := "http://" + providertest.ClosedAddr(t)
	ctx := context.Background()
	_, err := http.Get(closed)
	got := svc.NetworkError(ctx, "process", err)
	if !errors.Is(got, providers.ErrNotSent) || !errors.Is(got, providers.ErrNetwork) {
		t.Errorf("connection refused: %v (not sent %v)", got, errors.Is(got, providers.ErrNotSent))
	}

	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hj, _ := w.(http.Hijacker)
		conn, _, _ := hj.Hijack()
		conn.Close() // read the request, then hang up without a word
	}))
	defer srv.Close()
	_, err = http.Post(srv.URL, "text/plain", nil)
	got = svc.NetworkError(ctx, "process", err)
	if errors.Is(got, providers.ErrNotSent) || !errors.Is(got, providers.ErrNetwork) {
		t.Errorf("reset after the request: %v (not sent %v)", got, errors.Is(got, providers.ErrNotSent))
	}
}
