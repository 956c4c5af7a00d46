package cli

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/kiln3d/kiln/app"
	"github.com/kiln3d/kiln/app/modelio/modeliotest"
)

// TestExportAndCheck: kiln check prints the pre-flight and exits 1 when a line fails; kiln export
// refuses a model over its budget, says the fix, applies it with --fix (a new library asset) and
// exports that; it never overwrites without --force, and --json says what it did.
func TestExportAndCheck(t *testing.T) {
	home, out, ctx := t.TempDir(), t.TempDir(), context.Background()
	model := modeliotest.LocalModel(t)

	r := kiln(t, ctx, home, fakes, "check", model, "--preset", "godot")
	if r.status != 0 || !strings.Contains(r.stdout, "pass  Triangles") || !strings.Contains(r.stdout, "Edges") {
		t.Fatalf("check: %d %q %q", r.status, r.stdout, r.stderr)
	}
	r = kiln(t, ctx, home, fakes, "check", model, "--preset", "godot", "--polycount", "1000")
	if r.status != 1 || !strings.Contains(r.stdout, "fail  Triangles") || !strings.Contains(r.stdout, "[fix: Reduce to 1,000]") {
		t.Fatalf("check over budget: %d %q %q", r.status, r.stdout, r.stderr)
	}
	r = kiln(t, ctx, home, fakes, "check", filepath.Join(t.TempDir(), "nothing.glb"))
	if r.status == 0 {
		t.Errorf("check of a missing file: %d %q", r.status, r.stdout)
	}

	if r := kiln(t, ctx, home, fakes, "library", "add", model); r.status != 0 {
		t.Fatalf("add: %q", r.stderr)
	}
	r = kiln(t, ctx, home, fakes, "export", "vase", "--preset", "unity", "--polycount", "1000", "--out", out)
	if r.status != 1 || !strings.Contains(r.stderr, "not ready for export") || !strings.Contains(r.stderr, "--fix") {
		t.Fatalf("export over budget: %d %q %q", r.status, r.stdout, r.stderr)
	}
	if entries, _ := os.ReadDir(out); len(entries) != 0 {
		t.Errorf("a refused export wrote %v", entries)
	}
	r = kiln(t, ctx, home, fakes, "export", "vase", "--preset", "unity", "--format", "obj", "--polycount", "1000", "--out", out, "--fix", "--json")
	if r.status != 0 {
		t.Fatalf("export --fix: %d %q %q", r.status, r.stdout, r.stderr)
	}
	var res []exportResult
	if err := json.Unmarshal([]byte(r.stdout), &res); err != nil || len(res) != 1 {
		t.Fatalf("--json printed %q: %v", r.stdout, err)
	}
	if res[0].Status != "exported" || len(res[0].Fixed) != 1 || filepath.Ext(res[0].Files[0]) != ".obj" ||
		!strings.HasSuffix(res[0].Files[len(res[0].Files)-1], app.SidecarSuffix) {
		t.Errorf("export --fix: %+v", res[0])
	}
	for _, f := range res[0].Files {
		if _, err := os.Stat(f); err != nil {
			t.Errorf("listed file: %v", err)
		}
	}
	if listed := kiln(t, ctx, home, fakes, "library", "--json"); strings.Count(listed.stdout, `"derived_from"`) != 1 {
		t.Errorf("the fixed copy is not in the library as a derived asset: %s", listed.stdout)
	}

	r = kiln(t, ctx, home, fakes, "export", res[0].Fixed[0], "--preset", "unity", "--format", "obj", "--out", out)
	if r.status != 1 || !strings.Contains(r.stderr, "--force") {
		t.Errorf("a second export into the same folder: %d %q", r.status, r.stderr)
	}
	r = kiln(t, ctx, home, fakes, "export", res[0].Fixed[0], "--preset", "unity", "--format", "obj", "--out", out, "--force")
	if r.status != 0 || !strings.HasSuffix(strings.TrimSpace(r.stdout), ".obj") {
		t.Errorf("--force: %d %q %q", r.status, r.stdout, r.stderr)
	}
	r = kiln(t, ctx, home, fakes, "export", "vase", "--preset", "unreal", "--format", "obj", "--out", out)
	if r.status != 1 || !strings.Contains(r.stderr, "Unreal Engine 5 imports glb, not obj") {
		t.Errorf("a format the engine does not take: %d %q", r.status, r.stderr)
	}
	r = kiln(t, ctx, home, fakes, "export", "vase", "--preset", "maya", "--out", out)
	if r.status != 1 || !strings.Contains(r.stderr, "godot, unity, unreal, blender") {
		t.Errorf("an unknown preset: %d %q", r.status, r.stderr)
	}
}
