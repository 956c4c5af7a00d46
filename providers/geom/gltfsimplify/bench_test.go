package gltfsimplify

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	"github.com/kiln3d/kiln/providers/modeltest"
)

// BenchmarkSimplifyBunny1M times File bringing a 1.1-million-triangle scan (the corpus bunny,
// midpoint-subdivided twice) to 10%, beside gltfpack doing the same (-si 0.1 -noq), and
// measures both results' symmetric Hausdorff distance to the input, relative to its bounding
// box diagonal. ns/op is Kiln's alone.
func BenchmarkSimplifyBunny1M(b *testing.B) {
	pack, err := exec.LookPath("gltfpack")
	if err != nil {
		b.Skip("gltfpack is not installed (apt-get install gltfpack)")
	}
	dir := b.TempDir()
	big, tris := modeltest.SubdividedBunny(b, dir)
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
