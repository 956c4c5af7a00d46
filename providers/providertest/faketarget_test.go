package providertest

import (
	"path/filepath"
	"testing"
)

// The in-memory target the core's tests publish to keeps the contract the real ones do.
func TestFakeTargetConforms(t *testing.T) {
	model := filepath.Join(t.TempDir(), "chair.glb")
	if err := WriteTetrahedron(model); err != nil {
		t.Fatal(err)
	}
	f := NewFakeTarget("fake")
	RunTarget(t, f, TargetSuite{Model: model, Uploads: func() int { return len(f.Uploads()) }})
}
