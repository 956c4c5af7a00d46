package turned

import (
	"context"
	"math"

	"github.com/kiln3d/kiln/providers/local/field"
)

// part is one stretch of consecutive object rows: a separate solid of revolution. Rows are at
// their pixel centres; top and bottom are the outline's pixel edges above and below them.
type part struct {
	top, bottom float64
	y           []float64 // row centres
	left, right []float64 // the row's outermost outline crossings
	r           []float64 // the radius each row turns into: half its outer width
}

// parts reads each row's outermost outline crossings from the signed distance and groups the
// rows into parts separated by empty rows.
//
// A row becomes a ring whose radius is half the row's outer width (from its leftmost to its
// rightmost crossing), whatever lies between: gaps inside a row (a handle's hole, two objects side
// by side) are filled, since a solid turned about one axis cannot keep them. Half the width rather
// than the farther side's distance from the axis keeps a row that is a little off-centre (a
// leaning stem, a hand-drawn outline) as wide as drawn instead of widening it to its farther side.
// Rows with no object between object rows split the object into parts stacked one above another,
// each closed on its own.
func parts(ctx context.Context, f *field.Field) ([]part, error) {
	w, h := f.W(), f.H()
	x0, y0 := float64(f.Rect.Min.X), float64(f.Rect.Min.Y)
	var out []part
	var cur *part
	for j := 0; j < h; j++ {
		if j%64 == 0 {
			if err := ctx.Err(); err != nil {
				return nil, err
			}
		}
		row := f.Dist[j*w : (j+1)*w]
		first, last := -1, -1
		for i, d := range row {
			if d > 0 {
				first = i
				break
			}
		}
		if first >= 0 {
			for i := w - 1; i >= first; i-- {
				if row[i] > 0 {
					last = i
					break
				}
			}
		}
		if first < 0 {
			cur = nil
			continue
		}
		// The outline lies where the distance, linear between sample centres, crosses zero. The
		// field keeps background samples all round the object, so both neighbours exist.
		l := x0 + crossing(row, first-1, first)
		r := x0 + crossing(row, last, last+1)
		if cur == nil {
			out = append(out, part{top: y0 + float64(j)})
			cur = &out[len(out)-1]
		}
		cur.y = append(cur.y, y0+float64(j)+0.5)
		cur.left = append(cur.left, l)
		cur.right = append(cur.right, r)
		cur.r = append(cur.r, (r-l)/2)
		cur.bottom = y0 + float64(j) + 1
	}
	return out, nil
}

// crossing is where the distance, linear between the centres of samples i and i+1 of a row (one
// outside, one inside, in either order), crosses zero, as an offset in pixels from the row's start.
func crossing(row []float32, i, k int) float64 {
	i = max(i, 0)
	k = min(k, len(row)-1)
	a, b := float64(row[i]), float64(row[k])
	t := 0.5
	if a != b {
		t = a / (a - b)
	}
	return float64(i) + 0.5 + math.Max(0, math.Min(1, t))*float64(k-i)
}

// edgesAt interpolates the row edges at image height y, clamped to the part's rows.
func (p *part) edgesAt(y float64) (l, r float64) {
	n := len(p.y)
	if y <= p.y[0] {
		return p.left[0], p.right[0]
	}
	if y >= p.y[n-1] {
		return p.left[n-1], p.right[n-1]
	}
	j := int(y - p.y[0])
	j = min(j, n-2)
	t := y - p.y[j]
	return p.left[j] + (p.left[j+1]-p.left[j])*t, p.right[j] + (p.right[j+1]-p.right[j])*t
}
