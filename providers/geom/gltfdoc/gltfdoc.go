// Package gltfdoc reads what several parts of Kiln need from a glTF document, one way for all:
// a triangle primitive's triangles whatever its mode, and the image EXT_texture_webp names.
package gltfdoc

import (
	"encoding/binary"
	"encoding/json"
	"math"

	"github.com/qmuntal/gltf"
)

// Triangles lists a primitive's triangles as three vertex indices each, from its indices (or
// 0…n−1 for an unindexed one) in mode: strips and fans are unrolled as glTF defines them, every
// other triangle of a strip with its first two corners swapped so that all face one way. Points
// and lines give nothing. A list's trailing indices that make no whole triangle are dropped.
func Triangles(mode gltf.PrimitiveMode, idx []uint32) []uint32 {
	switch mode {
	case gltf.PrimitiveTriangles:
		return idx[:len(idx)/3*3]
	case gltf.PrimitiveTriangleStrip:
		out := make([]uint32, 0, 3*max(len(idx)-2, 0))
		for k := 0; k+2 < len(idx); k++ {
			if k%2 == 0 {
				out = append(out, idx[k], idx[k+1], idx[k+2])
			} else {
				out = append(out, idx[k+1], idx[k], idx[k+2])
			}
		}
		return out
	case gltf.PrimitiveTriangleFan:
		out := make([]uint32, 0, 3*max(len(idx)-2, 0))
		for k := 1; k+1 < len(idx); k++ {
			out = append(out, idx[0], idx[k], idx[k+1])
		}
		return out
	}
	return nil
}

// WebPExtension is the extension that gives a texture a WebP image.
const WebPExtension = "EXT_texture_webp"

// WebPSource is the image a texture's EXT_texture_webp names, for textures with no PNG or JPEG
// source; ok is false when it has none.
func WebPSource(t *gltf.Texture) (int, bool) {
	raw, ok := t.Extensions[WebPExtension]
	if !ok {
		return 0, false
	}
	return ExtensionSource(raw)
}

// ExtensionSource reads the "source" image index of a texture extension, whatever Go type the
// decoder left it as (json.RawMessage, or a map from an encoder's round trip).
func ExtensionSource(ext any) (int, bool) {
	b, ok := ext.(json.RawMessage)
	if !ok {
		var err error
		if b, err = json.Marshal(ext); err != nil {
			return 0, false
		}
	}
	var v struct {
		Source *int `json:"source"`
	}
	if json.Unmarshal(b, &v) != nil || v.Source == nil {
		return 0, false
	}
	return *v.Source, true
}

// Component reads one component of type t, as stored (a normalized integer is not scaled), from
// the start of b, little-endian as glTF's buffers are.
func Component(b []byte, t gltf.ComponentType) float64 {
	switch t {
	case gltf.ComponentByte:
		return float64(int8(b[0]))
	case gltf.ComponentUbyte:
		return float64(b[0])
	case gltf.ComponentShort:
		return float64(int16(binary.LittleEndian.Uint16(b)))
	case gltf.ComponentUshort:
		return float64(binary.LittleEndian.Uint16(b))
	case gltf.ComponentUint:
		return float64(binary.LittleEndian.Uint32(b))
	}
	return float64(math.Float32frombits(binary.LittleEndian.Uint32(b)))
}
