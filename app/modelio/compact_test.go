package modelio_test

import (
	"bytes"
	"reflect"
	"strings"
	"testing"

	"github.com/qmuntal/gltf"
	"github.com/qmuntal/gltf/modeler"

	"github.com/kiln3d/kiln/app/modelio"
)

// TestCompactDropsOldImages drops the bytes of the images DownscaleTextures replaced: the buffer
// ends smaller than it began, every view starts on 4 bytes, and the model reads the same.
func TestCompactDropsOldImages(t *testing.T) {
	m := ioLoad(t, ioCorpus(t, "cge_knight/knight.gltf"))
	before := m.Doc.Buffers[0].ByteLength
	views := len(m.Doc.BufferViews)
	if _, err := m.DownscaleTextures(128, false); err != nil {
		t.Fatal(err)
	}
	if m.Doc.Buffers[0].ByteLength <= before {
		t.Fatalf("the buffer did not grow: %d bytes", m.Doc.Buffers[0].ByteLength)
	}
	want := ioAccessors(t, m)
	if err := m.Compact(); err != nil {
		t.Fatal(err)
	}
	// The 512×512 texture took 220 kB of the 540 kB.
	if after := m.Doc.Buffers[0].ByteLength; after >= before-150_000 || len(m.Doc.BufferViews) != views {
		t.Errorf("%d bytes in %d views; %d bytes in %d before", after, len(m.Doc.BufferViews), before, views)
	}
	ioAligned(t, m)
	if !reflect.DeepEqual(ioAccessors(t, m), want) {
		t.Error("the accessors read differently")
	}
	if got := ioImageSize(t, m, 0); got != [2]int{128, 128} {
		t.Errorf("the image is %v", got)
	}
	ioValidGLB(t, m)
}

// TestCompactAligns moves views that start off a multiple of 4 onto one, and keeps sparse
// accessors' views, renumbered.
func TestCompactAligns(t *testing.T) {
	m := ioLoad(t, ioCorpus(t, "khronos_BoxTextured.glb"))
	doc := m.Doc
	// A sparse accessor: POSITION's values with vertex 1 moved, its indices and values in views
	// of their own, and an unused view between them.
	pos := doc.Meshes[0].Primitives[0].Attributes[gltf.POSITION]
	base := *doc.Accessors[pos]
	indices := modeler.WriteBufferView(doc, gltf.TargetNone, []uint16{1})
	modeler.WriteBufferView(doc, gltf.TargetNone, []byte("unused"))
	values := modeler.WriteBufferView(doc, gltf.TargetNone, [][3]float32{{0.5, 0.5, 0.5}})
	base.Sparse = &gltf.Sparse{Count: 1,
		Indices: gltf.SparseIndices{BufferView: indices, ComponentType: gltf.ComponentUshort},
		Values:  gltf.SparseValues{BufferView: values}}
	base.Name = "moved"
	doc.Accessors = append(doc.Accessors, &base)

	// Every view one byte later than it was.
	buf := doc.Buffers[0]
	buf.Data = append([]byte{0xAA}, buf.Data...)
	buf.ByteLength++
	for _, v := range doc.BufferViews {
		v.ByteOffset++
	}
	want := ioAccessors(t, m)
	if err := m.Compact(); err != nil {
		t.Fatal(err)
	}
	ioAligned(t, m)
	if !reflect.DeepEqual(ioAccessors(t, m), want) {
		t.Error("the accessors read differently")
	}
	if n := len(doc.BufferViews); n != 6 {
		t.Errorf("%d views", n)
	}
	ioValidGLB(t, m)
}

// TestCompactUnknownExtension keeps every view, in place by index, when the document uses an
// extension that may refer to views Compact cannot see.
func TestCompactUnknownExtension(t *testing.T) {
	m := ioLoad(t, ioCorpus(t, "khronos_BoxTextured.glb"))
	unused := modeler.WriteBufferView(m.Doc, gltf.TargetNone, []byte("somebody's data"))
	m.Doc.ExtensionsUsed = append(m.Doc.ExtensionsUsed, "EXT_somebody_else")
	views := len(m.Doc.BufferViews)
	if err := m.Compact(); err != nil {
		t.Fatal(err)
	}
	v := m.Doc.BufferViews[unused]
	if len(m.Doc.BufferViews) != views || string(m.Doc.Buffers[0].Data[v.ByteOffset:v.ByteOffset+v.ByteLength]) != "somebody's data" {
		t.Errorf("%d views, %d before; view %d holds %q", len(m.Doc.BufferViews), views, unused, m.Doc.Buffers[0].Data[v.ByteOffset:v.ByteOffset+v.ByteLength])
	}
	ioAligned(t, m)
}

// TestCompactRefuses a model that breaks the promise of one buffer holding every view.
func TestCompactRefuses(t *testing.T) {
	for name, c := range map[string]struct {
		spoil func(doc *gltf.Document)
		says  string
	}{
		"two buffers": {func(doc *gltf.Document) {
			doc.Buffers = append(doc.Buffers, &gltf.Buffer{ByteLength: 1, Data: []byte{0}})
		}, "2 buffers"},
		"view outside":    {func(doc *gltf.Document) { doc.BufferViews[1].ByteLength = 1 << 20 }, "buffer view 1 lies outside"},
		"missing view":    {func(doc *gltf.Document) { doc.Accessors[0].BufferView = gltf.Index(99) }, "accessor 0 refers to buffer view 99"},
		"image view gone": {func(doc *gltf.Document) { doc.Images[0].BufferView = gltf.Index(-1) }, "image 0 refers to buffer view -1"},
	} {
		t.Run(name, func(t *testing.T) {
			m := ioLoad(t, ioCorpus(t, "khronos_BoxTextured.glb"))
			c.spoil(m.Doc)
			if err := m.Compact(); err == nil || !strings.Contains(err.Error(), c.says) {
				t.Errorf("%v, want an error saying %q", err, c.says)
			}
			var b bytes.Buffer
			if err := m.EncodeGLB(&b); err == nil || b.Len() != 0 {
				t.Errorf("EncodeGLB wrote %d bytes: %v", b.Len(), err)
			}
		})
	}
}

// ioAccessors reads every accessor's values.
func ioAccessors(t *testing.T, m *modelio.Model) []any {
	t.Helper()
	var out []any
	for i, a := range m.Doc.Accessors {
		v, err := modeler.ReadAccessor(m.Doc, a, nil)
		if err != nil {
			t.Fatalf("accessor %d: %v", i, err)
		}
		out = append(out, v)
	}
	return out
}

// ioAligned checks that every view starts on a multiple of 4 and lies in the buffer.
func ioAligned(t *testing.T, m *modelio.Model) {
	t.Helper()
	for i, v := range m.Doc.BufferViews {
		if v.ByteOffset%4 != 0 || v.ByteOffset+v.ByteLength > len(m.Doc.Buffers[0].Data) {
			t.Errorf("view %d at %d, %d bytes, in a buffer of %d", i, v.ByteOffset, v.ByteLength, len(m.Doc.Buffers[0].Data))
		}
	}
}
