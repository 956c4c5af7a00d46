package simplify

import (
	"fmt"
	"math"
	"slices"
)

// testMesh is a generated mesh with what the checks need to know about it.
type testMesh struct {
	name string
	pos  [][3]float32
	uv   [][2]float32
	nor  [][3]float32
	idx  []uint32
	// euler is V−E+F of the mesh welded by position: 2 for a sphere, 0 for a torus, 1 for a
	// disk; a collapse that kept the mesh manifold never changes it.
	euler int
	// closed: every edge has two triangles.
	closed bool
	// outward is the direction a triangle around point c must face; nil skips the flip check.
	outward func(c [3]float64) [3]float64
	// onBorder says whether a point lies on the open boundary; nil when there is none.
	onBorder func(p [3]float32) bool
	// texture says what is wrong with a triangle's UVs and normals, "" when nothing is: above
	// all, that it does not stretch across a seam.
	texture func(tri [3]uint32) string
}

func (m *testMesh) attributes() ([][]float32, []float32) {
	a := make([][]float32, len(m.pos))
	for v := range a {
		a[v] = []float32{m.uv[v][0], m.uv[v][1], m.nor[v][0], m.nor[v][1], m.nor[v][2]}
	}
	return a, []float32{1, 1, 0.5, 0.5, 0.5}
}

// grid appends a (cols+1)×(rows+1) grid of vertices made by at(u, v) and its triangles, wound so
// that (∂/∂u × ∂/∂v) faces out when flip is false.
func (m *testMesh) grid(cols, rows int, flip bool, at func(u, v float64) (p, n [3]float64)) {
	base := uint32(len(m.pos))
	for j := 0; j <= rows; j++ {
		for i := 0; i <= cols; i++ {
			u, v := float64(i)/float64(cols), float64(j)/float64(rows)
			p, n := at(u, v)
			m.pos = append(m.pos, [3]float32{float32(p[0]), float32(p[1]), float32(p[2])})
			m.nor = append(m.nor, [3]float32{float32(n[0]), float32(n[1]), float32(n[2])})
			m.uv = append(m.uv, [2]float32{float32(u), float32(v)})
		}
	}
	at2 := func(i, j int) uint32 { return base + uint32(j*(cols+1)+i) }
	for j := 0; j < rows; j++ {
		for i := 0; i < cols; i++ {
			a, b, c, d := at2(i, j), at2(i+1, j), at2(i+1, j+1), at2(i, j+1)
			if flip {
				m.idx = append(m.idx, a, c, b, a, d, c)
			} else {
				m.idx = append(m.idx, a, b, c, a, c, d)
			}
		}
	}
}

// uvSphere is a unit sphere with a UV seam along one meridian and a fan of wedges at each pole.
func uvSphere(segs, rings int) *testMesh {
	m := &testMesh{name: "sphere", euler: 2, closed: true}
	m.grid(segs, rings, false, func(u, v float64) (p, n [3]float64) {
		// Angles wrap exactly so that the seam and the poles weld by position.
		th, ph := v*math.Pi, math.Mod(u, 1)*2*math.Pi
		p = [3]float64{math.Sin(th) * math.Cos(ph), math.Cos(th), math.Sin(th) * math.Sin(ph)}
		if v == 0 || v == 1 {
			p = [3]float64{0, math.Cos(th), 0}
		}
		return p, p
	})
	m.dropDegenerate()
	m.outward = func(c [3]float64) [3]float64 { return c }
	m.texture = func(tri [3]uint32) string {
		return m.angleSeam(tri, 0, func(p [3]float32) (float64, bool) {
			if p[0] == 0 && p[2] == 0 {
				return 0, false // a pole has no azimuth
			}
			return math.Atan2(float64(p[2]), float64(p[0])) / (2 * math.Pi), true
		})
	}
	return m
}

// angleSeam checks a triangle of a mesh whose UV axis ax is an angle that wraps at a seam: the
// spread of the corners' UVs must match the spread of the angles of their positions taken the
// short way round. A triangle stretched across the seam has corners at u ≈ 0 and u ≈ 1 while
// its positions are close together.
func (m *testMesh) angleSeam(tri [3]uint32, ax int, angle func([3]float32) (float64, bool)) string {
	var us, gs []float64
	for _, v := range tri {
		if g, ok := angle(m.pos[v]); ok {
			us = append(us, float64(m.uv[v][ax]))
			gs = append(gs, g-math.Floor(g))
		}
	}
	if len(us) < 2 {
		return ""
	}
	uvSpan := slices.Max(us) - slices.Min(us)
	// The short way round: the largest gap between the sorted angles is the part not covered.
	slices.Sort(gs)
	gap := gs[0] + 1 - gs[len(gs)-1]
	for i := 1; i < len(gs); i++ {
		gap = max(gap, gs[i]-gs[i-1])
	}
	if geo := 1 - gap; math.Abs(uvSpan-geo) > 0.01 {
		return fmt.Sprintf("its texture spans %.3f of axis %d but its corners only %.3f of the turn: it crosses the seam (UV %v %v %v)",
			uvSpan, ax, geo, m.uv[tri[0]], m.uv[tri[1]], m.uv[tri[2]])
	}
	return ""
}

// torus has a UV seam around the tube and one across it, meeting at a four-wedge corner.
func torus(segs, sides int, centre [3]float64) *testMesh {
	const R, r = 1.0, 0.35
	m := &testMesh{name: "torus", euler: 0, closed: true}
	m.grid(segs, sides, true, func(u, v float64) (p, n [3]float64) {
		a, b := math.Mod(u, 1)*2*math.Pi, math.Mod(v, 1)*2*math.Pi
		n = [3]float64{math.Cos(b) * math.Cos(a), math.Sin(b), math.Cos(b) * math.Sin(a)}
		p = [3]float64{centre[0] + R*math.Cos(a) + r*n[0], centre[1] + r*n[1], centre[2] + R*math.Sin(a) + r*n[2]}
		return p, n
	})
	m.outward = func(c [3]float64) [3]float64 {
		x, z := c[0]-centre[0], c[2]-centre[2]
		l := math.Hypot(x, z)
		return [3]float64{x - R*x/l, c[1] - centre[1], z - R*z/l}
	}
	around := func(p [3]float32) (float64, bool) {
		return math.Atan2(float64(p[2])-centre[2], float64(p[0])-centre[0]) / (2 * math.Pi), true
	}
	tube := func(p [3]float32) (float64, bool) {
		x, z := float64(p[0])-centre[0], float64(p[2])-centre[2]
		return math.Atan2(float64(p[1])-centre[1], math.Hypot(x, z)-R) / (2 * math.Pi), true
	}
	m.texture = func(tri [3]uint32) string {
		if why := m.angleSeam(tri, 0, around); why != "" {
			return why
		}
		return m.angleSeam(tri, 1, tube)
	}
	return m
}

// cube is a textured cube of side 2 whose faces are n×n grids with their own UVs and flat
// normals: every edge is a seam (a hard-normal split) and every corner has three wedges.
func cube(n int) *testMesh {
	m := &testMesh{name: "cube", euler: 2, closed: true}
	axes := [6][3][3]float64{ // normal, u direction, v direction (u × v = normal)
		{{1, 0, 0}, {0, 1, 0}, {0, 0, 1}}, {{-1, 0, 0}, {0, 0, 1}, {0, 1, 0}},
		{{0, 1, 0}, {0, 0, 1}, {1, 0, 0}}, {{0, -1, 0}, {1, 0, 0}, {0, 0, 1}},
		{{0, 0, 1}, {1, 0, 0}, {0, 1, 0}}, {{0, 0, -1}, {0, 1, 0}, {1, 0, 0}},
	}
	for _, f := range axes {
		m.grid(n, n, false, func(u, v float64) (p, nor [3]float64) {
			for k := 0; k < 3; k++ {
				p[k] = f[0][k] + (2*u-1)*f[1][k] + (2*v-1)*f[2][k]
			}
			return p, f[0]
		})
	}
	m.outward = func(c [3]float64) [3]float64 { return c }
	m.texture = func(tri [3]uint32) string {
		// Each face has its own wedges: a triangle mixing two faces' normals spans an edge.
		if n := m.nor[tri[0]]; m.nor[tri[1]] != n || m.nor[tri[2]] != n {
			return fmt.Sprintf("it mixes faces: normals %v %v %v", n, m.nor[tri[1]], m.nor[tri[2]])
		}
		return ""
	}
	return m
}

// openGrid is a wavy height field over the unit square: an open border all round.
func openGrid(n int) *testMesh {
	m := &testMesh{name: "grid", euler: 1}
	m.grid(n, n, false, func(u, v float64) (p, nor [3]float64) {
		h := 0.1 * math.Sin(3*u) * math.Cos(2*v)
		hu, hv := 0.3*math.Cos(3*u)*math.Cos(2*v), -0.2*math.Sin(3*u)*math.Sin(2*v)
		l := math.Sqrt(hu*hu + hv*hv + 1)
		return [3]float64{u, v, h}, [3]float64{-hu / l, -hv / l, 1 / l}
	})
	m.outward = func([3]float64) [3]float64 { return [3]float64{0, 0, 1} }
	m.onBorder = func(p [3]float32) bool { return p[0] == 0 || p[0] == 1 || p[1] == 0 || p[1] == 1 }
	m.texture = func(tri [3]uint32) string {
		for _, v := range tri {
			if m.uv[v] != [2]float32{m.pos[v][0], m.pos[v][1]} {
				return fmt.Sprintf("vertex %d has UV %v at %v", v, m.uv[v], m.pos[v])
			}
		}
		return ""
	}
	return m
}

// twoParts is a sphere and, beside it, a torus: two components in one index buffer.
func twoParts() *testMesh {
	s, t := uvSphere(48, 24), torus(48, 24, [3]float64{3, 0, 0})
	m := &testMesh{name: "two parts", euler: 2, closed: true}
	m.pos, m.uv, m.nor, m.idx = s.pos, s.uv, s.nor, s.idx
	base := uint32(len(m.pos))
	m.pos, m.uv, m.nor = append(m.pos, t.pos...), append(m.uv, t.uv...), append(m.nor, t.nor...)
	for _, i := range t.idx {
		m.idx = append(m.idx, base+i)
	}
	m.outward = func(c [3]float64) [3]float64 {
		if c[0] > 1.5 {
			return t.outward(c)
		}
		return c
	}
	m.texture = func(tri [3]uint32) string {
		if m.pos[tri[0]][0] > 1.5 {
			return t.texture([3]uint32{tri[0] - base, tri[1] - base, tri[2] - base})
		}
		return s.texture(tri)
	}
	return m
}

// dropDegenerate removes the triangles at the poles of a UV grid whose corners share a position.
func (m *testMesh) dropDegenerate() {
	out := m.idx[:0]
	for t := 0; t < len(m.idx); t += 3 {
		a, b, c := m.pos[m.idx[t]], m.pos[m.idx[t+1]], m.pos[m.idx[t+2]]
		if a == b || b == c || a == c {
			continue
		}
		out = append(out, m.idx[t:t+3]...)
	}
	m.idx = out
}
