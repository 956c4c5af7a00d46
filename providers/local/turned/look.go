package turned

import (
	"math"

	"github.com/kiln3d/kiln/providers/local/field"
)

// maxViewAngle is the steepest angle from the camera's line of sight at which a point of a ring
// still takes its own colour from the image (75°, as for every shape: see field.EdgeOn). Beyond
// it the camera sees the surface edge-on: its pixels there are the outline's, blended with the
// background, and would smear into streaks around the sides.
var maxViewAngle = math.Acos(field.EdgeOn)

// easeFrom is the view angle from which a ring's points take their colour from a point eased
// round towards the camera, so that the angles from here to edge-on (90°) fit within maxViewAngle.
const easeFrom = 45 * math.Pi / 180

// look is the image point a vertex at profile point q and angle cos φ = c about the axis takes
// its colour from. The front camera sees a ring's point at (axis + r·cos φ, y), at a view angle θ
// with sin θ = |cos φ|. Up to easeFrom the point takes its own colour; past it, the angles from
// easeFrom to edge-on are squeezed into easeFrom … maxViewAngle, so that the points the camera
// sees edge-on take the last well-seen point of their ring while the colours between still vary
// round the ring. (Holding every point past maxViewAngle at that one point instead paints a sixth
// of each ring with a single pixel, which shows as horizontal streaks down the sides.) The
// point is taken about the row's own middle, which is the axis itself for a symmetric row: a row
// drawn off the axis (a leaning photo) is straightened along with its colours. Last, a point
// within field.LookInset of the outline moves inside (field.Inward), which also gives the flat
// caps, seen exactly edge-on from the front, the colour just inside their rim.
func look(f *field.Field, p *part, q point, c float64) [2]float64 {
	c = math.Copysign(math.Sin(eased(math.Asin(math.Min(1, math.Abs(c))))), c)
	y := math.Max(p.top, math.Min(p.bottom, q.y))
	l, r := p.edgesAt(y)
	x, y := f.Inward((l+r)/2+q.r*c, y, field.LookInset)
	return [2]float64{x, y}
}

// eased is the view angle whose colour a point seen at view angle theta takes (see look).
func eased(theta float64) float64 {
	if theta <= easeFrom {
		return theta
	}
	return easeFrom + (theta-easeFrom)*(maxViewAngle-easeFrom)/(math.Pi/2-easeFrom)
}
