//go:build !unix

package fsguardtest

import "testing"

// MkFIFO skips the test: this system has no named pipes in its file system (a Windows named
// pipe lives under \\.\pipe\, where no model or image path leads).
func MkFIFO(t testing.TB, _ string) {
	t.Helper()
	t.Skip("this system has no named pipes in its file system")
}
