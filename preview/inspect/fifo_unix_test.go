//go:build unix

package inspect

import "syscall"

// mkfifo makes a named pipe at path, for the tests that a FIFO is refused without blocking.
func mkfifo(path string) error { return syscall.Mkfifo(path, 0o644) }
