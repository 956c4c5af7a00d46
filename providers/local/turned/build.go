package turned

import (
	"context"
	"errors"
	"fmt"
	"math"

	"github.com/kiln3d/kiln/providers/local/field"
	"github.com/kiln3d/kiln/providers/local/mask"
	"github.com/kiln3d/kiln/providers/local/mesh"
)

// minPerPart is the fewest triangles one part can have: two poles and one ring of four, an
// octahedron.
const minPerPart = 8

// minHalf is the fewest segments on each half (front, back) of a ring: one would fold the front
// onto the back.
const minHalf = 2

// maxTriangles bounds the count Build makes, far above any polycount Kiln offers: a count past it
// is a mistake, and would only exhaust memory.
const maxTriangles = 1 << 22

// ErrTooFew is returned when the triangle budget cannot give every part of the object its
// fewest triangles.
var ErrTooFew = errors.New("turned: too few triangles for the object's parts")

// Build turns the object whose signed distance is f (field.NewDistance of m) into a solid of
// revolution about the vertical line x = axis, with exactly target triangles (target−1 when target
// is odd: a closed surface has an even count). The solid is in image pixels like m: x right, y
// down, z towards the camera.
//
// Each row becomes a ring whose radius is half the row's outer width (see parts); rows separated by
// empty rows make separate closed parts, sharing the budget by area. Rings are spaced along the
// profile closer where it bends, with a ring exactly on every sharp edge (a cylinder's rim) and
// none on a tip narrower than the spacing (a cone comes to a point); each ring has segments about
// 2/√3 of that spacing long and every other ring is turned half a segment, so that triangles are
// near equilateral.
//
// Every ring is split at its two points at z = 0 into a front half and a back half with their own
// copies of those points: front vertices take their colour from the front image at their own
// (x, y), back ones the same point with Back set. Vertices seen obliquely take a point eased round
// their ring towards the camera instead, never one seen beyond 75° (see look).
func Build(ctx context.Context, f *field.Field, m *mask.Mask, axis float64, target int) (*mesh.Solid, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	if f == nil || m == nil {
		return nil, errors.New("turned: no object to turn")
	}
	if f.W() < 2 || f.H() < 2 || len(f.Dist) != f.W()*f.H() {
		return nil, fmt.Errorf("turned: the distance field is %d samples for a %d×%d region", len(f.Dist), f.W(), f.H())
	}
	if math.IsNaN(axis) || math.IsInf(axis, 0) {
		return nil, fmt.Errorf("turned: the axis %v is not a position", axis)
	}
	ps, err := parts(ctx, f)
	if err != nil {
		return nil, err
	}
	if len(ps) == 0 {
		return nil, errors.New("turned: the object is empty")
	}
	target &^= 1
	if target > maxTriangles {
		return nil, fmt.Errorf("turned: %d triangles is more than the %d a model can have", target, maxTriangles)
	}
	if target < minPerPart*len(ps) {
		return nil, fmt.Errorf("%w: %d parts stacked one above another need at least %d, not %d", ErrTooFew, len(ps), minPerPart*len(ps), target)
	}
	budgets := share(ps, target)
	s := &mesh.Solid{}
	for i := range ps {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		turnPart(s, f, &ps[i], axis, budgets[i])
	}
	return s, nil
}

// share splits the (even) budget among the parts in proportion to their surface areas, each
// getting an even count of at least minPerPart.
func share(ps []part, target int) []int {
	want := make([]float64, len(ps))
	for i := range ps {
		want[i] = area(ps[i].outline(0))
	}
	halves := distribute(want, target/2, minPerPart/2)
	for i := range halves {
		halves[i] *= 2
	}
	return halves
}

// distribute splits total into integers in proportion to want, each at least least (the caller
// ensures total ≥ least·len(want)): largest remainders first, so the sum is exact.
func distribute(want []float64, total, least int) []int {
	sum := 0.0
	for _, w := range want {
		sum += math.Max(0, w)
	}
	out := make([]int, len(want))
	rest := make([]float64, len(want))
	used := 0
	for i, w := range want {
		x := float64(total) / float64(len(want))
		if sum > 0 {
			x = math.Max(0, w) * float64(total) / sum
		}
		out[i] = max(least, int(math.Floor(x)))
		rest[i] = x - float64(out[i])
		used += out[i]
	}
	// Hand out what is left (or take back what the floors overspent) one at a time, where the
	// share is furthest from what it wants.
	for used != total {
		best := -1
		for i := range out {
			if used > total && out[i] <= least {
				continue
			}
			if best < 0 || (used < total && rest[i] > rest[best]) || (used > total && rest[i] < rest[best]) {
				best = i
			}
		}
		if best < 0 {
			break // every share at its least: the caller asked for less than that
		}
		if used < total {
			out[best]++
			rest[best]--
			used++
		} else {
			out[best]--
			rest[best]++
			used--
		}
	}
	return out
}

// turnPart appends one part, turned into budget triangles, to s.
func turnPart(s *mesh.Solid, f *field.Field, p *part, axis float64, budget int) {
	half := budget / 2 // Σ segments over the rings: each ring's n segments make 2n triangles
	// Triangles are near equilateral, spacing²/√3 each, on a surface of the profile's area; where
	// rings crowd at bends the count rises, so the spacing is corrected by what the rings take.
	spacing := math.Sqrt(math.Sqrt(3) * area(p.outline(0)) / float64(budget))
	var (
		rs []ring
		c  polyline
	)
	for range 100 {
		c = newPolyline(p.outline(spacing))
		rs = c.rings(spacing)
		for range 3 {
			if est := 2 * segments(rs); est > 0 {
				spacing *= math.Sqrt(est / float64(budget))
			}
			rs = c.rings(spacing)
		}
		if 2*minHalf*len(rs) <= half {
			break
		}
		// A long, thin part: fewer, longer rings so that every ring keeps its four segments.
		spacing *= 1.2
	}
	if 2*minHalf*len(rs) > half {
		// Still too many (corners that will not merge, at the fewest triangles): one ring at the
		// widest point, between the poles.
		rs = []ring{c.widest()}
	}
	want := make([]float64, len(rs))
	for i, r := range rs {
		want[i] = r.segments() + staggered(i)
	}
	segs := distribute(want, half, 2*minHalf)
	build(s, f, p, axis, rs, segs)
}

// segments is how many segments a ring wants around: each 2/√3 of its spacing long, so that with
// every other ring turned half a segment the triangles between them are near equilateral.
func (r ring) segments() float64 {
	return 2 * math.Pi * r.r / (2 / math.Sqrt(3) * math.Max(r.spacing, 1e-9))
}

// staggered is what turning ring i half a segment adds to its count: every other ring has its
// inner vertices between those of the rings either side, and so one segment more on each half (a
// half segment at each seam).
func staggered(i int) float64 { return float64(2 * (i % 2)) }

// segments is how many segments the rings want in all.
func segments(rs []ring) float64 {
	n := 0.0
	for i, r := range rs {
		n += r.segments() + staggered(i)
	}
	return n
}

// build appends the rings' vertices and the triangles between them and the poles.
func build(s *mesh.Solid, f *field.Field, p *part, axis float64, rs []ring, segs []int) {
	type halfRing struct{ first, n int } // vertex ids first … first+n: n segments
	front := make([]halfRing, len(rs))
	back := make([]halfRing, len(rs))
	add := func(pos [3]float64, isBack bool, look [2]float64) int {
		s.Pos = append(s.Pos, pos)
		s.Look = append(s.Look, look)
		s.Back = append(s.Back, isBack)
		return len(s.Pos) - 1
	}
	addHalf := func(r ring, n int, start float64, isBack, stagger bool) halfRing {
		h := halfRing{len(s.Pos), n}
		for k := 0; k <= n; k++ {
			c, sn := unit(start, fraction(k, n, stagger))
			pos := [3]float64{axis + r.r*c, r.y, r.r * sn}
			add(pos, isBack, look(f, p, r.point, c))
		}
		return h
	}
	for i, r := range rs {
		nf := segs[i] / 2
		nb := segs[i] - nf
		// Every other ring is turned half a segment, so that rows of triangles interlock
		// rather than pairing into right-angled halves of quads.
		front[i] = addHalf(r, nf, 0, false, i%2 == 1 && nf >= 3)
		back[i] = addHalf(r, nb, math.Pi, true, i%2 == 1 && nb >= 3)
	}
	topF := add([3]float64{axis, p.top, 0}, false, look(f, p, point{0, p.top}, 0))
	topB := add([3]float64{axis, p.top, 0}, true, look(f, p, point{0, p.top}, 0))
	botF := add([3]float64{axis, p.bottom, 0}, false, look(f, p, point{0, p.bottom}, 0))
	botB := add([3]float64{axis, p.bottom, 0}, true, look(f, p, point{0, p.bottom}, 0))
	tri := func(a, b, c int) { s.Indices = append(s.Indices, uint32(a), uint32(b), uint32(c)) }
	dist2 := func(a, b int) float64 {
		p, q := s.Pos[a], s.Pos[b]
		return (p[0]-q[0])*(p[0]-q[0]) + (p[1]-q[1])*(p[1]-q[1]) + (p[2]-q[2])*(p[2]-q[2])
	}

	for _, side := range []struct {
		rings    []halfRing
		top, bot int
	}{{front, topF, botF}, {back, topB, botB}} {
		hs := side.rings
		// The top pole fans onto the first ring, the last ring onto the bottom pole; winding is
		// counter-clockwise seen from outside once y points up (see the tests' volume check).
		first, last := hs[0], hs[len(hs)-1]
		for k := 0; k < first.n; k++ {
			tri(side.top, first.first+k+1, first.first+k)
		}
		for k := 0; k < last.n; k++ {
			tri(last.first+k, last.first+k+1, side.bot)
		}
		for i := 0; i+1 < len(hs); i++ {
			stitch(hs[i].first, hs[i].n, hs[i+1].first, hs[i+1].n, dist2, tri)
		}
	}
}

// stitch joins two half rings, the upper one's n segments to the lower one's m, each step
// advancing along the ring whose next vertex makes the shorter new edge across (the better
// shaped triangle). Both span the same half turn from the same seam point to the other, so every
// triangle stays on its side of the seam.
func stitch(u, n, w, m int, dist2 func(a, b int) float64, tri func(a, b, c int)) {
	i, j := 0, 0
	for i < n || j < m {
		upper := j == m || (i < n && dist2(u+i+1, w+j) <= dist2(u+i, w+j+1))
		if upper {
			tri(u+i, u+i+1, w+j)
			i++
		} else {
			tri(u+i, w+j+1, w+j)
			j++
		}
	}
}

// fraction is how far round its half turn the k-th of a half ring's n+1 vertices lies. The ends
// are the seam points; a staggered half ring's inner vertices sit between a plain one's, which
// leaves it half segments at both ends.
func fraction(k, n int, stagger bool) float64 {
	switch {
	case k == 0:
		return 0
	case k == n:
		return 1
	case stagger:
		return (float64(k) - 0.5) / float64(n-1)
	}
	return float64(k) / float64(n)
}

// unit is (cos φ, sin φ) at fraction f of a half turn from start, exact at the ends so that the
// front's and back's copies of a seam point land on the same position.
func unit(start, f float64) (c, s float64) {
	switch f {
	case 0:
		return math.Cos(start), 0
	case 1:
		return -math.Cos(start), 0
	}
	phi := start + math.Pi*f
	return math.Cos(phi), math.Sin(phi)
}
