package app

import (
	"context"
	"math"
	"math/bits"
	"testing"

	"github.com/kiln3d/kiln/app/modelio"
	"github.com/kiln3d/kiln/app/modelio/modeliotest"
	"github.com/kiln3d/kiln/providers/providertest"
)

// line is the pre-flight's line id, failing the test when it is not there.
func line(t *testing.T, pf Preflight, id string) Check {
	t.Helper()
	for _, c := range pf.Checks {
		if c.ID == id {
			return c
		}
	}
	t.Fatalf("no %s line in %+v", id, pf.Checks)
	return Check{}
}

// fixOf checks that line id has verdict want and a fix of kind, applies it, and returns the new
// asset, checking that it records where it came from.
func fixOf(t *testing.T, k *Kiln, a Asset, pf Preflight, id string, want Verdict, kind FixKind, adjust func(*Fix)) Asset {
	t.Helper()
	c := line(t, pf, id)
	if c.Verdict != want || c.Fix == nil || c.Fix.Kind != kind {
		t.Fatalf("%s line: %+v, want %s with a %s fix", id, c, want, kind)
	}
	f := *c.Fix
	if adjust != nil {
		adjust(&f)
	}
	fixed, err := k.Fix(context.Background(), a.ID, f, nil)
	if err != nil {
		t.Fatalf("%s fix: %v", kind, err)
	}
	if fixed.DerivedFrom == nil || fixed.DerivedFrom.Asset != a.ID || fixed.DerivedFrom.Operation != string(kind) {
		t.Errorf("the fixed copy's lineage: %+v", fixed.DerivedFrom)
	}
	if orig, err := k.Library.Get(a.ID); err != nil || orig.Files[0].SHA256 != a.Files[0].SHA256 {
		t.Errorf("the original changed: %v", err)
	}
	return fixed
}

func load(t *testing.T, a Asset) *modelio.Model {
	t.Helper()
	m, err := modelio.Load(context.Background(), a.ModelPath())
	if err != nil {
		t.Fatal(err)
	}
	return m
}

// TestPreflightFixesLocalModel: the local provider's model passes for every engine (but for
// its texture's size where the engine wants powers of two); over a
// budget it fails with a reduction that ends within it, after which it passes.
func TestPreflightFixesLocalModel(t *testing.T) {
	ctx := context.Background()
	k := openKiln(t, t.TempDir(), QueueOptions{}, providertest.NewFake("fake"))
	a := addModel(t, k, modeliotest.LocalModel(t))
	for _, p := range Presets {
		pf, err := k.CheckAsset(ctx, a.ID, ExportOptions{Preset: p.Name})
		if err != nil {
			t.Fatal(err)
		}
		for _, c := range pf.Checks {
			// The local provider's texture atlas is not a power of two in size: a warning where
			// the engine wants one, with its fix.
			potWarning := c.ID == CheckTextures && c.Verdict == Warn && p.PowerOfTwo && c.Fix != nil
			if c.Verdict != Pass && !potWarning {
				t.Errorf("%s: the local model's %s line: %s %s", p.Name, c.ID, c.Verdict, c.Detail)
			}
		}
	}
	budget := a.Triangles / 3
	pf, err := k.CheckAsset(ctx, a.ID, ExportOptions{Preset: "godot", Polycount: budget})
	if err != nil {
		t.Fatal(err)
	}
	if pf.OK() {
		t.Fatal("a model three times over its budget passed")
	}
	fixed := fixOf(t, k, a, pf, CheckTriangles, Fail, FixReduce, nil)
	if _, drawn := load(t, fixed).Triangles(); drawn > budget || drawn < budget*9/10 {
		t.Errorf("reduced to %d triangles for a budget of %d", drawn, budget)
	}
	if pf, err := k.CheckAsset(ctx, fixed.ID, ExportOptions{Preset: "godot", Polycount: budget}); err != nil || !pf.OK() {
		t.Errorf("the reduced copy: %+v %v", pf.Failed(), err)
	}
}

// TestPreflightFixesTextures: a texture over the preset's limit fails, one that is not a power of
// two warns where the engine wants powers of two; the fix brings them within.
func TestPreflightFixesTextures(t *testing.T) {
	ctx := context.Background()
	k := openKiln(t, t.TempDir(), QueueOptions{}, providertest.NewFake("fake"))
	a := addModel(t, k, modeliotest.Corpus(t, "khronos_BoxTextured.glb")) // one 211×211 texture

	pf, err := k.CheckAsset(ctx, a.ID, ExportOptions{Preset: "blender"})
	if err != nil || line(t, pf, CheckTextures).Verdict != Pass {
		t.Fatalf("Blender takes any size: %+v %v", line(t, pf, CheckTextures), err)
	}
	pf, err = k.CheckAsset(ctx, a.ID, ExportOptions{Preset: "unity"})
	if err != nil {
		t.Fatal(err)
	}
	pot := fixOf(t, k, a, pf, CheckTextures, Warn, FixDownscale, nil)
	for _, tex := range load(t, pot).Report.Textures {
		if bits.OnesCount(uint(tex.Width)) != 1 || bits.OnesCount(uint(tex.Height)) != 1 || tex.Width > 211 {
			t.Errorf("after the fix a texture is %d×%d", tex.Width, tex.Height)
		}
	}
	pf, err = k.CheckAsset(ctx, a.ID, ExportOptions{Preset: "godot", MaxTexture: 64})
	if err != nil {
		t.Fatal(err)
	}
	small := fixOf(t, k, a, pf, CheckTextures, Fail, FixDownscale, nil)
	for _, tex := range load(t, small).Report.Textures {
		if max(tex.Width, tex.Height) > 64 {
			t.Errorf("after the fix a texture is %d×%d, over 64", tex.Width, tex.Height)
		}
	}
	if pf, err := k.CheckAsset(ctx, small.ID, ExportOptions{Preset: "godot", MaxTexture: 64}); err != nil || !pf.OK() {
		t.Errorf("the downscaled copy: %+v %v", pf.Failed(), err)
	}
}

// TestPreflightFixesInstancedModel: a model whose meshes are drawn several times is judged on
// what the engine draws (over a budget its unique triangles meet), is implausibly large, and has
// its origin away from its base; reducing, rescaling to a height and recentring fix each.
func TestPreflightFixesInstancedModel(t *testing.T) {
	ctx := context.Background()
	k := openKiln(t, t.TempDir(), QueueOptions{}, providertest.NewFake("fake"))
	a := addModel(t, k, modeliotest.Corpus(t, "khronos_2CylinderEngine.glb"))
	unique, drawn := load(t, a).Triangles()
	budget := (unique + drawn) / 2 // above the unique count, below what is drawn
	pf, err := k.CheckAsset(ctx, a.ID, ExportOptions{Preset: "unreal", Polycount: budget})
	if err != nil {
		t.Fatal(err)
	}
	reduced := fixOf(t, k, a, pf, CheckTriangles, Fail, FixReduce, nil)
	if _, got := load(t, reduced).Triangles(); got > budget {
		t.Errorf("reduced to %d drawn triangles for a budget of %d", got, budget)
	}

	const height = 42.0 // cm
	tall := fixOf(t, k, a, pf, CheckSize, Warn, FixRescale, func(f *Fix) { f.HeightCM = height })
	lo, hi, _, err := load(t, tall).Bounds()
	if err != nil {
		t.Fatal(err)
	}
	if got := (hi[1] - lo[1]) * 100; math.Abs(got-height) > 0.01*height {
		t.Errorf("rescaled to %.3g cm, want %g", got, height)
	}
	if pf, err := k.CheckAsset(ctx, tall.ID, ExportOptions{Preset: "unreal"}); err != nil || line(t, pf, CheckSize).Verdict != Pass {
		t.Errorf("the rescaled copy's size line: %+v %v", line(t, pf, CheckSize), err)
	}

	centred := fixOf(t, k, a, pf, CheckPivot, Pass, FixRecentre, nil) // the export moves it anyway
	lo, hi, _, err = load(t, centred).Bounds()
	if err != nil {
		t.Fatal(err)
	}
	size := hi[0] - lo[0]
	if math.Abs(lo[1]) > 1e-4*size || math.Abs(lo[0]+hi[0]) > 1e-4*size || math.Abs(lo[2]+hi[2]) > 1e-4*size {
		t.Errorf("recentred box %v .. %v: the base's centre is not the origin", lo, hi)
	}
	if pf, err := k.CheckAsset(ctx, centred.ID, ExportOptions{Preset: "unreal"}); err != nil || line(t, pf, CheckPivot).Verdict != Pass {
		t.Errorf("the recentred copy's pivot line: %+v %v", line(t, pf, CheckPivot), err)
	}
}

// TestPreflightLines: the other lines read the model: open edges, missing normals, the folder.
func TestPreflightLines(t *testing.T) {
	ctx := context.Background()
	godot, _ := FindPreset("godot")
	t.Run("folder", func(t *testing.T) {
		pf, err := CheckFile(ctx, modeliotest.LocalModel(t), CheckOptions{Preset: godot, Folder: t.TempDir()})
		if err != nil {
			t.Fatal(err)
		}
		if c := line(t, pf, CheckFolder); c.Verdict != Warn {
			t.Errorf("a folder outside any Godot project: %+v", c)
		}
	})
	t.Run("open edges", func(t *testing.T) {
		knight, err := CheckFile(ctx, modeliotest.Corpus(t, "cge_knight/knight.gltf"), CheckOptions{Preset: godot})
		if err != nil {
			t.Fatal(err)
		}
		if c := line(t, knight, CheckEdges); c.Verdict != Warn {
			t.Errorf("the knight's open edges: %+v", c)
		}
	})
	t.Run("refused", func(t *testing.T) {
		bad, err := CheckFile(ctx, modeliotest.Corpus(t, "../invalid/BoxBadNormals.glb"), CheckOptions{Preset: godot})
		if err != nil {
			t.Fatal(err)
		}
		if bad.OK() || line(t, bad, CheckStructure).Verdict != Fail {
			t.Errorf("a model with bad normals: %+v", bad.Checks)
		}
	})
}
