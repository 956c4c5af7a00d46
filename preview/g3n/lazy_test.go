package g3n

import (
	"context"
	"image/png"
	"os"
	"path/filepath"
	"testing"
)

func TestLazyRendersOnFirstUseAndReuses(t *testing.T) {
	l := NewLazy(Options{})
	if err := l.Close(); err != nil {
		t.Fatalf("closing an unused lazy renderer: %v", err)
	}
	l = NewLazy(Options{})
	defer l.Close()
	model := lShapeModel(t)
	for i, name := range []string{"a.png", "b.png"} {
		out := filepath.Join(t.TempDir(), name)
		if err := l.RenderFile(context.Background(), model, out, RenderOptions{Size: 64}); err != nil {
			t.Fatalf("render %d: %v", i, err)
		}
		f, err := os.Open(out)
		if err != nil {
			t.Fatal(err)
		}
		img, err := png.Decode(f)
		f.Close()
		if err != nil || img.Bounds().Dx() != 64 {
			t.Fatalf("render %d: %v", i, err)
		}
	}
	if l.r == nil {
		t.Fatal("no renderer kept for reuse")
	}
}
