//go:build unix

package app

import (
	"os"
	"path/filepath"
	"syscall"
)

// lockAsset takes the lock on the asset folder dir that every change to its sidecar holds, so that
// two Kiln processes (the window and a command) recording a publication at once both keep theirs.
// The lock is an advisory flock on a hidden file in the library, released by unlock or the
// process's end.
func lockAsset(dir string) (unlock func(), err error) {
	path := filepath.Join(filepath.Dir(dir), "."+filepath.Base(dir)+".lock")
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return nil, err
	}
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX); err != nil {
		_ = f.Close()
		return nil, err
	}
	return func() { _ = f.Close() }, nil
}
