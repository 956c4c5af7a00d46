package viewport

import (
	"errors"
	"os"
	"path/filepath"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"

	"github.com/kiln3d/kiln/preview/inspect"
)

// replace puts content at path the way Blender's exporter does: a new file renamed over it.
func replace(t *testing.T, path, content string) {
	t.Helper()
	tmp := path + ".tmp"
	if err := os.WriteFile(tmp, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Rename(tmp, path); err != nil {
		t.Fatal(err)
	}
}

func (f *fakeRenderer) loadCount() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return len(f.loads)
}

func TestWatchReloadsKeepingTheCamera(t *testing.T) {
	f := &fakeRenderer{report: &inspect.Report{Max: [3]float64{1, 1, 1}}}
	v, w, q := setup(t, f)
	v.watchEvery = 10 * time.Millisecond
	path := filepath.Join(t.TempDir(), "chair.glb")
	replace(t, path, "first")
	var reports []*inspect.Report
	v.OnReport = func(r *inspect.Report) { reports = append(reports, r) }
	var reloads []error
	var reloaded []*inspect.Report
	v.OnReloaded = func(r *inspect.Report, err error) {
		reloads = append(reloads, err)
		reloaded = append(reloaded, r)
	}
	v.Load(path)
	v.Watch(path)
	q.waitFor(t, "the first load", func() bool { return len(reports) == 1 })
	if v.Watching() != path {
		t.Fatalf("watching %q", v.Watching())
	}
	test.Drag(w.Canvas(), fyne.NewPos(100, 100), 60, 20)
	v.SetExposure(1.5)
	camera := v.View()

	second := &inspect.Report{Triangles: 99, Max: [3]float64{2, 2, 2}}
	f.mu.Lock()
	f.report = second
	f.mu.Unlock()
	time.Sleep(20 * time.Millisecond) // a later modification time than the first file's
	replace(t, path, "second, longer")
	q.waitFor(t, "the reload", func() bool { return len(reloads) == 1 })
	if reloads[0] != nil || reloaded[0] != second {
		t.Fatalf("reload: %v, %v", reloaded[0], reloads[0])
	}
	if f.loadCount() != 2 {
		t.Errorf("%d loads after one change", f.loadCount())
	}
	if got := v.View(); got != camera {
		t.Errorf("the reload moved the view: %+v, was %+v", got, camera)
	}
	if len(reports) != 1 {
		t.Errorf("a reload was reported as a new model too")
	}

	// A refused replacement: the error is told, the model and the camera stay.
	refused := &inspect.Error{File: path, Reason: "accessor 3 reads past its buffer"}
	f.mu.Lock()
	f.loadErr, f.report = refused, nil
	f.mu.Unlock()
	time.Sleep(20 * time.Millisecond)
	replace(t, path, "third, broken")
	q.waitFor(t, "the refusal", func() bool { return len(reloads) == 2 })
	if !errors.Is(reloads[1], refused) {
		t.Errorf("reload error %v", reloads[1])
	}
	if got := v.View(); got != camera {
		t.Error("a refused reload moved the view")
	}
	// And a fixed file is tried again.
	f.mu.Lock()
	f.loadErr, f.report = nil, second
	f.mu.Unlock()
	time.Sleep(20 * time.Millisecond)
	replace(t, path, "fourth, mended")
	q.waitFor(t, "the mended reload", func() bool { return len(reloads) == 3 })
	if reloads[2] != nil {
		t.Errorf("mended file: %v", reloads[2])
	}

	// Another model stops the watch of this one.
	other := filepath.Join(t.TempDir(), "table.glb")
	replace(t, other, "table")
	v.Load(other)
	q.waitFor(t, "the other model", func() bool { return len(reports) == 2 })
	if v.Watching() != "" {
		t.Errorf("still watching %q after another Load", v.Watching())
	}
	n := f.loadCount()
	replace(t, path, "fifth, unwatched")
	time.Sleep(100 * time.Millisecond)
	q.pump()
	if f.loadCount() != n {
		t.Error("a model no longer shown was reloaded")
	}
}

// TestWatchWaitsForTheFileToSettle: a file still growing is not loaded half-written.
func TestWatchWaitsForTheFileToSettle(t *testing.T) {
	f := &fakeRenderer{report: &inspect.Report{}}
	v, _, q := setup(t, f)
	v.watchEvery = 40 * time.Millisecond
	path := filepath.Join(t.TempDir(), "big.glb")
	replace(t, path, "v1")
	v.Load(path)
	v.Watch(path)
	q.waitFor(t, "the first load", func() bool { return f.loadCount() == 1 })
	file, err := os.OpenFile(path, os.O_WRONLY|os.O_APPEND, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer file.Close()
	// Written in place, a little every 10 ms for 300 ms: faster than the polls.
	for range 30 {
		if _, err := file.WriteString("more "); err != nil {
			t.Fatal(err)
		}
		time.Sleep(10 * time.Millisecond)
	}
	if n := f.loadCount(); n != 1 {
		t.Errorf("%d loads while the file was still being written", n)
	}
	q.waitFor(t, "the reload once it settled", func() bool { return f.loadCount() == 2 })
	time.Sleep(200 * time.Millisecond)
	if n := f.loadCount(); n != 2 {
		t.Errorf("%d loads for one settled change", n)
	}
}

// TestWatchFollowsTheGLTFsFiles: a .gltf's buffer written again reloads the model; a name
// outside its folder is not looked at.
func TestWatchFollowsTheGLTFsFiles(t *testing.T) {
	dir := t.TempDir()
	f := &fakeRenderer{report: &inspect.Report{Files: []string{"mesh.bin", "../outside.bin"}}}
	v, _, q := setup(t, f)
	v.watchEvery = 10 * time.Millisecond
	path := filepath.Join(dir, "scene.gltf")
	replace(t, path, "{}")
	replace(t, filepath.Join(dir, "mesh.bin"), "0123")
	v.Load(path)
	v.Watch(path)
	q.waitFor(t, "the first load", func() bool { return f.loadCount() == 1 })
	if got := v.watchedFiles(path); len(got) != 2 || got[1] != filepath.Join(dir, "mesh.bin") {
		t.Errorf("watched %v", got)
	}
	time.Sleep(50 * time.Millisecond) // the watch has taken in the buffer's state
	replace(t, filepath.Join(dir, "mesh.bin"), "456789")
	q.waitFor(t, "the reload", func() bool { return f.loadCount() == 2 })
}

func TestCloseStopsWatching(t *testing.T) {
	f := &fakeRenderer{report: &inspect.Report{}}
	v, _, q := setup(t, f)
	v.watchEvery = 10 * time.Millisecond
	path := filepath.Join(t.TempDir(), "a.glb")
	replace(t, path, "a")
	v.Load(path)
	v.Watch(path)
	q.waitFor(t, "the load", func() bool { return f.loadCount() == 1 })
	v.mu.Lock()
	stopped := v.watch.stopped
	v.mu.Unlock()
	v.Close()
	select {
	case <-stopped:
	case <-time.After(time.Second):
		t.Fatal("the watch outlived Close")
	}
	replace(t, path, "changed")
	time.Sleep(50 * time.Millisecond)
	if f.loadCount() != 1 {
		t.Error("reloaded after Close")
	}
	v.Watch(path) // after Close: nothing starts
	if v.Watching() != "" {
		t.Error("Watch after Close started a watch")
	}
}
