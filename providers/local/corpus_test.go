package local

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/kiln3d/kiln/providers/modeltest"
)

// corpusDir holds real cut-out photos beside the repository (see shared/corpus/MANIFEST.md). It is
// not part of the project: a clone without it skips the test.
const corpusDir = "../../../shared/corpus/images"

// TestCorpus runs every corpus image at the default polycount: the model must be closed, valid
// and match the object's silhouette, holes included (the tractor wheel's hub opening).
func TestCorpus(t *testing.T) {
	images, err := filepath.Glob(filepath.Join(corpusDir, "*"))
	if err != nil || len(images) == 0 {
		if _, statErr := os.Stat(corpusDir); statErr != nil {
			t.Skipf("no corpus at %s (it lives beside the repository, not in it)", corpusDir)
		}
		t.Skipf("the corpus at %s holds no images", corpusDir)
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
