package hull

// Marching tetrahedra on the Kuhn (Freudenthal) decomposition of each grid cube into six
// tetrahedra around its main diagonal. Every square face is cut along the diagonal from its lowest
// corner to its highest in every cube alike, so neighbouring cubes agree on their shared faces and
// the surface, the zero set of the piecewise-linear interpolant, is closed and manifold by
// construction: no ambiguous case exists, unlike marching cubes' or surface nets'.
//
// Cube corners are numbered by their offset bits: corner c sits at (c&1, c>>1&1, c>>2&1). Every
// edge of a Kuhn tetrahedron joins a corner lo to a corner hi whose bits include lo's, so it is
// named by lo and the direction dir = hi^lo (1 to 7: three axes, three face diagonals and the main
// diagonal), and it belongs to the lattice point at lo.

// edge is a lattice edge of a cube: from corner lo in direction dir.
type edge struct{ lo, dir uint8 }

// polygon is one piece of surface inside a tetrahedron: a triangle (n = 3) or a quad (n = 4), its
// corners on the edges listed, counter-clockwise seen from outside.
type polygon struct {
	n     int
	edges [4]edge
}

// cases lists, for every pattern of inside corners of a cube (bit c for corner c), the surface's
// polygons in it, and counts its triangles (a quad makes two).
type cases struct {
	polys     [256][]polygon
	triangles [256]int
}

// kuhn lists the six tetrahedra of a cube as chains of corners from 0 to 7.
func kuhn() [6][4]uint8 {
	var t [6][4]uint8
	n := 0
	for _, perm := range [6][3]uint8{{0, 1, 2}, {0, 2, 1}, {1, 0, 2}, {1, 2, 0}, {2, 0, 1}, {2, 1, 0}} {
		a, b := uint8(1)<<perm[0], uint8(1)<<perm[1]
		t[n] = [4]uint8{0, a, a | b, 7}
		n++
	}
	return t
}

func newCases() *cases {
	cs := &cases{}
	for pattern := 0; pattern < 256; pattern++ {
		for _, tet := range kuhn() {
			var in, out []uint8
			for _, c := range tet {
				if pattern&(1<<c) != 0 {
					in = append(in, c)
				} else {
					out = append(out, c)
				}
			}
			var p polygon
			switch {
			case len(in) == 1:
				p = polygon{n: 3, edges: [4]edge{span(in[0], out[0]), span(in[0], out[1]), span(in[0], out[2])}}
			case len(out) == 1:
				p = polygon{n: 3, edges: [4]edge{span(in[0], out[0]), span(in[1], out[0]), span(in[2], out[0])}}
			case len(in) == 2:
				// Around the quad: each edge shares a corner with the next.
				p = polygon{n: 4, edges: [4]edge{span(in[0], out[0]), span(in[1], out[0]), span(in[1], out[1]), span(in[0], out[1])}}
			default:
				continue
			}
			orient(&p, in, out)
			cs.polys[pattern] = append(cs.polys[pattern], p)
			cs.triangles[pattern] += p.n - 2
		}
	}
	return cs
}

// span names the edge between corners a and b, one of whose bit sets contains the other's.
func span(a, b uint8) edge {
	if a&b == a {
		return edge{lo: a, dir: b ^ a}
	}
	return edge{lo: b, dir: a ^ b}
}

func corner(c uint8) [3]float64 {
	return [3]float64{float64(c & 1), float64(c >> 1 & 1), float64(c >> 2 & 1)}
}

// orient reverses p when, with its corners at the edges' midpoints, it does not face from the
// inside corners toward the outside ones. Sliding the corners along their edges (which is all the
// refinement does) never turns a triangle around, so the midpoints decide for every position.
func orient(p *polygon, in, out []uint8) {
	var pts [4][3]float64
	for k := 0; k < p.n; k++ {
		a, b := corner(p.edges[k].lo), corner(p.edges[k].lo|p.edges[k].dir)
		pts[k] = [3]float64{(a[0] + b[0]) / 2, (a[1] + b[1]) / 2, (a[2] + b[2]) / 2}
	}
	n := cross(sub(pts[1], pts[0]), sub(pts[2], pts[0]))
	var ci, co [3]float64
	for _, c := range in {
		ci = add(ci, corner(c))
	}
	for _, c := range out {
		co = add(co, corner(c))
	}
	outward := sub(scale(co, 1/float64(len(out))), scale(ci, 1/float64(len(in))))
	if dot(n, outward) < 0 {
		for i, j := 0, p.n-1; i < j; i, j = i+1, j-1 {
			p.edges[i], p.edges[j] = p.edges[j], p.edges[i]
		}
	}
}

func add(a, b [3]float64) [3]float64 { return [3]float64{a[0] + b[0], a[1] + b[1], a[2] + b[2]} }
func sub(a, b [3]float64) [3]float64 { return [3]float64{a[0] - b[0], a[1] - b[1], a[2] - b[2]} }
func scale(a [3]float64, s float64) [3]float64 {
	return [3]float64{a[0] * s, a[1] * s, a[2] * s}
}
func dot(a, b [3]float64) float64 { return a[0]*b[0] + a[1]*b[1] + a[2]*b[2] }
func cross(a, b [3]float64) [3]float64 {
	return [3]float64{a[1]*b[2] - a[2]*b[1], a[2]*b[0] - a[0]*b[2], a[0]*b[1] - a[1]*b[0]}
}
