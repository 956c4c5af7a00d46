package simplify

import "math"

// vec3 is a point in the simplifier's normalised space (the mesh scaled into the unit box), in
// float64: quadric errors are differences of large sums, and float32 would bury the small
// errors that decide which collapse comes first.
type vec3 [3]float64

func sub(a, b vec3) vec3    { return vec3{a[0] - b[0], a[1] - b[1], a[2] - b[2]} }
func dot(a, b vec3) float64 { return a[0]*b[0] + a[1]*b[1] + a[2]*b[2] }
func cross(a, b vec3) vec3 {
	return vec3{a[1]*b[2] - a[2]*b[1], a[2]*b[0] - a[0]*b[2], a[0]*b[1] - a[1]*b[0]}
}
func scale(a vec3, s float64) vec3 { return vec3{a[0] * s, a[1] * s, a[2] * s} }

// quadric is a symmetric 4×4 matrix in the Garland–Heckbert sense: q(v) = vᵀAv + 2bᵀv + c is
// the weighted sum of squared distances from v to the planes added into it; w is the sum of
// the weights, so q(v)/w is a mean squared distance.
type quadric struct {
	a00, a11, a22, a10, a20, a21 float64
	b0, b1, b2, c, w             float64
}

// planeQuadric is w·(n·v + d)² for the unit normal n.
func planeQuadric(n vec3, d, w float64) quadric {
	return quadric{
		a00: w * n[0] * n[0], a11: w * n[1] * n[1], a22: w * n[2] * n[2],
		a10: w * n[1] * n[0], a20: w * n[2] * n[0], a21: w * n[2] * n[1],
		b0: w * n[0] * d, b1: w * n[1] * d, b2: w * n[2] * d,
		c: w * d * d, w: w,
	}
}

func (q *quadric) add(r *quadric) {
	q.a00 += r.a00
	q.a11 += r.a11
	q.a22 += r.a22
	q.a10 += r.a10
	q.a20 += r.a20
	q.a21 += r.a21
	q.b0 += r.b0
	q.b1 += r.b1
	q.b2 += r.b2
	q.c += r.c
	q.w += r.w
}

// eval is vᵀAv + 2bᵀv + c, never below zero (rounding can make it slightly negative).
func (q *quadric) eval(v vec3) float64 {
	x, y, z := v[0], v[1], v[2]
	r := q.a00*x*x + q.a11*y*y + q.a22*z*z +
		2*(q.a10*x*y+q.a20*x*z+q.a21*y*z) +
		2*(q.b0*x+q.b1*y+q.b2*z) + q.c
	return math.Abs(r)
}

// edgeQuadric is the plane through the edge p0→p1 perpendicular to its triangle (p0, p1, p2):
// added at open borders and seams it keeps the edge from drifting sideways, which the face
// plane alone does not. The weight grows with the squared edge length to match the area
// weighting of faces.
func edgeQuadric(p0, p1, p2 vec3, weight float64) (quadric, bool) {
	e := sub(p1, p0)
	l2 := dot(e, e)
	if l2 == 0 {
		return quadric{}, false
	}
	f := sub(p2, p0)
	// The component of f perpendicular to the edge, scaled by l2 to avoid a division.
	perp := sub(scale(f, l2), scale(e, dot(f, e)))
	pl := math.Sqrt(dot(perp, perp))
	if pl == 0 {
		return quadric{}, false
	}
	perp = scale(perp, 1/pl)
	return planeQuadric(perp, -dot(perp, p0), l2*weight), true
}

// Attribute error (Hoppe's 1999 metric as meshoptimizer evaluates it): each attribute k is
// fitted as a linear function g_k·v + d_k over a triangle, and the error at v of a value s is
// w·Σ(g_k·v + d_k − s_k)². Per wedge it is kept in one block of floats, so that evaluating it
// reads one run of memory: a quadric of the parts that do not depend on s (attrQ fields), then
// w·(g_k, d_k) per attribute for the cross term. Blocks are float32, which halves the memory
// the collapse loop streams through; the attribute error is a small part of a cost whose
// relative precision that still leaves near 1e-7, and sums are formed in float64.
const (
	attrA00, attrA11, attrA22, attrA10, attrA20, attrA21 = 0, 1, 2, 3, 4, 5
	attrB0, attrB1, attrB2, attrC, attrW                 = 6, 7, 8, 9, 10
	attrGrad                                             = 11 // first gradient
)

// attrStride is the length of a block for na attribute components.
func attrStride(na int) int { return attrGrad + 4*na }

// attrQuadric adds one triangle's attribute error into block.
func attrQuadric(block []float64, p0, p1, p2 vec3, a0, a1, a2 []float64) {
	e1, e2 := sub(p1, p0), sub(p2, p0)
	n := cross(e1, e2)
	w := math.Sqrt(dot(n, n)) / 2
	if w == 0 {
		return
	}
	d00, d01, d11 := dot(e1, e1), dot(e1, e2), dot(e2, e2)
	den := d00*d11 - d01*d01
	if den == 0 {
		return
	}
	inv := 1 / den
	// The gradient of the barycentric coordinates of p1 and p2.
	g1 := scale(sub(scale(e1, d11), scale(e2, d01)), inv)
	g2 := scale(sub(scale(e2, d00), scale(e1, d01)), inv)
	b := block[:attrGrad+4*len(a0)]
	b[attrW] += w
	for k := range a0 {
		da1, da2 := a1[k]-a0[k], a2[k]-a0[k]
		gx := g1[0]*da1 + g2[0]*da2
		gy := g1[1]*da1 + g2[1]*da2
		gz := g1[2]*da1 + g2[2]*da2
		gw := a0[k] - p0[0]*gx - p0[1]*gy - p0[2]*gz
		b[attrA00] += w * gx * gx
		b[attrA11] += w * gy * gy
		b[attrA22] += w * gz * gz
		b[attrA10] += w * gy * gx
		b[attrA20] += w * gz * gx
		b[attrA21] += w * gz * gy
		b[attrB0] += w * gx * gw
		b[attrB1] += w * gy * gw
		b[attrB2] += w * gz * gw
		b[attrC] += w * gw * gw
		g := b[attrGrad+4*k : attrGrad+4*k+4]
		g[0] += w * gx
		g[1] += w * gy
		g[2] += w * gz
		g[3] += w * gw
	}
}
