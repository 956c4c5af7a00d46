package modeltest

import (
	"math"
	"path/filepath"
	"testing"

	"github.com/qmuntal/gltf"
	"github.com/qmuntal/gltf/modeler"
)

// SubdividedBunny writes the corpus's Stanford bunny split 1→4 at edge midpoints twice
// (1,114,656 triangles) with smooth normals, as bunny-1m.glb in dir, and returns its path and
// triangle count: a real scan's shape at the size of the heavy meshes artists bring, for the
// benchmarks of the simplifier, the preview and the check. It skips the test without the
// corpus, and takes a few seconds.
func SubdividedBunny(t testing.TB, dir string) (string, int) {
	t.Helper()
	m, err := Load(filepath.Join(CorpusDir(t, "models"), "stanford_bunny_69k.glb"))
	if err != nil {
		t.Fatal(err)
	}
	pos := make([][3]float32, len(m.Positions))
	for i, p := range m.Positions {
		pos[i] = [3]float32{float32(p[0]), float32(p[1]), float32(p[2])}
	}
	idx := make([]uint32, 0, 3*len(m.Triangles))
	for _, t := range m.Triangles {
		idx = append(idx, uint32(t[0]), uint32(t[1]), uint32(t[2]))
	}
	for range 2 {
		pos, idx = subdivide(pos, idx)
	}
	doc := gltf.NewDocument()
	doc.Meshes = []*gltf.Mesh{{Name: "bunny", Primitives: []*gltf.Primitive{{
		Attributes: gltf.PrimitiveAttributes{
			gltf.POSITION: modeler.WritePosition(doc, pos),
			gltf.NORMAL:   modeler.WriteNormal(doc, smoothNormals(pos, idx)),
		},
		Indices: gltf.Index(modeler.WriteIndices(doc, idx)),
	}}}}
	doc.Nodes = []*gltf.Node{{Name: "bunny", Mesh: gltf.Index(0)}}
	doc.Scenes[0].Nodes = []int{0}
	path := filepath.Join(dir, "bunny-1m.glb")
	if err := gltf.SaveBinary(doc, path); err != nil {
		t.Fatal(err)
	}
	return path, len(idx) / 3
}

// subdivide splits every triangle into four at its edge midpoints, shared between neighbours.
func subdivide(pos [][3]float32, idx []uint32) ([][3]float32, []uint32) {
	mid := make(map[[2]uint32]uint32, len(idx))
	at := func(a, b uint32) uint32 {
		k := [2]uint32{min(a, b), max(a, b)}
		if m, ok := mid[k]; ok {
			return m
		}
		p, q := pos[a], pos[b]
		pos = append(pos, [3]float32{(p[0] + q[0]) / 2, (p[1] + q[1]) / 2, (p[2] + q[2]) / 2})
		mid[k] = uint32(len(pos) - 1)
		return mid[k]
	}
	out := make([]uint32, 0, 4*len(idx))
	for t := 0; t < len(idx); t += 3 {
		a, b, c := idx[t], idx[t+1], idx[t+2]
		ab, bc, ca := at(a, b), at(b, c), at(c, a)
		out = append(out, a, ab, ca, ab, b, bc, ca, bc, c, ab, bc, ca)
	}
	return pos, out
}

// smoothNormals are area-weighted vertex normals.
func smoothNormals(pos [][3]float32, idx []uint32) [][3]float32 {
	sum := make([][3]float64, len(pos))
	for t := 0; t < len(idx); t += 3 {
		a, b, c := pos[idx[t]], pos[idx[t+1]], pos[idx[t+2]]
		u := [3]float64{float64(b[0] - a[0]), float64(b[1] - a[1]), float64(b[2] - a[2])}
		v := [3]float64{float64(c[0] - a[0]), float64(c[1] - a[1]), float64(c[2] - a[2])}
		n := [3]float64{u[1]*v[2] - u[2]*v[1], u[2]*v[0] - u[0]*v[2], u[0]*v[1] - u[1]*v[0]}
		for _, i := range idx[t : t+3] {
			sum[i][0], sum[i][1], sum[i][2] = sum[i][0]+n[0], sum[i][1]+n[1], sum[i][2]+n[2]
		}
	}
	out := make([][3]float32, len(pos))
	for i, n := range sum {
		l := math.Sqrt(n[0]*n[0] + n[1]*n[1] + n[2]*n[2])
		if l == 0 {
			out[i] = [3]float32{0, 0, 1}
			continue
		}
		out[i] = [3]float32{float32(n[0] / l), float32(n[1] / l), float32(n[2] / l)}
	}
	return out
}
