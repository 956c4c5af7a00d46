package local

import (
	"path/filepath"
	"testing"
)

// A WebP reference image (with alpha) makes a model like a PNG does.
func TestWebPInput(t *testing.T) {
	img := filepath.Join("..", "imageio", "testdata", "mushroom.webp")
	path := collect(t, 2000, img)
	checkModel(t, path, img, 2000, 0.93)
}
