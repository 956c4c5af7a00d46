package app

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/kiln3d/kiln/providers/providertest"
)

func TestExport(t *testing.T) {
	dir := t.TempDir()
	src := filepath.Join(dir, "pot.glb")
	if err := providertest.WriteTetrahedron(src); err != nil {
		t.Fatal(err)
	}
	want, _ := os.ReadFile(src)
	out := t.TempDir()

	cases := []struct{ dest, want string }{
		{out, filepath.Join(out, "pot.glb")},
		{out, filepath.Join(out, "pot-2.glb")}, // a folder's taken name is never replaced
		{filepath.Join(out, "new") + string(filepath.Separator), filepath.Join(out, "new", "pot.glb")},
		{filepath.Join(out, "renamed.glb"), filepath.Join(out, "renamed.glb")},
		{filepath.Join(out, "noext"), filepath.Join(out, "noext.glb")},
	}
	for _, c := range cases {
		got, err := Export(src, c.dest, false)
		if err != nil || got != c.want {
			t.Errorf("Export(%q) = %q, %v; want %q", c.dest, got, err, c.want)
			continue
		}
		if data, _ := os.ReadFile(got); string(data) != string(want) {
			t.Errorf("%s differs from the model", got)
		}
	}
	// An explicit file that exists is refused unless replacing is asked for; then it is replaced
	// atomically, leaving no temporary files.
	old := filepath.Join(out, "old.glb")
	os.WriteFile(old, []byte("old"), 0o644)
	_, err := Export(src, old, false)
	if !errors.Is(err, ErrExists) || !errors.Is(err, fs.ErrExist) || !strings.Contains(err.Error(), old+" already exists (use --force to replace it)") {
		t.Errorf("exporting over a file: %v", err)
	}
	if data, _ := os.ReadFile(old); string(data) != "old" {
		t.Errorf("the file was replaced without --force")
	}
	if _, err := Export(src, old, true); err != nil {
		t.Fatal(err)
	}
	if data, _ := os.ReadFile(old); string(data) != string(want) {
		t.Errorf("the file was not replaced with --force")
	}
	if got, err := Export(src, src, false); err != nil || got != src {
		t.Errorf("exporting the model onto itself: %q, %v", got, err)
	}
	entries, _ := os.ReadDir(out)
	for _, e := range entries {
		if strings.HasPrefix(e.Name(), ".") {
			t.Errorf("temporary file left: %s", e.Name())
		}
	}
	if _, err := Export(src, filepath.Join(out, "model.obj"), false); err == nil || !strings.Contains(err.Error(), "name the copy .glb") {
		t.Errorf("wrong extension: %v", err)
	}
	if _, err := Export(filepath.Join(dir, "missing.glb"), out+"/x.glb", false); err == nil {
		t.Error("exported a missing file")
	}
}

// Ten exports into one folder at once: ten whole copies under ten names.
func TestExportConcurrentlyIntoOneFolder(t *testing.T) {
	src := filepath.Join(t.TempDir(), "pot.glb")
	if err := providertest.WriteTetrahedron(src); err != nil {
		t.Fatal(err)
	}
	want, _ := os.ReadFile(src)
	out := t.TempDir()
	var (
		wg  sync.WaitGroup
		mu  sync.Mutex
		got = map[string]bool{}
	)
	for range 10 {
		wg.Go(func() {
			p, err := Export(src, out, false)
			if err != nil {
				t.Error(err)
				return
			}
			mu.Lock()
			got[filepath.Base(p)] = true
			mu.Unlock()
		})
	}
	wg.Wait()
	for i := 1; i <= 10; i++ {
		name := "pot.glb"
		if i > 1 {
			name = fmt.Sprintf("pot-%d.glb", i)
		}
		if data, _ := os.ReadFile(filepath.Join(out, name)); !got[name] || string(data) != string(want) {
			t.Errorf("%s missing or not whole", name)
		}
	}
	if entries, _ := os.ReadDir(out); len(entries) != 10 {
		t.Errorf("%d files in the folder, want 10", len(entries))
	}
}
