package local

import (
	"fmt"
	"os"
	"path/filepath"
)

// tempPrefix marks the partial files writeAtomic leaves behind when the process dies mid-write.
const tempPrefix = ".partial-"

// writeAtomic replaces dir/name with data so that a reader, or a crash at any moment, sees either
// the old file or the whole new one: it writes a temporary file in the same directory, flushes it
// to the disk and renames it over the target. Partial files of earlier attempts are removed first.
func writeAtomic(dir, name string, data []byte) error {
	if stale, err := filepath.Glob(filepath.Join(dir, tempPrefix+name+"*")); err == nil {
		for _, s := range stale {
			_ = os.Remove(s) // best effort: a leftover is only clutter
		}
	}
	f, err := os.CreateTemp(dir, tempPrefix+name+"*")
	if err != nil {
		return err
	}
	tmp := f.Name()
	fail := func(err error) error {
		f.Close()
		os.Remove(tmp)
		return err
	}
	if _, err := f.Write(data); err != nil {
		return fail(err)
	}
	if err := f.Sync(); err != nil {
		return fail(fmt.Errorf("flush %s: %w", filepath.Base(tmp), err))
	}
	if err := f.Close(); err != nil {
		os.Remove(tmp)
		return err
	}
	if err := os.Rename(tmp, filepath.Join(dir, name)); err != nil {
		os.Remove(tmp)
		return err
	}
	syncDir(dir)
	return nil
}

// syncDir flushes the directory entry of the rename on systems that support it. Windows cannot
// open a directory for syncing and does not need to, so failures are ignored.
func syncDir(dir string) {
	d, err := os.Open(dir)
	if err != nil {
		return
	}
	defer d.Close()
	_ = d.Sync()
}
