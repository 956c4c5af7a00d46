package threedverse

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/kiln3d/kiln/providers"
	"github.com/kiln3d/kiln/providers/modeltest"
	"github.com/kiln3d/kiln/providers/threedverse/threedversetest"
)

// refused checks that publishing files is refused as an input naming file, with nothing sent.
func refused(t *testing.T, h *harness, what, file string, files ...string) {
	t.Helper()
	pub := h.publication(files[0])
	pub.Files = files
	before := len(h.fake.Requests())
	r := publish(context.Background(), h.bound, pub, nil, nil)
	var input *providers.InputError
	if !errors.As(r.err, &input) || !strings.Contains(r.err.Error(), filepath.Base(file)) {
		t.Errorf("%s: %v, want a *providers.InputError naming %s", what, r.err, filepath.Base(file))
	}
	if n := len(h.fake.Requests()); n != before || len(r.handles) != 0 {
		t.Errorf("%s: %d requests sent, %d handles saved", what, n-before, len(r.handles))
	}
}

// TestFileChecks: every file is checked before anything is sent.
func TestFileChecks(t *testing.T) {
	h := setup(t, threedversetest.Options{})
	dir := t.TempDir()
	good := model(t, "chair.glb")
	missing := filepath.Join(dir, "gone.glb")
	refused(t, h, "a missing model", missing, missing)
	refused(t, h, "a missing buffer", filepath.Join(dir, "gone.bin"), good, filepath.Join(dir, "gone.bin"))
	fbx := modeltest.WriteFile(t, dir, "chair.fbx", []byte("Kaydara FBX Binary"))
	refused(t, h, "an fbx", fbx, fbx)
	png := modeltest.WriteImage(t, dir, "wood.png", modeltest.Pattern(2))
	refused(t, h, "an image first", png, png, good)
	empty := modeltest.WriteFile(t, dir, "empty.glb", nil)
	refused(t, h, "an empty model", empty, empty)
	text := modeltest.WriteFile(t, dir, "notes.glb", []byte("a shopping list"))
	refused(t, h, "a glb that is not glTF", text, text)
	folder := filepath.Join(dir, "folder.glb")
	if err := os.Mkdir(folder, 0o755); err != nil {
		t.Fatal(err)
	}
	refused(t, h, "a folder", folder, folder)
	huge := filepath.Join(dir, "huge.bin")
	f, err := os.Create(huge)
	if err != nil {
		t.Fatal(err)
	}
	// Sparse: no disk is used.
	if err := f.Truncate(MaxUpload); err != nil {
		t.Fatal(err)
	}
	_ = f.Close()
	refused(t, h, "more than the cap together", huge, good, huge)
	other := modeltest.WriteFile(t, t.TempDir(), "chair.bin", []byte{1})
	twin := modeltest.WriteFile(t, t.TempDir(), "chair.bin", []byte{2})
	refused(t, h, "two files of one name", twin, good, other, twin)

	pub := h.publication(good)
	pub.Folder.ID = ""
	if r := publish(context.Background(), h.bound, pub, nil, nil); !errors.Is(r.err, providers.ErrInvalidInput) {
		t.Errorf("no folder: %v", r.err)
	}
	pub.Folder, pub.Files = h.folder, nil
	if r := publish(context.Background(), h.bound, pub, nil, nil); !errors.Is(r.err, providers.ErrInvalidInput) {
		t.Errorf("no files: %v", r.err)
	}
	if len(h.fake.Requests()) != 0 {
		t.Errorf("%d requests sent", len(h.fake.Requests()))
	}
}

// TestHandleChecks: a damaged handle, or one of another folder, is refused before anything is
// sent.
func TestHandleChecks(t *testing.T) {
	h := setup(t, threedversetest.Options{})
	pub := h.publication(model(t, "chair.glb"))
	for what, raw := range map[string]string{"damaged": `{"folder_id": 3`, "another folder's": `{"folder_id":"elsewhere","upload_task_id":"x"}`} {
		r := publish(context.Background(), h.bound, pub, []byte(raw), nil)
		if r.err == nil || !strings.Contains(r.err.Error(), "new publication") {
			t.Errorf("a %s handle: %v", what, r.err)
		}
	}
	for _, empty := range []string{"", "null", "  "} {
		if r := publish(context.Background(), h.bound, pub, []byte(empty), nil); r.err != nil {
			t.Errorf("handle %q: %v", empty, r.err)
		}
	}
	if len(h.fake.Requests(threedversetest.RouteUpload)) != 3 {
		t.Errorf("%d uploads", h.uploads())
	}
}

// TestNames: the model goes under the publication's name, made safe; its companions keep theirs.
func TestNames(t *testing.T) {
	for _, c := range []struct{ name, path, want string }{
		{"Chair", "/m/x.glb", "Chair.glb"},
		{"  ", "/m/wooden chair.GLB", "wooden chair.glb"},
		{`Stool "v2"/final`, "/m/x.glb", "Stool _v2__final.glb"},
		{"Chaise élégante", "/m/x.gltf", "Chaise élégante.gltf"},
		{"..", "/m/....glb", "model.glb"},
		{strings.Repeat("a", 300), "/m/x.glb", strings.Repeat("a", maxName) + ".glb"},
	} {
		if got := modelName(c.name, c.path, strings.ToLower(filepath.Ext(c.path))); got != c.want {
			t.Errorf("modelName(%q, %q) = %q, want %q", c.name, c.path, got, c.want)
		}
	}
	dir := filepath.FromSlash("/m")
	for path, want := range map[string]string{
		"/m/chair.bin":         "chair.bin",
		"/m/textures/wood.png": "textures/wood.png",
		"/elsewhere/wood.png":  "wood.png",
		"/m/say \"hi\".png":    "say _hi_.png",
		"/m/line\nbreak.png":   "line_break.png",
	} {
		if got := companionName(dir, filepath.FromSlash(path)); got != want {
			t.Errorf("companionName(%q) = %q, want %q", path, got, want)
		}
	}
}
