package inspect

import (
	"encoding/binary"
	"errors"
	"math"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/qmuntal/gltf"
	"github.com/qmuntal/gltf/modeler"

	"github.com/kiln3d/kiln/providers/modeltest"
)

// refusal loads path and returns its *Error, failing t when the model is accepted.
func refusal(t *testing.T, what, path string) *Error {
	t.Helper()
	_, _, err := Load(path)
	var ie *Error
	if !errors.As(err, &ie) {
		t.Errorf("%s: %v, want a refusal", what, err)
		return &Error{}
	}
	return ie
}

func codes(issues []Issue, s Severity) []string {
	var out []string
	for _, i := range issues {
		if i.Severity == s {
			out = append(out, i.Code)
		}
	}
	return out
}

// TestRefusalsSayWhy: each hostile model is refused with its first error in words an artist can
// act on, its code, and how many more errors there are; the *Error carries the whole report.
func TestRefusalsSayWhy(t *testing.T) {
	nan := float32(math.NaN())
	for _, c := range []struct {
		name   string
		mutate func(*gltf.Document)
		code   string
		reason string
	}{
		{"NaN position", func(d *gltf.Document) { setFloat(d, 16, nan) },
			"ACCESSOR_INVALID_FLOAT", "model.glb: mesh 0 primitive 0: some positions are not numbers (NaN or infinite): the file is damaged (1 of its values, the first in element 1)"},
		// The third vertex's y is the only 1 among them: without it the declared max is wrong too.
		{"NaN position at the max", func(d *gltf.Document) { setFloat(d, 28, nan) },
			"ACCESSOR_INVALID_FLOAT", "the file is damaged (1 of its values, the first in element 2) (and 1 more error)"},
		{"Inf normal", withNormals(0, float32(math.Inf(-1))), "ACCESSOR_INVALID_FLOAT", "mesh 0 primitive 0: some normals are not numbers (NaN or infinite)"},
		{"short normal", withNormals(-1, 0.9), "ACCESSOR_VECTOR3_NON_UNIT",
			"mesh 0 primitive 0: normals are not unit length (1 of them, the first at element 2 has length 0.9): the file is damaged"},
		{"index past the end", func(d *gltf.Document) { d.Buffers[0].Data[48] = 9 }, "ACCESSOR_INDEX_OOB", "mesh 0 primitive 0: index 9 is past its 4 vertices"},
		{"two indices past the end", func(d *gltf.Document) { d.Buffers[0].Data[48], d.Buffers[0].Data[70] = 9, 7 },
			"ACCESSOR_INDEX_OOB", "mesh 0 primitive 0: index 9 is past its 4 vertices (2 indices are)"},
		{"max beyond the data", func(d *gltf.Document) { d.Accessors[0].Max = []float64{1, 1, 2} }, "ACCESSOR_MAX_MISMATCH",
			"mesh 0 primitive 0: positions do not reach the bounds the file declares (the declared z max is 2, the data's 1): the file is damaged"},
		{"data below the min", func(d *gltf.Document) { d.Accessors[0].Min = []float64{0, 0.5, 0} }, "ACCESSOR_ELEMENT_OUT_OF_MIN_BOUND",
			"mesh 0 primitive 0: positions lie outside the bounds the file declares (3 y values below the declared min of 0.5)"},
		{"matrix and translation", func(d *gltf.Document) {
			d.Nodes[0].Matrix = [16]float64{2, 0, 0, 0, 0, 2, 0, 0, 0, 0, 2, 0, 0, 0, 0, 1}
			d.Nodes[0].Translation = [3]float64{1, 0, 0}
		}, "NODE_MATRIX_TRS", "node 0 has both a matrix and a translation, rotation or scale"},
		{"undeclared extension", func(d *gltf.Document) {
			d.Nodes[0].Extensions = gltf.Extensions{"EXT_future": map[string]any{}}
		}, "UNDECLARED_EXTENSION", "the model uses the EXT_future extension without declaring it (extensionsUsed)"},
		{"bad attribute name", func(d *gltf.Document) {
			d.Meshes[0].Primitives[0].Attributes["texcoord_0"] = 0
		}, "MESH_PRIMITIVE_INVALID_ATTRIBUTE", "mesh 0 primitive 0: texcoord_0 is not a vertex attribute glTF defines"},
		{"morph target of another count", func(d *gltf.Document) {
			d.Meshes[0].Primitives[0].Targets = []gltf.PrimitiveAttributes{{gltf.POSITION: modeler.WritePosition(d, [][3]float32{{0, 0, 0}})}}
		}, "MESH_PRIMITIVE_MORPH_TARGET_INVALID_ATTRIBUTE_COUNT", "mesh 0 primitive 0: morph target 0 has 1 elements for 4 vertices"},
		{"skin joint missing", func(d *gltf.Document) { d.Skins = []*gltf.Skin{{Joints: []int{5}}} }, "UNRESOLVED_REFERENCE",
			"skin 0's joint 0 is node 5, which does not exist"},
	} {
		doc := tetra()
		c.mutate(doc)
		ie := refusal(t, c.name, save(t, doc))
		errs := codes(ie.Issues, SeverityError)
		if len(errs) == 0 || errs[0] != c.code || !strings.Contains(ie.Error(), c.reason) {
			t.Errorf("%s: %q with errors %v, want %s and %q", c.name, ie.Error(), errs, c.code, c.reason)
		}
	}
}

// TestIssuesBesideAnAcceptedModel: an accepted model's warnings and infos, with the validator's
// codes and pointers, and Report.Warnings their messages.
func TestIssuesBesideAnAcceptedModel(t *testing.T) {
	doc := tetra()
	doc.Buffers[0].Data[50] = 0 // the first triangle's third corner is its first: degenerate
	modeler.WriteNormal(doc, [][3]float32{{1, 0, 0}})
	doc.Meshes[0].Primitives = append(doc.Meshes[0].Primitives, &gltf.Primitive{
		Attributes: gltf.PrimitiveAttributes{gltf.NORMAL: modeler.WriteNormal(doc, [][3]float32{{0, 1, 0}})}, Mode: gltf.PrimitivePoints})
	doc.Nodes = append(doc.Nodes, &gltf.Node{Name: "empty"})
	doc.Scenes[0].Nodes = []int{0, 1}
	_, rep, err := Load(save(t, doc))
	if err != nil {
		t.Fatal(err)
	}
	want := []Issue{
		{SeverityWarning, "MESH_PRIMITIVE_NO_POSITION", "/meshes/0/primitives/1", "mesh 0 primitive 1 has no positions: nothing of it is drawn"},
		{SeverityInfo, "NODE_EMPTY", "/nodes/1", "node 1 is empty (no mesh, camera or children)"},
		{SeverityInfo, "ACCESSOR_INDEX_TRIANGLE_DEGENERATE", "/meshes/0/primitives/0/indices", "mesh 0 primitive 0: 1 of its 4 triangles are degenerate (two corners on one vertex)"},
		{SeverityWarning, CodeNoNormals, "", "some meshes have no normals: the preview computes them"},
		{SeverityInfo, "UNUSED_OBJECT", "/accessors/2", "accessor 2 is not used by anything in the model"},
	}
	if !slices.Equal(rep.Issues, want) {
		t.Errorf("issues:\n%s\nwant:\n%s", issueLines(rep.Issues), issueLines(want))
	}
	if !slices.Equal(rep.Warnings, []string{want[0].Message, want[3].Message}) {
		t.Errorf("warnings %q", rep.Warnings)
	}
}

func issueLines(issues []Issue) string {
	var b strings.Builder
	for _, i := range issues {
		b.WriteString("  " + i.String() + "\n")
	}
	return b.String()
}

// TestPassRespectsLayout: the data pass reads interleaved vertices by their stride, bounds
// normalized integers by their stored values (as glTF says), and checks shared indices against
// the fewest vertices of the primitives that use them.
func TestPassRespectsLayout(t *testing.T) {
	// Position and normal interleaved, 24 bytes a vertex.
	interleaved := func(normalZ float32) *gltf.Document {
		doc := tetra()
		pos := [][3]float32{{0, 0, 0}, {1, 0, 0}, {0, 1, 0}, {0, 0, 1}}
		data := make([]byte, 0, 96)
		for i, p := range pos {
			n := [3]float32{0, 1, 0}
			if i == 3 {
				n[2] = normalZ
			}
			for _, v := range append(p[:], n[:]...) {
				data = binary.LittleEndian.AppendUint32(data, math.Float32bits(v))
			}
		}
		view := len(doc.BufferViews)
		doc.BufferViews = append(doc.BufferViews, &gltf.BufferView{Buffer: 0, ByteOffset: len(doc.Buffers[0].Data), ByteLength: len(data), ByteStride: 24})
		doc.Buffers[0].Data = append(doc.Buffers[0].Data, data...)
		doc.Buffers[0].ByteLength = len(doc.Buffers[0].Data)
		doc.Accessors = append(doc.Accessors,
			&gltf.Accessor{BufferView: gltf.Index(view), ComponentType: gltf.ComponentFloat, Type: gltf.AccessorVec3, Count: 4,
				Min: []float64{0, 0, 0}, Max: []float64{1, 1, 1}},
			&gltf.Accessor{BufferView: gltf.Index(view), ByteOffset: 12, ComponentType: gltf.ComponentFloat, Type: gltf.AccessorVec3, Count: 4})
		doc.Meshes[0].Primitives[0].Attributes = gltf.PrimitiveAttributes{gltf.POSITION: 2, gltf.NORMAL: 3}
		return doc
	}
	doc := interleaved(0)
	if _, rep, err := Load(save(t, doc)); err != nil || slices.Contains(codes(rep.Issues, SeverityInfo), "ACCESSOR_MIN_MISMATCH") {
		t.Errorf("interleaved: %v", err)
	}
	ie := refusal(t, "interleaved, NaN normal", save(t, interleaved(float32(math.NaN()))))
	if !strings.Contains(ie.Reason, "mesh 0 primitive 0: some normals are not numbers") {
		t.Errorf("interleaved NaN normal: %v", ie)
	}

	// Texture coordinates as normalized bytes: the bounds are the stored 0..255.
	uv := func(max float64) *gltf.Document {
		doc := tetra()
		normalizedUV(max)(doc)
		return doc
	}
	if _, _, err := Load(save(t, uv(255))); err != nil {
		t.Errorf("normalized texture coordinates: %v", err)
	}
	ie = refusal(t, "normalized bounds", save(t, uv(1)))
	if !slices.Contains(codes(ie.Issues, SeverityError), "ACCESSOR_ELEMENT_OUT_OF_MAX_BOUND") {
		t.Errorf("bounds given normalized: %v", ie.Issues)
	}

	// One index accessor drawn by a primitive of 4 vertices and one of 3: index 3 is past
	// the second's.
	doc = tetra()
	three := modeler.WritePosition(doc, [][3]float32{{0, 0, 0}, {1, 0, 0}, {0, 1, 0}})
	doc.Meshes[0].Primitives = append(doc.Meshes[0].Primitives, &gltf.Primitive{Attributes: gltf.PrimitiveAttributes{gltf.POSITION: three}, Indices: gltf.Index(1)})
	ie = refusal(t, "shared indices", save(t, doc))
	if !strings.Contains(ie.Reason, "index 3 is past its 3 vertices") {
		t.Errorf("shared indices: %v", ie)
	}
}

// TestCorpusInvalidCodes: the corpus's invalid models are refused with the validator's codes.
func TestCorpusInvalidCodes(t *testing.T) {
	dir := modeltest.CorpusDir(t, "invalid")
	for name, want := range map[string][]string{
		"BoxBadNormals.glb":                    {"ACCESSOR_VECTOR3_NON_UNIT", "ACCESSOR_MIN_MISMATCH", "ACCESSOR_MAX_MISMATCH"},
		"IndexOutOfRange/IndexOutOfRange.gltf": {"ACCESSOR_INDEX_OOB", "ACCESSOR_MIN_MISMATCH"},
		"gltf1_BoxTextured_v1.glb":             {"GLB_INVALID_VERSION"},
	} {
		ie := refusal(t, name, filepath.Join(dir, name))
		got := codes(ie.Issues, SeverityError)
		for _, w := range want {
			if !slices.Contains(got, w) {
				t.Errorf("%s: errors %v, want %s among them (%s)", name, got, w, ie.Reason)
			}
		}
	}
}
