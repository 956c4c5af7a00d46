package gltfsimplify

import (
	"math"
	"math/rand/v2"

	"github.com/kiln3d/kiln/providers/modeltest"
)

// hausdorff is the symmetric Hausdorff distance between two models' surfaces, estimated over
// dense samples: on each side every vertex plus about samples random points spread by area (at
// least one per triangle), each measured to the nearest triangle of the other model through a
// uniform grid. It is relative to the diagonal of the box holding both.
func hausdorff(a, b *modeltest.Model, samples int) float64 {
	lo, hi := a.Bounds()
	blo, bhi := b.Bounds()
	for k := 0; k < 3; k++ {
		lo[k], hi[k] = min(lo[k], blo[k]), max(hi[k], bhi[k])
	}
	diag := math.Sqrt(sq(hi[0]-lo[0]) + sq(hi[1]-lo[1]) + sq(hi[2]-lo[2]))
	d := max(oneSided(a, newGrid(b, lo, hi), samples), oneSided(b, newGrid(a, lo, hi), samples))
	return d / diag
}

func sq(x float64) float64 { return x * x }

// oneSided is the largest distance from a sample of from's surface to the grid's mesh.
func oneSided(from *modeltest.Model, g *grid, samples int) float64 {
	worst := 0.0
	for _, p := range from.Positions {
		worst = max(worst, g.nearest(p))
	}
	// Points spread by area, so a large triangle gets many.
	area := make([]float64, len(from.Triangles))
	total := 0.0
	for i, t := range from.Triangles {
		area[i] = triArea(from.Positions[t[0]], from.Positions[t[1]], from.Positions[t[2]])
		total += area[i]
	}
	rng := rand.New(rand.NewPCG(1, 2))
	for i, t := range from.Triangles {
		n := int(math.Ceil(area[i] / total * float64(samples)))
		a, b, c := from.Positions[t[0]], from.Positions[t[1]], from.Positions[t[2]]
		for k := 0; k < n; k++ {
			u, v := rng.Float64(), rng.Float64()
			if u+v > 1 {
				u, v = 1-u, 1-v
			}
			var p [3]float64
			for j := 0; j < 3; j++ {
				p[j] = a[j] + u*(b[j]-a[j]) + v*(c[j]-a[j])
			}
			worst = max(worst, g.nearest(p))
		}
	}
	return worst
}

func triArea(a, b, c [3]float64) float64 {
	u := [3]float64{b[0] - a[0], b[1] - a[1], b[2] - a[2]}
	v := [3]float64{c[0] - a[0], c[1] - a[1], c[2] - a[2]}
	x, y, z := u[1]*v[2]-u[2]*v[1], u[2]*v[0]-u[0]*v[2], u[0]*v[1]-u[1]*v[0]
	return math.Sqrt(x*x+y*y+z*z) / 2
}

// grid buckets a mesh's triangles by the cells their bounding boxes overlap.
type grid struct {
	m      *modeltest.Model
	lo     [3]float64
	cell   float64
	n      [3]int
	start  []int32 // per cell, into items; len = cells+1
	items  []int32
	seen   []int32 // per triangle, the last query that tested it
	query  int32
	maxDim int
}

func newGrid(m *modeltest.Model, lo, hi [3]float64) *grid {
	ext := [3]float64{hi[0] - lo[0], hi[1] - lo[1], hi[2] - lo[2]}
	vol := max(ext[0], 1e-9) * max(ext[1], 1e-9) * max(ext[2], 1e-9)
	// Cells about twice a typical edge, so that a cell the surface crosses holds a handful of
	// triangles (sizing by volume would crowd a surface into few cells), and at most 8 million.
	area := 0.0
	for _, t := range m.Triangles {
		area += triArea(m.Positions[t[0]], m.Positions[t[1]], m.Positions[t[2]])
	}
	cell := 3 * math.Sqrt(area/float64(max(len(m.Triangles), 1)))
	cell = max(cell, math.Cbrt(vol/8e6), 1e-12)
	g := &grid{m: m, lo: lo, cell: cell, seen: make([]int32, len(m.Triangles))}
	for k := 0; k < 3; k++ {
		g.n[k] = max(1, int(ext[k]/cell)+1)
		g.maxDim = max(g.maxDim, g.n[k])
	}
	cells := g.n[0] * g.n[1] * g.n[2]
	count := make([]int32, cells+1)
	each := func(t [3]int, f func(c int)) {
		var a, b [3]int
		for k := 0; k < 3; k++ {
			p0, p1, p2 := m.Positions[t[0]][k], m.Positions[t[1]][k], m.Positions[t[2]][k]
			a[k], b[k] = g.index(min(p0, p1, p2), k), g.index(max(p0, p1, p2), k)
		}
		for z := a[2]; z <= b[2]; z++ {
			for y := a[1]; y <= b[1]; y++ {
				for x := a[0]; x <= b[0]; x++ {
					f((z*g.n[1]+y)*g.n[0] + x)
				}
			}
		}
	}
	for _, t := range m.Triangles {
		each(t, func(c int) { count[c+1]++ })
	}
	for i := 0; i < cells; i++ {
		count[i+1] += count[i]
	}
	g.start = count
	g.items = make([]int32, count[cells])
	fill := make([]int32, cells)
	copy(fill, count[:cells])
	for i, t := range m.Triangles {
		each(t, func(c int) { g.items[fill[c]] = int32(i); fill[c]++ })
	}
	for i := range g.seen {
		g.seen[i] = -1
	}
	return g
}

func (g *grid) index(x float64, k int) int {
	return min(max(int((x-g.lo[k])/g.cell), 0), g.n[k]-1)
}

// nearest is the distance from p to the closest triangle, searching shells of cells outward
// until the next shell cannot hold anything closer.
func (g *grid) nearest(p [3]float64) float64 {
	g.query++
	var c [3]int
	// Nothing outside the cells searched so far is nearer than the distance from p to the
	// walls of its own cell plus the shells around it.
	wall := math.Inf(1)
	for k := 0; k < 3; k++ {
		c[k] = g.index(p[k], k)
		lo := g.lo[k] + float64(c[k])*g.cell
		wall = min(wall, max(p[k]-lo, 0), max(lo+g.cell-p[k], 0))
	}
	best := math.Inf(1)
	for r := 0; r <= g.maxDim; r++ {
		for z := c[2] - r; z <= c[2]+r; z++ {
			for y := c[1] - r; y <= c[1]+r; y++ {
				for x := c[0] - r; x <= c[0]+r; x++ {
					if x < 0 || y < 0 || z < 0 || x >= g.n[0] || y >= g.n[1] || z >= g.n[2] {
						continue
					}
					// Only the shell: the inside was searched already.
					if max(abs(x-c[0]), abs(y-c[1]), abs(z-c[2])) != r {
						continue
					}
					cell := (z*g.n[1]+y)*g.n[0] + x
					for _, t := range g.items[g.start[cell]:g.start[cell+1]] {
						if g.seen[t] == g.query {
							continue
						}
						g.seen[t] = g.query
						tri := g.m.Triangles[t]
						d := pointTriangle(p, g.m.Positions[tri[0]], g.m.Positions[tri[1]], g.m.Positions[tri[2]])
						best = min(best, d)
					}
				}
			}
		}
		if best <= wall+float64(r)*g.cell {
			break
		}
	}
	return best
}

func abs(x int) int {
	if x < 0 {
		return -x
	}
	return x
}

// pointTriangle is the distance from p to the triangle abc (Ericson, Real-Time Collision
// Detection, 5.1.5).
func pointTriangle(p, a, b, c [3]float64) float64 {
	sub := func(u, v [3]float64) [3]float64 { return [3]float64{u[0] - v[0], u[1] - v[1], u[2] - v[2]} }
	dot := func(u, v [3]float64) float64 { return u[0]*v[0] + u[1]*v[1] + u[2]*v[2] }
	at := func(o, e1, e2 [3]float64, s, t float64) [3]float64 {
		return [3]float64{o[0] + s*e1[0] + t*e2[0], o[1] + s*e1[1] + t*e2[1], o[2] + s*e1[2] + t*e2[2]}
	}
	dist := func(q [3]float64) float64 { d := sub(p, q); return math.Sqrt(dot(d, d)) }
	ab, ac, ap := sub(b, a), sub(c, a), sub(p, a)
	d1, d2 := dot(ab, ap), dot(ac, ap)
	if d1 <= 0 && d2 <= 0 {
		return dist(a)
	}
	bp := sub(p, b)
	d3, d4 := dot(ab, bp), dot(ac, bp)
	if d3 >= 0 && d4 <= d3 {
		return dist(b)
	}
	vc := d1*d4 - d3*d2
	if vc <= 0 && d1 >= 0 && d3 <= 0 {
		return dist(at(a, ab, ac, d1/(d1-d3), 0))
	}
	cp := sub(p, c)
	d5, d6 := dot(ab, cp), dot(ac, cp)
	if d6 >= 0 && d5 <= d6 {
		return dist(c)
	}
	vb := d5*d2 - d1*d6
	if vb <= 0 && d2 >= 0 && d6 <= 0 {
		return dist(at(a, ab, ac, 0, d2/(d2-d6)))
	}
	va := d3*d6 - d5*d4
	if va <= 0 && d4-d3 >= 0 && d5-d6 >= 0 {
		w := (d4 - d3) / ((d4 - d3) + (d5 - d6))
		return dist(at(b, sub(c, b), [3]float64{}, w, 0))
	}
	den := 1 / (va + vb + vc)
	return dist(at(a, ab, ac, vb*den, vc*den))
}
