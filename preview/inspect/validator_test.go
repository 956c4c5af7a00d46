package inspect

import (
	"bytes"
	"errors"
	"fmt"
	"image"
	"image/jpeg"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/qmuntal/gltf"
	"github.com/qmuntal/gltf/modeler"

	"github.com/kiln3d/kiln/providers/modeltest"
)

// hostile is a model built to break one rule, or to stay just inside one.
type hostile struct {
	name   string
	mutate func(*gltf.Document)
	// want is Kiln's first error code, "" for a model Kiln accepts.
	want string
}

// withNormals gives the tetrahedron normals, the third one's component k set to v (or scaled
// to length v when k is −1).
func withNormals(k int, v float32) func(*gltf.Document) {
	return func(d *gltf.Document) {
		n := [][3]float32{{1, 0, 0}, {0, 1, 0}, {0, 0, 1}, {0, 0, 1}}
		if k < 0 {
			n[2] = [3]float32{0, 0, v}
		} else {
			n[2][k] = v
		}
		d.Meshes[0].Primitives[0].Attributes[gltf.NORMAL] = modeler.WriteNormal(d, n)
	}
}

// normalizedUV gives the tetrahedron texture coordinates as normalized bytes, declaring their
// max as max.
func normalizedUV(max float64) func(*gltf.Document) {
	return func(d *gltf.Document) {
		a := modeler.WriteTextureCoord(d, [][2]uint8{{0, 0}, {255, 0}, {0, 255}, {255, 255}})
		d.Accessors[a].Min, d.Accessors[a].Max = []float64{0, 0}, []float64{max, max}
		d.Meshes[0].Primitives[0].Attributes[gltf.TEXCOORD_0] = a
	}
}

// skinned binds the tetrahedron to a skin of three joints, every vertex but the first with
// joints j and weights w.
func skinned(w [4]float32, j [4]uint8) func(*gltf.Document) {
	return func(d *gltf.Document) {
		weights := [][4]float32{{1, 0, 0, 0}, w, w, w}
		joints := [][4]uint8{{0, 0, 0, 0}, j, j, j}
		p := d.Meshes[0].Primitives[0]
		p.Attributes[gltf.JOINTS_0] = modeler.WriteJoints(d, joints)
		p.Attributes[gltf.WEIGHTS_0] = modeler.WriteWeights(d, weights)
		d.Nodes = append(d.Nodes, &gltf.Node{Name: "root", Children: []int{2, 3}}, &gltf.Node{Name: "a"}, &gltf.Node{Name: "b"})
		d.Skins = []*gltf.Skin{{Joints: []int{1, 2, 3}}}
		d.Nodes[0].Skin = gltf.Index(0)
		d.Scenes[0].Nodes = []int{0, 1}
	}
}

// sparsePositions makes the tetrahedron's positions sparse (modeltest.SparsePositions).
func sparsePositions(zeros bool, indices []uint8, values [][3]float32) func(*gltf.Document) {
	return func(d *gltf.Document) { modeltest.SparsePositions(d, 0, zeros, indices, values) }
}

// tinyJPEG is a 2×2 JPEG.
func tinyJPEG() []byte {
	var b bytes.Buffer
	if err := jpeg.Encode(&b, image.NewRGBA(image.Rect(0, 0, 2, 2)), nil); err != nil {
		panic(err)
	}
	return b.Bytes()
}

// skinnedBytes is skinned with weights as normalized bytes.
func skinnedBytes(w [4]uint8) func(*gltf.Document) {
	return func(d *gltf.Document) {
		skinned([4]float32{1, 0, 0, 0}, [4]uint8{0, 1, 0, 0})(d)
		d.Meshes[0].Primitives[0].Attributes[gltf.WEIGHTS_0] = modeler.WriteWeights(d, [][4]uint8{{255, 0, 0, 0}, w, w, w})
	}
}

// hostileModels are the models the agreement test builds: each breaks one of the validator's
// rules (or sits inside its tolerance), in the binary data a .glb can spell.
func hostileModels() []hostile {
	nan, inf := float32(math.NaN()), float32(math.Inf(1))
	return []hostile{
		{"valid tetrahedron", func(*gltf.Document) {}, ""},
		{"NaN position", func(d *gltf.Document) { setFloat(d, 16, nan) }, "ACCESSOR_INVALID_FLOAT"},
		{"Inf position", func(d *gltf.Document) { setFloat(d, 28, inf) }, "ACCESSOR_INVALID_FLOAT"},
		{"Inf normal", withNormals(1, -inf), "ACCESSOR_INVALID_FLOAT"},
		{"normal of length 0.9", withNormals(-1, 0.9), "ACCESSOR_VECTOR3_NON_UNIT"},
		{"normal of length 1.005 (inside the tolerance)", withNormals(-1, 1.005), ""},
		{"index past the end", func(d *gltf.Document) { d.Buffers[0].Data[48] = 9 }, "ACCESSOR_INDEX_OOB"},
		{"primitive restart index", func(d *gltf.Document) { d.Buffers[0].Data[50], d.Buffers[0].Data[51] = 0xff, 0xff }, "ACCESSOR_INDEX_OOB"},
		{"degenerate triangle (an info)", func(d *gltf.Document) { d.Buffers[0].Data[50] = 0 }, ""},
		{"declared max beyond the data", func(d *gltf.Document) { d.Accessors[0].Max = []float64{1, 1, 2} }, "ACCESSOR_MAX_MISMATCH"},
		{"data below the declared min", func(d *gltf.Document) { d.Accessors[0].Min = []float64{0, 0.5, 0} }, "ACCESSOR_ELEMENT_OUT_OF_MIN_BOUND"},
		{"positions without bounds", func(d *gltf.Document) { d.Accessors[0].Min, d.Accessors[0].Max = nil, nil }, "MESH_PRIMITIVE_POSITION_ACCESSOR_WITHOUT_BOUNDS"},
		{"bufferView past its buffer", func(d *gltf.Document) { d.BufferViews[0].ByteLength = 400 }, "BUFFER_VIEW_TOO_LONG"},
		{"accessor past its bufferView", func(d *gltf.Document) { d.Accessors[0].Count = 40 }, "ACCESSOR_TOO_LONG"},
		{"attributes of unequal counts", func(d *gltf.Document) {
			d.Meshes[0].Primitives[0].Attributes[gltf.NORMAL] = modeler.WriteNormal(d, [][3]float32{{1, 0, 0}, {0, 1, 0}, {0, 0, 1}})
		}, "MESH_PRIMITIVE_UNEQUAL_ACCESSOR_COUNT"},
		{"positions of two floats", func(d *gltf.Document) {
			d.Accessors[0].Type, d.Accessors[0].Count = gltf.AccessorVec2, 4
			d.Accessors[0].Min, d.Accessors[0].Max = []float64{0, 0}, []float64{1, 1}
		}, "MESH_PRIMITIVE_ATTRIBUTES_ACCESSOR_INVALID_FORMAT"},
		{"tangent with w of 0", func(d *gltf.Document) {
			withNormals(-1, 1)(d)
			d.Meshes[0].Primitives[0].Attributes[gltf.TANGENT] = modeler.WriteTangent(d, [][4]float32{{1, 0, 0, 1}, {1, 0, 0, 1}, {1, 0, 0, 0}, {1, 0, 0, -1}})
		}, "ACCESSOR_INVALID_SIGN"},
		{"matrix beside a translation", func(d *gltf.Document) {
			d.Nodes[0].Matrix = [16]float64{2, 0, 0, 0, 0, 2, 0, 0, 0, 0, 2, 0, 0, 0, 0, 1}
			d.Nodes[0].Translation = [3]float64{1, 0, 0}
		}, "NODE_MATRIX_TRS"},
		{"rotation not unit", func(d *gltf.Document) { d.Nodes[0].Rotation = [4]float64{0, 0, 0.5, 0.5} }, "ROTATION_NON_UNIT"},
		{"rotation nearly unit (inside the tolerance)", func(d *gltf.Document) { d.Nodes[0].Rotation = [4]float64{0, 0, 0.05, 1} }, ""},
		{"rotation component over 1", func(d *gltf.Document) { d.Nodes[0].Rotation = [4]float64{0, 0, 0, 1.005} }, "VALUE_NOT_IN_RANGE"},
		{"undeclared extension", func(d *gltf.Document) {
			d.Materials = []*gltf.Material{{Name: "m", Extensions: gltf.Extensions{"KHR_materials_unlit": map[string]any{}}}}
			d.Meshes[0].Primitives[0].Material = gltf.Index(0)
		}, "UNDECLARED_EXTENSION"},
		{"node loop", func(d *gltf.Document) {
			d.Nodes = append(d.Nodes, &gltf.Node{Children: []int{0}})
			d.Nodes[0].Children = []int{1}
		}, "NODE_LOOP"},
		{"scene lists a child as a root", func(d *gltf.Document) {
			d.Nodes = append(d.Nodes, &gltf.Node{Mesh: gltf.Index(0)})
			d.Nodes[0].Children = []int{1}
			d.Scenes[0].Nodes = []int{0, 1}
		}, "SCENE_NON_ROOT_NODE"},
		{"missing texture", func(d *gltf.Document) {
			normalizedUV(255)(d)
			d.Materials = []*gltf.Material{{Name: "m", PBRMetallicRoughness: &gltf.PBRMetallicRoughness{BaseColorTexture: &gltf.TextureInfo{Index: 3}}}}
			d.Meshes[0].Primitives[0].Material = gltf.Index(0)
		}, "UNRESOLVED_REFERENCE"},
		{"normalized texture coordinates bounded by their stored values", normalizedUV(255), ""},
		{"normalized texture coordinates bounded 0 to 1", normalizedUV(1), "ACCESSOR_ELEMENT_OUT_OF_MAX_BOUND"},
		{"indices shared by a primitive of fewer vertices", func(d *gltf.Document) {
			three := modeler.WritePosition(d, [][3]float32{{0, 0, 0}, {1, 0, 0}, {0, 1, 0}})
			d.Meshes[0].Primitives = append(d.Meshes[0].Primitives, &gltf.Primitive{Attributes: gltf.PrimitiveAttributes{gltf.POSITION: three}, Indices: gltf.Index(1)})
		}, "ACCESSOR_INDEX_OOB"},
		{"a texture without texture coordinates", func(d *gltf.Document) {
			d.Images = []*gltf.Image{{URI: "data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8DwHwAFBQIAX8jx0gAAAABJRU5ErkJggg=="}}
			d.Textures = []*gltf.Texture{{Source: gltf.Index(0)}}
			d.Materials = []*gltf.Material{{Name: "m", PBRMetallicRoughness: &gltf.PBRMetallicRoughness{BaseColorTexture: &gltf.TextureInfo{Index: 0}}}}
			d.Meshes[0].Primitives[0].Material = gltf.Index(0)
		}, "MESH_PRIMITIVE_TOO_FEW_TEXCOORDS"},
		{"skin weights adding up to 0.9", skinned([4]float32{0.5, 0.4, 0, 0}, [4]uint8{0, 1, 0, 0}), "ACCESSOR_WEIGHTS_NON_NORMALIZED"},
		{"skin weights adding up to 1", skinned([4]float32{0.5, 0.25, 0.25, 0}, [4]uint8{0, 1, 2, 0}), ""},
		{"a joint the skin does not have", skinned([4]float32{0.5, 0.5, 0, 0}, [4]uint8{0, 5, 0, 0}), "ACCESSOR_JOINTS_INDEX_OOB"},
		{"a joint named twice", skinned([4]float32{0.5, 0.5, 0, 0}, [4]uint8{1, 1, 0, 0}), "ACCESSOR_JOINTS_INDEX_DUPLICATE"},
		{"a negative skin weight", skinned([4]float32{1.5, -0.5, 0, 0}, [4]uint8{0, 1, 0, 0}), "ACCESSOR_WEIGHTS_NEGATIVE"},
		{"byte weights adding up to 255", skinnedBytes([4]uint8{128, 127, 0, 0}), ""},
		{"byte weights adding up to 254", skinnedBytes([4]uint8{128, 126, 0, 0}), "ACCESSOR_WEIGHTS_NON_NORMALIZED"},
		{"a joint without weight (a warning)", skinned([4]float32{1, 0, 0, 0}, [4]uint8{0, 2, 0, 0}), ""},
		{"two attributes in one view without a stride", func(d *gltf.Document) {
			withNormals(-1, 1)(d)
			// The normals' view moved into the positions': one view, two attributes, no stride.
			pos, nor := d.Accessors[0], d.Accessors[2]
			pv, nv := d.BufferViews[*pos.BufferView], d.BufferViews[*nor.BufferView]
			nor.ByteOffset = nv.ByteOffset - pv.ByteOffset
			pv.ByteLength = nv.ByteOffset + nv.ByteLength - pv.ByteOffset
			nor.BufferView = pos.BufferView
		}, "MESH_PRIMITIVE_ACCESSOR_WITHOUT_BYTESTRIDE"},
		{"extras that are not an object (an info)", func(d *gltf.Document) { d.Nodes[0].Extras = "note" }, ""},
		{"sparse positions", sparsePositions(false, []uint8{3}, [][3]float32{{0, 0, 1}}), ""},
		{"sparse positions over zeros", sparsePositions(true, []uint8{1, 2, 3}, [][3]float32{{1, 0, 0}, {0, 1, 0}, {0, 0, 1}}), ""},
		{"a sparse substitution past the end", sparsePositions(false, []uint8{7}, [][3]float32{{0, 0, 1}}), "ACCESSOR_SPARSE_INDEX_OOB"},
		{"sparse substitutions out of order", sparsePositions(false, []uint8{3, 1}, [][3]float32{{0, 0, 1}, {1, 0, 0}}), "ACCESSOR_SPARSE_INDICES_NON_INCREASING"},
		{"a sparse substitution that is NaN", sparsePositions(false, []uint8{3}, [][3]float32{{0, float32(math.NaN()), 1}}), "ACCESSOR_INVALID_FLOAT"},
		{"a camera whose far plane is nearer than its near", func(d *gltf.Document) {
			d.Cameras = []*gltf.Camera{{Perspective: &gltf.Perspective{Yfov: 1, Znear: 10, Zfar: gltf.Float(1)}}}
			d.Nodes[0].Camera = gltf.Index(0)
		}, "CAMERA_ZFAR_LEQUAL_ZNEAR"},
		{"an orthographic camera of zero magnification", func(d *gltf.Document) {
			d.Cameras = []*gltf.Camera{{Orthographic: &gltf.Orthographic{Xmag: 0, Ymag: 1, Znear: 0.1, Zfar: 10}}}
			d.Nodes[0].Camera = gltf.Index(0)
		}, "CAMERA_XMAG_YMAG_ZERO"},
		{"a JPEG that says it is a PNG", func(d *gltf.Document) {
			normalizedUV(255)(d)
			img := tinyJPEG()
			for len(d.Buffers[0].Data)%4 != 0 {
				d.Buffers[0].Data = append(d.Buffers[0].Data, 0)
			}
			d.BufferViews = append(d.BufferViews, &gltf.BufferView{Buffer: 0, ByteOffset: len(d.Buffers[0].Data), ByteLength: len(img)})
			d.Buffers[0].Data = append(d.Buffers[0].Data, img...)
			d.Buffers[0].ByteLength = len(d.Buffers[0].Data)
			d.Images = []*gltf.Image{{MimeType: "image/png", BufferView: gltf.Index(len(d.BufferViews) - 1)}}
			d.Textures = []*gltf.Texture{{Source: gltf.Index(0)}}
			d.Materials = []*gltf.Material{{Name: "m", PBRMetallicRoughness: &gltf.PBRMetallicRoughness{BaseColorTexture: &gltf.TextureInfo{Index: 0}}}}
			d.Meshes[0].Primitives[0].Material = gltf.Index(0)
		}, "IMAGE_MIME_TYPE_INVALID"},
		{"an unused accessor (an info)", func(d *gltf.Document) { modeler.WriteNormal(d, [][3]float32{{1, 0, 0}}) }, ""},
		{"a primitive without positions (a warning)", func(d *gltf.Document) {
			d.Meshes[0].Primitives = append(d.Meshes[0].Primitives, &gltf.Primitive{Attributes: gltf.PrimitiveAttributes{gltf.NORMAL: modeler.WriteNormal(d, [][3]float32{{1, 0, 0}})}, Mode: gltf.PrimitivePoints})
		}, ""},
		{"animation times not increasing", func(d *gltf.Document) {
			in := modeler.WriteAccessor(d, gltf.TargetNone, []float32{0, 1, 0.5})
			d.Accessors[in].Min, d.Accessors[in].Max = []float64{0}, []float64{1}
			out := modeler.WriteAccessor(d, gltf.TargetNone, [][3]float32{{0, 0, 0}, {0, 1, 0}, {0, 2, 0}})
			d.Animations = []*gltf.Animation{{Samplers: []*gltf.AnimationSampler{{Input: in, Output: out}},
				Channels: []*gltf.AnimationChannel{{Sampler: 0, Target: gltf.AnimationChannelTarget{Node: gltf.Index(0), Path: gltf.TRSTranslation}}}}}
		}, "ACCESSOR_ANIMATION_INPUT_NON_INCREASING"},
		// Valid numbers that node scales multiply past the largest float: the validator has no
		// rule against it, but nothing can frame or draw it (a Kiln refusal, not a verdict).
		{"scaled to infinity", func(d *gltf.Document) {
			d.Nodes = append(d.Nodes, &gltf.Node{Mesh: gltf.Index(0), Scale: [3]float64{1e300, 1e300, 1e300}})
			d.Nodes[0].Scale = [3]float64{1e300, 1e300, 1e300}
			d.Nodes[0].Mesh, d.Nodes[0].Children = nil, []int{1}
		}, CodeUnsupported},
	}
}

// verdict is Kiln's judgement of one file.
type verdict struct {
	refused bool
	first   string // the first error's code
	codes   []string
}

// warningCodes are the distinct codes of an accepted model's warnings that are the validator's.
func warningCodes(path string) []string {
	_, rep, err := Load(path)
	if err != nil {
		return nil
	}
	var out []string
	for _, is := range rep.Issues {
		if is.Severity == SeverityWarning && !is.Kiln() && is.Code != "UNSUPPORTED_EXTENSION" && !slices.Contains(out, is.Code) {
			out = append(out, is.Code)
		}
	}
	return out
}

func judge(path string) verdict {
	_, rep, err := Load(path)
	var ie *Error
	switch {
	case errors.As(err, &ie):
		v := verdict{refused: true}
		for _, is := range ie.Issues {
			if is.Severity == SeverityError {
				v.codes = append(v.codes, is.Code)
			}
		}
		if len(v.codes) > 0 {
			v.first = v.codes[0]
		}
		return v
	case err != nil:
		return verdict{refused: true, first: "(" + err.Error() + ")"}
	}
	v := verdict{}
	for _, is := range rep.Issues {
		v.codes = append(v.codes, is.Code)
	}
	return v
}

// kilnOnly are Kiln's refusals of models the validator finds no error in: what the preview
// cannot show, not a verdict on the model.
var kilnOnly = map[string]bool{CodeUnsupported: true, CodeLimit: true, CodeUnsafeFile: true}

// agreementRow is one model of the agreement test.
type agreementRow struct {
	name, path string
	want       string // Kiln's expected first error code (built models only)
	corpus     bool
	// warnInstead names the deliberate difference: the validator calls it an error, Kiln
	// draws the model without the part and gives this warning code.
	warnInstead string
}

// TestAgreesWithValidator runs Kiln's check and the Khronos glTF-Validator side by side on
// hostile models: Kiln refuses exactly what the validator finds errors in, with the first error
// code expected, one the validator reports; it refuses a model the validator passes only for what
// the preview cannot show (kilnOnly). A missing texture is the one deliberate difference: the
// validator calls it an error, Kiln draws the model without it and warns. go test -v prints
// the table.
func TestAgreesWithValidator(t *testing.T) {
	dir := t.TempDir()
	var rows []agreementRow
	for i, h := range hostileModels() {
		doc := tetra()
		h.mutate(doc)
		p := filepath.Join(dir, fmt.Sprintf("hostile%02d.glb", i))
		if err := gltf.SaveBinary(doc, p); err != nil {
			t.Fatal(err)
		}
		rows = append(rows, agreementRow{name: h.name, path: p, want: h.want})
	}
	// What a .glb from a writer cannot spell: JSON of the wrong types.
	for _, c := range [][2]string{
		{"a node's mesh given as a word", `{"asset":{"version":"2.0"},"nodes":[{"mesh":"a"}]}`},
		{"a buffer's length as a word", `{"asset":{"version":"2.0"},"buffers":[{"byteLength":"4"}]}`},
	} {
		name, text := c[0], c[1]
		p := filepath.Join(dir, strings.ReplaceAll(name, " ", "-")+".gltf")
		if err := os.WriteFile(p, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
		rows = append(rows, agreementRow{name: name, path: p, want: "TYPE_MISMATCH"})
	}
	rows = append(rows, agreementRow{name: "texture file missing", path: textured(t, "missing.png", nil), warnInstead: CodeImageMissing})
	agreement(t, rows)
}

// TestCorpusAgreesWithValidator is the same on the shared corpus, valid models and invalid.
func TestCorpusAgreesWithValidator(t *testing.T) {
	root := filepath.Dir(modeltest.CorpusDir(t, "models"))
	var rows []agreementRow
	for _, pat := range []string{"models/*.glb", "models/*/*.gltf", "models/*/*.glb", "invalid/*.glb", "invalid/*/*.gltf"} {
		m, _ := filepath.Glob(filepath.Join(root, pat))
		for _, f := range m {
			rel, _ := filepath.Rel(root, f)
			rows = append(rows, agreementRow{name: rel, path: f, corpus: true})
		}
	}
	agreement(t, rows)
}

func agreement(t *testing.T, rows []agreementRow) {
	t.Helper()
	paths := make([]string, len(rows))
	for i, r := range rows {
		paths[i] = r.path
	}
	reports := modeltest.ValidatorReports(t, paths...)
	if len(reports) != len(rows) {
		t.Fatalf("the validator reported on %d of %d files", len(reports), len(rows))
	}
	agree := 0
	var table strings.Builder
	fmt.Fprintf(&table, "\n%-52s %-8s %-56s %s\n", "model", "Khronos", "Kiln", "agree")
	for i, r := range rows {
		rep, v := reports[i], judge(r.path)
		var vcodes []string
		for _, is := range rep.Issues {
			if is.Severity == 0 && !slices.Contains(vcodes, is.Code) {
				vcodes = append(vcodes, is.Code)
			}
		}
		ok, why := true, ""
		switch {
		case r.warnInstead != "":
			ok = rep.Errors > 0 && !v.refused && slices.Contains(v.codes, r.warnInstead)
			why = "validator " + strings.Join(vcodes, ",") + "; Kiln warns " + r.warnInstead
		case rep.Errors > 0 && !v.refused:
			ok, why = false, "Kiln accepts a model with errors"
		case rep.Errors == 0 && v.refused && !kilnOnly[v.first]:
			ok, why = false, "Kiln refuses a valid model"
		case rep.Errors == 0 && v.refused:
			why = "valid; the preview cannot show it"
		case v.refused && !rep.Rejected && !slices.Contains(vcodes, v.first):
			ok, why = false, "Kiln's first error is not among the validator's"
		}
		// On real models, the warnings are the validator's too (UNSUPPORTED_EXTENSION, which
		// Kiln gives for what the preview does not show, aside).
		var vwarn []string
		for _, is := range rep.Issues {
			if is.Severity == 1 && !slices.Contains(vwarn, is.Code) {
				vwarn = append(vwarn, is.Code)
			}
		}
		if kwarn := warningCodes(r.path); r.corpus && !v.refused && !slices.Equal(slices.Sorted(slices.Values(kwarn)), slices.Sorted(slices.Values(vwarn))) {
			ok, why = false, fmt.Sprintf("warnings %v, the validator's %v", kwarn, vwarn)
		}
		if !r.corpus && r.want != v.first {
			ok, why = false, fmt.Sprintf("Kiln's first error is %q, want %q", v.first, r.want)
		}
		if ok {
			agree++
		} else {
			t.Errorf("%s: validator %d errors %v, Kiln refused=%v first=%s codes=%v: %s", r.name, rep.Errors, vcodes, v.refused, v.first, v.codes, why)
		}
		khronos := fmt.Sprintf("%d err", rep.Errors)
		if rep.Rejected {
			khronos = "rejects"
		}
		kiln := "accepted"
		if v.refused {
			kiln = "refused " + v.first
		}
		if why != "" && ok {
			kiln += " (" + why + ")"
		}
		fmt.Fprintf(&table, "%-52s %-8s %-56s %v\n", r.name, khronos, kiln, ok)
	}
	fmt.Fprintf(&table, "agreement: %d of %d", agree, len(rows))
	t.Log(table.String())
}
