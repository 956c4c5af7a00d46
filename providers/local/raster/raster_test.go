package raster

import (
	"context"
	"image"
	"image/color"
	"testing"
)

func TestFitSide(t *testing.T) {
	for _, c := range []struct{ w, h, max, ww, wh int }{
		{100, 50, 2048, 100, 50},
		{4096, 2048, 2048, 2048, 1024},
		{3000, 8192, 2048, 750, 2048},
		{8192, 1, 2048, 2048, 1},
	} {
		if w, h := FitSide(c.w, c.h, c.max); w != c.ww || h != c.wh {
			t.Errorf("FitSide(%d, %d, %d) = %d, %d; want %d, %d", c.w, c.h, c.max, w, h, c.ww, c.wh)
		}
	}
}

// TestShrinkAveragesByArea: halving a 2×2 checker of opaque black and white gives mid grey, and
// transparent pixels do not darken their opaque neighbours' colour.
func TestShrinkAveragesByArea(t *testing.T) {
	src := image.NewNRGBA(image.Rect(0, 0, 4, 2))
	src.SetNRGBA(0, 0, color.NRGBA{255, 255, 255, 255})
	src.SetNRGBA(1, 1, color.NRGBA{255, 255, 255, 255})
	src.SetNRGBA(0, 1, color.NRGBA{0, 0, 0, 255})
	src.SetNRGBA(1, 0, color.NRGBA{0, 0, 0, 255})
	src.SetNRGBA(2, 0, color.NRGBA{200, 100, 50, 255}) // one opaque pixel among transparent ones
	dst, err := Shrink(context.Background(), src, 2, 1)
	if err != nil {
		t.Fatal(err)
	}
	if c := dst.NRGBAAt(0, 0); c.R < 126 || c.R > 129 || c.A != 255 {
		t.Errorf("checker averages to %v, want mid grey", c)
	}
	if c := dst.NRGBAAt(1, 0); c != (color.NRGBA{200, 100, 50, 64}) {
		t.Errorf("quarter-covered pixel is %v, want its colour at a quarter opacity", c)
	}
}

// TestNRGBAUnpremultiplies: a premultiplied RGBA image converts to straight colour.
func TestNRGBAUnpremultiplies(t *testing.T) {
	src := image.NewRGBA(image.Rect(5, 5, 7, 6))
	src.SetRGBA(5, 5, color.RGBA{50, 25, 0, 100})
	got := NRGBA(src)
	if got.Bounds() != image.Rect(0, 0, 2, 1) {
		t.Errorf("bounds %v", got.Bounds())
	}
	if c := got.NRGBAAt(0, 0); c != (color.NRGBA{128, 64, 0, 100}) {
		t.Errorf("colour %v", c)
	}
}

func TestWorkingShrinksLargeImages(t *testing.T) {
	src := image.NewGray(image.Rect(0, 0, 3000, 100))
	got, err := Working(context.Background(), src, 2048)
	if err != nil {
		t.Fatal(err)
	}
	if got.Bounds().Dx() != 2048 || got.Bounds().Dy() != 68 {
		t.Errorf("working size %v", got.Bounds().Size())
	}
}
