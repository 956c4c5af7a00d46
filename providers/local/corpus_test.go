package local

import (
	"path/filepath"
	"testing"

	"github.com/kiln3d/kiln/providers/modeltest"
)

// TestCorpus runs every corpus image at the default polycount, in the Round shape and in the one
// Auto picks: the model must be closed, valid and match the object's silhouette, holes included
// (the tractor wheel's hub opening).
func TestCorpus(t *testing.T) {
	corpusDir := modeltest.CorpusDir(t, "images")
	images, err := filepath.Glob(filepath.Join(corpusDir, "*"))
	if err != nil || len(images) == 0 {
		t.Fatalf("the corpus at %s holds no images", corpusDir)
	}
	const target = 20000
	var models []string
	for _, img := range images {
		// Models go in the parent's directory so that they outlive the subtest for Validate.
		dir, autoDir := t.TempDir(), t.TempDir()
		t.Run(filepath.Base(img), func(t *testing.T) {
			path := collectIn(t, dir, target, img)
			checkModel(t, path, img, target, 0.95)
			models = append(models, path)
		})
		// And in the shape Auto picks for it.
		t.Run(filepath.Base(img)+"/auto", func(t *testing.T) {
			path := collectShape(t, autoDir, target, ShapeAuto, img)
			checkShape(t, path, img, target, 0.95, false)
			models = append(models, path)
		})
	}
	modeltest.Validate(t, models...)
}
