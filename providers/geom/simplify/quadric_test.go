package simplify

import (
	"math"
	"math/rand/v2"
	"testing"
)

// TestQuadricsMatchTheirDefinitions checks the quadric algebra against sums computed directly:
// the plane quadric is Σ w·(n·v + d)² and the attribute error Σ w·Σ_k (g_k·v + d_k − s_k)²,
// with g_k, d_k the linear fit of attribute k over each triangle, for random triangles.
func TestQuadricsMatchTheirDefinitions(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	pt := func() vec3 { return vec3{rng.Float64(), rng.Float64(), rng.Float64()} }
	const na = 3
	var q quadric
	block := make([]float64, attrStride(na))
	type tri struct {
		p [3]vec3
		a [3][]float64
	}
	var tris []tri
	for i := 0; i < 5; i++ {
		tr := tri{p: [3]vec3{pt(), pt(), pt()}}
		for k := range tr.a {
			tr.a[k] = []float64{rng.Float64(), rng.Float64(), rng.Float64()}
		}
		tris = append(tris, tr)
		n := cross(sub(tr.p[1], tr.p[0]), sub(tr.p[2], tr.p[0]))
		l := math.Sqrt(dot(n, n))
		plane := planeQuadric(scale(n, 1/l), -dot(n, tr.p[0])/l, l/2)
		q.add(&plane)
		attrQuadric(block, tr.p[0], tr.p[1], tr.p[2], tr.a[0], tr.a[1], tr.a[2])
	}
	b32 := make([]float32, len(block))
	for i, x := range block {
		b32[i] = float32(x)
	}
	for i := 0; i < 20; i++ {
		v, s := pt(), []float64{rng.Float64(), rng.Float64(), rng.Float64()}
		var wantPos, wantAttr float64
		for _, tr := range tris {
			e1, e2 := sub(tr.p[1], tr.p[0]), sub(tr.p[2], tr.p[0])
			n := cross(e1, e2)
			area := math.Sqrt(dot(n, n)) / 2
			n = scale(n, 1/(2*area))
			d := dot(n, sub(v, tr.p[0]))
			wantPos += area * d * d
			// The attribute at v is that of v's projection into the triangle's plane,
			// interpolated linearly (barycentric coordinates of the projection).
			proj := sub(v, scale(n, d))
			u, w := barycentric(sub(proj, tr.p[0]), e1, e2)
			for k := 0; k < na; k++ {
				at := tr.a[0][k] + u*(tr.a[1][k]-tr.a[0][k]) + w*(tr.a[2][k]-tr.a[0][k])
				wantAttr += area * (at - s[k]) * (at - s[k])
			}
		}
		if got := q.eval(v); math.Abs(got-wantPos) > 1e-9*(1+wantPos) {
			t.Errorf("plane quadric at %v: %g, want %g", v, got, wantPos)
		}
		var aq quadric
		g, w := (&simplifier{na: na}).attrPart(&aq, b32)
		got := aq.eval(v) + attrLinear(g, w, v, s)
		if math.Abs(got-wantAttr) > 1e-4*(1+wantAttr) {
			t.Errorf("attribute error at %v: %g, want %g", v, got, wantAttr)
		}
	}
}

// barycentric solves x = u·e1 + w·e2 for a point x in the plane of e1 and e2.
func barycentric(x, e1, e2 vec3) (u, w float64) {
	d00, d01, d11 := dot(e1, e1), dot(e1, e2), dot(e2, e2)
	d20, d21 := dot(x, e1), dot(x, e2)
	den := d00*d11 - d01*d01
	return (d11*d20 - d01*d21) / den, (d00*d21 - d01*d20) / den
}
