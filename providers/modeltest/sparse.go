package modeltest

import (
	"encoding/binary"
	"math"

	"github.com/qmuntal/gltf"
)

// SparsePositions makes accessor a of doc sparse: the given elements substituted by the given
// 3-float values, over its data, or over zeros when zeros (its bufferView dropped). The
// substitutions go at the end of buffer 0, each array in a view of its own, 4-byte aligned.
func SparsePositions(doc *gltf.Document, a int, zeros bool, indices []uint8, values [][3]float32) {
	appendView := func(b []byte) int {
		for len(doc.Buffers[0].Data)%4 != 0 {
			doc.Buffers[0].Data = append(doc.Buffers[0].Data, 0)
		}
		doc.BufferViews = append(doc.BufferViews, &gltf.BufferView{Buffer: 0, ByteOffset: len(doc.Buffers[0].Data), ByteLength: len(b)})
		doc.Buffers[0].Data = append(doc.Buffers[0].Data, b...)
		doc.Buffers[0].ByteLength = len(doc.Buffers[0].Data)
		return len(doc.BufferViews) - 1
	}
	var v []byte
	for _, p := range values {
		for _, x := range p {
			v = binary.LittleEndian.AppendUint32(v, math.Float32bits(x))
		}
	}
	acc := doc.Accessors[a]
	acc.Sparse = &gltf.Sparse{Count: len(indices),
		Indices: gltf.SparseIndices{BufferView: appendView(indices), ComponentType: gltf.ComponentUbyte},
		Values:  gltf.SparseValues{BufferView: appendView(v)}}
	if zeros {
		acc.BufferView = nil
	}
}
