//go:build !unix

package gltfsimplify

import "testing"

// mkfifo skips the test: the system has no named pipes in its file system.
func mkfifo(t *testing.T, _ string) { t.Skip("no named pipes on this system") }
