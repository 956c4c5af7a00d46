package rodin

import (
	"context"
	"errors"
	"path/filepath"
	"strings"
	"testing"

	"github.com/kiln3d/kiln/providers"
	"github.com/kiln3d/kiln/providers/providertest"
	"github.com/kiln3d/kiln/providers/rodin/rodintest"
)

// writeModel writes a valid glb to be textured.
func writeModel(t *testing.T, name string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), name)
	if err := providertest.WriteTetrahedron(path); err != nil {
		t.Fatal(err)
	}
	return path
}

// TestTextureOnly: a request with a Model goes to /rodin_texture_only with the first image and the
// model, and comes back as a model and a preview.
func TestTextureOnly(t *testing.T) {
	h := setup(t, nil)
	model := writeModel(t, "chair.glb")
	image := writePNG(t, "wood.png", 4)
	req := providers.Request{Images: []providers.Image{{Path: image}}, Model: model, Prompt: "oak, oiled",
		Options: map[string]string{OptionResolution: "High", OptionSeed: "7"}}
	remote := h.submit(req)
	if n := h.fake.Count(rodintest.RouteSubmit); n != 0 {
		t.Errorf("%d /rodin calls for a texturing request", n)
	}
	rec := h.lastSubmit(rodintest.RouteTextureOnly)
	imgs, models := rec.Files("image"), rec.Files("model")
	if len(imgs) != 1 || imgs[0].SHA256 != sha(t, image) || len(models) != 1 || models[0].SHA256 != sha(t, model) ||
		models[0].FileName != "chair.glb" {
		t.Errorf("sent images %+v and models %+v", imgs, models)
	}
	for field, want := range map[string]string{"prompt": "oak, oiled", "seed": "7", "material": "PBR", "resolution": "High", "geometry_file_format": "glb"} {
		if got := rec.Fields[field]; len(got) != 1 || got[0] != want {
			t.Errorf("%s = %q, want %q", field, got, want)
		}
	}
	for _, field := range []string{"tier", "mesh_mode", "quality_override", "TAPose"} {
		if _, ok := rec.Fields[field]; ok {
			t.Errorf("%s sent with a texturing request", field)
		}
	}
	files, _, err := h.collect(h.p, remote)
	if err != nil || len(files) == 0 || files[0].Format != "glb" {
		t.Fatalf("got %+v, %v", files, err)
	}
	if task, _ := h.fake.Task(remote.ID); task.Kind != rodintest.KindTextureOnly || task.Resolution != "High" {
		t.Errorf("task %+v", task)
	}
}

// TestTextureOnlyFailure speaks of texturing.
func TestTextureOnlyFailure(t *testing.T) {
	h := setup(t, nil)
	if err := h.fake.FailNext(rodintest.StatusFailed); err != nil {
		t.Fatal(err)
	}
	req := providers.Request{Images: []providers.Image{{Path: writePNG(t, "wood.png", 4)}}, Model: writeModel(t, "chair.glb")}
	_, _, err := h.collect(h.p, h.submit(req))
	if !errors.Is(err, providers.ErrGenerationFailed) || !strings.Contains(err.Error(), "could not texture") {
		t.Errorf("got %v", err)
	}
}

// TestTextureOnlyRefusals: what cannot be textured is refused before anything is sent.
func TestTextureOnlyRefusals(t *testing.T) {
	h := setup(t, nil)
	image := providers.Image{Path: writePNG(t, "wood.png", 4)}
	model := writeModel(t, "chair.glb")
	for name, c := range map[string]struct {
		req  providers.Request
		says string
	}{
		"an obj":        {providers.Request{Images: []providers.Image{image}, Model: writeFile(t, "chair.obj", []byte("v 0 0 0\n"))}, ".glb models only"},
		"not a glb":     {providers.Request{Images: []providers.Image{image}, Model: writeFile(t, "fake.glb", []byte("<html>hello</html>"))}, "not a binary glTF"},
		"a cut glb":     {providers.Request{Images: []providers.Image{image}, Model: writeFile(t, "cut.glb", []byte("glTF\x02\x00\x00\x00\xff\x00\x00\x00"))}, "cut.glb"},
		"a missing glb": {providers.Request{Images: []providers.Image{image}, Model: filepath.Join(t.TempDir(), "gone.glb")}, "gone.glb"},
		"two images":    {providers.Request{Images: []providers.Image{image, image}, Model: model}, "exactly one reference image"},
		"no image":      {providers.Request{Prompt: "oak", Model: model}, "exactly one reference image"},
		"a tier":        {providers.Request{Images: []providers.Image{image}, Model: model, Options: map[string]string{OptionTier: TierHigh}}, "no option"},
		"All materials": {providers.Request{Images: []providers.Image{image}, Model: model, Options: map[string]string{OptionMaterial: "All"}}, "not one of"},
		"not an image":  {providers.Request{Images: []providers.Image{{Path: writeFile(t, "notes.png", []byte("text"))}}, Model: model}, "notes.png"},
	} {
		_, err := h.p.Submit(context.Background(), c.req)
		if !errors.Is(err, providers.ErrInvalidInput) || !strings.Contains(err.Error(), c.says) {
			t.Errorf("%s: %v, want ErrInvalidInput saying %q", name, err, c.says)
		}
	}
	if n := h.fake.Count(rodintest.RouteTextureOnly); n != 0 {
		t.Errorf("%d refused requests reached Rodin", n)
	}
}
