package providertest

import (
	"errors"
	"net"
	"testing"

	"github.com/kiln3d/kiln/providers"
)

// APIError returns err's *providers.APIError, failing the test when there is none.
func APIError(t testing.TB, err error) *providers.APIError {
	t.Helper()
	var api *providers.APIError
	if !errors.As(err, &api) {
		t.Fatalf("got %v (%T), want a *providers.APIError", err, err)
	}
	return api
}

// ClosedAddr is a loopback host:port that nothing listens on: a connection to it is refused at
// once, the way a stopped server refuses one.
func ClosedAddr(t testing.TB) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	if err := l.Close(); err != nil {
		t.Fatal(err)
	}
	return addr
}
