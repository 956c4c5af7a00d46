package mask

import (
	"context"
	"image"
	"image/color"
	"math"
	"math/rand/v2"
	"slices"
	"testing"
)

func fill(w, h int, c color.NRGBA) *image.NRGBA {
	img := image.NewNRGBA(image.Rect(0, 0, w, h))
	for y := 0; y < h; y++ {
		for x := 0; x < w; x++ {
			img.SetNRGBA(x, y, c)
		}
	}
	return img
}

func TestAlphaThresholdIsHalf(t *testing.T) {
	img := fill(4, 1, color.NRGBA{})
	for x, a := range []uint8{0, 127, 128, 255} {
		img.SetNRGBA(x, 0, color.NRGBA{10, 20, 30, a})
	}
	m, method, err := Extract(context.Background(), img)
	if err != nil || method != Alpha {
		t.Fatalf("Extract: %v, method %v", err, method)
	}
	// 127/255 is under 50%, 128/255 (0x8080 in 16 bits) is at or above it, as the checker has it.
	if want := []bool{false, false, true, true}; !slices.Equal(m.In, want) {
		t.Errorf("mask %v, want %v", m.In, want)
	}
}

// TestKeyOnWhite keys a pale object with JPEG-like noise off a white background. The object's
// colour is close to white (ΔE about 18) and must survive; the enclosed pocket of background, too
// big to be a highlight, becomes a hole although the border's flood fill cannot reach it.
func TestKeyOnWhite(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	img := fill(100, 80, color.NRGBA{255, 255, 255, 255})
	for y := 0; y < 80; y++ {
		for x := 0; x < 100; x++ {
			c := color.NRGBA{255, 255, 255, 255}
			d := math.Hypot(float64(x)-50, float64(y)-40)
			if d < 30 && d >= 8 {
				c = color.NRGBA{240, 228, 200, 255} // cream
			}
			n := uint8(rng.IntN(4))
			c.R, c.G, c.B = c.R-n, c.G-n, c.B-n
			img.SetNRGBA(x, y, c)
		}
	}
	m, method, err := Extract(context.Background(), img)
	if err != nil || method != Keyed {
		t.Fatalf("Extract: %v, method %v", err, method)
	}
	if m.At(50, 40) || m.At(44, 40) {
		t.Error("the enclosed pocket of background is not a hole")
	}
	if !m.At(50, 30) {
		t.Error("the object around the pocket was keyed out")
	}
	if !m.At(50, 15) || !m.At(25, 40) {
		t.Error("the cream object was keyed out")
	}
	if m.At(2, 2) || m.At(95, 75) {
		t.Error("background corners kept")
	}
	if b := m.Bounds(); b != image.Rect(21, 11, 80, 70) {
		t.Errorf("bounds %v", b)
	}
}

func TestKeyAllBackground(t *testing.T) {
	m, _, err := Extract(context.Background(), fill(30, 20, color.NRGBA{40, 90, 200, 255}))
	if err != nil {
		t.Fatal(err)
	}
	if !m.Bounds().Empty() || m.Area() != 0 {
		t.Errorf("a plain image has an object: %v", m.Bounds())
	}
}

// TestCleanDropsSpecksAndPinholes: a speck far smaller than the object goes, a pinhole inside it
// is filled, a real hole and a second real part stay, and background at the border is untouched.
func TestCleanDropsSpecksAndPinholes(t *testing.T) {
	m := New(200, 200)
	set := func(x0, y0, x1, y1 int, v bool) {
		for y := y0; y < y1; y++ {
			for x := x0; x < x1; x++ {
				m.In[y*m.W+x] = v
			}
		}
	}
	set(10, 10, 150, 150, true)    // the object, 19,600 px
	set(60, 60, 90, 90, false)     // a real hole, 900 px
	set(30, 30, 33, 33, false)     // a pinhole, 9 px
	set(170, 170, 173, 173, true)  // a speck, 9 px
	set(160, 10, 190, 40, true)    // a second part, 900 px
	set(149, 100, 150, 101, false) // a notch open to the outside (not a pinhole)
	if err := Clean(context.Background(), m); err != nil {
		t.Fatal(err)
	}
	checks := []struct {
		x, y int
		want bool
		what string
	}{
		{31, 31, true, "pinhole filled"},
		{171, 171, false, "speck dropped"},
		{75, 75, false, "real hole kept"},
		{175, 25, true, "second part kept"},
		{149, 100, false, "notch kept"},
	}
	for _, c := range checks {
		if m.At(c.x, c.y) != c.want {
			t.Errorf("%s: pixel (%d, %d) is %v", c.what, c.x, c.y, !c.want)
		}
	}
}

// TestLabelMatchesFloodFill compares the run-based labelling with a plain flood fill on noise.
func TestLabelMatchesFloodFill(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 6))
	for trial := 0; trial < 20; trial++ {
		m := New(1+rng.IntN(60), 1+rng.IntN(60))
		for i := range m.In {
			m.In[i] = rng.IntN(100) < 45
		}
		for _, want := range []bool{true, false} {
			got := label(m, want).size
			exp := floodSizes(m, want)
			slices.Sort(got)
			slices.Sort(exp)
			if !slices.Equal(got, exp) {
				t.Fatalf("%d×%d, want=%v: sizes %v, flood fill gives %v", m.W, m.H, want, got, exp)
			}
		}
	}
}

func floodSizes(m *Mask, want bool) []int {
	seen := make([]bool, len(m.In))
	var sizes []int
	for s := range m.In {
		if seen[s] || m.In[s] != want {
			continue
		}
		n, stack := 0, []int{s}
		seen[s] = true
		for len(stack) > 0 {
			i := stack[len(stack)-1]
			stack = stack[:len(stack)-1]
			n++
			for dy := -1; dy <= 1; dy++ {
				for dx := -1; dx <= 1; dx++ {
					if dx == 0 && dy == 0 || !want && dx != 0 && dy != 0 {
						continue
					}
					x, y := i%m.W+dx, i/m.W+dy
					if x < 0 || y < 0 || x >= m.W || y >= m.H {
						continue
					}
					if j := y*m.W + x; !seen[j] && m.In[j] == want {
						seen[j] = true
						stack = append(stack, j)
					}
				}
			}
		}
		sizes = append(sizes, n)
	}
	return sizes
}

// TestKeyKeepsFlecks: a white fleck on the object (a highlight, a label) is background-coloured
// and enclosed, but too small to be a hole.
func TestKeyKeepsFlecks(t *testing.T) {
	img := fill(200, 200, color.NRGBA{255, 255, 255, 255})
	for y := 20; y < 180; y++ {
		for x := 20; x < 180; x++ {
			img.SetNRGBA(x, y, color.NRGBA{200, 90, 40, 255})
		}
	}
	for y := 60; y < 66; y++ { // 36 pixels: under pocketPixels
		for x := 60; x < 66; x++ {
			img.SetNRGBA(x, y, color.NRGBA{252, 252, 250, 255})
		}
	}
	for y := 100; y < 140; y++ { // 1,600 pixels: a hole
		for x := 100; x < 140; x++ {
			img.SetNRGBA(x, y, color.NRGBA{253, 255, 254, 255})
		}
	}
	m, _, err := Extract(context.Background(), img)
	if err != nil {
		t.Fatal(err)
	}
	if !m.At(62, 62) {
		t.Error("a small white fleck became a hole")
	}
	if m.At(120, 120) {
		t.Error("a large enclosed patch of background colour is not a hole")
	}
	if !m.At(30, 30) || m.At(10, 10) {
		t.Error("object or background misjudged")
	}
}

// TestMajority: one-pixel spurs and notches go, straight edges and two-pixel-wide parts stay.
func TestMajority(t *testing.T) {
	m := New(40, 40)
	set := func(x0, y0, x1, y1 int, v bool) {
		for y := y0; y < y1; y++ {
			for x := x0; x < x1; x++ {
				m.In[y*m.W+x] = v
			}
		}
	}
	set(5, 5, 25, 25, true)
	set(25, 10, 35, 11, true) // a one-pixel spur
	set(5, 15, 6, 16, false)  // a one-pixel notch in the left edge
	set(10, 25, 12, 38, true) // a two-pixel-wide leg
	if err := Majority(context.Background(), m); err != nil {
		t.Fatal(err)
	}
	checks := []struct {
		x, y int
		want bool
		what string
	}{
		{30, 10, false, "spur removed"},
		{5, 15, true, "notch filled"},
		{5, 12, true, "edge kept"},
		{4, 12, false, "edge not grown"},
		{11, 30, true, "two-pixel leg kept"},
		{15, 15, true, "inside kept"},
	}
	for _, c := range checks {
		if m.At(c.x, c.y) != c.want {
			t.Errorf("%s: pixel (%d, %d) is %v", c.what, c.x, c.y, !c.want)
		}
	}
}

func TestResize(t *testing.T) {
	m := New(2, 2)
	m.In[1] = true // top right
	r := Resize(m, 4, 6)
	for y := range 6 {
		for x := range 4 {
			if want := x >= 2 && y < 3; r.At(x, y) != want {
				t.Fatalf("(%d,%d) = %v, want %v", x, y, r.At(x, y), want)
			}
		}
	}
}
