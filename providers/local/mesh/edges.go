package mesh

import (
	"cmp"
	"slices"
)

// SplitEdges adds 2·n triangles to a closed mesh by splitting n of its edges at their midpoints,
// each edge's two triangles into four. The shape does not change, only how finely it is cut: this
// tops a surface up to an exact triangle count. Edges are taken spread evenly over the triangles'
// order, preferring each triangle's longest, and no triangle is split twice, so every new triangle
// is at worst half of an old one. It returns the new positions and indices, and how many edges it
// split: fewer than n only when the mesh has too few triangles (each split uses up two).
func SplitEdges(pos [][3]float64, indices []uint32, n int) ([][3]float64, []uint32, int) {
	tris := len(indices) / 3
	if n <= 0 || tris < 2 {
		return pos, indices, 0
	}
	twin := Twins(indices)
	used := make([]bool, tris)
	indices = slices.Grow(slices.Clone(indices), 6*n)
	pos = slices.Grow(slices.Clone(pos), n)
	done := 0
	for k := 0; k < n; k++ {
		start := int(float64(k) * float64(tris) / float64(n))
		t, e := -1, -1
		for s := 0; s < tris && t < 0; s++ {
			c := (start + s) % tris
			if used[c] {
				continue
			}
			best, bestLen := -1, -1.0
			for i := 0; i < 3; i++ {
				o := twin[3*c+i]
				if o < 0 || used[o/3] {
					continue
				}
				a, b := pos[indices[3*c+i]], pos[indices[3*c+(i+1)%3]]
				if l := dist2(a, b); l > bestLen {
					best, bestLen = i, l
				}
			}
			if best >= 0 {
				t, e = c, best
			}
		}
		if t < 0 {
			break
		}
		o := twin[3*t+e] // the twin's corner whose edge runs the other way
		u := o / 3
		a, b := indices[3*t+e], indices[3*t+(e+1)%3]
		c := indices[3*t+(e+2)%3]
		d := indices[3*u+(o%3+2)%3]
		pa, pb := pos[a], pos[b]
		m := uint32(len(pos))
		pos = append(pos, [3]float64{(pa[0] + pb[0]) / 2, (pa[1] + pb[1]) / 2, (pa[2] + pb[2]) / 2})
		// (a, b, c) becomes (a, m, c) and (m, b, c); (b, a, d) becomes (b, m, d) and (m, a, d).
		indices[3*t], indices[3*t+1], indices[3*t+2] = a, m, c
		indices[3*u], indices[3*u+1], indices[3*u+2] = b, m, d
		indices = append(indices, m, b, c, m, a, d)
		used[t], used[u] = true, true
		done++
	}
	return pos, indices, done
}

// Twins returns, for every triangle corner 3t+i (standing for the edge from corner i to i+1), the
// corner of the other triangle holding the same edge the other way round, or -1 when there is
// none or more than one: a closed mesh's edge neighbours.
func Twins(indices []uint32) []int {
	type half struct {
		lo, hi uint32
		corner int
	}
	hs := make([]half, len(indices))
	for c := range indices {
		t := c / 3
		a, b := indices[c], indices[3*t+(c%3+1)%3]
		hs[c] = half{min(a, b), max(a, b), c}
	}
	slices.SortFunc(hs, func(x, y half) int {
		if r := cmp.Compare(x.lo, y.lo); r != 0 {
			return r
		}
		if r := cmp.Compare(x.hi, y.hi); r != 0 {
			return r
		}
		return cmp.Compare(x.corner, y.corner)
	})
	twin := make([]int, len(indices))
	for i := range twin {
		twin[i] = -1
	}
	for i := 0; i < len(hs); {
		j := i
		for j < len(hs) && hs[j].lo == hs[i].lo && hs[j].hi == hs[i].hi {
			j++
		}
		if j-i == 2 {
			twin[hs[i].corner], twin[hs[i+1].corner] = hs[i+1].corner, hs[i].corner
		}
		i = j
	}
	return twin
}

func dist2(a, b [3]float64) float64 {
	x, y, z := a[0]-b[0], a[1]-b[1], a[2]-b[2]
	return x*x + y*y + z*z
}
