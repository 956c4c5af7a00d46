package rodintest

import (
	"bytes"
	_ "embed" // preview.webp
	"encoding/binary"
	"fmt"
	"image"
	"image/color"
	_ "image/jpeg" // decoders for the uploaded images the texture is made from
	"image/png"
	"math"

	"github.com/qmuntal/gltf"
	"github.com/qmuntal/gltf/ext/unlit"
	"github.com/qmuntal/gltf/modeler"
	_ "golang.org/x/image/webp" // the third image format the API accepts

	"github.com/kiln3d/kiln/providers/providertest"
)

// previewWebP is what every finished task lists as preview.webp: a 64×64 lossless WebP of a grey
// pyramid on white (made once with ImageMagick: Go has no WebP encoder).
//
//go:embed preview.webp
var previewWebP []byte

// textureSide bounds the texture the fake makes from the first image, in pixels.
const textureSide = 64

// maxTexturePixels bounds the uploaded images the fake decodes: a larger one gets a grey texture.
const maxTexturePixels = 16 << 20

// texturePNG makes the model's base-colour texture from the first uploaded image, scaled down to
// at most textureSide on its longer side. An image the fake cannot decode (or will not: too
// large) gives a grey one: the upload was checked by its content only, as the API's was.
func texturePNG(src []byte) []byte {
	img := decodeBounded(src)
	var out image.Image
	if img == nil {
		grey := image.NewNRGBA(image.Rect(0, 0, 2, 2))
		for i := range grey.Pix {
			grey.Pix[i] = 0x99
		}
		out = grey
	} else {
		b := img.Bounds()
		scale := max(1, float64(max(b.Dx(), b.Dy()))/textureSide)
		w, h := max(1, int(float64(b.Dx())/scale)), max(1, int(float64(b.Dy())/scale))
		small := image.NewNRGBA(image.Rect(0, 0, w, h))
		for y := range h {
			for x := range w {
				c := color.NRGBAModel.Convert(img.At(b.Min.X+int(float64(x)*scale), b.Min.Y+int(float64(y)*scale)))
				small.Set(x, y, c)
			}
		}
		out = small
	}
	var buf bytes.Buffer
	_ = png.Encode(&buf, out) // encoding an in-memory NRGBA into a buffer cannot fail
	return buf.Bytes()
}

// decodeBounded decodes src when its header promises a small enough image; nil otherwise, or
// when a decoder fails (or panics, on a hostile file).
func decodeBounded(src []byte) (img image.Image) {
	defer func() {
		if recover() != nil {
			img = nil
		}
	}()
	cfg, _, err := image.DecodeConfig(bytes.NewReader(src))
	if err != nil || cfg.Width <= 0 || cfg.Height <= 0 || cfg.Width*cfg.Height > maxTexturePixels {
		return nil
	}
	img, _, err = image.Decode(bytes.NewReader(src))
	if err != nil {
		return nil
	}
	return img
}

// tetrahedron is the shape every model has: providertest's, which Kiln's other tests use.
func tetrahedron() (doc *gltf.Document, pos [][3]float32, idx []uint32, err error) {
	doc = providertest.Tetrahedron()
	p := doc.Meshes[0].Primitives[0]
	if pos, err = modeler.ReadPosition(doc, doc.Accessors[p.Attributes[gltf.POSITION]], nil); err != nil {
		return nil, nil, nil, fmt.Errorf("rodintest: the tetrahedron's positions: %w", err)
	}
	if idx, err = modeler.ReadIndices(doc, doc.Accessors[*p.Indices], nil); err != nil {
		return nil, nil, nil, fmt.Errorf("rodintest: the tetrahedron's indices: %w", err)
	}
	return doc, pos, idx, nil
}

// buildGLB makes a binary glTF: the tetrahedron scaled to extent (metres), with, by material, a
// metallic-roughness material textured with texture ("pbr"), an unlit one textured with it
// ("shaded": the lighting is in the texture), or a plain grey one ("none").
func buildGLB(texture []byte, material string, extent [3]float32) ([]byte, error) {
	doc, pos, _, err := tetrahedron()
	if err != nil {
		return nil, err
	}
	p := doc.Meshes[0].Primitives[0]
	grey := [4]float64{0.6, 0.6, 0.6, 1}
	metallic, roughness := 0.0, 0.8
	m := &gltf.Material{Name: "rodin_" + material, PBRMetallicRoughness: &gltf.PBRMetallicRoughness{
		MetallicFactor: &metallic, RoughnessFactor: &roughness}}
	if material == "none" {
		m.PBRMetallicRoughness.BaseColorFactor = &grey
	} else {
		// Each corner of the tetrahedron samples a corner of the image (the fake's mapping).
		uv := make([][2]float32, len(pos))
		for i, q := range pos {
			uv[i] = [2]float32{q[0] + 0.5*q[2], 1 - q[1] - 0.5*q[2]}
		}
		p.Attributes[gltf.TEXCOORD_0] = modeler.WriteTextureCoord(doc, uv)
		img, err := modeler.WriteImage(doc, "texture_diffuse", "image/png", bytes.NewReader(texture))
		if err != nil {
			return nil, fmt.Errorf("rodintest: the texture: %w", err)
		}
		doc.Samplers = []*gltf.Sampler{{MagFilter: gltf.MagLinear, MinFilter: gltf.MinLinear}}
		doc.Textures = []*gltf.Texture{{Sampler: gltf.Index(0), Source: gltf.Index(img)}}
		m.PBRMetallicRoughness.BaseColorTexture = &gltf.TextureInfo{Index: 0}
		if material == "shaded" {
			m.Extensions = gltf.Extensions{unlit.ExtensionName: unlit.Unlit{}}
			doc.ExtensionsUsed = append(doc.ExtensionsUsed, unlit.ExtensionName)
		}
	}
	doc.Materials = []*gltf.Material{m}
	p.Material = gltf.Index(0)
	doc.Nodes[0].Scale = [3]float64{float64(extent[0]), float64(extent[1]), float64(extent[2])}
	doc.Asset.Generator = "rodintest"
	var b bytes.Buffer
	enc := gltf.NewEncoder(&b)
	enc.AsBinary = true
	if err := enc.Encode(doc); err != nil {
		return nil, fmt.Errorf("rodintest: encode the model: %w", err)
	}
	return b.Bytes(), nil
}

// buildOBJ writes the tetrahedron, scaled to extent, as Wavefront OBJ text.
func buildOBJ(extent [3]float32) ([]byte, error) {
	_, pos, idx, err := tetrahedron()
	if err != nil {
		return nil, err
	}
	var b bytes.Buffer
	b.WriteString("# rodintest\no tetrahedron\n")
	for _, q := range pos {
		fmt.Fprintf(&b, "v %g %g %g\n", q[0]*extent[0], q[1]*extent[1], q[2]*extent[2])
	}
	for i := 0; i+2 < len(idx); i += 3 {
		fmt.Fprintf(&b, "f %d %d %d\n", idx[i]+1, idx[i+1]+1, idx[i+2]+1)
	}
	return b.Bytes(), nil
}

// buildSTL writes the tetrahedron, scaled to extent, as binary STL.
func buildSTL(extent [3]float32) ([]byte, error) {
	_, pos, idx, err := tetrahedron()
	if err != nil {
		return nil, err
	}
	le := binary.LittleEndian
	out := make([]byte, 80, 84+50*len(idx)/3)
	copy(out, "rodintest")
	out = le.AppendUint32(out, uint32(len(idx)/3))
	for i := 0; i+2 < len(idx); i += 3 {
		var v [3][3]float32
		for k := range 3 {
			q := pos[idx[i+k]]
			v[k] = [3]float32{q[0] * extent[0], q[1] * extent[1], q[2] * extent[2]}
		}
		n := normal(v)
		for _, f := range append(n[:], v[0][0], v[0][1], v[0][2], v[1][0], v[1][1], v[1][2], v[2][0], v[2][1], v[2][2]) {
			out = le.AppendUint32(out, math.Float32bits(f))
		}
		out = append(out, 0, 0)
	}
	return out, nil
}

// normal is a triangle's unit normal, by the right-hand rule.
func normal(v [3][3]float32) [3]float32 {
	a := [3]float32{v[1][0] - v[0][0], v[1][1] - v[0][1], v[1][2] - v[0][2]}
	b := [3]float32{v[2][0] - v[0][0], v[2][1] - v[0][1], v[2][2] - v[0][2]}
	n := [3]float32{a[1]*b[2] - a[2]*b[1], a[2]*b[0] - a[0]*b[2], a[0]*b[1] - a[1]*b[0]}
	l := float32(math.Sqrt(float64(n[0]*n[0] + n[1]*n[1] + n[2]*n[2])))
	if l == 0 {
		return n
	}
	return [3]float32{n[0] / l, n[1] / l, n[2] / l}
}

// standIns are the formats nothing in Kiln reads: text that says what it is, not a model.
var standIns = map[string]string{
	"fbx":  "; FBX 7.4.0 project file\n; rodintest stand-in: not a model\n",
	"usdz": "rodintest stand-in for a USDZ package: not a model\n",
}

// contentType is the type the storage serves a file with.
func contentType(ext string) string {
	switch ext {
	case "glb":
		return "model/gltf-binary"
	case "obj":
		return "text/plain"
	case "stl":
		return "model/stl"
	case "png":
		return "image/png"
	case "webp":
		return "image/webp"
	case "usdz":
		return "model/vnd.usdz+zip"
	}
	return "application/octet-stream"
}
