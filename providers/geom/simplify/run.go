package simplify

import (
	"context"
	"fmt"
	"math"
	"sync/atomic"
)

// Parts of the mesh, per position (see split).
const (
	anyPart  int8 = -2 // a worker that may change every part
	frontier int8 = -1 // a position with triangles in both halves: nobody moves it while they run
)

// parallelMin is the triangle count from which a second core pays for itself.
const parallelMin = 100_000

// queueShare is the part of a worker's collapses done one at a time from the queue, after the
// passes (see passes).
const queueShare = 0.2

// worker collapses edges within one part of the mesh with its own queue and scratch space, so
// that two can work at once on the two halves of a large mesh: every position, triangle and
// wedge a worker changes belongs to its part alone.
type worker struct {
	*simplifier
	part    int8
	queue   queue
	stamp   []uint32 // per position, marks neighbours for the current epoch
	epoch   uint32
	cands   []candidate
	fan     []fanEntry // the fan of position fanOf, read by gather
	fanOf   int32
	nbrs    []neighbour // the last collapse's source's other neighbours
	apex    [2]int32    // the last collapse's edge's third vertices, -1 for none
	removed int         // triangles this worker collapsed away
	// stale marks a position whose best collapse must be looked at again, validity included,
	// before it is used: its cost is only a lower bound, or it turned out invalid.
	stale []bool
	// dirty marks a position whose best collapse must be found again (see passes).
	dirty []bool
}

// newWorker makes a worker for part (anyPart for the whole mesh).
func (s *simplifier) newWorker(part int8) *worker {
	w := &worker{simplifier: s, part: part, queue: newQueue(s.np), stamp: make([]uint32, s.np),
		stale: make([]bool, s.np), dirty: make([]bool, s.np), fanOf: -1}
	for i := range w.dirty {
		w.dirty[i] = true
	}
	return w
}

// nextEpoch returns a fresh mark for stamp, so that marking neighbours needs no clearing.
func (w *worker) nextEpoch() uint32 {
	w.epoch++
	if w.epoch == 0 {
		clear(w.stamp)
		w.epoch = 1
	}
	return w.epoch
}

// run collapses the cheapest valid edge until target triangles remain or none is left. A large
// mesh is first cut in two halves that are simplified at once, each to its share of the target
// with the positions along the cut held still; then one worker finishes over the whole mesh,
// starting with the cut. The halves never compete for the same collapse, so the result hardly
// differs from a single queue's, and it does not depend on how the two goroutines interleave.
func (s *simplifier) run(ctx context.Context, target int, report func(float64)) error {
	toRemove := s.ntri - target
	step := max(1, toRemove/100)
	next := 0
	progress := func(removed int) {
		if report != nil && removed >= next {
			report(min(float64(removed)/float64(toRemove), 1))
			next = removed + step
		}
	}
	final := s.newWorker(anyPart)
	if s.parallel {
		goals := s.split(target)
		a, b := s.newWorker(0), s.newWorker(1)
		var theirs atomic.Int64
		errs := make(chan error, 1)
		go func() {
			errs <- b.collapseTo(ctx, goals[1], func(n int) {
				if n&255 == 0 {
					theirs.Store(int64(n))
				}
			})
		}()
		errA := a.collapseTo(ctx, goals[0], func(n int) { progress(n + int(theirs.Load())) })
		errB := <-errs
		if errA != nil {
			return errA
		}
		if errB != nil {
			return errB
		}
		final.removed = a.removed + b.removed
		for p := range s.v {
			if s.v[p].part == frontier {
				s.prune(int32(p))
			}
		}
	}
	err := final.collapseTo(ctx, toRemove, progress)
	s.ntri -= final.removed
	if err == nil && report != nil {
		report(1)
	}
	return err
}

// collapseTo collapses in the worker's part until it has removed goal triangles or no valid
// collapse is left: passes first, then the queue for the last queueShare of them.
func (w *worker) collapseTo(ctx context.Context, goal int, progress func(removed int)) error {
	if err := w.passes(ctx, goal-int(queueShare*float64(goal)), progress); err != nil {
		return err
	}
	for p := int32(0); p < int32(w.np); p++ {
		if p&4095 == 0 {
			if err := ctx.Err(); err != nil {
				return fmt.Errorf("simplify: %w", err)
			}
		}
		if w.part != anyPart && w.v[p].part != w.part {
			continue
		}
		if c := w.best[p]; !w.dirty[p] && c.to >= 0 && w.v[p].kind < locked {
			w.queue.set(p, c.cost)
			continue
		}
		w.evaluate(p, false)
	}
	sweeps := 0
	for iter := 0; w.removed < goal; iter++ {
		if iter&1023 == 0 {
			if err := ctx.Err(); err != nil {
				return fmt.Errorf("simplify: %w", err)
			}
		}
		progress(w.removed)
		p, ok := w.queue.top()
		if !ok {
			// Collapses elsewhere may have made collapses valid that were not when their vertex
			// was last looked at: look at every vertex again, a couple of times at most.
			if sweeps == 2 {
				break
			}
			sweeps++
			for v := int32(0); v < int32(w.np); v++ {
				w.evaluate(v, true)
			}
			if w.queue.len() == 0 {
				break
			}
			continue
		}
		if w.stale[p] || !w.valid(p, w.best[p]) {
			w.evaluate(p, true)
			// Still the cheapest with a collapse now known valid: no need to test it again.
			if q, ok := w.queue.top(); !ok || q != p {
				continue
			}
		}
		c := w.best[p]
		w.collapse(p, c)
		w.refresh(c.to, p)
	}
	progress(w.removed)
	return nil
}

// split cuts the mesh in two halves of about equal triangle counts across its longest axis,
// marks each position with its half (or frontier when it has triangles in both), and returns
// how many triangles each half should remove to reach its share of target.
func (s *simplifier) split(target int) [2]int {
	var lo, hi vec3
	for k := 0; k < 3; k++ {
		lo[k], hi[k] = math.Inf(1), math.Inf(-1)
	}
	for i := range s.v {
		p := s.v[i].pos
		for k := 0; k < 3; k++ {
			lo[k], hi[k] = min(lo[k], p[k]), max(hi[k], p[k])
		}
	}
	axis := 0
	for k := 1; k < 3; k++ {
		if hi[k]-lo[k] > hi[axis]-lo[axis] {
			axis = k
		}
	}
	// The median centroid, to a thousandth of the extent, from a histogram.
	const bins = 1024
	var hist [bins]int
	width := max(hi[axis]-lo[axis], 1e-30)
	bin := make([]int16, s.ntri)
	for t := 0; t < s.ntri; t++ {
		c := (s.v[s.c[3*t].p].pos[axis] + s.v[s.c[3*t+1].p].pos[axis] + s.v[s.c[3*t+2].p].pos[axis]) / 3
		b := min(int((c-lo[axis])/width*bins), bins-1)
		bin[t] = int16(b)
		hist[b]++
	}
	cut, sum := 0, 0
	for cut < bins && sum+hist[cut] <= s.ntri/2 {
		sum += hist[cut]
		cut++
	}
	const unset = -3
	for i := range s.v {
		s.v[i].part = unset
	}
	var count [2]int
	for t := 0; t < s.ntri; t++ {
		half := int8(0)
		if int(bin[t]) >= cut {
			half = 1
		}
		count[half]++
		for _, c := range s.c[3*t : 3*t+3] {
			p := c.p
			switch s.v[p].part {
			case unset:
				s.v[p].part = half
			case half:
			default:
				s.v[p].part = frontier
			}
		}
	}
	for i := range s.v {
		if s.v[i].part == unset {
			s.v[i].part = frontier
		}
	}
	var goals [2]int
	for h := range goals {
		share := int(math.Round(float64(target) * float64(count[h]) / float64(s.ntri)))
		goals[h] = max(count[h]-share, 0)
	}
	return goals
}
