package modeltest

import "math"

// WeldQuantum is the grid vertices are snapped to before they are compared by position, in model
// units: the same 10 µm the independent checker uses.
const WeldQuantum = 1e-5

// Topology says how a model's triangles join up once vertices at the same position are welded,
// so that UV seams (one position, two vertices) do not count as open edges.
type Topology struct {
	Triangles int
	// Vertices is the number of distinct positions.
	Vertices int
	// BoundaryEdges are used by one triangle, NonManifoldEdges by more than two.
	BoundaryEdges, NonManifoldEdges int
	// Degenerate triangles repeat a welded vertex.
	Degenerate int
	// Watertight: triangles exist and every edge is used by exactly two of them.
	Watertight bool
}

// Topology welds the model's vertices by position and counts how its edges are shared.
func (m *Model) Topology() Topology {
	type key [3]int64
	ids := make(map[key]int, len(m.Positions))
	weld := make([]int, len(m.Positions))
	for i, p := range m.Positions {
		k := key{
			int64(math.Round(p[0] / WeldQuantum)),
			int64(math.Round(p[1] / WeldQuantum)),
			int64(math.Round(p[2] / WeldQuantum)),
		}
		id, ok := ids[k]
		if !ok {
			id = len(ids)
			ids[k] = id
		}
		weld[i] = id
	}
	top := Topology{Triangles: len(m.Triangles), Vertices: len(ids)}
	edges := make(map[[2]int]int, 3*len(m.Triangles)/2)
	for _, t := range m.Triangles {
		a, b, c := weld[t[0]], weld[t[1]], weld[t[2]]
		if a == b || b == c || a == c {
			top.Degenerate++
			continue
		}
		for _, e := range [3][2]int{{a, b}, {b, c}, {c, a}} {
			if e[0] > e[1] {
				e[0], e[1] = e[1], e[0]
			}
			edges[e]++
		}
	}
	for _, n := range edges {
		switch {
		case n == 1:
			top.BoundaryEdges++
		case n > 2:
			top.NonManifoldEdges++
		}
	}
	top.Watertight = top.Triangles > 0 && top.BoundaryEdges == 0 && top.NonManifoldEdges == 0
	return top
}

// ZeroArea counts triangles whose area is below minArea (model units squared), which the welded
// check above misses: three distinct but collinear vertices.
func (m *Model) ZeroArea(minArea float64) int {
	n := 0
	for _, t := range m.Triangles {
		a, b, c := m.Positions[t[0]], m.Positions[t[1]], m.Positions[t[2]]
		u := [3]float64{b[0] - a[0], b[1] - a[1], b[2] - a[2]}
		v := [3]float64{c[0] - a[0], c[1] - a[1], c[2] - a[2]}
		x, y, z := u[1]*v[2]-u[2]*v[1], u[2]*v[0]-u[0]*v[2], u[0]*v[1]-u[1]*v[0]
		if math.Sqrt(x*x+y*y+z*z)/2 < minArea {
			n++
		}
	}
	return n
}
