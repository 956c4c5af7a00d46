package app

import (
	"fmt"
	"path/filepath"

	"github.com/qmuntal/gltf"
)

// ModelInfo summarises a glTF model without loading its geometry.
type ModelInfo struct {
	Triangles int `json:"triangles"`
	Vertices  int `json:"vertices"`
	Meshes    int `json:"meshes"`
	Materials int `json:"materials"`
	Textures  int `json:"textures"`
}

// ReadModelInfo opens a .glb, or a .gltf with its external files, and counts what it holds. A file
// that is not a readable glTF 2.0 model gets an error saying so.
func ReadModelInfo(path string) (info ModelInfo, err error) {
	defer func() {
		// The decoder is third-party code fed untrusted bytes: a panic is a malformed file.
		if r := recover(); r != nil {
			err = fmt.Errorf("%s is not a readable glTF model (%v)", filepath.Base(path), r)
		}
	}()
	doc, err := gltf.Open(path)
	if err != nil {
		return ModelInfo{}, fmt.Errorf("%s is not a readable glTF model: %w", filepath.Base(path), err)
	}
	info = ModelInfo{Meshes: len(doc.Meshes), Materials: len(doc.Materials), Textures: len(doc.Textures)}
	count := func(i int) (int, error) {
		if i < 0 || i >= len(doc.Accessors) {
			return 0, fmt.Errorf("accessor %d does not exist", i)
		}
		return int(doc.Accessors[i].Count), nil
	}
	for mi, m := range doc.Meshes {
		for pi, p := range m.Primitives {
			pos, ok := p.Attributes[gltf.POSITION]
			if !ok {
				continue
			}
			nv, err := count(pos)
			if err != nil {
				return info, fmt.Errorf("%s: mesh %d primitive %d: %w", filepath.Base(path), mi, pi, err)
			}
			info.Vertices += nv
			n := nv
			if p.Indices != nil {
				if n, err = count(*p.Indices); err != nil {
					return info, fmt.Errorf("%s: mesh %d primitive %d: %w", filepath.Base(path), mi, pi, err)
				}
			}
			switch p.Mode {
			case gltf.PrimitiveTriangles:
				info.Triangles += n / 3
			case gltf.PrimitiveTriangleStrip, gltf.PrimitiveTriangleFan:
				info.Triangles += max(0, n-2)
			}
		}
	}
	return info, nil
}
