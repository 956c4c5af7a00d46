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

// TestAtlasPlacesAndScales: two crops side by side, shrunk together to fit, and UVs that land on
// each crop's own pixels.
func TestAtlasPlacesAndScales(t *testing.T) {
	a := image.NewRGBA(image.Rect(0, 0, 300, 200))
	b := image.NewRGBA(image.Rect(0, 0, 100, 100))
	for i := range a.Pix {
		a.Pix[i] = 255
	}
	srcA, srcB := image.Rect(50, 50, 350, 250), image.Rect(0, 10, 100, 110)
	atlas, places, err := Atlas(context.Background(), []*image.RGBA{a, b}, []image.Rectangle{srcA, srcB}, 200)
	if err != nil {
		t.Fatal(err)
	}
	if atlas.Bounds().Dx() > 200 || atlas.Bounds().Dy() > 200 {
		t.Errorf("atlas %v, want at most 200 a side", atlas.Bounds().Size())
	}
	if uv := places[0].UV(50, 50); uv != [2]float32{0, 0} {
		t.Errorf("A's top-left at %v", uv)
	}
	if uv := places[1].UV(100, 110); uv != [2]float32{1, float32(places[1].Dst.Dy()) / float32(atlas.Bounds().Dy())} {
		t.Errorf("B's bottom-right at %v", uv)
	}
	mid := places[0].UV(200, 150)
	x, y := int(mid[0]*float32(atlas.Bounds().Dx())), int(mid[1]*float32(atlas.Bounds().Dy()))
	if c := atlas.RGBAAt(x, y); c.R != 255 {
		t.Errorf("A's middle maps to %v in the atlas", c)
	}
	// Below B's bottom the rows repeat B's last row (black here), not A's white.
	if c := atlas.RGBAAt(places[1].Dst.Min.X+5, atlas.Bounds().Dy()-1); c.R != 0 || c.A != 0 {
		t.Errorf("padding under B is %v", c)
	}
}

func TestJPEG(t *testing.T) {
	data, err := JPEG(image.NewRGBA(image.Rect(0, 0, 16, 16)))
	if err != nil || len(data) < 4 || data[0] != 0xFF || data[1] != 0xD8 {
		t.Errorf("JPEG: %d bytes, %v", len(data), err)
	}
}
