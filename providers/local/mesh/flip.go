package mesh

import "math"

// A cap is a triangle with one angle near 180°: its third corner almost on its longest side. A
// decimated mesh collects them wherever collapses ran along straight lines (the hull's flat faces
// and ruled sides), and once positions are rounded to float32 the flattest have no area at all.
// capCos is the cosine of the angle (about 162°) above which a triangle counts as one.
const capCos = -0.95

// flipPasses bounds FlipCaps: a flip can make a neighbour the new cap along a straight run, so a
// few passes walk it down the run.
const flipPasses = 8

// FlipCaps removes caps by flipping their longest edge, the classic cure: the cap and its
// neighbour across that edge become two triangles sharing the other diagonal of their quad. A
// flip is made only when it improves the worse of the two triangles, keeps both facing the way
// the pair faced, and the new edge does not exist yet, so the mesh stays closed and manifold with
// the same triangle count; the surface moves by no more than the cap's tiny height. It returns
// how many edges it flipped.
//
// Caps are few, so each pass finds them first and then looks up only their edges, in one sweep
// over the triangles, rather than indexing every edge of the mesh.
func FlipCaps(pos [][3]float64, indices []uint32) int {
	flips := 0
	for pass := 0; pass < flipPasses; pass++ {
		var caps []flip
		for t := 0; t < len(indices)/3; t++ {
			if k := capCorner(pos, indices[3*t:3*t+3]); k >= 0 {
				a, b := indices[3*t+(k+1)%3], indices[3*t+(k+2)%3]
				caps = append(caps, flip{t: t, a: a, b: b, c: indices[3*t+k], u: -1})
			}
		}
		if len(caps) == 0 {
			break
		}
		// The neighbour across each cap's long edge holds it the other way round: b to a.
		want := make(map[[2]uint32]int, len(caps))
		for i, f := range caps {
			want[[2]uint32{f.b, f.a}] = i
		}
		for c := range indices {
			t := c / 3
			from, to := indices[c], indices[3*t+(c%3+1)%3]
			if i, ok := want[[2]uint32{from, to}]; ok {
				caps[i].u, caps[i].d = t, indices[3*t+(c%3+2)%3]
			}
		}
		// A flip must not create an edge that exists already.
		exists := make(map[[2]uint32]bool, len(caps))
		for _, f := range caps {
			if f.u >= 0 {
				exists[[2]uint32{min(f.c, f.d), max(f.c, f.d)}] = false
			}
		}
		for c := range indices {
			a, b := indices[c], indices[3*(c/3)+(c%3+1)%3]
			if _, ok := exists[[2]uint32{min(a, b), max(a, b)}]; ok {
				exists[[2]uint32{min(a, b), max(a, b)}] = true
			}
		}
		touched := make(map[int]bool, 2*len(caps))
		n := 0
		for _, f := range caps {
			if f.u < 0 || touched[f.t] || touched[f.u] || f.c == f.d || exists[[2]uint32{min(f.c, f.d), max(f.c, f.d)}] {
				continue
			}
			// (a, b, c) and (b, a, d) become (a, d, c) and (d, b, c).
			a, b, c, d := f.a, f.b, f.c, f.d
			if !better(pos, [3]uint32{a, b, c}, [3]uint32{b, a, d}, [3]uint32{a, d, c}, [3]uint32{d, b, c}) {
				continue
			}
			indices[3*f.t], indices[3*f.t+1], indices[3*f.t+2] = a, d, c
			indices[3*f.u], indices[3*f.u+1], indices[3*f.u+2] = d, b, c
			exists[[2]uint32{min(c, d), max(c, d)}] = true
			touched[f.t], touched[f.u] = true, true
			n++
		}
		flips += n
		if n == 0 {
			break
		}
	}
	return flips
}

// flip is a candidate: cap t = (a, b, c) with its long edge a–b, and u = (b, a, d) beyond it
// (u is -1 until found).
type flip struct {
	t, u       int
	a, b, c, d uint32
}

// capCorner returns the corner (0 to 2) of the triangle whose angle is beyond capCos, or -1.
// Only the angle facing the longest side can be that wide.
func capCorner(pos [][3]float64, tri []uint32) int {
	var l2 [3]float64 // l2[k]: the squared length of the side facing corner k
	for k := 0; k < 3; k++ {
		l2[k] = dist2(pos[tri[(k+1)%3]], pos[tri[(k+2)%3]])
	}
	k := 0
	if l2[1] > l2[k] {
		k = 1
	}
	if l2[2] > l2[k] {
		k = 2
	}
	a, b := l2[(k+1)%3], l2[(k+2)%3]
	// The law of cosines: the angle at k has cosine (a + b − l2[k]) / (2√(ab)).
	if a == 0 || b == 0 {
		return -1
	}
	if cos := (a + b - l2[k]) / (2 * math.Sqrt(a*b)); cos < capCos {
		return k
	}
	return -1
}

// better says whether triangles x1, x2 improve on o1, o2: a larger least quality, and both new
// ones facing the same side as the old pair.
func better(pos [][3]float64, o1, o2, x1, x2 [3]uint32) bool {
	n := add(faceNormal(pos, o1), faceNormal(pos, o2))
	q := func(t [3]uint32) float64 {
		nt := faceNormal(pos, t)
		if dot(nt, n) <= 0 {
			return -1
		}
		return quality(pos[t[0]], pos[t[1]], pos[t[2]])
	}
	return min(q(x1), q(x2)) > min(quality(pos[o1[0]], pos[o1[1]], pos[o1[2]]), quality(pos[o2[0]], pos[o2[1]], pos[o2[2]]))
}

// quality is a triangle's area over the sum of its squared sides, 1 for an equilateral one.
func quality(a, b, c [3]float64) float64 {
	n := cross(sub(b, a), sub(c, a))
	s := dist2(a, b) + dist2(b, c) + dist2(c, a)
	if s == 0 {
		return 0
	}
	return 2 * math.Sqrt(3) * math.Sqrt(dot(n, n)) / s
}

func faceNormal(pos [][3]float64, t [3]uint32) [3]float64 {
	return cross(sub(pos[t[1]], pos[t[0]]), sub(pos[t[2]], pos[t[0]]))
}

func add(a, b [3]float64) [3]float64 { return [3]float64{a[0] + b[0], a[1] + b[1], a[2] + b[2]} }
func sub(a, b [3]float64) [3]float64 { return [3]float64{a[0] - b[0], a[1] - b[1], a[2] - b[2]} }
func dot(a, b [3]float64) float64    { return a[0]*b[0] + a[1]*b[1] + a[2]*b[2] }
func cross(a, b [3]float64) [3]float64 {
	return [3]float64{a[1]*b[2] - a[2]*b[1], a[2]*b[0] - a[0]*b[2], a[0]*b[1] - a[1]*b[0]}
}
