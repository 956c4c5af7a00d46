package flat

import (
	"context"
	"math"
	"testing"

	"github.com/kiln3d/kiln/providers/local/field"
	"github.com/kiln3d/kiln/providers/local/mask"
)

// BenchmarkBuild measures the Flat shape of a 1024² outline (a blob with a hole) at the default
// 20,000 triangles, its distance field included: the part of the 150 ms budget for one image
// that Flat adds to reading the image and texturing.
func BenchmarkBuild(b *testing.B) {
	m := mask.Draw(1024, 1024, func(x, y float64) bool {
		a := math.Atan2(y-512, x-512)
		r := math.Hypot(x-512, y-512)
		return r < 430+40*math.Sin(5*a) && math.Hypot(x-600, y-450) > 90
	})
	ctx := context.Background()
	b.ReportAllocs()
	for b.Loop() {
		f, err := field.NewDistance(ctx, m, 3)
		if err != nil {
			b.Fatal(err)
		}
		if _, err := Build(ctx, f, m, 51, 20000); err != nil {
			b.Fatal(err)
		}
	}
}
