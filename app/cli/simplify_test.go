package cli

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/qmuntal/gltf"

	"github.com/kiln3d/kiln/app"
	"github.com/kiln3d/kiln/providers/providertest"
)

// A model that shows one mesh three times: the budget counts what is drawn, and the command
// says both counts; a budget below what the model comes down to fails and writes nothing.
func TestSimplifyCommandCountsWhatIsDrawn(t *testing.T) {
	dir := t.TempDir()
	in := filepath.Join(dir, "balls.glb")
	if err := providertest.WriteSphere(in, 30, 40); err != nil { // 2,320 triangles
		t.Fatal(err)
	}
	doc, err := gltf.Open(in)
	if err != nil {
		t.Fatal(err)
	}
	for i := 1; i <= 2; i++ {
		doc.Nodes = append(doc.Nodes, &gltf.Node{Mesh: gltf.Index(0), Translation: [3]float64{3 * float64(i), 0, 0}})
		doc.Scenes[0].Nodes = append(doc.Scenes[0].Nodes, len(doc.Nodes)-1)
	}
	if err := gltf.SaveBinary(doc, in); err != nil {
		t.Fatal(err)
	}
	fakes := []*providertest.Fake{providertest.NewFake("local")}
	out := filepath.Join(dir, "small.glb")
	r := kiln(t, context.Background(), t.TempDir(), fakes, "simplify", in, "--polycount", "900", "--out", out)
	if r.status != 0 || strings.TrimSpace(r.stdout) != out || !strings.Contains(r.stderr, "6960 → ") || !strings.Contains(r.stderr, " triangles drawn (2320 → ") {
		t.Fatalf("simplify: %d %q %q", r.status, r.stdout, r.stderr)
	}
	t.Logf("%s", r.stderr)
	info, err := app.ReadModelInfo(out)
	if err != nil || info.DrawnTriangles > 900 || info.DrawnTriangles < 850 || info.DrawnTriangles != 3*info.Triangles {
		t.Errorf("output: %+v %v", info, err)
	}
	low := filepath.Join(dir, "tiny.glb")
	r = kiln(t, context.Background(), t.TempDir(), fakes, "simplify", in, "--polycount", "5", "--out", low)
	if r.status == 0 || !strings.Contains(r.stderr, "larger budget") {
		t.Errorf("a budget of 5: %d %q", r.status, r.stderr)
	}
	t.Logf("%s", r.stderr)
	if _, err := os.Stat(low); !os.IsNotExist(err) {
		t.Errorf("a model was written: %v", err)
	}
}
