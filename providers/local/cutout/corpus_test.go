package cutout

import (
	"bytes"
	"context"
	"image"
	"image/color"
	"image/jpeg"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/kiln3d/kiln/providers/imageio"
	"github.com/kiln3d/kiln/providers/local/mask"
	"github.com/kiln3d/kiln/providers/local/raster"
	"github.com/kiln3d/kiln/providers/modeltest"
)

// corpusImage decodes one of the corpus's images.
func corpusImage(t testing.TB, path string) *image.NRGBA {
	t.Helper()
	img, _, err := imageio.Decode(path)
	if err != nil {
		t.Fatal(err)
	}
	return raster.NRGBA(img)
}

// cutouts lists the corpus's transparent PNGs: objects whose alpha is the truth.
func cutouts(t testing.TB, dir string) []string {
	t.Helper()
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var paths []string
	for _, e := range entries {
		if strings.HasSuffix(e.Name(), ".png") && !strings.HasPrefix(e.Name(), "DERIVED") {
			paths = append(paths, filepath.Join(dir, e.Name()))
		}
	}
	return paths
}

// backdrop draws a cluttered w×h background of the given kind: the photographs an artist takes
// on a table or a shelf rather than on a studio sweep.
func backdrop(kind string, w, h int, other *image.NRGBA, rng *rand.Rand) *image.NRGBA {
	bg := image.NewNRGBA(image.Rect(0, 0, w, h))
	set := func(x, y int, r, g, b float64) {
		c := func(v float64) uint8 { return uint8(max(0, min(255, v))) }
		bg.SetNRGBA(x, y, color.NRGBA{c(r), c(g), c(b), 255})
	}
	switch kind {
	case "gradient":
		// A diagonal blend between two colours, as a wall under a lamp.
		for y := range h {
			for x := range w {
				f := (float64(x)/float64(w) + float64(y)/float64(h)) / 2
				set(x, y, 40+180*f, 90+60*f, 170-120*f)
			}
		}
	case "noise":
		// Blotchy texture (a coarse random grid, smoothly interpolated) with fine grain: cloth,
		// stone, wood.
		const cell = 24
		gw, gh := w/cell+2, h/cell+2
		grid := make([][3]float64, gw*gh)
		for i := range grid {
			grid[i] = [3]float64{60 + 150*rng.Float64(), 60 + 150*rng.Float64(), 60 + 150*rng.Float64()}
		}
		for y := range h {
			for x := range w {
				gx, gy := float64(x)/cell, float64(y)/cell
				x0, y0 := int(gx), int(gy)
				fx, fy := gx-float64(x0), gy-float64(y0)
				var c [3]float64
				for k := range 3 {
					top := grid[y0*gw+x0][k]*(1-fx) + grid[y0*gw+x0+1][k]*fx
					bot := grid[(y0+1)*gw+x0][k]*(1-fx) + grid[(y0+1)*gw+x0+1][k]*fx
					c[k] = top*(1-fy) + bot*fy + 30*(rng.Float64()-0.5)
				}
				set(x, y, c[0], c[1], c[2])
			}
		}
	case "checker":
		// A tiled floor: two colours in 20-pixel squares.
		for y := range h {
			for x := range w {
				if (x/20+y/20)%2 == 0 {
					set(x, y, 225, 215, 190)
				} else {
					set(x, y, 70, 80, 95)
				}
			}
		}
	case "clutter":
		// Other objects of the corpus strewn over a grey-brown table, some overlapping.
		for y := range h {
			for x := range w {
				set(x, y, 150+20*math.Sin(float64(x)/17), 130, 110)
			}
		}
		ow, oh := other.Bounds().Dx(), other.Bounds().Dy()
		for range 6 {
			s := 0.3 + 0.3*rng.Float64()
			dw, dh := max(1, int(float64(ow)*s)), max(1, int(float64(oh)*s))
			x0, y0 := rng.IntN(max(1, w-dw/2))-dw/4, rng.IntN(max(1, h-dh/2))-dh/4
			for y := range dh {
				for x := range dw {
					px, py := x0+x, y0+y
					if px < 0 || py < 0 || px >= w || py >= h {
						continue
					}
					c := other.NRGBAAt(x*ow/dw, y*oh/dh)
					if c.A >= 128 {
						bg.SetNRGBA(px, py, color.NRGBA{c.R, c.G, c.B, 255})
					}
				}
			}
		}
	}
	return bg
}

// composite lays obj over bg with a margin around it, blending its soft edge, and saves the
// result as a JPEG (as a camera would) before decoding it again. It returns the photo and the
// truth: obj's alpha at least half, where it lies in the photo.
func composite(t testing.TB, obj *image.NRGBA, kind string, other *image.NRGBA, rng *rand.Rand) (*image.NRGBA, *mask.Mask) {
	ow, oh := obj.Bounds().Dx(), obj.Bounds().Dy()
	mx, my := ow/4, oh/4
	w, h := ow+2*mx, oh+2*my
	photo := backdrop(kind, w, h, other, rng)
	truth := mask.New(w, h)
	for y := range oh {
		for x := range ow {
			c := obj.NRGBAAt(x, y)
			a := float64(c.A) / 255
			p := photo.NRGBAAt(x+mx, y+my)
			mix := func(f, b uint8) uint8 { return uint8(a*float64(f) + (1-a)*float64(b) + 0.5) }
			photo.SetNRGBA(x+mx, y+my, color.NRGBA{mix(c.R, p.R), mix(c.G, p.G), mix(c.B, p.B), 255})
			truth.In[(y+my)*w+x+mx] = c.A >= 128
		}
	}
	var buf bytes.Buffer
	if err := jpeg.Encode(&buf, photo, &jpeg.Options{Quality: 90}); err != nil {
		t.Fatal(err)
	}
	back, err := jpeg.Decode(&buf)
	if err != nil {
		t.Fatal(err)
	}
	return raster.NRGBA(back), truth
}

// grownBox is the truth's bounding box grown by frac of its size on every side: the rectangle an
// artist drags around the object.
func grownBox(truth *mask.Mask, frac float64) image.Rectangle {
	b := truth.Bounds()
	dx, dy := int(math.Ceil(frac*float64(b.Dx()))), int(math.Ceil(frac*float64(b.Dy())))
	return b.Inset(-max(dx, dy)).Intersect(image.Rect(0, 0, truth.W, truth.H))
}

// measureCorpus cuts out the corpus's photo on white and composites of its transparent images on
// cluttered backgrounds (only those of the images and backgrounds named, all when nil), each
// automatically (the local generator's own guess) and with a rectangle 7.5% larger than the
// object on every side, and reports the IoU of each against the truth.
func measureCorpus(t testing.TB, only map[string]bool, report func(name, kind string, auto, rect float64)) {
	dir := modeltest.CorpusDir(t, "images")
	ctx := context.Background()
	asTool := func(m *mask.Mask) modeltest.Mask { return modeltest.Mask{W: m.W, H: m.H, In: m.In} }
	measure := func(name, kind string, photo *image.NRGBA, truth *mask.Mask) {
		auto, err := Auto(ctx, photo)
		if err != nil {
			t.Fatal(err)
		}
		rect, err := Cut(ctx, photo, grownBox(truth, 0.075), DefaultTolerance)
		if err != nil {
			t.Fatal(err)
		}
		report(name, kind, modeltest.IoU(asTool(auto), asTool(truth)), modeltest.IoU(asTool(rect), asTool(truth)))
	}
	if only == nil || only["photo"] {
		photo := corpusImage(t, filepath.Join(dir, "DERIVED_tux_Apricot_whole_on_white.jpg"))
		truth := mask.FromAlpha(corpusImage(t, filepath.Join(dir, "tux_Apricot_whole.png")))
		measure("apricot photo", "white", photo, truth)
	}
	paths := cutouts(t, dir)
	if len(paths) == 0 {
		t.Fatal("no transparent images in the corpus")
	}
	for i, p := range paths {
		for _, kind := range []string{"gradient", "noise", "checker", "clutter"} {
			if only != nil && !only[filepath.Base(p)+" "+kind] {
				continue
			}
			// A generator per case, so that a case draws the same backdrop whichever others run.
			rng := rand.New(rand.NewPCG(uint64(i), uint64(len(kind))))
			obj := corpusImage(t, p)
			other := corpusImage(t, paths[(i+1)%len(paths)])
			photo, truth := composite(t, obj, kind, other, rng)
			measure(filepath.Base(p), kind, photo, truth)
		}
	}
}

// TestCorpusCutOuts checks the first of BenchmarkCorpusCutOuts's cases, small enough for every run
// (a composite takes seconds more under -race): the photo on white.
func TestCorpusCutOuts(t *testing.T) {
	only := map[string]bool{"photo": true}
	measureCorpus(t, only, func(name, kind string, auto, rect float64) {
		t.Logf("%-24s %-8s auto IoU %.4f, rectangle IoU %.4f", name, kind, auto, rect)
		if rect < 0.95 {
			t.Errorf("%s on %s: rectangle IoU %.4f, want at least 0.95", name, kind, rect)
		}
	})
}

// BenchmarkCorpusCutOuts measures every case: each one's IoU is logged (go test -bench
// CorpusCutOuts -v), and the mean over the composites reported, automatic and with a rectangle
// (the target for the rectangle is 0.95).
func BenchmarkCorpusCutOuts(b *testing.B) {
	var autoSum, rectSum, worst float64
	n := 0
	for b.Loop() {
		autoSum, rectSum, worst, n = 0, 0, 1, 0
		measureCorpus(b, nil, func(name, kind string, auto, rect float64) {
			b.Logf("%-24s %-8s auto IoU %.4f, rectangle IoU %.4f", name, kind, auto, rect)
			if kind != "white" {
				autoSum, rectSum, worst = autoSum+auto, rectSum+rect, min(worst, rect)
				n++
			}
		})
	}
	b.ReportMetric(autoSum/float64(n), "autoIoU")
	b.ReportMetric(rectSum/float64(n), "rectIoU")
	b.ReportMetric(worst, "worstRectIoU")
	if rectSum/float64(n) < 0.95 {
		b.Errorf("mean rectangle IoU %.4f over the composites, want at least 0.95", rectSum/float64(n))
	}
}
