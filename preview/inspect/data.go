package inspect

import (
	"encoding/binary"
	"fmt"
	"maps"
	"math"
	"slices"

	"github.com/qmuntal/gltf"

	"github.com/kiln3d/kiln/providers/geom/gltfdoc"
)

// use is how the meshes use one accessor: which checks its data gets, and how a message names it.
type use struct {
	// where names the first primitive that uses it ("mesh 0 primitive 0", "" for none), word
	// what it holds there ("positions"); pointer is the validator's pointer for that use.
	where, word, pointer string
	// unit is 3 for NORMAL (unit vectors), 4 for TANGENT (unit xyz, w ±1), 0 otherwise.
	unit int
	// indices: the fewest vertices among the primitives that use the accessor as indices (−1
	// when none has attributes to count them), and whether one draws them as a list of triangles.
	indices   bool
	vertices  int
	triangles bool
}

// Validator tolerances for a unit vector: its length may be 1 ± 0.00674. Compared squared, so
// that the pass takes no square root.
const (
	unitLo = (1 - 0.00674) * (1 - 0.00674)
	unitHi = (1 + 0.00674) * (1 + 0.00674)
)

// scan is what one pass over an accessor's data finds.
type scan struct {
	lo, hi [16]float64 // per component, over its numbers (NaN and infinities left out)
	any    [16]bool    // whether the component has a number at all
	// Counts of what is wrong, with the first element where each was found.
	invalid, firstInvalid   int
	nonUnit, firstNonUnit   int
	nonUnitLen              float64
	badSign, firstBadSign   int
	oob, firstOOB           int
	oobValue                uint32
	restart, firstRestart   int
	degenerate, triangles   int
	restartValue, vertexCap uint32
}

// checkData reads every accessor's data once, as the Khronos validator does: values that are not
// numbers (NaN or infinite: the model renders as nothing, or frames the camera at infinity),
// declared bounds (min/max) that are not the data's (a renderer frames the model by them),
// normals and tangents that are not unit length (lighting goes wrong), indices past the
// vertices or equal to the primitive restart value, and degenerate triangles (an info). Each
// accessor is read once, however many primitives share it, straight from the buffer's bytes.
func checkData(c *checker, doc *gltf.Document) {
	uses := accessorUses(doc)
	for i, a := range doc.Accessors {
		if (a.BufferView == nil && a.Sparse == nil) || a.Count == 0 {
			continue
		}
		comps, csize := a.Type.Components(), a.ComponentType.ByteSize()
		elem := gltf.SizeOfElement(a.ComponentType, a.Type)
		var data []byte
		var off, stride int
		if a.Sparse != nil {
			if data = sparseData(c, doc, i, a); data == nil {
				continue
			}
			stride = elem
		} else {
			bv := doc.BufferViews[*a.BufferView]
			data = doc.Buffers[bv.Buffer].Data[bv.ByteOffset : bv.ByteOffset+bv.ByteLength]
			off, stride = a.ByteOffset, bv.ByteStride
			if stride == 0 {
				stride = elem
			}
		}
		u := uses[i]
		var s scan
		switch {
		case u.indices && comps == 1:
			scanIndices(data, off, stride, a.Count, csize, u, &s)
		case a.ComponentType == gltf.ComponentFloat && comps == 3:
			scanVec3(data, off, stride, a.Count, u.unit == 3, &s)
		case a.ComponentType == gltf.ComponentFloat:
			scanFloats(data, off, stride, a.Count, comps, u.unit == 4, &s)
		default:
			scanInts(data, off, stride, a.Count, comps, a.ComponentType, &s)
		}
		report(c, i, a, off, u, &s, data, stride)
	}
}

// accessorUses finds, for each accessor, its first use by a mesh primitive and what its data
// must be for that use.
func accessorUses(doc *gltf.Document) []use {
	uses := make([]use, len(doc.Accessors))
	for mi, m := range doc.Meshes {
		for pi, p := range m.Primitives {
			at := fmt.Sprintf("/meshes/%d/primitives/%d", mi, pi)
			vertices := -1
			for _, name := range slices.Sorted(maps.Keys(p.Attributes)) {
				ai := p.Attributes[name]
				vertices = doc.Accessors[ai].Count
				u := &uses[ai]
				if u.where == "" {
					sem, _ := semantic(name)
					u.word = attributeWords[sem]
					if u.word == "" {
						u.word = name + " values"
					}
					u.where, u.pointer = fmt.Sprintf("mesh %d primitive %d", mi, pi), at+"/attributes/"+name
				}
				switch name {
				case gltf.NORMAL:
					u.unit = 3
				case gltf.TANGENT:
					u.unit = 4
				}
			}
			if p.Indices == nil {
				continue
			}
			u := &uses[*p.Indices]
			if !u.indices {
				u.where, u.word, u.pointer = fmt.Sprintf("mesh %d primitive %d", mi, pi), "indices", at+"/indices"
				u.indices, u.vertices = true, vertices
			}
			if vertices >= 0 && (u.vertices < 0 || vertices < u.vertices) {
				u.vertices = vertices
			}
			u.triangles = u.triangles || p.Mode == gltf.PrimitiveTriangles
		}
	}
	return uses
}

// scanVec3 is the pass for 3-float elements (positions and normals: most of a model's bytes).
func scanVec3(b []byte, off, stride, count int, unit bool, s *scan) {
	lo0, lo1, lo2 := float32(math.MaxFloat32), float32(math.MaxFloat32), float32(math.MaxFloat32)
	hi0, hi1, hi2 := -lo0, -lo0, -lo0
	for i := range count {
		e := b[off : off+12]
		off += stride
		x := math.Float32frombits(binary.LittleEndian.Uint32(e[0:]))
		y := math.Float32frombits(binary.LittleEndian.Uint32(e[4:]))
		z := math.Float32frombits(binary.LittleEndian.Uint32(e[8:]))
		// v-v is 0 for a number and NaN for NaN or an infinity: one test for both.
		if x-x != 0 || y-y != 0 || z-z != 0 {
			s.invalidVec(i, []float32{x, y, z})
			continue
		}
		// Plain comparisons rather than min and max, which must also order NaNs (there are
		// none left here) and cost twice as much.
		if x < lo0 {
			lo0 = x
		}
		if x > hi0 {
			hi0 = x
		}
		if y < lo1 {
			lo1 = y
		}
		if y > hi1 {
			hi1 = y
		}
		if z < lo2 {
			lo2 = z
		}
		if z > hi2 {
			hi2 = z
		}
		if unit {
			if l := float64(x)*float64(x) + float64(y)*float64(y) + float64(z)*float64(z); l < unitLo || l > unitHi {
				s.notUnit(i, l)
			}
		}
	}
	if s.invalid < count {
		for k, v := range [3][2]float32{{lo0, hi0}, {lo1, hi1}, {lo2, hi2}} {
			s.grow(k, float64(v[0]))
			s.grow(k, float64(v[1]))
		}
	}
}

// invalidVec counts the non-numbers of one element whose numbers still count towards the bounds.
func (s *scan) invalidVec(i int, v []float32) {
	for k, x := range v {
		if x-x != 0 {
			if s.invalid == 0 {
				s.firstInvalid = i
			}
			s.invalid++
			continue
		}
		s.grow(k, float64(x))
	}
}

func (s *scan) grow(k int, v float64) {
	if !s.any[k] {
		s.lo[k], s.hi[k], s.any[k] = v, v, true
		return
	}
	s.lo[k], s.hi[k] = min(s.lo[k], v), max(s.hi[k], v)
}

func (s *scan) notUnit(i int, squared float64) {
	if s.nonUnit == 0 {
		s.firstNonUnit, s.nonUnitLen = i, math.Sqrt(squared)
	}
	s.nonUnit++
}

// scanFloats is the pass for other float elements (texture coordinates, tangents, colours,
// weights, matrices); tangent says the elements are tangents: unit xyz, w 1 or −1.
func scanFloats(b []byte, off, stride, count, comps int, tangent bool, s *scan) {
	var v [16]float32
	for i := range count {
		e := b[off : off+4*comps]
		off += stride
		bad := false
		for k := range comps {
			v[k] = math.Float32frombits(binary.LittleEndian.Uint32(e[4*k:]))
			bad = bad || v[k]-v[k] != 0
		}
		if bad {
			s.invalidVec(i, v[:comps])
			continue
		}
		for k := range comps {
			s.grow(k, float64(v[k]))
		}
		if tangent {
			if l := float64(v[0])*float64(v[0]) + float64(v[1])*float64(v[1]) + float64(v[2])*float64(v[2]); l < unitLo || l > unitHi {
				s.notUnit(i, l)
			}
			if v[3] != 1 && v[3] != -1 {
				if s.badSign == 0 {
					s.firstBadSign = i
				}
				s.badSign++
			}
		}
	}
}

// scanInts is the pass for integer elements that are not indices: only their bounds.
func scanInts(b []byte, off, stride, count, comps int, t gltf.ComponentType, s *scan) {
	size := t.ByteSize()
	for range count {
		e := b[off : off+size*comps]
		off += stride
		for k := range comps {
			s.grow(k, gltfdoc.Component(e[k*size:], t))
		}
	}
}

// index reads one index of size bytes.
func index(b []byte, p, size int) uint32 {
	switch size {
	case 1:
		return uint32(b[p])
	case 2:
		return uint32(binary.LittleEndian.Uint16(b[p:]))
	}
	return binary.LittleEndian.Uint32(b[p:])
}

// scanIndices is the pass for indices: bounds, indices past the vertices or equal to the
// restart value (all ones, which glTF forbids), and, for a triangle list, degenerate triangles.
func scanIndices(b []byte, off, stride, count, size int, u use, s *scan) {
	s.restartValue = uint32(1)<<(8*size) - 1
	if size == 4 {
		s.restartValue = math.MaxUint32
	}
	s.vertexCap = math.MaxUint32
	if u.vertices >= 0 {
		s.vertexCap = uint32(u.vertices)
	}
	// Any index at or over limit is either past the vertices or the restart value: one test
	// for both, then the slow path tells which.
	limit := min(s.vertexCap, s.restartValue)
	lo, hi := uint32(math.MaxUint32), uint32(0)
	i := 0
	if u.triangles && stride == size && (size == 2 || size == 4) {
		// Packed 16- or 32-bit triangle lists, nearly every model's indices: fixed offsets,
		// so that each triangle costs one bounds check.
		for ; i+2 < count; i += 3 {
			var x, y, z uint32
			if size == 4 {
				e := b[off : off+12]
				x, y, z = binary.LittleEndian.Uint32(e), binary.LittleEndian.Uint32(e[4:]), binary.LittleEndian.Uint32(e[8:])
			} else {
				e := b[off : off+6]
				x, y, z = uint32(binary.LittleEndian.Uint16(e)), uint32(binary.LittleEndian.Uint16(e[2:])), uint32(binary.LittleEndian.Uint16(e[4:]))
			}
			off += 3 * size
			if x < lo {
				lo = x
			}
			if x > hi {
				hi = x
			}
			if y < lo {
				lo = y
			}
			if y > hi {
				hi = y
			}
			if z < lo {
				lo = z
			}
			if z > hi {
				hi = z
			}
			if x >= limit || y >= limit || z >= limit {
				s.badIndex(i, x)
				s.badIndex(i+1, y)
				s.badIndex(i+2, z)
			}
			if x == y || y == z || x == z {
				s.degenerate++
			}
		}
		s.triangles = i / 3
	} else if u.triangles {
		for ; i+2 < count; i += 3 {
			x, y, z := index(b, off, size), index(b, off+stride, size), index(b, off+2*stride, size)
			off += 3 * stride
			lo, hi = min(lo, x, y, z), max(hi, x, y, z)
			if x >= limit || y >= limit || z >= limit {
				s.badIndex(i, x)
				s.badIndex(i+1, y)
				s.badIndex(i+2, z)
			}
			if x == y || y == z || x == z {
				s.degenerate++
			}
		}
		s.triangles = i / 3
	}
	for ; i < count; i++ {
		x := index(b, off, size)
		off += stride
		lo, hi = min(lo, x), max(hi, x)
		if x >= limit {
			s.badIndex(i, x)
		}
	}
	s.lo[0], s.hi[0], s.any[0] = float64(lo), float64(hi), true
}

// badIndex counts an index at or over the limit: past the vertices, the restart value, or both
// (as the validator counts them).
func (s *scan) badIndex(i int, v uint32) {
	if v == s.restartValue {
		if s.restart == 0 {
			s.firstRestart = i
		}
		s.restart++
	}
	if v >= s.vertexCap {
		if s.oob == 0 {
			s.firstOOB, s.oobValue = i, v
		}
		s.oob++
	}
}

var axisNames = []string{"x", "y", "z", "w"}

// report turns what the pass found into issues.
func report(c *checker, i int, a *gltf.Accessor, off int, u use, s *scan, data []byte, stride int) {
	at := fmt.Sprintf("/accessors/%d", i)
	where, word, ptr := u.where, u.word, u.pointer
	if where == "" {
		where, word, ptr = fmt.Sprintf("accessor %d", i), "values", at
	}
	what := where + ": " + word
	if s.invalid > 0 {
		c.errorf("ACCESSOR_INVALID_FLOAT", at, "%s: some %s are not numbers (NaN or infinite): the file is damaged (%d of its values, the first in element %d)",
			where, word, s.invalid, s.firstInvalid)
	}
	if s.nonUnit > 0 {
		c.errorf("ACCESSOR_VECTOR3_NON_UNIT", ptr, "%s are not unit length (%d of them, the first at element %d has length %.4g): the file is damaged",
			what, s.nonUnit, s.firstNonUnit, s.nonUnitLen)
	}
	if s.badSign > 0 {
		c.errorf("ACCESSOR_INVALID_SIGN", ptr, "%s: %d have a handedness (w) that is not 1 or −1, the first at element %d", what, s.badSign, s.firstBadSign)
	}
	if s.oob > 0 {
		more := ""
		if s.oob > 1 {
			more = fmt.Sprintf(" (%d indices are)", s.oob)
		}
		c.errorf("ACCESSOR_INDEX_OOB", ptr, "%s: index %d is past its %d vertices%s", where, s.oobValue, s.vertexCap, more)
	}
	if s.restart > 0 {
		c.errorf("ACCESSOR_INDEX_PRIMITIVE_RESTART", ptr, "%s: %d indices are %d, the primitive restart value, which glTF forbids (the first at element %d)",
			where, s.restart, s.restartValue, s.firstRestart)
	}
	if s.degenerate > 0 {
		c.infof("ACCESSOR_INDEX_TRIANGLE_DEGENERATE", ptr, "%s: %d of its %d triangles are degenerate (two corners on one vertex)",
			where, s.degenerate, s.triangles)
	}
	comps := a.Type.Components()
	for _, bound := range []struct {
		name, code, side string // "min", its codes' word, where the data lies beyond it
		declared, actual []float64
	}{{"min", "MIN", "below", a.Min, s.lo[:comps]}, {"max", "MAX", "above", a.Max, s.hi[:comps]}} {
		if len(bound.declared) != comps {
			continue
		}
		for k := range comps {
			if !s.any[k] {
				continue
			}
			declared, actual := bound.declared[k], bound.actual[k]
			if a.ComponentType == gltf.ComponentFloat {
				declared = float64(float32(declared)) // glTF's bounds are single-precision
			}
			if declared == actual {
				continue
			}
			axis := fmt.Sprintf("component %d", k)
			if comps <= 4 && comps > 1 {
				axis = axisNames[k]
			} else if comps == 1 {
				axis = "value"
			}
			ptr := fmt.Sprintf("%s/%s/%d", at, bound.name, k)
			below := bound.name == "min"
			if (below && actual < declared) || (!below && actual > declared) {
				// The validator reports both: data beyond the bound, and the bound not the data's.
				n := countOutside(data, a, off, stride, k, declared, below)
				c.errorf("ACCESSOR_ELEMENT_OUT_OF_"+bound.code+"_BOUND", ptr, "%s lie outside the bounds the file declares (%d %s values %s the declared %s of %g): the file is damaged",
					what, n, axis, bound.side, bound.name, declared)
				c.errorf("ACCESSOR_"+bound.code+"_MISMATCH", ptr, "%s: the declared %s %s (%g) is not the data's (%g)", what, axis, bound.name, declared, actual)
				continue
			}
			c.errorf("ACCESSOR_"+bound.code+"_MISMATCH", ptr, "%s do not reach the bounds the file declares (the declared %s %s is %g, the data's %g): the file is damaged",
				what, axis, bound.name, declared, actual)
		}
	}
}

// countOutside counts the elements whose component k is beyond a declared bound: only for the
// message of a damaged file, so it reads the data a second time rather than slow the first.
func countOutside(data []byte, a *gltf.Accessor, off, stride, k int, bound float64, below bool) int {
	size := a.ComponentType.ByteSize()
	n := 0
	for i := range a.Count {
		v := gltfdoc.Component(data[off+i*stride+k*size:], a.ComponentType)
		if (below && v < bound) || (!below && v > bound) {
			n++
		}
	}
	return n
}

// sparseData is a sparse accessor's elements, packed: its base (or zeros) with the substitutions
// made, for the pass to read like any other; nil when the substitutions' indices are out of
// order or out of range (errors added). Its size is bounded as the base's is (checkAccessor).
func sparseData(c *checker, doc *gltf.Document, i int, a *gltf.Accessor) []byte {
	sp := a.Sparse
	at := fmt.Sprintf("/accessors/%d/sparse/indices", i)
	elem := gltf.SizeOfElement(a.ComponentType, a.Type)
	view := func(v int) []byte {
		bv := doc.BufferViews[v]
		return doc.Buffers[bv.Buffer].Data[bv.ByteOffset : bv.ByteOffset+bv.ByteLength]
	}
	isize := sp.Indices.ComponentType.ByteSize()
	indices := view(sp.Indices.BufferView)[sp.Indices.ByteOffset:]
	prev := -1
	for k := range sp.Count {
		ix := int(index(indices, k*isize, isize))
		switch {
		case ix >= a.Count:
			c.errorf("ACCESSOR_SPARSE_INDEX_OOB", at, "accessor %d's sparse substitution %d is for element %d, past its %d", i, k, ix, a.Count)
			return nil
		case ix <= prev:
			c.errorf("ACCESSOR_SPARSE_INDICES_NON_INCREASING", at, "accessor %d's sparse substitutions are not in increasing order (element %d after %d)", i, ix, prev)
			return nil
		}
		prev = ix
	}
	out := make([]byte, a.Count*elem)
	if a.BufferView != nil {
		bv := doc.BufferViews[*a.BufferView]
		stride := bv.ByteStride
		if stride == 0 {
			stride = elem
		}
		base := view(*a.BufferView)[a.ByteOffset:]
		for e := range a.Count {
			copy(out[e*elem:(e+1)*elem], base[e*stride:e*stride+elem])
		}
	}
	values := view(sp.Values.BufferView)[sp.Values.ByteOffset:]
	for k := range sp.Count {
		ix := int(index(indices, k*isize, isize))
		copy(out[ix*elem:(ix+1)*elem], values[k*elem:(k+1)*elem])
	}
	return out
}
