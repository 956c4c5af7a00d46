package app

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/qmuntal/gltf"

	"github.com/kiln3d/kiln/providers/geom/gltfsimplify"
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
	n, err := SimplifyFile(context.Background(), in, out, 500, false, nil)
	if err != nil || n.Before != 4680 || n.After < 475 || n.After > 500 || n.DrawnBefore != n.Before || n.DrawnAfter != n.After {
		t.Fatalf("%+v, %v", n, err)
	}
	if info, err := ReadModelInfo(out); err != nil || info.Triangles != n.After || info.DrawnTriangles != n.DrawnAfter {
		t.Errorf("written model: %+v %v", info, err)
	}
	if _, err := SimplifyFile(context.Background(), in, filepath.Join(dir, "x.obj"), 500, false, nil); err == nil {
		t.Error("wrote an .obj")
	}
	if _, err := SimplifyFile(context.Background(), filepath.Join(dir, "none.glb"), out, 500, false, nil); err == nil {
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
	if n, err := SimplifyFile(context.Background(), in, out, 500, false, nil); err != nil || n.DrawnAfter > 500 {
		t.Fatalf("simplify: %+v, %v", n, err)
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
	if _, err := SimplifyFile(context.Background(), in, out2, 500, false, nil); err == nil || !strings.Contains(err.Error(), "outside") {
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
	_, err := SimplifyFile(context.Background(), in, out, 500, false, nil)
	if !IsModelError(err) || !strings.Contains(err.Error(), "more than the 0 million Kiln simplifies") {
		t.Errorf("over the bound: %v", err)
	}
	if _, err := os.Stat(out); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("a model was written: %v", err)
	}
}

// writeReusedSphere writes a sphere of 4,680 triangles whose one mesh three nodes draw.
func writeReusedSphere(path string) error {
	if err := providertest.WriteSphere(path, 40, 60); err != nil {
		return err
	}
	doc, err := gltf.Open(path)
	if err != nil {
		return err
	}
	for i := 1; i <= 2; i++ {
		doc.Nodes = append(doc.Nodes, &gltf.Node{Mesh: gltf.Index(0), Translation: [3]float64{3 * float64(i), 0, 0}})
		doc.Scenes[0].Nodes = append(doc.Scenes[0].Nodes, len(doc.Nodes)-1)
	}
	return gltf.SaveBinary(doc, path)
}

// A budget counts the triangles drawn: a mesh three nodes show counts three times, and the
// result never draws more than asked. A budget below what the model can come down to is
// refused, and nothing is written.
func TestSimplifyFileCountsWhatIsDrawn(t *testing.T) {
	dir := t.TempDir()
	in := filepath.Join(dir, "spheres.glb")
	if err := writeReusedSphere(in); err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(dir, "small.glb")
	n, err := SimplifyFile(context.Background(), in, out, 3000, false, nil)
	if err != nil || n.Before != 4680 || n.DrawnBefore != 3*4680 || n.DrawnAfter > 3000 || n.DrawnAfter < 2900 || 3*n.After != n.DrawnAfter {
		t.Fatalf("%+v, %v", n, err)
	}
	if info, err := ReadModelInfo(out); err != nil || info.Triangles != n.After || info.DrawnTriangles != n.DrawnAfter {
		t.Errorf("written model: %+v %v", info, err)
	}
	low := filepath.Join(dir, "none.glb")
	_, err = SimplifyFile(context.Background(), in, low, MinReduceTarget, false, nil)
	var be *gltfsimplify.BudgetError
	if !errors.Is(err, gltfsimplify.ErrBudget) || !errors.As(err, &be) || !strings.Contains(err.Error(), "larger budget") {
		t.Errorf("a budget of %d: %v", MinReduceTarget, err)
	}
	if _, err := os.Stat(low); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("a model was written: %v", err)
	}
}

// Reduce takes the budget as triangles drawn: a budget between the model's unique triangles and
// those it draws reduces it, and the new asset's name gives what it draws.
func TestReduceCountsWhatIsDrawn(t *testing.T) {
	fake := providertest.NewFake("fake")
	fake.Model = writeReusedSphere
	k := openKiln(t, t.TempDir(), QueueOptions{}, fake)
	defer k.Close()
	j, _ := k.Jobs.Submit(context.Background(), "fake", request(writePNG(t, t.TempDir(), "ball.png")))
	src, _ := k.Library.Get(wait(t, k, j.ID).AssetID)
	if src.Triangles != 4680 {
		t.Fatalf("the source asset has %d triangles", src.Triangles)
	}
	red, err := k.Reduce(context.Background(), src.ID, 6000, nil)
	if err != nil {
		t.Fatal(err)
	}
	info, err := ReadModelInfo(red.ModelPath())
	if err != nil || info.DrawnTriangles > 6000 || info.DrawnTriangles < 5800 || red.Triangles != info.Triangles ||
		red.Name != fmt.Sprintf("ball (%d triangles)", info.DrawnTriangles) {
		t.Errorf("reduced asset %q, %d triangles: %+v %v", red.Name, red.Triangles, info, err)
	}
	if _, err := k.Reduce(context.Background(), src.ID, 3*4680, nil); err == nil || !strings.Contains(err.Error(), "draws 14040 triangles: ask for fewer") {
		t.Errorf("reducing to what it draws: %v", err)
	}
	if _, err := k.Reduce(context.Background(), src.ID, MinReduceTarget, nil); !errors.Is(err, gltfsimplify.ErrBudget) {
		t.Errorf("reducing below its floor: %v", err)
	}
}
