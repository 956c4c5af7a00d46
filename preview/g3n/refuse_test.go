package g3n

import (
	"context"
	"encoding/binary"
	"errors"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/qmuntal/gltf"

	"github.com/kiln3d/kiln/preview/inspect"
	"github.com/kiln3d/kiln/providers/modeltest"
	"github.com/kiln3d/kiln/providers/providertest"
)

// TestRenderFileRefusesDamagedModels: the real render path (kiln render, thumbnails) refuses a
// model the check finds errors in, with the check's reason, and writes no picture, rather than
// drawing an empty frame: infinite or NaN coordinates, an index past the vertices, and valid
// numbers that node scales carry to infinity.
func TestRenderFileRefusesDamagedModels(t *testing.T) {
	// damage overwrites the float32 at off of the tetrahedron's buffer (its positions first).
	damage := func(off int, v float32) func(*gltf.Document) {
		return func(d *gltf.Document) { binary.LittleEndian.PutUint32(d.Buffers[0].Data[off:], math.Float32bits(v)) }
	}
	dir := t.TempDir()
	for _, c := range []struct {
		name   string
		mutate func(*gltf.Document)
		code   string
		reason string
	}{
		{"inf", damage(28, float32(math.Inf(1))), "ACCESSOR_INVALID_FLOAT", "inf.glb: mesh 0 primitive 0: some positions are not numbers (NaN or infinite): the file is damaged"},
		{"nan", damage(0, float32(math.NaN())), "ACCESSOR_INVALID_FLOAT", "some positions are not numbers (NaN or infinite)"},
		{"index", func(d *gltf.Document) { d.Buffers[0].Data[48] = 40 }, "ACCESSOR_INDEX_OOB", "index.glb: mesh 0 primitive 0: index 40 is past its 4 vertices"},
		{"scaled", func(d *gltf.Document) {
			d.Nodes = append(d.Nodes, &gltf.Node{Mesh: gltf.Index(0), Scale: [3]float64{1e300, 1e300, 1e300}})
			d.Nodes[0].Mesh, d.Nodes[0].Children, d.Nodes[0].Scale = nil, []int{1}, [3]float64{1e300, 1e300, 1e300}
		}, inspect.CodeUnsupported, "its node transforms put it at infinity"},
	} {
		doc := providertest.Tetrahedron()
		c.mutate(doc)
		model := filepath.Join(dir, c.name+".glb")
		if err := gltf.SaveBinary(doc, model); err != nil {
			t.Fatal(err)
		}
		out := filepath.Join(dir, c.name+".png")
		err := RenderFile(context.Background(), model, out, RenderOptions{Size: 64})
		var ie *inspect.Error
		if !errors.As(err, &ie) || !strings.Contains(err.Error(), c.reason) || firstError(ie.Issues) != c.code {
			t.Errorf("%s: %v, want an *inspect.Error %s saying %q", c.name, err, c.code, c.reason)
		}
		if _, err := os.Stat(out); !errors.Is(err, os.ErrNotExist) {
			t.Errorf("%s: a refused model left a picture (%v)", c.name, err)
		}
	}
}

func firstError(issues []inspect.Issue) string {
	for _, i := range issues {
		if i.Severity == inspect.SeverityError {
			return i.Code
		}
	}
	return ""
}

// TestRenderFileDrawsSparsePositions: a sparse accessor (the check reads its substitutions)
// renders, over its data and over zeros.
func TestRenderFileDrawsSparsePositions(t *testing.T) {
	dir := t.TempDir()
	for name, zeros := range map[string]bool{"over-data": false, "over-zeros": true} {
		doc := providertest.Tetrahedron()
		if zeros {
			modeltest.SparsePositions(doc, 0, true, []uint8{1, 2, 3}, [][3]float32{{1, 0, 0}, {0, 1, 0}, {0, 0, 1}})
		} else {
			modeltest.SparsePositions(doc, 0, false, []uint8{3}, [][3]float32{{0, 0, 1}})
		}
		model := filepath.Join(dir, name+".glb")
		if err := gltf.SaveBinary(doc, model); err != nil {
			t.Fatal(err)
		}
		out := filepath.Join(dir, name+".png")
		if err := RenderFile(context.Background(), model, out, RenderOptions{Size: 64}); err != nil {
			t.Errorf("%s: %v", name, err)
		}
		if _, err := os.Stat(out); err != nil {
			t.Errorf("%s: no picture (%v)", name, err)
		}
	}
}
