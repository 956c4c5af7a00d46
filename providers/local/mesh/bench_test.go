package mesh

import (
	"context"
	"math"
	"testing"

	"github.com/kiln3d/kiln/providers/local/field"
	"github.com/kiln3d/kiln/providers/local/mask"
)

// BenchmarkRound measures the Round shape's geometry for a 1024² outline (a blob with a hole)
// at the default 20,000 triangles: the inflation field, the relief with its rings, and the flips
// that tidy it, as inflate runs them.
func BenchmarkRound(b *testing.B) {
	m := mask.Draw(1024, 1024, func(x, y float64) bool {
		a := math.Atan2(y-512, x-512)
		r := math.Hypot(x-512, y-512)
		return r < 430+40*math.Sin(5*a) && math.Hypot(x-600, y-450) > 90
	})
	ctx := context.Background()
	b.ReportAllocs()
	for b.Loop() {
		f, err := field.New(ctx, m, 3)
		if err != nil {
			b.Fatal(err)
		}
		r, err := Build(ctx, f, m.Bounds(), 20000, 0.2)
		if err != nil {
			b.Fatal(err)
		}
		r.Flip()
	}
}
