package modelio_test

import (
	"bytes"
	"math"
	"path/filepath"
	"testing"

	"github.com/qmuntal/gltf"
	"github.com/qmuntal/gltf/modeler"

	"github.com/kiln3d/kiln/app/modelio"
	"github.com/kiln3d/kiln/app/modelio/modeliotest"
	"github.com/kiln3d/kiln/providers/modeltest"
)

// TestAddTangentsBoxTextured: on a box whose faces are flat and mapped without skew, each
// vertex's tangent is its face's direction of +u, and the bitangent cross(n, t)·w its direction
// of −v (glTF's v runs down the image, a normal map's green up).
func TestAddTangentsBoxTextured(t *testing.T) {
	m := anLoad(t, modeliotest.Corpus(t, "khronos_BoxTextured.glb"))
	n, err := m.AddTangents()
	if err != nil || n != 1 {
		t.Fatalf("AddTangents gave %d primitives tangents: %v", n, err)
	}
	p := m.Doc.Meshes[0].Primitives[0]
	pos, nrm, uv, tan := anReadTangentSpace(t, m.Doc, p)
	idx, err := modeler.ReadIndices(m.Doc, m.Doc.Accessors[*p.Indices], nil)
	if err != nil {
		t.Fatal(err)
	}
	for k := 0; k+2 < len(idx); k += 3 {
		a, b, c := idx[k], idx[k+1], idx[k+2]
		e1, e2 := anSub(pos[b], pos[a]), anSub(pos[c], pos[a])
		du1, dv1 := float64(uv[b][0]-uv[a][0]), float64(uv[b][1]-uv[a][1])
		du2, dv2 := float64(uv[c][0]-uv[a][0]), float64(uv[c][1]-uv[a][1])
		r := du1*dv2 - du2*dv1
		var dPdu, dPdv [3]float64
		for i := range 3 {
			dPdu[i] = (e1[i]*dv2 - e2[i]*dv1) / r
			dPdv[i] = (e2[i]*du1 - e1[i]*du2) / r
		}
		dPdu, up := anUnit(dPdu), anUnit([3]float64{-dPdv[0], -dPdv[1], -dPdv[2]})
		for _, v := range []uint32{a, b, c} {
			tv := [3]float64{float64(tan[v][0]), float64(tan[v][1]), float64(tan[v][2])}
			if d := anDist(tv, dPdu); d > 1e-5 {
				t.Errorf("triangle %d, vertex %d: tangent %v, dP/du %v", k/3, v, tv, dPdu)
			}
			bt := anCross(anUnit([3]float64{float64(nrm[v][0]), float64(nrm[v][1]), float64(nrm[v][2])}), tv)
			if w := float64(tan[v][3]); anDot(bt, up)*w < 0.999 {
				t.Errorf("triangle %d, vertex %d: bitangent %v·%g, −dP/dv %v", k/3, v, bt, w, up)
			}
		}
	}
	if n, err := m.AddTangents(); n != 0 || err != nil {
		t.Errorf("AddTangents again gave %d primitives tangents: %v", n, err)
	}
	anValidate(t, m)
}

// TestAddTangentsLocal: the local model's tangents are unit length, orthogonal to the normals,
// w exactly ±1, and the file passes the Khronos validator.
func TestAddTangentsLocal(t *testing.T) {
	m := anLoad(t, modeliotest.LocalModel(t))
	n, err := m.AddTangents()
	if err != nil || n != 1 {
		t.Fatalf("AddTangents gave %d primitives tangents: %v", n, err)
	}
	anCheckTangentSpace(t, m.Doc, m.Doc.Meshes[0].Primitives[0])
	anValidate(t, m)
}

// TestAddTangentsCorpus: tangents on every corpus model that can have them pass the validator.
func TestAddTangentsCorpus(t *testing.T) {
	for _, name := range anCorpus {
		t.Run(name, func(t *testing.T) {
			m := anLoad(t, modeliotest.Corpus(t, name))
			var without []*gltf.Primitive
			for _, mesh := range m.Doc.Meshes {
				for _, p := range mesh.Primitives {
					if _, ok := p.Attributes[gltf.TANGENT]; !ok {
						without = append(without, p)
					}
				}
			}
			n, err := m.AddTangents()
			if err != nil {
				t.Fatal(err)
			}
			got := 0
			for _, p := range without {
				if _, ok := p.Attributes[gltf.TANGENT]; ok {
					got++
					anCheckTangentSpace(t, m.Doc, p)
				}
			}
			if got != n {
				t.Errorf("AddTangents says %d primitives got tangents; %d did", n, got)
			}
			t.Logf("%d primitives got tangents", n)
			anValidate(t, m)
		})
	}
}

// TestAddTangentsCases: primitives sharing accessors share one TANGENT; UVs collapsed to a point
// still give unit tangents orthogonal to the normal; UVs mirrored across a seam do not cancel on
// it; the normal map's UV set is the one followed; strips get tangents; primitives without
// normals or with tangents are left alone.
func TestAddTangentsCases(t *testing.T) {
	doc := &gltf.Document{Asset: gltf.Asset{Version: "2.0"}, Buffers: []*gltf.Buffer{{}}}
	img, err := modeler.WriteImage(doc, "normals", "image/png", bytes.NewReader(anFlatNormalPNG(t)))
	if err != nil {
		t.Fatal(err)
	}
	doc.Textures = []*gltf.Texture{{Source: gltf.Index(img)}}
	doc.Materials = []*gltf.Material{
		{Name: "normal map on set 0", NormalTexture: &gltf.NormalTexture{Index: gltf.Index(0)}},
		{Name: "normal map on set 1", NormalTexture: &gltf.NormalTexture{Index: gltf.Index(0), TexCoord: 1}},
	}
	up := [3]float32{0, 0, 1}
	flat := func(n int) [][3]float32 {
		out := make([][3]float32, n)
		for i := range out {
			out[i] = up
		}
		return out
	}
	// A unit quad in z = 0, u along +x and v down +y's opposite, as an image lies.
	quad := [][3]float32{{0, 0, 0}, {1, 0, 0}, {1, 1, 0}, {0, 1, 0}}
	quadUV := [][2]float32{{0, 1}, {1, 1}, {1, 0}, {0, 0}}
	quadIdx := modeler.WriteIndices(doc, []uint16{0, 1, 2, 0, 2, 3})
	shared := gltf.PrimitiveAttributes{
		gltf.POSITION:   modeler.WritePosition(doc, quad),
		gltf.NORMAL:     modeler.WriteNormal(doc, flat(4)),
		gltf.TEXCOORD_0: modeler.WriteTextureCoord(doc, quadUV),
	}
	// The mirrored pair: A (0,0) and B (0,1) on the seam, D (1,0) right of it, C (−1,0) left,
	// u growing away from the seam on both sides.
	mirror := gltf.PrimitiveAttributes{
		gltf.POSITION:   modeler.WritePosition(doc, [][3]float32{{0, 0, 0}, {0, 1, 0}, {-1, 0, 0}, {1, 0, 0}}),
		gltf.NORMAL:     modeler.WriteNormal(doc, flat(4)),
		gltf.TEXCOORD_0: modeler.WriteTextureCoord(doc, [][2]float32{{0, 1}, {0, 0}, {1, 1}, {1, 1}}),
	}
	// TEXCOORD_1 turns the map a quarter: u runs along +y.
	turned := gltf.PrimitiveAttributes{
		gltf.POSITION:   shared[gltf.POSITION],
		gltf.NORMAL:     shared[gltf.NORMAL],
		gltf.TEXCOORD_0: shared[gltf.TEXCOORD_0],
		gltf.TEXCOORD_1: modeler.WriteTextureCoord(doc, [][2]float32{{0, 0}, {0, 1}, {1, 1}, {1, 0}}),
	}
	collapsed := gltf.PrimitiveAttributes{
		gltf.POSITION:   shared[gltf.POSITION],
		gltf.NORMAL:     shared[gltf.NORMAL],
		gltf.TEXCOORD_0: modeler.WriteTextureCoord(doc, [][2]float32{{0.5, 0.5}, {0.5, 0.5}, {0.5, 0.5}, {0.5, 0.5}}),
	}
	hasTangents := gltf.PrimitiveAttributes{
		gltf.POSITION:   shared[gltf.POSITION],
		gltf.NORMAL:     shared[gltf.NORMAL],
		gltf.TEXCOORD_0: shared[gltf.TEXCOORD_0],
		gltf.TANGENT:    modeler.WriteTangent(doc, [][4]float32{{1, 0, 0, 1}, {1, 0, 0, 1}, {1, 0, 0, 1}, {1, 0, 0, 1}}),
	}
	noNormals := gltf.PrimitiveAttributes{gltf.POSITION: shared[gltf.POSITION], gltf.TEXCOORD_0: shared[gltf.TEXCOORD_0]}
	prim := func(attrs gltf.PrimitiveAttributes, idx []uint16, mat int) *gltf.Primitive {
		return &gltf.Primitive{Attributes: attrs, Indices: gltf.Index(modeler.WriteIndices(doc, idx)), Material: gltf.Index(mat)}
	}
	sharedA := &gltf.Primitive{Attributes: shared, Indices: gltf.Index(quadIdx), Material: gltf.Index(0)}
	sharedB := &gltf.Primitive{Attributes: anCopyAttributes(shared), Indices: gltf.Index(quadIdx), Material: gltf.Index(0)}
	strip := prim(anCopyAttributes(shared), []uint16{0, 1, 3, 2}, 0)
	strip.Mode = gltf.PrimitiveTriangleStrip
	doc.Meshes = []*gltf.Mesh{
		{Name: "shared", Primitives: []*gltf.Primitive{sharedA, sharedB}},
		{Name: "mirrored", Primitives: []*gltf.Primitive{prim(mirror, []uint16{0, 3, 1, 0, 1, 2}, 0)}},
		{Name: "turned", Primitives: []*gltf.Primitive{prim(turned, []uint16{0, 1, 2, 0, 2, 3}, 1)}},
		{Name: "collapsed", Primitives: []*gltf.Primitive{prim(collapsed, []uint16{0, 1, 2, 0, 2, 3}, 0)}},
		{Name: "strip", Primitives: []*gltf.Primitive{strip}},
		{Name: "left alone", Primitives: []*gltf.Primitive{prim(hasTangents, []uint16{0, 1, 2}, 0), prim(noNormals, []uint16{0, 1, 2}, 0)}},
	}
	scene := &gltf.Scene{}
	for i := range doc.Meshes {
		doc.Nodes = append(doc.Nodes, &gltf.Node{Mesh: gltf.Index(i), Translation: [3]float64{2 * float64(i), 0, 0}})
		scene.Nodes = append(scene.Nodes, i)
	}
	doc.Scenes, doc.Scene = []*gltf.Scene{scene}, gltf.Index(0)
	m := anDecode(t, doc)
	accessors := len(m.Doc.Accessors)
	n, err := m.AddTangents()
	if err != nil || n != 6 {
		t.Fatalf("AddTangents gave %d primitives tangents, want 6: %v", n, err)
	}
	if added := len(m.Doc.Accessors) - accessors; added != 5 {
		t.Errorf("%d accessors added, want 5 (the shared pair has one)", added)
	}
	meshes := m.Doc.Meshes
	if a, b := meshes[0].Primitives[0].Attributes[gltf.TANGENT], meshes[0].Primitives[1].Attributes[gltf.TANGENT]; a != b {
		t.Errorf("the primitives sharing accessors got tangents %d and %d", a, b)
	}
	if got := meshes[5].Primitives[0].Attributes[gltf.TANGENT]; got != hasTangents[gltf.TANGENT] {
		t.Errorf("the primitive with tangents has TANGENT %d now", got)
	}
	if _, ok := meshes[5].Primitives[1].Attributes[gltf.TANGENT]; ok {
		t.Error("the primitive without normals got tangents")
	}
	for mi, want := range map[int][3]float64{0: {1, 0, 0}, 2: {0, 1, 0}, 4: {1, 0, 0}} {
		_, _, _, tan := anReadTangentSpace(t, m.Doc, meshes[mi].Primitives[0])
		for v, tv := range tan {
			if got := [3]float64{float64(tv[0]), float64(tv[1]), float64(tv[2])}; anDist(got, want) > 1e-6 || tv[3] != 1 {
				t.Errorf("mesh %q vertex %d: tangent %v, want %v with w = 1", meshes[mi].Name, v, tv, want)
			}
		}
	}
	// The mirrored pair: D's tangent is +x, C's −x with w = −1, and the seam's whatever side it
	// takes makes the same bitangent, +y.
	_, _, _, tan := anReadTangentSpace(t, m.Doc, meshes[1].Primitives[0])
	if tan[3] != [4]float32{1, 0, 0, 1} || tan[2] != [4]float32{-1, 0, 0, -1} {
		t.Errorf("off the seam: %v and %v", tan[3], tan[2])
	}
	for _, v := range []int{0, 1} {
		tv := [3]float64{float64(tan[v][0]), float64(tan[v][1]), float64(tan[v][2])}
		if bt := anCross([3]float64{0, 0, 1}, tv); math.Abs(math.Abs(tv[0])-1) > 1e-6 || anDot(bt, [3]float64{0, float64(tan[v][3]), 0}) < 0.999 {
			t.Errorf("on the seam, vertex %d: tangent %v", v, tan[v])
		}
	}
	for _, mesh := range meshes[:5] {
		anCheckTangentSpace(t, m.Doc, mesh.Primitives[0])
	}
	anValidate(t, m)
}

func anCopyAttributes(a gltf.PrimitiveAttributes) gltf.PrimitiveAttributes {
	out := gltf.PrimitiveAttributes{}
	for k, v := range a {
		out[k] = v
	}
	return out
}

// anReadTangentSpace reads a primitive's positions, normals, TEXCOORD_0 and tangents.
func anReadTangentSpace(t *testing.T, doc *gltf.Document, p *gltf.Primitive) (pos, nrm [][3]float32, uv [][2]float32, tan [][4]float32) {
	t.Helper()
	var err error
	if pos, err = modeler.ReadPosition(doc, doc.Accessors[p.Attributes[gltf.POSITION]], nil); err != nil {
		t.Fatal(err)
	}
	if nrm, err = modeler.ReadNormal(doc, doc.Accessors[p.Attributes[gltf.NORMAL]], nil); err != nil {
		t.Fatal(err)
	}
	if uv, err = modeler.ReadTextureCoord(doc, doc.Accessors[p.Attributes[gltf.TEXCOORD_0]], nil); err != nil {
		t.Fatal(err)
	}
	acc, ok := p.Attributes[gltf.TANGENT]
	if !ok {
		t.Fatal("no TANGENT")
	}
	if tan, err = modeler.ReadTangent(doc, doc.Accessors[acc], nil); err != nil {
		t.Fatal(err)
	}
	if len(tan) != len(pos) {
		t.Fatalf("%d tangents for %d vertices", len(tan), len(pos))
	}
	return pos, nrm, uv, tan
}

// anCheckTangentSpace checks every tangent of a primitive: unit length, orthogonal to its unit
// normal, w exactly ±1.
func anCheckTangentSpace(t *testing.T, doc *gltf.Document, p *gltf.Primitive) {
	t.Helper()
	_, nrm, _, tan := anReadTangentSpace(t, doc, p)
	bad := 0
	for v, tv := range tan {
		x := [3]float64{float64(tv[0]), float64(tv[1]), float64(tv[2])}
		n := anUnit([3]float64{float64(nrm[v][0]), float64(nrm[v][1]), float64(nrm[v][2])})
		if l := math.Sqrt(anDot(x, x)); math.Abs(l-1) > 1e-6 || math.Abs(anDot(x, n)) > 1e-3 || (tv[3] != 1 && tv[3] != -1) {
			if bad++; bad <= 5 {
				t.Errorf("vertex %d: tangent %v (length %g) against normal %v", v, tv, l, n)
			}
		}
	}
	if bad > 5 {
		t.Errorf("%d tangents in all are wrong", bad)
	}
}

// anValidate runs the Khronos validator over the model encoded as a GLB, as it is (the raw
// encoder rather than EncodeGLB, which compacts, so that what is checked is what AddTangents
// made).
func anValidate(t *testing.T, m *modelio.Model) {
	t.Helper()
	path := filepath.Join(t.TempDir(), "model.glb")
	anWriteGLB(t, m.Doc, path)
	modeltest.Validate(t, path)
}

func anSub(a, b [3]float32) [3]float64 {
	return [3]float64{float64(a[0] - b[0]), float64(a[1] - b[1]), float64(a[2] - b[2])}
}

func anDot(a, b [3]float64) float64 { return a[0]*b[0] + a[1]*b[1] + a[2]*b[2] }

func anCross(a, b [3]float64) [3]float64 {
	return [3]float64{a[1]*b[2] - a[2]*b[1], a[2]*b[0] - a[0]*b[2], a[0]*b[1] - a[1]*b[0]}
}

func anUnit(v [3]float64) [3]float64 {
	l := math.Sqrt(anDot(v, v))
	return [3]float64{v[0] / l, v[1] / l, v[2] / l}
}

func anDist(a, b [3]float64) float64 {
	d := [3]float64{a[0] - b[0], a[1] - b[1], a[2] - b[2]}
	return math.Sqrt(anDot(d, d))
}
