package app

import (
	"errors"

	"github.com/kiln3d/kiln/preview/inspect"
	"github.com/kiln3d/kiln/providers"
)

// ModelInfo summarises a glTF model without loading its geometry into a renderer.
type ModelInfo struct {
	// Triangles counts each mesh once, as the Khronos validator does; DrawnTriangles counts it
	// once per node of the shown scene that draws it, as an engine does (a mesh no node draws
	// adds nothing).
	Triangles      int `json:"triangles"`
	DrawnTriangles int `json:"drawnTriangles"`
	Vertices       int `json:"vertices"`
	Meshes         int `json:"meshes"`
	Materials      int `json:"materials"`
	Textures       int `json:"textures"`
}

// ModelError is a model refused by the model check: its text says why, and it counts as a damaged
// result (providers.ErrDamagedResult) when a provider sent it.
type ModelError struct{ Err error }

func (e *ModelError) Error() string { return e.Err.Error() }

// Unwrap gives the check's own error (an *inspect.Error).
func (e *ModelError) Unwrap() error { return e.Err }

// Is makes errors.Is(err, providers.ErrDamagedResult) true.
func (e *ModelError) Is(target error) bool { return target == providers.ErrDamagedResult }

// CheckModel is the one model check every reader goes through before it loads a model: the
// library's add, a provider's download, simplify and reduce, render and the preview (which call
// the same inspect.Inspect). It refuses, before anything large is allocated or decoded, what a
// loader would choke on: declared lengths beyond the file's real size, accessors out of bounds,
// non-finite positions, node cycles, huge textures, files outside the model's folder, FIFOs.
func CheckModel(path string) (*inspect.Report, error) {
	rep, err := inspect.Inspect(path)
	if err != nil {
		return nil, &ModelError{Err: err}
	}
	return rep, nil
}

// ReadModelInfo checks the model at path (a .glb, or a .gltf with its external files) and counts
// what it holds. A file that is not a readable glTF 2.0 model gets a *ModelError saying why.
func ReadModelInfo(path string) (ModelInfo, error) {
	rep, err := CheckModel(path)
	if err != nil {
		return ModelInfo{}, err
	}
	return ModelInfo{Triangles: rep.Triangles, DrawnTriangles: rep.DrawnTriangles, Vertices: rep.Vertices, Meshes: rep.Meshes,
		Materials: rep.Materials, Textures: len(rep.Textures)}, nil
}

// IsModelError reports whether err is the model check's refusal.
func IsModelError(err error) bool {
	var m *ModelError
	return errors.As(err, &m)
}
