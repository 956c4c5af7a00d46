package gltfsimplify

import (
	"context"
	"fmt"

	"github.com/kiln3d/kiln/providers/geom/simplify"
)

// share splits target over parts in proportion to their sizes, rounding so that the shares
// add up to target exactly (largest remainders first).
func share(target int, sizes []int) []int {
	total := 0
	for _, s := range sizes {
		total += s
	}
	out := make([]int, len(sizes))
	if total == 0 {
		return out
	}
	given := 0
	rem := make([]float64, len(sizes))
	for i, s := range sizes {
		exact := float64(target) * float64(s) / float64(total)
		out[i] = int(exact)
		rem[i] = exact - float64(out[i])
		given += out[i]
	}
	for ; given < target; given++ {
		best := -1
		for i := range rem {
			if sizes[i] > 0 && (best < 0 || rem[i] > rem[best]) {
				best = i
			}
		}
		if best < 0 {
			break
		}
		out[best]++
		rem[best] = -1
	}
	return out
}

// simplifyAll brings the primitives to about target triangles in total, each in proportion to
// its size. A primitive that cannot come down that far (a small closed part, locked seams)
// leaves triangles over; the others then take them off their own budgets and are simplified
// again, a few rounds at most. It returns each primitive's new index buffer.
func simplifyAll(ctx context.Context, prims []*primitive, target int, report func(float64)) ([][]uint32, error) {
	sizes := make([]int, len(prims))
	for i, pr := range prims {
		sizes[i] = len(pr.indices) / 3
	}
	goals := share(target, sizes)
	out := make([][]uint32, len(prims))
	redo := make([]bool, len(prims))
	for i := range redo {
		redo[i] = true
	}
	const rounds = 3
	for round := 0; round < rounds; round++ {
		work, done := 0, 0
		for i := range prims {
			if redo[i] {
				work += sizes[i]
			}
		}
		for i, pr := range prims {
			if !redo[i] {
				continue
			}
			// The first round is most of the work; later rounds share what remains.
			lo, span := 0.0, 0.8
			if round > 0 {
				lo, span = 0.8+0.2*float64(round-1)/(rounds-1), 0.2/(rounds-1)
			}
			base := lo + span*float64(done)/float64(max(work, 1))
			part := span * float64(sizes[i]) / float64(max(work, 1))
			opts := simplify.Options{Attributes: pr.attrs, Weights: pr.weights}
			if report != nil {
				opts.Report = func(d float64) { report(base + part*d) }
			}
			res, err := simplify.Simplify(ctx, pr.positions, pr.indices, goals[i], opts)
			if err != nil {
				return nil, fmt.Errorf("mesh %d primitive %d: %w", pr.mesh, pr.index, err)
			}
			out[i] = res
			done += sizes[i]
			redo[i] = false
		}
		// Simplify again, from the input, the primitives whose goals came down.
		if !rebalance(goals, out, target, redo) {
			break
		}
	}
	return out, nil
}

// rebalance moves the triangles that stuck primitives could not shed onto the goals of those
// that met theirs, in proportion to those goals, and marks those in changed. It reports
// whether any goal changed.
func rebalance(goals []int, out [][]uint32, target int, changed []bool) bool {
	got, excess := 0, 0
	free := make([]int, len(goals))
	for i, o := range out {
		n := len(o) / 3
		got += n
		if n > goals[i] {
			excess += n - goals[i]
		} else {
			free[i] = goals[i]
		}
	}
	if got <= target+target/50 || excess == 0 {
		return false
	}
	any := false
	for i, c := range share(excess, free) {
		if c > 0 && goals[i] > 0 {
			goals[i] = max(goals[i]-c, 0)
			changed[i] = true
			any = true
		}
	}
	return any
}
