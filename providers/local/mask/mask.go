// Package mask separates the object from the background of a reference image: by its alpha channel
// when the image has transparency, otherwise by keying out the background colour seen on the border.
package mask

import (
	"context"
	"image"
)

// Mask marks the object's pixels of a W×H image, row by row.
type Mask struct {
	W, H int
	In   []bool
}

// Draw makes a w×h mask of the pixels whose centres inside says are in: a shape drawn from its
// formula, as tests and benchmarks draw their outlines.
func Draw(w, h int, inside func(x, y float64) bool) *Mask {
	m := New(w, h)
	for y := 0; y < h; y++ {
		for x := 0; x < w; x++ {
			m.In[y*w+x] = inside(float64(x)+0.5, float64(y)+0.5)
		}
	}
	return m
}

// New returns an empty w×h mask.
func New(w, h int) *Mask {
	return &Mask{W: w, H: h, In: make([]bool, w*h)}
}

// At reports whether pixel (x, y) belongs to the object; pixels outside the image do not.
func (m *Mask) At(x, y int) bool {
	if x < 0 || y < 0 || x >= m.W || y >= m.H {
		return false
	}
	return m.In[y*m.W+x]
}

// Bounds returns the smallest rectangle holding every object pixel, empty when there is none.
func (m *Mask) Bounds() image.Rectangle {
	x0, y0, x1, y1 := m.W, m.H, -1, -1
	for y := 0; y < m.H; y++ {
		row := m.In[y*m.W : (y+1)*m.W]
		first := -1
		for x, in := range row {
			if in {
				first = x
				break
			}
		}
		if first < 0 {
			continue
		}
		last := first
		for x := m.W - 1; x > first; x-- {
			if row[x] {
				last = x
				break
			}
		}
		x0, x1 = min(x0, first), max(x1, last)
		y0, y1 = min(y0, y), max(y1, y)
	}
	if x1 < 0 {
		return image.Rectangle{}
	}
	return image.Rect(x0, y0, x1+1, y1+1)
}

// Area counts the object's pixels.
func (m *Mask) Area() int {
	n := 0
	for _, in := range m.In {
		if in {
			n++
		}
	}
	return n
}

// Method says how a mask was found.
type Method int

// The ways Extract separates the object.
const (
	// Alpha: the image has transparency and the object is every pixel at least half opaque.
	Alpha Method = iota
	// Keyed: the image is opaque and the object is what the background colour does not reach.
	Keyed
)

// Extract finds the object in img: by alpha when any pixel is less than half opaque, else by
// keying out the border's background colour, enclosed holes included, and smoothing the keyed
// outline (see Majority). It then drops specks and fills pinholes (see Clean). The mask may be
// empty; the caller decides how to explain that.
func Extract(ctx context.Context, img *image.NRGBA) (*Mask, Method, error) {
	var m *Mask
	method := Keyed
	if HasTransparency(img) {
		method = Alpha
		m = FromAlpha(img)
	} else {
		var err error
		if m, err = Key(ctx, img, DefaultTolerance); err != nil {
			return nil, method, err
		}
		// An alpha channel is the artist's own cut-out and is kept as drawn; a keyed outline is
		// the generator's guess and gets cleaned.
		if err := Majority(ctx, m); err != nil {
			return nil, method, err
		}
	}
	if err := Clean(ctx, m); err != nil {
		return nil, method, err
	}
	return m, method, nil
}

// HasTransparency reports whether any pixel of img is less than half opaque.
func HasTransparency(img *image.NRGBA) bool {
	w, h := img.Bounds().Dx(), img.Bounds().Dy()
	for y := 0; y < h; y++ {
		row := img.Pix[y*img.Stride : y*img.Stride+4*w]
		for i := 3; i < len(row); i += 4 {
			if row[i] < 128 {
				return true
			}
		}
	}
	return false
}

// FromAlpha marks the pixels at least half opaque. An 8-bit alpha of 128 is 0x8080 in 16 bits, the
// first value at or above the 0x8000 that the independent checker uses.
func FromAlpha(img *image.NRGBA) *Mask {
	w, h := img.Bounds().Dx(), img.Bounds().Dy()
	m := New(w, h)
	for y := 0; y < h; y++ {
		row := img.Pix[y*img.Stride : y*img.Stride+4*w]
		out := m.In[y*w : (y+1)*w]
		for x := range out {
			out[x] = row[4*x+3] >= 128
		}
	}
	return m
}

// Resize scales m to w×h, each pixel taking the value of the one it falls in: to bring a
// cut-out found at the working resolution back to the image's own size, or the reverse.
func Resize(m *Mask, w, h int) *Mask {
	if m.W == w && m.H == h {
		return m
	}
	out := New(w, h)
	cols := make([]int, w)
	for x := range cols {
		cols[x] = min(m.W-1, x*m.W/w)
	}
	for y := 0; y < h; y++ {
		row := m.In[min(m.H-1, y*m.H/h)*m.W:]
		dst := out.In[y*w : (y+1)*w]
		for x, c := range cols {
			dst[x] = row[c]
		}
	}
	return out
}
