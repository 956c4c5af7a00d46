package local

import (
	"context"
	"errors"

	"github.com/kiln3d/kiln/providers/local/hull"
	"github.com/kiln3d/kiln/providers/local/mesh"
)

// The hull is extracted finer than the budget and decimated to it, so that the triangles go
// where the shape needs them: fineFactor times the budget, within fineMin and fineMax triangles
// (the cap keeps the largest budgets to about a second of simplifying).
const (
	fineFactor = 4
	fineMin    = 80000
	fineMax    = 600000
	// smoothPasses of Taubin smoothing even out marching tetrahedra's irregular triangles before
	// decimation; each moves the surface by a small fraction of a cell.
	smoothPasses = 4
	// countSlack is how far from the budget a decimated surface's triangle count may be.
	countSlack = 0.05
)

// decimator reduces a closed surface to about target triangles, returning a new index buffer
// over the same vertices (see decimate).
type decimator func(ctx context.Context, pos [][3]float64, indices []uint32, target int) ([]uint32, error)

// hullSurface extracts h's surface with target triangles (within one: a closed surface's count
// is even): finely, smoothed and decimated by dec. Should dec fail or end outside countSlack of
// the budget, the hull is extracted again on a lattice sized for the budget itself, a coarser
// shape but a sound one. Either way caps are flipped away, vertices snapped back onto the hull
// and its edges, and a count short of the budget topped up by splitting edges.
func hullSurface(ctx context.Context, h *hull.Hull, target int, dec decimator) (*hull.Surface, error) {
	s, err := decimated(ctx, h, target, dec)
	if err != nil {
		return nil, err
	}
	if s == nil {
		if s, err = extract(ctx, h, target); err != nil {
			return nil, err
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

// decimated extracts h finely and decimates it to target; it returns nil (and no error) when dec
// fails or misses the budget, for the caller to fall back on.
func decimated(ctx context.Context, h *hull.Hull, target int, dec decimator) (*hull.Surface, error) {
	s, err := extract(ctx, h, min(max(fineFactor*target, fineMin), fineMax))
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
