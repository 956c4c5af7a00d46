package atomicfile

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"
)

func TestWriteReplacesWholeOrNotAtAll(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "model.glb")
	if err := WriteBytes(path, 0o644, []byte("old")); err != nil {
		t.Fatal(err)
	}
	boom := errors.New("the download stopped")
	err := Write(path, 0o644, func(w io.Writer) error {
		_, _ = w.Write([]byte("half of the new"))
		return boom
	})
	if !errors.Is(err, boom) {
		t.Fatalf("the writer's error is lost: %v", err)
	}
	if got, _ := os.ReadFile(path); string(got) != "old" {
		t.Errorf("a failed write changed the file: %q", got)
	}
	func() {
		defer func() { _ = recover() }()
		_ = Write(path, 0o644, func(io.Writer) error { panic("a bug in the writer") })
	}()
	if err := WriteBytes(path, 0o600, []byte("new")); err != nil {
		t.Fatal(err)
	}
	if got, _ := os.ReadFile(path); string(got) != "new" {
		t.Errorf("file holds %q", got)
	}
	if st, _ := os.Stat(path); st.Mode().Perm() != 0o600 {
		t.Errorf("mode %v", st.Mode().Perm())
	}
	noPartials(t, dir)
	if err := WriteBytes(filepath.Join(dir, "missing", "x"), 0o644, nil); err == nil {
		t.Error("wrote into a missing folder")
	}
}

// A writer clears a dead writer's leftover but never a live one's, nor a young one's.
func TestStalePartialsOfDeadWritersOnly(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("process liveness is not checked on Windows")
	}
	dir := t.TempDir()
	dead := exec.Command(os.Args[0], "-test.run=^$")
	if err := dead.Run(); err != nil {
		t.Fatal(err)
	}
	old := time.Now().Add(-2 * StaleAge)
	n := 0
	leftover := func(pid int, mod time.Time) string {
		n++
		p := filepath.Join(dir, fmt.Sprintf("%smodel.glb.%d.0123456789abcde%x", partialPrefix, pid, n))
		if err := os.WriteFile(p, []byte("part"), 0o644); err != nil {
			t.Fatal(err)
		}
		if err := os.Chtimes(p, mod, mod); err != nil {
			t.Fatal(err)
		}
		return p
	}
	deadOld := leftover(dead.Process.Pid, old)
	deadYoung := leftover(dead.Process.Pid, time.Now()) // perhaps another machine's writer
	live := leftover(os.Getppid(), old)
	mine := leftover(os.Getpid(), old)
	other := filepath.Join(dir, partialPrefix+"model.glb.x.1.0123456789abcdef")
	if err := os.WriteFile(other, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	if err := WriteBytes(filepath.Join(dir, "model.glb"), 0o644, []byte("new")); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(deadOld); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("a dead writer's leftover stays: %v", err)
	}
	for _, p := range []string{deadYoung, live, mine, other} {
		if _, err := os.Stat(p); err != nil {
			t.Errorf("%s was removed: %v", filepath.Base(p), err)
		}
	}
}

func TestCreateNeverReplaces(t *testing.T) {
	for _, fallback := range []bool{false, true} {
		t.Run(fmt.Sprintf("fallback=%v", fallback), func(t *testing.T) {
			if fallback {
				link = func(string, string) error { return errors.New("links are not supported here") }
				defer func() { link = os.Link }()
			}
			dir := t.TempDir()
			path := filepath.Join(dir, "pot.glb")
			if err := Create(path, 0o644, bytesWriter([]byte("first"))); err != nil {
				t.Fatal(err)
			}
			err := Create(path, 0o644, bytesWriter([]byte("second")))
			if !errors.Is(err, fs.ErrExist) {
				t.Errorf("a second Create: %v", err)
			}
			if got, _ := os.ReadFile(path); string(got) != "first" {
				t.Errorf("the file was replaced: %q", got)
			}
			for i, want := range []string{"pot-2.glb", "pot-3.glb"} {
				got, err := CreateUnique(path, 0o644, bytesWriter(fmt.Appendf(nil, "copy %d", i)))
				if err != nil || got != filepath.Join(dir, want) {
					t.Errorf("CreateUnique = %s, %v; want %s", got, err, want)
				}
			}
			noPartials(t, dir)
		})
	}
}

// helperEnv makes the test binary a writer: see TestHelperWriter.
const helperEnv = "ATOMICFILE_TEST_WRITER"

// TestHelperWriter is one of the concurrent writers of TestConcurrentWriters, run in its own
// process; as an ordinary test it does nothing.
func TestHelperWriter(t *testing.T) {
	spec := os.Getenv(helperEnv)
	if spec == "" {
		return
	}
	mode, path, _ := strings.Cut(spec, ":")
	if _, err := write(mode, path, "process"+fmt.Sprint(os.Getpid())); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
}

// content is what writer who writes: large enough, and written slowly enough, that the writers
// overlap.
func content(who string) []byte {
	return bytes.Repeat([]byte(who+";"), 64<<10/(len(who)+1))
}

func write(mode, path, who string) (string, error) {
	data := content(who)
	slow := func(w io.Writer) error {
		half := len(data) / 2
		if _, err := w.Write(data[:half]); err != nil {
			return err
		}
		time.Sleep(20 * time.Millisecond)
		_, err := w.Write(data[half:])
		return err
	}
	if mode == "unique" {
		return CreateUnique(path, 0o644, slow)
	}
	return path, Write(path, 0o644, slow)
}

// Ten goroutines and ten processes write one path at once: with Write every one succeeds and the
// file is one writer's whole content; with CreateUnique every one's file exists whole under its
// own name. No writer's temporary file is removed by another, and none is left.
func TestConcurrentWriters(t *testing.T) {
	for _, mode := range []string{"replace", "unique"} {
		t.Run(mode, func(t *testing.T) {
			dir := t.TempDir()
			path := filepath.Join(dir, "pot.glb")
			var (
				wg   sync.WaitGroup
				mu   sync.Mutex
				errs []error
			)
			fail := func(err error) {
				mu.Lock()
				errs = append(errs, err)
				mu.Unlock()
			}
			for i := range 10 {
				wg.Go(func() {
					if _, err := write(mode, path, fmt.Sprint("goroutine", i)); err != nil {
						fail(err)
					}
				})
				wg.Go(func() {
					cmd := exec.Command(os.Args[0], "-test.run=^TestHelperWriter$")
					cmd.Env = append(os.Environ(), helperEnv+"="+mode+":"+path)
					if out, err := cmd.CombinedOutput(); err != nil {
						fail(fmt.Errorf("process %d: %w: %s", i, err, out))
					}
				})
			}
			wg.Wait()
			for _, err := range errs {
				t.Error(err)
			}
			noPartials(t, dir)
			entries, _ := os.ReadDir(dir)
			if want := map[string]int{"replace": 1, "unique": 20}[mode]; len(entries) != want {
				t.Errorf("%d files, want %d", len(entries), want)
			}
			for _, e := range entries {
				data, _ := os.ReadFile(filepath.Join(dir, e.Name()))
				who, _, _ := bytes.Cut(data, []byte(";"))
				if !bytes.Equal(data, content(string(who))) {
					t.Errorf("%s is not one writer's whole content (%d bytes)", e.Name(), len(data))
				}
			}
		})
	}
}

func noPartials(t *testing.T, dir string) {
	t.Helper()
	entries, _ := os.ReadDir(dir)
	for _, e := range entries {
		if strings.HasPrefix(e.Name(), ".") {
			t.Errorf("left behind: %s", e.Name())
		}
	}
}
