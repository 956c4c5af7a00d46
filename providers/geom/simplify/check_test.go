package simplify

import (
	"math"
	"testing"
)

// meshReport is what checkMesh measured, for tests that assert more.
type meshReport struct {
	triangles int
	vertices  map[uint32]bool // the original vertices still used
}

// checkMesh verifies what Simplify promises about out, a result for m: indices in range, no
// triangle repeating a position or without area, every directed edge (welded by position) used
// at most once (manifold and consistently wound), each of them matched by its reverse when m
// is closed (watertight), the Euler characteristic unchanged (no handle or hole opened or
// closed), every triangle facing out, no triangle spanning a UV seam, and an open border that
// stays on the original border.
func checkMesh(t *testing.T, m *testMesh, out []uint32) meshReport {
	t.Helper()
	if len(out)%3 != 0 {
		t.Fatalf("%s: %d indices", m.name, len(out))
	}
	type key [3]float32
	ids := map[key]int{}
	var byID []key
	id := func(v uint32) int {
		k := key(m.pos[v])
		if i, ok := ids[k]; ok {
			return i
		}
		ids[k] = len(ids)
		byID = append(byID, k)
		return len(ids) - 1
	}
	rep := meshReport{triangles: len(out) / 3, vertices: map[uint32]bool{}}
	directed := map[[2]int]int{}
	bad := 0
	fail := func(format string, args ...any) {
		bad++
		if bad <= 5 {
			t.Errorf(m.name+": "+format, args...)
		}
	}
	for k := 0; k < len(out); k += 3 {
		tri := out[k : k+3]
		for _, v := range tri {
			if int(v) >= len(m.pos) {
				t.Fatalf("%s: index %d past %d vertices", m.name, v, len(m.pos))
			}
			rep.vertices[v] = true
		}
		a, b, c := id(tri[0]), id(tri[1]), id(tri[2])
		if a == b || b == c || a == c {
			fail("triangle %d repeats a position", k/3)
			continue
		}
		for _, e := range [3][2]int{{a, b}, {b, c}, {c, a}} {
			directed[e]++
		}
		p0, p1, p2 := f64(m.pos[tri[0]]), f64(m.pos[tri[1]]), f64(m.pos[tri[2]])
		n := cross(sub(p1, p0), sub(p2, p0))
		if math.Sqrt(dot(n, n))/2 < 1e-12 {
			fail("triangle %d has no area", k/3)
		}
		if m.outward != nil {
			// The outward direction at the corners, which are points of the original surface
			// where it is well defined, however coarse the triangle.
			var out vec3
			for _, v := range tri {
				o := m.outward([3]float64(f64(m.pos[v])))
				out = vec3{out[0] + o[0], out[1] + o[1], out[2] + o[2]}
			}
			if dot(n, out) <= 0 {
				fail("triangle %d at %v %v %v faces inward", k/3, m.pos[tri[0]], m.pos[tri[1]], m.pos[tri[2]])
			}
		}
		if m.texture != nil {
			if why := m.texture([3]uint32(tri)); why != "" {
				fail("triangle %d: %s", k/3, why)
			}
		}
	}
	edges := 0
	for e, n := range directed {
		if n > 1 {
			fail("edge %v is used %d times the same way: not manifold", e, n)
		}
		_, twin := directed[[2]int{e[1], e[0]}]
		if !twin {
			edges++
			if m.closed {
				fail("edge %v has one triangle: the mesh is no longer watertight", e)
			}
			if m.onBorder != nil {
				for _, v := range []int{e[0], e[1]} {
					if !m.onBorder(byID[v]) {
						fail("border vertex %v left the border", byID[v])
					}
				}
			}
		} else if e[0] < e[1] {
			edges++
		}
	}
	verts := map[int]bool{}
	for k := 0; k < len(out); k++ {
		verts[id(out[k])] = true
	}
	if chi := len(verts) - edges + len(out)/3; chi != m.euler {
		fail("Euler characteristic %d, want %d: the topology changed", chi, m.euler)
	}
	return rep
}

func f64(p [3]float32) vec3 { return vec3{float64(p[0]), float64(p[1]), float64(p[2])} }
