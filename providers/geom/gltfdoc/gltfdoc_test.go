package gltfdoc

import (
	"encoding/json"
	"slices"
	"testing"

	"github.com/qmuntal/gltf"
)

func TestTriangles(t *testing.T) {
	idx := []uint32{0, 1, 2, 3, 4}
	for _, c := range []struct {
		mode gltf.PrimitiveMode
		want []uint32
	}{
		{gltf.PrimitiveTriangles, []uint32{0, 1, 2}},
		// A strip's second triangle is 1, 2, 3 turned round: 2, 1, 3.
		{gltf.PrimitiveTriangleStrip, []uint32{0, 1, 2, 2, 1, 3, 2, 3, 4}},
		{gltf.PrimitiveTriangleFan, []uint32{0, 1, 2, 0, 2, 3, 0, 3, 4}},
		{gltf.PrimitiveLines, nil},
	} {
		if got := Triangles(c.mode, idx); !slices.Equal(got, c.want) {
			t.Errorf("mode %v: %v, want %v", c.mode, got, c.want)
		}
	}
	if got := Triangles(gltf.PrimitiveTriangleStrip, []uint32{0, 1}); len(got) != 0 {
		t.Errorf("a strip of two vertices: %v", got)
	}
}

func TestWebPSource(t *testing.T) {
	for _, ext := range []any{json.RawMessage(`{"source": 3}`), map[string]any{"source": 3.0}} {
		if i, ok := WebPSource(&gltf.Texture{Extensions: gltf.Extensions{WebPExtension: ext}}); !ok || i != 3 {
			t.Errorf("%#v: %d %v", ext, i, ok)
		}
	}
	for _, ext := range []any{json.RawMessage(`{"source": "x"}`), json.RawMessage(`{}`), 7} {
		if _, ok := WebPSource(&gltf.Texture{Extensions: gltf.Extensions{WebPExtension: ext}}); ok {
			t.Errorf("%#v gave a source", ext)
		}
	}
	if _, ok := WebPSource(&gltf.Texture{}); ok {
		t.Error("no extension gave a source")
	}
}
