package hull

import (
	"math"
)

// tipReach bounds how far a vertex is pulled out to a tip, in mean edge lengths around it: a
// lattice loses up to about a cell of a tip; a gap wider than that is a part it missed, which
// one vertex cannot stand in for.
const tipReach = 3

// ReachTips pulls the surface out to the tips of the hull that a lattice's cells cut short: a
// cone's apex, a rabbit's ear. For each face of the hull's box the surface falls short of, the
// vertex furthest toward it moves to the tip of the hull's surface beyond it (see tip). The
// surface's extent then matches the hull's, which matters beyond the tip itself: a model is sized
// by its height and placed by its box. A move that would turn one of the vertex's triangles over,
// or that spans more than tipReach of its edges, is not made.
//
// It returns how far the surface still falls short of a tip the hull has, as a share of the box's
// largest side: the lattice lost it and one vertex could not make it up. A face the hull itself
// does not reach (rounded sections can stop short of the box a top view draws) does not count.
func (h *Hull) ReachTips(pos [][3]float64, indices []uint32) float64 {
	if len(pos) == 0 {
		return 0
	}
	incident := trianglesAround(len(pos), indices)
	lo := [3]float64{-h.Size[0] / 2, 0, -h.Size[2] / 2}
	short := 0.0
	for a := 0; a < 3; a++ {
		for _, sgn := range [2]float64{-1, 1} {
			face := lo[a]
			if sgn > 0 {
				face = lo[a] + h.Size[a]
			}
			// The surface's extreme toward the face, and the tip beyond it.
			ext := math.Inf(-1)
			for i, p := range pos {
				if len(incident.of(i)) > 0 {
					ext = math.Max(ext, sgn*p[a])
				}
			}
			gap := sgn*face - ext
			if math.IsInf(ext, 0) || gap <= 0 {
				continue
			}
			tip, ok := h.tip(a, sgn, face, sgn*(ext+0.75*gap))
			if !ok {
				continue
			}
			// The vertex nearest the tip goes there, if its edges are long enough to reach.
			v, vd := -1, math.Inf(1)
			for i, p := range pos {
				if d := sub(tip, p); len(incident.of(i)) > 0 && dot(d, d) < vd {
					v, vd = i, dot(d, d)
				}
			}
			tris := incident.of(v)
			edge := meanEdge(pos, indices, tris, v)
			if gap < 0.1*edge {
				continue
			}
			if math.Sqrt(vd) <= tipReach*edge && facesKept(pos, indices, tris, v, tip) {
				pos[v] = tip
				continue
			}
			short = math.Max(short, gap/max(h.Size[0], h.Size[1], h.Size[2]))
		}
	}
	return short
}

// tipGrid is how many points, across each of the box's two other sides, tip first tries.
const tipGrid = 64

// tip finds the tip of the hull's surface toward sgn along axis a, on the plane a = level inside
// the box's face at a = face: the point of the plane deepest inside the hull, first on a grid over
// the box and then by a pattern search (the field is a distance, so it climbs steadily toward
// the tip's section, however small), then along a to where the surface is. It reports false when
// no point on the plane is inside.
func (h *Hull) tip(a int, sgn, face, level float64) ([3]float64, bool) {
	b, c := others(a)
	lo := [3]float64{-h.Size[0] / 2, 0, -h.Size[2] / 2}
	var best [3]float64
	best[a] = level
	bestV := math.Inf(-1)
	cell := [2]float64{h.Size[b] / tipGrid, h.Size[c] / tipGrid}
	for i := 0; i < tipGrid; i++ {
		for j := 0; j < tipGrid; j++ {
			var q [3]float64
			q[a] = level
			q[b] = lo[b] + (float64(i)+0.5)*cell[0]
			q[c] = lo[c] + (float64(j)+0.5)*cell[1]
			if v := h.Value(q); v > bestV {
				best, bestV = q, v
			}
		}
	}
	for step := 1.0; step > 1e-4; {
		moved := false
		for _, d := range [8][2]float64{{1, 0}, {-1, 0}, {0, 1}, {0, -1}, {1, 1}, {1, -1}, {-1, 1}, {-1, -1}} {
			q := best
			q[b] += step * d[0] * cell[0]
			q[c] += step * d[1] * cell[1]
			if v := h.Value(q); v > bestV {
				best, bestV, moved = q, v, true
			}
		}
		if !moved {
			step /= 2
		}
	}
	if bestV <= 0 {
		return best, false
	}
	out := best
	out[a] = face + sgn*1e-9
	fout := h.Value(out)
	if fout > 0 {
		return out, true
	}
	at := func(t float64) float64 {
		q := best
		q[a] = t
		return h.Value(q)
	}
	best[a] = root(at, level, out[a], bestV, fout, spanTolerance, spanSteps)
	return best, true
}

// facesKept says whether moving vertex v to p leaves every one of its triangles facing the same
// side it faced, with some area.
func facesKept(pos [][3]float64, indices []uint32, tris []int32, v int, p [3]float64) bool {
	for _, t := range tris {
		var before, after [3][3]float64
		for k := 0; k < 3; k++ {
			i := indices[3*int(t)+k]
			before[k], after[k] = pos[i], pos[i]
			if int(i) == v {
				after[k] = p
			}
		}
		n0 := cross(sub(before[1], before[0]), sub(before[2], before[0]))
		n1 := cross(sub(after[1], after[0]), sub(after[2], after[0]))
		if dot(n0, n1) <= 0 || dot(n1, n1) == 0 {
			return false
		}
	}
	return true
}
