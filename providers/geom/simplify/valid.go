package simplify

// valid says whether collapsing p as c keeps the mesh manifold and no triangle flips:
//   - the edge p–q has one triangle on a border and two elsewhere (not three or more);
//   - the link condition: p and q share no neighbour other than those triangles' third vertices,
//     else the collapse would glue two sheets together;
//   - it does not shrink a tetrahedron or a lone triangle to nothing;
//   - no remaining triangle around p turns by more than about 75° or loses its area
//     (meshoptimizer's test: a smaller turn is allowed so that curved surfaces can coarsen),
//     nor ends up facing away from the input surface (see flips);
//   - on a border or seam, the wedges still follow the open edges, which earlier collapses move.
func (s *worker) valid(p int32, c candidate) bool {
	q := c.to
	if s.v[p].kind >= locked || !s.canMove(p, q) {
		return false
	}
	w := s.first[p]
	switch s.v[p].kind {
	case border:
		if c.wt != s.loop[w] && c.wt != s.loopback[w] {
			return false
		}
	case seam:
		v := s.ring[w]
		forward := c.wt == s.loop[w] && c.st == s.loopback[v]
		backward := c.wt == s.loopback[w] && c.st == s.loop[v]
		if !forward && !backward {
			return false
		}
	}
	ep := s.nextEpoch()
	var apex [2]int32
	na, np := 0, 0
	s.gather(p)
	for _, e := range s.fan {
		np++
		a, b := e.a, e.b
		if a == q || b == q {
			if na == 2 {
				return false
			}
			if a == q {
				apex[na] = b
			} else {
				apex[na] = a
			}
			na++
			continue
		}
		s.stamp[a], s.stamp[b] = ep, ep
	}
	want := 2
	if s.v[p].kind == border {
		want = 1
	}
	if na != want {
		return false
	}
	if na == 1 {
		apex[1] = apex[0]
	}
	nq := 0
	for _, cc := range s.fans[q] {
		nq++
		n, pr := others(cc)
		for _, x := range [2]int32{s.c[n].p, s.c[pr].p} {
			if x != p && s.stamp[x] == ep && x != apex[0] && x != apex[1] {
				return false
			}
		}
	}
	if (want == 2 && np == 3 && nq == 3) || (want == 1 && np == 1 && nq == 1) {
		// A tetrahedron (three triangles at each end) or a lone triangle (one): collapsing
		// would fold it flat or delete it.
		return false
	}
	vp, vq := &s.v[p], &s.v[q]
	for _, e := range s.fan {
		if e.a != q && e.b != q && flips(&s.v[e.a], &s.v[e.b], vp, vq) {
			return false
		}
	}
	return true
}

// fanEntry is a corner of a position and the other two positions of its triangle.
type fanEntry struct{ cc, a, b int32 }

// gather reads p's fan into fan, once for valid and the collapse that follows it.
func (s *worker) gather(p int32) {
	if s.fanOf == p {
		return
	}
	s.fan = s.fan[:0]
	for _, cc := range s.fans[p] {
		n, pr := others(cc)
		s.fan = append(s.fan, fanEntry{cc, s.c[n].p, s.c[pr].p})
	}
	s.fanOf = p
}

// flips says whether the triangle (a, b, p) turns too far when p moves to q, or loses its
// area. Like meshoptimizer it refuses a turn of more than about 75° in one collapse, so that
// curved surfaces can still coarsen. Since small turns add up, it also refuses to leave the
// triangle facing away from the input surface at q (see facesAway): q's fan is what the
// collapse makes, and it must face the way the surface faced there. (Testing the other two
// corners as well held the corpus's CAD engine at 27% of its triangles instead of 19%.)
func flips(a, b, p, q *vertex) bool {
	pa := a.pos
	eb := sub(b.pos, pa)
	n0 := cross(eb, sub(p.pos, pa))
	n1 := cross(eb, sub(q.pos, pa))
	d := dot(n0, n1)
	l1 := dot(n1, n1)
	// cos(angle) <= 0.25, squared to avoid the root.
	if d <= 0 || d*d <= 0.0625*dot(n0, n0)*l1 {
		return true
	}
	return facesAway(n1, l1, q)
}

// facesAway says whether a triangle of normal n (|n|² = l) strays too far from the input
// surface at v: a triangle standing on edge across the surface (a fin) is as wrong as one
// turned over. Where the surface is smooth the limit is 70°, which a coarse octahedron's faces
// keep from their corners' normals (55°); 60° cost measurable accuracy on the corpus bunny by
// blocking too many collapses. At a crease (a cube's edge, where the averaged normal leans
// towards the side with more triangles) it is 84°; a knife edge (zero side) checks nothing.
func facesAway(n vec3, l float64, v *vertex) bool {
	o := &v.side
	if *o == [3]float32{} {
		return false
	}
	f := n[0]*float64(o[0]) + n[1]*float64(o[1]) + n[2]*float64(o[2])
	limit := 0.01 // cos² 84°
	if v.smooth {
		limit = 0.117 // cos² 70°
	}
	return f <= 0 || f*f < limit*l
}
