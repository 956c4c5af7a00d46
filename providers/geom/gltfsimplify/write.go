package gltfsimplify

import (
	"encoding/binary"

	"github.com/qmuntal/gltf"
)

// builder collects the accessors and buffer views that simplified primitives need, appended
// after the document's own, with their bytes kept aside until pack lays out the new buffer.
type builder struct {
	doc      *gltf.Document
	oldAccs  int            // accessors in the input
	oldViews int            // buffer views in the input
	viewData map[int][]byte // bytes of the views added since
	replaced map[int]bool   // input accessors that rewritten primitives no longer use
}

func newBuilder(doc *gltf.Document) *builder {
	return &builder{
		doc: doc, oldAccs: len(doc.Accessors), oldViews: len(doc.BufferViews),
		viewData: map[int][]byte{}, replaced: map[int]bool{},
	}
}

func (b *builder) addView(data []byte, stride int, target gltf.Target) int {
	bv := &gltf.BufferView{ByteLength: len(data), ByteStride: stride, Target: target}
	b.doc.BufferViews = append(b.doc.BufferViews, bv)
	i := len(b.doc.BufferViews) - 1
	b.viewData[i] = data
	return i
}

func (b *builder) addAccessor(acc *gltf.Accessor) int {
	b.doc.Accessors = append(b.doc.Accessors, acc)
	return len(b.doc.Accessors) - 1
}

// rewrite points pr at its simplified triangles idx: it keeps only the vertices idx uses, in
// the order it first uses them, gathers every attribute and morph target for them into new
// accessors of the same types, and writes a new index accessor (16-bit when it can).
func (b *builder) rewrite(pr *primitive, idx []uint32) {
	remap := make([]int32, pr.count)
	for i := range remap {
		remap[i] = -1
	}
	verts := make([]uint32, 0, len(idx)/2)
	local := make([]uint32, len(idx))
	for k, v := range idx {
		if remap[v] < 0 {
			remap[v] = int32(len(verts))
			verts = append(verts, v)
		}
		local[k] = uint32(remap[v])
	}
	made := map[int]int{} // input accessor → its gathered copy, shared within the primitive
	gather := func(name string, acc int) int {
		if n, ok := made[acc]; ok {
			return n
		}
		col := pr.columns[acc]
		data, stride := col.gather(verts)
		out := &gltf.Accessor{
			Name: col.acc.Name, Extras: col.acc.Extras,
			BufferView:    gltf.Index(b.addView(data, stride, gltf.TargetArrayBuffer)),
			ComponentType: col.acc.ComponentType, Normalized: col.acc.Normalized,
			Type: col.acc.Type, Count: len(verts),
		}
		// POSITION must have bounds; other accessors keep them when they had them, since
		// stale bounds are a validation error.
		if name == gltf.POSITION || col.acc.Min != nil || col.acc.Max != nil {
			out.Min, out.Max = col.bounds(verts)
		}
		n := b.addAccessor(out)
		made[acc] = n
		b.replaced[acc] = true
		return n
	}
	p := pr.p
	attrs := gltf.PrimitiveAttributes{}
	for _, name := range sortedNames(p.Attributes) {
		attrs[name] = gather(name, p.Attributes[name])
	}
	p.Attributes = attrs
	for t, target := range p.Targets {
		moved := gltf.PrimitiveAttributes{}
		for _, name := range sortedNames(target) {
			moved[name] = gather(name, target[name])
		}
		p.Targets[t] = moved
	}
	if p.Indices != nil {
		b.replaced[*p.Indices] = true
	}
	p.Indices = gltf.Index(b.indices(local, len(verts)))
	p.Mode = gltf.PrimitiveTriangles
	// Draco data (optional here, or the file was refused) no longer matches the geometry.
	delete(p.Extensions, "KHR_draco_mesh_compression")
}

// indices writes an index accessor: 16-bit below 65,535 vertices (0xFFFF is the primitive
// restart value, which glTF forbids), else 32-bit.
func (b *builder) indices(idx []uint32, verts int) int {
	var data []byte
	ct := gltf.ComponentUint
	if verts <= 0xFFFF {
		ct = gltf.ComponentUshort
		data = make([]byte, 2*len(idx))
		for k, v := range idx {
			binary.LittleEndian.PutUint16(data[2*k:], uint16(v))
		}
	} else {
		data = make([]byte, 4*len(idx))
		for k, v := range idx {
			binary.LittleEndian.PutUint32(data[4*k:], v)
		}
	}
	return b.addAccessor(&gltf.Accessor{
		BufferView:    gltf.Index(b.addView(data, 0, gltf.TargetElementArrayBuffer)),
		ComponentType: ct, Type: gltf.AccessorScalar, Count: len(idx),
	})
}
