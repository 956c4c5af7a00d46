// Package turned makes the Turned shape: an object symmetric about a vertical axis (a vase, a
// bottle, a chess piece) modelled as a solid of revolution from one image. Axis finds the mirror
// axis and how symmetric the object is about it; Build spins each row's half-width about that axis.
package turned

import (
	"math"

	"github.com/kiln3d/kiln/providers/local/mask"
)

// Symmetric is the mirror score (see Axis) from which Auto picks Turned. A first value, to be
// replaced by one measured on turned truths, the corpus and asymmetric outlines.
const Symmetric = 0.97

// span is one run of object pixels in a row, [x0, x1) in image pixels.
type span struct{ x0, x1 float64 }

// Axis returns the vertical mirror axis of the object in m (image x in pixels, subpixel: pixel i
// covers [i, i+1)) and how mirror-symmetric the object is about it: the IoU of the object and its
// mirror image, 1 for a perfectly symmetric outline, near 0 for an object with no mirror half. An
// empty mask gives (0, 0).
//
// The overlap of a row's runs with their mirror is piecewise linear in the axis, so it is found
// on the rows' runs rather than pixel by pixel: a coarse scan across the object, then a golden
// section search around the best coarse axis. That keeps a 2048² mask to a few milliseconds, most
// of it reading the mask once.
func Axis(m *mask.Mask) (x, score float64) {
	if m == nil || m.W <= 0 || m.H <= 0 || len(m.In) < m.W*m.H {
		return 0, 0
	}
	rows, area, lo, hi := runs(m)
	if area == 0 {
		return 0, 0
	}
	iou := func(a float64) float64 {
		inter := 0.0
		for _, r := range rows {
			inter += mirrorOverlap(r, a)
		}
		return inter / (2*area - inter)
	}
	// Coarse scan: the best axis lies within the object's horizontal extent.
	const steps = 128
	step := (hi - lo) / steps
	best, bestScore := (lo+hi)/2, -1.0
	for i := 0; i <= steps; i++ {
		a := lo + float64(i)*step
		if s := iou(a); s > bestScore {
			best, bestScore = a, s
		}
	}
	// Golden section around it: the overlap is concave near its peak for ordinary outlines, and a
	// step either side brackets that peak.
	const phi = 0.6180339887498949
	a, b := best-step, best+step
	c, d := b-phi*(b-a), a+phi*(b-a)
	fc, fd := iou(c), iou(d)
	for b-a > 1e-3 {
		if fc > fd {
			b, d, fd = d, c, fc
			c = b - phi*(b-a)
			fc = iou(c)
		} else {
			a, c, fc = c, d, fd
			d = a + phi*(b-a)
			fd = iou(d)
		}
	}
	if m := (a + b) / 2; iou(m) > bestScore {
		best, bestScore = m, iou(m)
	}
	return best, math.Max(0, math.Min(1, bestScore))
}

// runs lists each row's runs of object pixels (rows without any are left out), the object's area
// and its horizontal extent.
func runs(m *mask.Mask) (rows [][]span, area, lo, hi float64) {
	lo, hi = math.Inf(1), math.Inf(-1)
	for y := 0; y < m.H; y++ {
		row := m.In[y*m.W : (y+1)*m.W]
		var spans []span
		for x := 0; x < len(row); {
			if !row[x] {
				x++
				continue
			}
			start := x
			for x < len(row) && row[x] {
				x++
			}
			spans = append(spans, span{float64(start), float64(x)})
			area += float64(x - start)
		}
		if len(spans) > 0 {
			rows = append(rows, spans)
			lo, hi = math.Min(lo, spans[0].x0), math.Max(hi, spans[len(spans)-1].x1)
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
		if o := math.Min(s.x1, mx1) - math.Max(s.x0, mx0); o > 0 {
			total += o
		}
		if s.x1 < mx1 {
			i++
		} else {
			j--
		}
	}
	return total
}
