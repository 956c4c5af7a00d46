package mesh

import (
	"context"
	"math"
	"testing"
)

// sphere is a unit sphere: an octahedron split n times, its vertices pushed onto the sphere.
func sphere(n int) ([][3]float64, []uint32) {
	pos := [][3]float64{{1, 0, 0}, {-1, 0, 0}, {0, 1, 0}, {0, -1, 0}, {0, 0, 1}, {0, 0, -1}}
	idx := []uint32{0, 2, 4, 2, 1, 4, 1, 3, 4, 3, 0, 4, 2, 0, 5, 1, 2, 5, 3, 1, 5, 0, 3, 5}
	for ; n > 0; n-- {
		mid := map[[2]uint32]uint32{}
		half := func(a, b uint32) uint32 {
			k := [2]uint32{min(a, b), max(a, b)}
			if m, ok := mid[k]; ok {
				return m
			}
			p, q := pos[a], pos[b]
			pos = append(pos, [3]float64{(p[0] + q[0]) / 2, (p[1] + q[1]) / 2, (p[2] + q[2]) / 2})
			mid[k] = uint32(len(pos) - 1)
			return mid[k]
		}
		var next []uint32
		for t := 0; t < len(idx); t += 3 {
			a, b, c := idx[t], idx[t+1], idx[t+2]
			ab, bc, ca := half(a, b), half(b, c), half(c, a)
			next = append(next, a, ab, ca, ab, b, bc, ca, bc, c, ab, bc, ca)
		}
		idx = next
	}
	for i, p := range pos {
		l := math.Sqrt(p[0]*p[0] + p[1]*p[1] + p[2]*p[2])
		pos[i] = [3]float64{p[0] / l, p[1] / l, p[2] / l}
	}
	return pos, idx
}

// isClosed checks that every edge of the triangles has exactly one twin running the other way.
func isClosed(t *testing.T, what string, idx []uint32) {
	t.Helper()
	for c, o := range Twins(idx) {
		if o < 0 {
			t.Fatalf("%s: edge at corner %d is open or shared by more than two triangles", what, c)
		}
	}
}

// TestSmoothKeepsVolume: Taubin smoothing of a bumpy sphere removes the bumps but, unlike plain
// Laplacian smoothing, keeps the volume to within a few percent.
func TestSmoothKeepsVolume(t *testing.T) {
	pos, idx := sphere(4)
	for i := range pos {
		k := 1 + 0.03*math.Sin(float64(17*i)) // bumps at the vertex scale
		pos[i] = [3]float64{pos[i][0] * k, pos[i][1] * k, pos[i][2] * k}
	}
	before := Volume(pos, idx, nil, 0)
	rough := roughness(pos)
	if err := Smooth(context.Background(), pos, idx, 10); err != nil {
		t.Fatal(err)
	}
	after := Volume(pos, idx, nil, 0)
	if math.Abs(after/before-1) > 0.03 {
		t.Errorf("volume %g before, %g after", before, after)
	}
	if r := roughness(pos); r > rough/3 {
		t.Errorf("radius spread %g before, %g after: not smoothed", rough, r)
	}
}

// roughness is the standard deviation of the vertices' distances from the origin.
func roughness(pos [][3]float64) float64 {
	var s, s2 float64
	for _, p := range pos {
		r := math.Sqrt(p[0]*p[0] + p[1]*p[1] + p[2]*p[2])
		s, s2 = s+r, s2+r*r
	}
	n := float64(len(pos))
	return math.Sqrt(s2/n - (s/n)*(s/n))
}

// TestSplitEdges: splitting adds exactly two triangles per edge, keeps the surface closed and
// unchanged in volume, and stops when no edge is left to split.
func TestSplitEdges(t *testing.T) {
	pos, idx := sphere(2)
	tris := len(idx) / 3
	vol := Volume(pos, idx, nil, 0)
	p2, i2, n := SplitEdges(pos, idx, 37)
	if n != 37 || len(i2)/3 != tris+74 {
		t.Errorf("split %d edges into %d triangles, want 37 and %d", n, len(i2)/3, tris+74)
	}
	isClosed(t, "after splitting", i2)
	if v := Volume(p2, i2, nil, 0); math.Abs(v-vol) > 1e-12 {
		t.Errorf("volume %g, was %g", v, vol)
	}
	if _, _, n := SplitEdges(pos, idx, tris); n > tris/2 || n < tris/4 {
		t.Errorf("asked for more splits than the mesh allows: %d of %d triangles", n, tris)
	}
}

// TestFlipCaps: a cap (a vertex almost on the edge facing it) is flipped away, the surface stays
// closed, and nothing else changes.
func TestFlipCaps(t *testing.T) {
	pos, idx := sphere(2)
	// Push vertex 0's neighbourhood flat: move a vertex onto the middle of an edge it faces.
	v := idx[len(idx)-1]
	var opp [2]uint32
	for t := 0; t < len(idx); t += 3 {
		for k := 0; k < 3; k++ {
			if idx[t+k] == v {
				opp = [2]uint32{idx[t+(k+1)%3], idx[t+(k+2)%3]}
			}
		}
	}
	a, b := pos[opp[0]], pos[opp[1]]
	pos[v] = [3]float64{(a[0]+b[0])/2 + 1e-9, (a[1]+b[1])/2 + 1e-9, (a[2]+b[2])/2 + 1e-9}
	caps := func() int {
		n := 0
		for t := 0; t < len(idx); t += 3 {
			if capCorner(pos, idx[t:t+3]) >= 0 {
				n++
			}
		}
		return n
	}
	if caps() == 0 {
		t.Fatal("no cap made")
	}
	tris := len(idx) / 3
	if n := FlipCaps(pos, idx); n == 0 {
		t.Error("nothing flipped")
	}
	if c := caps(); c != 0 {
		t.Errorf("%d caps left", c)
	}
	if len(idx)/3 != tris {
		t.Errorf("%d triangles, was %d", len(idx)/3, tris)
	}
	isClosed(t, "after flipping", idx)
}

// TestParts: two separate spheres are two parts, each with its own vertices once split.
func TestParts(t *testing.T) {
	pos, idx := sphere(1)
	n := uint32(len(pos))
	for _, p := range pos[:n] {
		pos = append(pos, [3]float64{p[0] + 3, p[1], p[2]})
	}
	tris := len(idx)
	for _, i := range idx[:tris] {
		idx = append(idx, i+n)
	}
	part, count := TriangleParts(len(pos), idx)
	if count != 2 || part[0] != 0 || part[len(part)-1] != 1 {
		t.Fatalf("%d parts: %v", count, part)
	}
	m := &Mesh{Indices: idx}
	for _, p := range pos {
		m.Positions = append(m.Positions, [3]float32{float32(p[0]), float32(p[1]), float32(p[2])})
		m.Normals = append(m.Normals, [3]float32{0, 0, 1})
		m.UVs = append(m.UVs, [2]float32{})
	}
	parts := m.Split(part, count)
	for k, pm := range parts {
		if len(pm.Positions) != int(n) || len(pm.Indices) != tris {
			t.Errorf("part %d: %d vertices and %d indices", k, len(pm.Positions), len(pm.Indices))
		}
		isClosed(t, "a part", pm.Indices)
	}
	if v0, v1 := Volume(pos, idx, part, 0), Volume(pos, idx, part, 1); math.Abs(v0-v1) > 1e-9 || v0 <= 0 {
		t.Errorf("volumes %g and %g", v0, v1)
	}
}
