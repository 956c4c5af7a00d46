package app

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
)

// Export copies the model at src to dest and returns the path written. dest is a file path, or a
// folder (an existing one, or any path ending in a separator), into which the model goes under its
// own name. The copy is atomic: dest holds the old file or the whole new one, never a part.
func Export(src, dest string) (string, error) {
	if dest == "" {
		return "", fmt.Errorf("export: no destination")
	}
	ext := strings.ToLower(filepath.Ext(src))
	if st, err := os.Stat(dest); (err == nil && st.IsDir()) || os.IsPathSeparator(dest[len(dest)-1]) {
		if err := os.MkdirAll(dest, 0o755); err != nil {
			return "", fmt.Errorf("export: %w", err)
		}
		dest = filepath.Join(dest, filepath.Base(src))
	}
	switch got := strings.ToLower(filepath.Ext(dest)); got {
	case ext:
	case "":
		dest += ext
	default:
		return "", fmt.Errorf("export: the model is a %s file; name the copy %s, not %s",
			strings.TrimPrefix(ext, "."), ext, got)
	}
	if same, _ := sameFile(src, dest); same {
		return dest, nil
	}
	if err := CopyFileAtomic(src, dest); err != nil {
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
