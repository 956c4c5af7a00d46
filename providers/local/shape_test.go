package local

import (
	"context"
	"errors"
	"image"
	"image/color"
	"math"
	"strings"
	"testing"

	"github.com/kiln3d/kiln/providers"
	"github.com/kiln3d/kiln/providers/modeltest"
)

// drawFlat draws s in one flat colour with a hard edge, as a logo or a sprite is drawn.
func drawFlat(w, h int, s inside) *image.NRGBA {
	img := image.NewNRGBA(image.Rect(0, 0, w, h))
	for y := 0; y < h; y++ {
		for x := 0; x < w; x++ {
			if s(float64(x)+0.5, float64(y)+0.5) {
				img.SetNRGBA(x, y, color.NRGBA{200, 40, 30, 255})
			}
		}
	}
	return img
}

// vaseOutline is a turned vase seen from the front: a foot, a belly and a neck.
func vaseOutline(w, h float64) inside {
	return func(x, y float64) bool {
		t := y / h
		if t < 0.05 || t > 0.95 {
			return false
		}
		r := 0.18 + 0.2*math.Sin(math.Pi*(0.95-t)/0.9) + 0.04*math.Cos(6*t)
		return math.Abs(x-w/2) < r*w/2
	}
}

// TestAutoPicks: Auto turns what is symmetric about a vertical axis, extrudes what is thin or
// drawn flat, inflates the rest, and says why in its note.
func TestAutoPicks(t *testing.T) {
	dir := t.TempDir()
	ring := func(x, y float64) bool { d := math.Hypot(x-100, y-100); return d < 80 && d > 40 }
	cases := []struct {
		name  string
		img   image.Image
		shape string
		why   string
	}{
		{"vase", drawRGBA(200, 400, vaseOutline(200, 400)), ShapeTurned, "mirror-symmetric about a vertical axis"},
		{"blob", drawRGBA(256, 256, blob(128, 128, 90, false)), ShapeRound, "neither mirror-symmetric"},
		// Symmetric, but a solid of revolution cannot have a hole through it seen from the front.
		{"ring", drawRGBA(200, 200, ring), ShapeRound, "holes or separate parts"},
		{"pair", drawRGBA(300, 200, union(disc(80, 100, 50), disc(220, 100, 50))), ShapeRound, "holes or separate parts"},
		{"blade", drawRGBA(400, 400, func(x, y float64) bool { return math.Abs(x-y) < 6 && x > 40 && x < 360 }), ShapeFlat, "thin"},
		// An F in one flat colour: not symmetric, drawn as a logo or sprite is.
		{"logo", drawFlat(300, 300, union(rect(60, 40, 240, 90), rect(60, 40, 110, 260), rect(60, 130, 200, 170))), ShapeFlat, ""},
		// A T is symmetric: Auto turns it, as the issue orders the rules, though drawn flat.
		{"T", drawFlat(300, 300, union(rect(40, 40, 260, 90), rect(130, 40, 170, 260))), ShapeTurned, "mirror-symmetric"},
	}
	for _, c := range cases {
		path := writePNG(t, dir, c.name+".png", c.img)
		req := providers.Request{Images: []providers.Image{{Path: path}}, Polycount: 3000}
		f, err := New().(Provider).Foresee(context.Background(), req)
		if err != nil {
			t.Fatalf("%s: %v", c.name, err)
		}
		title := map[string]string{ShapeRound: "Round", ShapeTurned: "Turned", ShapeFlat: "Flat"}[c.shape]
		if len(f.Notes) == 0 || !strings.HasPrefix(f.Notes[0], "Shape: "+title+", picked by Auto because") || !strings.Contains(f.Notes[0], c.why) {
			t.Errorf("%s: notes %q, want %s because …%s…", c.name, f.Notes, title, c.why)
		}
		out := t.TempDir()
		model := collectShape(t, out, 3000, ShapeAuto, path)
		checkShape(t, model, path, 3000, 0.9, c.shape == ShapeRound)
	}
}

// TestTurnedSidesMatchFront: a Turned model seen from the left has the front's outline, and from
// the top it is round.
func TestTurnedSidesMatchFront(t *testing.T) {
	path := writePNG(t, t.TempDir(), "vase.png", drawRGBA(400, 800, vaseOutline(400, 800)))
	model := collectShape(t, t.TempDir(), 20000, ShapeTurned, path)
	m := checkShape(t, model, path, 20000, 0.97, false)
	mask, err := modeltest.ObjectMaskFile(path)
	if err != nil {
		t.Fatal(err)
	}
	left, err := m.ViewIoU(mask, "left")
	if err != nil {
		t.Fatal(err)
	}
	if left < 0.97 {
		t.Errorf("left silhouette IoU %.4f against the front's outline, want ≥ 0.97", left)
	}
	lo, hi := m.Bounds()
	if w, d := hi[0]-lo[0], hi[2]-lo[2]; math.Abs(w-d) > 0.01*w {
		t.Errorf("a turned model %.4f wide and %.4f deep", w, d)
	}
}

// TestShapeTurnedFromTopIsRefused: a view from the top has no vertical axis to turn about.
func TestShapeTurnedFromTopIsRefused(t *testing.T) {
	path := writePNG(t, t.TempDir(), "plate.png", drawRGBA(200, 200, disc(100, 100, 80)))
	req := providers.Request{Images: []providers.Image{{Path: path, View: providers.ViewTop}}, Polycount: 2000,
		Options: map[string]string{OptionShape: ShapeTurned}}
	_, err := New().(Provider).Foresee(context.Background(), req)
	if err == nil || !strings.Contains(err.Error(), "a view from the top has none") {
		t.Errorf("turned from the top: %v", err)
	}
}

// TestViewsOfATurnedObject: views that all show one solid of revolution make it Turned (which
// matches every view exactly) and are all used for its texture; views of anything else are carved.
func TestViewsOfATurnedObject(t *testing.T) {
	dir := t.TempDir()
	can := modeltest.Solid{modeltest.Cylinder{Centre: [3]float64{0, 0.5, 0}, Axis: 1, Radius: 0.3, Length: 1}}
	for _, c := range []struct {
		name  string
		solid modeltest.Solid
		sizes map[string][2]int
		note  string
	}{
		{"can", can, map[string][2]int{"front": {200, 240}, "left": {240, 300}, "top": {200, 200}},
			"Shape: Turned, picked by Auto because the front, left and top views show one solid of revolution"},
		{"mug", mug(), map[string][2]int{"front": {240, 240}, "left": {240, 240}}, "Shape: carved from the front and left views"},
	} {
		images := drawViews(t, dir, c.name, c.solid, c.sizes)
		req := providers.Request{Images: images, Polycount: 4000}
		f, err := New().(Provider).Foresee(context.Background(), req)
		if err != nil {
			t.Fatal(err)
		}
		if len(f.Notes) != 1 || !strings.HasPrefix(f.Notes[0], c.note) {
			t.Errorf("%s: notes %q, want %q…", c.name, f.Notes, c.note)
		}
		path := generateReq(t, t.TempDir(), req)
		_, worst := checkViews(t, path, images, 4000, 0.97)
		if c.name == "can" {
			if worst < 0.99 {
				t.Errorf("can: worst view IoU %.4f", worst)
			}
			// Every view textures its side: each view's colour is on the faces facing it.
			checkViewColours(t, path)
		}
	}
}

// TestTurnedTooFewTriangles: stacked parts that cannot each have a closed solid within the budget
// are refused in the artist's words.
func TestTurnedTooFewTriangles(t *testing.T) {
	stack := func(x, y float64) bool { return math.Abs(x-50) < 30 && int(y)%20 < 10 }
	path := writePNG(t, t.TempDir(), "stack.png", drawRGBA(100, 2000, stack))
	req := providers.Request{Images: []providers.Image{{Path: path}}, Polycount: 500, Options: map[string]string{OptionShape: ShapeTurned}}
	_, err := New().Collect(context.Background(), req, providers.Remote{ID: "local-1"}, t.TempDir(), nil)
	if !errors.Is(err, providers.ErrInvalidInput) || !strings.Contains(err.Error(), "too many parts, one above another, to turn with only 500 triangles") {
		t.Errorf("Collect: %v", err)
	}
}
