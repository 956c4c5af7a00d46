package simplify

import "math"

// kind says how a position may move; it is decided once, before any collapse, as in
// meshoptimizer, and collapses keep it true: an interior vertex stays interior, a border
// stays a border, a seam stays a seam.
type kind uint8

const (
	manifold kind = iota // interior, one wedge: may collapse onto any neighbour
	border               // on an open boundary, one wedge: only along the boundary
	seam                 // interior, two wedges (a UV or hard-normal split): only along the seam
	locked               // corners, junctions, non-manifold fans: never moves
	gone                 // collapsed away
)

// weld gives every vertex the id of its position (vertices at bit-identical coordinates share
// one, −0 and +0 alike), numbered in vertex order, and returns, per position, one of its
// vertices, and per vertex the next vertex at the same position (a ring). Vertices at one
// position are its "wedges".
func weld(positions [][3]float32) (pid, first, ring []int32) {
	n := len(positions)
	size, shift := 2, uint(31)
	for size < 2*n {
		size <<= 1
		shift--
	}
	table := make([]int32, size)
	for i := range table {
		table[i] = -1
	}
	bits := func(f float32) uint32 {
		b := math.Float32bits(f)
		if b == 0x80000000 {
			return 0
		}
		return b
	}
	pid = make([]int32, n)
	ring = make([]int32, n)
	first = make([]int32, 0, n)
	mask := uint32(size - 1)
	for v, p := range positions {
		x, y, z := bits(p[0]), bits(p[1]), bits(p[2])
		h := (x*73856093 ^ y*19349663 ^ z*83492791) * 0x9E3779B1
		for slot := h >> shift; ; slot = (slot + 1) & mask {
			u := table[slot]
			if u < 0 {
				table[slot] = int32(v)
				pid[v] = int32(len(first))
				first = append(first, int32(v))
				ring[v] = int32(v)
				break
			}
			q := positions[u]
			if bits(q[0]) == x && bits(q[1]) == y && bits(q[2]) == z {
				pid[v] = pid[u]
				// Insert v after u in u's ring.
				ring[v], ring[u] = ring[u], int32(v)
				break
			}
		}
	}
	return pid, first, ring
}

func nextCorner(c int32) int32 {
	if c%3 == 2 {
		return c - 2
	}
	return c + 1
}

func prevCorner(c int32) int32 {
	if c%3 == 0 {
		return c + 2
	}
	return c - 1
}

// others is the next and the previous corner of c's triangle, with one division for both
// (walking fans does this for every corner it visits).
func others(c int32) (next, prev int32) {
	t := c / 3 * 3
	switch c - t {
	case 0:
		return t + 1, t + 2
	case 1:
		return t + 2, t
	}
	return t, t + 1
}

// openEdges finds, for every wedge, its open half-edges in attribute space: an edge a→b of a
// triangle is open when no triangle has b→a between the same two wedges. That is a mesh border
// or one side of a seam. loop[v] is the end of v's open outgoing edge and loopback[v] the start
// of its open incoming one; -1 when there is none and -2 when there are several.
func openEdges(n int, corners []corner) (loop, loopback []int32) {
	// Outgoing half-edges per wedge, in compressed rows.
	off := make([]int32, n+1)
	for _, c := range corners {
		off[c.w+1]++
	}
	for i := 0; i < n; i++ {
		off[i+1] += off[i]
	}
	dst := make([]int32, len(corners))
	fill := make([]int32, n)
	copy(fill, off[:n])
	for c := range corners {
		a := corners[c].w
		dst[fill[a]] = corners[nextCorner(int32(c))].w
		fill[a]++
	}
	hasEdge := func(a, b int32) bool {
		for _, t := range dst[off[a]:off[a+1]] {
			if t == b {
				return true
			}
		}
		return false
	}
	loop = make([]int32, n)
	loopback = make([]int32, n)
	for i := range loop {
		loop[i], loopback[i] = -1, -1
	}
	for a := int32(0); a < int32(n); a++ {
		for _, b := range dst[off[a]:off[a+1]] {
			if hasEdge(b, a) {
				continue
			}
			if loop[a] == -1 {
				loop[a] = b
			} else {
				loop[a] = -2
			}
			if loopback[b] == -1 {
				loopback[b] = a
			} else {
				loopback[b] = -2
			}
		}
	}
	return loop, loopback
}

// classify decides each position's kind from its wedges' open edges, like meshoptimizer, and
// additionally requires the triangles around a position to form one fan (one disk inside, one
// half-disk on a border): a vertex where two cones touch, or where three faces share an edge,
// is locked.
func (s *simplifier) classify(lockBorder bool) {
	for p := int32(0); p < int32(s.np); p++ {
		tris, nbrs := s.fan(p)
		w := s.first[p]
		var k kind
		switch {
		case s.ring[w] == w:
			in, out := s.loopback[w], s.loop[w]
			switch {
			case in == -1 && out == -1 && nbrs == tris:
				k = manifold
			case in >= 0 && out >= 0 && nbrs == tris+1:
				k = border
			default:
				k = locked
			}
		case s.ring[s.ring[w]] == w:
			v := s.ring[w]
			iw, ow, iv, ov := s.loopback[w], s.loop[w], s.loopback[v], s.loop[v]
			// A seam: each side has one open edge in and one out, and the two sides run along
			// the same positions in opposite directions.
			k = locked
			if iw >= 0 && ow >= 0 && iv >= 0 && ov >= 0 && nbrs == tris &&
				s.pid[iw] == s.pid[ov] && s.pid[ow] == s.pid[iv] && s.pid[iw] != s.pid[ow] {
				k = seam
			}
		default:
			k = locked
		}
		if k == border && lockBorder {
			k = locked
		}
		if tris == 0 {
			k = gone
		}
		s.v[p].kind = k
	}
}

// fan counts the triangles around p and its distinct neighbours.
func (s *simplifier) fan(p int32) (tris, nbrs int) {
	ep := s.nextEpoch()
	for _, c := range s.fans[p] {
		tris++
		n, pr := others(c)
		for _, x := range [2]int32{s.c[n].p, s.c[pr].p} {
			if s.stamp[x] != ep {
				s.stamp[x] = ep
				nbrs++
			}
		}
	}
	return tris, nbrs
}

// nextEpoch returns a fresh mark for stamp, so that marking neighbours needs no clearing.
func (s *simplifier) nextEpoch() uint32 {
	s.epoch++
	if s.epoch == 0 {
		for i := range s.stamp {
			s.stamp[i] = 0
		}
		s.epoch = 1
	}
	return s.epoch
}
