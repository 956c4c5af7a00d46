package inspect

import (
	"encoding/base64"
	"encoding/binary"
	"encoding/json"
	"errors"
	"math"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	"github.com/qmuntal/gltf"
	"github.com/qmuntal/gltf/modeler"

	"github.com/kiln3d/kiln/providers/modeltest"
)

// saveGLTF writes doc as model.gltf with its buffer 0 beside it as model.bin, in dir.
func saveGLTF(t *testing.T, dir string, doc *gltf.Document) string {
	t.Helper()
	if err := os.WriteFile(filepath.Join(dir, "model.bin"), doc.Buffers[0].Data, 0o644); err != nil {
		t.Fatal(err)
	}
	doc.Buffers[0].URI = "model.bin"
	text, err := json.Marshal(doc)
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(dir, "model.gltf")
	if err := os.WriteFile(path, text, 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

func wantRefusal(t *testing.T, what string, err error, want string) {
	t.Helper()
	var ie *Error
	if !errors.As(err, &ie) || !strings.Contains(err.Error(), want) {
		t.Errorf("%s: %v, want an *Error containing %q", what, err, want)
	}
}

// TestTerabyteBufferRefusedCheaply is the file that killed Kiln when it was filed in the
// library or simplified: 5 KB whose buffer claims a terabyte. qmuntal/gltf compares the claim
// with the chunk as a uint32 (2^40 truncates to 0) and then allocates it.
func TestTerabyteBufferRefusedCheaply(t *testing.T) {
	const claim = 1 << 40
	bin := make([]byte, 5000)
	text := `{"asset":{"version":"2.0"},"buffers":[{"byteLength":1099511627776}],` +
		`"bufferViews":[{"buffer":0,"byteLength":48}],` +
		`"accessors":[{"bufferView":0,"componentType":5126,"count":4,"type":"VEC3"}],` +
		`"meshes":[{"primitives":[{"attributes":{"POSITION":0}}]}],"nodes":[{"mesh":0}],"scenes":[{"nodes":[0]}]}`
	data := modeltest.GLB(text, bin)
	if len(data) < 5000 || len(data) > 5500 {
		t.Fatalf("the file is %d bytes", len(data))
	}
	dir := t.TempDir()
	path := filepath.Join(dir, "terabyte.glb")
	if err := os.WriteFile(path, data, 0o644); err != nil {
		t.Fatal(err)
	}
	// The same claim from a .gltf, on an external buffer and on a data URI.
	gltfPath := filepath.Join(dir, "terabyte.gltf")
	os.WriteFile(filepath.Join(dir, "terabyte.bin"), bin, 0o644)
	os.WriteFile(gltfPath, []byte(strings.Replace(text, `{"byteLength":1099511627776}`, `{"byteLength":1099511627776,"uri":"terabyte.bin"}`, 1)), 0o644)
	dataPath := filepath.Join(dir, "datauri.gltf")
	os.WriteFile(dataPath, []byte(strings.Replace(text, `{"byteLength":1099511627776}`,
		`{"byteLength":1099511627776,"uri":"data:application/octet-stream;base64,`+base64.StdEncoding.EncodeToString(bin)+`"}`, 1)), 0o644)

	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	for range 10 {
		_, err := Inspect(path)
		wantRefusal(t, "glb", err, "buffer 0 claims 1099511627776 bytes but the binary chunk has 5000")
		_, err = Inspect(gltfPath)
		wantRefusal(t, "gltf", err, "buffer 0 claims 1099511627776 bytes but terabyte.bin has 5000")
		_, _, err = Load(dataPath)
		wantRefusal(t, "data URI", err, "more than its data URI holds")
	}
	runtime.ReadMemStats(&after)
	if per := (after.TotalAlloc - before.TotalAlloc) / 30; per > 256<<10 {
		t.Errorf("refusing a %d-byte file allocated %d bytes", claim, per)
	}
}

// setFloat overwrites the float32 at off in the document's buffer 0.
func setFloat(doc *gltf.Document, off int, v float32) {
	binary.LittleEndian.PutUint32(doc.Buffers[0].Data[off:], math.Float32bits(v))
}

func TestRefusesNonFiniteNumbers(t *testing.T) {
	nan, inf := float32(math.NaN()), float32(math.Inf(1))
	// normal gives the tetrahedron normals, then makes the third one's component k v.
	normal := func(k int, v float32) func(*gltf.Document) {
		return func(d *gltf.Document) {
			ai := modeler.WriteNormal(d, [][3]float32{{1, 0, 0}, {0, 1, 0}, {0, 0, 1}, {0, 0, 1}})
			d.Meshes[0].Primitives[0].Attributes[gltf.NORMAL] = ai
			bv := d.BufferViews[*d.Accessors[ai].BufferView]
			setFloat(d, bv.ByteOffset+d.Accessors[ai].ByteOffset+2*12+4*k, v)
		}
	}
	// The vertex data is binary, where NaN and infinities are easily written: the file is a
	// .glb, its bounds (min/max) computed before the damage.
	for name, c := range map[string]struct {
		mutate func(*gltf.Document)
		want   string
	}{
		"NaN position with min/max": {func(d *gltf.Document) { setFloat(d, 16, nan) }, "mesh 0 primitive 0: some positions are not numbers"},
		"Inf position without min/max": {func(d *gltf.Document) {
			setFloat(d, 16, inf)
			d.Accessors[0].Min, d.Accessors[0].Max = nil, nil
		}, "its positions do not declare their bounds (min and max), which glTF requires (and 1 more error)"},
		"NaN normal": {normal(0, nan), "mesh 0 primitive 0: some normals are not numbers"},
		"Inf normal": {normal(1, -inf), "some normals are not numbers"},
	} {
		doc := tetra()
		c.mutate(doc)
		_, err := Inspect(save(t, doc))
		wantRefusal(t, name, err, c.want)
	}
	// JSON cannot spell NaN or infinity (encoding/json refuses 1e999), so bounds and node
	// transforms can only be damaged in a document built in memory: checked all the same, for
	// a caller that builds one.
	for name, c := range map[string]struct {
		mutate func(*gltf.Document)
		want   string
	}{
		"NaN max":         {func(d *gltf.Document) { d.Accessors[0].Max[1] = math.NaN() }, "accessor 0 declares bounds that are not numbers"},
		"Inf min":         {func(d *gltf.Document) { d.Accessors[0].Min[2] = math.Inf(-1) }, "accessor 0 declares bounds that are not numbers"},
		"Inf translation": {func(d *gltf.Document) { d.Nodes[0].Translation = [3]float64{0, math.Inf(1), 0} }, "node 0 has a transform that is not numbers"},
		"NaN matrix": {func(d *gltf.Document) {
			d.Nodes[0].Matrix = [16]float64{1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1, 0, math.NaN(), 0, 0, 1}
		}, "node 0 has a transform"},
		"NaN rotation": {func(d *gltf.Document) { d.Nodes[0].Rotation = [4]float64{0, 0, math.NaN(), 1} }, "node 0 has a transform"},
		"NaN weight":   {func(d *gltf.Document) { d.Nodes[0].Weights = []float64{math.NaN()} }, "node 0 has a transform"},
	} {
		doc := tetra()
		c.mutate(doc)
		ch := &checker{path: "model.glb"}
		checkDocument(ch, doc, 1<<20, nil)
		wantRefusal(t, name, ch.refusal(), c.want)
	}
	if _, err := json.Marshal(map[string]float64{"x": math.NaN()}); err == nil {
		t.Error("encoding/json wrote a NaN: the file-level test above is now possible")
	}
	var v struct{ X float64 }
	if err := json.Unmarshal([]byte(`{"X":1e999}`), &v); err == nil {
		t.Errorf("encoding/json read 1e999 as %v: write a file-level test for infinite bounds", v.X)
	}
}

func b64(b []byte) string { return base64.StdEncoding.EncodeToString(b) }
