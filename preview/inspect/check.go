package inspect

import (
	"encoding/json"
	"fmt"
	"maps"
	"math"
	"slices"
	"strings"

	"github.com/qmuntal/gltf"
)

// maxElements bounds one accessor: a file may not make a reader allocate more per element than
// its own bytes could describe, and no real model needs more than this many elements in one.
const maxElements = 1 << 28

// checkDocument checks references and lengths, so that no loader indexes past a slice or
// allocates without bound, and the rest of what the Khronos validator checks in the JSON. size
// is the model's real size, with its external buffers. It goes stage by stage (buffer views,
// accessors, meshes and materials, nodes): a stage runs only when the ones before found nothing
// that makes it unsafe (c.fatal), so that as many issues as can safely be found are listed.
func checkDocument(c *checker, doc *gltf.Document, size int64, nodes json.RawMessage) {
	for _, stage := range []func(){
		func() { checkBufferViews(c, doc) },
		func() {
			for i, a := range doc.Accessors {
				checkAccessor(c, doc, i, a, size)
			}
		},
		func() {
			for mi, m := range doc.Meshes {
				checkMesh(c, doc, mi, m)
			}
			checkMaterials(c, doc)
			checkSkins(c, doc)
			if !c.fatal {
				checkVertexViews(c, doc)
			}
		},
		func() {
			checkNodes(c, doc, nodes)
			checkCameras(c, doc)
		},
	} {
		if stage(); c.fatal {
			return
		}
	}
}

func checkBufferViews(c *checker, doc *gltf.Document) {
	for i, bv := range doc.BufferViews {
		at := fmt.Sprintf("/bufferViews/%d", i)
		if bv.Buffer < 0 || bv.Buffer >= len(doc.Buffers) {
			c.fatalf("UNRESOLVED_REFERENCE", at+"/buffer", "bufferView %d points at buffer %d, which does not exist", i, bv.Buffer)
			continue
		}
		if bv.ByteOffset < 0 || bv.ByteLength < 0 || bv.ByteOffset+bv.ByteLength > len(doc.Buffers[bv.Buffer].Data) {
			c.fatalf("BUFFER_VIEW_TOO_LONG", at, "bufferView %d (bytes %d to %d) runs past the end of its buffer (%d bytes)",
				i, bv.ByteOffset, bv.ByteOffset+bv.ByteLength, len(doc.Buffers[bv.Buffer].Data))
		}
		switch s := bv.ByteStride; {
		case s == 0:
		case s < 4 || s > 252:
			c.errorf("VALUE_NOT_IN_RANGE", at+"/byteStride", "bufferView %d has a byteStride of %d (glTF allows 4 to 252)", i, s)
		case s%4 != 0:
			c.errorf("VALUE_MULTIPLE_OF", at+"/byteStride", "bufferView %d has a byteStride of %d, not a multiple of 4", i, s)
		case s > bv.ByteLength:
			c.errorf("BUFFER_VIEW_TOO_BIG_BYTE_STRIDE", at+"/byteStride", "bufferView %d has a byteStride (%d) longer than itself (%d bytes)", i, s, bv.ByteLength)
		}
	}
}

func checkAccessor(c *checker, doc *gltf.Document, i int, a *gltf.Accessor, size int64) {
	at := fmt.Sprintf("/accessors/%d", i)
	comps, csize := a.Type.Components(), a.ComponentType.ByteSize()
	switch {
	case a.Count < 0:
		c.fatalf("VALUE_NOT_IN_RANGE", at+"/count", "accessor %d claims %d elements", i, a.Count)
		return
	case a.Count > maxElements && a.BufferView != nil:
		c.fatalf("ACCESSOR_TOO_LONG", at, "accessor %d claims %d elements", i, a.Count)
		return
	case a.Count > maxElements:
		c.fatalf(CodeLimit, at+"/count", "accessor %d claims %d elements", i, a.Count)
		return
	case comps == 0 || csize == 0:
		c.fatalf("VALUE_NOT_IN_LIST", at, "accessor %d has an unknown type", i)
		return
	case a.Sparse != nil && !checkSparse(c, doc, i, a):
		return
	case !finite(a.Min) || !finite(a.Max):
		c.fatalf("ACCESSOR_INVALID_FLOAT", at, "accessor %d declares bounds that are not numbers (NaN or infinite)", i)
		return
	}
	if (len(a.Min) > 0 && len(a.Min) != comps) || (len(a.Max) > 0 && len(a.Max) != comps) {
		c.errorf("ARRAY_LENGTH_NOT_IN_LIST", at, "accessor %d declares bounds for %d and %d components, but its elements have %d", i, len(a.Min), len(a.Max), comps)
	}
	if a.Normalized && (a.ComponentType == gltf.ComponentFloat || a.ComponentType == gltf.ComponentUint) {
		c.errorf("ACCESSOR_NORMALIZED_INVALID", at+"/normalized", "accessor %d is normalized, which only (u)byte and (u)short data can be", i)
	}
	if a.BufferView == nil {
		// All zeros, by the spec: a reader still allocates them, so they may not outgrow
		// what the file itself could hold.
		if n := int64(a.Count) * int64(gltf.SizeOfElement(a.ComponentType, a.Type)); n > size {
			c.fatalf(CodeLimit, at, "accessor %d has no data but claims %d elements (%d bytes, more than the model's %d)", i, a.Count, n, size)
		}
		return
	}
	if *a.BufferView < 0 || *a.BufferView >= len(doc.BufferViews) {
		c.fatalf("UNRESOLVED_REFERENCE", at+"/bufferView", "accessor %d points at bufferView %d, which does not exist", i, *a.BufferView)
		return
	}
	bv := doc.BufferViews[*a.BufferView]
	elem := gltf.SizeOfElement(a.ComponentType, a.Type)
	stride := bv.ByteStride
	if stride == 0 {
		stride = elem
	}
	switch {
	case a.ByteOffset < 0:
		c.fatalf("VALUE_NOT_IN_RANGE", at+"/byteOffset", "accessor %d starts at byte %d", i, a.ByteOffset)
		return
	case a.ByteOffset%csize != 0:
		c.errorf("ACCESSOR_OFFSET_ALIGNMENT", at+"/byteOffset", "accessor %d starts at byte %d, not a multiple of its %d-byte components", i, a.ByteOffset, csize)
	case (bv.ByteOffset+a.ByteOffset)%csize != 0:
		c.errorf("ACCESSOR_TOTAL_OFFSET_ALIGNMENT", at+"/byteOffset", "accessor %d starts at byte %d of its buffer, not a multiple of its %d-byte components", i, bv.ByteOffset+a.ByteOffset, csize)
	}
	if bv.ByteStride != 0 && bv.ByteStride < elem {
		// Fatal: elements that overlap would let a copy of them (a sparse accessor's)
		// outgrow the file.
		c.fatalf("ACCESSOR_SMALL_BYTESTRIDE", at, "accessor %d has %d-byte elements but its bufferView's stride is %d", i, elem, bv.ByteStride)
	}
	if a.Count == 0 {
		return
	}
	need := int64(a.ByteOffset) + int64(stride)*int64(a.Count-1) + int64(elem)
	if need > int64(bv.ByteLength) {
		c.fatalf("ACCESSOR_TOO_LONG", at, "accessor %d needs %d bytes but its bufferView has %d", i, need, bv.ByteLength)
	}
}

// checkSparse checks a sparse accessor's substitutions can be read: their count, the index
// type, and both arrays within their buffer views. Whether the indices increase and stay within
// the accessor is for the data pass.
func checkSparse(c *checker, doc *gltf.Document, i int, a *gltf.Accessor) bool {
	at := fmt.Sprintf("/accessors/%d/sparse", i)
	sp := a.Sparse
	switch {
	case sp.Count < 1:
		c.fatalf("VALUE_NOT_IN_RANGE", at+"/count", "accessor %d's sparse substitutions number %d", i, sp.Count)
		return false
	case sp.Count > a.Count:
		c.fatalf("ACCESSOR_SPARSE_COUNT_OUT_OF_RANGE", at+"/count", "accessor %d substitutes %d elements but has %d", i, sp.Count, a.Count)
		return false
	}
	switch sp.Indices.ComponentType {
	case gltf.ComponentUbyte, gltf.ComponentUshort, gltf.ComponentUint:
	default:
		c.fatalf("VALUE_NOT_IN_LIST", at+"/indices/componentType", "accessor %d's sparse indices are not unsigned integers", i)
		return false
	}
	for _, part := range []struct {
		name      string
		view, off int
		elem      int
	}{
		{"indices", sp.Indices.BufferView, sp.Indices.ByteOffset, sp.Indices.ComponentType.ByteSize()},
		{"values", sp.Values.BufferView, sp.Values.ByteOffset, gltf.SizeOfElement(a.ComponentType, a.Type)},
	} {
		if part.view < 0 || part.view >= len(doc.BufferViews) {
			c.fatalf("UNRESOLVED_REFERENCE", at+"/"+part.name+"/bufferView", "accessor %d's sparse %s point at bufferView %d, which does not exist", i, part.name, part.view)
			return false
		}
		if need := int64(part.off) + int64(sp.Count)*int64(part.elem); part.off < 0 || need > int64(doc.BufferViews[part.view].ByteLength) {
			c.fatalf("ACCESSOR_TOO_LONG", at+"/"+part.name, "accessor %d's sparse %s need %d bytes but their bufferView has %d", i, part.name, need, doc.BufferViews[part.view].ByteLength)
			return false
		}
	}
	return true
}

// formats are the accessor formats the spec allows for each vertex attribute (an unlisted
// semantic, e.g. an application's _NAME, may have any).
var formats = map[string][]format{
	"POSITION":  {{gltf.AccessorVec3, gltf.ComponentFloat, false}},
	"NORMAL":    {{gltf.AccessorVec3, gltf.ComponentFloat, false}},
	"TANGENT":   {{gltf.AccessorVec4, gltf.ComponentFloat, false}},
	"TEXCOORD":  {{gltf.AccessorVec2, gltf.ComponentFloat, false}, {gltf.AccessorVec2, gltf.ComponentUbyte, true}, {gltf.AccessorVec2, gltf.ComponentUshort, true}},
	"COLOR":     {{gltf.AccessorVec3, gltf.ComponentFloat, false}, {gltf.AccessorVec3, gltf.ComponentUbyte, true}, {gltf.AccessorVec3, gltf.ComponentUshort, true}, {gltf.AccessorVec4, gltf.ComponentFloat, false}, {gltf.AccessorVec4, gltf.ComponentUbyte, true}, {gltf.AccessorVec4, gltf.ComponentUshort, true}},
	"JOINTS":    {{gltf.AccessorVec4, gltf.ComponentUbyte, false}, {gltf.AccessorVec4, gltf.ComponentUshort, false}},
	"WEIGHTS":   {{gltf.AccessorVec4, gltf.ComponentFloat, false}, {gltf.AccessorVec4, gltf.ComponentUbyte, true}, {gltf.AccessorVec4, gltf.ComponentUshort, true}},
	"_TARGET_P": {{gltf.AccessorVec3, gltf.ComponentFloat, false}}, // a morph target's POSITION, NORMAL or TANGENT
}

type format struct {
	typ        gltf.AccessorType
	component  gltf.ComponentType
	normalized bool
}

func (f format) String() string {
	s := "{" + f.typ.String() + ", " + strings.ToUpper(f.component.String())
	if f.normalized {
		s += " normalized"
	}
	return s + "}"
}

// semantic is an attribute's name without its set number: TEXCOORD_1 is TEXCOORD. ok is false
// for a name glTF does not define (which is an error unless it starts with an underscore).
func semantic(name string) (base string, ok bool) {
	switch name {
	case "POSITION", "NORMAL", "TANGENT":
		return name, true
	}
	for _, b := range []string{"TEXCOORD", "COLOR", "JOINTS", "WEIGHTS"} {
		if n, found := strings.CutPrefix(name, b+"_"); found && n != "" && strings.Trim(n, "0123456789") == "" && (n == "0" || n[0] != '0') {
			return b, true
		}
	}
	return name, strings.HasPrefix(name, "_")
}

func checkFormat(c *checker, doc *gltf.Document, at, what string, sem string, ai int) {
	allowed, ok := formats[sem]
	if !ok {
		return
	}
	a := doc.Accessors[ai]
	got := format{a.Type, a.ComponentType, a.Normalized}
	for _, f := range allowed {
		if f == got {
			return
		}
	}
	c.fatalf("MESH_PRIMITIVE_ATTRIBUTES_ACCESSOR_INVALID_FORMAT", at, "%s are %s, which glTF does not allow (%s)", what, got, allowed[0])
}

// attributeWords names an attribute for a message.
var attributeWords = map[string]string{"POSITION": "positions", "NORMAL": "normals", "TANGENT": "tangents",
	"TEXCOORD": "texture coordinates", "COLOR": "vertex colours", "JOINTS": "joints", "WEIGHTS": "skin weights"}

func checkMesh(c *checker, doc *gltf.Document, mi int, m *gltf.Mesh) {
	for pi, p := range m.Primitives {
		at := fmt.Sprintf("/meshes/%d/primitives/%d", mi, pi)
		where := fmt.Sprintf("mesh %d primitive %d", mi, pi)
		vertices := -1
		// In name order, so that the same file always gives the same first error.
		for _, name := range slices.Sorted(maps.Keys(p.Attributes)) {
			ai := p.Attributes[name]
			aat := at + "/attributes/" + name
			if ai < 0 || ai >= len(doc.Accessors) {
				c.fatalf("UNRESOLVED_REFERENCE", aat, "%s: %s points at accessor %d, which does not exist", where, name, ai)
				continue
			}
			sem, ok := semantic(name)
			if !ok {
				c.errorf("MESH_PRIMITIVE_INVALID_ATTRIBUTE", aat, "%s: %s is not a vertex attribute glTF defines (an application's own must start with _)", where, name)
			}
			word := attributeWords[sem]
			if word == "" {
				word = name
			}
			checkFormat(c, doc, aat, where+": "+word, sem, ai)
			n := doc.Accessors[ai].Count
			if vertices >= 0 && n != vertices {
				c.fatalf("MESH_PRIMITIVE_UNEQUAL_ACCESSOR_COUNT", aat, "%s: its attributes disagree on the vertex count (%d and %d)", where, vertices, n)
			}
			vertices = n
		}
		pos, hasPos := p.Attributes[gltf.POSITION]
		if !hasPos {
			c.warnf("MESH_PRIMITIVE_NO_POSITION", at, "%s has no positions: nothing of it is drawn", where)
		} else if pos >= 0 && pos < len(doc.Accessors) && (len(doc.Accessors[pos].Min) == 0 || len(doc.Accessors[pos].Max) == 0) {
			c.errorf("MESH_PRIMITIVE_POSITION_ACCESSOR_WITHOUT_BOUNDS", at+"/attributes/POSITION", "%s: its positions do not declare their bounds (min and max), which glTF requires", where)
		}
		if _, t := p.Attributes[gltf.TANGENT]; t {
			if _, n := p.Attributes[gltf.NORMAL]; !n {
				c.warnf("MESH_PRIMITIVE_TANGENT_WITHOUT_NORMAL", at, "%s has tangents but no normals", where)
			}
			if p.Material == nil || *p.Material < 0 || *p.Material >= len(doc.Materials) || doc.Materials[*p.Material].NormalTexture == nil {
				c.infof("UNUSED_MESH_TANGENT", at+"/attributes/TANGENT", "%s has tangents, which its material (without a normal map) does not use", where)
			}
		}
		for ti, target := range p.Targets {
			for _, name := range slices.Sorted(maps.Keys(target)) {
				ai := target[name]
				tat := fmt.Sprintf("%s/targets/%d/%s", at, ti, name)
				if ai < 0 || ai >= len(doc.Accessors) {
					c.fatalf("UNRESOLVED_REFERENCE", tat, "%s: morph target %d's %s points at accessor %d, which does not exist", where, ti, name, ai)
					continue
				}
				if _, ok := p.Attributes[name]; !ok {
					c.errorf("MESH_PRIMITIVE_MORPH_TARGET_NO_BASE_ACCESSOR", tat, "%s: morph target %d moves %s, which the primitive does not have", where, ti, name)
				}
				if name == gltf.POSITION || name == gltf.NORMAL || name == gltf.TANGENT {
					checkFormat(c, doc, tat, fmt.Sprintf("%s: morph target %d's %s", where, ti, strings.ToLower(name)), "_TARGET_P", ai)
				}
				if n := doc.Accessors[ai].Count; vertices >= 0 && n != vertices {
					c.fatalf("MESH_PRIMITIVE_MORPH_TARGET_INVALID_ATTRIBUTE_COUNT", tat, "%s: morph target %d has %d elements for %d vertices", where, ti, n, vertices)
				}
			}
		}
		if pi > 0 && len(p.Targets) != len(m.Primitives[0].Targets) {
			c.errorf("MESH_PRIMITIVES_UNEQUAL_TARGETS_COUNT", at+"/targets", "%s has %d morph targets, and the mesh's first primitive %d", where, len(p.Targets), len(m.Primitives[0].Targets))
		}
		if p.Material != nil && (*p.Material < 0 || *p.Material >= len(doc.Materials)) {
			c.fatalf("UNRESOLVED_REFERENCE", at+"/material", "%s uses material %d, which does not exist", where, *p.Material)
		} else if p.Material != nil {
			for _, b := range textureBindings(doc.Materials[*p.Material]) {
				if _, ok := p.Attributes[fmt.Sprintf("TEXCOORD_%d", b.texCoord)]; !ok {
					c.errorf("MESH_PRIMITIVE_TOO_FEW_TEXCOORDS", at+"/material", "%s: its material's %s texture reads TEXCOORD_%d, which the primitive does not have",
						where, b.name, b.texCoord)
				}
			}
		}
		if p.Mode > gltf.PrimitiveTriangleFan {
			c.fatalf("VALUE_NOT_IN_LIST", at+"/mode", "%s has drawing mode %d, which glTF does not define", where, p.Mode)
		}
		n := vertices
		if p.Indices != nil {
			ia := *p.Indices
			if ia < 0 || ia >= len(doc.Accessors) {
				c.fatalf("UNRESOLVED_REFERENCE", at+"/indices", "%s: indices point at accessor %d, which does not exist", where, ia)
				continue
			}
			a := doc.Accessors[ia]
			n = a.Count
			switch {
			case a.Type != gltf.AccessorScalar:
				c.fatalf("MESH_PRIMITIVE_INDICES_ACCESSOR_INVALID_FORMAT", at+"/indices", "%s: indices are not scalars", where)
			case a.ComponentType != gltf.ComponentUbyte && a.ComponentType != gltf.ComponentUshort && a.ComponentType != gltf.ComponentUint:
				c.fatalf("MESH_PRIMITIVE_INDICES_ACCESSOR_INVALID_FORMAT", at+"/indices", "%s: indices are not unsigned integers", where)
			case a.Normalized:
				c.errorf("MESH_PRIMITIVE_INDICES_ACCESSOR_INVALID_FORMAT", at+"/indices", "%s: indices are normalized", where)
			}
			if a.BufferView != nil && doc.BufferViews[*a.BufferView].ByteStride != 0 {
				c.errorf("MESH_PRIMITIVE_INDICES_ACCESSOR_WITH_BYTESTRIDE", at+"/indices", "%s: its indices' bufferView has a byteStride, which indices may not", where)
			}
		}
		if n >= 0 && !compatible(p.Mode, n) {
			c.warnf("MESH_PRIMITIVE_INCOMPATIBLE_MODE", at, "%s: %d %s do not make whole %s", where, n, map[bool]string{true: "indices", false: "vertices"}[p.Indices != nil], modeWords[p.Mode])
		}
	}
	if len(m.Weights) > 0 && len(m.Primitives) > 0 && len(m.Weights) != len(m.Primitives[0].Targets) {
		c.errorf("MESH_INVALID_WEIGHTS_COUNT", fmt.Sprintf("/meshes/%d/weights", mi), "mesh %d has %d morph weights for %d morph targets", mi, len(m.Weights), len(m.Primitives[0].Targets))
	}
}

// checkVertexViews checks how vertex attributes sit in their buffer views: each must start on
// a 4-byte boundary, and a view that holds more than one attribute must say its stride.
func checkVertexViews(c *checker, doc *gltf.Document) {
	users := map[int][]int{} // bufferView → the accessors read from it as vertex attributes
	seen := map[int]bool{}
	vertex := func(at string, ai int) {
		a := doc.Accessors[ai]
		if seen[ai] || a.BufferView == nil {
			return
		}
		seen[ai] = true
		bv := *a.BufferView
		users[bv] = append(users[bv], ai)
		if (doc.BufferViews[bv].ByteOffset+a.ByteOffset)%4 != 0 {
			c.errorf("MESH_PRIMITIVE_ACCESSOR_UNALIGNED", at, "accessor %d, a vertex attribute, does not start on a 4-byte boundary", ai)
		}
	}
	for mi, m := range doc.Meshes {
		for pi, p := range m.Primitives {
			at := fmt.Sprintf("/meshes/%d/primitives/%d", mi, pi)
			for _, name := range slices.Sorted(maps.Keys(p.Attributes)) {
				vertex(at+"/attributes/"+name, p.Attributes[name])
			}
			for ti, t := range p.Targets {
				for _, name := range slices.Sorted(maps.Keys(t)) {
					vertex(fmt.Sprintf("%s/targets/%d/%s", at, ti, name), t[name])
				}
			}
		}
	}
	for _, bv := range slices.Sorted(maps.Keys(users)) {
		if len(users[bv]) > 1 && doc.BufferViews[bv].ByteStride == 0 {
			c.errorf("MESH_PRIMITIVE_ACCESSOR_WITHOUT_BYTESTRIDE", fmt.Sprintf("/bufferViews/%d", bv),
				"bufferView %d holds %d vertex attributes but does not say its byteStride", bv, len(users[bv]))
		}
	}
}

var modeWords = map[gltf.PrimitiveMode]string{gltf.PrimitivePoints: "points", gltf.PrimitiveLines: "lines", gltf.PrimitiveLineLoop: "line loops",
	gltf.PrimitiveLineStrip: "line strips", gltf.PrimitiveTriangles: "triangles", gltf.PrimitiveTriangleStrip: "triangle strips", gltf.PrimitiveTriangleFan: "triangle fans"}

// compatible says whether n vertices or indices suit the drawing mode, as the validator judges.
func compatible(mode gltf.PrimitiveMode, n int) bool {
	switch mode {
	case gltf.PrimitiveLines:
		return n > 0 && n%2 == 0
	case gltf.PrimitiveLineLoop, gltf.PrimitiveLineStrip:
		return n >= 2
	case gltf.PrimitiveTriangles:
		return n > 0 && n%3 == 0
	case gltf.PrimitiveTriangleStrip, gltf.PrimitiveTriangleFan:
		return n >= 3
	}
	return n > 0
}

func checkMaterials(c *checker, doc *gltf.Document) {
	for i, img := range doc.Images {
		if img.BufferView != nil && (*img.BufferView < 0 || *img.BufferView >= len(doc.BufferViews)) {
			c.fatalf("UNRESOLVED_REFERENCE", fmt.Sprintf("/images/%d/bufferView", i), "image %d points at bufferView %d, which does not exist", i, *img.BufferView)
		}
	}
	for i, t := range doc.Textures {
		if t.Source != nil && (*t.Source < 0 || *t.Source >= len(doc.Images)) {
			c.fatalf("UNRESOLVED_REFERENCE", fmt.Sprintf("/textures/%d/source", i), "texture %d points at image %d, which does not exist", i, *t.Source)
		}
		if t.Sampler != nil && (*t.Sampler < 0 || *t.Sampler >= len(doc.Samplers)) {
			c.fatalf("UNRESOLVED_REFERENCE", fmt.Sprintf("/textures/%d/sampler", i), "texture %d points at sampler %d, which does not exist", i, *t.Sampler)
		}
	}
	for i, m := range doc.Materials {
		for _, ti := range materialTextures(m) {
			if ti < 0 || ti >= len(doc.Textures) {
				c.fatalf("UNRESOLVED_REFERENCE", fmt.Sprintf("/materials/%d", i), "material %d uses texture %d, which does not exist", i, ti)
			}
		}
		// The decoder fills in 0.5 when the file gives none: only another value shows it was given.
		if m.AlphaCutoff != nil && *m.AlphaCutoff != 0.5 && m.AlphaMode != gltf.AlphaMask {
			c.warnf("MATERIAL_ALPHA_CUTOFF_INVALID_MODE", fmt.Sprintf("/materials/%d/alphaCutoff", i), "material %d sets an alpha cutoff, which only the MASK alpha mode uses", i)
		}
	}
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

// binding is a material's texture and the texture coordinates it reads.
type binding struct {
	name     string
	texCoord int
}

// textureBindings lists a material's core textures with their texture coordinate sets; one
// with an extension (KHR_texture_transform may choose another set) is left out.
func textureBindings(m *gltf.Material) []binding {
	var out []binding
	add := func(name string, texCoord int, ext gltf.Extensions) {
		if len(ext) == 0 {
			out = append(out, binding{name, texCoord})
		}
	}
	if t := m.NormalTexture; t != nil && t.Index != nil {
		add("normal", t.TexCoord, t.Extensions)
	}
	if t := m.OcclusionTexture; t != nil && t.Index != nil {
		add("occlusion", t.TexCoord, t.Extensions)
	}
	if t := m.EmissiveTexture; t != nil {
		add("emissive", t.TexCoord, t.Extensions)
	}
	if pbr := m.PBRMetallicRoughness; pbr != nil {
		if t := pbr.BaseColorTexture; t != nil {
			add("base colour", t.TexCoord, t.Extensions)
		}
		if t := pbr.MetallicRoughnessTexture; t != nil {
			add("metallic-roughness", t.TexCoord, t.Extensions)
		}
	}
	return out
}

// checkSkins refuses a skin that names joints or matrices that do not exist, which a renderer
// posing it would index.
func checkSkins(c *checker, doc *gltf.Document) {
	for i, s := range doc.Skins {
		at := fmt.Sprintf("/skins/%d", i)
		if s.InverseBindMatrices != nil {
			ai := *s.InverseBindMatrices
			switch {
			case ai < 0 || ai >= len(doc.Accessors):
				c.fatalf("UNRESOLVED_REFERENCE", at+"/inverseBindMatrices", "skin %d's inverse bind matrices point at accessor %d, which does not exist", i, ai)
			case doc.Accessors[ai].Type != gltf.AccessorMat4 || doc.Accessors[ai].ComponentType != gltf.ComponentFloat:
				c.fatalf("SKIN_IBM_INVALID_FORMAT", at+"/inverseBindMatrices", "skin %d's inverse bind matrices are not 4×4 float matrices", i)
			case doc.Accessors[ai].Count < len(s.Joints):
				c.fatalf("INVALID_IBM_ACCESSOR_COUNT", at+"/inverseBindMatrices", "skin %d has %d joints but %d inverse bind matrices", i, len(s.Joints), doc.Accessors[ai].Count)
			}
		}
		for k, j := range s.Joints {
			if j < 0 || j >= len(doc.Nodes) {
				c.fatalf("UNRESOLVED_REFERENCE", fmt.Sprintf("%s/joints/%d", at, k), "skin %d's joint %d is node %d, which does not exist", i, k, j)
			}
		}
		if s.Skeleton != nil && (*s.Skeleton < 0 || *s.Skeleton >= len(doc.Nodes)) {
			c.fatalf("UNRESOLVED_REFERENCE", at+"/skeleton", "skin %d's skeleton is node %d, which does not exist", i, *s.Skeleton)
		}
	}
}

// nodeKeys is which transform properties a node's JSON spells out: the decoded document fills
// in defaults, so only the JSON tells a matrix given beside a translation (NODE_MATRIX_TRS).
type nodeKeys struct {
	Matrix, Translation, Rotation, Scale json.RawMessage
}

// checkNodes refuses node references out of range and hierarchies that are not trees (a cycle
// would send a loader round forever), and checks each node's transform.
func checkNodes(c *checker, doc *gltf.Document, raw json.RawMessage) {
	var keys []nodeKeys
	if len(raw) > 0 {
		_ = json.Unmarshal(raw, &keys) // what does not parse, the decoder has refused already
	}
	parent := make([]int, len(doc.Nodes))
	for i := range parent {
		parent[i] = -1
	}
	joint := make([]bool, len(doc.Nodes)) // a skin's joint is not empty, though it holds nothing
	for _, s := range doc.Skins {
		for _, j := range s.Joints {
			joint[j] = true
		}
	}
	for i, n := range doc.Nodes {
		at := fmt.Sprintf("/nodes/%d", i)
		if n.Mesh != nil && (*n.Mesh < 0 || *n.Mesh >= len(doc.Meshes)) {
			c.fatalf("UNRESOLVED_REFERENCE", at+"/mesh", "node %d uses mesh %d, which does not exist", i, *n.Mesh)
		}
		if n.Skin != nil && (*n.Skin < 0 || *n.Skin >= len(doc.Skins)) {
			c.fatalf("UNRESOLVED_REFERENCE", at+"/skin", "node %d uses skin %d, which does not exist", i, *n.Skin)
		}
		if n.Camera != nil && (*n.Camera < 0 || *n.Camera >= len(doc.Cameras)) {
			c.fatalf("UNRESOLVED_REFERENCE", at+"/camera", "node %d uses camera %d, which does not exist", i, *n.Camera)
		}
		if !finite(n.Matrix[:]) || !finite(n.Translation[:]) || !finite(n.Rotation[:]) || !finite(n.Scale[:]) || !finite(n.Weights) {
			c.fatalf("TYPE_MISMATCH", at, "node %d has a transform that is not numbers (NaN or infinite)", i)
			continue
		}
		if i < len(keys) && keys[i].Matrix != nil && (keys[i].Translation != nil || keys[i].Rotation != nil || keys[i].Scale != nil) {
			c.errorf("NODE_MATRIX_TRS", at, "node %d has both a matrix and a translation, rotation or scale; glTF allows one or the other", i)
		}
		r := n.RotationOrDefault() // all zeros is qmuntal's "not given"
		if slices.ContainsFunc(r[:], func(v float64) bool { return v < -1 || v > 1 }) {
			c.errorf("VALUE_NOT_IN_RANGE", at+"/rotation", "node %d's rotation has a component outside −1 to 1", i)
		}
		q := [4]float32{float32(r[0]), float32(r[1]), float32(r[2]), float32(r[3])}
		l := math.Sqrt(float64(q[0])*float64(q[0]) + float64(q[1])*float64(q[1]) + float64(q[2])*float64(q[2]) + float64(q[3])*float64(q[3]))
		if math.Abs(1-l) > 0.00769 { // the validator's tolerance
			c.errorf("ROTATION_NON_UNIT", at+"/rotation", "node %d's rotation is not a unit quaternion (length %.4g)", i, l)
		}
		if n.Mesh == nil && n.Camera == nil && n.Skin == nil && len(n.Children) == 0 && len(n.Extensions) == 0 && !joint[i] {
			c.infof("NODE_EMPTY", at, "node %d is empty (no mesh, camera or children)", i)
		}
		for k, ch := range n.Children {
			if ch < 0 || ch >= len(doc.Nodes) {
				c.fatalf("UNRESOLVED_REFERENCE", fmt.Sprintf("%s/children/%d", at, k), "node %d has child %d, which does not exist", i, ch)
				continue
			}
			if ch == i {
				c.fatalf("NODE_LOOP", at, "node %d has two parents, or is its own: the node hierarchy is not a tree", ch)
				continue
			}
			if parent[ch] >= 0 {
				c.fatalf("NODE_PARENT_OVERRIDE", fmt.Sprintf("%s/children/%d", at, k), "node %d has two parents, or is its own: the node hierarchy is not a tree", ch)
				continue
			}
			parent[ch] = i
		}
	}
	if c.fatal {
		return
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
			c.fatalf("NODE_LOOP", fmt.Sprintf("/nodes/%d", p), "the node hierarchy has a cycle through node %d", p)
			return
		}
		for p := i; p >= 0 && state[p] == 1; p = parent[p] {
			state[p] = 2
		}
	}
	for i, n := range doc.Nodes {
		if n.Skin != nil && n.Mesh != nil && parent[i] >= 0 {
			c.warnf("NODE_SKINNED_MESH_NON_ROOT", fmt.Sprintf("/nodes/%d", i), "node %d draws a skinned mesh but has a parent, whose transform does not move a skin", i)
		}
	}
	for si, s := range doc.Scenes {
		for k, n := range s.Nodes {
			switch {
			case n < 0 || n >= len(doc.Nodes):
				c.fatalf("UNRESOLVED_REFERENCE", fmt.Sprintf("/scenes/%d/nodes/%d", si, k), "scene %d lists node %d, which does not exist", si, n)
			case parent[n] >= 0:
				c.errorf("SCENE_NON_ROOT_NODE", fmt.Sprintf("/scenes/%d/nodes/%d", si, k), "scene %d lists node %d as a root, but it is node %d's child", si, n, parent[n])
			}
		}
	}
	if doc.Scene != nil && (*doc.Scene < 0 || *doc.Scene >= len(doc.Scenes)) {
		c.fatalf("UNRESOLVED_REFERENCE", "/scene", "the default scene %d does not exist", *doc.Scene)
	}
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

// checkCameras checks each camera's projection as the validator does.
func checkCameras(c *checker, doc *gltf.Document) {
	for i, cam := range doc.Cameras {
		at := fmt.Sprintf("/cameras/%d", i)
		if p := cam.Perspective; p != nil {
			if p.Zfar != nil && *p.Zfar <= p.Znear {
				c.errorf("CAMERA_ZFAR_LEQUAL_ZNEAR", at+"/perspective", "camera %d's far plane (%g) is not beyond its near plane (%g)", i, *p.Zfar, p.Znear)
			}
			if p.Yfov >= math.Pi {
				c.warnf("CAMERA_YFOV_GEQUAL_PI", at+"/perspective/yfov", "camera %d's vertical field of view (%g rad) is not less than π", i, p.Yfov)
			}
		}
		if o := cam.Orthographic; o != nil {
			switch {
			case o.Xmag == 0 || o.Ymag == 0:
				c.errorf("CAMERA_XMAG_YMAG_ZERO", at+"/orthographic", "camera %d's magnification is zero", i)
			case o.Xmag < 0 || o.Ymag < 0:
				c.warnf("CAMERA_XMAG_YMAG_NEGATIVE", at+"/orthographic", "camera %d's magnification is negative", i)
			}
			if o.Zfar <= o.Znear {
				c.errorf("CAMERA_ZFAR_LEQUAL_ZNEAR", at+"/orthographic", "camera %d's far plane (%g) is not beyond its near plane (%g)", i, o.Zfar, o.Znear)
			}
		}
	}
}
