package texture

import (
	"context"
	"image"
	"image/color"
	"testing"

	"github.com/kiln3d/kiln/providers/local/field"
	"github.com/kiln3d/kiln/providers/local/mask"
)

// TestPaddedFillsBackgroundWithNearestObjectColour: a red left half and a blue right half on a
// transparent ground; every background texel takes the colour of the object pixel nearest it.
func TestPaddedFillsBackgroundWithNearestObjectColour(t *testing.T) {
	img := image.NewNRGBA(image.Rect(0, 0, 40, 20))
	m := mask.New(40, 20)
	for y := 5; y < 15; y++ {
		for x := 10; x < 30; x++ {
			c := color.NRGBA{255, 0, 0, 255}
			if x >= 20 {
				c = color.NRGBA{0, 0, 255, 255}
			}
			img.SetNRGBA(x, y, c)
			m.In[y*40+x] = true
		}
	}
	f, err := field.NewNearest(context.Background(), m, 3)
	if err != nil {
		t.Fatal(err)
	}
	rect := image.Rect(8, 3, 32, 17)
	tex, err := Padded(context.Background(), img, f, rect)
	if err != nil {
		t.Fatal(err)
	}
	if tex.Bounds().Size() != rect.Size() {
		t.Fatalf("texture %v, want %v", tex.Bounds().Size(), rect.Size())
	}
	for y := 0; y < rect.Dy(); y++ {
		for x := 0; x < rect.Dx(); x++ {
			c := tex.RGBAAt(x, y)
			wantRed := rect.Min.X+x < 20
			if c.A != 255 || wantRed && c != (color.RGBA{255, 0, 0, 255}) || !wantRed && c != (color.RGBA{0, 0, 255, 255}) {
				t.Fatalf("texel (%d, %d) is %v", x, y, c)
			}
		}
	}
	if _, err := Padded(context.Background(), img, f, image.Rect(0, 0, 40, 20)); err == nil {
		t.Error("a crop outside the field was accepted")
	}
}

// TestAtlasPlacesAndScales: two crops packed without overlap, shrunk together to fit, and UVs
// that land on each crop's own pixels.
func TestAtlasPlacesAndScales(t *testing.T) {
	a := solid(300, 200, color.RGBA{255, 255, 255, 255})
	b := solid(100, 100, color.RGBA{0, 0, 255, 255})
	srcA, srcB := image.Rect(50, 50, 350, 250), image.Rect(0, 10, 100, 110)
	atlas, places, err := Atlas(context.Background(), []*image.RGBA{a, b}, []image.Rectangle{srcA, srcB}, 200)
	if err != nil {
		t.Fatal(err)
	}
	size := atlas.Bounds().Size()
	if size.X > 200 || size.Y > 200 {
		t.Errorf("atlas %v, want at most 200 a side", size)
	}
	if places[0].Dst.Overlaps(places[1].Dst) {
		t.Errorf("crops overlap: %v and %v", places[0].Dst, places[1].Dst)
	}
	if uv, want := places[0].UV(50, 50), corner(places[0].Dst.Min, size); uv != want {
		t.Errorf("A's top-left at %v, want %v", uv, want)
	}
	if uv, want := places[1].UV(100, 110), corner(places[1].Dst.Max, size); uv != want {
		t.Errorf("B's bottom-right at %v, want %v", uv, want)
	}
	for i, p := range places {
		src := []image.Rectangle{srcA, srcB}[i]
		mid := p.UV(float64(src.Min.X+src.Max.X)/2, float64(src.Min.Y+src.Max.Y)/2)
		x, y := int(mid[0]*float32(size.X)), int(mid[1]*float32(size.Y))
		if c, want := atlas.RGBAAt(x, y), []uint8{255, 0}[i]; c.R != want || c.B != 255 {
			t.Errorf("crop %d's middle maps to %v in the atlas", i, c)
		}
	}
}

// TestAtlasIsSquarish: five views' crops go in rows, not one long strip, so that they need no
// shrinking; texels beside and below a short crop repeat its edge.
func TestAtlasIsSquarish(t *testing.T) {
	var crops []*image.RGBA
	var srcs []image.Rectangle
	for i := 0; i < 5; i++ {
		crops = append(crops, solid(400, 300+20*i, color.RGBA{uint8(50 * i), 0, 0, 255}))
		srcs = append(srcs, crops[i].Rect)
	}
	atlas, places, err := Atlas(context.Background(), crops, srcs, 2048)
	if err != nil {
		t.Fatal(err)
	}
	size := atlas.Bounds().Size()
	if size.X > 1200 || size.Y > 1200 {
		t.Errorf("atlas %v for five 400-wide crops", size)
	}
	for i, p := range places {
		if p.Dst.Size() != crops[i].Rect.Size() {
			t.Errorf("crop %d was resized to %v", i, p.Dst.Size())
		}
		for j := 0; j < i; j++ {
			if p.Dst.Overlaps(places[j].Dst) {
				t.Errorf("crops %d and %d overlap", i, j)
			}
		}
	}
	// Under crop 0 (the shortest of its row) the texels repeat its colour.
	if c := atlas.RGBAAt(places[0].Dst.Min.X+5, places[0].Dst.Max.Y+5); c.A != 255 || c.R != 0 {
		t.Errorf("padding under crop 0 is %v", c)
	}
}

func solid(w, h int, c color.RGBA) *image.RGBA {
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	for y := 0; y < h; y++ {
		for x := 0; x < w; x++ {
			img.SetRGBA(x, y, c)
		}
	}
	return img
}

func corner(p image.Point, size image.Point) [2]float32 {
	return [2]float32{float32(p.X) / float32(size.X), float32(p.Y) / float32(size.Y)}
}

func TestJPEG(t *testing.T) {
	data, err := JPEG(image.NewRGBA(image.Rect(0, 0, 16, 16)))
	if err != nil || len(data) < 4 || data[0] != 0xFF || data[1] != 0xD8 {
		t.Errorf("JPEG: %d bytes, %v", len(data), err)
	}
}
