package simplify

import (
	"context"
	"fmt"
	"math"
)

// ranked is a position and its cheapest collapse's cost, as sorted in a pass.
type ranked struct {
	key uint32 // the cost as float32 bits: for costs ≥ 0 they sort like the costs
	p   int32
}

// passes does most of a worker's collapses the way meshoptimizer does all of them: rank every
// position's cheapest collapse, sort, and collapse in that order, skipping any collapse whose
// source or target has moved or absorbed another in the same pass (their costs are then out of
// date); repeat until it has removed goal triangles. Between passes only the positions that a
// collapse touched are looked at again, in memory order, rather than after each collapse as
// the queue does, and no queue is kept up to date: on large meshes that is faster, at about
// the same quality. The queue then does the last, costliest collapses, where the order
// matters most.
func (w *worker) passes(ctx context.Context, goal int, progress func(removed int)) error {
	var order, tmp []ranked
	moved := make([]uint32, w.np) // pass number in which a position moved or absorbed one
	for i := range w.dirty {
		w.dirty[i] = true
	}
	for pass := uint32(1); w.removed < goal; pass++ {
		order = order[:0]
		for p := int32(0); p < int32(w.np); p++ {
			if p&4095 == 0 {
				if err := ctx.Err(); err != nil {
					return fmt.Errorf("simplify: %w", err)
				}
			}
			if (w.part != anyPart && w.v[p].part != w.part) || w.v[p].kind >= locked {
				continue
			}
			// A position no collapse has touched keeps its best collapse and its cost; one
			// whose best turned out invalid takes its cheapest valid one instead.
			if w.dirty[p] || w.stale[p] {
				w.best[p].to = -1
				if c, ok := w.cheapest(p, w.stale[p]); ok {
					w.best[p] = c
				}
				w.dirty[p], w.stale[p] = false, false
			}
			if c := w.best[p]; c.to >= 0 {
				order = append(order, ranked{math.Float32bits(float32(c.cost)), p})
			}
		}
		if len(order) == 0 {
			return nil
		}
		order, tmp = radixSort(order, tmp)
		// Like meshoptimizer, stop a pass early once collapses cost well above what the pass
		// was expected to reach, so that they wait for the next ranking rather than go in
		// ahead of cheaper ones that locks held back.
		edgeGoal := (goal - w.removed) / 2
		limit := float32(math.Inf(1))
		if edgeGoal < len(order) {
			limit = 1.5 * math.Float32frombits(order[edgeGoal].key)
		}
		before := w.removed
		for i, r := range order {
			if w.removed >= goal {
				break
			}
			if i&1023 == 0 {
				if err := ctx.Err(); err != nil {
					return fmt.Errorf("simplify: %w", err)
				}
				progress(w.removed)
			}
			if math.Float32frombits(r.key) > limit && w.removed-before > (goal-before)/6 {
				break
			}
			p := r.p
			c := w.best[p]
			if moved[p] == pass || moved[c.to] == pass {
				continue
			}
			if !w.valid(p, c) {
				w.stale[p] = true
				continue
			}
			w.collapse(p, c)
			moved[p], moved[c.to] = pass, pass
			w.retarget(c.to, p)
		}
		// Once a pass achieves little (locks and the cost limit hold most collapses back as
		// the mesh gets coarse), the queue does the rest better.
		if got := w.removed - before; got == 0 || got < (goal-before)/16 || got < len(order)/64 {
			return nil
		}
	}
	return nil
}

// retarget marks for the next pass the positions whose best collapse p's collapse onto q may
// have changed, as refresh updates them for the queue: q (its quadric grew), the neighbours
// that aimed at p, and p's other neighbours (q is a new candidate). Looking at them all in
// memory order at the next pass is cheaper than costing q for each of them now.
func (w *worker) retarget(q, p int32) {
	w.dirty[q] = true
	for _, a := range w.apex {
		if a >= 0 && w.best[a].to == p {
			w.dirty[a] = true
		}
	}
	for _, n := range w.nbrs {
		w.dirty[n.p] = true
	}
}

// cheapest is p's cheapest collapse; with checked, its cheapest valid one.
func (w *worker) cheapest(p int32, checked bool) (candidate, bool) {
	w.candidates(p)
	cs := w.cands
	if len(cs) == 0 {
		return candidate{}, false
	}
	w.costs(p, cs)
	if checked {
		return w.cheapestValid(p, cs)
	}
	best := cs[0]
	for _, c := range cs[1:] {
		if c.cost < best.cost {
			best = c
		}
	}
	return best, true
}

// radixSort sorts rs by key, least significant 16 bits first, using tmp as scratch; it returns
// the sorted slice and the scratch to reuse.
func radixSort(rs, tmp []ranked) ([]ranked, []ranked) {
	if cap(tmp) < len(rs) {
		tmp = make([]ranked, len(rs))
	}
	tmp = tmp[:len(rs)]
	var count [1 << 16]int32
	for shift := uint(0); shift < 32; shift += 16 {
		clear(count[:])
		for _, r := range rs {
			count[r.key>>shift&0xFFFF]++
		}
		sum := int32(0)
		for i, c := range count {
			count[i] = sum
			sum += c
		}
		for _, r := range rs {
			b := r.key >> shift & 0xFFFF
			tmp[count[b]] = r
			count[b]++
		}
		rs, tmp = tmp, rs
	}
	return rs, tmp
}
