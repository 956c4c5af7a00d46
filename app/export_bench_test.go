package app

import (
	"context"
	"testing"

	"github.com/kiln3d/kiln/app/modelio/modeliotest"
	"github.com/kiln3d/kiln/providers/providertest"
)

// BenchmarkExport exports the corpus's 69k-triangle scan for Unity in each format it takes, the
// pre-flight included: what an artist waits for after pressing Export.
func BenchmarkExport(b *testing.B) {
	k := openKiln(b, b.TempDir(), QueueOptions{}, providertest.NewFake("fake"))
	a := addModel(b, k, modeliotest.Corpus(b, "stanford_bunny_69k.glb"))
	for _, f := range []Format{FormatGLB, FormatGLTF, FormatOBJ} {
		b.Run(string(f), func(b *testing.B) {
			out := b.TempDir()
			opt := ExportOptions{Preset: "blender", Format: f, Out: out, Force: true}
			for b.Loop() {
				if _, err := k.Export(context.Background(), []string{a.ID}, opt, nil); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
