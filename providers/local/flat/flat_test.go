package flat

import (
	"context"
	"errors"
	"math"
	"testing"

	"github.com/kiln3d/kiln/providers/local/field"
	"github.com/kiln3d/kiln/providers/local/mask"
	"github.com/kiln3d/kiln/providers/local/mesh"
	"github.com/kiln3d/kiln/providers/modeltest"
)

func disc(cx, cy, r float64) func(x, y float64) bool {
	return func(x, y float64) bool { return math.Hypot(x-cx, y-cy) <= r }
}

func ring(cx, cy, outer, inner float64) func(x, y float64) bool {
	return func(x, y float64) bool {
		d := math.Hypot(x-cx, y-cy)
		return d <= outer && d >= inner
	}
}

// build makes the Flat solid of m.
func build(t *testing.T, m *mask.Mask, thickness float64, target int) (*mesh.Solid, *field.Field) {
	t.Helper()
	f, err := field.NewDistance(context.Background(), m, 3)
	if err != nil {
		t.Fatal(err)
	}
	s, err := Build(context.Background(), f, m, thickness, target)
	if err != nil {
		t.Fatalf("Build(%d): %v", target, err)
	}
	return s, f
}

// topology welds the solid by position, as a model file's reader would, once it is scaled to
// 1 m tall (the default height; the weld quantum is 10 µm).
func topology(s *mesh.Solid) modeltest.Topology {
	lo, hi := math.Inf(1), math.Inf(-1)
	for _, p := range s.Pos {
		lo, hi = math.Min(lo, p[1]), math.Max(hi, p[1])
	}
	k := 1 / math.Max(hi-lo, 1e-9)
	m := &modeltest.Model{Positions: make([][3]float64, len(s.Pos))}
	for i, p := range s.Pos {
		m.Positions[i] = [3]float64{p[0] * k, p[1] * k, p[2] * k}
	}
	for t := 0; t+2 < len(s.Indices); t += 3 {
		m.Triangles = append(m.Triangles, [3]int{int(s.Indices[t]), int(s.Indices[t+1]), int(s.Indices[t+2])})
	}
	return m.Topology()
}

// slivers is the share of triangles whose longest edge squared is over ten times twice their
// area (meshcheck's measure).
func slivers(s *mesh.Solid) float64 {
	n := 0
	for t := 0; t+2 < len(s.Indices); t += 3 {
		a, b, c := s.Pos[s.Indices[t]], s.Pos[s.Indices[t+1]], s.Pos[s.Indices[t+2]]
		ab, ac, bc := sub(b, a), sub(c, a), sub(c, b)
		x := cross(ab, ac)
		area2 := math.Sqrt(dot(x, x))
		longest := max(dot(ab, ab), dot(ac, ac), dot(bc, bc))
		if area2 == 0 || longest/area2 > 10 {
			n++
		}
	}
	return float64(n) / float64(len(s.Indices)/3)
}

func sub(a, b [3]float64) [3]float64 { return [3]float64{a[0] - b[0], a[1] - b[1], a[2] - b[2]} }
func dot(a, b [3]float64) float64    { return a[0]*b[0] + a[1]*b[1] + a[2]*b[2] }
func cross(a, b [3]float64) [3]float64 {
	return [3]float64{a[1]*b[2] - a[2]*b[1], a[2]*b[0] - a[0]*b[2], a[0]*b[1] - a[1]*b[0]}
}

// parts counts the solid's separate closed pieces.
func parts(s *mesh.Solid) int {
	weld := map[[3]float64]uint32{}
	idx := make([]uint32, len(s.Indices))
	for i, v := range s.Indices {
		id, ok := weld[s.Pos[v]]
		if !ok {
			id = uint32(len(weld))
			weld[s.Pos[v]] = id
		}
		idx[i] = id
	}
	_, n := mesh.TriangleParts(len(weld), idx)
	return n
}

func TestClosedAtExactCounts(t *testing.T) {
	shapes := map[string]*mask.Mask{
		"disc":      mask.Draw(200, 200, disc(100, 100, 80)),
		"ring":      mask.Draw(200, 200, ring(100, 100, 90, 40)),
		"two discs": mask.Draw(300, 150, func(x, y float64) bool { return disc(70, 75, 60)(x, y) || disc(230, 75, 50)(x, y) }),
		"at the border": mask.Draw(120, 90, func(x, y float64) bool {
			return x < 100 && y < 70
		}),
	}
	for name, m := range shapes {
		targets := []int{500, 501, 2000, 20000}
		if name == "ring" {
			targets = append(targets, 200000) // the largest count Kiln offers
		}
		for _, target := range targets {
			s, _ := build(t, m, 12, target)
			want := target &^ 1
			if got := s.Triangles(); got != want {
				t.Errorf("%s at %d: %d triangles, want %d", name, target, got, want)
			}
			if len(s.Look) != len(s.Pos) || len(s.Back) != len(s.Pos) {
				t.Fatalf("%s: %d positions, %d looks, %d backs", name, len(s.Pos), len(s.Look), len(s.Back))
			}
			top := topology(s)
			if !top.Watertight || top.NonManifoldEdges > 0 || top.Degenerate > 0 {
				t.Errorf("%s at %d: %+v", name, target, top)
			}
			if sl := slivers(s); sl >= 0.01 {
				t.Errorf("%s at %d: %.2f%% slivers", name, target, 100*sl)
			}
		}
	}
}

func TestHolesAndPartsKept(t *testing.T) {
	s, _ := build(t, mask.Draw(200, 200, ring(100, 100, 90, 40)), 10, 4000)
	// A ring is a torus: V − E + F = 0 once welded.
	top := topology(s)
	if e := 3 * top.Triangles / 2; top.Vertices-e+top.Triangles != 0 {
		t.Errorf("the ring's Euler characteristic is %d, want 0 (a hole kept)", top.Vertices-e+top.Triangles)
	}
	for _, p := range s.Pos {
		if math.Hypot(p[0]-100, p[1]-100) < 39 {
			t.Fatalf("a vertex at %v lies in the hole", p)
		}
	}
	two, _ := build(t, mask.Draw(300, 150, func(x, y float64) bool { return disc(70, 75, 60)(x, y) || disc(230, 75, 50)(x, y) }), 10, 4000)
	if n := parts(two); n != 2 {
		t.Errorf("two discs made %d parts", n)
	}
}

func TestThickness(t *testing.T) {
	for _, thickness := range []float64{4, 20, 60} {
		s, _ := build(t, mask.Draw(300, 300, disc(150, 150, 130)), thickness, 20000)
		lo, hi := math.Inf(1), math.Inf(-1)
		for _, p := range s.Pos {
			lo, hi = math.Min(lo, p[2]), math.Max(hi, p[2])
		}
		if got := hi - lo; math.Abs(got-thickness) > 0.01*thickness {
			t.Errorf("thickness %v: the solid is %v thick", thickness, got)
		}
		if math.Abs(hi+lo) > 1e-9 {
			t.Errorf("thickness %v: not centred on the mid-plane (%v to %v)", thickness, lo, hi)
		}
	}
	// The thinnest the option allows (1% of the height), and thinner: front and back never
	// meet once positions are rounded to a 1 m model's 10 µm.
	m := mask.Draw(300, 300, disc(150, 150, 130))
	s, f := build(t, m, 2.6, 20000)
	if top := topology(s); !top.Watertight || top.NonManifoldEdges > 0 || top.Degenerate > 0 {
		t.Errorf("thickness 2.6: %+v", top)
	}
	if _, err := Build(context.Background(), f, m, 0.001, 20000); err == nil {
		t.Error("a thickness of 0.001 pixels: no error")
	}
}

// Edge-on vertices (the rim, the steep end of the bevel) must take their colour from inside the
// object, never from the outline's own pixels, which blend it with the background.
func TestEdgeOnLooksInside(t *testing.T) {
	for name, m := range map[string]*mask.Mask{
		"disc": mask.Draw(200, 200, disc(100, 100, 80)),
		"ring": mask.Draw(200, 200, ring(100, 100, 90, 40)),
	} {
		s, f := build(t, m, 16, 20000)
		normals := mesh.Normals(s.Pos, s.Indices)
		edge := 0
		for i, n := range normals {
			if math.Abs(float64(n[2])) >= field.EdgeOn {
				continue
			}
			edge++
			if d := f.SampleDist(s.Look[i][0], s.Look[i][1]); d < field.LookInset-0.25 {
				t.Fatalf("%s: edge-on vertex %v takes its colour at %v, %.2f px from the outline", name, s.Pos[i], s.Look[i], d)
			}
		}
		if edge == 0 {
			t.Fatalf("%s: no vertex is seen edge-on: the test tests nothing", name)
		}
		// The back takes the front's points, marked as the back's.
		back := 0
		for i, p := range s.Pos {
			if p[2] < 0 && !s.Back[i] || p[2] > 0 && s.Back[i] {
				t.Fatalf("%s: vertex %v is marked Back=%v", name, p, s.Back[i])
			}
			if s.Back[i] {
				back++
			}
		}
		if back == 0 {
			t.Fatalf("%s: nothing is marked as the back", name)
		}
	}
}

func TestHostileMasks(t *testing.T) {
	ctx := context.Background()
	for name, m := range map[string]*mask.Mask{
		"one pixel":      mask.Draw(9, 9, func(x, y float64) bool { return x > 4 && x < 5 && y > 4 && y < 5 }),
		"one-pixel line": mask.Draw(60, 9, func(x, y float64) bool { return y > 4 && y < 5 && x > 5 && x < 55 }),
		"whole image":    mask.Draw(30, 20, func(x, y float64) bool { return true }),
	} {
		f, err := field.NewDistance(ctx, m, 3)
		if err != nil {
			t.Fatal(err)
		}
		s, err := Build(ctx, f, m, 3, 500)
		if err != nil {
			if !errors.Is(err, ErrTooSmall) && !errors.Is(err, ErrTooThin) {
				t.Errorf("%s: %v, want ErrTooSmall or ErrTooThin", name, err)
			}
			continue
		}
		if top := topology(s); !top.Watertight || top.NonManifoldEdges > 0 {
			t.Errorf("%s: %+v", name, top)
		}
	}
	m := mask.Draw(20, 20, disc(10, 10, 8))
	f, err := field.NewDistance(ctx, m, 3)
	if err != nil {
		t.Fatal(err)
	}
	for _, bad := range []struct {
		thickness float64
		target    int
	}{{0, 500}, {-1, 500}, {math.NaN(), 500}, {math.Inf(1), 500}, {3, 2}, {3, -5}} {
		if _, err := Build(ctx, f, m, bad.thickness, bad.target); err == nil {
			t.Errorf("thickness %v, %d triangles: no error", bad.thickness, bad.target)
		}
	}
	if _, err := Build(ctx, nil, m, 3, 500); err == nil {
		t.Error("no field: no error")
	}
}

func TestCancelled(t *testing.T) {
	m := mask.Draw(400, 400, disc(200, 200, 180))
	f, err := field.NewDistance(context.Background(), m, 3)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := Build(ctx, f, m, 10, 20000); !errors.Is(err, context.Canceled) {
		t.Errorf("cancelled: %v", err)
	}
}
