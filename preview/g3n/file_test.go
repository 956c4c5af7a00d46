package g3n

import (
	"context"
	"errors"
	"image"
	"image/draw"
	"image/png"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/kiln3d/kiln/preview"
	"github.com/kiln3d/kiln/preview/inspect"
	"github.com/kiln3d/kiln/providers/modeltest"
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

// A small file whose many meshes all read one large accessor is refused before the scene reads
// more than its budget; the same model with few meshes loads.
func TestSharedAccessorsAreBounded(t *testing.T) {
	const verts = 3000
	model := func(meshes int) string {
		p := filepath.Join(t.TempDir(), "shared.glb")
		if err := os.WriteFile(p, modeltest.SharedAccessorGLB(meshes, verts), 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	defer func(old int64) { maxDrawnElements = old }(maxDrawnElements)
	maxDrawnElements = 100 * verts
	if _, err := loadScene(context.Background(), model(10)); err != nil {
		t.Fatalf("10 meshes sharing one accessor: %v", err)
	}
	_, err := loadScene(context.Background(), model(400))
	var ie *inspect.Error
	if !errors.As(err, &ie) || !strings.Contains(err.Error(), "more than the") {
		t.Fatalf("400 meshes sharing one accessor: %v", err)
	}
}
