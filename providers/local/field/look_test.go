package field

import (
	"context"
	"math"
	"testing"

	"github.com/kiln3d/kiln/providers/local/mask"
)

// Look keeps well-seen points where they are and moves edge-on ones inside the outline, at
// least LookInset deep, or onto the crest of a part too thin for that.
func TestLook(t *testing.T) {
	const w, h = 120, 80
	m := mask.New(w, h)
	for y := 0; y < h; y++ {
		for x := 0; x < w; x++ {
			fx, fy := float64(x)+0.5, float64(y)+0.5
			// A disc of radius 30 and a bar three pixels thick.
			m.In[y*w+x] = math.Hypot(fx-40, fy-40) <= 30 || fx > 75 && fx < 115 && fy > 38 && fy < 41
		}
	}
	f, err := NewDistance(context.Background(), m, 3)
	if err != nil {
		t.Fatal(err)
	}
	// Seen face on: unmoved.
	if x, y := f.Look(10.3, 40, 0.9, 5); x != 10.3 || y != 40 {
		t.Errorf("a well-seen point moved to (%v, %v)", x, y)
	}
	// On the disc's outline, seen edge-on: moved straight in, to the depth asked.
	for _, inset := range []float64{0, 5, 12} {
		x, y := f.Look(10, 40, 0.1, inset)
		want := math.Max(LookInset, inset)
		if d := f.SampleDist(x, y); d < want-0.3 || d > want+1.5 {
			t.Errorf("inset %v: moved to (%.2f, %.2f), %.2f px deep", inset, x, y, d)
		}
		if math.Abs(y-40) > 0.5 {
			t.Errorf("inset %v: moved sideways to (%.2f, %.2f)", inset, x, y)
		}
	}
	// On the bar's edge: it stops on the bar's middle line, not across it.
	x, y := f.Look(100, 38, 0, 5)
	if math.Abs(y-39.5) > 0.6 || math.Abs(x-100) > 0.5 || f.SampleDist(x, y) <= 0 {
		t.Errorf("on the thin bar: moved to (%.2f, %.2f), %.2f px deep", x, y, f.SampleDist(x, y))
	}
}

// A point that is not a number (a caller's bad arithmetic) gives NaN, not a crash.
func TestSampleNaN(t *testing.T) {
	m := mask.New(10, 10)
	m.In[55] = true
	f, err := New(context.Background(), m, 3)
	if err != nil {
		t.Fatal(err)
	}
	nan := math.NaN()
	for _, p := range [][2]float64{{nan, 5}, {5, nan}, {nan, nan}} {
		if d := f.SampleDist(p[0], p[1]); !math.IsNaN(d) {
			t.Errorf("SampleDist(%v, %v) = %v", p[0], p[1], d)
		}
		if h := f.SampleHeight(p[0], p[1]); !math.IsNaN(h) && h != 0 {
			t.Errorf("SampleHeight(%v, %v) = %v", p[0], p[1], h)
		}
		f.Look(p[0], p[1], 0, 3)
	}
}
