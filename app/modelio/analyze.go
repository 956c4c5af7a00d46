package modelio

import (
	"context"
	"fmt"
	"math"
	"slices"

	"github.com/qmuntal/gltf"
	"github.com/qmuntal/gltf/modeler"

	"github.com/kiln3d/kiln/providers/geom/gltfdoc"
)

// WeldQuantum is the grid, in mesh units, that positions snap to before edges are compared: the
// 10 µm the independent checker (meshcheck) welds by, so that vertices split only for a UV seam
// or a hard edge share their edges.
const WeldQuantum = 1e-5

// Analysis is what the export pre-flight reads of a model's meshes. Each mesh counts once, as
// stored, however many nodes draw it; meshes no node draws count too, as they are exported.
type Analysis struct {
	// Triangles are those of the triangle primitives (lists, strips and fans).
	Triangles int
	// OpenEdges are used by one triangle (a hole or a border), NonManifoldEdges by more than two
	// (fins, faces stacked on one another), once a mesh's vertices are welded by position.
	OpenEdges, NonManifoldEdges int
	// Degenerate triangles have no area: two corners welded together, or three on one line.
	Degenerate int
	// Meshes breaks the counts down by mesh, in the document's order.
	Meshes []MeshAnalysis
	// Materials is how many distinct materials the triangle primitives use.
	Materials int
	// The lists below name triangle primitives ("mesh "Body" primitive 0"), in document order.
	// MissingNormals have no NORMAL: an engine makes them, flat or smoothed its own way.
	MissingNormals []string
	// WithoutUV lack TEXCOORD_0, or a set a texture of their material reads: an engine can
	// texture or bake them only once they are unwrapped.
	WithoutUV []string
	// MissingTangents have a normal map but no TANGENT: AddTangents can write them.
	MissingTangents []string
}

// MeshAnalysis is how one mesh's triangles join up.
type MeshAnalysis struct {
	// Name names the mesh for the artist: `mesh "Body"`, or `mesh 3` for an unnamed one.
	Name string
	// The counts are those of Analysis, for this mesh alone.
	Triangles, OpenEdges, NonManifoldEdges, Degenerate int
}

// Watertight says the model has triangles and each of their edges is shared by exactly two:
// what 3D printing and engine-side volume tools need.
func (a Analysis) Watertight() bool {
	return a.Triangles > 0 && a.OpenEdges == 0 && a.NonManifoldEdges == 0
}

// cancelStride is how many triangles Analyze and AddTangents work through between looks at
// their context.
const cancelStride = 1 << 16

// Analyze welds each mesh's vertices by position (to WeldQuantum) across its triangle
// primitives and counts its open, non-manifold and degenerate triangles' edges as meshcheck does,
// and lists the primitives that lack what an engine wants (normals, UVs, tangents for a normal
// map). It stops with ctx's error when ctx ends.
func (m *Model) Analyze(ctx context.Context) (Analysis, error) {
	var a Analysis
	materials := map[int]bool{}
	for mi, mesh := range m.Doc.Meshes {
		ma, err := m.analyzeMesh(ctx, mi)
		if err != nil {
			return Analysis{}, err
		}
		a.Meshes = append(a.Meshes, ma)
		a.Triangles += ma.Triangles
		a.OpenEdges += ma.OpenEdges
		a.NonManifoldEdges += ma.NonManifoldEdges
		a.Degenerate += ma.Degenerate
		for pi, p := range mesh.Primitives {
			if !drawsTriangles(p.Mode) {
				continue
			}
			label := primitiveLabel(m.Doc, mi, pi)
			if p.Material != nil {
				materials[*p.Material] = true
			}
			if _, ok := p.Attributes[gltf.NORMAL]; !ok {
				a.MissingNormals = append(a.MissingNormals, label)
			}
			for _, set := range uvSets(m.Doc, p) {
				if _, ok := p.Attributes[fmt.Sprintf("TEXCOORD_%d", set)]; !ok {
					a.WithoutUV = append(a.WithoutUV, label)
					break
				}
			}
			if _, ok := normalMapUV(m.Doc, p); ok {
				if _, has := p.Attributes[gltf.TANGENT]; !has {
					a.MissingTangents = append(a.MissingTangents, label)
				}
			}
		}
	}
	a.Materials = len(materials)
	return a, nil
}

// analyzeMesh welds one mesh's positions and counts how its triangles' edges are shared.
func (m *Model) analyzeMesh(ctx context.Context, mi int) (MeshAnalysis, error) {
	mesh := m.Doc.Meshes[mi]
	out := MeshAnalysis{Name: meshLabel(m.Doc, mi)}
	total := 0
	for _, p := range mesh.Primitives {
		total += primitiveTriangles(m.Doc, p)
	}
	type welded struct {
		pos [][3]float32
		ids []uint32
	}
	// Primitives often share one POSITION accessor: it is read and welded once.
	byAccessor := map[int]welded{}
	ids := make(map[[3]int64]uint32)
	edges := make([]uint64, 0, 3*total)
	done := 0
	for pi, p := range mesh.Primitives {
		acc, ok := p.Attributes[gltf.POSITION]
		if !drawsTriangles(p.Mode) || !ok {
			continue
		}
		w, seen := byAccessor[acc]
		if !seen {
			pos, err := m.Positions(p)
			if err != nil {
				return out, fmt.Errorf("modelio: %s: positions: %w", primitiveLabel(m.Doc, mi, pi), err)
			}
			w = welded{pos: pos, ids: make([]uint32, len(pos))}
			for i, v := range pos {
				k := weldKey(v)
				id, found := ids[k]
				if !found {
					id = uint32(len(ids))
					ids[k] = id
				}
				w.ids[i] = id
			}
			byAccessor[acc] = w
		}
		corners, err := triangleCorners(m.Doc, p, len(w.pos))
		if err != nil {
			return out, fmt.Errorf("modelio: %s: %w", primitiveLabel(m.Doc, mi, pi), err)
		}
		out.Triangles += len(corners) / 3
		for t := 0; t+2 < len(corners); t += 3 {
			if done++; done%cancelStride == 0 {
				if err := ctx.Err(); err != nil {
					return out, err
				}
			}
			i, j, k := corners[t], corners[t+1], corners[t+2]
			if p.Mode != gltf.PrimitiveTriangles && (i == j || j == k || i == k) {
				// A strip's stitches (a repeated index) join its runs and draw nothing.
				continue
			}
			a, b, c := w.ids[i], w.ids[j], w.ids[k]
			if a == b || b == c || a == c {
				out.Degenerate++
				continue
			}
			if zeroArea(w.pos[i], w.pos[j], w.pos[k]) {
				out.Degenerate++
			}
			edges = append(edges, edgeKey(a, b), edgeKey(b, c), edgeKey(c, a))
		}
	}
	if err := ctx.Err(); err != nil {
		return out, err
	}
	slices.Sort(edges)
	for i := 0; i < len(edges); {
		j := i + 1
		for j < len(edges) && edges[j] == edges[i] {
			j++
		}
		switch {
		case j-i == 1:
			out.OpenEdges++
		case j-i > 2:
			out.NonManifoldEdges++
		}
		i = j
	}
	return out, nil
}

// weldKey snaps a position to the WeldQuantum grid exactly as meshcheck does.
func weldKey(v [3]float32) [3]int64 {
	return [3]int64{
		int64(math.Round(float64(v[0]) * (1 / WeldQuantum))),
		int64(math.Round(float64(v[1]) * (1 / WeldQuantum))),
		int64(math.Round(float64(v[2]) * (1 / WeldQuantum))),
	}
}

// edgeKey names an undirected edge between two welded vertices.
func edgeKey(a, b uint32) uint64 {
	if a > b {
		a, b = b, a
	}
	return uint64(a)<<32 | uint64(b)
}

// zeroArea says a triangle's area is nothing next to its longest edge: the rule meshcheck's
// quality check counts degenerate triangles by.
func zeroArea(p, q, r [3]float32) bool {
	e0 := sub64(q, p)
	e1 := sub64(r, q)
	e2 := sub64(p, r)
	l := max(dot64(e0, e0), dot64(e1, e1), dot64(e2, e2))
	c := cross64(e0, sub64(r, p))
	area := 0.5 * math.Sqrt(dot64(c, c))
	return area == 0 || area <= 1e-15*l
}

func sub64(a, b [3]float32) [3]float64 {
	return [3]float64{float64(a[0]) - float64(b[0]), float64(a[1]) - float64(b[1]), float64(a[2]) - float64(b[2])}
}

func dot64(a, b [3]float64) float64 { return a[0]*b[0] + a[1]*b[1] + a[2]*b[2] }

func cross64(a, b [3]float64) [3]float64 {
	return [3]float64{a[1]*b[2] - a[2]*b[1], a[2]*b[0] - a[0]*b[2], a[0]*b[1] - a[1]*b[0]}
}

// drawsTriangles says a primitive mode draws triangles.
func drawsTriangles(mode gltf.PrimitiveMode) bool {
	switch mode {
	case gltf.PrimitiveTriangles, gltf.PrimitiveTriangleStrip, gltf.PrimitiveTriangleFan:
		return true
	}
	return false
}

// triangleCorners lists a triangle primitive's triangles as three vertex indices each, strips
// and fans unrolled with a strip's every other triangle turned to keep the winding; n is the
// primitive's vertex count, which every index must be below.
func triangleCorners(doc *gltf.Document, p *gltf.Primitive, n int) ([]uint32, error) {
	var idx []uint32
	if p.Indices != nil {
		var err error
		if idx, err = modeler.ReadIndices(doc, doc.Accessors[*p.Indices], nil); err != nil {
			return nil, fmt.Errorf("indices: %w", err)
		}
		for k, v := range idx {
			if int(v) >= n {
				return nil, fmt.Errorf("index %d (at %d) is past the %d vertices", v, k, n)
			}
		}
	} else {
		idx = make([]uint32, n)
		for i := range idx {
			idx[i] = uint32(i)
		}
	}
	return gltfdoc.Triangles(p.Mode, idx), nil
}

// meshLabel names a mesh for the artist: its name in quotes, else its number.
func meshLabel(doc *gltf.Document, mi int) string {
	if name := doc.Meshes[mi].Name; name != "" {
		return fmt.Sprintf("mesh %q", name)
	}
	return fmt.Sprintf("mesh %d", mi)
}

// primitiveLabel names one primitive of a mesh for the artist.
func primitiveLabel(doc *gltf.Document, mi, pi int) string {
	return fmt.Sprintf("%s primitive %d", meshLabel(doc, mi), pi)
}

// primitiveMaterial is the material a primitive names, nil for none or a bad index.
func primitiveMaterial(doc *gltf.Document, p *gltf.Primitive) *gltf.Material {
	if p.Material == nil || *p.Material < 0 || *p.Material >= len(doc.Materials) {
		return nil
	}
	return doc.Materials[*p.Material]
}

// uvSets lists the TEXCOORD sets a primitive needs: 0, and every set its material's textures
// read.
func uvSets(doc *gltf.Document, p *gltf.Primitive) []int {
	sets := []int{0}
	add := func(set int) {
		if !slices.Contains(sets, set) {
			sets = append(sets, set)
		}
	}
	mat := primitiveMaterial(doc, p)
	if mat == nil {
		return sets
	}
	if pbr := mat.PBRMetallicRoughness; pbr != nil {
		if pbr.BaseColorTexture != nil {
			add(pbr.BaseColorTexture.TexCoord)
		}
		if pbr.MetallicRoughnessTexture != nil {
			add(pbr.MetallicRoughnessTexture.TexCoord)
		}
	}
	if mat.NormalTexture != nil && mat.NormalTexture.Index != nil {
		add(mat.NormalTexture.TexCoord)
	}
	if mat.OcclusionTexture != nil && mat.OcclusionTexture.Index != nil {
		add(mat.OcclusionTexture.TexCoord)
	}
	if mat.EmissiveTexture != nil {
		add(mat.EmissiveTexture.TexCoord)
	}
	return sets
}

// normalMapUV is the TEXCOORD set a primitive's normal map reads; ok is false when its material
// has no normal map.
func normalMapUV(doc *gltf.Document, p *gltf.Primitive) (set int, ok bool) {
	mat := primitiveMaterial(doc, p)
	if mat == nil || mat.NormalTexture == nil || mat.NormalTexture.Index == nil {
		return 0, false
	}
	return mat.NormalTexture.TexCoord, true
}
