package mesh

import (
	"context"
	"math"
)

// Side says which surface a Relief vertex belongs to.
type Side int8

// The surfaces of a Relief.
const (
	// Rim vertices lie on the outline, at the mid-plane, shared by both surfaces.
	Rim Side = iota
	Front
	Back
)

// Relief is the closed surface of an inflated silhouette in image space: X and Y in image pixels
// (y down), Z the height above (front, +) or below (back, −) the mid-plane in pixels.
type Relief struct {
	Pos     [][3]float64
	Side    []Side
	Indices []uint32
}

// tally is what a counting pass learns about one lattice spacing.
type tally struct {
	perSide  int // triangles on each surface
	quads    int // cells wholly inside, the ones that can be split
	segments int // stretches of outline, one per cell it crosses (two in a saddle)
}

// count runs marching squares without building anything.
func (g *grid) count(ctx context.Context) (tally, error) {
	var t tally
	a, b := make([]float64, g.nx), make([]float64, g.nx)
	g.sampleRow(0, a)
	for j := 0; j < g.ny-1; j++ {
		if j%32 == 0 {
			if err := ctx.Err(); err != nil {
				return t, err
			}
		}
		g.sampleRow(j+1, b)
		for i := 0; i < g.nx-1; i++ {
			if a[i] <= 0 && a[i+1] <= 0 && b[i] <= 0 && b[i+1] <= 0 {
				continue
			}
			code, joined := g.cellCode(a, b, i, j)
			t.perSide += trianglesPerSide(code, joined, g.rings)
			t.segments += (trianglesPerSide(code, joined, 1) - trianglesPerSide(code, joined, 0)) / 2
			if code == full {
				t.quads++
			}
		}
		a, b = b, a
	}
	return t, nil
}

// builder holds the vertex bookkeeping of one build pass. Marching squares visits one row of cells
// at a time, so only two lattice rows of vertex ids are kept: outline points are found again
// through the lattice edge they sit on, which is what makes neighbouring cells share them.
type builder struct {
	g    *grid
	lift Lift
	r    *Relief

	val             [2][]float64 // signed distance on the top (0) and bottom (1) lattice rows
	front, back     [2][]int32   // surface vertex per lattice point, -1 until made
	across          [2][]int32   // outline vertex per horizontal lattice edge (i, i+1)
	down            []int32      // outline vertex per vertical lattice edge of this cell row
	splits, quads   int          // quads to split, and of how many
	quadNo, splitNo int          // full quads seen, splits made
}

// build runs marching squares at the grid's spacing and splits `splits` of its full cells, spread
// evenly in scan order, into four triangles around their centre.
func (g *grid) build(ctx context.Context, lift Lift, t tally, splits int) (*Relief, error) {
	est := 2*t.perSide + 4*splits
	bd := &builder{
		g: g, lift: lift, splits: splits, quads: t.quads,
		r: &Relief{
			Pos:     make([][3]float64, 0, est),
			Side:    make([]Side, 0, est),
			Indices: make([]uint32, 0, 3*est),
		},
		down: make([]int32, g.nx),
	}
	for k := 0; k < 2; k++ {
		bd.val[k] = make([]float64, g.nx)
		bd.front[k], bd.back[k] = newIDs(g.nx), newIDs(g.nx)
		bd.across[k] = newIDs(g.nx)
	}
	g.sampleRow(0, bd.val[0])
	for j := 0; j < g.ny-1; j++ {
		if j%32 == 0 {
			if err := ctx.Err(); err != nil {
				return nil, err
			}
		}
		g.sampleRow(j+1, bd.val[1])
		resetIDs(bd.down)
		for i := 0; i < g.nx-1; i++ {
			a, b := bd.val[0], bd.val[1]
			if a[i] <= 0 && a[i+1] <= 0 && b[i] <= 0 && b[i+1] <= 0 {
				continue
			}
			code, joined := g.cellCode(a, b, i, j)
			bd.cell(i, j, code, joined)
		}
		// The bottom row becomes the next cell row's top row.
		bd.val[0], bd.val[1] = bd.val[1], bd.val[0]
		bd.front[0], bd.front[1] = bd.front[1], bd.front[0]
		bd.back[0], bd.back[1] = bd.back[1], bd.back[0]
		bd.across[0], bd.across[1] = bd.across[1], bd.across[0]
		resetIDs(bd.front[1])
		resetIDs(bd.back[1])
		resetIDs(bd.across[1])
	}
	return bd.r, nil
}

// cell emits the triangles of cell (i, j) on both surfaces.
func (bd *builder) cell(i, j, code int, joined bool) {
	if code == full {
		bd.fullCell(i, j)
		return
	}
	// The inside part of the cell is the polygon of its inside corners and outline points, taken in
	// order around the cell's boundary (clockwise on screen), starting at an inside corner.
	type vert struct {
		front, back int32
		corner      bool
	}
	var ring [8]vert
	n := 0
	corner := func(k int) {
		f, b := bd.corner(i, j, k)
		ring[n] = vert{f, b, true}
		n++
	}
	edge := func(id int32) {
		ring[n] = vert{id, id, false}
		n++
	}
	in := func(k int) bool { return code&(1<<k) != 0 }
	for k := 0; k < 4; k++ {
		if in(k) {
			corner(k)
		}
		if next := (k + 1) % 4; in(k) != in(next) {
			edge(bd.edge(i, j, k))
		}
	}
	// Outline points stand for their innermost lifted copies on each surface; the strips between
	// them and the outline follow.
	// them and the outline follow: the outline runs between consecutive outline points of the
	// ring, or, where a saddle's corners stay apart, between the two beside each corner.
	rings := bd.g.rings
	separate := (code == saddleTLR || code == saddleTRL) && !joined
	for s := 0; s < n && rings > 0; s++ {
		if separate && ring[s].corner {
			bd.strip(ring[(s+1)%n].front, ring[(s+n-1)%n].front)
		}
		if next := ring[(s+1)%n]; !separate && !ring[s].corner && !next.corner {
			bd.strip(ring[s].front, next.front)
		}
	}
	for s := 0; s < n && rings > 0; s++ {
		if !ring[s].corner {
			o := ring[s].front
			ring[s].front, ring[s].back = o+int32(2*rings-1), o+int32(2*rings)
		}
	}
	if separate {
		// Two separate corners, each with the two outline points beside it in the ring.
		for s := 0; s < n; s++ {
			if ring[s].corner {
				p, q := ring[(s+1)%n], ring[(s+n-1)%n]
				bd.emit(ring[s].front, p.front, q.front, ring[s].back, p.back, q.back)
			}
		}
		return
	}
	start := 0
	for !ring[start].corner {
		start++
	}
	v0 := ring[start]
	for s := 1; s+1 < n; s++ {
		p, q := ring[(start+s)%n], ring[(start+s+1)%n]
		bd.emit(v0.front, p.front, q.front, v0.back, p.back, q.back)
	}
}

// strip emits the triangles between the outline segment from rim vertex p to rim vertex q (in
// the cell's clockwise order) and their innermost lifted copies, ring by ring on both surfaces.
// The copies of a rim vertex o are o+1 (front) and o+2 (back) for the first ring, o+3 and o+4
// for the second, and so on.
func (bd *builder) strip(p, q int32) {
	front := func(o int32, k int) int32 {
		if k == 0 {
			return o
		}
		return o + int32(2*k-1)
	}
	back := func(o int32, k int) int32 {
		if k == 0 {
			return o
		}
		return o + int32(2*k)
	}
	for k := 0; k < bd.g.rings; k++ {
		// The quad q', p', p, q (inner ring first), clockwise like the cell's polygon.
		bd.emit(front(q, k+1), front(p, k+1), front(p, k), back(q, k+1), back(p, k+1), back(p, k))
		bd.emit(front(q, k+1), front(p, k), front(q, k), back(q, k+1), back(p, k), back(q, k))
	}
}

// fullCell emits a cell wholly inside: two triangles per surface, or four around a centre vertex
// when it is one of the quads chosen to be split.
func (bd *builder) fullCell(i, j int) {
	var f, b [4]int32
	for k := 0; k < 4; k++ {
		f[k], b[k] = bd.corner(i, j, k)
	}
	split := bd.splitNo < bd.splits && bd.quadNo == (2*bd.splitNo+1)*bd.quads/(2*bd.splits)
	bd.quadNo++
	if !split {
		bd.emit(f[0], f[1], f[2], b[0], b[1], b[2])
		bd.emit(f[0], f[2], f[3], b[0], b[2], b[3])
		return
	}
	bd.splitNo++
	x, y := bd.g.at(i, j)
	x, y = x+bd.g.s/2, y+bd.g.s/2
	h := bd.height(x, y, bd.g.f.SampleDist(x, y))
	mf, mb := bd.vertex(x, y, h, Front), bd.vertex(x, y, -h, Back)
	for k := 0; k < 4; k++ {
		n := (k + 1) % 4
		bd.emit(f[k], f[n], mf, b[k], b[n], mb)
	}
}

// emit adds triangle (a, b, c), given clockwise on screen, to both surfaces: the front one
// reversed so that it is counter-clockwise seen from +Z (image y points down, world y up), the
// back one as given, which is counter-clockwise seen from −Z.
func (bd *builder) emit(fa, fb, fc, ba, bb, bc int32) {
	bd.r.Indices = append(bd.r.Indices, uint32(fa), uint32(fc), uint32(fb), uint32(ba), uint32(bb), uint32(bc))
}

// corner returns the front and back vertices of corner k (0..3, clockwise from top-left) of cell
// (i, j), making them on first use.
func (bd *builder) corner(i, j, k int) (int32, int32) {
	ci, row := i+(k&1^k>>1), k>>1 // corners 1 and 2 are on the right, 2 and 3 on the bottom row
	if bd.front[row][ci] < 0 {
		x, y := bd.g.at(ci, j+row)
		h := bd.height(x, y, bd.val[row][ci])
		bd.front[row][ci] = bd.vertex(x, y, h, Front)
		bd.back[row][ci] = bd.vertex(x, y, -h, Back)
	}
	return bd.front[row][ci], bd.back[row][ci]
}

// edge returns the outline vertex on side k of cell (i, j): 0 top, 1 right, 2 bottom, 3 left.
func (bd *builder) edge(i, j, k int) int32 {
	var slot *int32
	var ai, ar, bi, br int // lattice points at the ends: column, row (0 top, 1 bottom)
	switch k {
	case 0:
		slot, ai, ar, bi, br = &bd.across[0][i], i, 0, i+1, 0
	case 1:
		slot, ai, ar, bi, br = &bd.down[i+1], i+1, 0, i+1, 1
	case 2:
		slot, ai, ar, bi, br = &bd.across[1][i], i, 1, i+1, 1
	default:
		slot, ai, ar, bi, br = &bd.down[i], i, 0, i, 1
	}
	if *slot < 0 {
		va, vb := bd.val[ar][ai], bd.val[br][bi]
		t := crossing(va, vb)
		ax, ay := bd.g.at(ai, j+ar)
		bx, by := bd.g.at(bi, j+br)
		ox, oy := ax+t*(bx-ax), ay+t*(by-ay)
		*slot = bd.vertex(ox, oy, 0, Rim)
		// The lifted copies stand on the lattice edge between the outline point and its inside
		// end, closer to the outline the further out their ring (see Rings).
		ix, iy, vi := ax, ay, va
		if vb > va {
			ix, iy, vi = bx, by, vb
		}
		hi := 0.0
		if bd.g.rings > 0 {
			hi = bd.height(ix, iy, vi)
		}
		for k := 1; k <= bd.g.rings; k++ {
			u := float64(k) / float64(bd.g.rings+1)
			u *= u
			x, y := ox+u*(ix-ox), oy+u*(iy-oy)
			// The distance along the lattice edge is the one its crossing was found with (the
			// bilinear field can put the outline a hair elsewhere, even outside this point), and
			// the height rises at least as a round profile's does from the outline, as √d.
			h := math.Max(bd.height(x, y, math.Max(minRingDist, u*vi)), math.Sqrt(u)*hi)
			bd.vertex(x, y, h, Front)
			bd.vertex(x, y, -h, Back)
		}
	}
	return *slot
}

// minRingDist is the least distance from the outline at which a ring vertex's height is taken:
// the bilinear field and the lattice's linear crossing can disagree by a hair about where the
// outline is.
const minRingDist = 1e-3

// height is the half-thickness at an inside point with signed distance d.
func (bd *builder) height(x, y, d float64) float64 { return bd.lift(x, y, d) }

func (bd *builder) vertex(x, y, z float64, s Side) int32 {
	bd.r.Pos = append(bd.r.Pos, [3]float64{x, y, z})
	bd.r.Side = append(bd.r.Side, s)
	return int32(len(bd.r.Pos) - 1)
}

func newIDs(n int) []int32 {
	ids := make([]int32, n)
	resetIDs(ids)
	return ids
}

func resetIDs(ids []int32) {
	for i := range ids {
		ids[i] = -1
	}
}
