package modelio_test

import (
	"bytes"
	"context"
	"errors"
	"image"
	"image/png"
	"os"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/qmuntal/gltf"
	"github.com/qmuntal/gltf/modeler"

	"github.com/kiln3d/kiln/app/modelio"
	"github.com/kiln3d/kiln/app/modelio/modeliotest"
	"github.com/kiln3d/kiln/providers/modeltest"
)

// anCorpus is every corpus model the edge counts are checked on.
var anCorpus = []string{
	"khronos_BoxTextured.glb", "khronos_2CylinderEngine.glb", "khronos_AnimatedMorphCube/AnimatedMorphCube.gltf",
	"cge_knight/knight.gltf", "stanford_bunny_69k.glb", "webxr_generic-hand_left.glb", "webxr_valve-index_right.glb",
}

func anLoad(t *testing.T, path string) *modelio.Model {
	t.Helper()
	m, err := modelio.Load(context.Background(), path)
	if err != nil {
		t.Fatal(err)
	}
	return m
}

// TestAnalyzeLocal: the local provider's model is closed and watertight, and has all an engine
// wants.
func TestAnalyzeLocal(t *testing.T) {
	m := anLoad(t, modeliotest.LocalModel(t))
	a, err := m.Analyze(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	unique, _ := m.Triangles()
	if a.Triangles != unique || a.OpenEdges != 0 || a.NonManifoldEdges != 0 || a.Degenerate != 0 || !a.Watertight() {
		t.Errorf("%d triangles (%d unique), %d open edges, %d non-manifold, %d degenerate; want a watertight model",
			a.Triangles, unique, a.OpenEdges, a.NonManifoldEdges, a.Degenerate)
	}
	if len(a.MissingNormals)+len(a.WithoutUV)+len(a.MissingTangents) != 0 || a.Materials != 1 {
		t.Errorf("the local model lacks normals %v, UVs %v, tangents %v; %d materials", a.MissingNormals, a.WithoutUV, a.MissingTangents, a.Materials)
	}
}

// TestAnalyzeAgreesWithMeshcheck counts each corpus model's edges and compares every mesh with
// the independent checker's count of a file holding that mesh alone, drawn once where it is
// stored (meshcheck welds the whole drawn scene in world space; Analyze counts each mesh once).
func TestAnalyzeAgreesWithMeshcheck(t *testing.T) {
	modeltest.CorpusDir(t, "models") // skips without the corpus
	meshcheck := modeltest.Meshcheck(t)
	if meshcheck == "" {
		t.Skip("no meshcheck source beside the corpus")
	}
	for _, name := range anCorpus {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			m := anLoad(t, modeliotest.Corpus(t, name))
			a, err := m.Analyze(context.Background())
			if err != nil {
				t.Fatal(err)
			}
			if len(a.Meshes) != len(m.Doc.Meshes) {
				t.Fatalf("%d meshes analysed of %d", len(a.Meshes), len(m.Doc.Meshes))
			}
			var open, nonManifold int
			for mi, got := range a.Meshes {
				info, quality := anCheckMesh(t, meshcheck, m.Doc, mi)
				open, nonManifold = open+got.OpenEdges, nonManifold+got.NonManifoldEdges
				if got.Triangles != info.Triangles || got.OpenEdges != info.BoundaryEdges || got.NonManifoldEdges != info.NonManifoldEdges {
					t.Errorf("%s: %d triangles, %d open edges, %d non-manifold; meshcheck says %d, %d, %d",
						got.Name, got.Triangles, got.OpenEdges, got.NonManifoldEdges, info.Triangles, info.BoundaryEdges, info.NonManifoldEdges)
				}
				// meshcheck's info counts triangles collapsed by the weld, its quality check those
				// of no area; Analyze counts both, once.
				if got.Degenerate < max(info.Degenerate, quality.Degenerate) || got.Degenerate > info.Degenerate+quality.Degenerate {
					t.Errorf("%s: %d degenerate triangles; meshcheck says %d collapsed, %d of no area", got.Name, got.Degenerate, info.Degenerate, quality.Degenerate)
				}
			}
			if open != a.OpenEdges || nonManifold != a.NonManifoldEdges {
				t.Errorf("the meshes add up to %d open and %d non-manifold edges; the model says %d, %d", open, nonManifold, a.OpenEdges, a.NonManifoldEdges)
			}
			t.Logf("%d triangles, %d open edges, %d non-manifold, %d degenerate", a.Triangles, a.OpenEdges, a.NonManifoldEdges, a.Degenerate)
		})
	}
}

type anMeshcheckInfo struct {
	Triangles        int `json:"triangles"`
	BoundaryEdges    int `json:"boundary_edges"`
	NonManifoldEdges int `json:"nonmanifold_edges"`
	Degenerate       int `json:"degenerate_tris"`
}

type anMeshcheckQuality struct {
	Degenerate int `json:"degenerate"`
}

// anCheckMesh runs meshcheck's info and quality over a GLB of doc's mesh mi drawn alone by one
// node without a transform.
func anCheckMesh(t *testing.T, meshcheck string, doc *gltf.Document, mi int) (anMeshcheckInfo, anMeshcheckQuality) {
	t.Helper()
	one := *doc
	one.Nodes = []*gltf.Node{{Mesh: gltf.Index(mi)}}
	one.Scenes = []*gltf.Scene{{Nodes: []int{0}}}
	one.Scene = gltf.Index(0)
	one.Animations, one.Skins, one.Cameras = nil, nil, nil
	path := filepath.Join(t.TempDir(), "mesh.glb")
	anWriteGLB(t, &one, path)
	var info anMeshcheckInfo
	var quality anMeshcheckQuality
	modeltest.RunMeshcheck(t, meshcheck, &info, "info", path)
	if info.Triangles > 0 {
		modeltest.RunMeshcheck(t, meshcheck, &quality, "quality", path)
	}
	return info, quality
}

// anWriteGLB encodes doc as a GLB at path.
func anWriteGLB(t *testing.T, doc *gltf.Document, path string) {
	t.Helper()
	var b bytes.Buffer
	if err := gltf.NewEncoder(&b).Encode(doc); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, b.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
}

// TestAnalyzeFastAndCancellable: the bunny's 70k triangles take well under a second, and an
// ended context stops the count.
func TestAnalyzeFastAndCancellable(t *testing.T) {
	m := anLoad(t, modeliotest.Corpus(t, "stanford_bunny_69k.glb"))
	start := time.Now()
	a, err := m.Analyze(context.Background())
	took := time.Since(start)
	if err != nil || !a.Watertight() {
		t.Fatalf("the bunny: %+v, %v", a, err)
	}
	t.Logf("the bunny's %d triangles in %v", a.Triangles, took)
	if took > time.Second {
		t.Errorf("the bunny took %v", took)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := m.Analyze(ctx); !errors.Is(err, context.Canceled) {
		t.Errorf("a cancelled analysis returned %v", err)
	}
}

// TestAnalyzeStripsAndLists: strips and fans are triangles too (a strip's stitches are not
// degenerate triangles), a mesh's primitives weld together, meshes count once however often they
// are drawn, and the lists name what each primitive lacks.
func TestAnalyzeStripsAndLists(t *testing.T) {
	m := anDecode(t, anStripsDocument(t))
	a, err := m.Analyze(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	want := []modelio.MeshAnalysis{
		{Name: `mesh "strip"`, Triangles: 9, OpenEdges: 6 + 3},
		{Name: `mesh "fan"`, Triangles: 5, OpenEdges: 5 + 2, NonManifoldEdges: 1, Degenerate: 1},
	}
	if !slices.Equal(a.Meshes, want) {
		t.Errorf("meshes %+v, want %+v", a.Meshes, want)
	}
	if a.Triangles != 14 || a.OpenEdges != 16 || a.NonManifoldEdges != 1 || a.Degenerate != 1 || a.Watertight() {
		t.Errorf("totals: %d triangles, %d open edges, %d non-manifold, %d degenerate", a.Triangles, a.OpenEdges, a.NonManifoldEdges, a.Degenerate)
	}
	lacking := []string{`mesh "fan" primitive 0`, `mesh "fan" primitive 1`}
	if !slices.Equal(a.MissingNormals, lacking) || !slices.Equal(a.WithoutUV, lacking) {
		t.Errorf("missing normals %q, without UVs %q; want %q", a.MissingNormals, a.WithoutUV, lacking)
	}
	if !slices.Equal(a.MissingTangents, []string{`mesh "strip" primitive 0`}) {
		t.Errorf("missing tangents %q", a.MissingTangents)
	}
	if a.Materials != 1 {
		t.Errorf("%d materials", a.Materials)
	}
}

// anStripsDocument is a document of two meshes, each drawn by two nodes:
//   - "strip": one triangle strip of 9 triangles in the plane z = 0. Its first four make a 2×1
//     grid of the points (0,0) (0,1) (1,0) (1,1) (2,0) (2,1): six edges on its border, three
//     inside. Then four stitches (a repeated index) lead to a lone triangle (5,5) (6,5) (5,6),
//     three open edges more. It has NORMAL, TEXCOORD_0 and a normal-mapped material, no TANGENT.
//   - "fan": a fan of four triangles around (0,0,1) over the rim points (1,0,1) (0,1,1) (−1,0,1)
//     (0,−1,1) (0,−1,1): three real triangles with five open edges, and one whose two last
//     corners coincide. A second primitive, of its own vertices, stands a fin on the edge from
//     the centre to (0,1,1), which three triangles then share, and adds two open edges. Neither
//     primitive has normals, UVs or a material.
func anStripsDocument(t *testing.T) *gltf.Document {
	doc := &gltf.Document{Asset: gltf.Asset{Version: "2.0"}, Buffers: []*gltf.Buffer{{}}}
	grid := [][3]float32{{0, 0, 0}, {0, 1, 0}, {1, 0, 0}, {1, 1, 0}, {2, 0, 0}, {2, 1, 0}, {5, 5, 0}, {6, 5, 0}, {5, 6, 0}}
	normals := make([][3]float32, len(grid))
	uvs := make([][2]float32, len(grid))
	for i, p := range grid {
		normals[i] = [3]float32{0, 0, 1}
		uvs[i] = [2]float32{p[0] / 6, 1 - p[1]/6}
	}
	img, err := modeler.WriteImage(doc, "normals", "image/png", bytes.NewReader(anFlatNormalPNG(t)))
	if err != nil {
		t.Fatal(err)
	}
	doc.Textures = []*gltf.Texture{{Source: gltf.Index(img)}}
	doc.Materials = []*gltf.Material{{Name: "normal mapped", NormalTexture: &gltf.NormalTexture{Index: gltf.Index(0)}}}
	doc.Meshes = []*gltf.Mesh{
		{Name: "strip", Primitives: []*gltf.Primitive{{
			Mode:    gltf.PrimitiveTriangleStrip,
			Indices: gltf.Index(modeler.WriteIndices(doc, []uint16{0, 1, 2, 3, 4, 5, 5, 6, 6, 7, 8})),
			Attributes: gltf.PrimitiveAttributes{
				gltf.POSITION:   modeler.WritePosition(doc, grid),
				gltf.NORMAL:     modeler.WriteNormal(doc, normals),
				gltf.TEXCOORD_0: modeler.WriteTextureCoord(doc, uvs),
			},
			Material: gltf.Index(0),
		}}},
		{Name: "fan", Primitives: []*gltf.Primitive{
			{
				Mode: gltf.PrimitiveTriangleFan,
				Attributes: gltf.PrimitiveAttributes{
					gltf.POSITION: modeler.WritePosition(doc, [][3]float32{{0, 0, 1}, {1, 0, 1}, {0, 1, 1}, {-1, 0, 1}, {0, -1, 1}, {0, -1, 1}}),
				},
			},
			{
				Attributes: gltf.PrimitiveAttributes{
					gltf.POSITION: modeler.WritePosition(doc, [][3]float32{{0, 0, 1}, {0, 1, 1}, {0, 0.5, 2}}),
				},
			},
		}},
	}
	for i := range 4 {
		doc.Nodes = append(doc.Nodes, &gltf.Node{Mesh: gltf.Index(i % 2), Translation: [3]float64{float64(i), 0, 0}})
	}
	doc.Scenes = []*gltf.Scene{{Nodes: []int{0, 1, 2, 3}}}
	doc.Scene = gltf.Index(0)
	return doc
}

// anFlatNormalPNG is a 2×2 normal map of the flat normal (0.5, 0.5, 1).
func anFlatNormalPNG(t *testing.T) []byte {
	img := image.NewNRGBA(image.Rect(0, 0, 2, 2))
	for i := 0; i < len(img.Pix); i += 4 {
		copy(img.Pix[i:], []byte{128, 128, 255, 255})
	}
	var b bytes.Buffer
	if err := png.Encode(&b, img); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// anDecode packs doc as a GLB and reads it back as a Model, as Load leaves it.
func anDecode(t *testing.T, doc *gltf.Document) *modelio.Model {
	t.Helper()
	var b bytes.Buffer
	if err := gltf.NewEncoder(&b).Encode(doc); err != nil {
		t.Fatal(err)
	}
	m, err := modelio.Decode(b.Bytes(), nil)
	if err != nil {
		t.Fatal(err)
	}
	return m
}
