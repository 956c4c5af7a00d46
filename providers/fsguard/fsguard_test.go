//go:build unix

package fsguard

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/kiln3d/kiln/providers/fsguard/fsguardtest"
)

func TestRefusesFIFOPromptly(t *testing.T) {
	p := filepath.Join(t.TempDir(), "photo.png")
	fsguardtest.MkFIFO(t, p)
	err := fsguardtest.Promptly(t, 5*time.Second, func() error { _, _, err := OpenRegular(p); return err })
	if !errors.Is(err, ErrNotRegular) || err.Error() != "photo.png: is a named pipe (FIFO), not a file" {
		t.Errorf("OpenRegular(fifo) = %v", err)
	}
	err = fsguardtest.Promptly(t, 5*time.Second, func() error { _, err := ReadFile(p, 1<<20); return err })
	if !errors.Is(err, ErrNotRegular) {
		t.Errorf("ReadFile(fifo) = %v", err)
	}
}

// A FIFO that replaces the file between Stat and open is still opened without blocking, and
// refused by the check of the opened file.
func TestOpenNoBlockOnFIFO(t *testing.T) {
	p := filepath.Join(t.TempDir(), "swap")
	fsguardtest.MkFIFO(t, p)
	err := fsguardtest.Promptly(t, 5*time.Second, func() error {
		f, err := openNoBlock(p)
		if err != nil {
			return err
		}
		defer f.Close()
		st, err := f.Stat()
		if err == nil && st.Mode().IsRegular() {
			t.Error("a FIFO reported as regular")
		}
		return err
	})
	if err != nil {
		t.Error(err)
	}
}

func TestRefusesDevicesAndFolders(t *testing.T) {
	dir := t.TempDir()
	for path, want := range map[string]string{
		"/dev/null": "null: is a character device, not a file",
		dir:         filepath.Base(dir) + ": is a folder, not a file",
	} {
		_, _, err := OpenRegular(path)
		if !errors.Is(err, ErrNotRegular) || err.Error() != want {
			t.Errorf("OpenRegular(%s) = %v, want %q", path, err, want)
		}
	}
	if _, err := ReadFile(filepath.Join(dir, "missing"), 10); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("missing file: %v", err)
	}
}

func TestReadsRegularFilesAndSymlinks(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "a.bin")
	if err := os.WriteFile(p, []byte("hello"), 0o644); err != nil {
		t.Fatal(err)
	}
	link := filepath.Join(dir, "link.bin")
	if err := os.Symlink(p, link); err != nil {
		t.Fatal(err)
	}
	for _, path := range []string{p, link} {
		f, st, err := OpenRegular(path)
		if err != nil || st.Size() != 5 {
			t.Fatalf("OpenRegular(%s) = %v, %v", path, st, err)
		}
		f.Close()
		if data, err := ReadFile(path, 5); err != nil || string(data) != "hello" {
			t.Errorf("ReadFile(%s) = %q, %v", path, data, err)
		}
	}
	if _, err := ReadFile(p, 4); !errors.Is(err, ErrTooLarge) || !strings.Contains(err.Error(), "is 5 bytes, more than the 4 bytes Kiln reads") {
		t.Errorf("over max: %v", err)
	}
}

func TestWithin(t *testing.T) {
	outside := t.TempDir()
	secret := filepath.Join(outside, "secret.bin")
	if err := os.WriteFile(secret, []byte("x"), 0o644); err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	must(os.MkdirAll(filepath.Join(dir, "tex"), 0o755))
	must(os.WriteFile(filepath.Join(dir, "tex", "a.png"), []byte("x"), 0o644))
	must(os.Symlink(secret, filepath.Join(dir, "leak.bin")))
	must(os.Symlink(outside, filepath.Join(dir, "away")))
	must(os.Symlink("tex/a.png", filepath.Join(dir, "alias.png")))
	for name, ok := range map[string]bool{
		"tex/a.png":       true,
		`tex\a.png`:       true,
		"alias.png":       true, // a link that stays inside is fine
		"../secret.bin":   false,
		"/etc/passwd":     false,
		"tex/../../x":     false,
		"leak.bin":        false,
		"away/secret.bin": false,
		".":               false,
		"":                false,
	} {
		got, err := Within(dir, name)
		switch {
		case ok && (err != nil || filepath.Base(got) != "a.png"):
			t.Errorf("Within(%q) = %q, %v", name, got, err)
		case !ok && !errors.Is(err, ErrOutside):
			t.Errorf("Within(%q) = %q, %v, want ErrOutside", name, got, err)
		}
	}
	if _, err := Within(dir, "missing.bin"); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("missing: %v", err)
	}
}

func TestOpenWithin(t *testing.T) {
	dir := t.TempDir()
	outside := filepath.Join(t.TempDir(), "secret.png")
	write(t, outside, "secret")
	write(t, filepath.Join(dir, "tex", "a.png"), "inside")
	must(t, os.Symlink("tex/a.png", filepath.Join(dir, "near.png")))
	must(t, os.Symlink(outside, filepath.Join(dir, "far.png")))
	fsguardtest.MkFIFO(t, filepath.Join(dir, "pipe.png"))

	for _, name := range []string{"tex/a.png", `tex\a.png`, "near.png"} {
		data, err := ReadFileWithin(dir, name, 100)
		if err != nil || string(data) != "inside" {
			t.Errorf("ReadFileWithin(%q) = %q, %v", name, data, err)
		}
	}
	for name, want := range map[string]error{
		"far.png": ErrOutside, "../secret.png": ErrOutside, outside: ErrOutside,
		"pipe.png": ErrNotRegular, "tex": ErrNotRegular, "none.png": os.ErrNotExist,
	} {
		err := fsguardtest.Promptly(t, 5*time.Second, func() error { _, err := ReadFileWithin(dir, name, 100); return err })
		if !errors.Is(err, want) {
			t.Errorf("ReadFileWithin(%q): %v, want %v", name, err, want)
		}
	}
	if _, err := ReadFileWithin(dir, "tex/a.png", 3); !errors.Is(err, ErrTooLarge) {
		t.Errorf("over the limit: %v", err)
	}
}

// A folder swapped for a link after the check, leading outside or to a FIFO, is refused by the
// open itself: the race that opening Within's resolved path could lose.
func TestOpenWithinRace(t *testing.T) {
	dir, away := t.TempDir(), t.TempDir()
	write(t, filepath.Join(away, "a.png"), "secret")
	fsguardtest.MkFIFO(t, filepath.Join(away, "fifo"))
	must(t, os.Symlink("fifo", filepath.Join(away, "b.png")))
	tex := filepath.Join(dir, "tex")
	t.Cleanup(func() { checked = nil })

	for _, c := range []struct {
		target, name string
		want         error
	}{{away, "a.png", ErrOutside}, {away, "b.png", ErrOutside}} {
		write(t, filepath.Join(tex, c.name), "inside")
		checked = func() {
			must(t, os.RemoveAll(tex))
			must(t, os.Symlink(c.target, tex))
		}
		var data []byte
		err := fsguardtest.Promptly(t, 5*time.Second, func() (err error) {
			data, err = ReadFileWithin(dir, "tex/"+c.name, 100)
			return err
		})
		if !errors.Is(err, c.want) || data != nil {
			t.Errorf("tex/ swapped for a link to %s: %q, %v, want %v", c.target, data, err, c.want)
		}
		checked = nil
		must(t, os.Remove(tex))
	}
}

func write(t *testing.T, path, s string) {
	t.Helper()
	must(t, os.MkdirAll(filepath.Dir(path), 0o755))
	must(t, os.WriteFile(path, []byte(s), 0o644))
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}
