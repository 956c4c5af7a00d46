package providertest

import (
	"image"
	"image/png"
	"os"
	"path/filepath"
	"testing"
)

func TestFakeConforms(t *testing.T) {
	path := filepath.Join(t.TempDir(), "dot.png")
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	png.Encode(f, image.NewNRGBA(image.Rect(0, 0, 4, 4)))
	f.Close()
	Run(t, NewFake("fake"), path)
}
