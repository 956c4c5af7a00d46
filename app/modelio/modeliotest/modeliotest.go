// Package modeliotest makes the models export tests run on: one from the local provider (what a
// new artist exports first), and the shared corpus's real ones when it is there. Only tests
// import it.
package modeliotest

import (
	"context"
	"os"
	"path/filepath"
	"runtime"
	"sync"
	"testing"

	"github.com/kiln3d/kiln/providers"
	"github.com/kiln3d/kiln/providers/local"
	"github.com/kiln3d/kiln/providers/modeltest"
)

var (
	localOnce sync.Once
	localGLB  []byte
	localErr  error
)

// LocalModel writes, into a new temporary folder, the model the local provider makes of the
// vase sample at polycount triangles and a height of 30 cm, and returns its path. It is made once
// per test binary.
func LocalModel(t testing.TB) string {
	t.Helper()
	localOnce.Do(func() { localGLB, localErr = makeLocal() })
	if localErr != nil {
		t.Fatalf("the local provider: %v", localErr)
	}
	path := filepath.Join(t.TempDir(), "vase.glb")
	if err := os.WriteFile(path, localGLB, 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

const localPolycount = 6000

func makeLocal() ([]byte, error) {
	_, file, _, _ := runtime.Caller(0)
	root := filepath.Join(filepath.Dir(file), "..", "..", "..")
	req := providers.Request{
		Images:    []providers.Image{{Path: filepath.Join(root, "assets", "samples", "vase.png"), View: providers.ViewFront}},
		Polycount: localPolycount,
		Size:      providers.Dimensions{HeightCM: 30},
	}
	p := local.New()
	ctx := context.Background()
	r, err := p.Submit(ctx, req)
	if err != nil {
		return nil, err
	}
	dir, err := os.MkdirTemp("", "kiln-local-*")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(dir)
	files, err := p.Collect(ctx, req, r, dir, func(providers.Progress) {})
	if err != nil {
		return nil, err
	}
	path := files[0].Path
	if !filepath.IsAbs(path) {
		path = filepath.Join(dir, path)
	}
	return os.ReadFile(path)
}

// Corpus returns the path of a model of the shared corpus (e.g. "khronos_BoxTextured.glb"),
// skipping the test when the corpus is absent.
func Corpus(t testing.TB, name string) string {
	t.Helper()
	return filepath.Join(modeltest.CorpusDir(t, "models"), name)
}
