// Package modelio holds a glTF model whole in memory for export: one buffer, every image in it,
// checked by the preview's inspection first. On it work the changes an export makes (a new root
// that moves the pivot and scales, textures brought down to a size, names an engine accepts,
// tangents) and the measures the pre-flight reads (what the engine draws, the true bounds, open
// and non-manifold edges); it writes a .glb, or a .gltf with its .bin and images beside it.
// Wavefront OBJ lives in modelio/obj.
package modelio

import (
	"bytes"
	"context"
	"fmt"
	"math"

	"github.com/qmuntal/gltf"
	"github.com/qmuntal/gltf/modeler"

	"github.com/kiln3d/kiln/preview/inspect"
	"github.com/kiln3d/kiln/providers/geom/gltfsimplify"
)

// Model is a checked glTF document held whole in memory: Doc has exactly one buffer, its Data
// loaded, and every image lies in a buffer view of it (none is external or a data URI).
type Model struct {
	Doc *gltf.Document
	// Report is the preview's inspection of the file the model was read from.
	Report *inspect.Report
}

// Load checks the model at path with the preview's inspection (a refusal is an *inspect.Error)
// and packs it self-contained: external buffers and images, and data URIs, move into the one
// buffer. What is loaded is exactly what was checked: the file is read once.
func Load(ctx context.Context, path string) (*Model, error) {
	doc, rep, err := inspect.Load(path)
	if err != nil {
		return nil, err
	}
	// gltfsimplify with a budget above the model's triangles simplifies nothing; it lays the
	// document out as one self-contained GLB, keeping everything else as it was.
	res, err := gltfsimplify.Document(ctx, doc, path, math.MaxInt, nil)
	if err != nil {
		return nil, err
	}
	return Decode(res.GLB, rep)
}

// Decode reads a self-contained GLB (as gltfsimplify and EncodeGLB write them) into a Model.
func Decode(glb []byte, rep *inspect.Report) (m *Model, err error) {
	defer func() {
		if r := recover(); r != nil {
			m, err = nil, fmt.Errorf("modelio: the packed model cannot be read back: %v", r)
		}
	}()
	doc := new(gltf.Document)
	if err := gltf.NewDecoder(bytes.NewReader(glb)).Decode(doc); err != nil {
		return nil, fmt.Errorf("modelio: the packed model cannot be read back: %w", err)
	}
	if len(doc.Buffers) > 1 {
		return nil, fmt.Errorf("modelio: the packed model has %d buffers", len(doc.Buffers))
	}
	return &Model{Doc: doc, Report: rep}, nil
}

// Draw is one use of a mesh: a node of the shown scene that draws it, and where.
type Draw struct {
	Node, Mesh int
	// World is the node's world matrix, column-major.
	World [16]float64
}

// Draws lists every node of the shown scene that draws a mesh, in node order.
func (m *Model) Draws() []Draw {
	var out []Draw
	for i, w := range inspect.WorldMatrices(m.Doc) {
		n := m.Doc.Nodes[i]
		if w == nil || n.Mesh == nil || *n.Mesh < 0 || *n.Mesh >= len(m.Doc.Meshes) {
			continue
		}
		out = append(out, Draw{Node: i, Mesh: *n.Mesh, World: *w})
	}
	return out
}

// Triangles counts the triangles of the triangle primitives: unique counts each mesh once (the
// Khronos validator's count), drawn counts each mesh once per node that draws it (what an engine
// draws, and what a triangle budget is about).
func (m *Model) Triangles() (unique, drawn int) {
	per := make([]int, len(m.Doc.Meshes))
	for i, mesh := range m.Doc.Meshes {
		for _, p := range mesh.Primitives {
			per[i] += primitiveTriangles(m.Doc, p)
		}
		unique += per[i]
	}
	for _, d := range m.Draws() {
		drawn += per[d.Mesh]
	}
	return unique, drawn
}

// primitiveTriangles is the number of triangles a primitive draws (0 for points and lines).
func primitiveTriangles(doc *gltf.Document, p *gltf.Primitive) int {
	n := 0
	if p.Indices != nil {
		n = doc.Accessors[*p.Indices].Count
	} else if pos, ok := p.Attributes[gltf.POSITION]; ok {
		n = doc.Accessors[pos].Count
	}
	switch p.Mode {
	case gltf.PrimitiveTriangles:
		return n / 3
	case gltf.PrimitiveTriangleStrip, gltf.PrimitiveTriangleFan:
		return max(n-2, 0)
	}
	return 0
}

// Positions reads a primitive's POSITION accessor (nil, nil when it has none).
func (m *Model) Positions(p *gltf.Primitive) ([][3]float32, error) {
	i, ok := p.Attributes[gltf.POSITION]
	if !ok {
		return nil, nil
	}
	return modeler.ReadPosition(m.Doc, m.Doc.Accessors[i], nil)
}

// Bounds is the box of every drawn vertex in world space, in metres (glTF axes, +Y up), read
// from the vertices themselves rather than the accessors' declared min and max. ok is false for a
// model that draws nothing.
func (m *Model) Bounds() (lo, hi [3]float64, ok bool, err error) {
	lo = [3]float64{math.Inf(1), math.Inf(1), math.Inf(1)}
	hi = [3]float64{math.Inf(-1), math.Inf(-1), math.Inf(-1)}
	cache := map[int][][3]float32{}
	for _, d := range m.Draws() {
		for _, p := range m.Doc.Meshes[d.Mesh].Primitives {
			acc, has := p.Attributes[gltf.POSITION]
			if !has {
				continue
			}
			pos, seen := cache[acc]
			if !seen {
				if pos, err = m.Positions(p); err != nil {
					return lo, hi, false, fmt.Errorf("modelio: mesh %d: %w", d.Mesh, err)
				}
				cache[acc] = pos
			}
			for _, v := range pos {
				w := Apply(d.World, v)
				for k := range 3 {
					lo[k], hi[k] = math.Min(lo[k], w[k]), math.Max(hi[k], w[k])
				}
				ok = true
			}
		}
	}
	return lo, hi, ok, nil
}

// Apply transforms a point by a column-major 4×4 affine matrix.
func Apply(w [16]float64, v [3]float32) [3]float64 {
	x, y, z := float64(v[0]), float64(v[1]), float64(v[2])
	return [3]float64{
		w[0]*x + w[4]*y + w[8]*z + w[12],
		w[1]*x + w[5]*y + w[9]*z + w[13],
		w[2]*x + w[6]*y + w[10]*z + w[14],
	}
}

// ApplyNormal transforms a direction by the inverse transpose of w's upper 3×3 and normalises
// it, as normals transform; a degenerate matrix leaves the direction as it was.
func ApplyNormal(w [16]float64, n [3]float32) [3]float64 {
	a, b, c := w[0], w[4], w[8]
	d, e, f := w[1], w[5], w[9]
	g, h, i := w[2], w[6], w[10]
	// The cofactor matrix is the inverse transpose times the determinant; the determinant's sign keeps the
	// direction outward for mirrored nodes.
	co := [9]float64{e*i - f*h, f*g - d*i, d*h - e*g, c*h - b*i, a*i - c*g, b*g - a*h, b*f - c*e, c*d - a*f, a*e - b*d}
	det := a*co[0] + b*co[1] + c*co[2]
	x, y, z := float64(n[0]), float64(n[1]), float64(n[2])
	r := [3]float64{co[0]*x + co[1]*y + co[2]*z, co[3]*x + co[4]*y + co[5]*z, co[6]*x + co[7]*y + co[8]*z}
	if det < 0 {
		r = [3]float64{-r[0], -r[1], -r[2]}
	}
	l := math.Sqrt(r[0]*r[0] + r[1]*r[1] + r[2]*r[2])
	if l == 0 || math.IsNaN(l) || math.IsInf(l, 0) {
		return [3]float64{x, y, z}
	}
	return [3]float64{r[0] / l, r[1] / l, r[2] / l}
}
