// Package atomicfile writes files so that a reader, or a crash at any moment, sees either the old
// file or the whole new one: never a part. The core, the providers and their downloads all write
// through it.
//
// Many writers may aim at one path at once (ten `kiln generate --out pot.glb` in a script, the
// window and the CLI saving together). Each writer therefore has its own temporary file, named
// with its process id, and a writer only ever removes its own temporary file or one whose process
// has died: never another live writer's.
package atomicfile

import (
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"github.com/kiln3d/kiln/providers/process"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"
)

// partialPrefix starts the temporary files a writer leaves behind when its process dies
// mid-write: ".partial-<name>.<pid>.<random>".
const partialPrefix = ".partial-"

// StaleAge is how long a leftover temporary file or folder must have been left untouched before it
// is cleared. A dead process's leftovers are cleared once they are this old, so that a writer on
// another machine or in another PID namespace, whose process id means nothing here, keeps its
// file while it is writing; one whose process cannot be checked at all is cleared only after
// OrphanAge.
var StaleAge = time.Minute

// OrphanAge is the age after which a leftover is cleared even when its process id names a live
// process: by then the id has been reused, for no write takes days.
var OrphanAge = 7 * 24 * time.Hour

// Write replaces path with what write produces: a temporary file in the same folder, flushed to
// the disk, then renamed over path, and the folder synced. Leftovers of dead writers at the same
// path are removed first. write's error is returned wrapped, so its kind survives.
func Write(path string, perm os.FileMode, write func(io.Writer) error) error {
	tmp, err := writeTemp(path, perm, write)
	if err != nil {
		return err
	}
	if err := os.Rename(tmp, path); err != nil {
		_ = os.Remove(tmp)
		return fmt.Errorf("write %s: %w", filepath.Base(path), err)
	}
	SyncDir(filepath.Dir(path))
	return nil
}

// WriteBytes replaces path with data, as Write does.
func WriteBytes(path string, perm os.FileMode, data []byte) error {
	return Write(path, perm, bytesWriter(data))
}

// Create writes path as Write does, but never replaces a file: when path exists at the moment the
// new file would take its place, nothing changes and the error wraps fs.ErrExist.
func Create(path string, perm os.FileMode, write func(io.Writer) error) error {
	tmp, err := writeTemp(path, perm, write)
	if err != nil {
		return err
	}
	defer os.Remove(tmp) // published by a link, or refused: the temporary name goes either way
	if err := publish(tmp, path); err != nil {
		return fmt.Errorf("write %s: %w", filepath.Base(path), err)
	}
	SyncDir(filepath.Dir(path))
	return nil
}

// CreateUnique writes what write produces to path, or, when path is taken, to the first free of
// "name-2.ext", "name-3.ext"…, and returns the path written. No file is ever replaced, and two
// writers racing for one name both succeed, under different names.
func CreateUnique(path string, perm os.FileMode, write func(io.Writer) error) (string, error) {
	tmp, err := writeTemp(path, perm, write)
	if err != nil {
		return "", err
	}
	defer os.Remove(tmp)
	ext := filepath.Ext(path)
	stem := strings.TrimSuffix(path, ext)
	for i := 1; i <= maxUnique; i++ {
		try := path
		if i > 1 {
			try = fmt.Sprintf("%s-%d%s", stem, i, ext)
		}
		err := publish(tmp, try)
		if err == nil {
			SyncDir(filepath.Dir(path))
			return try, nil
		}
		if !errors.Is(err, fs.ErrExist) {
			return "", fmt.Errorf("write %s: %w", filepath.Base(try), err)
		}
	}
	return "", fmt.Errorf("write %s: %d files of that name already exist: %w", filepath.Base(path), maxUnique, fs.ErrExist)
}

// maxUnique bounds CreateUnique's search, so that a folder that refuses every name (or a bug)
// ends in an error rather than a loop.
const maxUnique = 10000

func bytesWriter(data []byte) func(io.Writer) error {
	return func(w io.Writer) error {
		_, err := w.Write(data)
		return err
	}
}

// writeTemp writes a complete, flushed temporary file beside path and returns its name. On error
// nothing is left behind, not even when write panics.
func writeTemp(path string, perm os.FileMode, write func(io.Writer) error) (_ string, err error) {
	dir, name := filepath.Dir(path), filepath.Base(path)
	removeStale(dir, name)
	f, err := createPartial(dir, name)
	if err != nil {
		return "", fmt.Errorf("write %s: %w", name, err)
	}
	complete := false
	defer func() {
		if !complete {
			_ = f.Close()
			_ = os.Remove(f.Name())
		}
	}()
	if err = write(f); err != nil {
		return "", fmt.Errorf("write %s: %w", name, err)
	}
	if err = f.Chmod(perm); err != nil {
		return "", fmt.Errorf("write %s: %w", name, err)
	}
	if err = f.Sync(); err != nil {
		return "", fmt.Errorf("write %s: flush: %w", name, err)
	}
	if err = f.Close(); err != nil {
		return "", fmt.Errorf("write %s: %w", name, err)
	}
	complete = true
	return f.Name(), nil
}

// createPartial makes this writer's own temporary file: ".partial-<name>.<pid>.<random>". The pid
// lets any later writer tell a dead process's leftover from a live one's file.
func createPartial(dir, name string) (*os.File, error) {
	for range 100 {
		var b [8]byte
		if _, err := rand.Read(b[:]); err != nil {
			return nil, err
		}
		p := filepath.Join(dir, fmt.Sprintf("%s%s.%d.%s", partialPrefix, name, os.Getpid(), hex.EncodeToString(b[:])))
		f, err := os.OpenFile(p, os.O_RDWR|os.O_CREATE|os.O_EXCL, 0o600)
		if !errors.Is(err, fs.ErrExist) {
			return f, err
		}
	}
	return nil, fmt.Errorf("no free temporary name in %s", dir)
}

// removeStale clears the leftovers of writers to dir/name whose process has died.
func removeStale(dir, name string) {
	prefix := partialPrefix + name + "."
	entries, err := os.ReadDir(dir)
	if err != nil {
		return
	}
	now := time.Now()
	for _, e := range entries {
		rest, ok := strings.CutPrefix(e.Name(), prefix)
		if !ok || !e.Type().IsRegular() {
			continue
		}
		info, err := e.Info()
		if err != nil {
			continue
		}
		pid, ok := partialPID(rest)
		if !ok {
			// Another file's partial ("name.x.<pid>.<random>"), or an older Kiln's
			// ".partial-<name>.<random>", whose writer is unknown: only age tells.
			if !strings.Contains(rest, ".") && now.Sub(info.ModTime()) > OrphanAge {
				_ = os.Remove(filepath.Join(dir, e.Name()))
			}
			continue
		}
		if Stale(pid, info.ModTime(), now) {
			_ = os.Remove(filepath.Join(dir, e.Name()))
		}
	}
}

// partialPID reads "<pid>.<16 hex digits>", the tail of a temporary name after "<name>.".
func partialPID(rest string) (int, bool) {
	p, r, ok := strings.Cut(rest, ".")
	if !ok || len(r) != 16 || strings.Trim(r, "0123456789abcdef") != "" {
		return 0, false
	}
	pid, err := strconv.Atoi(p)
	return pid, err == nil && pid > 0
}

// Stale reports whether a leftover of process pid, last changed at mod, may be removed now: never
// this process's own (another goroutine may be writing it), never a live process's, and a dead
// one's only after StaleAge. Where liveness cannot be checked, only OrphanAge clears it.
func Stale(pid int, mod, now time.Time) bool {
	age := now.Sub(mod)
	if age > OrphanAge {
		return true
	}
	if pid == os.Getpid() || age < StaleAge {
		return false
	}
	alive, known := process.Alive(pid)
	return known && !alive
}

// publish gives the complete temporary file tmp the name path unless path exists. A hard link
// fails atomically when its name is taken; where links are impossible (FAT, some network shares)
// the name is first reserved with an exclusive create, and the file renamed over the reservation:
// a reader may then see an empty file for a moment, but no writer can take the same name.
func publish(tmp, path string) error {
	err := link(tmp, path)
	if err == nil || errors.Is(err, fs.ErrExist) {
		return err
	}
	f, rerr := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if rerr != nil {
		if errors.Is(rerr, fs.ErrExist) {
			return rerr
		}
		return err // the link's error says more than the fallback's
	}
	_ = f.Close()
	if err := os.Rename(tmp, path); err != nil {
		_ = os.Remove(path) // the empty reservation is ours
		return err
	}
	return nil
}

// link is os.Link; tests replace it to take the fallback.
var link = os.Link

// SyncDir makes a rename in dir durable where the system allows it. Windows can neither open a
// folder for syncing nor needs to, and a failure only weakens durability after a power cut, so
// it is not reported.
func SyncDir(dir string) {
	if d, err := os.Open(dir); err == nil {
		_ = d.Sync()
		_ = d.Close()
	}
}
