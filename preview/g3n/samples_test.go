package g3n

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"github.com/kiln3d/kiln/preview"
)

// TestWriteSamples writes frames of every view, mode and background into the folder
// $KILN_SAMPLES, for a person to look at; without it the test does nothing.
func TestWriteSamples(t *testing.T) {
	dir := os.Getenv("KILN_SAMPLES")
	if dir == "" {
		t.Skip("set KILN_SAMPLES to a folder to write sample frames there")
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	r := newRenderer(t, 4)
	models := map[string]string{"textured": texturedCube(t), "lshape": lShapeModel(t)}
	if m := os.Getenv("KILN_SAMPLE_MODEL"); m != "" {
		models = map[string]string{filepath.Base(m): m}
	}
	for name, path := range models {
		load(t, r, path)
		for _, bg := range []preview.Background{preview.Dark, preview.Light} {
			for _, mode := range []preview.Mode{preview.Shaded, preview.Clay, preview.Wireframe} {
				views := map[string]preview.View{"default": preview.DefaultView()}
				for _, p := range preview.Presets() {
					views[string(p)] = preview.DefaultView().WithPreset(p)
				}
				for vn, v := range views {
					v.Mode, v.Background = mode, bg
					img, err := r.Render(context.Background(), 384, 384, v)
					if err != nil {
						t.Fatal(err)
					}
					out := filepath.Join(dir, fmt.Sprintf("%s-%s-%s-%s.png", name, vn, mode, bg))
					if err := preview.WritePNG(out, img); err != nil {
						t.Fatal(err)
					}
				}
			}
		}
	}
}
