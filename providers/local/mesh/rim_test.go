package mesh

import (
	"context"
	"math"
	"testing"

	"github.com/kiln3d/kiln/providers/local/mask"
)

// rimSteepness is the largest |n_z| of the unit face normals of triangles that touch the
// outline: 0 when the surface leaves the outline square to the mid-plane, as a round
// cross-section does; near 1 for a ridge.
func rimSteepness(r *Relief) (worst, mean float64) {
	n := 0
	for k := 0; k+2 < len(r.Indices); k += 3 {
		tri := r.Indices[k : k+3]
		if r.Side[tri[0]] != Rim && r.Side[tri[1]] != Rim && r.Side[tri[2]] != Rim {
			continue
		}
		a, b, c := r.Pos[tri[0]], r.Pos[tri[1]], r.Pos[tri[2]]
		nv := cross(sub(b, a), sub(c, a))
		z := math.Abs(nv[2]) / math.Sqrt(dot(nv, nv))
		worst = math.Max(worst, z)
		mean += z
		n++
	}
	return worst, mean / float64(n)
}

// A disc inflates to a ball, whose cross-section is round: at the outline the surface must be
// nearly vertical (its normal nearly horizontal), not a ridge where front and back meet at an
// angle. Without rings the triangles from the outline to the lattice lean well over.
func TestRoundAtTheRim(t *testing.T) {
	m := mask.Draw(400, 400, disc(200, 200, 180))
	f := newField(t, m)
	for _, target := range []int{2000, 20000} {
		r, err := Build(context.Background(), f, m.Bounds(), target, 0.01)
		if err != nil {
			t.Fatal(err)
		}
		closed(t, r)
		worst, mean := rimSteepness(r)
		bare, err := BuildLifted(context.Background(), f, m.Bounds(), target, func(x, y, d float64) float64 {
			return math.Max(0.01, math.Max(d, f.SampleHeight(x, y)))
		}, 0)
		if err != nil {
			t.Fatal(err)
		}
		bareWorst, bareMean := rimSteepness(bare)
		t.Logf("%d triangles: rim normals' |n_z| mean %.3f, worst %.3f (without rings %.3f, %.3f)", target, mean, worst, bareMean, bareWorst)
		if mean > 0.06 || worst > 0.15 {
			t.Errorf("%d triangles: the surface meets the mid-plane at a slant: |n_z| mean %.3f, worst %.3f", target, mean, worst)
		}
	}
}

// A thin part keeps its own thickness: the petal, 5 pixels wide, becomes a tube about as thick
// as it is wide beside the disc it grows from, not a slab swollen by the disc's size, rings and
// all.
func TestThinPartsStayThin(t *testing.T) {
	m := shapes()["petal"]
	f := newField(t, m)
	for _, target := range []int{2000, 20000} {
		r, err := Build(context.Background(), f, m.Bounds(), target, 0.01)
		if err != nil {
			t.Fatal(err)
		}
		thickest := 0.0
		for _, p := range r.Pos {
			if p[0] > 120 && p[0] < 190 {
				thickest = math.Max(thickest, math.Abs(p[2]))
			}
		}
		if thickest > 3 || thickest < 1.5 {
			t.Errorf("%d triangles: the petal's half-thickness reaches %.2f px, want about its half-width 2.5", target, thickest)
		}
	}
}
