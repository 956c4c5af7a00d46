//go:build unix

package fsguard

import (
	"os"
	"syscall"
)

// noBlockFlags open for reading with O_NONBLOCK, so that opening a FIFO returns at once
// instead of waiting for a writer, and O_NOCTTY, so that a terminal device never becomes Kiln's.
const noBlockFlags = os.O_RDONLY | syscall.O_NONBLOCK | syscall.O_NOCTTY

// openNoBlock opens path with noBlockFlags.
func openNoBlock(path string) (*os.File, error) { return os.OpenFile(path, noBlockFlags, 0) }

// restoreBlocking clears O_NONBLOCK once the file is known to be regular, so reads behave as
// usual (for regular files the flag is meaningless on Linux, but not promised so everywhere).
func restoreBlocking(f *os.File) error {
	rc, err := f.SyscallConn()
	if err != nil {
		return err
	}
	var serr error
	if err := rc.Control(func(fd uintptr) { serr = syscall.SetNonblock(int(fd), false) }); err != nil {
		return err
	}
	return serr
}
