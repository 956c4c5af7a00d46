package app

import (
	"context"
	"errors"
	"image"
	"image/png"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/kiln3d/kiln/providers"
	"github.com/kiln3d/kiln/providers/modeltest"
	"github.com/kiln3d/kiln/providers/providertest"
)

// writePhoto writes an opaque PNG: a red disc on a white backdrop with a blue square in its top
// left corner, and returns its path.
func writePhoto(t *testing.T, dir string) string {
	t.Helper()
	return modeltest.WriteImage(t, dir, "photo.png", modeltest.DiscPhoto())
}

func TestCutOut(t *testing.T) {
	path := writePhoto(t, t.TempDir())
	ctx := context.Background()
	opaque := func(img *image.NRGBA, x, y int) bool { return img.NRGBAAt(x, y).A == 255 }

	// Without a rectangle the backdrop is keyed out: the disc and the square are both objects.
	auto, err := CutOut(ctx, path, CutOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if auto.Bounds() != image.Rect(0, 0, 120, 100) {
		t.Fatalf("cut-out of %v, want the image's size", auto.Bounds())
	}
	if !opaque(auto, 70, 55) || !opaque(auto, 10, 10) || opaque(auto, 110, 90) {
		t.Error("the automatic cut-out should hold the disc and the square and not the backdrop")
	}
	if got := auto.NRGBAAt(70, 55); got.R != 200 || got.G != 40 {
		t.Errorf("the object's colour is %v, want the image's", got)
	}
	for _, a := range []uint8{auto.Pix[3], auto.Pix[4*(55*120+70)+3]} {
		if a != 0 && a != 255 {
			t.Fatalf("alpha %d, want 0 or 255", a)
		}
	}

	// A rectangle around the disc leaves the square out.
	rect, err := CutOut(ctx, path, CutOptions{Rect: image.Rect(35, 20, 105, 90)})
	if err != nil {
		t.Fatal(err)
	}
	if !opaque(rect, 70, 55) || opaque(rect, 10, 10) || opaque(rect, 38, 23) {
		t.Error("the rectangle's cut-out should hold the disc alone")
	}

	var ie *providers.InputError
	_, err = CutOut(ctx, path, CutOptions{Rect: image.Rect(200, 200, 250, 250)})
	if !errors.As(err, &ie) || !strings.Contains(err.Error(), "outside the 120×100 image") {
		t.Errorf("a rectangle outside the image: %v", err)
	}
	_, err = CutOut(ctx, path, CutOptions{Rect: image.Rect(100, 80, 118, 98)})
	if !errors.As(err, &ie) || !strings.Contains(err.Error(), "stands out") {
		t.Errorf("a rectangle over the backdrop alone: %v", err)
	}
	_, err = CutOut(ctx, path, CutOptions{Rect: image.Rect(100, 90, 101, 91)})
	if !errors.As(err, &ie) || !strings.Contains(err.Error(), "1×1 pixels, too small") {
		t.Errorf("a one-pixel rectangle: %v", err)
	}
	if _, err = CutOut(ctx, path, CutOptions{Tolerance: 2}); !errors.As(err, &ie) {
		t.Errorf("tolerance 2: %v", err)
	}
	notImage := filepath.Join(t.TempDir(), "notes.png")
	if err := os.WriteFile(notImage, []byte("hello"), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err = CutOut(ctx, notImage, CutOptions{}); !errors.As(err, &ie) {
		t.Errorf("a file that is not an image: %v", err)
	}
	cancelled, cancel := context.WithCancel(ctx)
	cancel()
	if _, err = CutOut(cancelled, path, CutOptions{Rect: image.Rect(35, 20, 105, 90)}); !errors.Is(err, context.Canceled) {
		t.Errorf("cancelled: %v", err)
	}
}

func TestSaveCutOut(t *testing.T) {
	home := t.TempDir()
	k := openKiln(t, home, QueueOptions{}, providertest.NewFake("fake"))
	defer k.Close()
	img, err := CutOut(context.Background(), writePhoto(t, t.TempDir()), CutOptions{})
	if err != nil {
		t.Fatal(err)
	}
	p1, err := k.SaveCutOut(img)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(p1, filepath.Join(home, "cache", "cutouts")+string(filepath.Separator)) {
		t.Errorf("saved at %s, want under the cache", p1)
	}
	f, err := os.Open(p1)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	back, err := png.Decode(f)
	if err != nil {
		t.Fatal(err)
	}
	if back.Bounds() != img.Bounds() {
		t.Fatalf("read back %v, wrote %v", back.Bounds(), img.Bounds())
	}
	if _, _, _, a := back.At(70, 55).RGBA(); a != 0xffff {
		t.Error("the object is not opaque in the saved cut-out")
	}
	if _, _, _, a := back.At(110, 90).RGBA(); a != 0 {
		t.Error("the backdrop is not transparent in the saved cut-out")
	}
	// The same cut-out is one file; another is another.
	if p2, err := k.SaveCutOut(img); err != nil || p2 != p1 {
		t.Errorf("saved again at %s (%v), want %s", p2, err, p1)
	}
	img.Pix[3] = 255
	if p3, err := k.SaveCutOut(img); err != nil || p3 == p1 {
		t.Errorf("a different cut-out saved at %s (%v)", p3, err)
	}
	if _, err := k.SaveCutOut(nil); err == nil {
		t.Error("a nil cut-out was saved")
	}
}
