package hull

import (
	"context"
	"image/color"
	"math"
	"testing"

	"github.com/kiln3d/kiln/providers/local/field"
	"github.com/kiln3d/kiln/providers/local/mask"
	"github.com/kiln3d/kiln/providers/modeltest"
)

// mug is a cylinder with a ring handle on its +X side: seen from the front the handle has a hole.
func mug() modeltest.Solid {
	return modeltest.Solid{
		modeltest.Cylinder{Centre: [3]float64{0, 0.5, 0}, Axis: 1, Radius: 0.35, Length: 1},
		modeltest.Torus{Centre: [3]float64{0.35, 0.5, 0}, Axis: 2, Major: 0.22, Minor: 0.06},
	}
}

func white(int, int) color.NRGBA { return color.NRGBA{255, 255, 255, 255} }

// silhouettes renders solid from each view at the given image sizes.
func silhouettes(t *testing.T, solid modeltest.Solid, views map[string][2]int) []Silhouette {
	t.Helper()
	var out []Silhouette
	for _, v := range []string{"front", "back", "left", "right", "top"} {
		size, ok := views[v]
		if !ok {
			continue
		}
		m := mask.FromAlpha(solid.Render(v, size[0], size[1], white))
		f, err := field.New(context.Background(), m, 3)
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, Silhouette{View: v, Mask: m, Dist: f})
	}
	return out
}

func model(s *Surface) *modeltest.Model {
	m := &modeltest.Model{Positions: s.Pos}
	for t := 0; t+2 < len(s.Indices); t += 3 {
		m.Triangles = append(m.Triangles, [3]int{int(s.Indices[t]), int(s.Indices[t+1]), int(s.Indices[t+2])})
	}
	return m
}

// TestMugHull carves a mug from three views drawn at different sizes: the surface is closed, its
// outline from each view matches the view, and the handle's hole goes through.
func TestMugHull(t *testing.T) {
	sils := silhouettes(t, mug(), map[string][2]int{"front": {300, 260}, "left": {200, 240}, "top": {256, 256}})
	h, err := New(sils)
	if err != nil {
		t.Fatal(err)
	}
	lo, hi := mug().Bounds()
	for a, want := range [3]float64{(hi[0] - lo[0]) / (hi[1] - lo[1]), 1, (hi[2] - lo[2]) / (hi[1] - lo[1])} {
		if math.Abs(h.Size[a]-want) > 0.02 {
			t.Errorf("box size along axis %d: %.3f, want %.3f", a, h.Size[a], want)
		}
	}
	for _, s := range []float64{0.05, 0.02, 0.01} {
		g, err := NewGrid(context.Background(), h, s)
		if err != nil {
			t.Fatal(err)
		}
		n, err := g.Count(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		surf, err := g.Extract(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		if surf.Triangles() != n {
			t.Errorf("spacing %g: Count says %d triangles, Extract made %d", s, n, surf.Triangles())
		}
		m := model(surf)
		top := m.Topology()
		if !top.Watertight || top.Degenerate != 0 {
			t.Errorf("spacing %g: not closed: %+v", s, top)
		}
		// A mug with one handle has genus 1: V − E + F = 0.
		if chi := top.Vertices - 3*top.Triangles/2 + top.Triangles; chi != 0 {
			t.Errorf("spacing %g: Euler characteristic %d, want 0", s, chi)
		}
		if vol := volume(surf); vol <= 0 {
			t.Errorf("spacing %g: volume %g: the surface faces inward", s, vol)
		}
		for _, sil := range sils {
			iou, err := m.ViewIoU(modelMask(sil), sil.View)
			if err != nil {
				t.Fatal(err)
			}
			if iou < 0.95 {
				t.Errorf("spacing %g: %s IoU %.4f", s, sil.View, iou)
			}
			t.Logf("spacing %g: %d triangles, %s IoU %.4f", s, n, sil.View, iou)
		}
	}
}

// volume is the signed volume the surface encloses, positive when it faces outward.
func volume(s *Surface) float64 {
	v := 0.0
	for t := 0; t+2 < len(s.Indices); t += 3 {
		a, b, c := s.Pos[s.Indices[t]], s.Pos[s.Indices[t+1]], s.Pos[s.Indices[t+2]]
		v += dot(a, cross(b, c)) / 6
	}
	return v
}

func modelMask(s Silhouette) modeltest.Mask {
	return modeltest.Mask{W: s.Mask.W, H: s.Mask.H, In: s.Mask.In}
}

// TestFit: the lattice found gives the most triangles not above the budget, close to it.
func TestFit(t *testing.T) {
	h, err := New(silhouettes(t, mug(), map[string][2]int{"front": {200, 200}, "left": {200, 200}, "top": {200, 200}}))
	if err != nil {
		t.Fatal(err)
	}
	for _, target := range []int{500, 5000, 80000} {
		g, n, err := Fit(context.Background(), h, target)
		if err != nil {
			t.Fatal(err)
		}
		if n > target || float64(n) < 0.9*float64(target) {
			t.Errorf("budget %d: %d triangles", target, n)
		}
		if c, _ := g.Count(context.Background()); c != n {
			t.Errorf("budget %d: Fit says %d, the grid counts %d", target, n, c)
		}
	}
}

// TestKeep: cutting the views down to one of two objects leaves a hull of that object alone,
// aligned as before.
func TestKeep(t *testing.T) {
	two := modeltest.Solid{
		modeltest.Cylinder{Centre: [3]float64{-0.3, 0.5, 0}, Axis: 1, Radius: 0.25, Length: 1},
		modeltest.Box{Lo: [3]float64{0.2, 0, -0.15}, Hi: [3]float64{0.5, 0.6, 0.15}},
	}
	h, err := New(silhouettes(t, two, map[string][2]int{"front": {300, 240}, "left": {240, 240}, "top": {300, 240}}))
	if err != nil {
		t.Fatal(err)
	}
	g, err := NewGrid(context.Background(), h, 0.02)
	if err != nil {
		t.Fatal(err)
	}
	s, err := g.Extract(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	var box [][3]float64
	for _, p := range s.Pos {
		if p[0] > 0.1 {
			box = append(box, p)
		}
	}
	kept, err := h.Keep(context.Background(), box)
	if err != nil {
		t.Fatal(err)
	}
	g, err = NewGrid(context.Background(), kept, 0.02)
	if err != nil {
		t.Fatal(err)
	}
	s, err = g.Extract(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range s.Pos {
		if p[0] < 0.1 || p[1] > 0.65 {
			t.Fatalf("vertex %v is not on the box", p)
		}
	}
	if top := model(s).Topology(); !top.Watertight {
		t.Errorf("the kept object is not closed: %+v", top)
	}
}
