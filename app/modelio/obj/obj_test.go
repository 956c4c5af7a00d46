package obj_test

import (
	"bytes"
	"context"
	"errors"
	"io/fs"
	"math"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/qmuntal/gltf"
	"github.com/qmuntal/gltf/modeler"

	"github.com/kiln3d/kiln/app/modelio/modeliotest"
	"github.com/kiln3d/kiln/app/modelio/obj"
)

// The local provider's vase, as a new artist exports it first: Y-up metres, then Z-up
// centimetres, the same vertices turned and scaled.
func TestLocalModel(t *testing.T) {
	m := load(t, modeliotest.LocalModel(t))
	y := writeChecked(t, m, obj.Options{})
	z := writeChecked(t, m, obj.Options{Up: "z", Scale: 100})

	// The vase is closed: its faces turn outward, in both exports.
	if v := signedVolume(y.obj, ""); !(v > 0) {
		t.Errorf("Y-up volume %g, want positive", v)
	}
	if v := signedVolume(z.obj, ""); !(v > 0) {
		t.Errorf("Z-up volume %g, want positive", v)
	}
	// It is 30 cm tall: along Y in metres, along Z in centimetres.
	ylo, yhi := box(y.obj.v)
	zlo, zhi := box(z.obj.v)
	if h := yhi[1] - ylo[1]; math.Abs(h-0.3) > 0.003 {
		t.Errorf("Y-up height %g m, want 0.3", h)
	}
	if h := zhi[2] - zlo[2]; math.Abs(h-30) > 0.3 {
		t.Errorf("Z-up height %g cm, want 30", h)
	}
	if len(y.obj.v) != len(z.obj.v) || len(y.obj.vn) != len(z.obj.vn) || len(y.obj.vt) != len(z.obj.vt) {
		t.Fatalf("the exports differ in size: v %d/%d, vn %d/%d, vt %d/%d", len(y.obj.v), len(z.obj.v),
			len(y.obj.vn), len(z.obj.vn), len(y.obj.vt), len(z.obj.vt))
	}
	for i, p := range y.obj.v {
		want := [3]float64{100 * p[0], -100 * p[2], 100 * p[1]}
		if d := sub(z.obj.v[i], want); math.Sqrt(dot(d, d)) > 1e-4 {
			t.Fatalf("v %d: Z-up %v, want %v", i+1, z.obj.v[i], want)
		}
	}
	for i, n := range y.obj.vn {
		want := [3]float64{n[0], -n[2], n[1]}
		if d := sub(z.obj.vn[i], want); math.Sqrt(dot(d, d)) > 1e-6 {
			t.Fatalf("vn %d: Z-up %v, want %v (not scaled)", i+1, z.obj.vn[i], want)
		}
	}
	if len(y.files) != 3 || !strings.HasSuffix(y.files[2], ".jpg") {
		t.Errorf("files %q: want the .obj, the .mtl and the vase's JPEG", y.files)
	}
	mat := y.mtl["vase"]
	if mat == nil || mat.mapFile("map_Kd") != filepath.Base(y.files[2]) {
		t.Errorf("material vase %v: want map_Kd %s", mat, filepath.Base(y.files[2]))
	}
	// Roughness 0.9, not metal: Ns = (1 − 0.9)² × 1000, and Blender 4's Pr and Pm.
	if math.Abs(mat.number("Ns")-10) > 1e-3 || mat.number("Pr") != 0.9 || mat.number("Pm") != 0 || mat.number("illum") != 2 {
		t.Errorf("material vase %v: want Ns 10, Pr 0.9, Pm 0, illum 2", mat)
	}
}

// BoxTextured's PNG is written as it is and referenced, and its UVs are turned upright.
func TestBoxTextured(t *testing.T) {
	m := load(t, modeliotest.Corpus(t, "khronos_BoxTextured.glb"))
	e := writeChecked(t, m, obj.Options{})
	if len(e.files) != 3 || filepath.Base(e.files[2]) != "model_0.png" {
		t.Fatalf("files %q: want the .obj, the .mtl and model_0.png (the image has no name)", e.files)
	}
	got, err := os.ReadFile(e.files[2])
	if err != nil {
		t.Fatal(err)
	}
	want, err := modeler.ReadBufferView(m.Doc, m.Doc.BufferViews[*m.Doc.Images[0].BufferView])
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("the texture was rewritten: %d bytes, the model's PNG is %d", len(got), len(want))
	}
	if f := e.mtl["Texture"].mapFile("map_Kd"); f != "model_0.png" {
		t.Errorf("material Texture: map_Kd %q, want model_0.png", f)
	}
	p := m.Doc.Meshes[0].Primitives[0]
	uv, err := modeler.ReadTextureCoord(m.Doc, m.Doc.Accessors[p.Attributes[gltf.TEXCOORD_0]], nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(uv) != len(e.obj.vt) {
		t.Fatalf("%d vt for %d UVs", len(e.obj.vt), len(uv))
	}
	for i, c := range uv {
		if math.Abs(e.obj.vt[i][0]-float64(c[0])) > 1e-6 || math.Abs(e.obj.vt[i][1]-(1-float64(c[1]))) > 1e-6 {
			t.Fatalf("vt %d %v for UV %v: want (u, 1 − v)", i+1, e.obj.vt[i], c)
		}
	}
}

// 2CylinderEngine draws 29 meshes through 67 nodes, rotated and scaled: each draw is its own
// object in world space, the normals turned with it (checkWinding), materials named apart.
func TestCylinderEngine(t *testing.T) {
	m := load(t, modeliotest.Corpus(t, "khronos_2CylinderEngine.glb"))
	e := writeChecked(t, m, obj.Options{Up: "z"})
	draws := m.Draws()
	if len(draws) != 67 || len(e.obj.objects) != len(draws) {
		t.Fatalf("%d objects for %d draws, want 67", len(e.obj.objects), len(draws))
	}
	want := 0
	for _, d := range draws {
		for _, p := range m.Doc.Meshes[d.Mesh].Primitives {
			want += m.Doc.Accessors[p.Attributes[gltf.POSITION]].Count
		}
	}
	if len(e.obj.v) != want || len(e.obj.vn) != want || len(e.obj.vt) != 0 {
		t.Errorf("v %d, vn %d, vt %d: want %d, %d and 0", len(e.obj.v), len(e.obj.vn), len(e.obj.vt), want, want)
	}
	// Two materials are both named Material_17.
	if e.mtl["Material_17"] == nil || e.mtl["Material_17_2"] == nil || len(e.mtl) != len(m.Doc.Materials) {
		t.Errorf("%d materials in the .mtl for %d; want Material_17 and Material_17_2", len(e.mtl), len(m.Doc.Materials))
	}
}

// The 69k-triangle bunny writes in well under a second.
func TestBunnyFast(t *testing.T) {
	m := load(t, modeliotest.Corpus(t, "stanford_bunny_69k.glb"))
	dir := t.TempDir()
	start := time.Now()
	files, err := obj.Write(context.Background(), m, filepath.Join(dir, "model.obj"), obj.Options{})
	took := time.Since(start)
	if err != nil {
		t.Fatal(err)
	}
	st, err := os.Stat(files[0])
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("bunny: %v, %d bytes", took, st.Size())
	if took > time.Second {
		t.Errorf("the bunny took %v to write", took)
	}
	e := check(t, m, dir, files, obj.Options{})
	if v := signedVolume(e.obj, ""); !(v > 0) {
		t.Errorf("bunny volume %g, want positive", v)
	}
}

// Without Replace, one existing file (here a texture's) stops the Write before anything is
// written; with Replace every file is written anew.
func TestExistingFiles(t *testing.T) {
	m := load(t, modeliotest.LocalModel(t))
	dir := t.TempDir()
	path := filepath.Join(dir, "model.obj")
	texture := filepath.Join(dir, "model_vase.jpg")
	if err := os.WriteFile(texture, []byte("the artist's own"), 0o644); err != nil {
		t.Fatal(err)
	}
	_, err := obj.Write(context.Background(), m, path, obj.Options{})
	if !errors.Is(err, fs.ErrExist) || !strings.Contains(err.Error(), texture) {
		t.Fatalf("err = %v, want fs.ErrExist naming %s", err, texture)
	}
	onlyFile(t, dir, texture, "the artist's own")

	files, err := obj.Write(context.Background(), m, path, obj.Options{Replace: true})
	if err != nil {
		t.Fatal(err)
	}
	check(t, m, dir, files, obj.Options{})
	if err := os.WriteFile(files[1], []byte("stale"), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := obj.Write(context.Background(), m, path, obj.Options{}); !errors.Is(err, fs.ErrExist) || !strings.Contains(err.Error(), path) {
		t.Fatalf("err = %v, want fs.ErrExist naming %s", err, path)
	}
	if files, err = obj.Write(context.Background(), m, path, obj.Options{Replace: true}); err != nil {
		t.Fatal(err)
	}
	check(t, m, dir, files, obj.Options{})
}

// onlyFile checks that dir holds path alone, with the content it had.
func onlyFile(t *testing.T, dir, path, content string) {
	t.Helper()
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	if len(entries) != 1 || entries[0].Name() != filepath.Base(path) {
		var names []string
		for _, e := range entries {
			names = append(names, e.Name())
		}
		t.Fatalf("the folder holds %q, want only %s", names, filepath.Base(path))
	}
	if got, err := os.ReadFile(path); err != nil || string(got) != content {
		t.Fatalf("%s now reads %q (%v)", path, got, err)
	}
}

// countdown is a context cancelled after its Err has been asked n times: a cancel that lands
// in the middle of the .obj, wherever the writer looks.
type countdown struct {
	context.Context
	n atomic.Int64
}

func (c *countdown) Err() error {
	if c.n.Add(-1) < 0 {
		return context.Canceled
	}
	return nil
}

// A cancelled Write, before it starts or half-way through the .obj, leaves the folder empty.
func TestCancel(t *testing.T) {
	m := load(t, modeliotest.LocalModel(t))
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	dir := t.TempDir()
	if _, err := obj.Write(ctx, m, filepath.Join(dir, "model.obj"), obj.Options{}); !errors.Is(err, context.Canceled) {
		t.Fatalf("err = %v, want context.Canceled", err)
	}
	empty(t, dir)

	// Count how often a whole Write looks, then cancel at each point along the way.
	probe := &countdown{Context: context.Background()}
	probe.n.Store(math.MaxInt64)
	if _, err := obj.Write(probe, m, filepath.Join(t.TempDir(), "model.obj"), obj.Options{}); err != nil {
		t.Fatal(err)
	}
	looks := math.MaxInt64 - probe.n.Load()
	if looks < 3 {
		t.Fatalf("Write looked at its context %d times", looks)
	}
	for _, n := range []int64{1, looks / 2, looks - 1} {
		c := &countdown{Context: context.Background()}
		c.n.Store(n)
		if _, err := obj.Write(c, m, filepath.Join(dir, "model.obj"), obj.Options{}); !errors.Is(err, context.Canceled) {
			t.Fatalf("cancelled after %d of %d looks: err = %v", n, looks, err)
		}
		empty(t, dir)
	}
}

func empty(t *testing.T, dir string) {
	t.Helper()
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		t.Errorf("left behind: %s", e.Name())
	}
}

func TestOptionsRefused(t *testing.T) {
	m := load(t, modeliotest.LocalModel(t))
	for _, opt := range []obj.Options{{Up: "x"}, {Scale: -1}, {Scale: math.Inf(1)}, {Scale: math.NaN()}} {
		dir := t.TempDir()
		if _, err := obj.Write(context.Background(), m, filepath.Join(dir, "model.obj"), opt); err == nil {
			t.Errorf("%+v: written", opt)
		}
		empty(t, dir)
	}
	// model.mtl would be its own material library.
	dir := t.TempDir()
	if _, err := obj.Write(context.Background(), m, filepath.Join(dir, "model.mtl"), obj.Options{}); err == nil {
		t.Errorf("model.mtl written as the .obj")
	}
	empty(t, dir)
}
