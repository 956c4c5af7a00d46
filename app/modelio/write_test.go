package modelio_test

import (
	"bytes"
	"context"
	"errors"
	"image"
	_ "image/jpeg"
	_ "image/png"
	"io/fs"
	"math"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/kiln3d/kiln/app/modelio"
	"github.com/kiln3d/kiln/app/modelio/modeliotest"
	"github.com/kiln3d/kiln/providers/modeltest"
)

// ioModels runs f on the local provider's model and on real ones of the corpus: textured,
// animated with morph targets, skinned with external files.
func ioModels(t *testing.T, f func(t *testing.T, path string)) {
	t.Run("local", func(t *testing.T) { f(t, modeliotest.LocalModel(t)) })
	for _, name := range []string{"khronos_BoxTextured.glb", "khronos_AnimatedMorphCube/AnimatedMorphCube.gltf", "cge_knight/knight.gltf"} {
		t.Run(name, func(t *testing.T) { f(t, modeliotest.Corpus(t, name)) })
	}
}

func ioCorpus(t *testing.T, name string) string {
	t.Helper()
	return modeliotest.Corpus(t, name)
}

func ioLoad(t *testing.T, path string) *modelio.Model {
	t.Helper()
	m, err := modelio.Load(context.Background(), path)
	if err != nil {
		t.Fatal(err)
	}
	return m
}

// ioValidGLB writes m as a GLB, runs the Khronos validator on it, and returns its path.
func ioValidGLB(t *testing.T, m *modelio.Model) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "model.glb")
	if err := m.WriteGLB(path, false); err != nil {
		t.Fatal(err)
	}
	modeltest.Validate(t, path)
	return path
}

// ioExportLike changes m as an engine preset does: a root in centimetres, names, small textures.
func ioExportLike(t *testing.T, m *modelio.Model) {
	t.Helper()
	m.Reroot("Root", 100, [3]float64{0, 0, 0})
	m.Rename(func(kind modelio.Kind, i int, old string) string { return kind.String() })
	if _, err := m.DownscaleTextures(64, true); err != nil {
		t.Fatal(err)
	}
}

// TestWriteGLB writes each model, changed as an export changes it, as a valid GLB that reads
// back with the same triangles, bounds and images; encoding again gives the same bytes.
func TestWriteGLB(t *testing.T) {
	ioModels(t, func(t *testing.T, path string) {
		m := ioLoad(t, path)
		ioExportLike(t, m)
		out := ioValidGLB(t, m)
		glb, err := os.ReadFile(out)
		if err != nil {
			t.Fatal(err)
		}
		back, err := modelio.Decode(glb, m.Report)
		if err != nil {
			t.Fatal(err)
		}
		ioSameModel(t, m, back)
		var again bytes.Buffer
		if err := back.EncodeGLB(&again); err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(again.Bytes(), glb) {
			t.Errorf("encoding the decoded GLB gives %d bytes, not the same %d", again.Len(), len(glb))
		}
		reloaded := ioLoad(t, out)
		ioSameModel(t, m, reloaded)
	})
}

// TestWriteGLTF writes each model as a .gltf with its .bin and image files, all valid, all with
// safe names, and it loads back as the same model; the model itself keeps its images embedded.
func TestWriteGLTF(t *testing.T) {
	ioModels(t, func(t *testing.T, path string) {
		m := ioLoad(t, path)
		ioExportLike(t, m)
		dir := t.TempDir()
		files, err := m.WriteGLTF(filepath.Join(dir, "My model (1).gltf"), false)
		if err != nil {
			t.Fatal(err)
		}
		if files[0] != filepath.Join(dir, "My model (1).gltf") {
			t.Errorf("the files written start with %s", files[0])
		}
		safe := regexp.MustCompile(`^[A-Za-z0-9_.-]+$`)
		for _, f := range files[1:] {
			if !safe.MatchString(filepath.Base(f)) {
				t.Errorf("the part %q has an unsafe name", filepath.Base(f))
			}
		}
		entries, err := os.ReadDir(dir)
		if err != nil {
			t.Fatal(err)
		}
		if len(entries) != len(files) {
			t.Errorf("%d files in the folder, %d written: %v", len(entries), len(files), entries)
		}
		if want := 1 + min(len(m.Doc.Buffers), 1) + len(m.Doc.Images); len(files) != want {
			t.Errorf("%d files written, want %d: %v", len(files), want, files)
		}
		modeltest.Validate(t, files[0])
		for i, img := range m.Doc.Images {
			if img.BufferView == nil || img.URI != "" {
				t.Errorf("image %d left the model's buffer", i)
			}
		}
		ioSameModel(t, m, ioLoad(t, files[0]))
	})
}

// TestWriteGLTFNames names image files after their images, safely and uniquely even where case
// does not count, and after their index when they have no name.
func TestWriteGLTFNames(t *testing.T) {
	m := ioLoad(t, ioCorpus(t, "khronos_BoxTextured.glb"))
	img := *m.Doc.Images[0]
	for _, name := range []string{"Wood Grain/ü", "wood grain ü", "", "../up"} {
		c := img
		c.Name = name
		m.Doc.Images = append(m.Doc.Images, &c)
	}
	m.Doc.Images = m.Doc.Images[1:]
	files, err := m.WriteGLTF(filepath.Join(t.TempDir(), "box.gltf"), false)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, f := range files {
		names = append(names, filepath.Base(f))
	}
	want := []string{"box.gltf", "box.bin", "box_Wood_Grain__.png", "box_wood_grain___2.png", "box_2.png", "box__up.png"}
	if strings.Join(names, " ") != strings.Join(want, " ") {
		t.Errorf("files %v, want %v", names, want)
	}
	modeltest.Validate(t, files[0])
}

// TestWriteRefuses leaves an existing file alone without replace, and then writes nothing at all:
// not the .gltf, not one part. With replace it writes.
func TestWriteRefuses(t *testing.T) {
	m := ioLoad(t, ioCorpus(t, "khronos_BoxTextured.glb"))
	dir := t.TempDir()

	glb := modeltest.WriteFile(t, dir, "box.glb", []byte("mine"))
	err := m.WriteGLB(glb, false)
	if !errors.Is(err, fs.ErrExist) || !strings.Contains(err.Error(), "box.glb") {
		t.Errorf("writing over box.glb: %v", err)
	}
	if b, _ := os.ReadFile(glb); string(b) != "mine" {
		t.Error("box.glb was replaced")
	}
	if err := m.WriteGLB(glb, true); err != nil {
		t.Fatal(err)
	}
	modeltest.Validate(t, glb)

	sub := filepath.Join(dir, "gltf")
	if err := os.Mkdir(sub, 0o755); err != nil {
		t.Fatal(err)
	}
	m.Doc.Images[0].Name = "logo"
	taken := modeltest.WriteFile(t, sub, "box_logo.png", []byte("mine"))
	files, err := m.WriteGLTF(filepath.Join(sub, "box.gltf"), false)
	if !errors.Is(err, fs.ErrExist) || !strings.Contains(err.Error(), filepath.Base(taken)) || files != nil {
		t.Errorf("writing over %s: %v, %v", filepath.Base(taken), files, err)
	}
	entries, _ := os.ReadDir(sub)
	if len(entries) != 1 {
		t.Errorf("the refused write left %v", entries)
	}
	files, err = m.WriteGLTF(filepath.Join(sub, "box.gltf"), true)
	if err != nil {
		t.Fatal(err)
	}
	modeltest.Validate(t, files[0])

	if _, err := m.WriteGLTF(filepath.Join(dir, "box.glb"), true); err == nil {
		t.Error("WriteGLTF wrote a .glb")
	}
}

// ioSameModel checks that b draws what a draws: triangles, bounds, images and their sizes.
func ioSameModel(t *testing.T, a, b *modelio.Model) {
	t.Helper()
	au, ad := a.Triangles()
	bu, bd := b.Triangles()
	if au != bu || ad != bd {
		t.Errorf("triangles %d, %d; want %d, %d", bu, bd, au, ad)
	}
	alo, ahi, _, err := a.Bounds()
	if err != nil {
		t.Fatal(err)
	}
	blo, bhi, _, err := b.Bounds()
	if err != nil {
		t.Fatal(err)
	}
	for k := range 3 {
		if math.Abs(alo[k]-blo[k]) > 1e-6*(1+math.Abs(alo[k])) || math.Abs(ahi[k]-bhi[k]) > 1e-6*(1+math.Abs(ahi[k])) {
			t.Errorf("axis %d: [%g, %g], want [%g, %g]", k, blo[k], bhi[k], alo[k], ahi[k])
		}
	}
	if len(a.Doc.Images) != len(b.Doc.Images) {
		t.Fatalf("%d images, want %d", len(b.Doc.Images), len(a.Doc.Images))
	}
	for i := range a.Doc.Images {
		if as, bs := ioImageSize(t, a, i), ioImageSize(t, b, i); as != bs {
			t.Errorf("image %d is %v, want %v", i, bs, as)
		}
	}
}

// ioImageSize decodes image i's size.
func ioImageSize(t *testing.T, m *modelio.Model, i int) [2]int {
	t.Helper()
	cfg, _, err := image.DecodeConfig(bytes.NewReader(ioImageData(t, m, i)))
	if err != nil {
		t.Fatalf("image %d: %v", i, err)
	}
	return [2]int{cfg.Width, cfg.Height}
}

// ioImageData is image i's bytes.
func ioImageData(t *testing.T, m *modelio.Model, i int) []byte {
	t.Helper()
	v := m.Doc.BufferViews[*m.Doc.Images[i].BufferView]
	return m.Doc.Buffers[v.Buffer].Data[v.ByteOffset : v.ByteOffset+v.ByteLength]
}
