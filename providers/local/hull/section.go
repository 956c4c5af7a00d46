package hull

import (
	"context"
	"math"
)

// The visual hull alone is the largest solid the views allow: seen from the front and a side, a
// cylinder carves to a box with a square cross-section. Most objects are rounder than that, so
// where views along X and Z bound a horizontal slice by a width and a depth, the slice's section
// is taken to be the superellipse inscribed in that rectangle (an ellipse unless the views tell a
// squarer one, see squareness). A row of an outline may cross the object several times (a chair's
// legs, a mug's handle): each span across it pairs with each span of the other view's row, and the
// section is the union of their shapes, so concave outlines are kept. The spans' ends are the
// zeros of the outlines' interpolated distance fields, a fraction of a pixel apart from row to
// row, so the sections change smoothly up the object rather than in steps of a pixel or a voxel.

// interval is a span: an interval of one model axis inside a view's outline.
type interval struct{ lo, hi float64 }

// Limits on the sections' tables: at most maxRows slices and maxSpans spans across a row (a
// drawing with more is noise; its row falls back on the hull alone).
const (
	maxRows  = 4096
	maxSpans = 64
)

// sections is the smooth prior: the spans of every slice's width (along X, from the views along
// Z) and depth (along Z, from the views along X), tabulated at rows a pixel apart up Y.
type sections struct {
	y0, step float64
	xs, zs   [][]interval
	// n is the superellipse exponent: 2 for an ellipse, more for a squarer section.
	n float64
}

// Rounded returns a copy of h whose surface follows the sections between its views along X and Z
// (see sections), still bounded by every view's outline; h itself when it lacks views along X or
// along Z, which leaves no slice bounded by both a width and a depth.
func (h *Hull) Rounded(ctx context.Context) (*Hull, error) {
	var kx, kz float64 // pixels per model unit up Y, the finest of the views along X and along Z
	for i := range h.Cameras {
		c := &h.Cameras[i]
		switch c.Axis() {
		case 0:
			kx = math.Max(kx, c.v.k)
		case 2:
			kz = math.Max(kz, c.v.k)
		}
	}
	if kx == 0 || kz == 0 {
		return h, nil
	}
	s := &sections{}
	rows := min(int(math.Ceil(h.Size[1]*math.Max(kx, kz)))+1, maxRows)
	s.step = h.Size[1] / float64(rows-1)
	s.y0 = 0
	s.xs, s.zs = make([][]interval, rows), make([][]interval, rows)
	for r := 0; r < rows; r++ {
		if r%64 == 0 {
			if err := ctx.Err(); err != nil {
				return nil, err
			}
		}
		y := s.y0 + float64(r)*s.step
		s.xs[r] = h.intervals(2, 0, y)
		s.zs[r] = h.intervals(0, 2, y)
	}
	s.xs, s.zs = carry(s.xs, s.step), carry(s.zs, s.step)
	s.n = h.squareness(s)
	out := *h
	out.sec = s
	return &out, nil
}

// intervals finds the spans along model axis along, at height y, inside the outline seen along
// axis a: sampled every half pixel of the finest such view, each end refined to where the
// interpolated distance crosses zero.
func (h *Hull) intervals(a, along int, y float64) []interval {
	k := 0.0
	for i := range h.Cameras {
		if c := &h.Cameras[i]; c.Axis() == a {
			k = math.Max(k, c.u.k)
		}
	}
	step := 0.5 / k
	lo, hi := -h.Size[along]/2-4*step, h.Size[along]/2+4*step
	var p [3]float64
	p[1] = y
	at := func(t float64) float64 {
		p[along] = t
		d, _ := h.AxisDist(a, p)
		return d
	}
	var out []interval
	prev, fprev := lo, at(lo)
	open := math.NaN()
	for t := lo + step; t <= hi+step/2; t += step {
		f := at(t)
		switch {
		case fprev <= 0 && f > 0:
			open = root(at, t, prev, f, fprev, spanTolerance, spanSteps)
		case fprev > 0 && f <= 0 && !math.IsNaN(open):
			out = append(out, interval{open, root(at, prev, t, fprev, f, spanTolerance, spanSteps)})
			open = math.NaN()
		}
		prev, fprev = t, f
	}
	if len(out) > maxSpans {
		return nil
	}
	return out
}

// carry keeps parts apart across the rows where an outline's spans merge or split. Where a mug's
// handle joins its body, a row's one span runs from the body's far side to the handle's, and its
// section alone, centred between them, would pinch the body in a ledge; the spans of the row
// before the change are kept beside the merged one, for as far up (and, in a second pass, down)
// as each is wide, while it still lies inside the row's spans, so the body's own section goes on
// through the join. Sections are a union, so a span kept only adds to the slice.
func carry(rows [][]interval, step float64) [][]interval {
	out := make([][]interval, len(rows))
	for r := range rows {
		out[r] = append([]interval(nil), rows[r]...)
	}
	type kept struct {
		iv   interval
		left float64 // how much further up or down it may go
	}
	for _, dir := range [2]int{1, -1} {
		var carried []kept
		r0 := 0
		if dir < 0 {
			r0 = len(rows) - 1
		}
		for r := r0 + dir; r >= 0 && r < len(rows); r += dir {
			prev, cur := rows[r-dir], rows[r]
			next := carried[:0]
			for _, c := range carried {
				if c.left -= step; c.left > 0 {
					next = append(next, c)
				}
			}
			carried = next
			if !matching(prev, cur) {
				for _, p := range prev {
					carried = append(carried, kept{p, p.hi - p.lo})
				}
			}
			next = carried[:0]
			for _, c := range carried {
				if within(c.iv, cur, step) {
					next = append(next, c)
					if !listed(c.iv, out[r], step) && len(out[r]) < maxSpans {
						out[r] = append(out[r], c.iv)
					}
				}
			}
			carried = next
		}
	}
	return out
}

// matching says whether two rows' spans correspond one to one, each overlapping its partner.
func matching(a, b []interval) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i].lo >= b[i].hi || b[i].lo >= a[i].hi {
			return false
		}
	}
	return true
}

// within says whether iv lies inside one of spans, give or take tol.
func within(iv interval, spans []interval, tol float64) bool {
	for _, s := range spans {
		if iv.lo >= s.lo-tol && iv.hi <= s.hi+tol {
			return true
		}
	}
	return false
}

// listed says whether spans already hold iv, give or take tol at each end.
func listed(iv interval, spans []interval, tol float64) bool {
	for _, s := range spans {
		if math.Abs(iv.lo-s.lo) <= tol && math.Abs(iv.hi-s.hi) <= tol {
			return true
		}
	}
	return false
}

// Root finding along a span's row: the field is piecewise bilinear, so a few steps get within a
// hair of its zero.
const (
	spanTolerance = 1e-7
	spanSteps     = 12
)

// root finds the zero of f between tin (f > 0) and tout (f ≤ 0) by regula falsi, Illinois
// variant, stopping once |f| < tol or after steps evaluations.
func root(f func(float64) float64, tin, tout, fin, fout, tol float64, steps int) float64 {
	t := tin
	side := 0
	for step := 0; step < steps; step++ {
		t = tin + (tout-tin)*fin/(fin-fout)
		v := f(t)
		if math.Abs(v) < tol {
			break
		}
		if v > 0 {
			tin, fin = t, v
			if side == 1 {
				fout /= 2
			}
			side = 1
		} else {
			tout, fout = t, v
			if side == -1 {
				fin /= 2
			}
			side = -1
		}
	}
	return t
}

// Choosing the sections' squareness from a top view: the sections must cast a shadow covering
// coverNeeded of the top view's outline, judged at up to coverGrid² points of it against up to
// coverRows slices.
const (
	coverNeeded = 0.95
	coverGrid   = 64
	coverRows   = 256
)

// squareness is the sections' superellipse exponent. Views along X and Z cannot tell a box from
// a cylinder, so without a top view the section is an ellipse. A top view shows the shadow the
// sections must cast: the exponent is the least of a few, from 2 up, whose sections cover the
// top view's outline. A box's square outline needs square sections; a cylinder's disc, and an
// upright ring's rectangle (its round sections at every height together fill it), do not.
func (h *Hull) squareness(s *sections) float64 {
	var top *Camera
	for i := range h.Cameras {
		if h.Cameras[i].Axis() == 1 {
			top = &h.Cameras[i]
		}
	}
	exponents := [...]float64{2, 3, 4, 6, 12}
	if top == nil {
		return exponents[0]
	}
	var pts [][2]float64
	for i := 0; i < coverGrid; i++ {
		for j := 0; j < coverGrid; j++ {
			p := [3]float64{(float64(i)+0.5)/coverGrid*h.Size[0] - h.Size[0]/2, 0, (float64(j)+0.5)/coverGrid*h.Size[2] - h.Size[2]/2}
			// A pixel inside the outline, clear of its edge's aliasing.
			if top.Dist(p) > 1/top.scale {
				pts = append(pts, [2]float64{p[0], p[2]})
			}
		}
	}
	stride := max(1, len(s.xs)/coverRows)
	for _, n := range exponents {
		covered := 0
		for _, pt := range pts {
			for r := 0; r < len(s.xs); r += stride {
				// A slice without spans in both views casts no shadow (its value is +Inf).
				if len(s.xs[r]) > 0 && len(s.zs[r]) > 0 && sectionValue(s.xs[r], s.zs[r], pt[0], pt[1], n) > 0 {
					covered++
					break
				}
			}
		}
		if float64(covered) >= coverNeeded*float64(len(pts)) {
			return n
		}
	}
	return exponents[len(exponents)-1]
}

// at returns the spans of the slice at height y, interpolated between the table's rows when both
// hold matching spans (as many, each overlapping its partner), else the nearer row's.
func (s *sections) at(y float64, xs, zs []interval) ([]interval, []interval) {
	t := (y - s.y0) / s.step
	r := int(math.Floor(t))
	if r < 0 || r >= len(s.xs)-1 {
		r = max(0, min(len(s.xs)-1, int(math.Round(t))))
		return append(xs[:0], s.xs[r]...), append(zs[:0], s.zs[r]...)
	}
	f := t - float64(r)
	return blend(xs[:0], s.xs[r], s.xs[r+1], f), blend(zs[:0], s.zs[r], s.zs[r+1], f)
}

// blend interpolates two rows' spans, or returns the nearer row's when they do not match.
func blend(out, a, b []interval, f float64) []interval {
	match := len(a) == len(b)
	for i := 0; match && i < len(a); i++ {
		match = a[i].lo < b[i].hi && b[i].lo < a[i].hi
	}
	if !match {
		if f < 0.5 {
			return append(out, a...)
		}
		return append(out, b...)
	}
	for i := range a {
		out = append(out, interval{a[i].lo + f*(b[i].lo-a[i].lo), a[i].hi + f*(b[i].hi-a[i].hi)})
	}
	return out
}

// sectionValue is the signed distance (positive inside, to first order) at (x, z) of the union
// of the superellipses of exponent n inscribed in every pair of spans; +Inf when either list is
// empty, as the slice then lies outside some view's outline and the hull's own distance decides.
func sectionValue(xs, zs []interval, x, z, n float64) float64 {
	if len(xs) == 0 || len(zs) == 0 {
		return math.Inf(1)
	}
	best := math.Inf(-1)
	for _, sx := range xs {
		a := (sx.hi - sx.lo) / 2
		if !(a > 0) {
			continue // a span of no width (the scan's ends met) bounds nothing
		}
		u := (x - (sx.lo+sx.hi)/2) / a
		for _, sz := range zs {
			b := (sz.hi - sz.lo) / 2
			if !(b > 0) {
				continue
			}
			v := (z - (sz.lo+sz.hi)/2) / b
			best = math.Max(best, superellipse(u, v, a, b, n))
		}
	}
	return best
}

// superellipse is the first-order signed distance to the superellipse |u|ⁿ + |v|ⁿ = 1 of
// semi-axes a and b, at the point whose coordinates scaled by them are (u, v): (1 − r)/|∇r|.
func superellipse(u, v, a, b, n float64) float64 {
	au, av := math.Abs(u), math.Abs(v)
	var r, gu, gv float64
	if n == 2 {
		r = math.Sqrt(au*au + av*av)
		if r == 0 {
			return math.Min(a, b)
		}
		gu, gv = au/(a*r), av/(b*r)
	} else {
		pu, pv := math.Pow(au, n-1), math.Pow(av, n-1)
		r = math.Pow(pu*au+pv*av, 1/n)
		if r == 0 {
			return math.Min(a, b)
		}
		rn := math.Pow(r, n-1)
		gu, gv = pu/(a*rn), pv/(b*rn)
	}
	g := math.Sqrt(gu*gu + gv*gv)
	if g < 1e-12 {
		return math.Min(a, b) * (1 - r)
	}
	return (1 - r) / g
}
