package field

import (
	"context"
	"math"
)

// inf stands for "no site here" in the transforms below; it is finite so that the envelope's
// arithmetic never meets Inf-Inf.
const inf = 1e20

// transform computes, for every pixel p of a w×h grid, min over sites q of |p-q|² + f(q) (the
// lower envelope of parabolas, Felzenszwalb & Huttenlocher 2012) in linear time: one pass down the
// columns, then one along the rows. Pixels with f ≥ inf are not sites. With f = 0 on a set of
// pixels it is the squared Euclidean distance transform to that set; with f = -r² it gives the
// squared height of a union of balls (see heights).
//
// out receives the values; when nearest is not nil it receives the index of the minimising site
// (-1 when there is none).
func transform(ctx context.Context, f []float32, w, h int, out []float32, nearest []int32) error {
	n := max(w, h)
	s := newScratch(n)
	// Columns first: col[y*w+x] is the column pass's value, row[y*w+x] its minimising row.
	col := out
	var argRow []int32
	if nearest != nil {
		argRow = make([]int32, w*h)
	}
	for x := 0; x < w; x++ {
		if x%64 == 0 {
			if err := ctx.Err(); err != nil {
				return err
			}
		}
		for y := 0; y < h; y++ {
			s.f[y] = float64(f[y*w+x])
		}
		s.envelope(h)
		for y := 0; y < h; y++ {
			col[y*w+x] = float32(s.d[y])
			if argRow != nil {
				argRow[y*w+x] = s.arg[y]
			}
		}
	}
	for y := 0; y < h; y++ {
		if y%64 == 0 {
			if err := ctx.Err(); err != nil {
				return err
			}
		}
		row := col[y*w : (y+1)*w]
		for x, v := range row {
			s.f[x] = float64(v)
		}
		s.envelope(w)
		for x := range row {
			row[x] = float32(s.d[x])
			if nearest == nil {
				continue
			}
			if q := s.arg[x]; q < 0 {
				nearest[y*w+x] = -1
			} else if r := argRow[y*w+int(q)]; r < 0 {
				nearest[y*w+x] = -1
			} else {
				nearest[y*w+x] = r*int32(w) + q
			}
		}
	}
	return nil
}

// scratch holds one line's buffers for envelope, reused across lines.
type scratch struct {
	f, d, z []float64
	v, arg  []int32
}

func newScratch(n int) *scratch {
	return &scratch{
		f: make([]float64, n), d: make([]float64, n), z: make([]float64, n+1),
		v: make([]int32, n), arg: make([]int32, n),
	}
}

// envelope computes d[q] = min_p (q-p)² + f[p] over the first n samples, and arg[q] = that p.
func (s *scratch) envelope(n int) {
	f, d, z, v, arg := s.f[:n], s.d[:n], s.z[:n+1], s.v[:n], s.arg[:n]
	k := -1
	for q := 0; q < n; q++ {
		if f[q] >= inf {
			continue
		}
		fq := f[q] + float64(q*q)
		var cut float64
		for k >= 0 {
			p := int(v[k])
			cut = (fq - (f[p] + float64(p*p))) / float64(2*(q-p))
			if cut > z[k] {
				break
			}
			k--
		}
		k++
		v[k] = int32(q)
		if k == 0 {
			z[0] = math.Inf(-1)
		} else {
			z[k] = cut
		}
		z[k+1] = math.Inf(1)
	}
	if k < 0 {
		for q := range d {
			d[q], arg[q] = inf, -1
		}
		return
	}
	k = 0
	for q := 0; q < n; q++ {
		for z[k+1] < float64(q) {
			k++
		}
		p := int(v[k])
		d[q] = float64((q-p)*(q-p)) + f[p]
		arg[q] = int32(p)
	}
}
