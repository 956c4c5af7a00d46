package hull

import (
	"context"
	"math"

	"github.com/kiln3d/kiln/providers/local/work"
)

// Surface is a closed triangle mesh in model space, counter-clockwise seen from outside.
type Surface struct {
	Pos     [][3]float64
	Indices []uint32
}

// Triangles is the number of triangles.
func (s *Surface) Triangles() int { return len(s.Indices) / 3 }

// minCrossing keeps every surface vertex this share of its lattice edge away from the edge's
// ends: two vertices on edges meeting at a lattice point then never land on the same spot, and no
// triangle collapses, wherever the outline passes.
const minCrossing = 0.02

// refineSteps bounds the root finding along each lattice edge; regula falsi on a distance field
// gets within a thousandth of a cell in three or four.
const refineSteps = 8

// Count returns how many triangles Extract makes, without making them.
func (g *Grid) Count(ctx context.Context) (int, error) {
	cs := newCases()
	nx, ny, nz := g.N[0], g.N[1], g.N[2]
	counts := make([]int, nz-1)
	err := work.Split(ctx, nz-1, func(k0, k1 int) error {
		a, b := make([]float32, nx*ny), make([]float32, nx*ny)
		ia, ib := make([]uint8, nx*ny), make([]uint8, nx*ny)
		g.slab(k0, a)
		signs(a, ia)
		for k := k0; k < k1; k++ {
			if err := ctx.Err(); err != nil {
				return err
			}
			g.slab(k+1, b)
			signs(b, ib)
			n := 0
			for j := 0; j < ny-1; j++ {
				for i := 0; i < nx-1; i++ {
					n += cs.triangles[pattern(ia, ib, j*nx+i, nx)]
				}
			}
			counts[k] = n
			a, b, ia, ib = b, a, ib, ia
		}
		return nil
	})
	total := 0
	for _, n := range counts {
		total += n
	}
	return total, err
}

func signs(v []float32, in []uint8) {
	for i, x := range v {
		if x > 0 {
			in[i] = 1
		} else {
			in[i] = 0
		}
	}
}

// pattern is the inside-corner bits of the cube whose lowest corner is point p of the lower
// slab a (upper slab b), rows of nx points.
func pattern(a, b []uint8, p, nx int) int {
	return int(a[p]) | int(a[p+1])<<1 | int(a[p+nx])<<2 | int(a[p+nx+1])<<3 |
		int(b[p])<<4 | int(b[p+1])<<5 | int(b[p+nx])<<6 | int(b[p+nx+1])<<7
}

// crossing is a surface vertex while it is being placed: on the lattice edge from an inside
// point to an outside one, with the field's values there.
type crossing struct {
	in, out   [3]float64
	fin, fout float64
}

// Extract runs marching tetrahedra over the grid. Vertices are placed where the hull's exact
// field (the silhouettes' distances at full image resolution, not the grid's samples) crosses
// zero along their lattice edges, so the surface follows the outlines to a fraction of a pixel.
func (g *Grid) Extract(ctx context.Context) (*Surface, error) {
	cs := newCases()
	nx, ny, nz := g.N[0], g.N[1], g.N[2]
	plane := nx * ny
	vals := [2][]float32{make([]float32, plane), make([]float32, plane)}
	ins := [2][]uint8{make([]uint8, plane), make([]uint8, plane)}
	// ids[0] holds the vertices on edges starting in the lower slab, ids[1] the upper's: vertex
	// id + 1 per lattice point and direction, 0 for none yet.
	ids := [2][]int32{make([]int32, 7*plane), make([]int32, 7*plane)}
	var xs []crossing
	var polys [][4]int32 // triangles have -1 as their fourth corner
	g.slab(0, vals[0])
	signs(vals[0], ins[0])
	for k := 0; k < nz-1; k++ {
		if k%8 == 0 {
			if err := ctx.Err(); err != nil {
				return nil, err
			}
		}
		g.slab(k+1, vals[1])
		signs(vals[1], ins[1])
		vertex := func(i, j int, e edge) int32 {
			dx, dy, dz := int(e.lo&1), int(e.lo>>1&1), int(e.lo>>2&1)
			p := (j+dy)*nx + i + dx
			slot := &ids[dz][7*p+int(e.dir)-1]
			if *slot == 0 {
				hi := e.lo | e.dir
				hx, hy, hz := int(hi&1), int(hi>>1&1), int(hi>>2&1)
				a, b := g.Point(i+dx, j+dy, k+dz), g.Point(i+hx, j+hy, k+hz)
				fa, fb := float64(vals[dz][p]), float64(vals[hz][(j+hy)*nx+i+hx])
				if fa <= 0 {
					a, b, fa, fb = b, a, fb, fa
				}
				xs = append(xs, crossing{in: a, out: b, fin: fa, fout: fb})
				*slot = int32(len(xs))
			}
			return *slot - 1
		}
		for j := 0; j < ny-1; j++ {
			for i := 0; i < nx-1; i++ {
				pat := pattern(ins[0], ins[1], j*nx+i, nx)
				for _, poly := range cs.polys[pat] {
					q := [4]int32{-1, -1, -1, -1}
					for c := 0; c < poly.n; c++ {
						q[c] = vertex(i, j, poly.edges[c])
					}
					polys = append(polys, q)
				}
			}
		}
		vals[0], vals[1] = vals[1], vals[0]
		ins[0], ins[1] = ins[1], ins[0]
		ids[0], ids[1] = ids[1], ids[0]
		clear(ids[1])
	}
	pos := make([][3]float64, len(xs))
	err := work.Split(ctx, len(xs), func(lo, hi int) error {
		for v := lo; v < hi; v++ {
			pos[v] = g.place(&xs[v])
		}
		return ctx.Err()
	})
	if err != nil {
		return nil, err
	}
	s := &Surface{Pos: pos, Indices: make([]uint32, 0, 3*2*len(polys))}
	for _, q := range polys {
		s.Indices = splitQuad(s.Indices, pos, q)
	}
	return s, nil
}

// place finds where the hull's exact field crosses zero on the crossing's edge, by regula falsi
// (Illinois variant), starting from the grid values' own crossing.
func (g *Grid) place(x *crossing) [3]float64 {
	at := func(t float64) [3]float64 {
		return [3]float64{
			x.in[0] + t*(x.out[0]-x.in[0]),
			x.in[1] + t*(x.out[1]-x.in[1]),
			x.in[2] + t*(x.out[2]-x.in[2]),
		}
	}
	t := root(func(t float64) float64 { return g.Hull.Value(at(t)) }, 0, 1, x.fin, x.fout, 1e-3*g.S, refineSteps)
	if math.IsNaN(t) {
		t = 0.5
	}
	return at(math.Max(minCrossing, math.Min(1-minCrossing, t)))
}

// splitQuad appends the triangles of polygon q to out: itself if a triangle, else the quad cut
// along whichever diagonal gives the better worse triangle, judged facing the quad's own normal
// so that a cut folding one half over never wins.
func splitQuad(out []uint32, pos [][3]float64, q [4]int32) []uint32 {
	a, b, c, d := uint32(q[0]), uint32(q[1]), uint32(q[2]), uint32(q[3])
	if q[3] < 0 {
		return append(out, a, b, c)
	}
	pa, pb, pc, pd := pos[a], pos[b], pos[c], pos[d]
	// Newell's normal of the quad: the sum of its two diagonals' cross product.
	n := cross(sub(pc, pa), sub(pd, pb))
	ac := min(quality(pa, pb, pc, n), quality(pa, pc, pd, n))
	bd := min(quality(pa, pb, pd, n), quality(pb, pc, pd, n))
	if ac >= bd {
		return append(out, a, b, c, a, c, d)
	}
	return append(out, a, b, d, b, c, d)
}

// quality is a triangle's area over the sum of its squared sides, scaled so an equilateral one
// scores 1 and a sliver nearly 0; negative when it faces away from n.
func quality(a, b, c, n [3]float64) float64 {
	tn := cross(sub(b, a), sub(c, a))
	area2 := math.Sqrt(dot(tn, tn))
	ab, bc, ca := sub(b, a), sub(c, b), sub(a, c)
	s := dot(ab, ab) + dot(bc, bc) + dot(ca, ca)
	if s == 0 {
		return 0
	}
	q := 2 * math.Sqrt(3) * area2 / s
	if dot(tn, n) < 0 {
		q = -q
	}
	return q
}
