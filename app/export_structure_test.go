package app

import (
	"context"
	"strings"
	"testing"

	"github.com/kiln3d/kiln/app/modelio/modeliotest"
)

// TestStructureLineShowsTheCheck: the Structure line of kiln check and the export dialog names
// what the model check (the validator's rules) found: a refusal's reason, and for an accepted
// model its warnings and the kinds of its infos.
func TestStructureLineShowsTheCheck(t *testing.T) {
	ctx := context.Background()
	engine, err := CheckFile(ctx, modeliotest.Corpus(t, "khronos_2CylinderEngine.glb"), CheckOptions{Preset: Presets[0]})
	if err != nil {
		t.Fatal(err)
	}
	if c := line(t, engine, CheckStructure); c.Verdict != Pass || !strings.HasSuffix(c.Detail, "; for information: ACCESSOR_INDEX_TRIANGLE_DEGENERATE") {
		t.Errorf("the engine's structure line: %+v", c)
	}
	bad, err := CheckFile(ctx, modeliotest.Corpus(t, "../invalid/BoxBadNormals.glb"), CheckOptions{Preset: Presets[0]})
	if err != nil {
		t.Fatal(err)
	}
	if c := line(t, bad, CheckStructure); c.Verdict != Fail || !strings.Contains(c.Detail, "normals are not unit length") || !strings.Contains(c.Detail, "(and 2 more errors)") {
		t.Errorf("bad normals' structure line: %+v", c)
	}
}
