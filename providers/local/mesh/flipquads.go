package mesh

import "math"

// flipBudget bounds Flip's work, in flips per triangle: each flip betters the worse triangle of
// its pair, but that is no global measure, so a cap guarantees it ends.
const flipBudget = 2

// Flip improves the relief's triangles where marching squares cut them badly: the outline's
// cells make needles wherever the outline passes close to a lattice point. Every edge within one
// surface whose two triangles form a convex quad in the image plane is flipped when the quad's
// other diagonal makes the worse of the two triangles better (in space; on flat ground this is
// the Delaunay flip, which maximises the smallest angle). The convexity keeps each surface a
// height field over the image, so it cannot fold. Vertices do not move and the count does not
// change; the surface stays closed, and the outline (edges between front and back) is never
// flipped. It returns how many edges it flipped.
//
// Edges are indexed once; a flip then rewires its pair's four outer edges and puts them back on
// the work list, so the cost follows the flips rather than the mesh's size.
func (r *Relief) Flip() int {
	idx := r.Indices
	twin := Twins(idx)
	work := make([]int, 0, len(twin))
	for c, o := range twin {
		if o > c {
			work = append(work, c)
		}
	}
	flips, budget := 0, flipBudget*len(idx)/3
	for len(work) > 0 && flips < budget {
		c := work[len(work)-1]
		work = work[:len(work)-1]
		o := twin[c]
		if o < 0 {
			continue
		}
		t, u := c/3, o/3
		ci, oi := c%3, o%3
		a, b := idx[c], idx[3*t+(ci+1)%3]
		x, d := idx[3*t+(ci+2)%3], idx[3*u+(oi+2)%3]
		if r.Side[x] == Rim && r.Side[d] == Rim {
			// Both ends of the new edge on the outline: it might already join them on the
			// other surface.
			continue
		}
		if r.sideOf(t) != r.sideOf(u) || !r.shouldFlip(a, b, x, d) {
			continue
		}
		// The outer edges' twins before the flip: b→x and x→a in t, a→d and d→b in u.
		bx, xa := twin[3*t+(ci+1)%3], twin[3*t+(ci+2)%3]
		ad, db := twin[3*u+(oi+1)%3], twin[3*u+(oi+2)%3]
		// (a, b, x) and (b, a, d) become (a, d, x) and (d, b, x): the same turning sense.
		idx[3*t], idx[3*t+1], idx[3*t+2] = a, d, x
		idx[3*u], idx[3*u+1], idx[3*u+2] = d, b, x
		link := func(p, q int) {
			twin[p] = q
			if q >= 0 {
				twin[q] = p
			}
		}
		link(3*t, ad)      // a→d
		link(3*t+1, 3*u+2) // d→x, the new edge, and x→d
		link(3*t+2, xa)    // x→a
		link(3*u, db)      // d→b
		link(3*u+1, bx)    // b→x
		work = append(work, 3*t, 3*t+2, 3*u, 3*u+1)
		flips++
	}
	return flips
}

// sideOf is the surface triangle t lies on, told by a corner off the outline (every triangle has
// one, see the builder's fans; Rim only for a triangle with none, which no flip touches).
func (r *Relief) sideOf(t int) Side {
	for _, v := range r.Indices[3*t : 3*t+3] {
		if s := r.Side[v]; s != Rim {
			return s
		}
	}
	return Rim
}

// shouldFlip says whether edge a–b, between triangles (a, b, x) and (b, a, d), is better
// replaced by x–d: the quad is strictly convex in the image plane (both new triangles turn the
// way the old ones did, with room to spare) and the new pair's worse triangle beats the old's.
func (r *Relief) shouldFlip(a, b, x, d uint32) bool {
	pa, pb, px, pd := r.Pos[a], r.Pos[b], r.Pos[x], r.Pos[d]
	sense := orient(pa, pb, px)
	if sense == 0 || orient(pb, pa, pd)*sense <= 0 {
		return false
	}
	// Strictly convex: the new triangles must have a real area, not merely the right sign.
	o1, o2 := orient(pa, pd, px)*sense, orient(pd, pb, px)*sense
	scale := math.Abs(orient(pa, pb, px)) + math.Abs(orient(pb, pa, pd))
	if o1 <= 1e-6*scale || o2 <= 1e-6*scale {
		return false
	}
	// The better pair is the one whose worse triangle is the better, judged in space: on a
	// steep rounded edge the image plane's Delaunay pair can be the worse one.
	old := min(quality(pa, pb, px), quality(pb, pa, pd))
	return min(quality(pa, pd, px), quality(pd, pb, px)) > old*(1+1e-6)
}

// orient is twice the signed area of triangle (p, q, s) in the image plane.
func orient(p, q, s [3]float64) float64 {
	return (q[0]-p[0])*(s[1]-p[1]) - (q[1]-p[1])*(s[0]-p[0])
}
