package local

import (
	"context"
	"image"
	"image/color"
	"math"
	"testing"

	"github.com/kiln3d/kiln/providers"
)

// benchImage is a deterministic 1024×1024 RGBA cut-out: an irregular blob with a hole, a soft
// edge and texture detail at several scales (so the PNG and JPEG codecs do real work).
func benchImage() *image.NRGBA {
	const size = 1024
	shape := blob(512, 512, 440, true)
	img := drawRGBA(size, size, shape)
	for y := 0; y < size; y++ {
		for x := 0; x < size; x++ {
			i := img.PixOffset(x, y)
			if img.Pix[i+3] == 0 {
				continue
			}
			fx, fy := float64(x), float64(y)
			v := 0.5 + 0.25*math.Sin(fx/7)*math.Cos(fy/11) + 0.25*math.Sin((fx+2*fy)/53)
			c := color.NRGBA{uint8(60 + 180*v), uint8(40 + 120*(1-v)), uint8((x*7 + y*13) % 256), img.Pix[i+3]}
			img.SetNRGBA(x, y, c)
		}
	}
	return img
}

// BenchmarkGenerate1024 measures one whole job, Submit and Collect, on a 1024² image at the
// default 20,000 triangles.
func BenchmarkGenerate1024(b *testing.B) {
	dir := b.TempDir()
	path := writePNG(b, dir, "blob.png", benchImage())
	req := providers.Request{Images: []providers.Image{{Path: path}}, Polycount: 20000}
	benchJob(b, req)
}

// BenchmarkGenerateFourViews measures one whole carving job, Submit and Collect, on four 512²
// views of a mug (front, left, back and top) at the default 20,000 triangles.
func BenchmarkGenerateFourViews(b *testing.B) {
	sizes := map[string][2]int{"front": {512, 512}, "left": {512, 512}, "back": {512, 512}, "top": {512, 512}}
	images := drawViews(b, b.TempDir(), "mug", mug(), sizes)
	req := providers.Request{Images: images, Polycount: 20000}
	benchJob(b, req)
}

// benchJob measures req as one whole job, Submit and Collect, again and again.
func benchJob(b *testing.B, req providers.Request) {
	b.Helper()
	p := New()
	ctx := context.Background()
	out := b.TempDir()
	b.ReportAllocs()
	for b.Loop() {
		r, err := p.Submit(ctx, req)
		if err != nil {
			b.Fatal(err)
		}
		if _, err := p.Collect(ctx, req, r, out, nil); err != nil {
			b.Fatal(err)
		}
	}
}
