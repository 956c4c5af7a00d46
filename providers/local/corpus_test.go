package local

import (
	"path/filepath"
	"testing"

	"github.com/kiln3d/kiln/providers/modeltest"
)

// TestCorpus runs every corpus image at the default polycount: the model must be closed, valid
// and match the object's silhouette, holes included (the tractor wheel's hub opening).
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
		dir := t.TempDir()
		t.Run(filepath.Base(img), func(t *testing.T) {
			path := collectIn(t, dir, target, img)
			checkModel(t, path, img, target, 0.95)
			models = append(models, path)
		})
	}
	modeltest.Validate(t, models...)
}
