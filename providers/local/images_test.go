package local

import (
	"github.com/kiln3d/kiln/providers/modeltest"
	"image"
	"image/color"
	"math"
	"testing"
)

// inside says whether a point (pixel centre, in pixels) belongs to a test object.
type inside func(x, y float64) bool

func disc(cx, cy, r float64) inside {
	return func(x, y float64) bool { return math.Hypot(x-cx, y-cy) <= r }
}

func union(shapes ...inside) inside {
	return func(x, y float64) bool {
		for _, s := range shapes {
			if s(x, y) {
				return true
			}
		}
		return false
	}
}

func rect(x0, y0, x1, y1 float64) inside {
	return func(x, y float64) bool { return x >= x0 && x < x1 && y >= y0 && y < y1 }
}

// testShapes are the objects the tests draw: round, with a hole, concave, in two parts, and
// irregular with thin parts.
func testShapes() map[string]inside {
	return map[string]inside{
		"disc": disc(128, 128, 100),
		"ring": func(x, y float64) bool {
			r := math.Hypot(x-128, y-128)
			return r <= 110 && r >= 45
		},
		"L":         union(rect(40, 20, 100, 236), rect(40, 170, 220, 236)),
		"two blobs": union(disc(80, 110, 60), disc(190, 150, 50)),
		"blob":      blob(128, 128, 90, true),
	}
}

// blob is an irregular star-ish outline, with a hole if asked, like a real cut-out.
func blob(cx, cy, r float64, withHole bool) inside {
	return func(x, y float64) bool {
		dx, dy := x-cx, y-cy
		a := math.Atan2(dy, dx)
		edge := r * (0.8 + 0.15*math.Sin(5*a) + 0.05*math.Cos(13*a))
		d := math.Hypot(dx, dy)
		hole := withHole && math.Hypot(dx-0.2*r, dy+0.1*r) < 0.18*r
		return d <= edge && !hole
	}
}

// pattern is the colour of the object at a pixel: stripes and a checker, so that texturing
// mistakes (a mirrored or shifted texture) change what the model looks like.
func pattern(x, y int) color.NRGBA {
	c := color.NRGBA{uint8(40 + x%200), uint8(60 + y%180), 120, 255}
	if (x/16+y/16)%2 == 0 {
		c.B = 220
	}
	return c
}

// drawRGBA draws s over a transparent background, with a one-pixel soft edge.
func drawRGBA(w, h int, s inside) *image.NRGBA {
	img := image.NewNRGBA(image.Rect(0, 0, w, h))
	for y := 0; y < h; y++ {
		for x := 0; x < w; x++ {
			// 4×4 supersampling gives partly transparent edge pixels, as real cut-outs have.
			n := 0
			for sy := 0; sy < 4; sy++ {
				for sx := 0; sx < 4; sx++ {
					if s(float64(x)+(float64(sx)+0.5)/4, float64(y)+(float64(sy)+0.5)/4) {
						n++
					}
				}
			}
			if n == 0 {
				continue
			}
			c := pattern(x, y)
			c.A = uint8(n * 255 / 16)
			img.SetNRGBA(x, y, c)
		}
	}
	return img
}

// drawHard draws s over a transparent background with hard edges: one sample per pixel, cheap
// enough for big images under the race detector.
func drawHard(w, h int, s inside) *image.NRGBA {
	img := image.NewNRGBA(image.Rect(0, 0, w, h))
	for y := 0; y < h; y++ {
		for x := 0; x < w; x++ {
			if s(float64(x)+0.5, float64(y)+0.5) {
				img.SetNRGBA(x, y, pattern(x, y))
			}
		}
	}
	return img
}

// drawOnWhite draws s opaque on a white background.
func drawOnWhite(w, h int, s inside) *image.NRGBA {
	img := image.NewNRGBA(image.Rect(0, 0, w, h))
	for y := 0; y < h; y++ {
		for x := 0; x < w; x++ {
			c := color.NRGBA{255, 255, 255, 255}
			if s(float64(x)+0.5, float64(y)+0.5) {
				c = pattern(x, y)
			}
			img.SetNRGBA(x, y, c)
		}
	}
	return img
}

func writePNG(t testing.TB, dir, name string, img image.Image) string {
	t.Helper()
	return modeltest.WriteImage(t, dir, name, img)
}

func writeJPEG(t testing.TB, dir, name string, img image.Image) string {
	t.Helper()
	return modeltest.WriteImage(t, dir, name, img)
}

func writeFile(t testing.TB, dir, name string, data []byte) string {
	t.Helper()
	return modeltest.WriteFile(t, dir, name, data)
}
