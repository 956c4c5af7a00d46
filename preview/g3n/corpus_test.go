package g3n

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/kiln3d/kiln/preview"
	"github.com/kiln3d/kiln/preview/inspect"
	"github.com/kiln3d/kiln/providers/modeltest"
)

// corpusModels lists the corpus's models: each .glb or .gltf file, and each folder's .gltf.
func corpusModels(t testing.TB, sub string) []string {
	t.Helper()
	dir := modeltest.CorpusDir(t, sub)
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, e := range entries {
		p := filepath.Join(dir, e.Name())
		if e.IsDir() {
			found, _ := filepath.Glob(filepath.Join(p, "*.gltf"))
			out = append(out, found...)
			continue
		}
		if ext := strings.ToLower(filepath.Ext(p)); ext == ".glb" || ext == ".gltf" {
			out = append(out, p)
		}
	}
	if len(out) == 0 {
		t.Fatalf("no models in %s", dir)
	}
	return out
}

// TestCorpusModelsRender: every corpus model draws a frame with the model in it, except the
// Draco-compressed one, which is refused with inspect's message.
func TestCorpusModelsRender(t *testing.T) {
	models := corpusModels(t, "models")
	r := newRenderer(t, 0)
	for _, path := range models {
		name := filepath.Base(filepath.Dir(path)) + "/" + filepath.Base(path)
		t.Run(name, func(t *testing.T) {
			rep, err := r.Load(context.Background(), path)
			if strings.Contains(name, "DRACO") {
				if err == nil || !strings.Contains(err.Error(), "Draco-compressed: can't preview") {
					t.Fatalf("a Draco model: %v, want inspect's refusal", err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if rep == nil || rep.Triangles == 0 {
				t.Fatalf("report %+v", rep)
			}
			for _, bg := range []preview.Background{preview.Dark, preview.Light} {
				img := frame(t, r, 192, preview.View{Background: bg}.WithPreset(preview.Iso))
				drawn := count(objectMask(img, bgColour(bg), 24))
				// Framed on its bounding sphere, any real model covers a good share.
				if drawn < 192*192/50 {
					keep(t, "corpus-"+filepath.Base(path)+"-"+bg.String(), img)
					t.Errorf("%s background: only %d pixels differ from it", bg, drawn)
				}
			}
		})
	}
}

// TestCorpusInvalidRefused: every malformed corpus file gets an error naming the file and
// saying what is wrong; none crashes the renderer, which still draws afterwards.
func TestCorpusInvalidRefused(t *testing.T) {
	files := corpusModels(t, "invalid")
	r := newRenderer(t, 0)
	for _, path := range files {
		_, err := r.Load(context.Background(), path)
		if err == nil {
			t.Errorf("%s: loaded", filepath.Base(path))
			continue
		}
		var ie *inspect.Error
		if !errors.As(err, &ie) || !strings.Contains(err.Error(), filepath.Base(path)) || len(ie.Reason) < 10 {
			t.Errorf("%s: %q is not a clear refusal", filepath.Base(path), err)
		}
		t.Logf("%s", err)
	}
	if _, err := r.Render(context.Background(), 16, 16, preview.View{}); err != nil {
		t.Errorf("after the refusals: %v", err)
	}
}

// TestLoadErrors: files that are not models, or missing, fail with an error.
func TestLoadErrors(t *testing.T) {
	r := newRenderer(t, 0)
	dir := t.TempDir()
	junk := filepath.Join(dir, "junk.glb")
	if err := os.WriteFile(junk, []byte("not a model at all"), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, p := range []string{junk, filepath.Join(dir, "missing.glb")} {
		if _, err := r.Load(context.Background(), p); err == nil {
			t.Errorf("%s loaded", filepath.Base(p))
		}
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := r.Load(ctx, lShapeModel(t)); !errors.Is(err, context.Canceled) {
		t.Errorf("a cancelled load: %v", err)
	}
}
