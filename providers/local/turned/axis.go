// Package turned makes the Turned shape: an object symmetric about a vertical axis (a vase, a
// bottle, a chess piece) modelled as a solid of revolution from one image. Axis finds the mirror
// axis and how symmetric the object is about it; Build spins each row's half-width about that axis.
package turned

import (
	"math"

	"github.com/kiln3d/kiln/providers/local/mask"
)

// Symmetric is the score (see Axis) from which Auto picks Turned. Measured: the silhouettes of
// turned truths (cylinder, cone, vase, sphere) score 0.9995 and above at 64 to 1024 pixels; of the
// corpus's cut-outs the gas cylinder, the one turned object, scores 0.98 (it leans 1°), while the
// apricot scores 0.96, the tractor wheel seen head-on 0.95, the avocado 0.86, the anemone 0.84 and
// the turkey 0.81; asymmetric outlines score far less (the bunny from the side 0.64 and front
// 0.61, a teapot with spout and handle 0.78, a letter F 0.42).
// The line sits halfway between the round fruit and the leaning photographed cylinder.
const Symmetric = 0.97

// maxLean is the steepest lean of the axis from the vertical, as a slope, that Axis allows for: a
// photographed bottle or vase is rarely exactly upright (the corpus's gas cylinder leans by 1°),
// and an upright mirror would count that lean against its symmetry.
const maxLean = 0.05 // about 3°

// readRows is the most rows Axis reads: evenly spread, they score a mask as all its rows would to
// a fraction of a percent, in half the time on a 2048² one. searchRows is the most of those the
// search for the axis looks at; they fix the axis to a small fraction of a pixel.
const (
	readRows   = 1024
	searchRows = 512
)

// span is one run of object pixels in a row, [x0, x1) in image pixels.
type span struct{ x0, x1 float64 }

// row is one row's runs of object pixels, at its centre's height y, and their total length.
type row struct {
	y, area float64
	spans   []span
}

// Axis returns the mirror axis of the object in m, as the image x (in pixels, subpixel: pixel i
// covers [i, i+1)) where it crosses the object's middle row, and how mirror-symmetric the object
// is about it: the IoU of the object and its mirror image, 1 for a perfectly symmetric outline,
// near 0 for an object with no mirror half. The mirror axis may lean up to maxLean from the
// vertical (Build turns the object upright about x all the same). A ring is as symmetric as a
// vase: that its hole rules it out is for the caller to judge. An empty mask gives (0, 0).
//
// The overlap of a row's runs with their mirror is piecewise linear in the axis, so it is found
// on the rows' runs rather than pixel by pixel: a coarse scan across the object, then golden
// section searches on the axis and its lean in turn. That keeps a 2048² mask to a few
// milliseconds, most of them reading the mask (every other row of it).
func Axis(m *mask.Mask) (x, score float64) {
	if m == nil || m.W <= 0 || m.H <= 0 || len(m.In) < m.W*m.H {
		return 0, 0
	}
	rows, area, lo, hi := runs(m, (m.H+readRows-1)/readRows)
	if area == 0 {
		// An object only on rows the spread skipped: a thin line across a tall mask.
		rows, area, lo, hi = runs(m, 1)
	}
	if area == 0 {
		return 0, 0
	}
	mid := (rows[0].y + rows[len(rows)-1].y) / 2
	stride := max(1, len(rows)/searchRows)
	iou := func(a, lean float64, stride int) float64 {
		inter, total := 0.0, 0.0
		for k := 0; k < len(rows); k += stride {
			r := rows[k]
			inter += mirrorOverlap(r.spans, a+lean*(r.y-mid))
			total += r.area
		}
		return inter / (2*total - inter)
	}
	// Coarse scan of an upright axis, on fewer rows still: the best lies within the object's
	// horizontal extent.
	const steps = 64
	step := (hi - lo) / steps
	a, lean, best := (lo+hi)/2, 0.0, -1.0
	coarse := max(stride, len(rows)/(searchRows/4))
	for i := 0; i <= steps; i++ {
		x := lo + float64(i)*step
		if s := iou(x, 0, coarse); s > best {
			a, best = x, s
		}
	}
	// Then the axis and its lean in turn: the overlap is concave near its peak for ordinary
	// outlines, and a coarse step either side brackets that peak. A step that finds no better
	// (an outline whose overlap has several peaks) is not taken.
	best = iou(a, lean, stride)
	try := func(x, b float64) {
		if s := iou(x, b, stride); s > best {
			a, lean, best = x, b, s
		}
	}
	for range 2 {
		try(golden(a-step, a+step, 1e-3, func(x float64) float64 { return iou(x, lean, stride) }), lean)
		try(a, golden(-maxLean, maxLean, 1e-4, func(b float64) float64 { return iou(a, b, stride) }))
	}
	try(golden(a-step, a+step, 1e-3, func(x float64) float64 { return iou(x, lean, stride) }), lean)
	return a, math.Max(0, math.Min(1, iou(a, lean, 1)))
}

// golden finds where f peaks in [a, b], to within tol.
func golden(a, b, tol float64, f func(float64) float64) float64 {
	const phi = 0.6180339887498949
	c, d := b-phi*(b-a), a+phi*(b-a)
	fc, fd := f(c), f(d)
	for b-a > tol {
		if fc > fd {
			b, d, fd = d, c, fc
			c = b - phi*(b-a)
			fc = f(c)
		} else {
			a, c, fc = c, d, fd
			d = a + phi*(b-a)
			fd = f(d)
		}
	}
	return (a + b) / 2
}

// runs lists the runs of object pixels of every step-th row of the mask (rows without any are
// left out), their area and their horizontal extent.
func runs(m *mask.Mask, step int) (rows []row, area, lo, hi float64) {
	lo, hi = math.Inf(1), math.Inf(-1)
	for y := 0; y < m.H; y += step {
		in := m.In[y*m.W : (y+1)*m.W]
		r := row{y: float64(y) + 0.5}
		for x := 0; x < len(in); {
			if !in[x] {
				x++
				continue
			}
			start := x
			for x < len(in) && in[x] {
				x++
			}
			r.spans = append(r.spans, span{float64(start), float64(x)})
			r.area += float64(x - start)
		}
		if len(r.spans) > 0 {
			rows = append(rows, r)
			area += r.area
			lo, hi = math.Min(lo, r.spans[0].x0), math.Max(hi, r.spans[len(r.spans)-1].x1)
		}
	}
	return rows, area, lo, hi
}

// mirrorOverlap is the length a row's runs share with their mirror image about x = a. The mirror
// of [x0, x1) is [2a−x1, 2a−x0), so the mirrored runs, taken in reverse, are sorted too and the two
// lists merge in one pass.
func mirrorOverlap(spans []span, a float64) float64 {
	total := 0.0
	i, j := 0, len(spans)-1
	for i < len(spans) && j >= 0 {
		s := spans[i]
		mx0, mx1 := 2*a-spans[j].x1, 2*a-spans[j].x0
		lo, hi := s.x0, s.x1
		if mx0 > lo {
			lo = mx0
		}
		if mx1 < hi {
			hi = mx1
		}
		if hi > lo {
			total += hi - lo
		}
		if s.x1 < mx1 {
			i++
		} else {
			j--
		}
	}
	return total
}
