package field

import (
	"context"
	"math"
	"math/rand/v2"
	"testing"

	"github.com/kiln3d/kiln/providers/local/mask"
)

func randomMask(rng *rand.Rand, w, h, percent int) *mask.Mask {
	m := mask.New(w, h)
	for i := range m.In {
		m.In[i] = rng.IntN(100) < percent
	}
	return m
}

// TestDistanceIsExact compares the transform with brute force: the signed distance of every
// sample is ±(distance between pixel centres to the nearest pixel of the other kind − 0.5), and
// Nearest names an object pixel at exactly the nearest distance.
func TestDistanceIsExact(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 8))
	for trial := 0; trial < 30; trial++ {
		m := randomMask(rng, 1+rng.IntN(40), 1+rng.IntN(40), 1+rng.IntN(60))
		if m.Area() == 0 {
			continue
		}
		f, err := New(context.Background(), m, 3)
		if err != nil {
			t.Fatal(err)
		}
		w := f.W()
		in := func(i int) bool { return m.At(f.Rect.Min.X+i%w, f.Rect.Min.Y+i/w) }
		for p := range f.Dist {
			best := math.Inf(1)
			for q := range f.Dist {
				if in(q) != in(p) {
					best = math.Min(best, float64(sq(p%w-q%w)+sq(p/w-q/w)))
				}
			}
			want := math.Sqrt(best) - 0.5
			if !in(p) {
				want = -want
			}
			if math.Abs(float64(f.Dist[p])-want) > 1e-4 {
				t.Fatalf("trial %d, sample %d: distance %g, want %g", trial, p, f.Dist[p], want)
			}
			n := int(f.Nearest[p])
			if !in(n) {
				t.Fatalf("trial %d, sample %d: nearest %d is not object", trial, p, n)
			}
			if in(p) && n != p {
				t.Fatalf("trial %d: object sample %d's nearest is %d", trial, p, n)
			}
			if !in(p) && math.Abs(math.Sqrt(float64(sq(p%w-n%w)+sq(p/w-n/w)))-0.5+want) > 1e-4 {
				t.Fatalf("trial %d, sample %d: nearest %d is not at the nearest distance", trial, p, n)
			}
		}
	}
}

func sq(v int) int { return v * v }

// TestDiscBecomesSphere checks the inflation: a disc of radius R is as thick as a ball, R at the
// centre and √(R² − r²) elsewhere, within pixel rounding.
func TestDiscBecomesSphere(t *testing.T) {
	const size, r = 101, 40.0
	m := mask.New(size, size)
	for y := 0; y < size; y++ {
		for x := 0; x < size; x++ {
			m.In[y*size+x] = math.Hypot(float64(x)+0.5-50.5, float64(y)+0.5-50.5) <= r
		}
	}
	f, err := New(context.Background(), m, 3)
	if err != nil {
		t.Fatal(err)
	}
	if math.Abs(f.MaxDist-r) > 1 {
		t.Errorf("MaxDist %g, want about %g", f.MaxDist, r)
	}
	for _, d := range []float64{0, 10, 20, 30, 35} {
		got := f.SampleHeight(50.5+d, 50.5)
		want := math.Sqrt(r*r - d*d)
		if math.Abs(got-want) > 1.5 {
			t.Errorf("height at %g from the centre: %g, want %g", d, got, want)
		}
	}
	if h := f.SampleHeight(50.5+r+3, 50.5); h != 0 {
		t.Errorf("height outside the disc: %g", h)
	}
	if d := f.SampleDist(50.5+r, 50.5); math.Abs(d) > 0.75 {
		t.Errorf("signed distance on the outline: %g", d)
	}
}

// TestThinPartStaysThin: a strip attached to a big disc keeps a thickness of its own half-width,
// where the global formula √(d(2D−d)) would make it several times thicker.
func TestThinPartStaysThin(t *testing.T) {
	m := mask.New(200, 100)
	for y := 0; y < 100; y++ {
		for x := 0; x < 200; x++ {
			fx, fy := float64(x)+0.5, float64(y)+0.5
			m.In[y*200+x] = math.Hypot(fx-50, fy-50) <= 40 || fx > 80 && fx < 195 && math.Abs(fy-50) < 4
		}
	}
	f, err := New(context.Background(), m, 3)
	if err != nil {
		t.Fatal(err)
	}
	h := f.SampleHeight(160, 50)
	if h < 3 || h > 5 {
		t.Errorf("the strip is %g thick at its middle, want about its half-width 4", h)
	}
}

func TestCancelled(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	m := randomMask(rand.New(rand.NewPCG(1, 1)), 50, 50, 50)
	if _, err := New(ctx, m, 3); err == nil {
		t.Error("New ignored a cancelled context")
	}
}
