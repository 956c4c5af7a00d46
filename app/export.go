package app

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"github.com/kiln3d/kiln/providers/atomicfile"
)

// ErrExists is returned by Export when the file asked for exists and replacing it was not asked
// for. errors.Is also matches it with fs.ErrExist.
var ErrExists error = existsError{}

type existsError struct{}

func (existsError) Error() string        { return "already exists (use --force to replace it)" }
func (existsError) Is(target error) bool { return target == fs.ErrExist }

// Export copies the model at src to dest and returns the path written. dest is a file path, or a
// folder (an existing one, or any path ending in a separator), into which the model goes under its
// own name. The copy is atomic: dest holds the old file or the whole new one, never a part.
//
// A file is never replaced silently: into a folder the copy takes the first free of "name.glb",
// "name-2.glb"…; a file path that exists is replaced only when replace is set (the artist said
// --force, or confirmed in the save dialog), and is otherwise refused with ErrExists. Many
// exports may run at once, from any number of processes.
func Export(src, dest string, replace bool) (string, error) {
	if dest == "" {
		return "", fmt.Errorf("export: no destination")
	}
	ext := strings.ToLower(filepath.Ext(src))
	intoFolder := false
	if st, err := os.Stat(dest); (err == nil && st.IsDir()) || os.IsPathSeparator(dest[len(dest)-1]) {
		if err := os.MkdirAll(dest, 0o755); err != nil {
			return "", fmt.Errorf("export: %w", err)
		}
		dest, intoFolder = filepath.Join(dest, filepath.Base(src)), true
	}
	switch got := strings.ToLower(filepath.Ext(dest)); got {
	case ext:
	case "":
		dest += ext
	default:
		return "", fmt.Errorf("export: the model is a %s file; name the copy %s, not %s",
			strings.TrimPrefix(ext, "."), ext, got)
	}
	if same, _ := sameFile(src, dest); same && !intoFolder {
		return dest, nil // the model is already there: nothing would change
	}
	in, err := os.Open(src)
	if err != nil {
		return "", fmt.Errorf("export: %w", err)
	}
	defer in.Close()
	copyIn := func(w io.Writer) error {
		_, err := io.Copy(w, in)
		return err
	}
	switch {
	case intoFolder:
		dest, err = atomicfile.CreateUnique(dest, 0o644, copyIn)
	case replace:
		err = atomicfile.Write(dest, 0o644, copyIn)
	default:
		err = atomicfile.Create(dest, 0o644, copyIn)
		if errors.Is(err, fs.ErrExist) {
			return "", fmt.Errorf("export: %s %w", dest, ErrExists)
		}
	}
	if err != nil {
		return "", fmt.Errorf("export: %w", err)
	}
	return dest, nil
}

func sameFile(a, b string) (bool, error) {
	sa, err := os.Stat(a)
	if err != nil {
		return false, err
	}
	sb, err := os.Stat(b)
	if err != nil {
		return false, err
	}
	return os.SameFile(sa, sb), nil
}
