package turned

import (
	"context"
	"image"
	"math"
	"path/filepath"
	"testing"

	"github.com/kiln3d/kiln/providers/imageio"
	"github.com/kiln3d/kiln/providers/local/mask"
	"github.com/kiln3d/kiln/providers/local/raster"
	"github.com/kiln3d/kiln/providers/modeltest"
)

// truthMask is the front silhouette of one of modeltest's known shapes, size pixels tall.
func truthMask(t testing.TB, name string, size int) *mask.Mask {
	t.Helper()
	tr, err := modeltest.Truth(name)
	if err != nil {
		t.Fatal(err)
	}
	like := modeltest.Mask{W: size + 20, H: size + 20, In: make([]bool, (size+20)*(size+20))}
	for _, p := range []image.Point{{10, 10}, {size + 9, size + 9}} {
		like.In[p.Y*like.W+p.X] = true
	}
	sil, err := tr.ViewSilhouette(like, "front")
	if err != nil {
		t.Fatal(err)
	}
	return &mask.Mask{W: sil.W, H: sil.H, In: sil.In}
}

// asymmetric outlines: what Auto must not turn.
func letterF() *mask.Mask {
	return mask.Draw(300, 400, func(x, y float64) bool {
		return x > 60 && x < 120 && y > 40 && y < 360 || // the stem
			x > 60 && x < 260 && y > 40 && y < 100 || // the top bar
			x > 60 && x < 210 && y > 180 && y < 235 // the middle bar
	})
}

func teapot() *mask.Mask {
	return mask.Draw(500, 400, func(x, y float64) bool {
		body := (x-250)*(x-250)/(130*130)+(y-230)*(y-230)/(110*110) <= 1
		lid := math.Abs(x-250) < 22 && y > 95 && y < 125
		// The spout rises to the right from the body's lower right.
		t := (x - 340) / 110
		spout := t > 0 && t < 1 && math.Abs(y-(260-120*t)) < 18-8*t
		// The handle is a ring on the left.
		d := math.Hypot((x-120)/1.1, y-220)
		handle := x < 150 && d > 45 && d < 70
		return body || lid || spout || handle
	})
}

// TestAxisSymmetric: a symmetric outline scores 1 about its axis, found to a fraction of a pixel,
// leaning or not.
func TestAxisSymmetric(t *testing.T) {
	rect := mask.Draw(400, 300, func(x, y float64) bool { return x > 100 && x < 301 && y > 20 && y < 280 })
	if x, s := Axis(rect); math.Abs(x-200.5) > 0.01 || s < 0.9999 {
		t.Errorf("rectangle 100…301: axis %.3f score %.4f; want 200.5, 1", x, s)
	}
	// A disc centred between pixels: its rasterised outline is only nearly symmetric.
	disc := mask.Draw(400, 400, func(x, y float64) bool { return math.Hypot(x-180.3, y-200) < 120 })
	if x, s := Axis(disc); math.Abs(x-180.3) > 0.25 || s < 0.99 {
		t.Errorf("disc about 180.3: axis %.3f score %.4f", x, s)
	}
	// A ring is symmetric: its hole is the caller's to judge.
	if _, s := Axis(truthMask(t, "torus", 200)); s < 0.99 {
		t.Errorf("ring: score %.4f", s)
	}
	// A bottle leaning by 2°, as a photo of one often does.
	lean := math.Tan(2 * math.Pi / 180)
	bottle := mask.Draw(400, 500, func(x, y float64) bool {
		r := 60.0
		if y < 150 {
			r = 25
		}
		return y > 40 && y < 460 && math.Abs(x-200-lean*(y-250)) < r
	})
	if x, s := Axis(bottle); math.Abs(x-200) > 0.5 || s < 0.99 {
		t.Errorf("leaning bottle: axis %.3f score %.4f; want 200, ≥ 0.99", x, s)
	}
}

// TestSymmetricThreshold: the turned truths' silhouettes, at any size, score at least Symmetric;
// asymmetric outlines stay below it.
func TestSymmetricThreshold(t *testing.T) {
	for _, name := range []string{"cylinder", "cone", "vase", "sphere"} {
		for _, size := range []int{64, 300} {
			if _, s := Axis(truthMask(t, name, size)); s < Symmetric {
				t.Errorf("%s at %d px: score %.4f, under %.2f", name, size, s, Symmetric)
			}
		}
	}
	for name, m := range map[string]*mask.Mask{"letter F": letterF(), "teapot": teapot()} {
		if _, s := Axis(m); s >= Symmetric {
			t.Errorf("%s: score %.4f, at or over %.2f", name, s, Symmetric)
		}
	}
}

// TestSymmetricCorpus: of the corpus's cut-outs only the gas cylinder is a turned object; the
// round fruit and the wheel seen head-on are not, nor are the rest.
func TestSymmetricCorpus(t *testing.T) {
	dir := modeltest.CorpusDir(t, "images")
	want := map[string]bool{
		"tux_cylinder.png": true, "tux_Apricot_whole.png": false, "tux_avocado.png": false,
		"tux_wheel_tractor.png": false, "tux_anemone_red.png": false, "tux_Roast_turkey.png": false,
	}
	for name, turned := range want {
		img, _, err := imageio.Decode(filepath.Join(dir, name))
		if err != nil {
			t.Fatal(err)
		}
		m, _, err := mask.Extract(context.Background(), raster.NRGBA(img))
		if err != nil {
			t.Fatal(err)
		}
		if _, s := Axis(m); (s >= Symmetric) != turned {
			t.Errorf("%s: score %.4f against %.2f; turned: %v", name, s, Symmetric, turned)
		}
	}
}

// TestAxisEmpty: no object, no axis.
func TestAxisEmpty(t *testing.T) {
	for name, m := range map[string]*mask.Mask{"nil": nil, "empty": mask.New(50, 50), "zero": {}, "short": {W: 10, H: 10, In: make([]bool, 5)}} {
		if x, s := Axis(m); x != 0 || s != 0 {
			t.Errorf("%s mask: axis %g score %g", name, x, s)
		}
	}
	// A line one pixel tall across a mask taller than Axis reads row by row.
	line := mask.New(300, 3001)
	for x := 100; x < 200; x++ {
		line.In[1501*300+x] = true
	}
	if x, s := Axis(line); math.Abs(x-150) > 0.01 || s < 0.999 {
		t.Errorf("a line 100…200 on row 1501 of 3001: axis %g score %g", x, s)
	}
	one := mask.New(9, 9)
	one.In[4*9+6] = true
	if x, s := Axis(one); math.Abs(x-6.5) > 0.01 || s < 0.999 {
		t.Errorf("one pixel at 6: axis %g score %g", x, s)
	}
}

// BenchmarkAxis: a 2048² mask (a vase filling most of it).
func BenchmarkAxis(b *testing.B) {
	m := mask.Draw(2048, 2048, func(x, y float64) bool {
		return y > 100 && y < 1950 && math.Abs(x-1024) < 500+300*math.Sin(y/300)
	})
	b.ReportAllocs()
	for b.Loop() {
		Axis(m)
	}
}
