package g3n

import (
	"context"
	"image"
	"image/draw"
	"image/png"
	"os"
	"path/filepath"
	"testing"

	"github.com/kiln3d/kiln/preview"
)

// TestRenderFile: the one-shot render (headless, supersampled) writes a PNG of the asked
// size showing the right silhouette; a model that fails leaves no file behind.
func TestRenderFile(t *testing.T) {
	doc := newDoc()
	finish(doc, writeBoxes(doc, lShape(), meshOptions{}), unlitMaterial(doc, 1, 1, 1))
	model := save(t, doc, "lshape.glb")
	dir := t.TempDir()
	out := filepath.Join(dir, "front.png")
	if err := RenderFile(context.Background(), model, out, RenderOptions{Size: 200, View: preview.Front}); err != nil {
		t.Fatal(err)
	}
	f, err := os.Open(out)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	img, err := png.Decode(f)
	if err != nil {
		t.Fatal(err)
	}
	if img.Bounds().Dx() != 200 || img.Bounds().Dy() != 200 {
		t.Fatalf("a %v image for Size 200", img.Bounds())
	}
	rgba := image.NewRGBA(img.Bounds())
	draw.Draw(rgba, rgba.Bounds(), img, image.Point{}, draw.Src)
	score := iou(objectMask(rgba, bgColour(preview.Dark), 3*(255-41)/2), analyticMask(lShape(), presetAxes[preview.Front], 200))
	if score < 0.95 {
		keep(t, "renderfile", rgba)
		t.Errorf("IoU %.3f against the front silhouette", score)
	}

	bad := filepath.Join(dir, "bad.png")
	if err := RenderFile(context.Background(), filepath.Join(dir, "missing.glb"), bad, RenderOptions{}); err == nil {
		t.Error("a missing model rendered")
	}
	entries, _ := os.ReadDir(dir)
	if len(entries) != 1 {
		t.Errorf("%d files after one good render and one failure", len(entries))
	}
}
