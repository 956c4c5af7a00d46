package mask

import (
	"context"
	"image"
	"math"
)

// DefaultTolerance is how far (CIELAB ΔE, CIE76) a pixel's colour may be from the background's and
// still count as background. JPEG noise on a plain backdrop stays under about 3; 10 also swallows
// soft shadows' faint edges while keeping pale objects on white (ΔE of a light cream on white is
// already about 18).
const DefaultTolerance = 10.0

// Key separates an opaque object from a plain background. The background colour is the per-channel
// median of the border pixels (robust to an object touching the border); every pixel connected to
// the border through pixels within tol of that colour is background, the rest is the object.
//
// Pockets of background enclosed by the object (the inside of a ring, the gaps of a wheel) are
// not reached from the border. Those of the background's colour become background too unless they
// are tiny (see pocketPixels): a highlight or a pale fleck of the object is small, a hole is not.
func Key(ctx context.Context, img *image.NRGBA, tol float64) (*Mask, error) {
	w, h := img.Bounds().Dx(), img.Bounds().Dy()
	bg := labOf(borderMedian(img))
	tol2 := tol * tol
	lin := srgbToLinear()

	const (
		unknown = iota
		background
		object
		pocket // background-coloured but not reached from the border
	)
	state := make([]uint8, w*h)
	isBackground := func(i int) bool {
		p := img.Pix[(i/w)*img.Stride+4*(i%w):]
		l, a, b := lab(lin[p[0]], lin[p[1]], lin[p[2]])
		dl, da, db := l-bg[0], a-bg[1], b-bg[2]
		return dl*dl+da*da+db*db <= tol2
	}
	stack := make([]int32, 0, 2*(w+h))
	visit := func(i int) {
		if state[i] != unknown {
			return
		}
		if isBackground(i) {
			state[i] = background
			stack = append(stack, int32(i))
		} else {
			state[i] = object
		}
	}
	for x := 0; x < w; x++ {
		visit(x)
		visit((h-1)*w + x)
	}
	for y := 0; y < h; y++ {
		visit(y * w)
		visit(y*w + w - 1)
	}
	for n := 0; len(stack) > 0; n++ {
		if n%(1<<16) == 0 {
			if err := ctx.Err(); err != nil {
				return nil, err
			}
		}
		i := int(stack[len(stack)-1])
		stack = stack[:len(stack)-1]
		x, y := i%w, i/w
		if x > 0 {
			visit(i - 1)
		}
		if x < w-1 {
			visit(i + 1)
		}
		if y > 0 {
			visit(i - w)
		}
		if y < h-1 {
			visit(i + w)
		}
	}
	for i, s := range state {
		if i%(1<<16) == 0 {
			if err := ctx.Err(); err != nil {
				return nil, err
			}
		}
		if s == unknown {
			state[i] = object
			if isBackground(i) {
				state[i] = pocket
			}
		}
	}
	m := New(w, h)
	for i, s := range state {
		m.In[i] = s != background
	}
	area := 0
	for _, s := range state {
		if s == object {
			area++
		}
	}
	openPockets(m, state, pocket, max(pocketPixels, int(pocketFraction*float64(area))))
	return m, ctx.Err()
}

// A pocket of background colour becomes a hole when it has at least pocketPixels pixels and
// pocketFraction of the object's area: a wheel's gaps or a ring's middle are far larger, while
// highlights and pale marks on the object, which may match a white backdrop, stay well under.
const (
	pocketPixels   = 64
	pocketFraction = 0.003
)

// openPockets clears from m every 4-connected region of pixels whose state is pocket and which
// holds at least minPixels of them.
func openPockets(m *Mask, state []uint8, pocket uint8, minPixels int) {
	seen := make([]bool, len(state))
	var region, stack []int32
	for s := range state {
		if state[s] != pocket || seen[s] {
			continue
		}
		region, stack = region[:0], append(stack[:0], int32(s))
		seen[s] = true
		for len(stack) > 0 {
			i := int(stack[len(stack)-1])
			stack = stack[:len(stack)-1]
			region = append(region, int32(i))
			visit := func(n int) {
				if state[n] == pocket && !seen[n] {
					seen[n] = true
					stack = append(stack, int32(n))
				}
			}
			// A pocket never touches the image border (the fill started there), but a pocket
			// region is still bounded by its pixels' neighbours, so guard the edges anyway.
			if x := i % m.W; x > 0 {
				visit(i - 1)
			}
			if x := i % m.W; x < m.W-1 {
				visit(i + 1)
			}
			if i >= m.W {
				visit(i - m.W)
			}
			if i+m.W < len(state) {
				visit(i + m.W)
			}
		}
		if len(region) >= minPixels {
			for _, i := range region {
				m.In[i] = false
			}
		}
	}
}

// borderMedian is the per-channel median colour of the image's outermost pixels.
func borderMedian(img *image.NRGBA) [3]uint8 {
	w, h := img.Bounds().Dx(), img.Bounds().Dy()
	var hist [3][256]int
	n := 0
	add := func(x, y int) {
		p := img.Pix[y*img.Stride+4*x:]
		hist[0][p[0]]++
		hist[1][p[1]]++
		hist[2][p[2]]++
		n++
	}
	for x := 0; x < w; x++ {
		add(x, 0)
		if h > 1 {
			add(x, h-1)
		}
	}
	for y := 1; y < h-1; y++ {
		add(0, y)
		if w > 1 {
			add(w-1, y)
		}
	}
	var med [3]uint8
	for c := range hist {
		seen := 0
		for v, k := range hist[c] {
			seen += k
			if 2*seen >= n {
				med[c] = uint8(v)
				break
			}
		}
	}
	return med
}

// srgbToLinear tabulates the sRGB transfer function's inverse for 8-bit values.
func srgbToLinear() *[256]float64 {
	var t [256]float64
	for i := range t {
		c := float64(i) / 255
		if c <= 0.04045 {
			t[i] = c / 12.92
		} else {
			t[i] = math.Pow((c+0.055)/1.055, 2.4)
		}
	}
	return &t
}

func labOf(c [3]uint8) [3]float64 {
	lin := srgbToLinear()
	l, a, b := lab(lin[c[0]], lin[c[1]], lin[c[2]])
	return [3]float64{l, a, b}
}

// lab converts linear sRGB to CIELAB under D65.
func lab(r, g, b float64) (float64, float64, float64) {
	x := (0.4124564*r + 0.3575761*g + 0.1804375*b) / 0.95047
	y := 0.2126729*r + 0.7151522*g + 0.0721750*b
	z := (0.0193339*r + 0.1191920*g + 0.9503041*b) / 1.08883
	fx, fy, fz := labF(x), labF(y), labF(z)
	return 116*fy - 16, 500 * (fx - fy), 200 * (fy - fz)
}

func labF(t float64) float64 {
	const e = 216.0 / 24389 // (6/29)³
	if t > e {
		return math.Cbrt(t)
	}
	return t*(24389.0/27/116) + 16.0/116
}
