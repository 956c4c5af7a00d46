package modeltest

import (
	"math"
	"path/filepath"
	"strings"
	"testing"
)

// truthVolume is each truth's volume worked out from its formula, not its mesh.
func truthVolume(t *testing.T, name string) float64 {
	switch name {
	case "cylinder":
		return math.Pi * 0.3 * 0.3
	case "sphere":
		return 4.0 / 3 * math.Pi * 0.125
	case "cone":
		return math.Pi * 0.4 * 0.4 / 3
	case "torus":
		return 2 * math.Pi * math.Pi * 0.36 * 0.14 * 0.14
	case "vase":
		// Simpson's rule over the radius the vase is turned from.
		const n = 10000
		sum := 0.0
		for i := 0; i <= n; i++ {
			w := 2.0
			switch {
			case i == 0 || i == n:
				w = 1
			case i%2 == 1:
				w = 4
			}
			r := vaseRadius(float64(i) / n)
			sum += w * math.Pi * r * r
		}
		return sum / (3 * n)
	}
	t.Fatalf("no volume for %s", name)
	return 0
}

// signedVolume is the volume the triangles enclose, positive when they face outward.
func signedVolume(m *Model) float64 {
	v := 0.0
	for _, t := range m.Triangles {
		a, b, c := m.Positions[t[0]], m.Positions[t[1]], m.Positions[t[2]]
		v += a[0]*(b[1]*c[2]-b[2]*c[1]) - a[1]*(b[0]*c[2]-b[2]*c[0]) + a[2]*(b[0]*c[1]-b[1]*c[0])
	}
	return v / 6
}

func TestTruthShapes(t *testing.T) {
	for _, name := range TruthNames() {
		t.Run(name, func(t *testing.T) {
			m, err := Truth(name)
			if err != nil {
				t.Fatal(err)
			}
			if len(m.Triangles) < 50000 {
				t.Errorf("%d triangles, want at least 50000", len(m.Triangles))
			}
			top := m.Topology()
			if !top.Watertight || top.Degenerate > 0 {
				t.Errorf("not a closed surface: %+v", top)
			}
			if n := m.ZeroArea(1e-12); n > 0 {
				t.Errorf("%d triangles of no area", n)
			}
			lo, hi := m.Bounds()
			if math.Abs(lo[1]) > 1e-9 || math.Abs(hi[1]-1) > 1e-9 {
				t.Errorf("height from %g to %g, want 0 to 1", lo[1], hi[1])
			}
			for _, a := range []int{0, 2} {
				if math.Abs(lo[a]+hi[a]) > 1e-9 {
					t.Errorf("axis %d from %g to %g: not centred", a, lo[a], hi[a])
				}
			}
			want := truthVolume(t, name)
			if v := signedVolume(m); math.Abs(v-want) > 0.002*want {
				t.Errorf("encloses %.5f, want %.5f (negative: the triangles face inward)", v, want)
			}
			// Every vertex's normal leans the way its triangle faces: the normals are the
			// surface's, and outward.
			if len(m.Normals) != len(m.Positions) {
				t.Fatalf("%d normals for %d vertices", len(m.Normals), len(m.Positions))
			}
			bad := 0
			for _, tr := range m.Triangles {
				a, b, c := m.Positions[tr[0]], m.Positions[tr[1]], m.Positions[tr[2]]
				u, v := sub3(b, a), sub3(c, a)
				f := [3]float64{u[1]*v[2] - u[2]*v[1], u[2]*v[0] - u[0]*v[2], u[0]*v[1] - u[1]*v[0]}
				l := math.Sqrt(f[0]*f[0] + f[1]*f[1] + f[2]*f[2])
				for _, i := range tr {
					n := m.Normals[i]
					if (f[0]*float64(n[0])+f[1]*float64(n[1])+f[2]*float64(n[2]))/l < 0.9 {
						bad++
					}
				}
			}
			if bad > 0 {
				t.Errorf("%d vertex normals turn away from their triangles", bad)
			}
		})
	}
}

// TestTruthSilhouettes checks the truths that Solid can also draw against Solid's exact
// silhouettes, from every view the fidelity cases use: the same shapes, the same way up.
func TestTruthSilhouettes(t *testing.T) {
	solids := map[string]Solid{
		"cylinder": {Cylinder{Centre: [3]float64{0, 0.5, 0}, Axis: 1, Radius: 0.3, Length: 1}},
		"torus":    {Torus{Centre: [3]float64{0, 0.5, 0}, Axis: 2, Major: 0.36, Minor: 0.14}},
	}
	for name, solid := range solids {
		m, err := Truth(name)
		if err != nil {
			t.Fatal(err)
		}
		for _, view := range []string{"front", "left", "top"} {
			want := ObjectMask(solid.Render(view, 256, 256, ViewColour(view)))
			iou, err := m.ViewIoU(want, view)
			if err != nil {
				t.Fatal(err)
			}
			if iou < 0.98 {
				t.Errorf("%s from the %s: IoU %.4f with the exact silhouette, want ≥ 0.98", name, view, iou)
			}
		}
	}
	// Drawn from the mesh, the truths look as Solid draws them.
	for name, solid := range solids {
		m, _ := Truth(name)
		for _, view := range []string{"front", "left", "top"} {
			img, err := m.Render(view, 200, 160, ViewColour(view))
			if err != nil {
				t.Fatal(err)
			}
			want := ObjectMask(solid.Render(view, 200, 160, ViewColour(view)))
			if iou := IoU(ObjectMask(img), want); iou < 0.98 {
				t.Errorf("%s drawn from the %s: IoU %.4f with Solid's drawing, want ≥ 0.98", name, view, iou)
			}
		}
	}
	if _, err := (&Model{}).Render("front", 10, 10, ViewColour("front")); err == nil {
		t.Error("an empty model was drawn")
	}
	bad := &Model{Positions: [][3]float64{{0, 0, 0}, {1, 0, 0}}, Triangles: [][3]int{{0, 1, 2}}}
	if _, err := bad.Render("front", 10, 10, ViewColour("front")); err == nil {
		t.Error("a model indexing past its vertices was drawn")
	}
	// The torus faces the front: its hole shows there, and not from the side.
	m, _ := Truth("torus")
	front := ObjectMask(solids["torus"].Render("front", 256, 256, ViewColour("front")))
	if s, _ := m.ViewSilhouette(front, "front"); s.In[128*256+128] {
		t.Error("the torus's front view does not show its hole")
	}
}

func TestTruthUnknown(t *testing.T) {
	if _, err := Truth("teapot"); err == nil || !strings.Contains(err.Error(), "teapot") {
		t.Errorf("Truth(teapot) = %v, want an error naming it", err)
	}
}

func TestWriteGLB(t *testing.T) {
	dir := t.TempDir()
	var files []string
	// The shapes with the most kinds of vertex: rims (cylinder), a tip (cone), none (torus).
	for _, name := range []string{"cylinder", "cone", "torus"} {
		m, err := Truth(name)
		if err != nil {
			t.Fatal(err)
		}
		path := filepath.Join(dir, name+".glb")
		if err := m.WriteGLB(path); err != nil {
			t.Fatal(err)
		}
		back, err := Load(path)
		if err != nil {
			t.Fatal(err)
		}
		if len(back.Triangles) != len(m.Triangles) || len(back.Normals) != len(m.Positions) {
			t.Errorf("%s: read back %d triangles and %d normals, wrote %d and %d",
				name, len(back.Triangles), len(back.Normals), len(m.Triangles), len(m.Positions))
			continue
		}
		for i, p := range back.Positions {
			q := m.Positions[i]
			if math.Abs(p[0]-q[0])+math.Abs(p[1]-q[1])+math.Abs(p[2]-q[2]) > 1e-6 {
				t.Fatalf("%s: vertex %d read back at %v, written at %v", name, i, p, q)
			}
		}
		if top := back.Topology(); !top.Watertight {
			t.Errorf("%s: read back open: %+v", name, top)
		}
		files = append(files, path)
	}
	if err := (&Model{}).WriteGLB(filepath.Join(dir, "empty.glb")); err == nil {
		t.Error("an empty model was written")
	}
	bad := &Model{Positions: [][3]float64{{0, 0, 0}}, Triangles: [][3]int{{0, 0, 5}}}
	if err := bad.WriteGLB(filepath.Join(dir, "bad.glb")); err == nil {
		t.Error("a model indexing past its vertices was written")
	}
	Validate(t, files...)
}
