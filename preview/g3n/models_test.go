package g3n

import (
	"bytes"
	"encoding/json"
	"image"
	"image/color"
	"image/png"
	"math"
	"path/filepath"
	"testing"

	"github.com/qmuntal/gltf"
	"github.com/qmuntal/gltf/modeler"
)

// Small models the tests write with qmuntal/gltf, whose right rendering is known.

// box is an axis-aligned box by its corners.
type box struct{ lo, hi [3]float32 }

// lShape is an L-shaped block with a foot: asymmetric along every axis, so that each preset
// view has its own silhouette and a mirrored or swapped view cannot pass for another. Units
// are metres: 30 cm wide, 30 cm tall, 20 cm deep.
func lShape() []box {
	return []box{
		{[3]float32{0, 0, 0}, [3]float32{0.3, 0.1, 0.1}},      // the base, along X
		{[3]float32{0, 0.1, 0}, [3]float32{0.1, 0.3, 0.1}},    // the tower, on the left
		{[3]float32{0.2, 0, 0.1}, [3]float32{0.3, 0.05, 0.2}}, // the foot, right and forward
	}
}

// boxFaces lists a box's faces: outward normal and corners counter-clockwise seen from
// outside, starting at the corner that is top-left when the face is seen upright (for the
// top and bottom faces, seen from the front edge).
func boxFaces(b box) (normals [6][3]float32, corners [6][4][3]float32) {
	l, h := b.lo, b.hi
	normals = [6][3]float32{{0, 0, 1}, {0, 0, -1}, {-1, 0, 0}, {1, 0, 0}, {0, 1, 0}, {0, -1, 0}}
	corners = [6][4][3]float32{
		{{l[0], h[1], h[2]}, {l[0], l[1], h[2]}, {h[0], l[1], h[2]}, {h[0], h[1], h[2]}}, // front +Z
		{{h[0], h[1], l[2]}, {h[0], l[1], l[2]}, {l[0], l[1], l[2]}, {l[0], h[1], l[2]}}, // back −Z
		{{l[0], h[1], l[2]}, {l[0], l[1], l[2]}, {l[0], l[1], h[2]}, {l[0], h[1], h[2]}}, // left −X
		{{h[0], h[1], h[2]}, {h[0], l[1], h[2]}, {h[0], l[1], l[2]}, {h[0], h[1], l[2]}}, // right +X
		{{l[0], h[1], l[2]}, {l[0], h[1], h[2]}, {h[0], h[1], h[2]}, {h[0], h[1], l[2]}}, // top +Y
		{{l[0], l[1], h[2]}, {l[0], l[1], l[2]}, {h[0], l[1], l[2]}, {h[0], l[1], h[2]}}, // bottom −Y
	}
	return normals, corners
}

// meshOptions shape the generated primitive.
type meshOptions struct {
	noNormals bool
	uv        bool // each face maps the whole texture, its top-left corner at UV (0, 0)
}

// writeBoxes appends one primitive holding the boxes (4 unshared vertices per face).
func writeBoxes(doc *gltf.Document, boxes []box, opt meshOptions) *gltf.Primitive {
	var pos, nor [][3]float32
	var uv [][2]float32
	var idx []uint32
	for _, b := range boxes {
		normals, corners := boxFaces(b)
		for f := range 6 {
			base := uint32(len(pos))
			for k, c := range corners[f] {
				pos = append(pos, c)
				nor = append(nor, normals[f])
				uv = append(uv, [][2]float32{{0, 0}, {0, 1}, {1, 1}, {1, 0}}[k])
			}
			idx = append(idx, base, base+1, base+2, base, base+2, base+3)
		}
	}
	attrs := gltf.PrimitiveAttributes{gltf.POSITION: modeler.WritePosition(doc, pos)}
	if !opt.noNormals {
		attrs[gltf.NORMAL] = modeler.WriteNormal(doc, nor)
	}
	if opt.uv {
		attrs[gltf.TEXCOORD_0] = modeler.WriteTextureCoord(doc, uv)
	}
	return &gltf.Primitive{Attributes: attrs, Indices: gltf.Index(modeler.WriteIndices(doc, idx))}
}

func newDoc() *gltf.Document { return gltf.NewDocument() }

// finish adds a mesh node drawing p with material m (nil: none) to the document's scene.
func finish(doc *gltf.Document, p *gltf.Primitive, m *gltf.Material) {
	if m != nil {
		doc.Materials = append(doc.Materials, m)
		p.Material = gltf.Index(len(doc.Materials) - 1)
	}
	doc.Meshes = append(doc.Meshes, &gltf.Mesh{Primitives: []*gltf.Primitive{p}})
	doc.Nodes = append(doc.Nodes, &gltf.Node{Mesh: gltf.Index(len(doc.Meshes) - 1)})
	doc.Scenes[0].Nodes = append(doc.Scenes[0].Nodes, len(doc.Nodes)-1)
}

func save(t testing.TB, doc *gltf.Document, name string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), name)
	if err := gltf.SaveBinary(doc, path); err != nil {
		t.Fatal(err)
	}
	return path
}

func matte(r, g, b float64) *gltf.Material {
	return &gltf.Material{PBRMetallicRoughness: &gltf.PBRMetallicRoughness{
		BaseColorFactor: &[4]float64{r, g, b, 1}, MetallicFactor: gltf.Float(0), RoughnessFactor: gltf.Float(0.8)}}
}

// lShapeModel writes the L-shaped block in a matte grey.
func lShapeModel(t testing.TB) string {
	doc := newDoc()
	finish(doc, writeBoxes(doc, lShape(), meshOptions{}), matte(0.5, 0.5, 0.5))
	return save(t, doc, "lshape.glb")
}

// quadrantColours are the texture's four quadrants: top-left, top-right, bottom-left,
// bottom-right of the image.
var quadrantColours = [4]color.NRGBA{{220, 30, 30, 255}, {30, 190, 40, 255}, {30, 60, 220, 255}, {235, 205, 20, 255}}

// quadrantTexture is a 64×64 PNG in four coloured quadrants.
func quadrantTexture() []byte {
	img := image.NewNRGBA(image.Rect(0, 0, 64, 64))
	for y := range 64 {
		for x := range 64 {
			img.SetNRGBA(x, y, quadrantColours[(y/32)*2+x/32])
		}
	}
	var b bytes.Buffer
	_ = png.Encode(&b, img)
	return b.Bytes()
}

// texturedCube writes a 20 cm cube centred on the origin whose every face shows the
// quadrant texture upright.
func texturedCube(t testing.TB) string {
	doc := newDoc()
	imgIdx, err := modeler.WriteImage(doc, "quadrants", "image/png", bytes.NewReader(quadrantTexture()))
	if err != nil {
		t.Fatal(err)
	}
	doc.Textures = append(doc.Textures, &gltf.Texture{Source: gltf.Index(imgIdx)})
	m := matte(1, 1, 1)
	m.PBRMetallicRoughness.BaseColorTexture = &gltf.TextureInfo{Index: 0}
	cube := box{[3]float32{-0.1, -0.1, -0.1}, [3]float32{0.1, 0.1, 0.1}}
	finish(doc, writeBoxes(doc, []box{cube}, meshOptions{uv: true}), m)
	return save(t, doc, "textured.glb")
}

// plainCube writes the same cube untextured, with or without normals.
func plainCube(t testing.TB, m *gltf.Material, noNormals bool, name string) string {
	doc := newDoc()
	cube := box{[3]float32{-0.1, -0.1, -0.1}, [3]float32{0.1, 0.1, 0.1}}
	finish(doc, writeBoxes(doc, []box{cube}, meshOptions{noNormals: noNormals}), m)
	return save(t, doc, name)
}

// unlitMaterial is a KHR_materials_unlit material of one colour.
func unlitMaterial(doc *gltf.Document, r, g, b float64) *gltf.Material {
	doc.ExtensionsUsed = append(doc.ExtensionsUsed, "KHR_materials_unlit")
	m := matte(r, g, b)
	m.Extensions = gltf.Extensions{"KHR_materials_unlit": json.RawMessage(`{}`)}
	return m
}

// sphereModel writes a UV sphere of about tris triangles, radius 0.5 m, with normals.
func sphereModel(t testing.TB, tris int, name string) string {
	n := int(math.Sqrt(float64(tris) / 2))
	var pos, nor [][3]float32
	for i := 0; i <= n; i++ {
		th := math.Pi * float64(i) / float64(n)
		for j := 0; j <= n; j++ {
			ph := 2 * math.Pi * float64(j) / float64(n)
			p := [3]float32{float32(math.Sin(th) * math.Cos(ph)), float32(math.Cos(th)), float32(math.Sin(th) * math.Sin(ph))}
			nor = append(nor, p)
			pos = append(pos, [3]float32{p[0] / 2, p[1]/2 + 0.5, p[2] / 2})
		}
	}
	var idx []uint32
	for i := 0; i < n; i++ {
		for j := 0; j < n; j++ {
			a, b := uint32(i*(n+1)+j), uint32((i+1)*(n+1)+j)
			idx = append(idx, a, a+1, b, b, a+1, b+1)
		}
	}
	doc := newDoc()
	p := &gltf.Primitive{Attributes: gltf.PrimitiveAttributes{
		gltf.POSITION: modeler.WritePosition(doc, pos), gltf.NORMAL: modeler.WriteNormal(doc, nor)},
		Indices: gltf.Index(modeler.WriteIndices(doc, idx))}
	finish(doc, p, matte(0.7, 0.4, 0.3))
	return save(t, doc, name)
}
