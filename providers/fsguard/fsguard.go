// Package fsguard is the one place Kiln opens a file it reads as input: a reference image, a
// model, a model's buffers and textures. It opens regular files only. A named pipe (FIFO) would
// otherwise block the open itself until some writer appears, deaf to Ctrl-C and to a context; a
// device or a socket would stream without end. Every such file is refused before it can block.
package fsguard

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
)

// ErrNotRegular marks a path that is not a regular file (a FIFO, socket, device or folder).
var ErrNotRegular = errors.New("not a regular file")

// ErrTooLarge marks a file larger than its reader accepts.
var ErrTooLarge = errors.New("file too large")

// ErrOutside marks a relative name that leads out of the folder it must stay in.
var ErrOutside = errors.New("outside the folder")

// Error is a refusal of one path. Reason is a phrase a person can act on ("is a named pipe
// (FIFO), not a file"), written to follow the file's name; callers put it in their own errors.
type Error struct {
	Path   string
	Reason string
	// Mode is what the path turned out to be, for a refusal with ErrNotRegular.
	Mode fs.FileMode
	kind error
}

func (e *Error) Error() string { return filepath.Base(e.Path) + ": " + e.Reason }

// Unwrap makes errors.Is(err, ErrNotRegular), ErrTooLarge or ErrOutside work.
func (e *Error) Unwrap() error { return e.kind }

// OpenRegular opens path for reading, following symbolic links, if it is a regular file. It
// checks the path (Stat) before opening it, then checks the opened file itself (on unix it is
// opened without blocking, so a FIFO swapped in between cannot hang the open) and refuses it if
// it is not regular or not the file first seen. The FileInfo is the opened file's.
func OpenRegular(path string) (*os.File, os.FileInfo, error) {
	st, err := os.Stat(path)
	if err != nil {
		return nil, nil, err
	}
	if !st.Mode().IsRegular() {
		return nil, nil, notRegular(path, st.Mode())
	}
	f, err := openNoBlock(path)
	if err != nil {
		return nil, nil, err
	}
	fst, err := f.Stat()
	if err == nil && !fst.Mode().IsRegular() {
		err = notRegular(path, fst.Mode())
	} else if err == nil && !os.SameFile(st, fst) {
		err = &Error{Path: path, Reason: "changed while Kiln opened it", kind: ErrNotRegular}
	}
	if err == nil {
		err = restoreBlocking(f)
	}
	if err != nil {
		_ = f.Close()
		return nil, nil, err
	}
	return f, fst, nil
}

// ReadFile reads the regular file at path whole, refusing one over max bytes before reading it.
func ReadFile(path string, max int64) ([]byte, error) {
	f, st, err := OpenRegular(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return readAll(f, st, path, max)
}

// ReadFileWithin reads the regular file name inside dir whole, as OpenWithin opens it, refusing
// one over max bytes before reading it.
func ReadFileWithin(dir, name string, max int64) ([]byte, error) {
	f, st, err := OpenWithin(dir, name)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return readAll(f, st, name, max)
}

// readAll reads the opened file f, whose FileInfo is st, refusing one over max bytes.
func readAll(f *os.File, st os.FileInfo, path string, max int64) ([]byte, error) {
	if st.Size() > max {
		return nil, &Error{Path: path, Reason: fmt.Sprintf("is %s, more than the %s Kiln reads", Size(st.Size()), Size(max)), kind: ErrTooLarge}
	}
	// The size is the opened file's; one that grows meanwhile is read up to it (and one byte
	// more, so that growth past max is still refused rather than silently truncated).
	data, err := io.ReadAll(io.LimitReader(f, st.Size()+1))
	if err != nil {
		return nil, err
	}
	if int64(len(data)) > max {
		return nil, &Error{Path: path, Reason: fmt.Sprintf("grew past the %s Kiln reads while it was read", Size(max)), kind: ErrTooLarge}
	}
	return data, nil
}

// Within resolves name, a slash-separated relative path such as a glTF URI (already
// unescaped), inside the folder dir. It refuses absolute paths, ".." and any symbolic link,
// in dir or below it, whose target leaves dir: a model must not make Kiln read /etc/passwd. The
// result is the resolved path, for messages and checks; to read the file, use OpenWithin,
// which cannot be led out of dir by a link swapped in after this check. A backslash counts as
// a slash, as exporters on Windows write them.
func Within(dir, name string) (string, error) {
	name, err := localName(name)
	if err != nil {
		return "", err
	}
	root, err := filepath.EvalSymlinks(dir)
	if err != nil {
		return "", err
	}
	if root, err = filepath.Abs(root); err != nil {
		return "", err
	}
	full, err := filepath.EvalSymlinks(filepath.Join(root, filepath.FromSlash(name)))
	if err != nil {
		return "", err
	}
	if full, err = filepath.Abs(full); err != nil {
		return "", err
	}
	rel, err := filepath.Rel(root, full)
	if err != nil || !filepath.IsLocal(rel) {
		return "", &Error{Path: name, Reason: "is a link to a file outside the model's folder", kind: ErrOutside}
	}
	return full, nil
}

// localName is name with backslashes as slashes, if it is a path inside a folder.
func localName(name string) (string, error) {
	name = strings.ReplaceAll(name, "\\", "/")
	if !fs.ValidPath(name) || name == "." {
		return "", &Error{Path: name, Reason: "is not a file inside the model's folder", kind: ErrOutside}
	}
	return name, nil
}

// checked, when a test sets it, runs between OpenWithin's check and its open: the moment a
// racing link swap would aim for.
var checked func()

// OpenWithin opens name inside dir for reading, if it is a regular file there, with Within's
// rules and errors. The open itself goes through an os.Root on dir, which resolves every link
// beneath dir and refuses one that leaves it at the moment of opening: a link swapped in after
// Within's check (a race a hostile folder can win) cannot make Kiln read a file outside dir.
// Like OpenRegular, it never blocks on a FIFO. The FileInfo is the opened file's.
func OpenWithin(dir, name string) (*os.File, os.FileInfo, error) {
	full, err := Within(dir, name)
	if err != nil {
		return nil, nil, err
	}
	name, _ = localName(name)
	st, err := os.Stat(full)
	if err != nil {
		return nil, nil, err
	}
	if !st.Mode().IsRegular() {
		return nil, nil, notRegular(full, st.Mode())
	}
	if checked != nil {
		checked()
	}
	root, err := os.OpenRoot(dir)
	if err != nil {
		return nil, nil, err
	}
	defer func() { _ = root.Close() }()
	f, err := root.OpenFile(filepath.FromSlash(name), noBlockFlags, 0)
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) || errors.Is(err, fs.ErrPermission) {
			return nil, nil, err
		}
		// Within passed it, so a link changed since: os.Root refuses one that now leads out.
		var pe *fs.PathError
		if errors.As(err, &pe) {
			err = pe.Err
		}
		return nil, nil, &Error{Path: name, Reason: fmt.Sprintf("cannot be opened inside the model's folder (%v)", err), kind: ErrOutside}
	}
	fst, err := f.Stat()
	switch {
	case err != nil:
	case !fst.Mode().IsRegular():
		err = notRegular(full, fst.Mode())
	case !os.SameFile(st, fst):
		err = &Error{Path: full, Reason: "changed while Kiln opened it", kind: ErrNotRegular}
	default:
		err = restoreBlocking(f)
	}
	if err != nil {
		_ = f.Close()
		return nil, nil, err
	}
	return f, fst, nil
}

// Size writes a byte count for people: "512 bytes", "64 MiB", "1.5 GiB", "931.3 GiB".
func Size(n int64) string {
	for _, u := range []struct {
		unit  string
		bytes int64
	}{{"TiB", 1 << 40}, {"GiB", 1 << 30}, {"MiB", 1 << 20}, {"KiB", 1 << 10}} {
		switch {
		case n >= u.bytes && n%u.bytes == 0:
			return fmt.Sprintf("%d %s", n/u.bytes, u.unit)
		case n >= u.bytes:
			return fmt.Sprintf("%.1f %s", float64(n)/float64(u.bytes), u.unit)
		}
	}
	return fmt.Sprintf("%d bytes", n)
}

// notRegular names what the file is instead of a regular file.
func notRegular(path string, m fs.FileMode) error {
	what := "not a regular file"
	switch {
	case m.IsDir():
		what = "a folder, not a file"
	case m&fs.ModeNamedPipe != 0:
		what = "a named pipe (FIFO), not a file"
	case m&fs.ModeSocket != 0:
		what = "a socket, not a file"
	case m&fs.ModeCharDevice != 0:
		what = "a character device, not a file"
	case m&fs.ModeDevice != 0:
		what = "a block device, not a file"
	}
	return &Error{Path: path, Reason: "is " + what, Mode: m, kind: ErrNotRegular}
}
