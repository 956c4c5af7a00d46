package mesh

import (
	"math"
	"testing"
)

// A box's corners keep one normal per face; a finely faceted cylinder's side stays smooth while
// its rim, where the side meets the cap square, is split.
func TestCreaseNormals(t *testing.T) {
	// A cylinder: n segments, a bottom ring, a top ring and two cap centres.
	const n = 32
	var pos [][3]float64
	for ring := 0; ring < 2; ring++ {
		for i := 0; i < n; i++ {
			a := 2 * math.Pi * float64(i) / n
			pos = append(pos, [3]float64{math.Cos(a), float64(ring), math.Sin(a)})
		}
	}
	pos = append(pos, [3]float64{0, 0, 0}, [3]float64{0, 1, 0})
	var idx []uint32
	for i := 0; i < n; i++ {
		j := (i + 1) % n
		b0, b1, t0, t1 := uint32(i), uint32(j), uint32(n+i), uint32(n+j)
		idx = append(idx, b0, t0, b1, b1, t0, t1) // side, facing out
		idx = append(idx, uint32(2*n), b0, b1)    // bottom cap, facing down
		idx = append(idx, uint32(2*n+1), t1, t0)  // top cap, facing up
	}
	weld := make([]uint32, len(pos))
	for i := range weld {
		weld[i] = uint32(i)
	}
	normals, source, out := CreaseNormals(pos, idx, weld, math.Cos(50*math.Pi/180))
	// Each ring vertex splits in two (side and cap); the cap centres stay one.
	if len(normals) != 4*n+2 {
		t.Fatalf("%d vertices after splitting, want %d", len(normals), 4*n+2)
	}
	for i, v := range out {
		src := pos[source[v]]
		nm := normals[v]
		tri := i / 3
		switch tri % 4 {
		case 0, 1: // side: horizontal, pointing out
			if math.Abs(float64(nm[1])) > 1e-6 || float64(nm[0])*src[0]+float64(nm[2])*src[2] < 0.99 {
				t.Fatalf("side corner %d has normal %v at %v", i, nm, src)
			}
		case 2:
			if nm != [3]float32{0, -1, 0} {
				t.Fatalf("bottom corner %d has normal %v", i, nm)
			}
		case 3:
			if nm != [3]float32{0, 1, 0} {
				t.Fatalf("top corner %d has normal %v", i, nm)
			}
		}
	}
}
