package local

import (
	"bytes"
	"context"
	"math"
	"os"
	"path/filepath"
	"testing"

	"github.com/qmuntal/gltf"

	"github.com/kiln3d/kiln/providers"
	"github.com/kiln3d/kiln/providers/modeltest"
)

// TestMugHandleHole: the hole through the mug's handle, seen from the front only, goes through
// the carved model: its surface has genus 1 and the hole's middle is empty from the front.
func TestMugHandleHole(t *testing.T) {
	dir := t.TempDir()
	images := drawViews(t, dir, "mug", mug(), map[string][2]int{"front": {300, 300}, "left": {300, 300}, "top": {300, 300}})
	for _, target := range []int{2000, 20000} {
		path := generateReq(t, t.TempDir(), providers.Request{Images: images, Polycount: target})
		m, err := modeltest.Load(path)
		if err != nil {
			t.Fatal(err)
		}
		top := m.Topology()
		if chi := top.Vertices - 3*top.Triangles/2 + top.Triangles; chi != 0 {
			t.Errorf("at %d: Euler characteristic %d, want 0 (one handle)", target, chi)
		}
		mask, err := modeltest.ObjectMaskFile(images[0].Path)
		if err != nil {
			t.Fatal(err)
		}
		s, err := m.ViewSilhouette(mask, "front")
		if err != nil {
			t.Fatal(err)
		}
		// The handle's hole is at x from 0.35 to 0.51, y 0.34 to 0.66, in the mug's own units.
		hole := holePixel(t, mask, mug(), [3]float64{0.44, 0.5, 0})
		if mask.In[hole] {
			t.Fatalf("the drawing has no hole at pixel %d", hole)
		}
		if s.In[hole] {
			t.Errorf("at %d: the model covers the handle's hole", target)
		}
	}
}

// holePixel finds the pixel of the front view's image where model point p of solid appears,
// from the image's object box and the solid's bounds (Render fits the box into the image).
func holePixel(t *testing.T, mask modeltest.Mask, solid modeltest.Solid, p [3]float64) int {
	t.Helper()
	box := mask.Bounds()
	lo, hi := solid.Bounds()
	x := float64(box.Min.X) + (p[0]-lo[0])/(hi[0]-lo[0])*float64(box.Dx())
	y := float64(box.Max.Y) - (p[1]-lo[1])/(hi[1]-lo[1])*float64(box.Dy())
	return int(y)*mask.W + int(x)
}

// TestViewTextures: every view is drawn in its own colour, so a face must show the colour of
// the view it faces most: the mug's front red, its top blue, its left side green.
func TestViewTextures(t *testing.T) {
	dir := t.TempDir()
	images := drawViews(t, dir, "mug", mug(), map[string][2]int{"front": {300, 300}, "left": {260, 300}, "top": {300, 300}})
	path := generateReq(t, t.TempDir(), providers.Request{Images: images, Polycount: 20000})
	checkViewColours(t, path)
}

// checkViewColours checks that the faces of the model at path looking at the front, top and left
// cameras show those views' colours (see modeltest.ViewColour).
func checkViewColours(t *testing.T, path string) {
	t.Helper()
	m, err := modeltest.Load(path)
	if err != nil {
		t.Fatal(err)
	}
	tex, _ := embeddedTexture(t, m)
	if len(m.Doc.Materials) != 1 || len(m.Doc.Images) != 1 {
		t.Errorf("%d materials and %d images, want one atlas in one material", len(m.Doc.Materials), len(m.Doc.Images))
	}
	checks := []struct {
		view   string
		normal [3]float32
		hue    func(r, g, b uint8) bool
	}{
		{"front", [3]float32{0, 0, 1}, func(r, g, b uint8) bool { return r > g+40 && r > b+40 }},
		{"top", [3]float32{0, 1, 0}, func(r, g, b uint8) bool { return b > r+40 && b > g+20 }},
		{"left", [3]float32{-1, 0, 0}, func(r, g, b uint8) bool { return g > r+40 && g > b+20 }},
	}
	for _, c := range checks {
		right, wrong := 0, 0
		for _, tri := range m.Triangles {
			n := faceNormal(m, tri)
			if n[0]*c.normal[0]+n[1]*c.normal[1]+n[2]*c.normal[2] < 0.9 {
				continue
			}
			var uv [2]float32
			for _, v := range tri {
				uv[0], uv[1] = uv[0]+m.UVs[v][0]/3, uv[1]+m.UVs[v][1]/3
			}
			col := sample(tex, uv)
			if c.hue(col.R, col.G, col.B) {
				right++
			} else {
				wrong++
			}
		}
		if right == 0 || wrong > right/50 {
			t.Errorf("faces toward the %s camera: %d show its colour, %d do not", c.view, right, wrong)
		}
	}
}

// faceNormal is a triangle's unit normal.
func faceNormal(m *modeltest.Model, tri [3]int) [3]float32 {
	a, b, c := m.Positions[tri[0]], m.Positions[tri[1]], m.Positions[tri[2]]
	u := [3]float64{b[0] - a[0], b[1] - a[1], b[2] - a[2]}
	v := [3]float64{c[0] - a[0], c[1] - a[1], c[2] - a[2]}
	n := [3]float64{u[1]*v[2] - u[2]*v[1], u[2]*v[0] - u[0]*v[2], u[0]*v[1] - u[1]*v[0]}
	l := math.Sqrt(n[0]*n[0] + n[1]*n[1] + n[2]*n[2])
	if l == 0 {
		return [3]float32{}
	}
	return [3]float32{float32(n[0] / l), float32(n[1] / l), float32(n[2] / l)}
}

// TestObjectsOption: two separate objects become two closed parts (glTF nodes) by default, and
// one with "largest"; the triangle budget holds either way.
func TestObjectsOption(t *testing.T) {
	dir := t.TempDir()
	views := map[string]map[string][2]int{
		"carved":   {"front": {320, 240}, "left": {240, 240}, "top": {320, 240}},
		"inflated": {"front": {320, 240}},
	}
	for _, kind := range []string{"carved", "inflated"} {
		images := drawViews(t, dir, kind, pair(), views[kind])
		for _, option := range []string{"", "all", "largest"} {
			req := providers.Request{Images: images, Polycount: 6000}
			if option != "" {
				req.Options = map[string]string{"objects": option}
			}
			out := filepath.Join(t.TempDir(), kind+" "+option)
			mkdir(t, out)
			path := generateReq(t, out, req)
			m, _ := checkViewsQuiet(t, path, req.Polycount)
			want := 2
			if option == "largest" {
				want = 1
			}
			parts := partNodes(m)
			if len(parts) != want {
				t.Fatalf("%s, objects %q: %d parts, want %d", kind, option, len(parts), want)
			}
			for _, p := range parts {
				pm := onlyNode(t, path, p)
				if top := pm.Topology(); !top.Watertight {
					t.Errorf("%s, objects %q: part %q is not closed: %+v", kind, option, p, top)
				}
			}
			if option == "largest" {
				// The cylinder (0.5 wide) is kept, the box (0.3 wide) dropped.
				lo, hi := m.Bounds()
				if w := (hi[0] - lo[0]) / (hi[1] - lo[1]); w < 0.45 || w > 0.55 {
					t.Errorf("%s, largest: the part kept is %.2f as wide as tall, want the cylinder's 0.5", kind, w)
				}
			}
			modeltest.Validate(t, path)
		}
	}
}

// checkViewsQuiet checks closure and the triangle budget of the model at path.
func checkViewsQuiet(t *testing.T, path string, target int) (*modeltest.Model, modeltest.Topology) {
	t.Helper()
	m, err := modeltest.Load(path)
	if err != nil {
		t.Fatal(err)
	}
	top := m.Topology()
	if !top.Watertight || top.Degenerate != 0 || top.Triangles < target*95/100 || top.Triangles > target*105/100 {
		t.Errorf("%s: %+v for a target of %d", filepath.Base(filepath.Dir(path)), top, target)
	}
	return m, top
}

// partNodes names the nodes of the model that hold a mesh.
func partNodes(m *modeltest.Model) []string {
	var names []string
	for _, n := range m.Doc.Nodes {
		if n.Mesh != nil {
			names = append(names, n.Name)
		}
	}
	return names
}

// onlyNode loads the model at path with only the node called name in its scene.
func onlyNode(t *testing.T, path, name string) *modeltest.Model {
	t.Helper()
	m, err := modeltest.Load(path)
	if err != nil {
		t.Fatal(err)
	}
	for i, n := range m.Doc.Nodes {
		if n.Name == name {
			m.Doc.Scenes[0].Nodes = []int{i}
			n.Children = nil
		}
	}
	only := filepath.Join(t.TempDir(), "part.glb")
	if err := saveGLB(m, only); err != nil {
		t.Fatal(err)
	}
	pm, err := modeltest.Load(only)
	if err != nil {
		t.Fatal(err)
	}
	return pm
}

// TestCarvedDeterministic: the same views give the same bytes, however the work was spread over
// the cores.
func TestCarvedDeterministic(t *testing.T) {
	images := drawViews(t, t.TempDir(), "chair", chair(), map[string][2]int{"front": {200, 200}, "left": {200, 200}, "top": {200, 200}})
	req := providers.Request{Images: images, Polycount: 5000}
	a, err := os.ReadFile(generateReq(t, t.TempDir(), req))
	if err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(generateReq(t, t.TempDir(), req))
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(a, b) {
		t.Error("two runs on the same views wrote different files")
	}
}

func saveGLB(m *modeltest.Model, path string) error { return gltf.SaveBinary(m.Doc, path) }

// BenchmarkCarveTwoViews1024 measures one whole carving job, Submit and Collect, on 1024² front
// and left views of an upright ring at the default 20,000 triangles: the rounded sections' cost
// with views of the size the issue names (a ring, as views of a solid of revolution are made
// Turned instead).
func BenchmarkCarveTwoViews1024(b *testing.B) {
	images := drawViews(b, b.TempDir(), "torus", torus(), map[string][2]int{"front": {1024, 1024}, "left": {1024, 1024}})
	req := providers.Request{Images: images, Polycount: 20000}
	p := New()
	ctx := context.Background()
	out := b.TempDir()
	for b.Loop() {
		r, err := p.Submit(ctx, req)
		if err != nil {
			b.Fatal(err)
		}
		if _, err := p.Collect(ctx, req, r, out, nil); err != nil {
			b.Fatal(err)
		}
	}
}
