package local

import (
	"context"
	"math"
	"os"
	"path/filepath"
	"testing"

	"github.com/kiln3d/kiln/providers"
	"github.com/kiln3d/kiln/providers/modeltest"
)

// Known shapes to draw views of, in glTF axes: +Y up, the front facing +Z.

// mug is a cylinder with a ring handle on its +X side: seen from the front, the handle has a
// hole through it.
func mug() modeltest.Solid {
	return modeltest.Solid{
		modeltest.Cylinder{Centre: [3]float64{0, 0.5, 0}, Axis: 1, Radius: 0.35, Length: 1},
		modeltest.Torus{Centre: [3]float64{0.35, 0.5, 0}, Axis: 2, Major: 0.22, Minor: 0.06},
	}
}

// chair is a seat on four legs with a back rising from its rear edge: an L seen from the side,
// with gaps between the legs seen from the front and the side.
func chair() modeltest.Solid {
	box := func(x0, y0, z0, x1, y1, z1 float64) modeltest.Box {
		return modeltest.Box{Lo: [3]float64{x0, y0, z0}, Hi: [3]float64{x1, y1, z1}}
	}
	s := modeltest.Solid{
		box(-0.25, 0.45, -0.25, 0.25, 0.52, 0.25), // seat
		box(-0.25, 0.52, -0.25, 0.25, 1.0, -0.19), // back
	}
	for _, x := range []float64{-0.25, 0.2} {
		for _, z := range []float64{-0.25, 0.2} {
			s = append(s, box(x, 0, z, x+0.05, 0.45, z+0.05))
		}
	}
	return s
}

// torus is a ring standing upright, facing the front: its hole goes through along Z.
func torus() modeltest.Solid {
	return modeltest.Solid{modeltest.Torus{Centre: [3]float64{0, 0.5, 0}, Axis: 2, Major: 0.35, Minor: 0.12}}
}

// pair is two separate objects side by side, the right one smaller.
func pair() modeltest.Solid {
	return modeltest.Solid{
		modeltest.Cylinder{Centre: [3]float64{-0.3, 0.5, 0}, Axis: 1, Radius: 0.25, Length: 1},
		modeltest.Box{Lo: [3]float64{0.2, 0, -0.15}, Hi: [3]float64{0.5, 0.6, 0.15}},
	}
}

// drawViews renders solid from each view into a PNG (of the size given, so that the views are
// at different scales) tagged with its view, each view in its own colours.
func drawViews(t testing.TB, dir, name string, solid modeltest.Solid, sizes map[string][2]int) []providers.Image {
	t.Helper()
	var images []providers.Image
	for _, v := range providers.Views {
		size, ok := sizes[v]
		if !ok {
			continue
		}
		img := solid.Render(v, size[0], size[1], modeltest.ViewColour(v))
		images = append(images, providers.Image{Path: writePNG(t, dir, name+" "+v+".png", img), View: v})
	}
	return images
}

// drawViewsOnWhite is drawViews for photos: each view flattened onto white and saved as JPEG,
// so that the object must be keyed out of the backdrop.
func drawViewsOnWhite(t testing.TB, dir, name string, solid modeltest.Solid, sizes map[string][2]int) []providers.Image {
	t.Helper()
	var images []providers.Image
	for _, v := range providers.Views {
		size, ok := sizes[v]
		if !ok {
			continue
		}
		img := solid.Render(v, size[0], size[1], modeltest.ViewColour(v))
		for i := 0; i < len(img.Pix); i += 4 {
			a := uint32(img.Pix[i+3])
			for c := 0; c < 3; c++ {
				img.Pix[i+c] = uint8((uint32(img.Pix[i+c])*a + 255*(255-a) + 127) / 255)
			}
			img.Pix[i+3] = 255
		}
		images = append(images, providers.Image{Path: writeJPEG(t, dir, name+" "+v+".jpg", img), View: v})
	}
	return images
}

// generateReq runs Submit and Collect on req into dir and returns the model's path.
func generateReq(t testing.TB, dir string, req providers.Request) string {
	t.Helper()
	p := New()
	r, err := p.Submit(context.Background(), req)
	if err != nil {
		t.Fatalf("Submit: %v", err)
	}
	files, err := p.Collect(context.Background(), req, r, dir, nil)
	if err != nil {
		t.Fatalf("Collect: %v", err)
	}
	return filepath.Join(dir, files[0].Path)
}

// checkViews checks what every model must be (closed and manifold once welded, no degenerate
// triangles, the triangle count within 5%, standing 1 m tall on y = 0, centred) and that its
// silhouette from each view matches that image's object to at least minIoU. It returns the
// model and its worst IoU.
func checkViews(t *testing.T, path string, images []providers.Image, target int, minIoU float64) (*modeltest.Model, float64) {
	t.Helper()
	m, err := modeltest.Load(path)
	if err != nil {
		t.Fatal(err)
	}
	name := filepath.Base(filepath.Dir(path))
	top := m.Topology()
	if !top.Watertight || top.Degenerate != 0 {
		t.Errorf("%s at %d: not closed: %+v", name, target, top)
	}
	if n := m.ZeroArea(1e-12); n != 0 {
		t.Errorf("%s at %d: %d triangles without area", name, target, n)
	}
	if off := math.Abs(float64(top.Triangles-target)) / float64(target); off > 0.05 {
		t.Errorf("%s: %d triangles for a target of %d (%.1f%% off)", name, top.Triangles, target, 100*off)
	}
	lo, hi := m.Bounds()
	const eps = 1e-4
	if math.Abs(lo[1]) > eps || math.Abs(hi[1]-1) > eps || math.Abs(lo[0]+hi[0]) > eps || math.Abs(lo[2]+hi[2]) > eps {
		t.Errorf("%s at %d: placed at %v..%v, want 1 m tall on y = 0, centred", name, target, lo, hi)
	}
	worst := 1.0
	for _, img := range images {
		mask, err := modeltest.ObjectMaskFile(img.Path)
		if err != nil {
			t.Fatal(err)
		}
		iou, err := m.ViewIoU(mask, img.View)
		if err != nil {
			t.Fatal(err)
		}
		if iou < minIoU {
			t.Errorf("%s at %d: %s silhouette IoU %.4f < %.2f", name, target, img.View, iou, minIoU)
		}
		worst = min(worst, iou)
		t.Logf("%s at %d: %s IoU %.4f", name, target, img.View, iou)
	}
	t.Logf("%s at %d: %d triangles, %d vertices, worst IoU %.4f", name, target, top.Triangles, top.Vertices, worst)
	return m, worst
}

// TestMultiView is the acceptance test of the carved models: known shapes seen from two to four
// views drawn at different scales, at every polycount the provider offers.
func TestMultiView(t *testing.T) {
	dir := t.TempDir()
	cases := []struct {
		name  string
		solid modeltest.Solid
		sizes map[string][2]int
	}{
		{"mug", mug(), map[string][2]int{"front": {320, 300}, "left": {256, 200}, "top": {220, 256}}},
		{"chair", chair(), map[string][2]int{"front": {300, 300}, "back": {240, 260}, "left": {300, 240}, "top": {256, 256}}}, // on white
		{"torus", torus(), map[string][2]int{"front": {300, 300}, "top": {300, 200}}},
		{"mug side and top", mug(), map[string][2]int{"right": {240, 260}, "top": {300, 300}}},
		{"torus sides", torus(), map[string][2]int{"front": {256, 256}, "left": {200, 256}, "right": {220, 300}, "top": {300, 300}}},
	}
	var models []string
	for _, c := range cases {
		images := drawViews(t, dir, c.name, c.solid, c.sizes)
		if c.name == "chair" {
			// Photographed on white: the views are keyed, not cut out.
			images = drawViewsOnWhite(t, dir, c.name, c.solid, c.sizes)
		}
		for _, target := range []int{500, 2000, 20000, 200000} {
			// The mug alone goes through every budget: each model takes a while under -race.
			if (target == 2000 || target == 200000) && c.name != "mug" || target == 200000 && testing.Short() {
				continue
			}
			out := filepath.Join(t.TempDir(), c.name)
			mkdir(t, out)
			path := generateReq(t, out, providers.Request{Images: images, Polycount: target})
			// Below 2,000 triangles a mug's handle is a few triangles across: the outline is
			// coarse but still recognisable.
			minIoU := 0.90
			if target < 2000 {
				minIoU = 0.80
			}
			checkViews(t, path, images, target, minIoU)
			if target <= 20000 {
				models = append(models, path)
			}
		}
	}
	modeltest.Validate(t, models...)
}

func mkdir(t testing.TB, dir string) {
	t.Helper()
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
}
