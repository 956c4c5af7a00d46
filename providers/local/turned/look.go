package turned

import "math"

// maxViewAngle is the steepest angle from the camera's line of sight at which a point of a ring
// still takes its own colour from the image. Beyond it the camera sees the surface edge-on: its
// pixels there are the outline's, blended with the background, and would smear into streaks
// around the sides.
const maxViewAngle = 75 * math.Pi / 180

// easeFrom is the view angle from which a ring's points take their colour from a point eased
// round towards the camera, so that the angles from here to edge-on (90°) fit within maxViewAngle.
const easeFrom = 45 * math.Pi / 180

// edgeInset is how far inside the outline, in pixels, any vertex's colour is taken: the outline's
// own pixels are part background wherever the cut-out was anti-aliased or keyed.
const edgeInset = 1.5

// look is the image point a vertex at profile point q and angle cos φ = c about the axis takes
// its colour from. The front camera sees a ring's point at (axis + r·cos φ, y), at a view angle θ
// with sin θ = |cos φ|. Up to easeFrom the point takes its own colour; past it, the angles from
// easeFrom to edge-on are squeezed into easeFrom … maxViewAngle, so that the points the camera
// sees edge-on take the last well-seen point of their ring while the colours between still vary
// round the ring. (Holding every point past maxViewAngle at that one point instead paints a sixth
// of each ring with a single pixel, which shows as horizontal streaks down the sides.) The point
// is then kept edgeInset inside the part's outline, which also gives the flat caps (seen exactly
// edge-on from the front) the colour just inside their rim.
func look(p *part, q point, c float64) [2]float64 {
	c = math.Copysign(math.Sin(eased(math.Asin(math.Min(1, math.Abs(c))))), c)
	dy := math.Min(edgeInset, (p.bottom-p.top)/2)
	y := math.Max(p.top+dy, math.Min(p.bottom-dy, q.y))
	l, r := p.edgesAt(y)
	// About the row's own middle, which is the axis itself for a symmetric row: a row drawn off
	// the axis (a leaning photo) is straightened along with its colours.
	x := (l+r)/2 + q.r*c
	dx := math.Min(edgeInset, (r-l)/2)
	x = math.Max(l+dx, math.Min(r-dx, x))
	return [2]float64{x, y}
}

// eased is the view angle whose colour a point seen at view angle theta takes (see look).
func eased(theta float64) float64 {
	if theta <= easeFrom {
		return theta
	}
	return easeFrom + (theta-easeFrom)*(maxViewAngle-easeFrom)/(math.Pi/2-easeFrom)
}
