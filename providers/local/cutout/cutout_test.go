package cutout

import (
	"context"
	"errors"
	"image"
	"image/color"
	"math"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/kiln3d/kiln/providers/local/mask"
	"github.com/kiln3d/kiln/providers/modeltest"
)

// scene draws a w×h picture: background colours from bg, object colours from fg where inside
// says so. It returns the picture and the truth.
func scene(w, h int, inside func(x, y int) bool, fg, bg func(x, y int) color.NRGBA) (*image.NRGBA, *mask.Mask) {
	img := image.NewNRGBA(image.Rect(0, 0, w, h))
	truth := mask.New(w, h)
	for y := 0; y < h; y++ {
		for x := 0; x < w; x++ {
			if inside(x, y) {
				truth.In[y*w+x] = true
				img.SetNRGBA(x, y, fg(x, y))
			} else {
				img.SetNRGBA(x, y, bg(x, y))
			}
		}
	}
	return img, truth
}

func disc(cx, cy, r float64) func(x, y int) bool {
	return func(x, y int) bool { return math.Hypot(float64(x)+0.5-cx, float64(y)+0.5-cy) < r }
}

// noisy is a colour with uniform noise of ±amp on each channel.
func noisy(rng *rand.Rand, c color.NRGBA, amp int) func(x, y int) color.NRGBA {
	ch := func(v uint8) uint8 { return uint8(max(0, min(255, int(v)+rng.IntN(2*amp+1)-amp))) }
	return func(int, int) color.NRGBA { return color.NRGBA{ch(c.R), ch(c.G), ch(c.B), 255} }
}

// iou compares two masks as the measuring tools do.
func iou(a, b *mask.Mask) float64 {
	return modeltest.IoU(modeltest.Mask{W: a.W, H: a.H, In: a.In}, modeltest.Mask{W: b.W, H: b.H, In: b.In})
}

func TestDiscOnNoise(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 1))
	img, truth := scene(200, 160, disc(90, 80, 50),
		noisy(rng, color.NRGBA{200, 60, 40, 255}, 30), noisy(rng, color.NRGBA{60, 120, 200, 255}, 60))
	m, err := Cut(context.Background(), img, image.Rect(30, 20, 150, 140), DefaultTolerance)
	if err != nil {
		t.Fatal(err)
	}
	if got := iou(m, truth); got < 0.98 {
		t.Errorf("IoU %.3f, want at least 0.98", got)
	}
}

// TestObjectColourInBackground: the background is strewn with dots of the object's colour, inside
// the rectangle and out, so that the background's model learns that colour too; the object's
// solid body and the smoothness of the outline must still keep it whole and leave the dots out.
func TestObjectColourInBackground(t *testing.T) {
	rng := rand.New(rand.NewPCG(2, 2))
	red := noisy(rng, color.NRGBA{210, 40, 40, 255}, 20)
	grey := noisy(rng, color.NRGBA{128, 128, 128, 255}, 20)
	img, truth := scene(240, 200, disc(100, 100, 60), red,
		func(x, y int) color.NRGBA {
			if x%9 < 2 && y%9 < 2 {
				return red(x, y)
			}
			return grey(x, y)
		})
	m, err := Cut(context.Background(), img, image.Rect(30, 30, 170, 170), DefaultTolerance)
	if err != nil {
		t.Fatal(err)
	}
	if got := iou(m, truth); got < 0.97 {
		t.Errorf("IoU %.3f, want at least 0.97", got)
	}
}

// TestRefinedAtFullResolution: a rectangle larger than the coarse graph is cut on a smaller copy
// of the image; the outline must still be right to a pixel or so, not to the coarse pixel. (The
// coarse graph's bound is lowered so that the test stays small.)
func TestRefinedAtFullResolution(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 3))
	img, truth := scene(400, 360, disc(200, 180, 140),
		noisy(rng, color.NRGBA{230, 200, 60, 255}, 15), noisy(rng, color.NRGBA{40, 90, 60, 255}, 15))
	rect := image.Rect(40, 20, 360, 340)
	coarse := rect.Dx() * rect.Dy() / 16 // a quarter of the resolution
	m, err := cut(context.Background(), img, rect, DefaultTolerance, coarse)
	if err != nil {
		t.Fatal(err)
	}
	wrong := countWrong(m, truth)
	// The outline is about 880 pixels long: the coarse outline alone, scaled up, misses by one
	// to two pixels along most of it.
	if wrong > 250 {
		t.Errorf("%d pixels on the wrong side, want at most 250", wrong)
	}
	t.Logf("%d pixels on the wrong side", wrong)
}

// TestTolerance: a disc whose edge fades into the background over 10 pixels, so that its
// outline's colours lie between the object's and the background's; the cut-out grows with the
// tolerance, each one holding the last.
func TestTolerance(t *testing.T) {
	rng := rand.New(rand.NewPCG(4, 4))
	const r0, r1 = 24.0, 34.0 // the fade's inner and outer radius
	fade := func(x, y int) color.NRGBA {
		d := math.Hypot(float64(x)+0.5-60, float64(y)+0.5-55)
		f := min(1, max(0, (r1-d)/(r1-r0))) // 1 inside, 0 outside
		c := uint8(40 + f*180 + 6*(rng.Float64()-0.5))
		return color.NRGBA{c, c, c, 255}
	}
	img, _ := scene(120, 110, func(int, int) bool { return false }, nil, fade)
	cut := func(tol float64) *mask.Mask {
		m, err := Cut(context.Background(), img, image.Rect(18, 13, 102, 97), tol)
		if err != nil {
			t.Fatal(err)
		}
		return m
	}
	lo, mid, hi := cut(0), cut(0.5), cut(1)
	t.Logf("object pixels at tolerance 0, 0.5, 1: %d, %d, %d", lo.Area(), mid.Area(), hi.Area())
	if lo.Area() >= mid.Area() || mid.Area() >= hi.Area() {
		t.Errorf("the object has %d pixels at tolerance 0, %d at 0.5 and %d at 1: want more as it rises", lo.Area(), mid.Area(), hi.Area())
	}
	for i := range mid.In {
		if (lo.In[i] && !mid.In[i]) || (mid.In[i] && !hi.In[i]) {
			t.Fatalf("pixel (%d,%d) is in the object at a lower tolerance and not at a higher one", i%mid.W, i/mid.W)
		}
	}
}

func TestUniformImage(t *testing.T) {
	img, _ := scene(64, 64, func(int, int) bool { return false }, nil,
		func(int, int) color.NRGBA { return color.NRGBA{90, 90, 90, 255} })
	m, err := Cut(context.Background(), img, image.Rect(10, 10, 50, 50), DefaultTolerance)
	if err != nil {
		t.Fatal(err)
	}
	if a := m.Area(); a != 0 {
		t.Errorf("a uniform image gave an object of %d pixels", a)
	}
}

func TestHostileRectangles(t *testing.T) {
	img, _ := scene(50, 40, disc(25, 20, 10),
		func(int, int) color.NRGBA { return color.NRGBA{255, 0, 0, 255} },
		func(int, int) color.NRGBA { return color.NRGBA{0, 0, 255, 255} })
	ctx := context.Background()
	for _, r := range []image.Rectangle{{}, image.Rect(60, 0, 80, 10), image.Rect(-20, -20, -1, -1), image.Rect(10, 10, 10, 30)} {
		if _, err := Cut(ctx, img, r, DefaultTolerance); !errors.Is(err, ErrRect) {
			t.Errorf("rectangle %v: error %v, want ErrRect", r, err)
		}
	}
	// One pixel, on the object and off it; a rectangle past the image; the whole image.
	for _, r := range []image.Rectangle{image.Rect(25, 20, 26, 21), image.Rect(2, 2, 3, 3), image.Rect(-100, -100, 200, 200), img.Bounds()} {
		m, err := Cut(ctx, img, r, DefaultTolerance)
		if err != nil {
			t.Fatalf("rectangle %v: %v", r, err)
		}
		if m.W != 50 || m.H != 40 {
			t.Fatalf("rectangle %v: mask %d×%d", r, m.W, m.H)
		}
		for i, in := range m.In {
			if in && !image.Pt(i%50, i/50).In(r) {
				t.Fatalf("rectangle %v: object pixel (%d,%d) outside it", r, i%50, i/50)
			}
		}
	}
	for _, tol := range []float64{-0.1, 1.5, math.NaN()} {
		if _, err := Cut(ctx, img, img.Bounds(), tol); err == nil {
			t.Errorf("tolerance %g accepted", tol)
		}
	}
}

// TestTinyImages: images of a pixel or a line of pixels are cut without a fault, whatever comes
// out.
func TestTinyImages(t *testing.T) {
	for _, size := range []image.Point{{1, 1}, {1, 50}, {50, 1}, {2, 2}, {3, 40}} {
		rng := rand.New(rand.NewPCG(uint64(size.X), uint64(size.Y)))
		img, _ := scene(size.X, size.Y, disc(float64(size.X)/2, float64(size.Y)/2, 1),
			noisy(rng, color.NRGBA{250, 0, 0, 255}, 5), noisy(rng, color.NRGBA{0, 0, 250, 255}, 5))
		m, err := Cut(context.Background(), img, img.Bounds(), DefaultTolerance)
		if err != nil {
			t.Fatalf("%v: %v", size, err)
		}
		if m.W != size.X || m.H != size.Y {
			t.Errorf("%v: mask %d×%d", size, m.W, m.H)
		}
		if _, err := Auto(context.Background(), img); err != nil {
			t.Fatalf("%v: automatic: %v", size, err)
		}
	}
}

// TestRandomRectangles throws random images, rectangles (inside, across the edge, outside,
// empty) and tolerances at Cut: it must refuse with ErrRect or return a mask of the image's size
// whose object lies inside the rectangle.
func TestRandomRectangles(t *testing.T) {
	rng := rand.New(rand.NewPCG(10, 10))
	for trial := range 200 {
		w, h := 1+rng.IntN(40), 1+rng.IntN(40)
		img := image.NewNRGBA(image.Rect(0, 0, w, h))
		for i := range img.Pix {
			img.Pix[i] = uint8(rng.IntN(256))
		}
		x0, y0 := rng.IntN(w+40)-20, rng.IntN(h+40)-20
		r := image.Rect(x0, y0, x0+rng.IntN(50)-5, y0+rng.IntN(50)-5)
		m, err := Cut(context.Background(), img, r, rng.Float64())
		if err != nil {
			if !errors.Is(err, ErrRect) {
				t.Fatalf("trial %d: %v×%v image, rectangle %v: %v", trial, w, h, r, err)
			}
			continue
		}
		if m.W != w || m.H != h {
			t.Fatalf("trial %d: mask %d×%d for a %d×%d image", trial, m.W, m.H, w, h)
		}
		for i, in := range m.In {
			if in && !image.Pt(i%w, i/w).In(r) {
				t.Fatalf("trial %d: object pixel (%d,%d) outside rectangle %v", trial, i%w, i/w, r)
			}
		}
	}
}

// TestWholeImageRectangle: a rectangle over the whole image leaves no background to learn from
// outside it; the image's border stands in.
func TestWholeImageRectangle(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 5))
	img, truth := scene(120, 100, disc(60, 50, 35),
		noisy(rng, color.NRGBA{240, 220, 30, 255}, 15), noisy(rng, color.NRGBA{30, 30, 160, 255}, 15))
	m, err := Cut(context.Background(), img, img.Bounds(), DefaultTolerance)
	if err != nil {
		t.Fatal(err)
	}
	if got := iou(m, truth); got < 0.97 {
		t.Errorf("IoU %.3f, want at least 0.97", got)
	}
}

// TestTransparentPixelsAreBackground: in an image with an alpha channel, what is transparent is
// never the object, whatever colour its pixels hold.
func TestTransparentPixelsAreBackground(t *testing.T) {
	img, truth := scene(80, 80, disc(40, 40, 20),
		func(int, int) color.NRGBA { return color.NRGBA{10, 200, 10, 255} },
		func(int, int) color.NRGBA { return color.NRGBA{10, 200, 10, 0} })
	m, err := Cut(context.Background(), img, image.Rect(5, 5, 75, 75), DefaultTolerance)
	if err != nil {
		t.Fatal(err)
	}
	if got := iou(m, truth); got < 0.99 {
		t.Errorf("IoU %.3f, want at least 0.99", got)
	}
}

// TestSubImage: a rectangle is in the image's own coordinates, also when they do not start at 0.
func TestSubImage(t *testing.T) {
	rng := rand.New(rand.NewPCG(9, 9))
	img, truth := scene(160, 120, disc(100, 70, 30),
		noisy(rng, color.NRGBA{240, 220, 30, 255}, 10), noisy(rng, color.NRGBA{30, 30, 160, 255}, 10))
	sub := img.SubImage(image.Rect(40, 20, 160, 120)).(*image.NRGBA)
	m, err := Cut(context.Background(), sub, image.Rect(60, 30, 140, 110), DefaultTolerance)
	if err != nil {
		t.Fatal(err)
	}
	if m.W != 120 || m.H != 100 {
		t.Fatalf("mask %d×%d, want the sub-image's 120×100", m.W, m.H)
	}
	want := mask.New(120, 100)
	for y := range 100 {
		for x := range 120 {
			want.In[y*120+x] = truth.At(x+40, y+20)
		}
	}
	if got := iou(m, want); got < 0.97 {
		t.Errorf("IoU %.3f, want at least 0.97", got)
	}
}

func TestCancelled(t *testing.T) {
	rng := rand.New(rand.NewPCG(6, 6))
	img, _ := scene(1024, 1024, disc(512, 512, 300),
		noisy(rng, color.NRGBA{200, 60, 40, 255}, 40), noisy(rng, color.NRGBA{60, 120, 200, 255}, 60))
	ctx, cancel := context.WithCancel(context.Background())
	time.AfterFunc(20*time.Millisecond, cancel)
	start := time.Now()
	_, err := Cut(ctx, img, image.Rect(100, 100, 924, 924), DefaultTolerance)
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("error %v, want context.Canceled", err)
	}
	if d := time.Since(start); d > 500*time.Millisecond {
		t.Errorf("stopped %v after the start, want promptly", d)
	}
}

func TestAuto(t *testing.T) {
	img, truth := scene(100, 80, disc(50, 40, 25),
		func(int, int) color.NRGBA { return color.NRGBA{200, 30, 30, 255} },
		func(int, int) color.NRGBA { return color.NRGBA{255, 255, 255, 255} })
	m, err := Auto(context.Background(), img)
	if err != nil {
		t.Fatal(err)
	}
	if got := iou(m, truth); got < 0.97 {
		t.Errorf("IoU %.3f, want at least 0.97", got)
	}
}

// BenchmarkCut cuts a 1024² photo-like picture with a rectangle around its object: the target is
// under a second on two cores.
func BenchmarkCut(b *testing.B) {
	rng := rand.New(rand.NewPCG(8, 8))
	img, truth := scene(1024, 1024, disc(512, 540, 380),
		noisy(rng, color.NRGBA{200, 140, 60, 255}, 40), noisy(rng, color.NRGBA{70, 110, 90, 255}, 50))
	rect := image.Rect(100, 120, 924, 944)
	var m *mask.Mask
	for b.Loop() {
		var err error
		if m, err = Cut(context.Background(), img, rect, DefaultTolerance); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(iou(m, truth), "IoU")
}

func countWrong(m, truth *mask.Mask) int {
	n := 0
	for i := range m.In {
		if m.In[i] != truth.In[i] {
			n++
		}
	}
	return n
}
