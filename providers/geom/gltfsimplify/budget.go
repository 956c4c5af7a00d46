package gltfsimplify

import (
	"context"
	"errors"
	"fmt"
	"slices"

	"github.com/kiln3d/kiln/providers/geom/simplify"
)

// ErrBudget marks a triangle budget below what the model can come down to without breaking
// its parts; the error is a *BudgetError that says how far it comes.
var ErrBudget = errors.New("the model cannot come down to that budget")

// BudgetError is a budget the model cannot meet: every primitive that could shed triangles
// shed all it could (closed parts stop at a few triangles, locked corners and seams stay), and
// the model still draws more than Target.
type BudgetError struct {
	// Target is the budget asked for. Least is what the model draws with every primitive
	// simplified from its input as far as it goes: a budget File always meets. Both count
	// triangles drawn (see Triangles).
	Target, Least int
}

func (e *BudgetError) Error() string {
	return fmt.Sprintf("%v: it draws %d triangles at the fewest without breaking its parts, more than the %d asked for; give it a larger budget, %d or more",
		ErrBudget, e.Least, e.Target, e.Least)
}

// Is makes errors.Is(err, ErrBudget) true.
func (e *BudgetError) Is(target error) bool { return target == ErrBudget }

// minGoal is the fewest triangles a primitive is asked for: a primitive must keep one triangle
// at least (an accessor cannot be empty), and Simplify may end one below its target.
const minGoal = 2

// fromInput is how many rounds simplify each primitive again from its input; later rounds
// start from the last result, which is much faster and only has a few triangles left to take.
const fromInput = 3

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

// simplifyAll brings the primitives to at most target triangles drawn in total (a primitive
// counts once per use), and returns each primitive's new index buffer, empty for one that
// keeps its own (see kept).
//
// The budget is shared in proportion to the triangles each primitive draws, so every part
// comes down by the same ratio; a primitive's own goal is its share divided by its uses. A
// primitive that cannot come down that far (a small closed part, locked seams) leaves
// triangles over; those that met their goals take them off their own, in proportion to what
// they draw, and are simplified again: from their input for the first rounds, then from their
// last result, until the total fits or none can shed more (see lastResort).
func simplifyAll(ctx context.Context, prims []*primitive, target int, report func(float64)) ([][]uint32, error) {
	b := &budget{prims: prims, target: target, report: report, out: make([][]uint32, len(prims)),
		got: make([]int, len(prims)), floor: make([]bool, len(prims)), least: make([]bool, len(prims))}
	drawn := make([]int, len(prims))
	for i, pr := range prims {
		drawn[i] = pr.triangles * pr.uses
	}
	goals := make([]int, len(prims))
	for i, s := range share(target, drawn) {
		goals[i] = max(s/prims[i].uses, b.lowest(i))
	}
	redo := make([]bool, len(prims))
	for i := range redo {
		redo[i] = true
	}
	for round := 0; ; round++ {
		lo, span := b.span(round)
		fromResult := round >= fromInput
		err := b.run(ctx, redo, fromResult, goals, lo, span, func(i int, res []uint32) {
			b.out[i], b.got[i] = res, kept(prims[i], res)
			if b.got[i] > goals[i] {
				b.floor[i] = true
			}
			b.least[i] = !fromResult && goals[i] == b.lowest(i)
		})
		if err != nil {
			return nil, err
		}
		clear(redo)
		if total := b.total(); total <= target {
			b.done()
			return b.out, nil
		} else if !tighten(prims, goals, b.got, b.floor, total-target, redo) {
			if err := b.lastResort(ctx, round+1); err != nil {
				return nil, err
			}
			b.done()
			return b.out, nil
		}
	}
}

// budget is simplifyAll's state: what each primitive keeps now.
type budget struct {
	prims  []*primitive
	target int
	report func(float64)
	out    [][]uint32
	got    []int  // triangles each primitive keeps (see kept)
	floor  []bool // the primitive stopped above its goal: it sheds no more that way
	least  []bool // out is the primitive simplified from its input as far as it goes
}

// lowest is the fewest triangles primitive i is ever asked for.
func (b *budget) lowest(i int) int { return min(minGoal, b.prims[i].triangles) }

// total is the triangles the primitives draw now.
func (b *budget) total() int {
	n := 0
	for i, pr := range b.prims {
		n += b.got[i] * pr.uses
	}
	return n
}

// span is where round's progress lies: the first round is most of the work, and each later
// one has half the room of the one before, so that progress keeps moving however many there
// are.
func (b *budget) span(round int) (lo, span float64) {
	if round == 0 {
		return 0, 0.8
	}
	span = 0.2 / float64(uint64(1)<<min(round, 60))
	return 1 - 2*span, span
}

func (b *budget) done() {
	if b.report != nil {
		b.report(1)
	}
}

// run simplifies each primitive marked in which to its goal, from its input or, with
// fromResult, from its last result, and hands each result to keep. Progress goes from lo to
// lo+span in proportion to the primitives' sizes.
func (b *budget) run(ctx context.Context, which []bool, fromResult bool, goals []int, lo, span float64, keep func(int, []uint32)) error {
	work, done := 0, 0
	for i, pr := range b.prims {
		if which[i] {
			work += pr.triangles
		}
	}
	for i, pr := range b.prims {
		if !which[i] {
			continue
		}
		from := pr.indices
		if fromResult && len(b.out[i]) > 0 {
			from = b.out[i]
		}
		base := lo + span*float64(done)/float64(max(work, 1))
		part := span * float64(pr.triangles) / float64(max(work, 1))
		opts := simplify.Options{Attributes: pr.attrs, Weights: pr.weights}
		if b.report != nil {
			opts.Report = func(d float64) { b.report(base + part*d) }
		}
		res, err := simplify.Simplify(ctx, pr.positions, from, goals[i], opts)
		if err != nil {
			return fmt.Errorf("mesh %d primitive %d: %w", pr.mesh, pr.index, err)
		}
		keep(i, res)
		done += pr.triangles
	}
	return nil
}

// lastResort ends a reduction that no primitive can take further toward its goal while the
// total is still above the target. Where Simplify stops depends on the goal and on where it
// starts, so a primitive brought down from its input as far as it goes may end lower than it
// stopped on the way to a goal: every primitive's floor is found that way, and floors replace
// results, largest saving first, until the total fits. When even every floor together is above
// the target, the model cannot meet it: a *BudgetError gives that sum, which a later run with
// it as the target always meets (Simplify is deterministic).
func (b *budget) lastResort(ctx context.Context, round int) error {
	n := len(b.prims)
	floors, fgot := make([][]uint32, n), make([]int, n)
	which, goals := make([]bool, n), make([]int, n)
	for i := range b.prims {
		if b.least[i] {
			floors[i], fgot[i] = b.out[i], b.got[i]
		} else {
			which[i], goals[i] = true, b.lowest(i)
		}
	}
	lo, span := b.span(round)
	err := b.run(ctx, which, false, goals, lo, span, func(i int, res []uint32) {
		floors[i], fgot[i] = res, kept(b.prims[i], res)
	})
	if err != nil {
		return err
	}
	sum := 0
	var order []int
	for i, pr := range b.prims {
		sum += fgot[i] * pr.uses
		if fgot[i] < b.got[i] {
			order = append(order, i)
		}
	}
	if sum > b.target {
		return &BudgetError{Target: b.target, Least: sum}
	}
	saving := func(i int) int { return (b.got[i] - fgot[i]) * b.prims[i].uses }
	slices.SortStableFunc(order, func(x, y int) int { return saving(y) - saving(x) })
	total := b.total()
	for _, i := range order {
		if total <= b.target {
			break
		}
		total -= saving(i)
		b.out[i], b.got[i] = floors[i], fgot[i]
	}
	return nil
}

// kept is how many triangles pr keeps with the simplified triangles idx: an empty result (the
// primitive held nothing but degenerate triangles) keeps the primitive as it was, since a
// primitive cannot be left without triangles.
func kept(pr *primitive, idx []uint32) int {
	if len(idx) == 0 {
		return pr.triangles
	}
	return len(idx) / 3
}

// tighten takes excess drawn triangles off the goals of the primitives that can still shed
// some, in proportion to what each draws now, marking those in redo. It reports whether any
// goal came down; when none can, the model is as small as it gets.
func tighten(prims []*primitive, goals, got []int, floor []bool, excess int, redo []bool) bool {
	free := make([]int, len(prims))
	for i, pr := range prims {
		if !floor[i] && got[i] > minGoal {
			free[i] = got[i] * pr.uses
		}
	}
	any := false
	for i, c := range share(excess, free) {
		if c == 0 {
			continue
		}
		u := prims[i].uses
		goals[i] = max(got[i]-(c+u-1)/u, minGoal)
		redo[i] = true
		any = true
	}
	return any
}
