// Package glb writes a textured mesh as a self-contained binary glTF 2.0 file.
package glb

import (
	"bytes"
	"fmt"

	"github.com/qmuntal/gltf"
	"github.com/qmuntal/gltf/modeler"

	"github.com/kiln3d/kiln/providers/local/mesh"
)

// Generator is written into every file's asset.generator.
const Generator = "Kiln"

// Texture is an encoded image to embed.
type Texture struct {
	Data     []byte
	MIMEType string // "image/jpeg" or "image/png"
}

// Encode returns the GLB of m with one opaque, rough, non-metallic material using tex as its base
// colour, in one node called name. Everything, the texture included, lives in the binary chunk.
func Encode(m *mesh.Mesh, tex Texture, name string) ([]byte, error) {
	return EncodeParts([]*mesh.Mesh{m}, tex, name)
}

// EncodeParts is Encode for a model made of several separate parts sharing the material: one
// part is one node called name, as Encode writes it; several are child nodes "name 1", "name 2"...
// of a node called name, each with a mesh of its own, so that an artist can pick them apart.
func EncodeParts(parts []*mesh.Mesh, tex Texture, name string) ([]byte, error) {
	if len(parts) == 0 {
		return nil, fmt.Errorf("glb: nothing to write (no parts)")
	}
	for _, m := range parts {
		if err := check(m); err != nil {
			return nil, err
		}
	}
	doc := &gltf.Document{
		Asset: gltf.Asset{Generator: Generator, Version: "2.0"},
		Scene: gltf.Index(0),
	}
	img, err := modeler.WriteImage(doc, name, tex.MIMEType, bytes.NewReader(tex.Data))
	if err != nil {
		return nil, fmt.Errorf("glb: embed texture: %w", err)
	}
	doc.Samplers = []*gltf.Sampler{{
		MagFilter: gltf.MagLinear, MinFilter: gltf.MinLinearMipMapLinear,
		WrapS: gltf.WrapClampToEdge, WrapT: gltf.WrapClampToEdge,
	}}
	doc.Textures = []*gltf.Texture{{Sampler: gltf.Index(0), Source: gltf.Index(img)}}
	doc.Materials = []*gltf.Material{{
		Name: name,
		PBRMetallicRoughness: &gltf.PBRMetallicRoughness{
			BaseColorTexture: &gltf.TextureInfo{Index: 0},
			MetallicFactor:   gltf.Float(0),
			RoughnessFactor:  gltf.Float(0.9),
		},
	}}
	for i, m := range parts {
		partName := name
		if len(parts) > 1 {
			partName = fmt.Sprintf("%s %d", name, i+1)
		}
		doc.Meshes = append(doc.Meshes, &gltf.Mesh{Name: partName, Primitives: []*gltf.Primitive{primitive(doc, m)}})
		doc.Nodes = append(doc.Nodes, &gltf.Node{Name: partName, Mesh: gltf.Index(i)})
	}
	root := 0
	if len(parts) > 1 {
		children := make([]int, len(parts))
		for i := range children {
			children[i] = i
		}
		root = len(doc.Nodes)
		doc.Nodes = append(doc.Nodes, &gltf.Node{Name: name, Children: children})
	}
	doc.Scenes = []*gltf.Scene{{Name: name, Nodes: []int{root}}}
	var out bytes.Buffer
	out.Grow(len(doc.Buffers[0].Data) + 4096)
	enc := gltf.NewEncoder(&out)
	enc.AsBinary = true
	if err := enc.Encode(doc); err != nil {
		return nil, fmt.Errorf("glb: encode: %w", err)
	}
	return out.Bytes(), nil
}

func check(m *mesh.Mesh) error {
	n := len(m.Positions)
	if n == 0 || len(m.Indices) == 0 || len(m.Indices)%3 != 0 {
		return fmt.Errorf("glb: nothing to write (%d vertices, %d indices)", n, len(m.Indices))
	}
	if len(m.Normals) != n || len(m.UVs) != n {
		return fmt.Errorf("glb: %d positions but %d normals and %d UVs", n, len(m.Normals), len(m.UVs))
	}
	for _, i := range m.Indices {
		if int(i) >= n {
			return fmt.Errorf("glb: index %d past the %d vertices", i, n)
		}
	}
	return nil
}

// primitive writes m's vertices and indices into doc's buffer and returns its triangles.
func primitive(doc *gltf.Document, m *mesh.Mesh) *gltf.Primitive {
	pos := modeler.WritePosition(doc, m.Positions)
	nor := modeler.WriteNormal(doc, m.Normals)
	uv := modeler.WriteTextureCoord(doc, m.UVs)
	var idx int
	if len(m.Positions) < 1<<16 {
		// 16-bit indices halve the index buffer; 0xFFFF itself is the primitive-restart value,
		// which glTF forbids, and fewer than 65536 vertices keep every index below it.
		short := make([]uint16, len(m.Indices))
		for k, i := range m.Indices {
			short[k] = uint16(i)
		}
		idx = modeler.WriteIndices(doc, short)
	} else {
		idx = modeler.WriteIndices(doc, m.Indices)
	}
	return &gltf.Primitive{
		Attributes: gltf.PrimitiveAttributes{gltf.POSITION: pos, gltf.NORMAL: nor, gltf.TEXCOORD_0: uv},
		Indices:    gltf.Index(idx),
		Material:   gltf.Index(0),
		Mode:       gltf.PrimitiveTriangles,
	}
}
