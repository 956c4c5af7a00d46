package mesh

import (
	"context"
	"errors"
	"math"
	"math/rand/v2"
	"testing"

	"github.com/kiln3d/kiln/providers/local/field"
	"github.com/kiln3d/kiln/providers/local/mask"
)

func disc(cx, cy, r float64) func(x, y float64) bool {
	return func(x, y float64) bool { return math.Hypot(x-cx, y-cy) <= r }
}

// shapes are masks that exercise the awkward cases: holes, several parts, thin parts, a part
// touching the image border, and random noise full of saddles and pinholes.
func shapes() map[string]*mask.Mask {
	rng := rand.New(rand.NewPCG(1, 2))
	noise := mask.New(40, 30)
	for i := range noise.In {
		noise.In[i] = rng.IntN(2) == 0
	}
	return map[string]*mask.Mask{
		"disc": mask.Draw(100, 100, disc(50, 50, 40)),
		"ring": mask.Draw(120, 120, func(x, y float64) bool {
			r := math.Hypot(x-60, y-60)
			return r <= 50 && r >= 22
		}),
		"L": mask.Draw(90, 110, func(x, y float64) bool {
			return x > 10 && x < 35 && y > 10 && y < 100 || x > 10 && x < 80 && y > 75 && y < 100
		}),
		"two blobs": mask.Draw(150, 80, func(x, y float64) bool {
			return disc(40, 40, 30)(x, y) || disc(115, 45, 22)(x, y)
		}),
		"petal": mask.Draw(200, 100, func(x, y float64) bool {
			return disc(50, 50, 40)(x, y) || x > 80 && x < 195 && math.Abs(y-50) < 3
		}),
		"at the border": mask.Draw(60, 60, func(x, y float64) bool { return x < 40 && y < 30 }),
		"noise":         noise,
	}
}

func newField(t *testing.T, m *mask.Mask) *field.Field {
	t.Helper()
	f, err := field.New(context.Background(), m, 3)
	if err != nil {
		t.Fatal(err)
	}
	return f
}

// closed checks that every edge of r is used by exactly two triangles, in opposite directions
// (which also proves consistent winding), and that no triangle repeats a vertex or has no area.
func closed(t *testing.T, r *Relief) {
	t.Helper()
	uses := map[[2]uint32]int{}
	for k := 0; k+2 < len(r.Indices); k += 3 {
		tri := r.Indices[k : k+3]
		a, b, c := r.Pos[tri[0]], r.Pos[tri[1]], r.Pos[tri[2]]
		cross := (b[0]-a[0])*(c[1]-a[1]) - (c[0]-a[0])*(b[1]-a[1])
		if tri[0] == tri[1] || tri[1] == tri[2] || tri[0] == tri[2] || math.Abs(cross) < 1e-9 {
			t.Fatalf("triangle %d is degenerate: %v", k/3, tri)
		}
		for e := 0; e < 3; e++ {
			uses[[2]uint32{tri[e], tri[(e+1)%3]}]++
		}
	}
	for e, n := range uses {
		if n != 1 || uses[[2]uint32{e[1], e[0]}] != 1 {
			t.Fatalf("edge %v is used %d times forward and %d backward", e, n, uses[[2]uint32{e[1], e[0]}])
		}
	}
}

func TestBuildIsClosedAndHitsTheCount(t *testing.T) {
	for name, m := range shapes() {
		f := newField(t, m)
		for _, target := range []int{500, 2000, 20000} {
			r, err := Build(context.Background(), f, m.Bounds(), target, 0.01)
			if err != nil {
				t.Fatalf("%s at %d: %v", name, target, err)
			}
			closed(t, r)
			got := len(r.Indices) / 3
			if name != "noise" && math.Abs(float64(got-target)) > 4 {
				t.Errorf("%s: %d triangles for a target of %d", name, got, target)
			}
			t.Logf("%s: %d → %d triangles, %d vertices", name, target, got, len(r.Pos))
		}
	}
}

// TestFrontFacesUp checks the winding: front triangles face +Z once image y is flipped to world
// up, and back triangles face −Z.
func TestFrontFacesUp(t *testing.T) {
	m := shapes()["ring"]
	r, err := Build(context.Background(), newField(t, m), m.Bounds(), 2000, 0.01)
	if err != nil {
		t.Fatal(err)
	}
	for k := 0; k+2 < len(r.Indices); k += 3 {
		tri := r.Indices[k : k+3]
		var z float64
		for _, v := range tri {
			z += r.Pos[v][2]
		}
		a, b, c := r.Pos[tri[0]], r.Pos[tri[1]], r.Pos[tri[2]]
		// Normal z in world coordinates, where y = −image y.
		nz := (b[0]-a[0])*(-(c[1] - a[1])) - (c[0]-a[0])*(-(b[1] - a[1]))
		if z > 0 && nz <= 0 || z < 0 && nz >= 0 {
			t.Fatalf("triangle %d (z sum %g) faces the wrong way", k/3, z)
		}
	}
}

// TestCoarseOutlineStaysOnTheBox: at a coarse spacing the lattice reaches well outside the
// distance field's region; the outline must still land on the object's edges, not drift outward.
func TestCoarseOutlineStaysOnTheBox(t *testing.T) {
	m := mask.New(200, 150)
	for i := range m.In {
		m.In[i] = true
	}
	r, err := Build(context.Background(), newField(t, m), m.Bounds(), 500, 0.01)
	if err != nil {
		t.Fatal(err)
	}
	lo, hi := [2]float64{math.Inf(1), math.Inf(1)}, [2]float64{math.Inf(-1), math.Inf(-1)}
	for _, p := range r.Pos {
		for a := 0; a < 2; a++ {
			lo[a], hi[a] = math.Min(lo[a], p[a]), math.Max(hi[a], p[a])
		}
	}
	if math.Abs(lo[0]) > 0.1 || math.Abs(lo[1]) > 0.1 || math.Abs(hi[0]-200) > 0.1 || math.Abs(hi[1]-150) > 0.1 {
		t.Errorf("outline spans %v to %v, want (0, 0) to (200, 150)", lo, hi)
	}
}

// TestTooThinForTheTarget: a one-pixel line cannot be meshed with 500 triangles (lattices coarse
// enough for that miss it), and says so; with more triangles it meshes.
func TestTooThinForTheTarget(t *testing.T) {
	m := mask.Draw(300, 300, func(x, y float64) bool { return x > 150 && x < 151 && y > 10 && y < 290 })
	f := newField(t, m)
	if _, err := Build(context.Background(), f, m.Bounds(), 500, 0.01); !errors.Is(err, ErrTooThin) {
		t.Fatalf("Build: %v, want ErrTooThin", err)
	}
	r, err := Build(context.Background(), f, m.Bounds(), 20000, 0.01)
	if err != nil {
		t.Fatal(err)
	}
	closed(t, r)
}
