package turned

import (
	"math"
	"sort"
)

// point is a point of a profile in the half-plane the part is turned in: r from the axis, y down
// the image.
type point struct{ r, y float64 }

// cornerTurn is the least turn of the profile, over half a spacing either side, that is kept as a
// sharp edge (a cylinder's rim, a cone's base) with a ring exactly on it, rather than rounded off
// by the rings either side.
const cornerTurn = 40 * math.Pi / 180

// outline is the part's profile from the top pole to the bottom pole at pixel resolution: across
// the top (a flat cap) when the top row's radius is at least half a spacing, down the rows, and
// back to the axis across the bottom (likewise). A narrower end row is a tip: the pole joins it
// directly, so a cone comes to a point instead of a tiny flat cap ringed with slivers.
func (p *part) outline(spacing float64) []point {
	n := len(p.y)
	r := smoothed(p.r)
	pts := make([]point, 0, n+4)
	pts = append(pts, point{0, p.top})
	if r[0] >= spacing/2 {
		pts = append(pts, point{r[0], p.top})
	}
	for j := range n {
		pts = append(pts, point{r[j], p.y[j]})
	}
	if r[n-1] >= spacing/2 {
		pts = append(pts, point{r[n-1], p.bottom})
	}
	return append(pts, point{0, p.bottom})
}

// smoothed takes the pixel staircase out of a radius profile with two passes of a [1 2 1] filter,
// which moves a straight or gently curved side by a small fraction of a pixel; the end rows are
// kept as they are.
func smoothed(r []float64) []float64 {
	out := append([]float64(nil), r...)
	tmp := make([]float64, len(r))
	for range 2 {
		copy(tmp, out)
		for j := 1; j+1 < len(out); j++ {
			out[j] = (tmp[j-1] + 2*tmp[j] + tmp[j+1]) / 4
		}
	}
	return out
}

// area is the area of the surface the profile sweeps when turned (Pappus): what the triangle
// budget is spread over.
func area(pts []point) float64 {
	a := 0.0
	for i := 1; i < len(pts); i++ {
		a += math.Pi * (pts[i-1].r + pts[i].r) * math.Hypot(pts[i].r-pts[i-1].r, pts[i].y-pts[i-1].y)
	}
	return a
}

// polyline is a profile with its cumulative arc length, for sampling it at any length along it.
type polyline struct {
	pts []point
	s   []float64
}

func newPolyline(pts []point) polyline {
	s := make([]float64, len(pts))
	for i := 1; i < len(pts); i++ {
		s[i] = s[i-1] + math.Hypot(pts[i].r-pts[i-1].r, pts[i].y-pts[i-1].y)
	}
	return polyline{pts, s}
}

func (c polyline) length() float64 { return c.s[len(c.s)-1] }

// at is the point at arc length t along the profile (clamped to its ends).
func (c polyline) at(t float64) point {
	if t <= 0 {
		return c.pts[0]
	}
	if t >= c.length() {
		return c.pts[len(c.pts)-1]
	}
	i := sort.SearchFloat64s(c.s, t) // first s[i] >= t, i ≥ 1
	a, b := c.pts[i-1], c.pts[i]
	seg := c.s[i] - c.s[i-1]
	if seg <= 0 {
		return b
	}
	u := (t - c.s[i-1]) / seg
	return point{a.r + (b.r-a.r)*u, a.y + (b.y-a.y)*u}
}

// turn is the angle the profile turns through at its i-th point, judged from the points a
// distance d before and after it so that the pixel staircase does not count.
func (c polyline) turn(i int, d float64) float64 { return c.turnWithin(i, d, 0, c.length()) }

// corners are the arc lengths of the profile's sharp edges: points where it turns by at least
// cornerTurn, each the sharpest within a spacing either side. The poles are not among them.
func (c polyline) corners(spacing float64) []float64 {
	d := spacing / 2
	turns := make([]float64, len(c.pts))
	for i := 1; i+1 < len(c.pts); i++ {
		turns[i] = c.turn(i, d)
	}
	var out []float64
	for i := 1; i+1 < len(c.pts); i++ {
		if turns[i] < cornerTurn {
			continue
		}
		sharpest := true
		for k := i - 1; k >= 1 && c.s[i]-c.s[k] <= d && sharpest; k-- {
			sharpest = turns[k] < turns[i]
		}
		for k := i + 1; k+1 < len(c.pts) && c.s[k]-c.s[i] <= d && sharpest; k++ {
			sharpest = turns[k] <= turns[i]
		}
		if sharpest {
			out = append(out, c.s[i])
		}
	}
	return out
}

// ring is one ring of the model: a point of the profile turned about the axis, with the spacing
// along the profile around it.
type ring struct {
	point
	spacing float64
}

// bend is how many times more densely rings are spaced, per radian the profile turns through
// over a spacing: a lip or a bead on a vase gets the rings it needs to keep its shape, a straight
// side keeps the plain spacing.
const bend = 2.0

// rings samples the profile with a ring exactly on every corner and, between corners, about every
// spacing, closer where the profile bends (see bend); it returns the rings between the two poles
// (at least one).
func (c polyline) rings(spacing float64) []ring {
	stops := append([]float64{0}, c.corners(spacing)...)
	stops = append(stops, c.length())
	var at []float64
	for k := 1; k < len(stops); k++ {
		a, b := stops[k-1], stops[k]
		// Cumulative weight along this stretch, at its dense points: the turn is judged within the
		// stretch, so a corner's own turn does not crowd the rings beside it.
		var ss, ws []float64
		ss, ws = append(ss, a), append(ws, 0)
		prev := 1.0
		for i := range c.pts {
			if c.s[i] <= a || c.s[i] >= b {
				continue
			}
			w := 1 + bend*c.turnWithin(i, spacing/2, a, b)
			ws = append(ws, ws[len(ws)-1]+(prev+w)/2*(c.s[i]-ss[len(ss)-1]))
			ss, prev = append(ss, c.s[i]), w
		}
		ws = append(ws, ws[len(ws)-1]+(prev+1)/2*(b-ss[len(ss)-1]))
		ss = append(ss, b)
		total := ws[len(ws)-1]
		n := max(1, int(math.Round(total/spacing)))
		if len(stops) == 2 {
			n = max(n, 2) // a profile with no corner still needs a ring between its poles
		}
		j := 0
		for i := range n {
			target := total * float64(i) / float64(n)
			for j+1 < len(ws)-1 && ws[j+1] < target {
				j++
			}
			t := 0.0
			if ws[j+1] > ws[j] {
				t = (target - ws[j]) / (ws[j+1] - ws[j])
			}
			at = append(at, ss[j]+(ss[j+1]-ss[j])*math.Max(0, math.Min(1, t)))
		}
	}
	at = append(at, c.length())
	out := make([]ring, 0, len(at)-2)
	for i := 1; i+1 < len(at); i++ {
		out = append(out, ring{c.at(at[i]), (at[i+1] - at[i-1]) / 2})
	}
	return out
}

// turnWithin is turn with the window kept within arc lengths [a, b].
func (c polyline) turnWithin(i int, d, a, b float64) float64 {
	p := c.pts[i]
	u, v := c.at(math.Max(a, c.s[i]-d)), c.at(math.Min(b, c.s[i]+d))
	ux, uy := p.r-u.r, p.y-u.y
	vx, vy := v.r-p.r, v.y-p.y
	if math.Hypot(ux, uy) < 1e-9 || math.Hypot(vx, vy) < 1e-9 {
		return 0
	}
	return math.Abs(math.Atan2(ux*vy-uy*vx, ux*vx+uy*vy))
}

// widest is a ring at the profile's point farthest from the axis, spaced as the whole profile.
func (c polyline) widest() ring {
	w := c.pts[0]
	for _, p := range c.pts {
		if p.r > w.r {
			w = p
		}
	}
	return ring{w, c.length() / 2}
}
