package gltfsimplify

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"testing"

	"github.com/qmuntal/gltf"
	"github.com/qmuntal/gltf/modeler"

	"github.com/kiln3d/kiln/providers/modeltest"
)

// contents counts what File must leave as it was.
type contents struct {
	Scenes, Nodes, Meshes, Materials, Textures, Images, Samplers, Skins, Animations, Cameras int
	Primitives                                                                               []int
	Targets                                                                                  []int
}

func countContents(doc *gltf.Document) contents {
	c := contents{
		Scenes: len(doc.Scenes), Nodes: len(doc.Nodes), Meshes: len(doc.Meshes), Materials: len(doc.Materials),
		Textures: len(doc.Textures), Images: len(doc.Images), Samplers: len(doc.Samplers), Skins: len(doc.Skins),
		Animations: len(doc.Animations), Cameras: len(doc.Cameras),
	}
	for _, m := range doc.Meshes {
		c.Primitives = append(c.Primitives, len(m.Primitives))
		for _, p := range m.Primitives {
			c.Targets = append(c.Targets, len(p.Targets))
		}
	}
	return c
}

func saveGLB(t testing.TB, doc *gltf.Document, path string) string {
	t.Helper()
	if err := gltf.SaveBinary(doc, path); err != nil {
		t.Fatal(err)
	}
	return path
}

// saveGLTF writes doc as .gltf with an external .bin, and its image as an external .png.
func saveGLTF(t testing.TB, doc *gltf.Document, dir string) string {
	t.Helper()
	im := doc.Images[0]
	data, err := modeler.ReadBufferView(doc, doc.BufferViews[*im.BufferView])
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "checker texture.png"), data, 0o644); err != nil {
		t.Fatal(err)
	}
	im.BufferView, im.MimeType, im.URI = nil, "", "checker%20texture.png"
	doc.Buffers[0].URI = "model.bin"
	path := filepath.Join(dir, "model.gltf")
	if err := gltf.Save(doc, path); err != nil {
		t.Fatal(err)
	}
	return path
}

func writeResult(t testing.TB, res *Result, path string) string {
	t.Helper()
	if err := os.WriteFile(path, res.GLB, 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

// welded counts, for one primitive, the edges with one triangle and those with more than two
// once vertices are welded by position.
func welded(t testing.TB, doc *gltf.Document, mesh int) (open, nonManifold int) {
	t.Helper()
	p := doc.Meshes[mesh].Primitives[0]
	pos, err := modeler.ReadPosition(doc, doc.Accessors[p.Attributes[gltf.POSITION]], nil)
	if err != nil {
		t.Fatal(err)
	}
	idx, err := modeler.ReadIndices(doc, doc.Accessors[*p.Indices], nil)
	if err != nil {
		t.Fatal(err)
	}
	id := map[[3]float32]int{}
	weld := func(v uint32) int {
		if i, ok := id[pos[v]]; ok {
			return i
		}
		id[pos[v]] = len(id)
		return len(id) - 1
	}
	edges := map[[2]int]int{}
	for k := 0; k+2 < len(idx); k += 3 {
		a, b, c := weld(idx[k]), weld(idx[k+1]), weld(idx[k+2])
		for _, e := range [3][2]int{{a, b}, {b, c}, {c, a}} {
			edges[[2]int{min(e[0], e[1]), max(e[0], e[1])}]++
		}
	}
	for _, n := range edges {
		if n == 1 {
			open++
		} else if n > 2 {
			nonManifold++
		}
	}
	return open, nonManifold
}

func TestFileSimplifiesAGeneratedModelAndKeepsTheRest(t *testing.T) {
	dir := t.TempDir()
	glb := saveGLB(t, testDocument(t), filepath.Join(dir, "model.glb"))
	gltfDir := filepath.Join(dir, "external")
	if err := os.Mkdir(gltfDir, 0o755); err != nil {
		t.Fatal(err)
	}
	ext := saveGLTF(t, testDocument(t), gltfDir)
	want := countContents(testDocument(t))

	var outputs []string
	var requested []int
	for _, in := range []string{glb, ext} {
		for _, ratio := range []float64{0.5, 0.25, 0.1} {
			var seen []float64
			_, drawn := Triangles(testDocument(t))
			target := int(float64(drawn) * ratio)
			res, err := File(context.Background(), in, target, func(d float64) { seen = append(seen, d) })
			if err != nil {
				t.Fatal(err)
			}
			name := fmt.Sprintf("%s %.0f%%", filepath.Base(in), ratio*100)
			// Every mesh is drawn once: drawn and unique counts agree.
			if res.DrawnAfter > target || res.DrawnAfter < target*95/100 || res.After != res.DrawnAfter || res.DrawnBefore != drawn {
				t.Errorf("%s: %d → %d triangles (%d → %d drawn), want %d drawn at most and within 5%%",
					name, res.Before, res.After, res.DrawnBefore, res.DrawnAfter, target)
			}
			if len(seen) == 0 || seen[len(seen)-1] != 1 || !slices.IsSorted(seen) {
				t.Errorf("%s: progress %v", name, seen)
			}
			out := writeResult(t, res, filepath.Join(dir, fmt.Sprintf("out-%d.glb", len(outputs))))
			outputs, requested = append(outputs, out), append(requested, res.After)
			doc, err := gltf.Open(out)
			if err != nil {
				t.Fatal(err)
			}
			if got := countContents(doc); fmt.Sprint(got) != fmt.Sprint(want) {
				t.Errorf("%s: contents changed:\n got %+v\nwant %+v", name, got, want)
			}
			for _, im := range doc.Images {
				if im.URI != "" || im.BufferView == nil || im.MimeType != "image/png" {
					t.Errorf("%s: image not embedded: %+v", name, im)
				}
			}
			if len(doc.Buffers) != 1 {
				t.Errorf("%s: %d buffers", name, len(doc.Buffers))
			}
			for _, mesh := range []int{0, 1} {
				if open, nm := welded(t, doc, mesh); open != 0 || nm != 0 {
					t.Errorf("%s: mesh %d has %d open and %d non-manifold edges", name, mesh, open, nm)
				}
			}
			pts, err := modeler.ReadPosition(doc, doc.Accessors[doc.Meshes[0].Primitives[1].Attributes[gltf.POSITION]], nil)
			if err != nil || len(pts) != 3 || doc.Meshes[0].Primitives[1].Mode != gltf.PrimitivePoints {
				t.Errorf("%s: the points primitive changed: %v %v", name, pts, err)
			}
			if doc.Meshes[2].Primitives[0].Mode != gltf.PrimitiveTriangles {
				t.Errorf("%s: the strip is still a strip", name)
			}
		}
	}
	// One validator run for every output: the Khronos glTF-Validator must find no error, and
	// count the triangles File claims.
	for i, r := range modeltest.Validate(t, outputs...) {
		if r.Triangles != requested[i] {
			t.Errorf("%s: the validator counts %d triangles, File said %d", filepath.Base(r.File), r.Triangles, requested[i])
		}
	}
}

func TestFileWithinBudgetKeepsTheGeometry(t *testing.T) {
	dir := t.TempDir()
	in := saveGLB(t, testDocument(t), filepath.Join(dir, "model.glb"))
	res, err := File(context.Background(), in, 1_000_000, nil)
	if err != nil {
		t.Fatal(err)
	}
	if res.After != res.Before {
		t.Errorf("%d → %d triangles with a budget above both", res.Before, res.After)
	}
	modeltest.Validate(t, writeResult(t, res, filepath.Join(dir, "out.glb")))
}

func TestFileHonoursCancellation(t *testing.T) {
	in := saveGLB(t, testDocument(t), filepath.Join(t.TempDir(), "model.glb"))
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := File(ctx, in, 100, nil); !errors.Is(err, context.Canceled) {
		t.Fatalf("cancelled before: err = %v", err)
	}
	ctx, cancel = context.WithCancel(context.Background())
	defer cancel()
	_, err := File(ctx, in, 100, func(d float64) {
		if d > 0.3 {
			cancel()
		}
	})
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("cancelled midway: err = %v", err)
	}
}
