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
// result is the resolved path, to be opened with OpenRegular. A backslash counts as a slash,
// as exporters on Windows write them.
func Within(dir, name string) (string, error) {
	name = strings.ReplaceAll(name, "\\", "/")
	if !fs.ValidPath(name) || name == "." {
		return "", &Error{Path: name, Reason: "is not a file inside the model's folder", kind: ErrOutside}
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

// Size writes a byte count for people: "512 bytes", "3 KiB", "12 MiB", "2 GiB".
func Size(n int64) string {
	switch {
	case n < 1<<10:
		return fmt.Sprintf("%d bytes", n)
	case n < 1<<20:
		return fmt.Sprintf("%d KiB", n>>10)
	case n < 1<<30:
		return fmt.Sprintf("%d MiB", n>>20)
	}
	return fmt.Sprintf("%d GiB", n>>30)
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
