package fakehttp

import (
	"fmt"
	"net/http"
	"testing"
)

// ForTest starts a fake with start for t, fails t at once when it does not start, and closes it
// when t ends.
func ForTest[S interface{ Close() }](t testing.TB, start func() (S, error)) S {
	t.Helper()
	s, err := start()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(s.Close)
	return s
}

// OutsideBasePath is the base-path guard, as in go-github's tests: r, outside the base path base,
// shows that the client dropped its endpoint's path. It fails t (nil outside tests) and returns
// the words, in the name of the fake, for the fake's answer.
func OutsideBasePath(t testing.TB, fake string, r *http.Request, base string) string {
	msg := fmt.Sprintf("%s: %s %s is outside the base path %s: the client dropped the endpoint's path",
		fake, r.Method, r.URL.Path, base)
	if t != nil {
		t.Error(msg)
	}
	return msg
}
