package cutout

import (
	"context"
	"math"
	"math/rand/v2"
	"testing"
)

// TestMaxFlowMatchesBruteForce compares the cut's cost with the cheapest of all 2ⁿ labellings on
// small random graphs: the max-flow must find a minimum cut, and the sides it reports must cost
// exactly that.
func TestMaxFlowMatchesBruteForce(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 11))
	for trial := range 300 {
		n := 2 + rng.IntN(9)
		var edges []edge
		for a := range n {
			for b := a + 1; b < n; b++ {
				if rng.IntN(3) == 0 {
					edges = append(edges, edge{int32(a), int32(b), float32(rng.IntN(10))})
				}
			}
		}
		src, snk := make([]float32, n), make([]float32, n)
		for i := range n {
			src[i], snk[i] = float32(rng.IntN(12)), float32(rng.IntN(12))
		}
		cost := func(in func(int) bool) float64 {
			c := 0.0
			for i := range n {
				if in(i) {
					c += float64(snk[i])
				} else {
					c += float64(src[i])
				}
			}
			for _, e := range edges {
				if in(int(e.a)) != in(int(e.b)) {
					c += float64(e.cap)
				}
			}
			return c
		}
		best := math.Inf(1)
		for bits := 0; bits < 1<<n; bits++ {
			best = min(best, cost(func(i int) bool { return bits&(1<<i) != 0 }))
		}
		g := newGraph(n, edges)
		// Twice, to check that the graph runs again from its original capacities.
		for range 2 {
			if err := g.run(context.Background(), src, snk); err != nil {
				t.Fatal(err)
			}
			if got := cost(g.inSource); got != best {
				t.Fatalf("trial %d: the cut costs %g, the cheapest labelling %g", trial, got, best)
			}
		}
	}
}

// TestMaxFlowCancelled: a cancelled context stops the flow with its error.
func TestMaxFlowCancelled(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	g := newGraph(2, []edge{{0, 1, 1}})
	if err := g.run(ctx, []float32{1, 0}, []float32{0, 1}); err == nil {
		t.Fatal("a cancelled run returned no error")
	}
}
