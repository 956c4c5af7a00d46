// Package atomicfile writes files so that a reader, or a crash at any moment, sees either the old
// file or the whole new one: never a part. The core, the providers and their downloads all write
// through it.
package atomicfile

import (
	"fmt"
	"io"
	"os"
	"path/filepath"
)

// partialPrefix starts the temporary files Write leaves behind when a process dies mid-write.
const partialPrefix = ".partial-"

// Write replaces path with what write produces: a temporary file in the same folder, flushed to
// the disk, then renamed over path, and the folder synced. Partial files of earlier attempts at
// the same path are removed first. write's error is returned wrapped, so its kind survives.
func Write(path string, perm os.FileMode, write func(io.Writer) error) (err error) {
	dir, name := filepath.Dir(path), filepath.Base(path)
	if stale, err := filepath.Glob(filepath.Join(dir, partialPrefix+name+".*")); err == nil {
		for _, s := range stale {
			_ = os.Remove(s) // a crashed attempt's leftover is only clutter
		}
	}
	f, err := os.CreateTemp(dir, partialPrefix+name+".*")
	if err != nil {
		return fmt.Errorf("write %s: %w", name, err)
	}
	defer func() {
		if err != nil {
			_ = f.Close()
			_ = os.Remove(f.Name())
		}
	}()
	if err = write(f); err != nil {
		return fmt.Errorf("write %s: %w", name, err)
	}
	if err = f.Chmod(perm); err != nil {
		return fmt.Errorf("write %s: %w", name, err)
	}
	if err = f.Sync(); err != nil {
		return fmt.Errorf("write %s: flush: %w", name, err)
	}
	if err = f.Close(); err != nil {
		return fmt.Errorf("write %s: %w", name, err)
	}
	if err = os.Rename(f.Name(), path); err != nil {
		return fmt.Errorf("write %s: %w", name, err)
	}
	SyncDir(dir)
	return nil
}

// WriteBytes replaces path with data, as Write does.
func WriteBytes(path string, perm os.FileMode, data []byte) error {
	return Write(path, perm, func(w io.Writer) error {
		_, err := w.Write(data)
		return err
	})
}

// SyncDir makes a rename in dir durable where the system allows it. Windows can neither open a
// folder for syncing nor needs to, and a failure only weakens durability after a power cut, so
// it is not reported.
func SyncDir(dir string) {
	if d, err := os.Open(dir); err == nil {
		_ = d.Sync()
		_ = d.Close()
	}
}
