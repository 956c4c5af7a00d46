package inspect

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/qmuntal/gltf"

	"github.com/kiln3d/kiln/providers/modeltest"
	"github.com/kiln3d/kiln/providers/providertest"
)

// tetra is a valid model: a tetrahedron 1 m on each axis, without normals.
func tetra() *gltf.Document { return providertest.Tetrahedron() }

func save(t *testing.T, doc *gltf.Document) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "model.glb")
	if err := gltf.SaveBinary(doc, path); err != nil {
		t.Fatal(err)
	}
	return path
}

func TestInspectMeasures(t *testing.T) {
	doc := tetra()
	// Instanced twice, the second copy moved 2 m up and scaled ×2.
	doc.Nodes = append(doc.Nodes, &gltf.Node{Mesh: gltf.Index(0), Translation: [3]float64{0, 2, 0}, Scale: [3]float64{2, 2, 2}})
	doc.Scenes[0].Nodes = []int{0, 1}
	r, err := Inspect(save(t, doc))
	if err != nil {
		t.Fatal(err)
	}
	if r.Triangles != 4 || r.DrawnTriangles != 8 || r.Vertices != 4 || r.Meshes != 1 || r.Primitives != 1 {
		t.Errorf("counts: %+v", r)
	}
	if r.Min != [3]float64{0, 0, 0} || r.Max != [3]float64{2, 4, 2} || r.SizeCM() != [3]float64{200, 400, 200} {
		t.Errorf("bounds %v..%v, size %v cm", r.Min, r.Max, r.SizeCM())
	}
	if !r.MissingNormals || len(r.Warnings) == 0 || !strings.Contains(r.Warnings[0], "no normals") {
		t.Errorf("warnings %v", r.Warnings)
	}
}

func TestInspectRefusesMalformedFiles(t *testing.T) {
	cases := map[string]struct {
		mutate func(*gltf.Document)
		want   string
	}{
		"index out of range": {func(d *gltf.Document) {
			d.Accessors[1] = &gltf.Accessor{BufferView: d.Accessors[1].BufferView, ComponentType: gltf.ComponentUshort, Type: gltf.AccessorScalar, Count: 12}
			d.Buffers[0].Data[48] = 99 // the first index (positions take 48 bytes)
		}, "index 99 is past its 4 vertices"},
		"huge accessor":      {func(d *gltf.Document) { d.Accessors[0].Count = 1 << 40 }, "claims 1099511627776 elements"},
		"accessor past view": {func(d *gltf.Document) { d.Accessors[0].Count = 400 }, "accessor 0 needs"},
		"view past buffer":   {func(d *gltf.Document) { d.BufferViews[0].ByteLength = 1 << 20 }, "runs past the end of its buffer"},
		"missing view":       {func(d *gltf.Document) { d.Accessors[0].BufferView = gltf.Index(7) }, "bufferView 7, which does not exist"},
		"node cycle": {func(d *gltf.Document) {
			d.Nodes = append(d.Nodes, &gltf.Node{Children: []int{0}})
			d.Nodes[0].Children = []int{1}
		}, "cycle through node 0"},
		"own child":            {func(d *gltf.Document) { d.Nodes[0].Children = []int{0} }, "is its own"},
		"missing mesh":         {func(d *gltf.Document) { d.Nodes[0].Mesh = gltf.Index(3) }, "mesh 3, which does not exist"},
		"missing material":     {func(d *gltf.Document) { d.Meshes[0].Primitives[0].Material = gltf.Index(2) }, "material 2, which does not exist"},
		"draco":                {func(d *gltf.Document) { d.ExtensionsRequired = []string{"KHR_draco_mesh_compression"} }, "Draco-compressed: can't preview"},
		"unknown required ext": {func(d *gltf.Document) { d.ExtensionsRequired = []string{"EXT_future"} }, "requires the EXT_future extension"},
		"min/max lie": {func(d *gltf.Document) {
			d.Accessors[0].Min, d.Accessors[0].Max = []float64{0, 0, 0}, []float64{5, 5, 5}
		}, "do not reach the bounds"},
	}
	for name, c := range cases {
		doc := tetra()
		c.mutate(doc)
		_, err := Inspect(save(t, doc))
		var ie *Error
		if !errors.As(err, &ie) || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: %v, want an *Error containing %q", name, err, c.want)
		}
	}
}

func TestInspectRefusesBadContainers(t *testing.T) {
	good, err := os.ReadFile(save(t, tetra()))
	if err != nil {
		t.Fatal(err)
	}
	v1 := append([]byte(nil), good...)
	v1[4] = 1
	// Same number of digits, so the chunk lengths still hold: only the claim is wrong.
	hugeBuffer := strings.Replace(string(good), `"buffers":[{"byteLength":72}`, `"buffers":[{"byteLength":99}`, 1)
	dir := t.TempDir()
	cases := map[string]struct {
		data []byte
		want string
	}{
		"empty.glb":    {nil, "the file is empty"},
		"text.glb":     {[]byte("hello"), "not a glTF model"},
		"cut.glb":      {good[:len(good)/2], "cut short"},
		"v1.glb":       {v1, "a glTF 1.0 binary"},
		"buffer.glb":   {[]byte(hugeBuffer), "buffer 0 claims 99 bytes but the binary chunk has 72"},
		"badjson.gltf": {[]byte(`{"asset": {"version": "2.0"`), "its JSON is malformed"},
		"old.gltf":     {[]byte(`{"asset": {"version": "1.0"}}`), `asset.version is "1.0"`},
		"escape.gltf":  {[]byte(`{"asset":{"version":"2.0"},"buffers":[{"byteLength":4,"uri":"../../etc/passwd"}]}`), "not a file beside the model"},
		"network.gltf": {[]byte(`{"asset":{"version":"2.0"},"buffers":[{"byteLength":4,"uri":"https://example.com/a.bin"}]}`), "on the network"},
		"missing.gltf": {[]byte(`{"asset":{"version":"2.0"},"buffers":[{"byteLength":4,"uri":"nope.bin"}]}`), "nope.bin is missing"},
		"datauri.gltf": {[]byte(`{"asset":{"version":"2.0"},"buffers":[{"byteLength":4000,"uri":"data:application/octet-stream;base64,AAAA"}]}`), "more than its data URI holds"},
	}
	for name, c := range cases {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, c.data, 0o644); err != nil {
			t.Fatal(err)
		}
		_, err := Inspect(p)
		if err == nil || !strings.Contains(err.Error(), c.want) || !strings.HasPrefix(err.Error(), name+": ") {
			t.Errorf("%s: %v, want %q", name, err, c.want)
		}
	}
}

// The shared corpus: every model is measured, Draco is refused, every invalid file is refused.
func TestInspectCorpus(t *testing.T) {
	models := modeltest.CorpusDir(t, "models")
	var files []string
	for _, pat := range []string{"*.glb", "*/*.gltf", "*/*.glb"} {
		m, _ := filepath.Glob(filepath.Join(models, pat))
		files = append(files, m...)
	}
	for _, f := range files {
		r, err := Inspect(f)
		if strings.Contains(f, "DRACO") {
			if err == nil || !strings.Contains(err.Error(), "Draco-compressed: can't preview") {
				t.Errorf("%s: %v", filepath.Base(f), err)
			}
			continue
		}
		if err != nil {
			t.Errorf("%s: %v", filepath.Base(f), err)
			continue
		}
		if r.Triangles == 0 || r.SizeCM()[1] <= 0 {
			t.Errorf("%s: %+v", filepath.Base(f), r)
		}
	}
	invalid := modeltest.CorpusDir(t, "invalid")
	bad, _ := filepath.Glob(filepath.Join(invalid, "*.glb"))
	more, _ := filepath.Glob(filepath.Join(invalid, "*", "*.gltf"))
	for _, f := range append(bad, more...) {
		if _, err := Inspect(f); err == nil {
			t.Errorf("%s was accepted", filepath.Base(f))
		} else {
			t.Logf("%s", err)
		}
	}
}

func saveDoc(doc *gltf.Document, path string) error { return gltf.SaveBinary(doc, path) }

// TestShownExtensions: the material extensions the preview draws raise no "not shown" warning,
// even when required; one it does not draw is listed and warned about, and refused when required.
func TestShownExtensions(t *testing.T) {
	for _, ext := range []string{"KHR_materials_unlit", "KHR_materials_emissive_strength", "KHR_texture_transform"} {
		doc := tetra()
		doc.ExtensionsUsed, doc.ExtensionsRequired = []string{ext}, []string{ext}
		rep, err := Inspect(save(t, doc))
		if err != nil || len(rep.Unsupported) != 0 {
			t.Errorf("%s: %v, unsupported %v", ext, err, rep)
		}
	}
	doc := tetra()
	doc.ExtensionsUsed = []string{"KHR_materials_sheen"}
	if rep, err := Inspect(save(t, doc)); err != nil || len(rep.Unsupported) != 1 || rep.Unsupported[0] != "KHR_materials_sheen" {
		t.Errorf("sheen: %v %+v", err, rep)
	}
	doc.ExtensionsRequired = []string{"KHR_materials_sheen"}
	if _, err := Inspect(save(t, doc)); err == nil || !strings.Contains(err.Error(), "which the preview cannot show") {
		t.Errorf("sheen required: %v", err)
	}
}
