package app

import (
	"bytes"
	"context"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/qmuntal/gltf"

	"github.com/kiln3d/kiln/providers/providertest"
)

func TestReduceMakesANewAsset(t *testing.T) {
	fake := providertest.NewFake("fake")
	fake.Model = func(p string) error { return providertest.WriteSphere(p, 40, 60) } // 4,680 triangles
	k := openKiln(t, t.TempDir(), QueueOptions{}, fake)
	defer k.Close()
	j, _ := k.Jobs.Submit(context.Background(), "fake", request(writePNG(t, t.TempDir(), "ball.png")))
	done := wait(t, k, j.ID)
	src, _ := k.Library.Get(done.AssetID)
	before, _, _ := hashFile(src.ModelPath())

	var last float64
	red, err := k.Reduce(context.Background(), src.ID, 1000, func(f float64) { last = f })
	if err != nil {
		t.Fatal(err)
	}
	if red.Triangles < 950 || red.Triangles > 1050 || red.DerivedFrom == nil || red.DerivedFrom.Asset != src.ID ||
		red.ID == src.ID || !strings.Contains(red.Name, "ball (") || last != 1 {
		t.Errorf("reduced asset: %+v (progress %v)", red, last)
	}
	if len(red.Inputs) != 1 || red.Inputs[0].SHA256 != src.Inputs[0].SHA256 {
		t.Errorf("the reduced asset lost its inputs: %+v", red.Inputs)
	}
	got, err := k.Library.Get(red.ID)
	if err != nil || got.Triangles != red.Triangles {
		t.Fatalf("reduced asset not in the library: %v", err)
	}
	if after, _, _ := hashFile(src.ModelPath()); after != before {
		t.Error("the original model changed")
	}
	if _, err := k.Reduce(context.Background(), src.ID, 99999, nil); err == nil || !strings.Contains(err.Error(), "ask for fewer") {
		t.Errorf("reducing upwards: %v", err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := k.Reduce(ctx, src.ID, 500, nil); !errors.Is(err, context.Canceled) {
		t.Errorf("cancelled: %v", err)
	}
	list, _ := k.Library.List()
	if len(list) != 2 {
		t.Errorf("library holds %d assets, want the original and one reduced copy", len(list))
	}
}

func TestSimplifyFile(t *testing.T) {
	dir := t.TempDir()
	in := filepath.Join(dir, "sphere.glb")
	if err := providertest.WriteSphere(in, 40, 60); err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(dir, "small.glb")
	before, after, err := SimplifyFile(context.Background(), in, out, 500, false, nil)
	if err != nil || before != 4680 || after < 475 || after > 525 {
		t.Fatalf("%d → %d, %v", before, after, err)
	}
	if info, err := ReadModelInfo(out); err != nil || info.Triangles != after {
		t.Errorf("written model: %+v %v", info, err)
	}
	if _, _, err := SimplifyFile(context.Background(), in, filepath.Join(dir, "x.obj"), 500, false, nil); err == nil {
		t.Error("wrote an .obj")
	}
	if _, _, err := SimplifyFile(context.Background(), filepath.Join(dir, "none.glb"), out, 500, false, nil); err == nil {
		t.Error("simplified a missing file")
	}
}

// A .gltf with its buffer and texture beside it is simplified from the document the model check
// read, and the texture is embedded from inside the model's folder only.
func TestSimplifyFileGLTFWithTexture(t *testing.T) {
	dir := t.TempDir()
	glb := filepath.Join(dir, "sphere.glb")
	if err := providertest.WriteSphere(glb, 40, 60); err != nil {
		t.Fatal(err)
	}
	doc, err := gltf.Open(glb)
	if err != nil {
		t.Fatal(err)
	}
	png, err := os.ReadFile(writePNG(t, dir, "tex.png"))
	if err != nil {
		t.Fatal(err)
	}
	doc.Buffers[0].URI = "sphere.bin"
	doc.Images = []*gltf.Image{{URI: "tex.png"}}
	doc.Textures = []*gltf.Texture{{Source: gltf.Index(0)}}
	doc.Materials = []*gltf.Material{{Name: "skin", PBRMetallicRoughness: &gltf.PBRMetallicRoughness{BaseColorTexture: &gltf.TextureInfo{Index: 0}}}}
	for _, p := range doc.Meshes[0].Primitives {
		p.Material = gltf.Index(0)
	}
	in := filepath.Join(dir, "sphere.gltf")
	if err := gltf.Save(doc, in); err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(dir, "small.glb")
	if _, after, err := SimplifyFile(context.Background(), in, out, 500, false, nil); err != nil || after > 525 {
		t.Fatalf("simplify: %d triangles, %v", after, err)
	}
	small, err := gltf.Open(out)
	if err != nil || len(small.Images) != 1 || small.Images[0].BufferView == nil || small.Images[0].URI != "" {
		t.Fatalf("the texture is not embedded: %v", err)
	}
	bv := small.BufferViews[*small.Images[0].BufferView]
	if got := small.Buffers[bv.Buffer].Data[bv.ByteOffset : bv.ByteOffset+bv.ByteLength]; !bytes.Equal(got, png) {
		t.Error("the embedded texture is not the one beside the model")
	}

	// The texture swapped for a link to a file outside: refused, nothing written.
	secret := filepath.Join(t.TempDir(), "secret.png")
	if err := os.WriteFile(secret, png, 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Remove(filepath.Join(dir, "tex.png")); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(secret, filepath.Join(dir, "tex.png")); err != nil {
		t.Fatal(err)
	}
	out2 := filepath.Join(dir, "leak.glb")
	if _, _, err := SimplifyFile(context.Background(), in, out2, 500, false, nil); err == nil || !strings.Contains(err.Error(), "outside") {
		t.Errorf("a texture linked out of the folder: %v", err)
	}
	if _, err := os.Stat(out2); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("a model was written: %v", err)
	}
}

// A model whose meshes hold more than the simplifier's bound is refused before it is read.
func TestSimplifyFileBoundsWhatItReads(t *testing.T) {
	dir := t.TempDir()
	in := filepath.Join(dir, "sphere.glb")
	if err := providertest.WriteSphere(in, 40, 60); err != nil { // 4,680 triangles
		t.Fatal(err)
	}
	defer func(old int64) { maxSimplifyElements = old }(maxSimplifyElements)
	maxSimplifyElements = 10_000
	out := filepath.Join(dir, "small.glb")
	_, _, err := SimplifyFile(context.Background(), in, out, 500, false, nil)
	if !IsModelError(err) || !strings.Contains(err.Error(), "more than the 0 million Kiln simplifies") {
		t.Errorf("over the bound: %v", err)
	}
	if _, err := os.Stat(out); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("a model was written: %v", err)
	}
}
