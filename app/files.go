package app

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/kiln3d/kiln/providers/atomicfile"
	"github.com/kiln3d/kiln/providers/fsguard"
)

// WriteFileAtomic writes what write produces to path so that path holds either its old content or
// the complete new one, never a partial file (see providers/atomicfile).
func WriteFileAtomic(path string, perm os.FileMode, write func(io.Writer) error) error {
	return atomicfile.Write(path, perm, write)
}

// CopyFileAtomic copies src to dst atomically (see WriteFileAtomic).
func CopyFileAtomic(src, dst string) error {
	in, err := os.Open(src)
	if err != nil {
		return err
	}
	defer in.Close()
	return WriteFileAtomic(dst, 0o644, func(w io.Writer) error {
		_, err := io.Copy(w, in)
		return err
	})
}

func syncDir(dir string) { atomicfile.SyncDir(dir) }

// hashFile returns the SHA-256 of the file at path, in hex, and its size.
func hashFile(path string) (string, int64, error) {
	f, err := os.Open(path)
	if err != nil {
		return "", 0, err
	}
	defer f.Close()
	h := sha256.New()
	n, err := io.Copy(h, f)
	if err != nil {
		return "", 0, err
	}
	return hex.EncodeToString(h.Sum(nil)), n, nil
}

// baseName is a file's name without its folder and extension.
func baseName(path string) string {
	b := filepath.Base(path)
	return strings.TrimSuffix(b, filepath.Ext(b))
}

// uniqueName returns name, or name with " (2)", " (3)"... before its extension, whichever taken
// does not report as used.
func uniqueName(name string, taken func(string) bool) string {
	if !taken(name) {
		return name
	}
	ext := filepath.Ext(name)
	stem := strings.TrimSuffix(name, ext)
	for i := 2; ; i++ {
		n := fmt.Sprintf("%s (%d)%s", stem, i, ext)
		if !taken(n) {
			return n
		}
	}
}

// ByteSize writes a byte count for people: "512 bytes", "64 MiB", "1.5 GiB" (the one writer every
// message uses, fsguard.Size), for the window.
func ByteSize(n int64) string { return fsguard.Size(n) }

// Thousands writes n with thousands separators, as artists read budgets: 50,000.
func Thousands(n int) string {
	s := strconv.Itoa(n)
	digits := strings.TrimPrefix(s, "-")
	var b strings.Builder
	if len(digits) < len(s) {
		b.WriteByte('-')
	}
	for i := range len(digits) {
		if i > 0 && (len(digits)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteByte(digits[i])
	}
	return b.String()
}
