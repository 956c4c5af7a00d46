//go:build unix

package fsguardtest

import (
	"syscall"
	"testing"
)

// MkFIFO makes a named pipe at path. A unix system that cannot make one fails the test: the
// check it serves must run there.
func MkFIFO(t testing.TB, path string) {
	t.Helper()
	if err := syscall.Mkfifo(path, 0o600); err != nil {
		t.Fatalf("mkfifo: %v", err)
	}
}
