package hull

import (
	"context"
	"math"
)

// Grid samples a hull's signed distance at the points of a cubic lattice of spacing S laid over
// the model's box with at least a cell of margin, so that every lattice point on the grid's
// outside is outside the hull. Point (i, j, k) sits at Origin + S·(i, j, k).
//
// A silhouette's distance does not change along its camera's axis, so the grid never stores the
// 3D field: it keeps one plane of values per axis and the value at a point is the least of three
// plane lookups.
type Grid struct {
	Hull   *Hull
	S      float64
	Origin [3]float64
	N      [3]int
	// planes[a] holds the hull's AxisDist along axis a, sampled over the two other axes (the
	// lower one varying fastest); nil when no view looks along a.
	planes [3][]float32
	// xs and zs are the sections' intervals at each lattice row up Y (see Rounded); nil before it.
	xs, zs [][]interval
}

// NewGrid samples h with spacing s.
func NewGrid(ctx context.Context, h *Hull, s float64) (*Grid, error) {
	g := &Grid{Hull: h, S: s}
	centre := [3]float64{0, h.Size[1] / 2, 0}
	for a := 0; a < 3; a++ {
		g.N[a] = int(math.Ceil(h.Size[a]/s)) + 3
		g.Origin[a] = centre[a] - float64(g.N[a]-1)*s/2
	}
	for a := 0; a < 3; a++ {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		if _, ok := h.AxisDist(a, [3]float64{}); !ok {
			continue
		}
		b, d := others(a)
		plane := make([]float32, g.N[b]*g.N[d])
		var p [3]float64
		for y := 0; y < g.N[d]; y++ {
			p[d] = g.Origin[d] + float64(y)*s
			row := plane[y*g.N[b] : (y+1)*g.N[b]]
			for x := range row {
				p[b] = g.Origin[b] + float64(x)*s
				v, _ := h.AxisDist(a, p)
				row[x] = float32(v)
			}
		}
		g.planes[a] = plane
	}
	if h.sec != nil {
		g.xs, g.zs = make([][]interval, g.N[1]), make([][]interval, g.N[1])
		for j := range g.xs {
			g.xs[j], g.zs[j] = h.sec.at(g.Origin[1]+float64(j)*s, nil, nil)
		}
	}
	return g, nil
}

// others returns the two axes other than a, in order.
func others(a int) (int, int) {
	switch a {
	case 0:
		return 1, 2
	case 1:
		return 0, 2
	}
	return 0, 1
}

// Point is the model position of lattice point (i, j, k).
func (g *Grid) Point(i, j, k int) [3]float64 {
	return [3]float64{g.Origin[0] + float64(i)*g.S, g.Origin[1] + float64(j)*g.S, g.Origin[2] + float64(k)*g.S}
}

// slab fills v (N[0]·N[1] values, x fastest) with the field on lattice plane z = k.
func (g *Grid) slab(k int, v []float32) {
	nx, ny := g.N[0], g.N[1]
	if pz := g.planes[2]; pz != nil {
		copy(v, pz)
	} else {
		for i := range v[:nx*ny] {
			v[i] = math.MaxFloat32
		}
	}
	if px := g.planes[0]; px != nil {
		// Views along X: indexed by (y, z), one value per row of the slab.
		col := px[k*ny : (k+1)*ny]
		for j, c := range col {
			row := v[j*nx : (j+1)*nx]
			for i := range row {
				row[i] = min(row[i], c)
			}
		}
	}
	if py := g.planes[1]; py != nil {
		// Views along Y: indexed by (x, z), the same row for every y.
		line := py[k*nx : (k+1)*nx]
		for j := 0; j < ny; j++ {
			row := v[j*nx : (j+1)*nx]
			for i, c := range line {
				row[i] = min(row[i], c)
			}
		}
	}
	if g.xs != nil {
		// The sections only lower the field, so only points inside the hull need them.
		z := g.Origin[2] + float64(k)*g.S
		for j := 0; j < ny; j++ {
			row := v[j*nx : (j+1)*nx]
			xs, zs := g.xs[j], g.zs[j]
			for i, c := range row {
				if c > 0 {
					sv := sectionValue(xs, zs, g.Origin[0]+float64(i)*g.S, z, g.Hull.sec.n)
					row[i] = float32(math.Min(float64(c), sv))
				}
			}
		}
	}
}
