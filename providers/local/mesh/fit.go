package mesh

import (
	"context"
	"errors"
	"fmt"
	"image"
	"math"

	"github.com/kiln3d/kiln/providers/local/field"
)

// ErrTooSmall says the object is too small to mesh at all: no lattice fine enough catches it.
var ErrTooSmall = errors.New("mesh: the object is too small to mesh")

// ErrTooThin says the object is too thin for the requested triangle count: lattices coarse
// enough for the count miss it, finer ones catch it. How many triangles it needs is erratic (a
// one-pixel line is caught only where lattice points happen to fall on it), so no number is given.
var ErrTooThin = errors.New("mesh: the object is too thin for so few triangles")

// Limits of the lattice search. The spacing never goes below minSpacing pixels (a finer lattice
// only resamples the same bilinear field) and a pass never visits more than maxPoints points.
const (
	minSpacing  = 0.01
	maxPoints   = 40e6
	searchTries = 40
	// closeEnough stops the search once the splits left to do are this share of the triangles.
	closeEnough = 0.002
)

// Build makes the closed relief of f's object with `target` triangles in all, or as close as the
// object allows (within a few triangles when it has enough area). box is the object's bounding
// box in image pixels; hFloor is the least half-thickness of any inside vertex, in pixels.
//
// Marching squares gives 2 triangles per cell wholly inside, so the count falls roughly as 1/s².
// A counting pass is cheap (no vertices), so the spacing s is searched for the largest count not
// above the target; the few triangles still missing come from splitting that many full cells into
// four triangles around their centre (+2 per surface each), spread evenly over the object.
func Build(ctx context.Context, f *field.Field, box image.Rectangle, target int, hFloor float64) (*Relief, error) {
	return BuildLifted(ctx, f, box, target, func(x, y, d float64) float64 {
		// At least the distance itself (the point's own disc) and at least hFloor, so the front
		// and back copies of a point never meet, even where rounding makes the sampled height
		// vanish next to the outline.
		return math.Max(hFloor, math.Max(d, f.SampleHeight(x, y)))
	}, RoundRings)
}

// maxRingShare is the most of a surface's triangles that rings may take.
const maxRingShare = 0.3

// RoundRings is how many rings of vertices Build puts between the outline and the lattice, on
// each surface. Without them the surface would run straight from the outline, on the mid-plane,
// to the nearest lattice points, up to a cell inside and already well up the profile: a ridge
// where front and back meet. With a ball's profile, ring k of n at (k/(n+1))² of the way to the
// inside lattice point spaces the rings about evenly in angle around the rounded edge, so the
// surface leaves the outline nearly square to the mid-plane.
const RoundRings = 2

// Lift is the half-thickness of a relief at an inside image point (x, y) whose signed distance
// to the outline is d > 0: how far its front and back vertices stand from the mid-plane. It must
// be positive.
type Lift func(x, y, d float64) float64

// BuildLifted is Build with the surfaces' heights given by lift rather than by f's inflation:
// the same outline and triangle count, any profile (a flat slab with a rounded edge, say), with
// up to `rings` rings of vertices between the outline and the lattice (see RoundRings; fewer
// where they would take more than maxRingShare of the triangles). Rings suit a profile that
// rises steeply from the outline; on a shallow one they make slivers.
func BuildLifted(ctx context.Context, f *field.Field, box image.Rectangle, target int, lift Lift, rings int) (*Relief, error) {
	if rings < 0 {
		return nil, fmt.Errorf("mesh: %d rings", rings)
	}
	perSide := target / 2
	if perSide < 1 {
		return nil, fmt.Errorf("mesh: cannot make %d triangles", target)
	}
	area := 0
	for _, d := range f.Dist {
		if d > 0 {
			area++
		}
	}
	if area == 0 {
		return nil, ErrTooSmall
	}
	// Points a pass visits grow as (box/s)²; keep s where that stays affordable.
	floor := math.Max(minSpacing, math.Sqrt(float64(box.Dx()+2)*float64(box.Dy()+2)/maxPoints))

	// Rings cost triangles along the whole outline: where they would take more than
	// maxRingShare of the budget (a field of specks, a very low count), fewer rings leave the
	// lattice fine enough to catch the shape.
	var best fit
	for r := rings; ; r-- {
		var err error
		if best, err = search(ctx, f, box, perSide, area, floor, r); err != nil {
			return nil, err
		}
		if r == 0 || 2*r*best.t.segments <= int(maxRingShare*float64(perSide)) {
			break
		}
	}
	splits := min((perSide-best.t.perSide)/2, best.t.quads)
	r, err := best.g.build(ctx, lift, best.t, splits)
	if err != nil {
		return nil, err
	}
	r.topUp(f, lift, 2*perSide)
	return r, nil
}

// fit is the lattice a search settled on and what its counting pass found.
type fit struct {
	g     grid
	t     tally
	found bool
}

// search finds the lattice spacing whose count, with `rings` rings, comes closest to perSide
// triangles on each surface without passing it.
func search(ctx context.Context, f *field.Field, box image.Rectangle, perSide, area int, floor float64, rings int) (fit, error) {
	var best fit
	above := false // whether some lattice gave more triangles than the target
	try := func(s float64) (tally, error) {
		g := newGrid(f, box, s, rings)
		t, err := g.count(ctx)
		if err != nil {
			return t, err
		}
		if t.perSide <= perSide && t.perSide > 0 && (!best.found || t.perSide > best.t.perSide) {
			best.g, best.t, best.found = g, t, true
		}
		above = above || t.perSide > perSide
		return t, nil
	}
	done := func() bool {
		if !best.found {
			return false
		}
		missing := perSide - best.t.perSide
		return missing <= 2*best.t.quads && float64(missing) <= closeEnough*float64(perSide)
	}

	// Two triangles per pixel-sized cell of area: s ≈ √(2·area/perSide) lands near the target.
	// Bracket the target between a fine spacing (too many triangles) and a coarse one, then bisect.
	guess := math.Max(floor, math.Sqrt(2*float64(area)/float64(perSide)))
	t, err := try(guess)
	if err != nil {
		return fit{}, err
	}
	fine, coarse := guess, guess
	if t.perSide > perSide {
		for k := 0; k < searchTries && t.perSide > perSide; k++ {
			fine, coarse = coarse, coarse*1.5
			if t, err = try(coarse); err != nil {
				return fit{}, err
			}
		}
	} else {
		for k := 0; k < searchTries && t.perSide <= perSide && fine > floor; k++ {
			coarse, fine = fine, math.Max(floor, fine/1.5)
			if t, err = try(fine); err != nil {
				return fit{}, err
			}
		}
	}
	for k := 0; k < searchTries && !done() && coarse/fine > 1+1e-9; k++ {
		mid := math.Sqrt(fine * coarse)
		t, err := try(mid)
		if err != nil {
			return fit{}, err
		}
		if t.perSide > perSide {
			fine = mid
		} else {
			coarse = mid
		}
	}
	if !best.found && above {
		return fit{}, ErrTooThin
	}
	if !best.found {
		return fit{}, ErrTooSmall
	}
	return best, nil
}

// topUp splits edges until r has want triangles (want is even; r has at most that many and an
// even count, being closed): the lattice's count can fall a few short. Each new vertex is lifted
// onto the surface, or stays on the outline when it splits an outline edge.
func (r *Relief) topUp(f *field.Field, lift Lift, want int) {
	for len(r.Indices)/3 < want {
		n0 := len(r.Pos)
		pos, idx, n := SplitEdges(r.Pos, r.Indices, (want-len(r.Indices)/3)/2)
		if n == 0 {
			return
		}
		r.Pos, r.Indices = pos, idx
		for _, p := range r.Pos[n0:] {
			// A midpoint's height tells its edge: between two outline vertices it is on the
			// mid-plane, else on the side of its off-outline end.
			side := Rim
			switch {
			case p[2] > 0:
				side = Front
			case p[2] < 0:
				side = Back
			}
			r.Side = append(r.Side, side)
		}
		for i := n0; i < len(r.Pos); i++ {
			if r.Side[i] == Rim {
				continue
			}
			x, y := r.Pos[i][0], r.Pos[i][1]
			h := lift(x, y, math.Max(1e-3, f.SampleDist(x, y)))
			if r.Side[i] == Back {
				h = -h
			}
			r.Pos[i][2] = h
		}
	}
}
