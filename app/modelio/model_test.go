package modelio_test

import (
	"context"
	"math"
	"testing"

	"github.com/kiln3d/kiln/app/modelio"
	"github.com/kiln3d/kiln/app/modelio/modeliotest"
)

// TestLoad packs the local provider's model and real corpus models (a .gltf with external files,
// a model whose meshes are drawn several times) self-contained, and measures them as the
// inspection does, the bounds from the vertices themselves.
func TestLoad(t *testing.T) {
	t.Run("local", func(t *testing.T) { checkLoad(t, modeliotest.LocalModel(t)) })
	for _, name := range []string{"khronos_BoxTextured.glb", "khronos_2CylinderEngine.glb", "khronos_BoxTextured_external/BoxTextured.gltf", "cge_knight/knight.gltf"} {
		t.Run(name, func(t *testing.T) { checkLoad(t, modeliotest.Corpus(t, name)) })
	}
}

func checkLoad(t *testing.T, path string) {
	m, err := modelio.Load(context.Background(), path)
	if err != nil {
		t.Fatal(err)
	}
	if len(m.Doc.Buffers) != 1 {
		t.Errorf("%d buffers", len(m.Doc.Buffers))
	}
	for i, img := range m.Doc.Images {
		if img.BufferView == nil || img.URI != "" {
			t.Errorf("image %d is not embedded", i)
		}
	}
	unique, drawn := m.Triangles()
	if unique != m.Report.Triangles || drawn != m.Report.DrawnTriangles {
		t.Errorf("triangles %d unique, %d drawn; the inspection says %d, %d", unique, drawn, m.Report.Triangles, m.Report.DrawnTriangles)
	}
	lo, hi, ok, err := m.Bounds()
	if err != nil || !ok {
		t.Fatalf("bounds: %v %v", ok, err)
	}
	for k := range 3 {
		// The inspection bounds the accessors' declared boxes, which hold the vertices.
		if lo[k] < m.Report.Min[k]-1e-4 || hi[k] > m.Report.Max[k]+1e-4 || hi[k] < lo[k] {
			t.Errorf("axis %d: [%g, %g] outside the declared [%g, %g]", k, lo[k], hi[k], m.Report.Min[k], m.Report.Max[k])
		}
	}
}

func TestApplyNormal(t *testing.T) {
	// A mirror in x flips the normal's x.
	mirror := [16]float64{-1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1}
	if n := modelio.ApplyNormal(mirror, [3]float32{1, 0, 0}); math.Abs(n[0]+1) > 1e-9 {
		t.Errorf("mirrored normal %v", n)
	}
	// A quarter turn about z carries +x to +y, normals with it.
	turn := [16]float64{0, 1, 0, 0, -1, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1}
	if p := modelio.Apply(turn, [3]float32{1, 0, 0}); math.Abs(p[1]-1) > 1e-9 {
		t.Fatalf("turned point %v", p)
	}
	if n := modelio.ApplyNormal(turn, [3]float32{1, 0, 0}); math.Abs(n[1]-1) > 1e-9 {
		t.Errorf("turned normal %v, want (0, 1, 0)", n)
	}
	// Stretching x by 2 turns the plane x = y into x = 2y: its normal (1, 1) becomes (1, 2)/√5
	// up to sign, here (0.5, 1) normalised.
	squash := [16]float64{2, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1}
	n := modelio.ApplyNormal(squash, [3]float32{float32(math.Sqrt2 / 2), float32(math.Sqrt2 / 2), 0})
	want := [3]float64{0.5 / math.Sqrt(1.25), 1 / math.Sqrt(1.25), 0}
	for k := range 3 {
		if math.Abs(n[k]-want[k]) > 1e-6 {
			t.Fatalf("stretched normal %v, want %v", n, want)
		}
	}
}
