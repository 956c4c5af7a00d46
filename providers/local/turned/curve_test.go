package turned

import (
	"math"
	"testing"
)

// TestRingsCrowdAtBends: rings sit closer where the profile bends than along its straight runs,
// and exactly on its corners.
func TestRingsCrowdAtBends(t *testing.T) {
	// From the top pole out across a flat cap to a corner at r = 100, down a straight side, round
	// a tight bead of radius 10 (a half circle out to r = 120), down the side again, and back in
	// across the bottom.
	pts := []point{{0, 0}, {100, 0}}
	for y := 1.0; y < 200; y++ {
		pts = append(pts, point{100, y})
	}
	for a := 0.0; a <= math.Pi; a += math.Pi / 40 {
		pts = append(pts, point{100 + 10*math.Sin(a), 210 - 10*math.Cos(a)})
	}
	for y := 221.0; y <= 400; y++ {
		pts = append(pts, point{100, y})
	}
	pts = append(pts, point{0, 400})
	c := newPolyline(pts)
	const spacing = 12.0
	rs := c.rings(spacing)
	corner := false
	var bead, straight []float64
	for _, r := range rs {
		switch {
		case r.y == 0 && math.Abs(r.r-100) < 1e-9:
			corner = true
		case r.y > 200 && r.y < 220 && r.r > 100.5:
			bead = append(bead, r.spacing)
		case r.y > 50 && r.y < 150:
			straight = append(straight, r.spacing)
		}
	}
	if !corner {
		t.Error("no ring on the rim between the cap and the side")
	}
	if len(bead) == 0 || len(straight) == 0 {
		t.Fatalf("%d rings on the bead, %d on the straight", len(bead), len(straight))
	}
	mean := func(v []float64) float64 {
		s := 0.0
		for _, x := range v {
			s += x
		}
		return s / float64(len(v))
	}
	if mean(bead) > 0.6*mean(straight) {
		t.Errorf("rings %.1f apart round the bead and %.1f along the straight", mean(bead), mean(straight))
	}
	if math.Abs(mean(straight)-spacing) > 0.2*spacing {
		t.Errorf("rings %.1f apart along the straight, spacing %g", mean(straight), spacing)
	}
}
