package hull

import (
	"context"
	"errors"
	"math"
)

// ErrTooThin says no lattice coarse enough for the triangle budget catches the object, while
// finer ones do.
var ErrTooThin = errors.New("hull: the object is too thin for so few triangles")

// Search limits: the finest spacing keeps a grid under maxPoints lattice points, and the search
// stops within closeEnough of the budget or after fitTries counts.
const (
	maxPoints   = 48e6
	fitTries    = 24
	closeEnough = 0.03
)

// Fit returns the grid whose surface has the most triangles not above target, and that count.
// A surface's triangle count falls roughly as 1/s², so the spacing is searched on that model and
// then bisected; counting is cheap next to extracting.
func Fit(ctx context.Context, h *Hull, target int) (*Grid, int, error) {
	if target < 1 {
		return nil, 0, errors.New("hull: no triangles asked for")
	}
	var (
		best   *Grid
		bestN  int
		above  bool
		fine   = 0.0         // the largest spacing known to give more than target
		coarse = math.Inf(1) // the smallest spacing known to give at most target
	)
	floor := math.Cbrt(h.Size[0] * h.Size[1] * h.Size[2] / maxPoints)
	s := math.Max(floor, math.Max(h.Size[0], math.Max(h.Size[1], h.Size[2]))/32)
	for try := 0; try < fitTries; try++ {
		g, err := NewGrid(ctx, h, s)
		if err != nil {
			return nil, 0, err
		}
		n, err := g.Count(ctx)
		if err != nil {
			return nil, 0, err
		}
		if n > target {
			above, fine = true, math.Max(fine, s)
		} else {
			coarse = math.Min(coarse, s)
			if n > bestN {
				best, bestN = g, n
			}
		}
		if float64(target-bestN) <= closeEnough*float64(target) {
			break
		}
		bracketed := fine > 0 && !math.IsInf(coarse, 1)
		if bracketed && coarse/fine < 1+1e-4 {
			break
		}
		// The count's 1/s² law says where the budget is; inside a bracket it is only trusted
		// when it lands strictly inside, and every third try bisects so the bracket shrinks.
		next := s / 2
		if n > 0 {
			next = s * math.Sqrt(float64(n)/(float64(target)*(1-closeEnough/2)))
		}
		switch {
		case bracketed && (next <= fine || next >= coarse || try%3 == 2):
			next = math.Sqrt(fine * coarse)
		case fine > 0:
			next = math.Max(next, fine*1.02)
		case !math.IsInf(coarse, 1) && n > 0:
			next = math.Min(next, coarse/1.02)
		}
		next = math.Max(next, floor)
		if next == s {
			break
		}
		s = next
	}
	switch {
	case best == nil && above:
		return nil, 0, ErrTooThin
	case best == nil:
		return nil, 0, errors.New("hull: no lattice catches the object")
	}
	return best, bestN, nil
}
