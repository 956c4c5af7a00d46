//go:build unix

package gltfsimplify

import (
	"syscall"
	"testing"
)

// mkfifo makes a named pipe at path; a unix system that cannot fails the test.
func mkfifo(t *testing.T, path string) {
	t.Helper()
	if err := syscall.Mkfifo(path, 0o600); err != nil {
		t.Fatal(err)
	}
}
