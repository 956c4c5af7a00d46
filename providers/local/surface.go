package local

import (
	"context"
	"errors"

	"github.com/kiln3d/kiln/providers/local/hull"
	"github.com/kiln3d/kiln/providers/local/mesh"
)

// The hull is extracted on a lattice sized for the budget, whose triangles are evenly shaped.
// Where that lattice misses a tip (see hull.ReachTips), it is extracted finer and decimated to the budget
// instead, which keeps the tip but leaves long thin triangles wherever the surface is flat or
// ruled (decimation collapses along straight lines for free): twice the budget, else fineFactor
// times it, within fineMin and fineMax triangles (the cap keeps the largest budgets to about a
// second of simplifying).
const (
	fineFactor = 4
	fineMin    = 80000
	fineMax    = 600000
	// smoothPasses of Taubin smoothing even out marching tetrahedra's irregular triangles before
	// decimation; each moves the surface by a small fraction of a cell.
	smoothPasses = 4
	// countSlack is how far from the budget a decimated surface's triangle count may be.
	countSlack = 0.05
	// shortfall is the share of the box's largest side a surface may fall short of a tip by
	// before the finer extraction is tried: a tenth of a cell or so at 20k triangles.
	shortfall = 0.005
)

// decimator reduces a closed surface to about target triangles, returning a new index buffer
// over the same vertices (see decimate).
type decimator func(ctx context.Context, pos [][3]float64, indices []uint32, target int) ([]uint32, error)

// hullSurface extracts h's surface with target triangles (within one: a closed surface's count
// is even): on a lattice sized for the budget and smoothed, or, when that lattice loses a tip
// of the hull or is too thin for it, finely and decimated by dec (unless dec fails or ends
// outside countSlack of the budget). Either way caps are flipped away, vertices snapped back
// onto the hull and its edges, and a count short of the budget topped up by splitting edges.
func hullSurface(ctx context.Context, h *hull.Hull, target int, dec decimator) (*hull.Surface, error) {
	s, err := extract(ctx, h, target)
	if err != nil && !errors.Is(err, hull.ErrTooThin) {
		return nil, err
	}
	if err != nil || h.ReachTips(s.Pos, s.Indices) > shortfall {
		// The fewer triangles decimation removes, the fewer long thin ones it leaves: try
		// twice the budget first, then the finer lattice, keeping the first that reaches the
		// height (else the finest that worked).
		for _, fine := range []int{2 * target, min(max(fineFactor*target, fineMin), fineMax)} {
			d, err := decimated(ctx, h, fine, target, dec)
			if err != nil {
				return nil, err
			}
			if d != nil {
				s = d
				if h.ReachTips(d.Pos, d.Indices) <= shortfall {
					break
				}
			}
		}
		if s == nil {
			return nil, hull.ErrTooThin
		}
	}
	mesh.FlipCaps(s.Pos, s.Indices)
	if err := h.Snap(ctx, s.Pos, s.Indices); err != nil {
		return nil, err
	}
	for s.Triangles() < target-1 {
		pos, idx, n := mesh.SplitEdges(s.Pos, s.Indices, (target-s.Triangles())/2)
		if n == 0 {
			break
		}
		s.Pos, s.Indices = pos, idx
	}
	return s, ctx.Err()
}

// decimated extracts h with about fine triangles and decimates it to target; it returns nil (and
// no error) when the lattice is too thin, or dec fails or misses the budget, for the caller to
// fall back on.
func decimated(ctx context.Context, h *hull.Hull, fine, target int, dec decimator) (*hull.Surface, error) {
	s, err := extract(ctx, h, fine)
	if err != nil {
		if errors.Is(err, hull.ErrTooThin) {
			return nil, nil
		}
		return nil, err
	}
	if s.Triangles() <= target {
		return s, nil
	}
	idx, err := dec(ctx, s.Pos, s.Indices, target)
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	n := float64(len(idx) / 3)
	if err != nil || n > (1+countSlack)*float64(target) || n < (1-countSlack)*float64(target) {
		return nil, nil
	}
	s.Indices = idx
	return s, nil
}

// extract fits a lattice to at most target triangles, extracts its surface and smooths it.
func extract(ctx context.Context, h *hull.Hull, target int) (*hull.Surface, error) {
	g, _, err := hull.Fit(ctx, h, target)
	if err != nil {
		return nil, err
	}
	s, err := g.Extract(ctx)
	if err != nil {
		return nil, err
	}
	if err := mesh.Smooth(ctx, s.Pos, s.Indices, smoothPasses); err != nil {
		return nil, err
	}
	return s, nil
}
