package gltfsimplify

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/qmuntal/gltf"
	"github.com/qmuntal/gltf/modeler"

	"github.com/kiln3d/kiln/providers/modeltest"
)

// reusedDocument is a model whose sphere mesh three nodes draw and whose torus one node draws.
func reusedDocument(t testing.TB) *gltf.Document {
	doc := gltf.NewDocument()
	pos, nor, uv, idx := sphereData(64, 32)
	attrs, err := modeler.WritePrimitiveAttributes(doc,
		modeler.PrimitiveAttribute{Name: gltf.POSITION, Data: pos},
		modeler.PrimitiveAttribute{Name: gltf.NORMAL, Data: nor},
		modeler.PrimitiveAttribute{Name: gltf.TEXCOORD_0, Data: uv},
	)
	if err != nil {
		t.Fatal(err)
	}
	tp, tn := torusSoup(48, 24)
	doc.Meshes = []*gltf.Mesh{
		{Name: "sphere", Primitives: []*gltf.Primitive{{Attributes: attrs, Indices: gltf.Index(modeler.WriteIndices(doc, idx))}}},
		{Name: "torus", Primitives: []*gltf.Primitive{{Attributes: gltf.PrimitiveAttributes{
			gltf.POSITION: modeler.WritePosition(doc, tp), gltf.NORMAL: modeler.WriteNormal(doc, tn)}}}},
	}
	doc.Nodes = []*gltf.Node{
		{Name: "sphere 1", Mesh: gltf.Index(0)},
		{Name: "sphere 2", Mesh: gltf.Index(0), Translation: [3]float64{3, 0, 0}},
		{Name: "group", Translation: [3]float64{0, 3, 0}, Children: []int{3, 4}},
		{Name: "sphere 3", Mesh: gltf.Index(0)},
		{Name: "torus", Mesh: gltf.Index(1)},
	}
	doc.Scenes[0].Nodes = []int{0, 1, 2}
	return doc
}

// TestFileBudgetsWhatIsDrawn: a mesh three nodes draw counts three times against the target,
// which the result never exceeds and comes close to; the counts File gives are the validator's
// and those of the output itself.
func TestFileBudgetsWhatIsDrawn(t *testing.T) {
	dir := t.TempDir()
	in := saveGLB(t, reusedDocument(t), filepath.Join(dir, "reused.glb"))
	src := reusedDocument(t)
	sphere := triangleCount(src, src.Meshes[0].Primitives[0])
	torus := triangleCount(src, src.Meshes[1].Primitives[0])
	var outputs []string
	var claimed []int
	for _, target := range []int{12_000, 6000, 2500, 1000} {
		var seen []float64
		res, err := File(context.Background(), in, target, func(d float64) { seen = append(seen, d) })
		if err != nil {
			t.Fatalf("%d: %v", target, err)
		}
		if res.Before != sphere+torus || res.DrawnBefore != 3*sphere+torus {
			t.Errorf("%d: before %d unique, %d drawn; want %d, %d", target, res.Before, res.DrawnBefore, sphere+torus, 3*sphere+torus)
		}
		if res.DrawnAfter > target || res.DrawnAfter < target*97/100 {
			t.Errorf("%d: %d triangles drawn, want %d − 3%% to %d", target, res.DrawnAfter, target, target)
		}
		if len(seen) == 0 || seen[len(seen)-1] != 1 || !slices.IsSorted(seen) {
			t.Errorf("%d: progress %v", target, seen)
		}
		out := writeResult(t, res, filepath.Join(dir, fmt.Sprintf("out-%d.glb", target)))
		doc, err := gltf.Open(out)
		if err != nil {
			t.Fatal(err)
		}
		s, o := triangleCount(doc, doc.Meshes[0].Primitives[0]), triangleCount(doc, doc.Meshes[1].Primitives[0])
		if u, d := Triangles(doc); u != res.After || d != res.DrawnAfter || d != 3*s+o {
			t.Errorf("%d: the output holds %d triangles, %d drawn (sphere %d, torus %d); File said %d, %d", target, u, d, s, o, res.After, res.DrawnAfter)
		}
		// Both meshes come down by about the same ratio: neither pays for the other.
		if rs, ro := float64(s)/float64(sphere), float64(o)/float64(torus); rs > 1.1*ro || ro > 1.1*rs {
			t.Errorf("%d: the sphere kept %.3f of its triangles, the torus %.3f", target, rs, ro)
		}
		t.Logf("%d: %d → %d unique, %d → %d drawn", target, res.Before, res.After, res.DrawnBefore, res.DrawnAfter)
		outputs, claimed = append(outputs, out), append(claimed, res.After)
	}
	for i, r := range modeltest.Validate(t, outputs...) {
		if r.Triangles != claimed[i] {
			t.Errorf("%s: the validator counts %d triangles, File said %d", filepath.Base(r.File), r.Triangles, claimed[i])
		}
	}
}

// TestFileRefusesABudgetItCannotMeet: below what the model comes down to, File returns a
// *BudgetError and no model; its Least is a budget File then meets.
func TestFileRefusesABudgetItCannotMeet(t *testing.T) {
	in := saveGLB(t, reusedDocument(t), filepath.Join(t.TempDir(), "reused.glb"))
	for _, target := range []int{0, 1, 10} {
		res, err := File(context.Background(), in, target, nil)
		var be *BudgetError
		if !errors.Is(err, ErrBudget) || !errors.As(err, &be) || res != nil {
			t.Fatalf("%d: %v (%+v), want a *BudgetError and no result", target, err, res)
		}
		if be.Target != target || be.Least <= target {
			t.Errorf("%d: %+v", target, be)
		}
		for _, s := range []string{"reused.glb", fmt.Sprint(be.Least), "larger budget"} {
			if !strings.Contains(err.Error(), s) {
				t.Errorf("%d: %q does not say %q", target, err, s)
			}
		}
		res, err = File(context.Background(), in, be.Least, nil)
		if err != nil || res.DrawnAfter > be.Least {
			t.Errorf("%d: asked for the %d it gave: %v", target, be.Least, err)
		}
	}
}

// TestFileEngineAt20000 is the case: the 2CylinderEngine reuses meshes (one of them in
// twenty nodes), and at 20,000 it used to write 20,395 unique triangles that engines draw as
// 32,776.
func TestFileEngineAt20000(t *testing.T) {
	in := filepath.Join(modeltest.CorpusDir(t, "models"), "khronos_2CylinderEngine.glb")
	start := time.Now()
	res, err := File(context.Background(), in, 20_000, nil)
	if err != nil {
		t.Fatal(err)
	}
	took := time.Since(start)
	if res.DrawnAfter > 20_000 || res.DrawnAfter < 19_000 || res.DrawnBefore <= res.Before {
		t.Errorf("%d → %d drawn (%d → %d unique), want 19,000 to 20,000", res.DrawnBefore, res.DrawnAfter, res.Before, res.After)
	}
	t.Logf("%d → %d unique, %d → %d drawn, in %v", res.Before, res.After, res.DrawnBefore, res.DrawnAfter, took)
	out := writeResult(t, res, filepath.Join(t.TempDir(), "engine.glb"))
	doc, err := gltf.Open(out)
	if err != nil {
		t.Fatal(err)
	}
	if u, d := Triangles(doc); u != res.After || d != res.DrawnAfter {
		t.Errorf("the output holds %d triangles, %d drawn; File said %d, %d", u, d, res.After, res.DrawnAfter)
	}
	if r := modeltest.Validate(t, out); r[0].Triangles != res.After {
		t.Errorf("the validator counts %d triangles, File said %d", r[0].Triangles, res.After)
	}
}

// TestFileNeverEndsAboveTheBudget runs a table of budgets over the corpus's models, most of
// them about the model's floor: each is met, or refused with ErrBudget when below the floor.
func TestFileNeverEndsAboveTheBudget(t *testing.T) {
	models := modeltest.CorpusDir(t, "models")
	files := []string{"webxr_valve-index_right.glb", "webxr_generic-hand_left.glb", "cge_knight/knight.gltf", "khronos_BoxTextured.glb", "khronos_2CylinderEngine.glb"}
	if testing.Short() {
		files = files[:4]
	}
	for _, f := range files {
		in := filepath.Join(models, f)
		if _, err := os.Stat(in); err != nil {
			t.Logf("%s is not in the corpus", f)
			continue
		}
		src, err := gltf.Open(in)
		if err != nil {
			t.Fatal(err)
		}
		_, drawn := Triangles(src)
		least := floorOf(t, in)
		for _, target := range []int{4, least - 1, least, least + least/100 + 1, (least + drawn) / 2, drawn - 1} {
			res, err := File(context.Background(), in, target, nil)
			switch {
			case errors.Is(err, ErrBudget) && target < least:
				t.Logf("%s at %d: refused (floor %d)", f, target, least)
			case err != nil:
				t.Errorf("%s at %d (floor %d): %v", f, target, least, err)
			case res.DrawnAfter > target:
				t.Errorf("%s at %d: %d drawn (%d unique)", f, target, res.DrawnAfter, res.After)
			default:
				t.Logf("%s at %d: %d → %d drawn (floor %d)", f, target, res.DrawnBefore, res.DrawnAfter, least)
			}
		}
	}
}

func TestTrianglesCountsTheShownScene(t *testing.T) {
	mesh := func(doc *gltf.Document, n int) *gltf.Mesh {
		pos := make([][3]float32, 3*n)
		for i := range pos {
			pos[i] = [3]float32{float32(i), float32(i % 3), 0}
		}
		return &gltf.Mesh{Primitives: []*gltf.Primitive{{Attributes: gltf.PrimitiveAttributes{gltf.POSITION: modeler.WritePosition(doc, pos)}}}}
	}
	doc := gltf.NewDocument()
	// Meshes of 1, 10, 100 and 1000 triangles, so that each total says which were counted.
	doc.Meshes = []*gltf.Mesh{mesh(doc, 1), mesh(doc, 10), mesh(doc, 100), mesh(doc, 1000)}
	doc.Meshes[3].Primitives = append(doc.Meshes[3].Primitives, &gltf.Primitive{
		Attributes: doc.Meshes[3].Primitives[0].Attributes, Mode: gltf.PrimitiveLines})
	doc.Nodes = []*gltf.Node{
		{Mesh: gltf.Index(0), Children: []int{1, 1, 7}}, // a child listed twice, one out of range
		{Mesh: gltf.Index(1)},
		{Mesh: gltf.Index(1), Children: []int{3}},
		{Mesh: gltf.Index(2), Children: []int{2}}, // a cycle
		{Mesh: gltf.Index(1)},
	}
	cases := []struct {
		name          string
		scenes        []*gltf.Scene
		scene         *int
		unique, drawn int
	}{
		// Meshes 2 and 3 are drawn by no node of scene 0, and mesh 3 by none at all: once each.
		{"scene 0", []*gltf.Scene{{Nodes: []int{0, 0}}, {Nodes: []int{2, 4, 3}}}, nil, 1111, 1 + 10 + 100 + 1000},
		{"the default scene", []*gltf.Scene{{Nodes: []int{0, 0}}, {Nodes: []int{2, 4, 3}}}, gltf.Index(1), 1111, 1 + 2*10 + 100 + 1000},
		{"a default scene out of range", []*gltf.Scene{{Nodes: []int{0, 0}}}, gltf.Index(3), 1111, 1 + 10 + 100 + 1000},
		// The roots are nodes 0 and 4; nodes 2 and 3 are each other's child.
		{"no scenes", nil, nil, 1111, 1 + 2*10 + 100 + 1000},
	}
	for _, c := range cases {
		doc.Scenes, doc.Scene = c.scenes, c.scene
		if u, d := Triangles(doc); u != c.unique || d != c.drawn {
			t.Errorf("%s: %d unique, %d drawn; want %d, %d", c.name, u, d, c.unique, c.drawn)
		}
	}
}
