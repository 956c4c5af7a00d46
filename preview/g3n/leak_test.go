package g3n

import (
	"context"
	"runtime/debug"
	"testing"

	"github.com/kiln3d/kiln/preview"
	"github.com/kiln3d/kiln/providers/modeltest"
)

// TestModelSwitchesReleaseGPU switches between a textured model and a 50k-triangle one 50
// times, drawing each: the GL objects alive must come back to the same count after every
// switch (g3n's own counters of VAOs, buffers and textures), and the process must not grow.
func TestModelSwitchesReleaseGPU(t *testing.T) {
	r := newRenderer(t, 0)
	models := []string{texturedCube(t), sphereModel(t, 50000, "sphere.glb")}
	ctx := context.Background()
	v := preview.DefaultView()
	v.Mode = preview.Wireframe // the wireframe program too, and the grid
	step := func(path string) Stats {
		t.Helper()
		load(t, r, path)
		frame(t, r, 128, v)
		s, err := r.Stats(ctx)
		if err != nil {
			t.Fatal(err)
		}
		return s
	}
	// Warm up: both models drawn once, so every program and lazy buffer exists.
	want := [2]Stats{step(models[0]), step(models[1])}
	rssStart := settledRSS(t)
	for i := range 50 {
		k := i % 2
		got := step(models[k])
		if got != want[k] {
			t.Fatalf("switch %d: %+v alive, want %+v as after the first load", i, got, want[k])
		}
	}
	growth := settledRSS(t) - rssStart
	t.Logf("resident memory grew by %d KiB over 50 switches; GPU objects stable at %+v / %+v", growth, want[0], want[1])
	if growth > 24<<10 {
		t.Errorf("resident memory grew by %d MiB over 50 switches", growth>>10)
	}
	if want[0].Textures == 0 || want[1].Buffers == 0 {
		t.Errorf("the counters count nothing: %+v %+v", want[0], want[1])
	}
}

// settledRSS returns the process's resident memory in KiB after a garbage collection.
func settledRSS(t *testing.T) int {
	t.Helper()
	debug.FreeOSMemory()
	return modeltest.StatusKiB(t, "VmRSS")
}
