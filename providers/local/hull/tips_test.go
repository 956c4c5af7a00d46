package hull

import (
	"context"
	"testing"

	"github.com/kiln3d/kiln/providers/modeltest"
)

// TestReachTips: a block with a nub on top thinner and shorter than a lattice cell loses the nub
// to the lattice; ReachTips pulls a vertex up to it, so the surface is as tall as the views, and
// reports nothing left short.
func TestReachTips(t *testing.T) {
	nub := modeltest.Solid{
		modeltest.Box{Lo: [3]float64{-0.3, 0, -0.3}, Hi: [3]float64{0.3, 0.97, 0.3}},
		modeltest.Box{Lo: [3]float64{0.113, 0.97, 0.071}, Hi: [3]float64{0.125, 1, 0.083}},
	}
	h, err := New(silhouettes(t, nub, map[string][2]int{"front": {300, 500}, "left": {300, 500}}))
	if err != nil {
		t.Fatal(err)
	}
	g, _, err := Fit(context.Background(), h, 2000)
	if err != nil {
		t.Fatal(err)
	}
	s, err := g.Extract(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	top := func() float64 {
		y := 0.0
		for _, p := range s.Pos {
			y = max(y, p[1])
		}
		return y
	}
	before := top()
	if before > 0.99 {
		t.Fatalf("the lattice caught the nub (top at %.4f): this test needs one that loses it", before)
	}
	vol := volume(s)
	if short := h.ReachTips(s.Pos, s.Indices); short != 0 {
		t.Errorf("ReachTips reports the surface %.4f short", short)
	}
	if after := top(); after < 0.995 {
		t.Errorf("top at %.4f after ReachTips (%.4f before), want the nub's 1", after, before)
	}
	if v := volume(s); v < vol || v > vol*1.01 {
		t.Errorf("volume %.5f after ReachTips, %.5f before: the surface turned or grew more than a tip", v, vol)
	}
}
