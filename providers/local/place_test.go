package local

import (
	"context"
	"math"
	"slices"
	"testing"

	"github.com/kiln3d/kiln/providers/local/field"
	"github.com/kiln3d/kiln/providers/local/mask"
	"github.com/kiln3d/kiln/providers/local/mesh"
)

// The rounded sides of a Round model are seen edge-on from the front: their vertices must take
// their colour from inside the object, never from the outline's pixels (which would streak down
// the sides), on the front and on the back alike.
func TestEdgeOnVerticesLookInside(t *testing.T) {
	ctx := context.Background()
	const w, h = 160, 120
	m := mask.New(w, h)
	for y := 0; y < h; y++ {
		for x := 0; x < w; x++ {
			// A disc and a thin bar: a part thinner than the inset as well.
			d := math.Hypot(float64(x)+0.5-60, float64(y)+0.5-60)
			m.In[y*w+x] = d <= 50 || x > 100 && x < 150 && y > 57 && y < 63
		}
	}
	f, err := field.New(ctx, m, fieldPad)
	if err != nil {
		t.Fatal(err)
	}
	r, err := mesh.Build(ctx, f, m.Bounds(), 4000, 0.01)
	if err != nil {
		t.Fatal(err)
	}
	// UVs that are the image position itself, so each vertex's colour point can be read back.
	at := func(x, y float64) [2]float32 { return [2]float32{float32(x), float32(y)} }
	for _, seam := range []bool{false, true} {
		rel := &mesh.Relief{Pos: slices.Clone(r.Pos), Side: r.Side, Indices: slices.Clone(r.Indices)}
		out := place(rel, f, at, at, seam)
		edge := 0
		for i, n := range out.Normals {
			if math.Abs(float64(n[2])) >= field.EdgeOn {
				continue
			}
			edge++
			uv := out.UVs[i]
			x, y := float64(uv[0]), float64(uv[1])
			d := f.SampleDist(x, y)
			// Deep enough, or on the crest of a part too thin to go deeper.
			crest := f.SampleDist(x+0.5, y) <= d+0.3 && f.SampleDist(x-0.5, y) <= d+0.3 &&
				f.SampleDist(x, y+0.5) <= d+0.3 && f.SampleDist(x, y-0.5) <= d+0.3
			if d < field.LookInset-0.25 && !crest {
				t.Fatalf("seam %v: edge-on vertex %v takes its colour at (%.1f, %.1f), %.2f px inside the outline", seam, out.Positions[i], x, y, d)
			}
		}
		if edge < 50 {
			t.Fatalf("seam %v: only %d vertices are edge-on: the test tests little", seam, edge)
		}
	}
}
