package kaedimtest

import (
	"bytes"
	"fmt"

	"github.com/qmuntal/gltf"
	"github.com/qmuntal/gltf/modeler"
)

// modelFormats are the formats every finished iteration links to, as fetchRequest documents.
func modelFormats() []string { return []string{"obj", "fbx", "glb", "gltf", "mtl"} }

func modelType(ext string) string {
	switch ext {
	case "glb":
		return "model/gltf-binary"
	case "gltf":
		return "model/gltf+json"
	case "obj", "mtl":
		return "text/plain"
	}
	return "application/octet-stream"
}

// tetrahedron is the model every request gets: four triangles, closed.
func tetrahedron() (pos [][3]float32, idx []uint16) {
	return [][3]float32{{0, 0, 0}, {1, 0, 0}, {0, 1, 0}, {0, 0, 1}}, []uint16{0, 2, 1, 0, 1, 3, 0, 3, 2, 1, 2, 3}
}

// buildModels makes the files a finished iteration links to. The glb, gltf, obj and mtl are real;
// the fbx is a stand-in, as nothing in Kiln reads it.
func buildModels() (map[string][]byte, error) {
	glb, err := encode(true)
	if err != nil {
		return nil, err
	}
	gltfJSON, err := encode(false)
	if err != nil {
		return nil, err
	}
	pos, idx := tetrahedron()
	var obj bytes.Buffer
	obj.WriteString("# kaedimtest\nmtllib model.mtl\nusemtl grey\n")
	for _, p := range pos {
		fmt.Fprintf(&obj, "v %g %g %g\n", p[0], p[1], p[2])
	}
	for i := 0; i < len(idx); i += 3 {
		fmt.Fprintf(&obj, "f %d %d %d\n", idx[i]+1, idx[i+1]+1, idx[i+2]+1)
	}
	return map[string][]byte{
		"glb":  glb,
		"gltf": gltfJSON,
		"obj":  obj.Bytes(),
		"mtl":  []byte("newmtl grey\nKd 0.6 0.6 0.6\n"),
		"fbx":  []byte("; FBX 7.4.0 project file\n; kaedimtest stand-in: not a model\n"),
	}, nil
}

func encode(binary bool) ([]byte, error) {
	pos, idx := tetrahedron()
	doc := gltf.NewDocument()
	p := &gltf.Primitive{
		Attributes: map[string]int{gltf.POSITION: modeler.WritePosition(doc, pos)},
		Indices:    gltf.Index(modeler.WriteIndices(doc, idx)),
	}
	doc.Meshes = []*gltf.Mesh{{Name: "tetrahedron", Primitives: []*gltf.Primitive{p}}}
	doc.Nodes = []*gltf.Node{{Name: "tetrahedron", Mesh: gltf.Index(0)}}
	doc.Scenes[0].Nodes = []int{0}
	if !binary {
		doc.Buffers[0].EmbeddedResource()
	}
	var b bytes.Buffer
	enc := gltf.NewEncoder(&b)
	enc.AsBinary = binary
	if err := enc.Encode(doc); err != nil {
		return nil, fmt.Errorf("kaedimtest: encode the model: %w", err)
	}
	return b.Bytes(), nil
}
