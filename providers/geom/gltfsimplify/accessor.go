package gltfsimplify

import (
	"encoding/binary"
	"fmt"
	"math"

	"github.com/qmuntal/gltf"

	"github.com/kiln3d/kiln/providers/geom/gltfdoc"
)

// column is an accessor's elements packed tightly (size bytes each, in the accessor's own
// component type), sparse substitution applied: what a vertex carries for one attribute,
// whatever its type, normalisation or quantisation, copied byte for byte.
type column struct {
	acc  *gltf.Accessor
	data []byte
	size int
}

// elementSize is the packed size of one element; matrices are not vertex data and are refused.
func elementSize(acc *gltf.Accessor) (int, error) {
	switch acc.Type {
	case gltf.AccessorScalar, gltf.AccessorVec2, gltf.AccessorVec3, gltf.AccessorVec4:
	default:
		return 0, fmt.Errorf("accessor of type %s is not vertex data", acc.Type)
	}
	cs := acc.ComponentType.ByteSize()
	if cs == 0 {
		return 0, fmt.Errorf("accessor has an unknown component type")
	}
	return cs * acc.Type.Components(), nil
}

// readColumn reads an accessor, checking every offset so that a malformed file is an error.
func readColumn(doc *gltf.Document, index int) (column, error) {
	if index < 0 || index >= len(doc.Accessors) {
		return column{}, fmt.Errorf("accessor %d does not exist", index)
	}
	acc := doc.Accessors[index]
	size, err := elementSize(acc)
	if err != nil {
		return column{}, fmt.Errorf("accessor %d: %w", index, err)
	}
	if acc.Count <= 0 {
		return column{}, fmt.Errorf("accessor %d has no elements", index)
	}
	col := column{acc: acc, data: make([]byte, acc.Count*size), size: size}
	if acc.BufferView != nil {
		if err := readStrided(doc, *acc.BufferView, acc.ByteOffset, 0, size, acc.Count, col.data); err != nil {
			return column{}, fmt.Errorf("accessor %d: %w", index, err)
		}
	}
	if sp := acc.Sparse; sp != nil {
		if err := col.applySparse(doc, sp); err != nil {
			return column{}, fmt.Errorf("accessor %d: sparse: %w", index, err)
		}
	}
	return col, nil
}

// readStrided copies count elements of size bytes from a buffer view into dst; stride 0 takes
// the view's byteStride, or packed elements when it has none.
func readStrided(doc *gltf.Document, view, offset, stride, size, count int, dst []byte) error {
	src, viewStride, err := viewBytes(doc, view)
	if err != nil {
		return err
	}
	if stride == 0 {
		stride = viewStride
	}
	if stride == 0 {
		stride = size
	}
	if offset < 0 || stride < size || offset+(count-1)*stride+size > len(src) {
		return fmt.Errorf("%d elements of %d bytes at offset %d, stride %d, overrun buffer view %d (%d bytes)",
			count, size, offset, stride, view, len(src))
	}
	for i := 0; i < count; i++ {
		copy(dst[i*size:(i+1)*size], src[offset+i*stride:])
	}
	return nil
}

func viewBytes(doc *gltf.Document, view int) ([]byte, int, error) {
	if view < 0 || view >= len(doc.BufferViews) {
		return nil, 0, fmt.Errorf("buffer view %d does not exist", view)
	}
	bv := doc.BufferViews[view]
	if bv.Buffer < 0 || bv.Buffer >= len(doc.Buffers) {
		return nil, 0, fmt.Errorf("buffer view %d names buffer %d, which does not exist", view, bv.Buffer)
	}
	buf := doc.Buffers[bv.Buffer].Data
	if bv.ByteOffset < 0 || bv.ByteLength < 0 || bv.ByteOffset+bv.ByteLength > len(buf) {
		return nil, 0, fmt.Errorf("buffer view %d overruns buffer %d (%d of %d bytes loaded)", view, bv.Buffer, bv.ByteOffset+bv.ByteLength, len(buf))
	}
	return buf[bv.ByteOffset : bv.ByteOffset+bv.ByteLength], bv.ByteStride, nil
}

func (c *column) applySparse(doc *gltf.Document, sp *gltf.Sparse) error {
	is := sp.Indices.ComponentType.ByteSize()
	switch sp.Indices.ComponentType {
	case gltf.ComponentUbyte, gltf.ComponentUshort, gltf.ComponentUint:
	default:
		return fmt.Errorf("indices of an invalid component type")
	}
	if sp.Count <= 0 || sp.Count > c.acc.Count {
		return fmt.Errorf("%d entries for %d elements", sp.Count, c.acc.Count)
	}
	idx := make([]byte, sp.Count*is)
	if err := readStrided(doc, sp.Indices.BufferView, sp.Indices.ByteOffset, is, is, sp.Count, idx); err != nil {
		return err
	}
	vals := make([]byte, sp.Count*c.size)
	if err := readStrided(doc, sp.Values.BufferView, sp.Values.ByteOffset, c.size, c.size, sp.Count, vals); err != nil {
		return err
	}
	for k := 0; k < sp.Count; k++ {
		i := int(unsignedAt(idx, k, is))
		if i >= c.acc.Count {
			return fmt.Errorf("index %d past %d elements", i, c.acc.Count)
		}
		copy(c.data[i*c.size:(i+1)*c.size], vals[k*c.size:(k+1)*c.size])
	}
	return nil
}

func unsignedAt(b []byte, k, size int) uint32 {
	switch size {
	case 1:
		return uint32(b[k])
	case 2:
		return uint32(binary.LittleEndian.Uint16(b[2*k:]))
	}
	return binary.LittleEndian.Uint32(b[4*k:])
}

// components is the number of values per element.
func (c *column) components() int { return c.acc.Type.Components() }

// value is component j of element i as stored (min and max are in stored units).
func (c *column) value(i, j int) float64 {
	cs := c.acc.ComponentType.ByteSize()
	return gltfdoc.Component(c.data[i*c.size+j*cs:], c.acc.ComponentType)
}

// floats returns the first n components of every element as the shader sees them (normalised
// integers map to [0, 1] or [−1, 1]), n per element.
func (c *column) floats(n int) []float32 {
	count, comps := c.acc.Count, c.components()
	n = min(n, comps)
	out := make([]float32, count*n)
	if c.acc.ComponentType == gltf.ComponentFloat {
		// The common case, without a switch per value.
		for i := 0; i < count; i++ {
			b := c.data[i*c.size:]
			for j := 0; j < n; j++ {
				out[i*n+j] = math.Float32frombits(binary.LittleEndian.Uint32(b[4*j:]))
			}
		}
		return out
	}
	scale, floor := 1.0, math.Inf(-1)
	if c.acc.Normalized {
		switch c.acc.ComponentType {
		case gltf.ComponentByte:
			scale, floor = 127, -1
		case gltf.ComponentUbyte:
			scale = 255
		case gltf.ComponentShort:
			scale, floor = 32767, -1
		case gltf.ComponentUshort:
			scale = 65535
		}
	}
	for i := 0; i < count; i++ {
		for j := 0; j < n; j++ {
			out[i*n+j] = float32(max(c.value(i, j)/scale, floor))
		}
	}
	return out
}

// gather returns the elements of verts in order, each padded to a 4-byte stride as glTF
// requires of vertex attributes.
func (c *column) gather(verts []uint32) (data []byte, stride int) {
	stride = (c.size + 3) &^ 3
	data = make([]byte, len(verts)*stride)
	for k, v := range verts {
		copy(data[k*stride:k*stride+c.size], c.data[int(v)*c.size:int(v+1)*c.size])
	}
	return data, stride
}

// bounds is the per-component minimum and maximum of the elements of verts, in stored units.
func (c *column) bounds(verts []uint32) (lo, hi []float64) {
	n := c.components()
	lo, hi = make([]float64, n), make([]float64, n)
	for j := range lo {
		lo[j], hi[j] = math.Inf(1), math.Inf(-1)
	}
	for _, v := range verts {
		for j := 0; j < n; j++ {
			var x float64
			if c.acc.ComponentType == gltf.ComponentFloat {
				x = float64(math.Float32frombits(binary.LittleEndian.Uint32(c.data[int(v)*c.size+4*j:])))
			} else {
				x = c.value(int(v), j)
			}
			lo[j], hi[j] = min(lo[j], x), max(hi[j], x)
		}
	}
	return lo, hi
}
