package simplify

// collapse moves p onto c.to: the triangles on the edge disappear, the others take the target
// wedges, the quadrics add up and the border and seam loops close over p.
func (s *worker) collapse(p int32, c candidate) {
	q := c.to
	w := s.first[p]
	v := int32(-1)
	if s.v[p].kind == seam {
		v = s.ring[w]
	}
	var apex, apexCorner, qCorner [2]int32
	na := 0
	s.nbrs = s.nbrs[:0]
	ep := s.nextEpoch()
	s.gather(p)
	s.fanOf = -1
	kept := s.fans[p][:0]
	for _, e := range s.fan {
		cc, a, b := e.cc, e.a, e.b
		if a == q || b == q {
			// The triangle dies: note its corners at q and at the apex, to take them out of
			// their fans without looking up which of their triangles died.
			s.dead[cc/3] = true
			s.removed++
			next, prev := others(cc)
			if a == q {
				apex[na], apexCorner[na], qCorner[na] = b, prev, next
			} else {
				apex[na], apexCorner[na], qCorner[na] = a, next, prev
			}
			s.stamp[apex[na]] = ep
			na++
			continue
		}
		s.c[cc].p = q
		if s.c[cc].w == w {
			s.c[cc].w = c.wt
		} else {
			s.c[cc].w = c.st
		}
		kept = append(kept, cc)
		// p's neighbours become q's; by the link condition only the apexes were q's already.
		for _, x := range [2]int32{a, b} {
			if s.stamp[x] != ep {
				s.stamp[x] = ep
				s.nbrs = append(s.nbrs, neighbour{x, s.c[cc].w})
			}
		}
	}
	s.apex = [2]int32{-1, -1}
	copy(s.apex[:], apex[:na])
	for _, cc := range qCorner[:na] {
		s.removeCorner(q, cc)
	}
	s.fans[q] = append(s.fans[q], kept...)
	s.fans[p] = nil
	for i, a := range apex[:na] {
		// Another worker may be walking a frontier vertex's corners: leave its dead corners
		// for the final pass to prune.
		if s.part == anyPart || s.v[a].part == s.part {
			s.removeCorner(a, apexCorner[i])
		}
	}
	s.pq[q].add(&s.pq[p])
	if s.na > 0 {
		s.mergeAttr(w, c.wt)
		if v >= 0 {
			s.mergeAttr(v, c.st)
		}
	}
	if s.v[p].kind != manifold {
		s.relink(w, c.wt)
		if v >= 0 {
			s.relink(v, c.st)
		}
	}
	s.v[p].kind = gone
	if s.queue.len() > 0 {
		s.queue.remove(p)
	}
}

// removeCorner takes corner cc out of x's list (order does not matter).
func (s *simplifier) removeCorner(x, cc int32) {
	f := s.fans[x]
	for i, c := range f {
		if c == cc {
			f[i] = f[len(f)-1]
			s.fans[x] = f[:len(f)-1]
			return
		}
	}
}

// prune drops the corners of dead triangles from x's list.
func (s *simplifier) prune(x int32) {
	f := s.fans[x]
	kept := f[:0]
	for _, cc := range f {
		if !s.dead[cc/3] {
			kept = append(kept, cc)
		}
	}
	s.fans[x] = kept
}

func (s *simplifier) mergeAttr(from, to int32) {
	st := s.astride
	dst := s.ablock[int(to)*st : int(to+1)*st]
	for i, x := range s.ablock[int(from)*st : int(from+1)*st] {
		dst[i] += x
	}
}

// relink closes the open-edge loop over a wedge that collapsed along it onto its neighbour.
func (s *simplifier) relink(from, to int32) {
	switch {
	case s.loop[from] == to:
		b := s.loopback[from]
		s.loopback[to] = b
		if b >= 0 {
			s.loop[b] = to
		}
	case s.loopback[from] == to:
		f := s.loop[from]
		s.loop[to] = f
		if f >= 0 {
			s.loopback[f] = to
		}
	}
}

// refresh re-evaluates q after p collapsed onto it, and the vertices whose collapses changed:
// p's other neighbours, which collapse made q's (collapse lists them), now have q as a
// candidate, and those that aimed at p lost their best. Every other cost stands, since a
// collapse's cost depends only on the moving vertex's quadric and the target's position;
// whether a collapse is still valid is tested when it reaches the top of the queue.
func (s *worker) refresh(q, p int32) {
	s.evaluate(q, false)
	for _, a := range s.apex {
		// Already next to q, whose collapse cost no less than the one onto p: that cost
		// stays a lower bound until a closer look at the top.
		if a >= 0 && s.v[a].kind < locked && s.best[a].to == p && s.queue.contains(a) {
			s.stale[a] = true
		}
	}
	for _, n := range s.nbrs {
		x := n.p
		if s.v[x].kind >= locked {
			continue
		}
		b := s.best[x]
		if s.v[x].kind != manifold || !s.queue.contains(x) {
			s.evaluate(x, false)
			continue
		}
		if !s.canMove(x, q) {
			continue
		}
		cost := s.cost(x, q, n.w, -1)
		switch {
		case b.to == p:
			// Its best collapse is gone. Rather than look at all its neighbours now, keep a
			// cost no higher than its best can be (its other collapses cost at least b.cost)
			// and look when it reaches the top: many vertices are touched again before then.
			s.best[x] = candidate{to: q, wt: n.w, st: -1, cost: cost}
			s.stale[x] = cost > b.cost
			s.queue.set(x, min(cost, b.cost))
		case cost < b.cost:
			s.best[x] = candidate{to: q, wt: n.w, st: -1, cost: cost}
			s.queue.set(x, cost)
		}
	}
}

// neighbour is a position next to a collapse's target, with the target's wedge beside it.
type neighbour struct{ p, w int32 }
