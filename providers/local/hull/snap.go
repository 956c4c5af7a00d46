package hull

import (
	"context"
	"math"

	"github.com/kiln3d/kiln/providers/local/work"
)

// Snapping settings. A vertex snaps to the outlines of the views it lies within snapBand of (as
// a share of its mean edge length); a snap that would turn one of its triangles more than
// snapTurn (a cosine) or thin it below snapKeep of its former shape is not made.
const (
	snapBand  = 0.5
	snapTurn  = 0.5
	snapKeep  = 0.3
	snapSteps = 4
	// snapEdge is the cosine between two surfaces' normals above which they meet too gently to
	// make an edge worth snapping onto.
	snapEdge = 0.8
	// snapOutside is how far outside the hull, as a share of the band, a snapped vertex may
	// land: the outlines' own sub-pixel wobble.
	snapOutside = 0.02
)

// Snap moves the vertices of a surface of h back onto the hull: onto the outline of each view
// they lie close to, or the section (see Rounded), and so onto the sharp edge where two meet. Smoothing and
// decimation leave vertices a little off the hull and, where a lattice cell straddles such an
// edge, triangles cut across it, which shows as a sawtooth along the outline; snapping the
// vertices nearest the edge onto it straightens it. Each vertex moves only when none of its
// triangles would flip or collapse, so the surface stays valid.
func (h *Hull) Snap(ctx context.Context, pos [][3]float64, indices []uint32) error {
	incident := trianglesAround(len(pos), indices)
	// Finding where each vertex would go is the costly part and independent per vertex; taking
	// the moves is done in order, each judged against its neighbours as they are by then, so
	// that two neighbours snapping to the same corner cannot both go there.
	target := make([][3]float64, len(pos))
	moves := make([]bool, len(pos))
	err := work.Split(ctx, len(pos), func(lo, hi int) error {
		for v := lo; v < hi; v++ {
			if v%4096 == 0 {
				if err := ctx.Err(); err != nil {
					return err
				}
			}
			tris := incident.of(v)
			if len(tris) == 0 {
				continue
			}
			target[v], moves[v] = h.snapPoint(pos[v], snapBand*meanEdge(pos, indices, tris, v))
		}
		return nil
	})
	if err != nil {
		return err
	}
	for v, ok := range moves {
		if ok && keepsShape(pos, indices, incident.of(v), v, target[v]) {
			pos[v] = target[v]
		}
	}
	return nil
}

// snapPoint moves p onto the surfaces near it, and reports false when none is within band of
// it. The surfaces are each view axis's outline (the one AxisDist gives) and, once Rounded, the
// sections: the nearest of them, and each other one within band that meets it at an edge (their
// normals apart by more than snapEdge), by alternating projections. A surface that only grazes
// the nearest one is left out: on a round side the outline seen from the front touches the
// section along a line, and snapping onto both would pull a strip of vertices onto that line.
func (h *Hull) snapPoint(p [3]float64, band float64) ([3]float64, bool) {
	var near []int
	nearest, least := -1, math.Inf(1)
	for c := 0; c < 4; c++ {
		if d, ok := h.component(c, p); ok && math.Abs(d) < band {
			near = append(near, c)
			if d < least {
				nearest, least = c, d
			}
		}
	}
	if len(near) == 0 {
		return p, false
	}
	gn := h.gradient(nearest, p)
	use := near[:0]
	for _, c := range near {
		if c != nearest {
			g := h.gradient(c, p)
			if l := math.Sqrt(dot(g, g) * dot(gn, gn)); l == 0 || dot(g, gn) > snapEdge*l {
				continue
			}
		}
		use = append(use, c)
	}
	q := p
	for step := 0; step < snapSteps; step++ {
		for _, c := range use {
			d, ok := h.component(c, q)
			if !ok {
				continue
			}
			g := h.gradient(c, q)
			g2 := dot(g, g)
			if g2 < 1e-12 {
				continue
			}
			next := sub(q, scale(g, d/g2))
			if math.IsNaN(next[0]+next[1]+next[2]) || math.IsInf(next[0]+next[1]+next[2], 0) {
				return p, false
			}
			q = next
		}
	}
	if dist := math.Sqrt(dot(sub(q, p), sub(q, p))); dist > 2*band || math.IsNaN(dist) {
		return p, false
	}
	// Where two views' outlines meet outside a third's (the corner of a front and a side
	// outline, beyond a round top one), the meeting point is not on the hull: stay put.
	if h.Value(q) < -snapOutside*band {
		return p, false
	}
	return q, true
}

// component is one of the surfaces whose least is the hull's field: the outline seen along axis
// c (0 to 2), or the sections (3); false when there is no such surface at p.
func (h *Hull) component(c int, p [3]float64) (float64, bool) {
	if c < 3 {
		return h.AxisDist(c, p)
	}
	d := h.SectionDist(p)
	return d, !math.IsInf(d, 1)
}

// gradient is the gradient of component c at p, by central differences a quarter of the finest
// view's pixel apart; an outline's lies in the plane across its axis.
func (h *Hull) gradient(c int, p [3]float64) [3]float64 {
	eps := math.Inf(1)
	for i := range h.Cameras {
		if cam := &h.Cameras[i]; c == 3 || cam.Axis() == c {
			eps = math.Min(eps, 0.25/cam.scale)
		}
	}
	var g [3]float64
	axes := []int{0, 1, 2}
	if c < 3 {
		b, d := others(c)
		axes = []int{b, d}
	}
	for _, axis := range axes {
		lo, hi := p, p
		lo[axis] -= eps
		hi[axis] += eps
		dl, _ := h.component(c, lo)
		dh, _ := h.component(c, hi)
		g[axis] = (dh - dl) / (2 * eps)
	}
	if math.IsInf(g[0], 0) || math.IsInf(g[1], 0) || math.IsInf(g[2], 0) {
		return [3]float64{}
	}
	return g
}

// keepsShape says whether moving vertex v to p leaves each of its triangles facing within
// snapTurn of where it faced, and no thinner than snapKeep of its former shape.
func keepsShape(pos [][3]float64, indices []uint32, tris []int32, v int, p [3]float64) bool {
	for _, t := range tris {
		var before, after [3][3]float64
		for k := 0; k < 3; k++ {
			i := indices[3*int(t)+k]
			before[k] = pos[i]
			after[k] = pos[i]
			if int(i) == v {
				after[k] = p
			}
		}
		n0 := cross(sub(before[1], before[0]), sub(before[2], before[0]))
		n1 := cross(sub(after[1], after[0]), sub(after[2], after[0]))
		l0, l1 := math.Sqrt(dot(n0, n0)), math.Sqrt(dot(n1, n1))
		if l1 == 0 || dot(n0, n1) < snapTurn*l0*l1 {
			return false
		}
		if shapeOf(after) < snapKeep*shapeOf(before) {
			return false
		}
	}
	return true
}

func shapeOf(t [3][3]float64) float64 {
	n := cross(sub(t[1], t[0]), sub(t[2], t[0]))
	ab, bc, ca := sub(t[1], t[0]), sub(t[2], t[1]), sub(t[0], t[2])
	s := dot(ab, ab) + dot(bc, bc) + dot(ca, ca)
	if s == 0 {
		return 0
	}
	return math.Sqrt(dot(n, n)) / s
}

// meanEdge is the mean length of the edges from v in its triangles.
func meanEdge(pos [][3]float64, indices []uint32, tris []int32, v int) float64 {
	sum, n := 0.0, 0
	for _, t := range tris {
		for k := 0; k < 3; k++ {
			if i := indices[3*int(t)+k]; int(i) != v {
				d := sub(pos[i], pos[v])
				sum += math.Sqrt(dot(d, d))
				n++
			}
		}
	}
	return sum / float64(max(n, 1))
}

// around lists the triangles at each vertex.
type around struct {
	start []int32
	tris  []int32
}

func (a *around) of(v int) []int32 { return a.tris[a.start[v]:a.start[v+1]] }

func trianglesAround(n int, indices []uint32) *around {
	start := make([]int32, n+1)
	for _, i := range indices {
		start[i+1]++
	}
	for v := 0; v < n; v++ {
		start[v+1] += start[v]
	}
	fill := make([]int32, n)
	copy(fill, start[:n])
	tris := make([]int32, len(indices))
	for c, i := range indices {
		tris[fill[i]] = int32(c / 3)
		fill[i]++
	}
	return &around{start: start, tris: tris}
}
