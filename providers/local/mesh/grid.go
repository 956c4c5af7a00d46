package mesh

import (
	"image"
	"math"

	"github.com/kiln3d/kiln/providers/local/field"
)

// grid is a square lattice of spacing s laid over the object's bounding box, in image pixels.
// Lattice point (i, j) sits at (x0+i·s, y0+j·s). Its outermost points lie at least half a pixel
// outside the box, where the signed distance is negative, so every outline closes inside it.
type grid struct {
	f      *field.Field
	s      float64
	rings  int // lifted copies of every outline point, on each surface (see BuildLifted)
	x0, y0 float64
	nx, ny int
}

func newGrid(f *field.Field, box image.Rectangle, s float64, rings int) grid {
	// The lattice is centred on the box so the mesh does not drift with s.
	spanX, spanY := float64(box.Dx())+1, float64(box.Dy())+1
	nx, ny := int(spanX/s)+2, int(spanY/s)+2
	cx, cy := float64(box.Min.X+box.Max.X)/2, float64(box.Min.Y+box.Max.Y)/2
	return grid{
		f: f, s: s, rings: rings, nx: nx, ny: ny,
		x0: cx - float64(nx-1)*s/2,
		y0: cy - float64(ny-1)*s/2,
	}
}

// at is the image position of lattice point (i, j).
func (g *grid) at(i, j int) (float64, float64) {
	return g.x0 + float64(i)*g.s, g.y0 + float64(j)*g.s
}

// sampleRow fills v with the signed distance at the lattice points of row j.
func (g *grid) sampleRow(j int, v []float64) {
	y := g.y0 + float64(j)*g.s
	for i := range v {
		v[i] = g.f.SampleDist(g.x0+float64(i)*g.s, y)
	}
}

// Cell corners, clockwise on screen (image y points down): bit 0 top-left, 1 top-right,
// 2 bottom-right, 3 bottom-left.
const (
	full      = 0b1111
	saddleTLR = 0b0101 // top-left and bottom-right inside
	saddleTRL = 0b1010 // top-right and bottom-left inside
)

// cellCode classifies cell (i, j) from the corner values of its top row a and bottom row b. A
// corner is inside when its value is positive. For the two saddles it also says whether the inside
// corners connect through the cell, judged by the signed distance sampled at the cell's centre.
func (g *grid) cellCode(a, b []float64, i, j int) (code int, joined bool) {
	if a[i] > 0 {
		code |= 1
	}
	if a[i+1] > 0 {
		code |= 2
	}
	if b[i+1] > 0 {
		code |= 4
	}
	if b[i] > 0 {
		code |= 8
	}
	if code == saddleTLR || code == saddleTRL {
		x, y := g.at(i, j)
		joined = g.f.SampleDist(x+g.s/2, y+g.s/2) > 0
	}
	return code, joined
}

// trianglesPerSide is how many triangles each surface (front, back) gets from a cell, when every
// outline point has `rings` lifted copies (see BuildLifted): each stretch of outline through the cell
// then adds a strip of two triangles per ring.
func trianglesPerSide(code int, joined bool, rings int) int {
	switch code {
	case 0:
		return 0
	case saddleTLR, saddleTRL:
		if joined {
			return 4 + 4*rings
		}
		return 2 + 4*rings
	case full:
		return 2
	}
	// One, two (adjacent) or three corners inside: a polygon of corners plus two edge points.
	return bitsSet(code) + 2*rings
}

func bitsSet(c int) int {
	n := 0
	for ; c != 0; c &= c - 1 {
		n++
	}
	return n
}

// crossing is where the outline cuts the lattice edge from a (value va) to b (value vb), as the
// fraction of the way from a. It is kept off the ends so that no outline point coincides with a
// lattice point and no triangle collapses.
func crossing(va, vb float64) float64 {
	t := va / (va - vb)
	if math.IsNaN(t) {
		t = 0.5
	}
	return math.Max(minCrossing, math.Min(1-minCrossing, t))
}

const minCrossing = 0.02
