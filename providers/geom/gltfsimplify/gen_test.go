package gltfsimplify

import (
	"bytes"
	"image"
	"image/color"
	"image/png"
	"math"
	"testing"

	"github.com/qmuntal/gltf"
	"github.com/qmuntal/gltf/modeler"
)

// sphereData is a UV sphere with a seam along one meridian: positions, normals, UVs and a
// triangle list facing out.
func sphereData(segs, rings int) (pos, nor [][3]float32, uv [][2]float32, idx []uint32) {
	for j := 0; j <= rings; j++ {
		for i := 0; i <= segs; i++ {
			u, v := float64(i)/float64(segs), float64(j)/float64(rings)
			th, ph := v*math.Pi, math.Mod(u, 1)*2*math.Pi
			p := [3]float32{float32(math.Sin(th) * math.Cos(ph)), float32(math.Cos(th)), float32(math.Sin(th) * math.Sin(ph))}
			if j == 0 || j == rings {
				p = [3]float32{0, float32(math.Cos(th)), 0}
			}
			pos, nor, uv = append(pos, p), append(nor, p), append(uv, [2]float32{float32(u), float32(v)})
		}
	}
	at := func(i, j int) uint32 { return uint32(j*(segs+1) + i) }
	for j := 0; j < rings; j++ {
		for i := 0; i < segs; i++ {
			a, b, c, d := at(i, j), at(i+1, j), at(i+1, j+1), at(i, j+1)
			if j > 0 {
				idx = append(idx, a, b, c)
			}
			if j < rings-1 {
				idx = append(idx, a, c, d)
			}
		}
	}
	return pos, nor, uv, idx
}

// torusSoup is a torus as a non-indexed triangle list: every triangle has its own three
// vertices, as some exporters write.
func torusSoup(segs, sides int) (pos [][3]float32, nor [][3]float32) {
	at := func(i, j int) ([3]float32, [3]float32) {
		a, b := float64(i%segs)/float64(segs)*2*math.Pi, float64(j%sides)/float64(sides)*2*math.Pi
		n := [3]float64{math.Cos(b) * math.Cos(a), math.Sin(b), math.Cos(b) * math.Sin(a)}
		p := [3]float64{math.Cos(a) + 0.35*n[0], 0.35 * n[1], math.Sin(a) + 0.35*n[2]}
		return [3]float32{float32(p[0]) + 3, float32(p[1]), float32(p[2])}, [3]float32{float32(n[0]), float32(n[1]), float32(n[2])}
	}
	for j := 0; j < sides; j++ {
		for i := 0; i < segs; i++ {
			for _, c := range [6][2]int{{0, 0}, {0, 1}, {1, 1}, {0, 0}, {1, 1}, {1, 0}} {
				p, n := at(i+c[0], j+c[1])
				pos, nor = append(pos, p), append(nor, n)
			}
		}
	}
	return pos, nor
}

func tinyPNG(t testing.TB) []byte {
	img := image.NewRGBA(image.Rect(0, 0, 8, 8))
	for y := 0; y < 8; y++ {
		for x := 0; x < 8; x++ {
			img.Set(x, y, color.RGBA{uint8(x * 32), uint8(y * 32), 128, 255})
		}
	}
	var b bytes.Buffer
	if err := png.Encode(&b, img); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// testDocument builds a model that exercises what File must keep: a textured, skinned sphere
// with interleaved attributes, normalised colours, a morph target and an animation of its
// weights, a points primitive beside it; a non-indexed torus; a triangle strip; three nodes.
func testDocument(t testing.TB) *gltf.Document {
	doc := gltf.NewDocument()
	pos, nor, uv, idx := sphereData(64, 32)
	n := len(pos)
	col := make([][4]uint8, n)
	joints := make([][4]uint8, n)
	weights := make([][4]float32, n)
	delta := make([][3]float32, n)
	for v, p := range pos {
		col[v] = [4]uint8{uint8(127 + 127*p[0]), uint8(127 + 127*p[1]), 200, 255}
		w := (p[1] + 1) / 2
		joints[v] = [4]uint8{0, 1, 0, 0}
		weights[v] = [4]float32{w, 1 - w, 0, 0}
		delta[v] = [3]float32{0, 0.2 * p[1] * p[1], 0}
	}
	attrs, err := modeler.WritePrimitiveAttributes(doc,
		modeler.PrimitiveAttribute{Name: gltf.POSITION, Data: pos},
		modeler.PrimitiveAttribute{Name: gltf.NORMAL, Data: nor},
		modeler.PrimitiveAttribute{Name: gltf.TEXCOORD_0, Data: uv},
		modeler.PrimitiveAttribute{Name: gltf.COLOR_0, Data: col},
	)
	if err != nil {
		t.Fatal(err)
	}
	attrs[gltf.JOINTS_0] = modeler.WriteJoints(doc, joints)
	attrs[gltf.WEIGHTS_0] = modeler.WriteWeights(doc, weights)
	target := gltf.PrimitiveAttributes{gltf.POSITION: modeler.WritePosition(doc, delta)}
	img, err := modeler.WriteImage(doc, "checker", "image/png", bytes.NewReader(tinyPNG(t)))
	if err != nil {
		t.Fatal(err)
	}
	doc.Samplers = []*gltf.Sampler{{WrapS: gltf.WrapRepeat, WrapT: gltf.WrapMirroredRepeat}}
	doc.Textures = []*gltf.Texture{{Sampler: gltf.Index(0), Source: gltf.Index(img)}}
	doc.Materials = []*gltf.Material{
		{Name: "textured", PBRMetallicRoughness: &gltf.PBRMetallicRoughness{BaseColorTexture: &gltf.TextureInfo{Index: 0}}},
		{Name: "plain"},
	}
	points := modeler.WritePosition(doc, [][3]float32{{0, 2, 0}, {0, 2.5, 0}, {0, 3, 0}})
	doc.Meshes = append(doc.Meshes, &gltf.Mesh{Name: "sphere", Weights: []float64{0}, Primitives: []*gltf.Primitive{
		{Attributes: attrs, Indices: gltf.Index(modeler.WriteIndices(doc, idx)), Material: gltf.Index(0), Targets: []gltf.PrimitiveAttributes{target}},
		// Every primitive of a mesh needs as many morph targets; the points stay still.
		{Attributes: gltf.PrimitiveAttributes{gltf.POSITION: points}, Mode: gltf.PrimitivePoints, Material: gltf.Index(1),
			Targets: []gltf.PrimitiveAttributes{{gltf.POSITION: modeler.WritePosition(doc, make([][3]float32, 3))}}},
	}})

	tp, tn := torusSoup(48, 24)
	doc.Meshes = append(doc.Meshes, &gltf.Mesh{Name: "torus", Primitives: []*gltf.Primitive{{
		Attributes: gltf.PrimitiveAttributes{gltf.POSITION: modeler.WritePosition(doc, tp), gltf.NORMAL: modeler.WriteNormal(doc, tn)},
		Material:   gltf.Index(1),
	}}})

	// A ribbon as a triangle strip: two rows of vertices, zigzagging.
	var strip [][3]float32
	for i := 0; i <= 200; i++ {
		x := float32(i) / 50
		strip = append(strip, [3]float32{x, -2, float32(math.Sin(float64(x)))}, [3]float32{x, -1.5, float32(math.Sin(float64(x)))})
	}
	doc.Meshes = append(doc.Meshes, &gltf.Mesh{Name: "ribbon", Primitives: []*gltf.Primitive{{
		Attributes: gltf.PrimitiveAttributes{gltf.POSITION: modeler.WritePosition(doc, strip)},
		Mode:       gltf.PrimitiveTriangleStrip, Material: gltf.Index(1),
	}}})

	// The modeler takes matrices row by row.
	ibm := modeler.WriteInverseBindMatrices(doc, [][4][4]float32{
		{{1, 0, 0, 0}, {0, 1, 0, 0}, {0, 0, 1, 0}, {0, 0, 0, 1}},
		{{1, 0, 0, 0}, {0, 1, 0, -1}, {0, 0, 1, 0}, {0, 0, 0, 1}},
	})
	doc.BufferViews[*doc.Accessors[ibm].BufferView].Target = gltf.TargetNone
	doc.Nodes = []*gltf.Node{
		{Name: "sphere", Mesh: gltf.Index(0), Skin: gltf.Index(0)},
		{Name: "torus", Mesh: gltf.Index(1), Translation: [3]float64{0, 0.5, 0}, Rotation: [4]float64{0, 0.3826834, 0, 0.9238795}},
		{Name: "ribbon", Mesh: gltf.Index(2), Scale: [3]float64{1, 2, 1}},
		{Name: "root joint", Children: []int{4}},
		{Name: "tip joint", Translation: [3]float64{0, 1, 0}},
	}
	doc.Skins = []*gltf.Skin{{Name: "skin", Joints: []int{3, 4}, InverseBindMatrices: gltf.Index(ibm)}}
	doc.Scenes[0].Nodes = []int{0, 1, 2, 3}
	times := modeler.WriteAccessor(doc, gltf.TargetNone, []float32{0, 1, 2})
	doc.Accessors[times].Min, doc.Accessors[times].Max = []float64{0}, []float64{2}
	values := modeler.WriteAccessor(doc, gltf.TargetNone, []float32{0, 1, 0})
	doc.Animations = []*gltf.Animation{{
		Name:     "breathe",
		Samplers: []*gltf.AnimationSampler{{Input: times, Output: values}},
		Channels: []*gltf.AnimationChannel{{Sampler: 0, Target: gltf.AnimationChannelTarget{Node: gltf.Index(0), Path: gltf.TRSWeights}}},
	}}
	return doc
}
