package inspect

import (
	"math"

	"github.com/qmuntal/gltf"
	"github.com/qmuntal/gltf/modeler"
)

// maxElements bounds one accessor: a file may not make a reader allocate more per element than
// its own bytes could describe, and no real model needs more than this many elements in one.
const maxElements = 1 << 28

// checkDocument refuses references and lengths out of range, so that no loader indexes past a
// slice or allocates without bound. size is the model's real size, with its external buffers.
func checkDocument(path string, doc *gltf.Document, size int64) error {
	for i, bv := range doc.BufferViews {
		if bv.Buffer < 0 || bv.Buffer >= len(doc.Buffers) {
			return refuse(path, "bufferView %d points at buffer %d, which does not exist", i, bv.Buffer)
		}
		if bv.ByteOffset < 0 || bv.ByteLength < 0 || bv.ByteOffset+bv.ByteLength > len(doc.Buffers[bv.Buffer].Data) {
			return refuse(path, "bufferView %d (bytes %d to %d) runs past the end of its buffer (%d bytes)",
				i, bv.ByteOffset, bv.ByteOffset+bv.ByteLength, len(doc.Buffers[bv.Buffer].Data))
		}
	}
	for i, a := range doc.Accessors {
		if err := checkAccessor(path, doc, i, a, size); err != nil {
			return err
		}
	}
	for mi, m := range doc.Meshes {
		for pi, p := range m.Primitives {
			if err := checkPrimitive(path, doc, mi, pi, p); err != nil {
				return err
			}
		}
	}
	for i, img := range doc.Images {
		if img.BufferView != nil && (*img.BufferView < 0 || *img.BufferView >= len(doc.BufferViews)) {
			return refuse(path, "image %d points at bufferView %d, which does not exist", i, *img.BufferView)
		}
	}
	for i, t := range doc.Textures {
		if t.Source != nil && (*t.Source < 0 || *t.Source >= len(doc.Images)) {
			return refuse(path, "texture %d points at image %d, which does not exist", i, *t.Source)
		}
		if t.Sampler != nil && (*t.Sampler < 0 || *t.Sampler >= len(doc.Samplers)) {
			return refuse(path, "texture %d points at sampler %d, which does not exist", i, *t.Sampler)
		}
	}
	for i, m := range doc.Materials {
		for _, ti := range materialTextures(m) {
			if ti < 0 || ti >= len(doc.Textures) {
				return refuse(path, "material %d uses texture %d, which does not exist", i, ti)
			}
		}
	}
	return checkNodes(path, doc)
}

func checkAccessor(path string, doc *gltf.Document, i int, a *gltf.Accessor, size int64) error {
	if a.Count < 0 || a.Count > maxElements {
		return refuse(path, "accessor %d claims %d elements", i, a.Count)
	}
	if a.Type.Components() == 0 || a.ComponentType.ByteSize() == 0 {
		return refuse(path, "accessor %d has an unknown type", i)
	}
	if a.Sparse != nil {
		return refuse(path, "accessor %d is sparse, which the preview cannot read yet", i)
	}
	if !finite(a.Min) || !finite(a.Max) {
		return refuse(path, "accessor %d declares bounds that are not numbers (NaN or infinite)", i)
	}
	if a.BufferView == nil {
		// All zeros, by the spec: a reader still allocates them, so they may not outgrow
		// what the file itself could hold.
		if n := int64(a.Count) * int64(gltf.SizeOfElement(a.ComponentType, a.Type)); n > size {
			return refuse(path, "accessor %d has no data but claims %d elements (%d bytes, more than the model's %d)", i, a.Count, n, size)
		}
		return nil
	}
	if *a.BufferView < 0 || *a.BufferView >= len(doc.BufferViews) {
		return refuse(path, "accessor %d points at bufferView %d, which does not exist", i, *a.BufferView)
	}
	bv := doc.BufferViews[*a.BufferView]
	elem := gltf.SizeOfElement(a.ComponentType, a.Type)
	stride := bv.ByteStride
	if stride == 0 {
		stride = elem
	}
	if a.Count == 0 {
		return nil
	}
	need := int64(a.ByteOffset) + int64(stride)*int64(a.Count-1) + int64(elem)
	if a.ByteOffset < 0 || need > int64(bv.ByteLength) {
		return refuse(path, "accessor %d needs %d bytes but its bufferView has %d", i, need, bv.ByteLength)
	}
	return nil
}

func checkPrimitive(path string, doc *gltf.Document, mi, pi int, p *gltf.Primitive) error {
	vertices := -1
	for name, ai := range p.Attributes {
		if ai < 0 || ai >= len(doc.Accessors) {
			return refuse(path, "mesh %d primitive %d: %s points at accessor %d, which does not exist", mi, pi, name, ai)
		}
		n := doc.Accessors[ai].Count
		if vertices >= 0 && n != vertices {
			return refuse(path, "mesh %d primitive %d: its attributes disagree on the vertex count (%d and %d)", mi, pi, vertices, n)
		}
		vertices = n
	}
	if pos, ok := p.Attributes[gltf.POSITION]; ok {
		a := doc.Accessors[pos]
		if a.Type != gltf.AccessorVec3 || a.ComponentType != gltf.ComponentFloat {
			return refuse(path, "mesh %d primitive %d: positions are not 3 floats", mi, pi)
		}
	}
	if p.Material != nil && (*p.Material < 0 || *p.Material >= len(doc.Materials)) {
		return refuse(path, "mesh %d primitive %d uses material %d, which does not exist", mi, pi, *p.Material)
	}
	if p.Indices == nil {
		return nil
	}
	if *p.Indices < 0 || *p.Indices >= len(doc.Accessors) {
		return refuse(path, "mesh %d primitive %d: indices point at accessor %d, which does not exist", mi, pi, *p.Indices)
	}
	a := doc.Accessors[*p.Indices]
	if a.Type != gltf.AccessorScalar {
		return refuse(path, "mesh %d primitive %d: indices are not scalars", mi, pi)
	}
	switch a.ComponentType {
	case gltf.ComponentUbyte, gltf.ComponentUshort, gltf.ComponentUint:
	default:
		return refuse(path, "mesh %d primitive %d: indices are not unsigned integers", mi, pi)
	}
	if a.BufferView == nil {
		return nil
	}
	indices, err := modeler.ReadIndices(doc, a, nil)
	if err != nil {
		return refuse(path, "mesh %d primitive %d: its indices cannot be read (%v)", mi, pi, err)
	}
	for _, ix := range indices {
		if int64(ix) >= int64(vertices) {
			return refuse(path, "mesh %d primitive %d: index %d is past its %d vertices", mi, pi, ix, vertices)
		}
	}
	return nil
}

func materialTextures(m *gltf.Material) []int {
	var out []int
	if m.NormalTexture != nil && m.NormalTexture.Index != nil {
		out = append(out, *m.NormalTexture.Index)
	}
	if m.OcclusionTexture != nil && m.OcclusionTexture.Index != nil {
		out = append(out, *m.OcclusionTexture.Index)
	}
	if m.EmissiveTexture != nil {
		out = append(out, m.EmissiveTexture.Index)
	}
	if pbr := m.PBRMetallicRoughness; pbr != nil {
		if pbr.BaseColorTexture != nil {
			out = append(out, pbr.BaseColorTexture.Index)
		}
		if pbr.MetallicRoughnessTexture != nil {
			out = append(out, pbr.MetallicRoughnessTexture.Index)
		}
	}
	return out
}

// checkNodes refuses node references out of range and hierarchies that are not trees (a cycle
// would send a loader round forever).
func checkNodes(path string, doc *gltf.Document) error {
	parent := make([]int, len(doc.Nodes))
	for i := range parent {
		parent[i] = -1
	}
	for i, n := range doc.Nodes {
		if n.Mesh != nil && (*n.Mesh < 0 || *n.Mesh >= len(doc.Meshes)) {
			return refuse(path, "node %d uses mesh %d, which does not exist", i, *n.Mesh)
		}
		if n.Skin != nil && (*n.Skin < 0 || *n.Skin >= len(doc.Skins)) {
			return refuse(path, "node %d uses skin %d, which does not exist", i, *n.Skin)
		}
		if !finite(n.Matrix[:]) || !finite(n.Translation[:]) || !finite(n.Rotation[:]) || !finite(n.Scale[:]) || !finite(n.Weights) {
			return refuse(path, "node %d has a transform that is not numbers (NaN or infinite)", i)
		}
		for _, c := range n.Children {
			if c < 0 || c >= len(doc.Nodes) {
				return refuse(path, "node %d has child %d, which does not exist", i, c)
			}
			if parent[c] >= 0 || c == i {
				return refuse(path, "node %d has two parents, or is its own: the node hierarchy is not a tree", c)
			}
			parent[c] = i
		}
	}
	// With one parent each, a cycle is a walk up the parents that comes back to where it
	// started. Each node is walked over once (state: 0 unseen, 1 on the current walk, 2 known
	// to reach a root), so a long chain costs its length, not its square.
	state := make([]uint8, len(doc.Nodes))
	for i := range doc.Nodes {
		p := i
		for p >= 0 && state[p] == 0 {
			state[p] = 1
			p = parent[p]
		}
		if p >= 0 && state[p] == 1 {
			return refuse(path, "the node hierarchy has a cycle through node %d", p)
		}
		for p := i; p >= 0 && state[p] == 1; p = parent[p] {
			state[p] = 2
		}
	}
	for si, s := range doc.Scenes {
		for _, n := range s.Nodes {
			if n < 0 || n >= len(doc.Nodes) {
				return refuse(path, "scene %d lists node %d, which does not exist", si, n)
			}
		}
	}
	if doc.Scene != nil && (*doc.Scene < 0 || *doc.Scene >= len(doc.Scenes)) {
		return refuse(path, "the default scene %d does not exist", *doc.Scene)
	}
	return nil
}

// checkData refuses vertex data that contradicts itself or cannot be drawn: positions or normals
// that are not numbers (NaN or infinite: the model renders as nothing, or frames the camera at
// infinity), positions outside their accessor's declared bounds (a renderer frames the model by
// them) and normals that are not unit length (lighting goes wrong). The last two are the
// Khronos validator's ACCESSOR_MIN_MISMATCH/MAX_MISMATCH and ACCESSOR_NON_UNIT errors. Each
// accessor is read once, however many primitives share it.
func checkData(path string, doc *gltf.Document) error {
	checked := map[[2]int]bool{} // {attribute, accessor}: 0 positions, 1 normals
	for mi, m := range doc.Meshes {
		for pi, p := range m.Primitives {
			if ai, ok := p.Attributes[gltf.POSITION]; ok && !checked[[2]int{0, ai}] && doc.Accessors[ai].BufferView != nil {
				checked[[2]int{0, ai}] = true
				a := doc.Accessors[ai]
				pos, err := modeler.ReadPosition(doc, a, nil)
				if err != nil {
					return refuse(path, "mesh %d primitive %d: positions cannot be read (%v)", mi, pi, err)
				}
				if !finite3(pos) {
					return refuse(path, "mesh %d primitive %d: some positions are not numbers (NaN or infinite): the file is damaged", mi, pi)
				}
				if len(a.Min) == 3 && len(a.Max) == 3 {
					if err := matchBounds(pos, a.Min, a.Max); err != "" {
						return refuse(path, "mesh %d primitive %d: positions %s (the file is damaged)", mi, pi, err)
					}
				}
			}
			if ai, ok := p.Attributes[gltf.NORMAL]; ok && !checked[[2]int{1, ai}] && doc.Accessors[ai].BufferView != nil {
				checked[[2]int{1, ai}] = true
				nor, err := modeler.ReadNormal(doc, doc.Accessors[ai], nil)
				if err != nil {
					return refuse(path, "mesh %d primitive %d: normals cannot be read (%v)", mi, pi, err)
				}
				if !finite3(nor) {
					return refuse(path, "mesh %d primitive %d: some normals are not numbers (NaN or infinite): the file is damaged", mi, pi)
				}
				for _, n := range nor {
					l := float64(n[0])*float64(n[0]) + float64(n[1])*float64(n[1]) + float64(n[2])*float64(n[2])
					if l < 0.99 || l > 1.01 {
						return refuse(path, "mesh %d primitive %d: normals are not unit length (the file is damaged)", mi, pi)
					}
				}
			}
		}
	}
	return nil
}

// finite reports whether every value is a number: neither NaN nor infinite.
func finite(v []float64) bool {
	for _, x := range v {
		if math.IsNaN(x) || math.IsInf(x, 0) {
			return false
		}
	}
	return true
}

func finite3(v [][3]float32) bool {
	for _, p := range v {
		for _, x := range p {
			if x != x || math.IsInf(float64(x), 0) {
				return false
			}
		}
	}
	return true
}

func matchBounds(pos [][3]float32, lo, hi []float64) string {
	if len(pos) == 0 {
		return ""
	}
	var gotLo, gotHi [3]float64
	for k := range 3 {
		gotLo[k], gotHi[k] = float64(pos[0][k]), float64(pos[0][k])
	}
	for _, p := range pos {
		for k := range 3 {
			gotLo[k] = min(gotLo[k], float64(p[k]))
			gotHi[k] = max(gotHi[k], float64(p[k]))
		}
	}
	for k := range 3 {
		tol := 1e-4 * max(1, hi[k]-lo[k])
		if gotLo[k] < lo[k]-tol || gotHi[k] > hi[k]+tol {
			return "lie outside the bounds the file declares"
		}
		if gotLo[k] > lo[k]+tol || gotHi[k] < hi[k]-tol {
			return "do not reach the bounds the file declares"
		}
	}
	return ""
}
