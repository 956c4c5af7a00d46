package modeltest

import (
	"math"
	"math/rand/v2"
	"runtime"
	"slices"
	"sort"
	"sync"
)

// DistanceReport says how far a model's surface lies from the truth's, each figure a share of the
// truth's bounding-box diagonal (0.005 is 0.5%).
type DistanceReport struct {
	// Mean is the symmetric mean: the average of TruthToModel and ModelToTruth.
	Mean float64
	// P95 and Max are the 95th percentile and the largest of every sampled distance, both ways.
	P95, Max float64
	// TruthToModel is the mean distance from points on the truth to the model (large when the
	// model misses a part), ModelToTruth the other way (large when it adds one).
	TruthToModel, ModelToTruth float64
}

// Distance measures how faithful model is to truth beyond its silhouettes, as the independent
// checker's `meshcheck distance` does: model is scaled uniformly to truth's height and its
// bounding box centred on truth's (a model made from images has its own size and place), then
// samples points, spread evenly by area, are taken on each surface and each one's distance to the
// nearest point of the other surface is measured. The points are the same from run to run.
// When either model has no triangles, a triangle indexing past its vertices or no height, or
// samples < 1, every figure is +Inf, so that a check of any bound fails.
func Distance(truth, model *Model, samples int) DistanceReport {
	a, b := newSurface(truth), newSurface(model)
	inf := math.Inf(1)
	if a == nil || b == nil || samples < 1 {
		return DistanceReport{Mean: inf, P95: inf, Max: inf, TruthToModel: inf, ModelToTruth: inf}
	}
	ha, hb := a.hi[1]-a.lo[1], b.hi[1]-b.lo[1]
	if !(ha > 0) || !(hb > 0) {
		return DistanceReport{Mean: inf, P95: inf, Max: inf, TruthToModel: inf, ModelToTruth: inf}
	}
	b.fit(hb, ha, a.centre())
	diag := math.Sqrt(dist2(a.lo, a.hi))
	rng := rand.New(rand.NewPCG(1, 15))
	near := func(from, to *surface) ([]float64, float64) {
		tree := newBVH(to.tris)
		points := from.sample(samples, rng)
		ds := make([]float64, samples)
		// The queries are independent: every core takes a share (the tests that measure run
		// under -race, where each query costs ten times as much).
		var wg sync.WaitGroup
		workers := min(runtime.GOMAXPROCS(0), samples)
		for w := range workers {
			wg.Go(func() {
				for i := w; i < samples; i += workers {
					ds[i] = math.Sqrt(tree.nearest2(points[i])) / diag
				}
			})
		}
		wg.Wait()
		sum := 0.0
		for _, d := range ds {
			sum += d
		}
		return ds, sum / float64(samples)
	}
	ab, meanAB := near(a, b)
	ba, meanBA := near(b, a)
	all := append(ab, ba...)
	slices.Sort(all)
	return DistanceReport{
		Mean:         (meanAB + meanBA) / 2,
		P95:          all[int(0.95*float64(len(all)-1))],
		Max:          all[len(all)-1],
		TruthToModel: meanAB,
		ModelToTruth: meanBA,
	}
}

// Slivers is the share of the model's triangles whose longest edge squared over twice the area
// is above 10 (a needle or a flat wedge), as `meshcheck quality` counts them: triangles of no
// area are not slivers but count among all the triangles, as do (hand-made models only) those
// indexing past the vertices. An empty model has none.
func (m *Model) Slivers() float64 {
	if len(m.Triangles) == 0 {
		return 0
	}
	n := 0
	for _, t := range m.Triangles {
		if slices.ContainsFunc(t[:], func(v int) bool { return v < 0 || v >= len(m.Positions) }) {
			continue
		}
		a, b, c := m.Positions[t[0]], m.Positions[t[1]], m.Positions[t[2]]
		long := max(dist2(a, b), dist2(b, c), dist2(c, a))
		area := 0.5 * math.Sqrt(norm2(cross3(sub3(b, a), sub3(c, a))))
		if area == 0 || area <= 1e-15*long {
			continue
		}
		if long/(2*area) > 10 {
			n++
		}
	}
	return float64(n) / float64(len(m.Triangles))
}

// triangle is three corners in model units.
type triangle [3][3]float64

// surface is a model's triangles as corners, with their bounding box: the checker's view of a
// model, in which unused vertices do not count toward its size.
type surface struct {
	tris   []triangle
	lo, hi [3]float64
}

// newSurface copies m's triangles, or returns nil when it has none or one indexes past its
// vertices.
func newSurface(m *Model) *surface {
	if m == nil || len(m.Triangles) == 0 {
		return nil
	}
	s := &surface{
		tris: make([]triangle, len(m.Triangles)),
		lo:   [3]float64{math.Inf(1), math.Inf(1), math.Inf(1)},
		hi:   [3]float64{math.Inf(-1), math.Inf(-1), math.Inf(-1)},
	}
	for i, t := range m.Triangles {
		for k, v := range t {
			if v < 0 || v >= len(m.Positions) {
				return nil
			}
			p := m.Positions[v]
			s.tris[i][k] = p
			for a := range 3 {
				s.lo[a], s.hi[a] = min(s.lo[a], p[a]), max(s.hi[a], p[a])
			}
		}
	}
	return s
}

func (s *surface) centre() [3]float64 {
	return [3]float64{(s.lo[0] + s.hi[0]) / 2, (s.lo[1] + s.hi[1]) / 2, (s.lo[2] + s.hi[2]) / 2}
}

// fit scales the surface from height from to height to about its box's centre and moves that
// centre to at.
func (s *surface) fit(from, to float64, at [3]float64) {
	k, c := to/from, s.centre()
	move := func(p [3]float64) [3]float64 {
		return [3]float64{at[0] + (p[0]-c[0])*k, at[1] + (p[1]-c[1])*k, at[2] + (p[2]-c[2])*k}
	}
	for i := range s.tris {
		for j := range 3 {
			s.tris[i][j] = move(s.tris[i][j])
		}
	}
	s.lo, s.hi = move(s.lo), move(s.hi)
}

// sample picks n points on the surface, each triangle chosen in proportion to its area and the
// point uniformly within it.
func (s *surface) sample(n int, rng *rand.Rand) [][3]float64 {
	upTo := make([]float64, len(s.tris))
	total := 0.0
	for i, t := range s.tris {
		total += 0.5 * math.Sqrt(norm2(cross3(sub3(t[1], t[0]), sub3(t[2], t[0]))))
		upTo[i] = total
	}
	out := make([][3]float64, n)
	for i := range out {
		k := min(sort.SearchFloat64s(upTo, rng.Float64()*total), len(s.tris)-1)
		u, v := rng.Float64(), rng.Float64()
		if u+v > 1 {
			// Folding the far half of the square back keeps the point inside the triangle and
			// the spread uniform.
			u, v = 1-u, 1-v
		}
		t := s.tris[k]
		for a := range 3 {
			out[i][a] = t[0][a] + u*(t[1][a]-t[0][a]) + v*(t[2][a]-t[0][a])
		}
	}
	return out
}

// bvh is a bounding-volume hierarchy over triangles for nearest-point queries: each node's box
// holds its triangles, leaves hold a few, and a query skips every node farther than the nearest
// triangle found so far.
type bvh struct {
	tris  []triangle
	nodes []bvhNode
}

// bvhNode is a box; a leaf (count > 0) holds tris[first:first+count], an inner node's children
// are nodes[first] and nodes[first+1].
type bvhNode struct {
	lo, hi       [3]float64
	first, count int
}

const bvhLeaf = 4

func newBVH(tris []triangle) *bvh {
	b := bvhBuild{
		tris:    tris,
		centres: make([][3]float64, len(tris)),
		order:   make([]int, len(tris)),
		t:       &bvh{nodes: make([]bvhNode, 1, len(tris)/2+2)},
	}
	for i, tr := range tris {
		b.centres[i] = [3]float64{
			(tr[0][0] + tr[1][0] + tr[2][0]) / 3, (tr[0][1] + tr[1][1] + tr[2][1]) / 3, (tr[0][2] + tr[1][2] + tr[2][2]) / 3,
		}
		b.order[i] = i
	}
	b.node(0, 0, len(tris))
	b.t.tris = make([]triangle, len(tris))
	for i, k := range b.order {
		b.t.tris[i] = tris[k]
	}
	return b.t
}

// bvhBuild is a hierarchy being built: the triangles are ordered through order, by index, so
// that splitting moves ints rather than triangles.
type bvhBuild struct {
	tris    []triangle
	centres [][3]float64
	order   []int
	t       *bvh
}

// node makes node i hold the triangles order[from:to], splitting them at the median of their
// centres along the longest side of the centres' spread, and sets its box from its children's.
func (b *bvhBuild) node(i, from, to int) {
	if to-from <= bvhLeaf {
		n := bvhNode{first: from, count: to - from}
		n.lo = [3]float64{math.Inf(1), math.Inf(1), math.Inf(1)}
		n.hi = [3]float64{math.Inf(-1), math.Inf(-1), math.Inf(-1)}
		for _, k := range b.order[from:to] {
			for _, p := range b.tris[k] {
				for a := range 3 {
					n.lo[a], n.hi[a] = min(n.lo[a], p[a]), max(n.hi[a], p[a])
				}
			}
		}
		b.t.nodes[i] = n
		return
	}
	lo := [3]float64{math.Inf(1), math.Inf(1), math.Inf(1)}
	hi := [3]float64{math.Inf(-1), math.Inf(-1), math.Inf(-1)}
	for _, k := range b.order[from:to] {
		for a := range 3 {
			lo[a], hi[a] = min(lo[a], b.centres[k][a]), max(hi[a], b.centres[k][a])
		}
	}
	axis := 0
	for a := 1; a < 3; a++ {
		if hi[a]-lo[a] > hi[axis]-lo[axis] {
			axis = a
		}
	}
	mid := from + (to-from)/2
	b.selectNth(b.order[from:to], mid-from, axis)
	left := len(b.t.nodes)
	b.t.nodes = append(b.t.nodes, bvhNode{}, bvhNode{})
	b.node(left, from, mid)
	b.node(left+1, mid, to)
	l, r := b.t.nodes[left], b.t.nodes[left+1]
	n := bvhNode{first: left}
	for a := range 3 {
		n.lo[a], n.hi[a] = min(l.lo[a], r.lo[a]), max(l.hi[a], r.hi[a])
	}
	b.t.nodes[i] = n
}

// selectNth reorders idx so that idx[nth] is the triangle whose centre would be nth along axis
// in sorted order, those before it no farther along and those after no nearer (Hoare's
// selection: linear time on average, where sorting every level would cost a log factor more).
func (b *bvhBuild) selectNth(idx []int, nth, axis int) {
	key := func(i int) float64 { return b.centres[idx[i]][axis] }
	lo, hi := 0, len(idx)-1
	for lo < hi {
		pivot := key(lo + (hi-lo)/2)
		i, j := lo, hi
		for i <= j {
			for key(i) < pivot {
				i++
			}
			for key(j) > pivot {
				j--
			}
			if i <= j {
				idx[i], idx[j] = idx[j], idx[i]
				i++
				j--
			}
		}
		switch {
		case nth <= j:
			hi = j
		case nth >= i:
			lo = i
		default:
			return
		}
	}
}

// nearest2 is the squared distance from p to the nearest triangle.
func (t *bvh) nearest2(p [3]float64) float64 {
	best := math.Inf(1)
	stack := make([]int, 1, 64)
	for len(stack) > 0 {
		n := &t.nodes[stack[len(stack)-1]]
		stack = stack[:len(stack)-1]
		if boxDist2(p, n.lo, n.hi) >= best {
			continue
		}
		if n.count > 0 {
			for _, tr := range t.tris[n.first : n.first+n.count] {
				best = min(best, triDist2(p, tr, best))
			}
			continue
		}
		// The nearer child goes on top, so that it is searched first and the farther one is
		// often skipped.
		l, r := n.first, n.first+1
		if boxDist2(p, t.nodes[l].lo, t.nodes[l].hi) < boxDist2(p, t.nodes[r].lo, t.nodes[r].hi) {
			l, r = r, l
		}
		stack = append(stack, l, r)
	}
	return best
}

// boxDist2 is the squared distance from p to the box (0 inside it).
func boxDist2(p, lo, hi [3]float64) float64 {
	d := 0.0
	for a := range 3 {
		if e := lo[a] - p[a]; e > 0 {
			d += e * e
		} else if e := p[a] - hi[a]; e > 0 {
			d += e * e
		}
	}
	return d
}

// triDist2 is the squared distance from p to the triangle: to its plane when p's foot on the
// plane falls inside the triangle; else the nearest point is on an edge that faces the foot
// (one across which the foot's barycentric coordinate is negative: one edge, or two near a
// corner). The distance to the plane is never more than the distance to the triangle, so a
// triangle whose plane is already no nearer than within (the nearest found so far) is answered
// with that, without its edges.
func triDist2(p [3]float64, t triangle, within float64) float64 {
	e0, e1 := sub3(t[1], t[0]), sub3(t[2], t[0])
	n := cross3(e0, e1)
	nn := norm2(n)
	if nn == 0 {
		return min(segDist2(p, t[0], t[1]), segDist2(p, t[1], t[2]), segDist2(p, t[2], t[0]))
	}
	w := sub3(p, t[0])
	h := dot3(w, n)
	plane := h * h / nn
	if plane >= within {
		return plane
	}
	// The barycentric coordinates of p's foot (1−s−u, s, u), from the areas it makes with the
	// edges.
	s := dot3(cross3(w, e1), n) / nn
	u := dot3(cross3(e0, w), n) / nn
	if s >= 0 && u >= 0 && s+u <= 1 {
		return plane
	}
	d := math.Inf(1)
	if s < 0 {
		d = min(d, segDist2(p, t[0], t[2]))
	}
	if u < 0 {
		d = min(d, segDist2(p, t[0], t[1]))
	}
	if s+u > 1 {
		d = min(d, segDist2(p, t[1], t[2]))
	}
	return d
}

// segDist2 is the squared distance from p to the segment ab.
func segDist2(p, a, b [3]float64) float64 {
	ab := sub3(b, a)
	k := 0.0
	if l := norm2(ab); l > 0 {
		k = max(0, min(1, dot3(sub3(p, a), ab)/l))
	}
	return dist2(p, [3]float64{a[0] + k*ab[0], a[1] + k*ab[1], a[2] + k*ab[2]})
}

func dot3(a, b [3]float64) float64 { return a[0]*b[0] + a[1]*b[1] + a[2]*b[2] }

func norm2(a [3]float64) float64 { return dot3(a, a) }

func dist2(a, b [3]float64) float64 { return norm2(sub3(a, b)) }

func cross3(a, b [3]float64) [3]float64 {
	return [3]float64{a[1]*b[2] - a[2]*b[1], a[2]*b[0] - a[0]*b[2], a[0]*b[1] - a[1]*b[0]}
}
