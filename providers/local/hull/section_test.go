package hull

import (
	"context"
	"math"
	"testing"

	"github.com/kiln3d/kiln/providers/modeltest"
)

// TestRoundSections carves a cylinder from its front and left views: the hull alone is a box
// with a square cross-section, the rounded hull a cylinder whose surface stays within a small
// share of the radius of the true one all the way up, with no ledges between rows.
func TestRoundSections(t *testing.T) {
	cyl := modeltest.Solid{modeltest.Cylinder{Centre: [3]float64{0, 0.5, 0}, Axis: 1, Radius: 0.3, Length: 1}}
	h, err := New(silhouettes(t, cyl, map[string][2]int{"front": {240, 400}, "left": {300, 500}}))
	if err != nil {
		t.Fatal(err)
	}
	r, err := h.Rounded(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	// The radius from the axis of the surface's vertices up the side, well away from the rims.
	radii := func(h *Hull) (lo, hi float64) {
		g, _, err := Fit(context.Background(), h, 20000)
		if err != nil {
			t.Fatal(err)
		}
		s, err := g.Extract(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		lo, hi = math.Inf(1), 0
		for _, p := range s.Pos {
			if p[1] > 0.1 && p[1] < 0.9 {
				d := math.Hypot(p[0], p[2])
				lo, hi = math.Min(lo, d), math.Max(hi, d)
			}
		}
		return lo, hi
	}
	if _, hi := radii(h); hi < 0.3*1.3 {
		t.Fatalf("the hull alone reaches %.3f from the axis: not the square section this test tells from a round one", hi)
	}
	lo, hi := radii(r)
	if lo < 0.3*0.97 || hi > 0.3*1.02 {
		t.Errorf("rounded cylinder's side lies %.4f to %.4f from the axis, want 0.3 within 3%%", lo, hi)
	}
}

// TestSectionsKeepBody: where a mug's handle joins its body, a row of the front view spans both;
// the body's own section goes on through those rows rather than being pinched into the merged
// span's ellipse.
func TestSectionsKeepBody(t *testing.T) {
	h, err := New(silhouettes(t, mug(), map[string][2]int{"front": {392, 400}, "left": {280, 400}}))
	if err != nil {
		t.Fatal(err)
	}
	r, err := h.Rounded(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	// The mug spans x from -0.35 to 0.63, so the model's x is the mug's less 0.14. At y = 0.68
	// (and 0.32) the front row runs from the body's far side to the handle's, past its hole;
	// the merged span's ellipse alone leaves these points, near the body's far side, outside.
	for _, p := range [][3]float64{{-0.25, 0.68, 0.24}, {-0.28, 0.32, -0.2}} {
		q := [3]float64{p[0] - 0.14, p[1], p[2]}
		if v := r.Value(q); v <= 0 {
			t.Errorf("mug point %v, inside the body, is outside the rounded hull (%.4f)", p, v)
		}
	}
	// Outside the body's circle but inside its square, away from the handle: carved away.
	if v := r.Value([3]float64{-0.3 - 0.14, 0.1, 0.3}); v >= 0 {
		t.Errorf("a corner of the body's square is inside the rounded hull (%.4f)", v)
	}
}

// TestSquareness: with a top view, a box's sections are square enough to cast its square
// shadow, while a cylinder's and an upright ring's stay ellipses (the ring's top view is a
// rectangle, but its round sections together fill it).
func TestSquareness(t *testing.T) {
	box := modeltest.Solid{modeltest.Box{Lo: [3]float64{-0.3, 0, -0.2}, Hi: [3]float64{0.3, 1, 0.2}}}
	cyl := modeltest.Solid{modeltest.Cylinder{Centre: [3]float64{0, 0.5, 0}, Axis: 1, Radius: 0.3, Length: 1}}
	ring := modeltest.Solid{modeltest.Torus{Centre: [3]float64{0, 0.5, 0}, Axis: 2, Major: 0.36, Minor: 0.14}}
	for _, c := range []struct {
		name   string
		solid  modeltest.Solid
		lo, hi float64
	}{{"box", box, 6, 12}, {"cylinder", cyl, 2, 2}, {"ring", ring, 2, 2}} {
		views := map[string][2]int{"front": {256, 256}, "left": {256, 256}, "top": {256, 256}}
		h, err := New(silhouettes(t, c.solid, views))
		if err != nil {
			t.Fatal(err)
		}
		r, err := h.Rounded(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		if n := r.sec.n; n < c.lo || n > c.hi {
			t.Errorf("%s: exponent %.1f, want %.0f to %.0f", c.name, n, c.lo, c.hi)
		}
	}
}

// TestSectionValueDegenerate: spans of no width, or none, never give NaN: a slice with no
// usable pair lies outside (or, with no spans at all, is left to the hull).
func TestSectionValueDegenerate(t *testing.T) {
	flat := []interval{{0.2, 0.2}}
	wide := []interval{{-0.5, 0.5}}
	for _, c := range []struct {
		xs, zs []interval
	}{{flat, wide}, {wide, flat}, {flat, flat}, {nil, wide}, {wide, nil}} {
		for _, n := range []float64{2, 5} {
			if v := sectionValue(c.xs, c.zs, 0.2, 0, n); math.IsNaN(v) || v > 0 && !math.IsInf(v, 1) {
				t.Errorf("spans %v × %v, exponent %v: value %v at a point they do not bound", c.xs, c.zs, n, v)
			}
		}
	}
	if v := sectionValue(wide, wide, 0, 0, 2); !(v > 0.49 && v <= 0.5) {
		t.Errorf("centre of a unit circle: %v, want 0.5", v)
	}
}
