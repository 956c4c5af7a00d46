package mask

import "context"

// Majority smooths a keyed mask: every pixel takes the value held by most of the nine pixels of
// its 3×3 neighbourhood (pixels outside the image count as background). A photo's outline is
// ragged at the pixel scale, from JPEG ringing, noise and the soft edge straddling the tolerance:
// the filter removes one-pixel spurs and fills one-pixel notches while a straight edge, and any
// part two or more pixels wide, keeps its place.
func Majority(ctx context.Context, m *Mask) error {
	w, h := m.W, m.H
	// Column sums of three rows, then a running sum of three columns: two adds per pixel.
	cols := make([]uint8, w)
	out := make([]bool, w*h)
	at := func(x, y int) uint8 {
		if y < 0 || y >= h || !m.In[y*w+x] {
			return 0
		}
		return 1
	}
	for y := 0; y < h; y++ {
		if y%256 == 0 {
			if err := ctx.Err(); err != nil {
				return err
			}
		}
		for x := 0; x < w; x++ {
			cols[x] = at(x, y-1) + at(x, y) + at(x, y+1)
		}
		for x := 0; x < w; x++ {
			n := cols[x]
			if x > 0 {
				n += cols[x-1]
			}
			if x < w-1 {
				n += cols[x+1]
			}
			out[y*w+x] = n >= 5
		}
	}
	copy(m.In, out)
	return nil
}
