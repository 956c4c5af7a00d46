package flat

import (
	"context"
	"image"
	"image/color"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/kiln3d/kiln/providers/imageio"
	"github.com/kiln3d/kiln/providers/local/field"
	"github.com/kiln3d/kiln/providers/local/mask"
	"github.com/kiln3d/kiln/providers/local/raster"
	"github.com/kiln3d/kiln/providers/modeltest"
)

// judge runs Suits on img as the pipeline would: the mask found the usual way, its field.
func judge(t *testing.T, img *image.NRGBA) (bool, string) {
	t.Helper()
	ctx := context.Background()
	m, _, err := mask.Extract(ctx, img)
	if err != nil {
		t.Fatal(err)
	}
	f, err := field.NewDistance(ctx, m, 3)
	if err != nil {
		t.Fatal(err)
	}
	return Suits(img, m, f)
}

// paint makes a w×h transparent image and colours each pixel for which c gives an opaque colour.
func paint(w, h int, c func(x, y int) color.NRGBA) *image.NRGBA {
	img := image.NewNRGBA(image.Rect(0, 0, w, h))
	for y := 0; y < h; y++ {
		for x := 0; x < w; x++ {
			img.SetNRGBA(x, y, c(x, y))
		}
	}
	return img
}

// sprite is pixel art: a 16×16 drawing in four colours, each pixel a block of 12, hard-edged.
func sprite() *image.NRGBA {
	palette := []color.NRGBA{{200, 40, 40, 255}, {250, 220, 180, 255}, {40, 40, 160, 255}, {20, 20, 20, 255}}
	return paint(192, 192, func(x, y int) color.NRGBA {
		i, j := x/12, y/12
		if math.Hypot(float64(i)-7.5, float64(j)-7.5) > 7 {
			return color.NRGBA{}
		}
		return palette[(i*3+j*5)%len(palette)]
	})
}

// logo is a two-colour badge with an antialiased outline: flat colours, soft edges.
func logo() *image.NRGBA {
	return paint(300, 200, func(x, y int) color.NRGBA {
		u, v := (float64(x)+0.5-150)/140, (float64(y)+0.5-100)/90
		r := math.Hypot(u, v)
		a := math.Max(0, math.Min(1, (1-r)*90))
		if a == 0 {
			return color.NRGBA{}
		}
		if r < 0.6 && math.Abs(u) < 0.3 {
			return color.NRGBA{250, 250, 250, uint8(255 * a)}
		}
		return color.NRGBA{20, 90, 200, uint8(255 * a)}
	})
}

// shaded is a photographed-looking ball: smooth shading, noise, an antialiased outline.
func shaded(w, h int, rx, ry float64) *image.NRGBA {
	rng := rand.New(rand.NewPCG(3, 4))
	return paint(w, h, func(x, y int) color.NRGBA {
		u, v := (float64(x)+0.5-float64(w)/2)/rx, (float64(y)+0.5-float64(h)/2)/ry
		r := math.Hypot(u, v)
		a := math.Max(0, math.Min(1, (1-r)*rx))
		if a == 0 {
			return color.NRGBA{}
		}
		l := 0.4 + 0.6*math.Sqrt(math.Max(0, 1-r*r))
		n := rng.Float64() * 12
		return color.NRGBA{uint8(180*l + n), uint8(120*l + n), uint8(60*l + n), uint8(255 * a)}
	})
}

func TestSuits(t *testing.T) {
	for _, c := range []struct {
		name string
		img  *image.NRGBA
		want bool
		says string
	}{
		{"pixel art", sprite(), true, "pixel art"},
		{"a logo", logo(), true, "logo"},
		{"a shaded ball", shaded(200, 200, 90, 90), false, "solid"},
		{"a shaded egg", shaded(200, 300, 60, 140), false, "solid"},
		{"a thin shaded rod", shaded(40, 400, 4, 190), true, "thin"},
	} {
		ok, why := judge(t, c.img)
		if ok != c.want || !strings.Contains(why, c.says) {
			t.Errorf("%s: Suits = %v, %q; want %v and a reason saying %q", c.name, ok, why, c.want, c.says)
		}
	}
	if ok, why := Suits(nil, mask.New(3, 3), nil); ok || why == "" {
		t.Errorf("nothing to judge: %v, %q", ok, why)
	}
}

// TestSuitsCorpus checks that none of the corpus's objects, all photographed solids, is judged
// flat, and logs the measures the thresholds were chosen from.
func TestSuitsCorpus(t *testing.T) {
	dir := modeltest.CorpusDir(t, "images")
	files, err := filepath.Glob(filepath.Join(dir, "*"))
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	for _, p := range files {
		if _, err := os.Stat(p); err != nil {
			continue
		}
		src, _, err := imageio.Decode(p)
		if err != nil {
			t.Fatalf("%s: %v", p, err)
		}
		img, err := raster.Working(ctx, src, 2048)
		if err != nil {
			t.Fatal(err)
		}
		m, _, err := mask.Extract(ctx, img)
		if err != nil {
			t.Fatal(err)
		}
		f, err := field.NewDistance(ctx, m, 3)
		if err != nil {
			t.Fatal(err)
		}
		box := m.Bounds()
		t.Logf("%s: across %.3f, palette %.3f, hard edges %v", filepath.Base(p),
			2*f.MaxDist/float64(max(box.Dx(), box.Dy())), paletteCover(img, m, box), hardEdges(img, m, box))
		if ok, why := Suits(img, m, f); ok {
			t.Errorf("%s is judged flat: %s", filepath.Base(p), why)
		}
	}
}
