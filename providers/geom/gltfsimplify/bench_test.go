package gltfsimplify

import (
	"context"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	"github.com/qmuntal/gltf"
	"github.com/qmuntal/gltf/modeler"

	"github.com/kiln3d/kiln/providers/modeltest"
)

// BenchmarkSimplifyBunny1M times File bringing a 1.1-million-triangle scan (the corpus bunny,
// midpoint-subdivided twice) to 10%, beside gltfpack doing the same (-si 0.1 -noq), and
// measures both results' symmetric Hausdorff distance to the input, relative to its bounding
// box diagonal. ns/op is Kiln's alone.
func BenchmarkSimplifyBunny1M(b *testing.B) {
	bunny := filepath.Join(modeltest.CorpusDir(b, "models"), "stanford_bunny_69k.glb")
	pack, err := exec.LookPath("gltfpack")
	if err != nil {
		b.Skip("gltfpack is not installed (apt-get install gltfpack)")
	}
	dir := b.TempDir()
	big, tris := subdividedBunny(b, bunny, dir)
	target := tris / 10
	kilnOut, packOut := filepath.Join(dir, "kiln.glb"), filepath.Join(dir, "gltfpack.glb")
	var kiln, other time.Duration
	var after int
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		start := time.Now()
		res, err := File(context.Background(), big, target, nil)
		if err != nil {
			b.Fatal(err)
		}
		kiln += time.Since(start)
		b.StopTimer()
		after = res.After
		if err := os.WriteFile(kilnOut, res.GLB, 0o644); err != nil {
			b.Fatal(err)
		}
		start = time.Now()
		if out, err := exec.Command(pack, "-i", big, "-o", packOut, "-si", "0.1", "-noq").CombinedOutput(); err != nil {
			b.Fatalf("gltfpack: %v\n%s", err, out)
		}
		other += time.Since(start)
		b.StartTimer()
	}
	b.StopTimer()
	ms := func(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 / float64(b.N) }
	b.ReportMetric(ms(kiln), "kiln-ms")
	b.ReportMetric(ms(other), "gltfpack-ms")
	b.ReportMetric(float64(kiln)/float64(other), "ratio")
	b.ReportMetric(float64(after), "kiln-tris")

	in, err := modeltest.Load(big)
	if err != nil {
		b.Fatal(err)
	}
	for _, out := range []struct{ path, metric string }{{kilnOut, "kiln-hausdorff"}, {packOut, "gltfpack-hausdorff"}} {
		m, err := modeltest.Load(out.path)
		if err != nil {
			b.Fatal(err)
		}
		if out.metric == "gltfpack-hausdorff" {
			b.ReportMetric(float64(len(m.Triangles)), "gltfpack-tris")
		}
		b.ReportMetric(hausdorff(in, m, 2_000_000), out.metric)
	}
}

// subdividedBunny writes the bunny split 1→4 at edge midpoints twice (69,666 × 16 triangles)
// with smooth normals as a GLB in dir, and returns its path and triangle count.
func subdividedBunny(b *testing.B, bunny, dir string) (string, int) {
	m, err := modeltest.Load(bunny)
	if err != nil {
		b.Fatal(err)
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
		b.Fatal(err)
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

// BenchmarkSimplifyBunny69k is the same comparison on the real scan (the corpus bunny, 69,666
// triangles) to 10%: subdivision makes the 1.1M mesh smooth between the scan's points, so the
// error on the scan itself is the fairer accuracy figure.
func BenchmarkSimplifyBunny69k(b *testing.B) {
	bunny := filepath.Join(modeltest.CorpusDir(b, "models"), "stanford_bunny_69k.glb")
	pack, err := exec.LookPath("gltfpack")
	if err != nil {
		b.Skip("gltfpack is not installed (apt-get install gltfpack)")
	}
	dir := b.TempDir()
	kilnOut, packOut := filepath.Join(dir, "kiln.glb"), filepath.Join(dir, "gltfpack.glb")
	var res *Result
	for i := 0; i < b.N; i++ {
		if res, err = File(context.Background(), bunny, 6967, nil); err != nil {
			b.Fatal(err)
		}
	}
	b.StopTimer()
	if err := os.WriteFile(kilnOut, res.GLB, 0o644); err != nil {
		b.Fatal(err)
	}
	if out, err := exec.Command(pack, "-i", bunny, "-o", packOut, "-si", "0.1", "-noq").CombinedOutput(); err != nil {
		b.Fatalf("gltfpack: %v\n%s", err, out)
	}
	in, err := modeltest.Load(bunny)
	if err != nil {
		b.Fatal(err)
	}
	for _, out := range []struct{ path, metric string }{{kilnOut, "kiln-hausdorff"}, {packOut, "gltfpack-hausdorff"}} {
		m, err := modeltest.Load(out.path)
		if err != nil {
			b.Fatal(err)
		}
		b.ReportMetric(hausdorff(in, m, 500_000), out.metric)
	}
}
