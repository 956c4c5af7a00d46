package local

import (
	"context"
	"math"
	"testing"

	"github.com/kiln3d/kiln/providers/local/field"
	"github.com/kiln3d/kiln/providers/local/mask"
	"github.com/kiln3d/kiln/providers/local/mesh"
)

// depth scales a Round model's half-thickness: a disc at depth 1 is a ball as deep as it is
// wide; at 0.5 it is half as deep, at 2 twice, and the floor that keeps front and back apart
// holds whatever the depth.
func TestDepthScalesTheThickness(t *testing.T) {
	ctx := context.Background()
	const size = 120
	m := mask.New(size, size)
	for y := 0; y < size; y++ {
		for x := 0; x < size; x++ {
			m.In[y*size+x] = math.Hypot(float64(x)+0.5-60, float64(y)+0.5-60) <= 50
		}
	}
	f, err := field.New(ctx, m, fieldPad)
	if err != nil {
		t.Fatal(err)
	}
	const hFloor = 0.05
	depthOf := func(r *mesh.Relief) (lo, hi, least float64) {
		least = math.Inf(1)
		for i, p := range r.Pos {
			lo, hi = math.Min(lo, p[2]), math.Max(hi, p[2])
			if r.Side[i] != mesh.Rim {
				least = math.Min(least, math.Abs(p[2]))
			}
		}
		return lo, hi, least
	}
	round := 0.0 // the half-thickness at depth 1
	for _, depth := range []float64{1, 0.5, 2, 0.1} {
		r, err := mesh.Build(ctx, f, m.Bounds(), 4000, hFloor)
		if err != nil {
			t.Fatal(err)
		}
		deepen(r, depth, hFloor)
		lo, hi, least := depthOf(r)
		if depth == 1 {
			// A ball: as deep as the largest disc's radius, less what the lattice misses of
			// its top.
			if round = hi; math.Abs(hi-f.MaxDist) > 0.03*f.MaxDist {
				t.Errorf("depth 1: %.2f deep, want %.2f", hi, f.MaxDist)
			}
		}
		if want := round * depth; math.Abs(hi-want) > 1e-9*want || math.Abs(-lo-want) > 1e-9*want {
			t.Errorf("depth %v: from %.2f to %.2f, want ±%.2f", depth, lo, hi, want)
		}
		if least < hFloor-1e-12 {
			t.Errorf("depth %v: a vertex %.4f from the mid-plane, under the floor %v", depth, least, hFloor)
		}
	}
	if _, err := inflate(ctx, nil, nil, 500, 0, nil); err == nil {
		t.Error("depth 0: no error")
	}
	if _, err := inflate(ctx, nil, nil, 500, math.NaN(), nil); err == nil {
		t.Error("depth NaN: no error")
	}
}
