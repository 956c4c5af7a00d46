package simplify

import (
	"math"
	"sync"
)

// setAttributes copies the attributes, weighted, in wedge order, and sizes the error blocks.
func (s *simplifier) setAttributes(attributes [][]float32, weights []float32) {
	na := len(weights)
	n := len(s.pid)
	s.na = na
	s.attr = make([]float64, n*na)
	for v, o := range s.orig {
		for k, x := range attributes[o] {
			s.attr[v*na+k] = float64(x) * float64(weights[k])
		}
	}
	s.astride = attrStride(na)
	s.ablock = make([]float32, n*s.astride)
}

// quadrics fills every position's plane quadric and input-surface side and every wedge's
// attribute error, and classifies the positions. The attribute errors are as much work as all
// the rest and write only their own array: on a large mesh a second core does them meanwhile.
func (s *simplifier) quadrics(lockBorder bool) {
	var wg sync.WaitGroup
	if s.na > 0 {
		wg.Add(1)
		attr := func() {
			defer wg.Done()
			s.attrQuadrics()
		}
		if s.parallel {
			go attr()
		} else {
			attr()
		}
	}
	s.faceQuadrics()
	s.loop, s.loopback = openEdges(len(s.orig), s.c)
	s.classify(lockBorder)
	s.edgeQuadrics()
	wg.Wait()
}

// faceQuadrics adds every triangle's plane, weighted by its area (a large face resists moving
// more than a sliver does), to its corners, and notes which way the input surface faces at
// each position, for the flip test.
func (s *simplifier) faceQuadrics() {
	s.pq = make([]quadric, s.np)
	sum := make([]vec3, s.np)
	area := make([]float64, s.np)
	for t := 0; t < s.ntri; t++ {
		a, b, c := s.c[3*t].p, s.c[3*t+1].p, s.c[3*t+2].p
		n := cross(sub(s.v[b].pos, s.v[a].pos), sub(s.v[c].pos, s.v[a].pos))
		l := math.Sqrt(dot(n, n))
		if l == 0 {
			continue
		}
		q := planeQuadric(scale(n, 1/l), -dot(n, s.v[a].pos)/l, l/2)
		for _, v := range [3]int32{a, b, c} {
			s.pq[v].add(&q)
			// Area-weighted: n is twice the area along the normal.
			sum[v] = vec3{sum[v][0] + n[0], sum[v][1] + n[1], sum[v][2] + n[2]}
			area[v] += l
		}
	}
	// A position has a clear side when its faces mostly agree: |Σ area·n| is at least a
	// quarter of Σ area (a cube corner gives 0.58, a knife edge nearly 0).
	for v, n := range sum {
		if l := math.Sqrt(dot(n, n)); l > 0 && l >= 0.25*area[v] {
			s.v[v].side = [3]float32{float32(n[0] / l), float32(n[1] / l), float32(n[2] / l)}
			// Smooth: the faces all lie within about 25° of their mean.
			s.v[v].smooth = l >= 0.9*area[v]
		}
	}
}

// attrQuadrics adds every triangle's attribute error to its three wedges.
func (s *simplifier) attrQuadrics() {
	na, st := s.na, s.astride
	block := make([]float64, st)
	for t := 0; t < s.ntri; t++ {
		w := [3]int32{s.c[3*t].w, s.c[3*t+1].w, s.c[3*t+2].w}
		clear(block)
		attrQuadric(block, s.v[s.c[3*t].p].pos, s.v[s.c[3*t+1].p].pos, s.v[s.c[3*t+2].p].pos,
			s.attr[int(w[0])*na:int(w[0]+1)*na], s.attr[int(w[1])*na:int(w[1]+1)*na], s.attr[int(w[2])*na:int(w[2]+1)*na])
		for _, v := range w {
			dst := s.ablock[int(v)*st : int(v+1)*st]
			for i, x := range block {
				dst[i] += float32(x)
			}
		}
	}
}

// edgeQuadrics adds a plane along every open edge. Borders weigh heavily, since a border that
// drifts opens a visible gap; seams lightly, since their edges lie inside the surface anyway.
func (s *simplifier) edgeQuadrics() {
	const borderWeight, seamWeight = 10, 1
	onLoop := func(k kind) bool { return k == border || k == seam }
	for c := int32(0); c < int32(len(s.c)); c++ {
		w0, w1 := s.c[c].w, s.c[nextCorner(c)].w
		p0, p1 := s.c[c].p, s.c[nextCorner(c)].p
		k0, k1 := s.v[p0].kind, s.v[p1].kind
		if !onLoop(k0) && !onLoop(k1) {
			continue
		}
		if (onLoop(k0) && s.loop[w0] != w1) || (onLoop(k1) && s.loopback[w1] != w0) {
			continue
		}
		// A seam edge is open once on each side; count it once.
		if k0 != border && k1 != border && p1 > p0 {
			continue
		}
		weight := float64(seamWeight)
		if k0 == border || k1 == border {
			weight = borderWeight
		}
		q, ok := edgeQuadric(s.v[p0].pos, s.v[p1].pos, s.v[s.c[prevCorner(c)].p].pos, weight)
		if !ok {
			continue
		}
		s.pq[p0].add(&q)
		s.pq[p1].add(&q)
	}
}
