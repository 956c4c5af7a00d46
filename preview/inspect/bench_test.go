package inspect

import (
	"path/filepath"
	"testing"

	"github.com/kiln3d/kiln/providers/modeltest"
)

// The check is on the way to every first frame (kiln render, the preview), so it is measured on
// the corpus bunny and on the 1.1M-triangle one: Load whole (read, decode, check, measure), and
// the data pass alone (every float and index read once), which should stay a few tens of
// milliseconds for the big one. make bench runs these.

func BenchmarkLoadBunny69k(b *testing.B) {
	benchLoad(b, filepath.Join(modeltest.CorpusDir(b, "models"), "stanford_bunny_69k.glb"))
}

func BenchmarkLoadBunny1M(b *testing.B) {
	path, _ := modeltest.SubdividedBunny(b, b.TempDir())
	benchLoad(b, path)
}

func benchLoad(b *testing.B, path string) {
	if _, _, err := Load(path); err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		if _, _, err := Load(path); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkCheckDataBunny1M(b *testing.B) {
	path, tris := modeltest.SubdividedBunny(b, b.TempDir())
	doc, _, err := Load(path)
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		c := &checker{path: path}
		checkData(c, doc)
		if c.errors > 0 {
			b.Fatal(c.refusal())
		}
	}
	b.ReportMetric(float64(tris), "triangles")
}
