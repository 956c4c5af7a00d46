package app

import (
	"context"
	"encoding/json"
	"errors"
	"math"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/kiln3d/kiln/app/modelio"
	"github.com/kiln3d/kiln/app/modelio/modeliotest"
	"github.com/kiln3d/kiln/providers/modeltest"
	"github.com/kiln3d/kiln/providers/providertest"
)

// addModel files the model at path in k's library and returns the asset.
func addModel(t testing.TB, k *Kiln, path string) Asset {
	t.Helper()
	added, err := k.Library.AddModels(context.Background(), []string{path}, nil)
	if err != nil || len(added) != 1 {
		t.Fatalf("add %s: %v %v", path, added, err)
	}
	return added[0]
}

// exportModels are the models every preset and format is tried on: the local provider's, a
// real textured one, and one whose meshes are drawn several times (the corpus's skip without it).
var exportModels = []struct {
	label string
	path  func(testing.TB) string
}{
	{"local", modeliotest.LocalModel},
	{"textured", func(t testing.TB) string { return modeliotest.Corpus(t, "khronos_BoxTextured.glb") }},
	{"simplified", simplifiedBunny},
	{"instanced", func(t testing.TB) string { return modeliotest.Corpus(t, "khronos_2CylinderEngine.glb") }},
}

// simplifiedBunny is the corpus's 69k-triangle scan brought down to 5,000 triangles by Kiln's own
// simplifier, as an artist reduces a scan before exporting it.
func simplifiedBunny(t testing.TB) string {
	out := filepath.Join(t.TempDir(), "bunny.glb")
	if _, err := SimplifyFile(context.Background(), modeliotest.Corpus(t, "stanford_bunny_69k.glb"), out, 5000, false, nil); err != nil {
		t.Fatal(err)
	}
	return out
}

// TestExportPresets exports each model with every preset in every format it allows, and reads
// what was written: validator-clean glTF, the pivot where the preset puts it, names without
// spaces, the sidecar's provenance.
func TestExportPresets(t *testing.T) {
	k := openKiln(t, t.TempDir(), QueueOptions{}, providertest.NewFake("fake"))
	for _, em := range exportModels {
		t.Run(em.label, func(t *testing.T) { exportEvery(t, k, addModel(t, k, em.path(t))) })
	}
}

func exportEvery(t *testing.T, k *Kiln, a Asset) {
	ctx := context.Background()
	var written []string // validated together: the validator starts once
	dir := t.TempDir()
	defer func() { modeltest.Validate(t, written...) }()
	{
		for _, p := range Presets {
			for _, f := range p.Formats {
				t.Run(p.Name+"/"+string(f), func(t *testing.T) {
					out := filepath.Join(dir, p.Name+"-"+string(f))
					res, err := k.Export(ctx, []string{a.ID}, ExportOptions{Preset: p.Name, Format: f, Out: out}, nil)
					if err != nil {
						t.Fatal(err)
					}
					files := res[0].Files
					model, sidecar := files[0], files[len(files)-1]
					if got := filepath.Ext(model); got != "."+string(f) {
						t.Fatalf("model file %s", model)
					}
					stem := strings.TrimSuffix(filepath.Base(model), filepath.Ext(model))
					if strings.ContainsAny(stem, " .()") || stem != p.Naming.FileStem(a.Name) {
						t.Errorf("file stem %q for %q", stem, a.Name)
					}
					for _, file := range files {
						if _, err := os.Stat(file); err != nil {
							t.Errorf("listed file: %v", err)
						}
					}
					checkSidecar(t, sidecar, a, p, f, files)
					if f == FormatOBJ {
						return // read back by modelio/obj's tests, and by Blender
					}
					written = append(written, model)
					m, err := modelio.Load(ctx, model)
					if err != nil {
						t.Fatal(err)
					}
					lo, hi, _, err := m.Bounds()
					if err != nil {
						t.Fatal(err)
					}
					if math.Abs(lo[1]) > 1e-4*(hi[1]-lo[1])+1e-6 || math.Abs(lo[0]+hi[0]) > 1e-4 || math.Abs(lo[2]+hi[2]) > 1e-4 {
						t.Errorf("the base is not centred on the origin: %v .. %v", lo, hi)
					}
					for _, n := range m.Doc.Nodes {
						if strings.ContainsAny(n.Name, " .") {
							t.Errorf("node name %q", n.Name)
						}
					}
				})
			}
		}
	}
}

func checkSidecar(t *testing.T, path string, a Asset, p Preset, f Format, files []string) {
	t.Helper()
	if !strings.HasSuffix(path, SidecarSuffix) {
		t.Fatalf("last file %s is not the sidecar", path)
	}
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var s ExportSidecar
	if err := json.Unmarshal(data, &s); err != nil {
		t.Fatal(err)
	}
	if s.Asset.ID != a.ID || s.Asset.Provider != a.Provider || s.Export.Preset != p.Name || s.Export.Format != f ||
		s.Asset.Model.SHA256 != a.Files[0].SHA256 || !strings.HasPrefix(s.Kiln, "Kiln ") || s.Exported.IsZero() {
		t.Errorf("sidecar %+v", s)
	}
	if len(s.Export.Files) != len(files)-1 {
		t.Fatalf("sidecar lists %d files, %d written", len(s.Export.Files), len(files)-1)
	}
	for i, ef := range s.Export.Files {
		sum, n, err := hashFile(files[i])
		if err != nil || sum != ef.SHA256 || n != ef.Bytes || ef.File != filepath.Base(files[i]) {
			t.Errorf("sidecar file %+v, written %s %d %s", ef, files[i], n, sum)
		}
	}
	if strings.Contains(string(data), string(filepath.Separator)+"tmp") {
		t.Errorf("the sidecar names a local folder: %s", data)
	}
}

// TestExportNeverOverwrites: a second export into the same folder is refused without Force,
// leaving the first's files as they were, and replaces them with it; two assets of one name in
// one export get distinct files.
func TestExportNeverOverwrites(t *testing.T) {
	ctx := context.Background()
	k := openKiln(t, t.TempDir(), QueueOptions{}, providertest.NewFake("fake"))
	a := addModel(t, k, modeliotest.LocalModel(t))
	out := t.TempDir()
	first, err := k.Export(ctx, []string{a.ID}, ExportOptions{Preset: "godot", Out: out}, nil)
	if err != nil {
		t.Fatal(err)
	}
	before, _ := os.ReadFile(first[0].Files[0])
	_, err = k.Export(ctx, []string{a.ID}, ExportOptions{Preset: "godot", Out: out}, nil)
	if !errors.Is(err, ErrExists) {
		t.Fatalf("a second export: %v, want ErrExists", err)
	}
	after, _ := os.ReadFile(first[0].Files[0])
	if string(before) != string(after) {
		t.Error("the refused export changed the file")
	}
	if _, err := k.Export(ctx, []string{a.ID}, ExportOptions{Preset: "godot", Out: out, Force: true}, nil); err != nil {
		t.Fatalf("with Force: %v", err)
	}
	// Another format of the same model beside it: the sidecar keeps both exports' records.
	objs, err := k.Export(ctx, []string{a.ID}, ExportOptions{Preset: "blender", Format: FormatOBJ, Out: out}, nil)
	if err != nil {
		t.Fatalf("the OBJ beside the glb: %v", err)
	}
	var side ExportSidecar
	data, _ := os.ReadFile(objs[0].Files[len(objs[0].Files)-1])
	if err := json.Unmarshal(data, &side); err != nil || side.Export.Format != FormatOBJ ||
		len(side.Also) != 1 || side.Also[0].Format != FormatGLB {
		t.Errorf("the sidecar after two formats: %+v %v", side, err)
	}
	dup, err := k.Library.Duplicate(a.ID)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := k.Library.Rename(dup.ID, a.Name); err != nil {
		t.Fatal(err)
	}
	// Another model of the same name is not this one's export: refused without Force.
	if _, err := k.Export(ctx, []string{dup.ID}, ExportOptions{Preset: "godot", Format: FormatGLTF, Out: out}, nil); !errors.Is(err, ErrExists) {
		t.Errorf("another model's export where this one's record is: %v", err)
	}
	both, err := k.Export(ctx, []string{a.ID, dup.ID}, ExportOptions{Preset: "unity", Out: t.TempDir()}, nil)
	if err != nil || len(both) != 2 || both[0].Files[0] == both[1].Files[0] {
		t.Fatalf("two of one name: %v %v", both, err)
	}
	if c, ok := k.Settings.ExportChoice(out); !ok || c.Preset != "blender" || c.Format != FormatOBJ { // the last export there
		t.Errorf("the folder's choice: %+v %v", c, ok)
	}
}

// TestExportHostileFolder: a folder that is a file is refused; a FIFO where the model would go is
// never opened (no hang) and never replaced without Force; a damaged asset is not exported.
func TestExportHostileFolder(t *testing.T) {
	ctx := context.Background()
	k := openKiln(t, t.TempDir(), QueueOptions{}, providertest.NewFake("fake"))
	a := addModel(t, k, modeliotest.LocalModel(t))
	file := filepath.Join(t.TempDir(), "not-a-folder")
	if err := os.WriteFile(file, []byte("x"), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := k.Export(ctx, []string{a.ID}, ExportOptions{Preset: "godot", Out: file}, nil); err == nil {
		t.Error("exported into a file")
	}
	out := t.TempDir()
	fifo := filepath.Join(out, "vase.glb")
	if err := syscall.Mkfifo(fifo, 0o644); err != nil {
		t.Fatalf("a FIFO: %v", err) // the app's tests run on unix, where a FIFO can always be made
	}
	done := make(chan error, 1)
	go func() {
		_, err := k.Export(ctx, []string{a.ID}, ExportOptions{Preset: "godot", Out: out}, nil)
		done <- err
	}()
	select {
	case err := <-done:
		if !errors.Is(err, ErrExists) {
			t.Errorf("a FIFO in the way: %v, want ErrExists", err)
		}
	case <-time.After(30 * time.Second):
		t.Fatal("the export hung on a FIFO")
	}
	if st, err := os.Lstat(fifo); err != nil || st.Mode()&os.ModeNamedPipe == 0 {
		t.Errorf("the FIFO was replaced: %v", err)
	}
	if _, err := os.Lstat(filepath.Join(out, "vase"+SidecarSuffix)); err == nil {
		t.Error("a sidecar was written for a model that was not")
	}
	// A model altered after it was filed is damaged: never exported.
	if err := os.WriteFile(a.ModelPath(), []byte("glTF garbage"), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := k.Export(ctx, []string{a.ID}, ExportOptions{Preset: "godot", Out: t.TempDir()}, nil); !errors.Is(err, ErrDamaged) {
		t.Errorf("a damaged asset: %v", err)
	}
}
