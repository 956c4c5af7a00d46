package fakehttp

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"net/http"
	"os"
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

// StartDemo runs a demo command's run (the function Main runs) with args, as a demo would, for t:
// it returns the first lines the command printed, and stops it when t ends, failing t when it
// then exits with a status other than 0.
func StartDemo(t testing.TB, run func(args []string, stdout, stderr io.Writer, stop <-chan os.Signal) int, lines int, args ...string) []string {
	t.Helper()
	stop := make(chan os.Signal)
	out, w := io.Pipe()
	done := make(chan int, 1)
	var errs bytes.Buffer
	go func() {
		done <- run(args, w, &errs, stop)
		_ = w.Close()
	}()
	t.Cleanup(func() {
		close(stop)
		if status := <-done; status != 0 {
			t.Errorf("exit status %d: %s", status, errs.String())
		}
	})
	sc := bufio.NewScanner(out)
	var got []string
	for len(got) < lines && sc.Scan() {
		got = append(got, sc.Text())
	}
	if len(got) != lines {
		t.Fatalf("printed %q, then %v (%s)", got, sc.Err(), errs.String())
	}
	go func() { _, _ = io.Copy(io.Discard, out) }()
	return got
}
