package raster

import (
	"context"
	"fmt"
	"image"
	"math"
)

// WorkingSide is the local generator's working resolution: images are shrunk to at most this many
// pixels a side before their object is found and the model is shaped and textured from them (and
// the cut-outs the artist corrects are computed at it too). More detail than that is invisible
// at any polycount Kiln offers and would only cost time and memory.
const WorkingSide = 2048

// FitSide returns the size of a w×h image shrunk, keeping its aspect, so that neither side exceeds
// maxSide; images that already fit keep their size.
func FitSide(w, h, maxSide int) (int, int) {
	if w <= maxSide && h <= maxSide {
		return w, h
	}
	scale := float64(maxSide) / float64(max(w, h))
	return max(1, min(maxSide, int(math.Round(float64(w)*scale)))),
		max(1, min(maxSide, int(math.Round(float64(h)*scale))))
}

// Working returns img as NRGBA (see NRGBA), shrunk with Shrink when a side exceeds maxSide.
func Working(ctx context.Context, img image.Image, maxSide int) (*image.NRGBA, error) {
	w, h := img.Bounds().Dx(), img.Bounds().Dy()
	if nw, nh := FitSide(w, h, maxSide); nw != w || nh != h {
		return Shrink(ctx, img, nw, nh)
	}
	return NRGBA(img), nil
}

// Shrink resamples src to w×h (no larger than src) with a box filter: every output pixel is the
// area-weighted mean of the source pixels it covers. Colours are averaged premultiplied by alpha so
// that transparent pixels do not darken the edges of the object.
//
// It streams source rows and keeps only a few output-sized rows, so shrinking a decoded 8192² image
// does not need a second full-size buffer.
func Shrink(ctx context.Context, src image.Image, w, h int) (*image.NRGBA, error) {
	sw, sh := src.Bounds().Dx(), src.Bounds().Dy()
	if w <= 0 || h <= 0 || w > sw || h > sh {
		return nil, fmt.Errorf("raster: cannot shrink %d×%d to %d×%d", sw, sh, w, h)
	}
	cols := boxWeights(sw, w)
	rows := boxWeights(sh, h)
	dst := image.NewNRGBA(image.Rect(0, 0, w, h))
	acc := make([]float32, 4*w)
	in := make([]uint8, 4*sw)
	line := make([]float32, 4*w)
	lineY := -1
	for j := 0; j < h; j++ {
		if j%64 == 0 {
			if err := ctx.Err(); err != nil {
				return nil, err
			}
		}
		clear(acc)
		for _, c := range rows[j] {
			if c.src != lineY {
				readRow(src, c.src, in)
				shrinkRow(in, cols, line)
				lineY = c.src
			}
			for i, v := range line {
				acc[i] += c.weight * v
			}
		}
		out := dst.Pix[j*dst.Stride : j*dst.Stride+4*w]
		for i := 0; i < w; i++ {
			a := acc[4*i+3]
			if a < 0.5 {
				continue // transparent: leave black, alpha 0
			}
			for k := 0; k < 3; k++ {
				out[4*i+k] = clamp8(acc[4*i+k] * 255 / a)
			}
			out[4*i+3] = clamp8(a)
		}
	}
	return dst, nil
}

// shrinkRow resamples one NRGBA source row horizontally into line, premultiplied, 0..255 per
// channel.
func shrinkRow(row []uint8, cols [][]contribution, line []float32) {
	for i, cs := range cols {
		var r, g, b, a float32
		for _, c := range cs {
			p := row[4*c.src : 4*c.src+4]
			wa := c.weight * float32(p[3])
			r += wa * float32(p[0])
			g += wa * float32(p[1])
			b += wa * float32(p[2])
			a += wa
		}
		line[4*i], line[4*i+1], line[4*i+2], line[4*i+3] = r/255, g/255, b/255, a
	}
}

type contribution struct {
	src    int
	weight float32
}

// boxWeights lists, for each of n output samples over m input samples, the inputs it covers and
// the share of each (the shares of one output sum to 1).
func boxWeights(m, n int) [][]contribution {
	step := float64(m) / float64(n)
	out := make([][]contribution, n)
	for i := range out {
		lo, hi := float64(i)*step, float64(i+1)*step
		for s := int(lo); s < m && float64(s) < hi; s++ {
			cover := math.Min(hi, float64(s+1)) - math.Max(lo, float64(s))
			if cover > 1e-9 {
				out[i] = append(out[i], contribution{src: s, weight: float32(cover / step)})
			}
		}
	}
	return out
}

func clamp8(v float32) uint8 {
	switch {
	case v <= 0:
		return 0
	case v >= 255:
		return 255
	}
	return uint8(v + 0.5)
}
