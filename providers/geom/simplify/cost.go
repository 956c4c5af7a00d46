package simplify

// candidate is one half-edge collapse of a position p onto its neighbour to: p's wedge moves to
// the target's wedge wt and, on a seam, p's second wedge to st.
type candidate struct {
	to     int32
	wt, st int32
	cost   float64
}

// tieBreak is added per squared edge length so that among collapses of (numerically) equal
// error, which flat and subdivided regions are full of, the shortest edge goes first and the
// triangles stay even. It is far below any error that matters in the unit box.
const tieBreak = 1e-7

// evaluate finds p's cheapest collapse and files it in the queue, or takes p out of the queue
// when it has none. Whether that collapse is valid is left to when it reaches the top of the
// queue, since most are and the test costs more than the error; with checked, it is tested
// now, cheapest first, for a vertex whose best collapse turned out invalid there.
func (s *worker) evaluate(p int32, checked bool) {
	s.stale[p] = false
	if s.part != anyPart && s.v[p].part != s.part || !s.candidates(p) {
		// Another worker's, on the frontier, or with nowhere to go.
		s.queue.remove(p)
		return
	}
	cs := s.cands
	s.costs(p, cs)
	if !checked {
		best := cs[0]
		for _, c := range cs[1:] {
			if c.cost < best.cost {
				best = c
			}
		}
		s.best[p] = best
		s.queue.set(p, best.cost)
		return
	}
	if c, ok := s.cheapestValid(p, cs); ok {
		s.best[p] = c
		s.queue.set(p, c.cost)
		return
	}
	s.queue.remove(p)
}

// cheapestValid is the cheapest of p's candidates cs (costed) that is valid, if any.
func (s *worker) cheapestValid(p int32, cs []candidate) (candidate, bool) {
	// Insertion sort: a vertex has a handful of neighbours.
	for i := 1; i < len(cs); i++ {
		for j := i; j > 0 && cs[j].cost < cs[j-1].cost; j-- {
			cs[j], cs[j-1] = cs[j-1], cs[j]
		}
	}
	for _, c := range cs {
		if s.valid(p, c) {
			return c, true
		}
	}
	return candidate{}, false
}

// candidates lists in cands, without their costs, the collapses p's kind allows; it reports
// whether there is any.
func (s *worker) candidates(p int32) bool {
	s.cands = s.cands[:0]
	w := s.first[p]
	switch s.v[p].kind {
	case manifold:
		// Around an interior vertex with one wedge the triangles wind one way, so each
		// neighbour follows p in exactly one of them: no need to look for repeats.
		for _, c := range s.fans[p] {
			if n := s.c[nextCorner(c)]; s.canMove(p, n.p) {
				s.cands = append(s.cands, candidate{to: n.p, wt: n.w, st: -1})
			}
		}
	case border:
		for _, t := range [2]int32{s.loop[w], s.loopback[w]} {
			if t >= 0 {
				s.consider(p, s.pid[t], t, -1)
			}
		}
	case seam:
		v := s.ring[w]
		// Along the seam one way w follows its open edge forward and v backward; the other way
		// round in the other direction. Both ends must land on the same position.
		if a, b := s.loop[w], s.loopback[v]; a >= 0 && b >= 0 && s.pid[a] == s.pid[b] {
			s.consider(p, s.pid[a], a, b)
		}
		if a, b := s.loopback[w], s.loop[v]; a >= 0 && b >= 0 && s.pid[a] == s.pid[b] {
			s.consider(p, s.pid[a], a, b)
		}
	}
	return len(s.cands) > 0
}

// consider adds the collapse of p onto q, unless q is already a candidate or p's kind forbids it.
func (s *worker) consider(p, q, wt, st int32) {
	for _, c := range s.cands {
		if c.to == q {
			return
		}
	}
	if s.canMove(p, q) {
		s.cands = append(s.cands, candidate{to: q, wt: wt, st: st})
	}
}

// canMove is meshoptimizer's table of allowed collapses by kind: an interior vertex may go
// anywhere; a border vertex only onto the border (or a locked corner of it), a seam vertex only
// onto the seam (or a locked end of it).
func (s *worker) canMove(p, q int32) bool {
	if s.part != anyPart && (s.part != s.v[p].part || s.part != s.v[q].part) {
		return false
	}
	kq := s.v[q].kind
	switch s.v[p].kind {
	case manifold:
		return kq != gone
	case border:
		return kq == border || kq == locked
	case seam:
		return kq == seam || kq == locked
	}
	return false
}

// costs fills in the cost of each of p's candidates, as cost does, reading what they share
// about p once: the position error (normalised) and the attribute error's quadric part add
// into one quadric, leaving per candidate one quadric and the attributes' linear terms.
func (s *simplifier) costs(p int32, cs []candidate) {
	q := s.pq[p]
	if q.w > 0 {
		inv := 1 / q.w
		q = quadric{q.a00 * inv, q.a11 * inv, q.a22 * inv, q.a10 * inv, q.a20 * inv, q.a21 * inv,
			q.b0 * inv, q.b1 * inv, q.b2 * inv, q.c * inv, 1}
	} else {
		q = quadric{}
	}
	xp := s.v[p].pos
	na, st := s.na, s.astride
	var g1, g2 []float32
	var w1, w2 float64
	if na > 0 {
		w := s.first[p]
		g1, w1 = s.attrPart(&q, s.ablock[int(w)*st:int(w+1)*st])
		if s.v[p].kind == seam {
			v := s.ring[w]
			g2, w2 = s.attrPart(&q, s.ablock[int(v)*st:int(v+1)*st])
		}
	}
	for i := range cs {
		c := &cs[i]
		x := s.v[c.to].pos
		d := sub(x, xp)
		e := q.eval(x) + tieBreak*dot(d, d)
		if na > 0 {
			e += attrLinear(g1, w1, x, s.attr[int(c.wt)*na:int(c.wt+1)*na])
			if c.st >= 0 {
				e += attrLinear(g2, w2, x, s.attr[int(c.st)*na:int(c.st+1)*na])
			}
		}
		c.cost = e
	}
}

// attrPart adds an attribute block's quadric part into q and returns its gradients and weight.
func (s *simplifier) attrPart(q *quadric, b []float32) ([]float32, float64) {
	b = b[:attrGrad+4*s.na]
	q.add(&quadric{float64(b[attrA00]), float64(b[attrA11]), float64(b[attrA22]),
		float64(b[attrA10]), float64(b[attrA20]), float64(b[attrA21]),
		float64(b[attrB0]), float64(b[attrB1]), float64(b[attrB2]), float64(b[attrC]), 0})
	return b[attrGrad:], float64(b[attrW])
}

// attrLinear is the part of the attribute error that depends on the values a: with the block's
// quadric part evaluated at x it makes the whole error (see attrQuadric).
func attrLinear(g []float32, w float64, x vec3, a []float64) float64 {
	r := 0.0
	g = g[:4*len(a)]
	for k, v := range a {
		gk := g[4*k : 4*k+4 : 4*k+4]
		r += v * (v*w - 2*(float64(gk[0])*x[0]+float64(gk[1])*x[1]+float64(gk[2])*x[2]+float64(gk[3])))
	}
	return r
}

// cost is the error of moving p onto q: the mean squared distance from q to the planes p has
// absorbed, plus the attribute error of p's wedges taking the target wedges' values.
func (s *simplifier) cost(p, q, wt, st int32) float64 {
	c := [1]candidate{{to: q, wt: wt, st: st}}
	s.costs(p, c[:])
	return c[0].cost
}
