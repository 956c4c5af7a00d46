package glb

import (
	"bytes"
	"image"
	"image/jpeg"
	"math"
	"os"
	"path/filepath"
	"testing"

	"github.com/qmuntal/gltf"

	"github.com/kiln3d/kiln/providers/local/mesh"
	"github.com/kiln3d/kiln/providers/modeltest"
)

// tetra is a closed tetrahedron with n vertices in all: the extra ones are unused copies, to push
// the vertex count past what 16-bit indices can address.
func tetra(n int) *mesh.Mesh {
	p := [][3]float64{{0, 0, 1}, {1, 0, -1}, {-1, 0, -1}, {0, 1, 0}}
	idx := []uint32{0, 2, 1, 0, 1, 3, 1, 2, 3, 2, 0, 3}
	m := &mesh.Mesh{Indices: idx}
	nor := mesh.Normals(p, idx)
	for i := 0; i < n; i++ {
		v := p[i%4]
		m.Positions = append(m.Positions, [3]float32{float32(v[0]), float32(v[1]), float32(v[2])})
		m.Normals = append(m.Normals, nor[i%4])
		m.UVs = append(m.UVs, [2]float32{float32(v[0]+1) / 2, float32(v[2]+1) / 2})
	}
	// The last triangle uses the last copy of vertex 3, so the largest index is really used.
	m.Indices[11] = uint32(n - 1 - (n-4)%4)
	return m
}

func jpegBytes(t *testing.T) []byte {
	var b bytes.Buffer
	if err := jpeg.Encode(&b, image.NewRGBA(image.Rect(0, 0, 8, 8)), nil); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

func TestEncodeRoundTrip(t *testing.T) {
	dir := t.TempDir()
	var files []string
	for _, n := range []int{4, 70000} {
		data, err := Encode(tetra(n), Texture{Data: jpegBytes(t), MIMEType: "image/jpeg"}, "tetra")
		if err != nil {
			t.Fatal(err)
		}
		path := filepath.Join(dir, "tetra"+string(rune('a'+len(files)))+".glb")
		if err := os.WriteFile(path, data, 0o644); err != nil {
			t.Fatal(err)
		}
		files = append(files, path)
		m, err := modeltest.Load(path)
		if err != nil {
			t.Fatal(err)
		}
		if top := m.Topology(); !top.Watertight || top.Triangles != 4 {
			t.Errorf("%d vertices: %+v", n, top)
		}
		acc := m.Doc.Accessors[*m.Doc.Meshes[0].Primitives[0].Indices]
		want := gltf.ComponentUshort
		if n >= 1<<16 {
			want = gltf.ComponentUint
		}
		if acc.ComponentType != want {
			t.Errorf("%d vertices: indices are %v, want %v", n, acc.ComponentType, want)
		}
		for _, nor := range m.Normals {
			if l := math.Sqrt(float64(nor[0]*nor[0] + nor[1]*nor[1] + nor[2]*nor[2])); math.Abs(l-1) > 1e-5 {
				t.Fatalf("normal %v has length %g", nor, l)
			}
		}
		if m.Doc.Asset.Generator != Generator || m.Doc.Images[0].MimeType != "image/jpeg" {
			t.Errorf("asset %+v, image %+v", m.Doc.Asset, m.Doc.Images[0])
		}
	}
	modeltest.Validate(t, files...)
}

func TestEncodeRefusesBrokenMeshes(t *testing.T) {
	tex := Texture{Data: jpegBytes(t), MIMEType: "image/jpeg"}
	bad := tetra(4)
	bad.UVs = bad.UVs[:2]
	if _, err := Encode(bad, tex, "x"); err == nil {
		t.Error("missing UVs accepted")
	}
	bad = tetra(4)
	bad.Indices[0] = 9
	if _, err := Encode(bad, tex, "x"); err == nil {
		t.Error("an index past the vertices accepted")
	}
	if _, err := Encode(&mesh.Mesh{}, tex, "x"); err == nil {
		t.Error("an empty mesh accepted")
	}
}

// TestEncodeParts: several parts are child nodes of one named node, each with its own mesh and
// the one shared material; the file validates and every part is closed on its own.
func TestEncodeParts(t *testing.T) {
	a, b := tetra(4), tetra(4)
	for i := range b.Positions {
		b.Positions[i][0] += 3
	}
	data, err := EncodeParts([]*mesh.Mesh{a, b}, Texture{Data: jpegBytes(t), MIMEType: "image/jpeg"}, "pair")
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "pair.glb")
	if err := os.WriteFile(path, data, 0o644); err != nil {
		t.Fatal(err)
	}
	m, err := modeltest.Load(path)
	if err != nil {
		t.Fatal(err)
	}
	doc := m.Doc
	if len(doc.Nodes) != 3 || len(doc.Meshes) != 2 || len(doc.Materials) != 1 || len(doc.Images) != 1 {
		t.Fatalf("%d nodes, %d meshes, %d materials, %d images", len(doc.Nodes), len(doc.Meshes), len(doc.Materials), len(doc.Images))
	}
	root := doc.Nodes[doc.Scenes[0].Nodes[0]]
	if root.Name != "pair" || len(root.Children) != 2 || root.Mesh != nil {
		t.Errorf("root node %+v", root)
	}
	for k, c := range root.Children {
		n := doc.Nodes[c]
		if want := "pair " + string(rune('1'+k)); n.Name != want || n.Mesh == nil {
			t.Errorf("child %d: %+v, want a mesh called %q", k, n, want)
		}
	}
	if top := m.Topology(); !top.Watertight || top.Triangles != 8 {
		t.Errorf("%+v", top)
	}
	modeltest.Validate(t, path)
}
