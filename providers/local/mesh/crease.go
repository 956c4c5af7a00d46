package mesh

import "math"

// CreaseNormals gives every corner of every triangle the normal of the smooth surface it belongs
// to, with sharp edges kept sharp: a corner averages (by area) the triangles around its vertex
// that lie within the crease angle of its own triangle, so a cylinder's rim shades as a rim while
// a vase's rounded belly stays smooth. weld says which vertices are one point of the surface
// (the seam's copies of a vertex, see Solid): triangles meet across them.
//
// A vertex whose corners end up with different normals is split, one copy per normal. It returns
// the normals of the vertices it keeps, which vertex of pos each copies, and the triangles over
// them.
func CreaseNormals(pos [][3]float64, indices, weld []uint32, minCos float64) (normals [][3]float32, source, out []uint32) {
	nt := len(indices) / 3
	face := make([][3]float64, nt) // area-weighted
	unit := make([][3]float64, nt)
	for t := 0; t < nt; t++ {
		a, b, c := pos[indices[3*t]], pos[indices[3*t+1]], pos[indices[3*t+2]]
		u := [3]float64{b[0] - a[0], b[1] - a[1], b[2] - a[2]}
		v := [3]float64{c[0] - a[0], c[1] - a[1], c[2] - a[2]}
		n := [3]float64{u[1]*v[2] - u[2]*v[1], u[2]*v[0] - u[0]*v[2], u[0]*v[1] - u[1]*v[0]}
		face[t] = n
		if l := math.Sqrt(n[0]*n[0] + n[1]*n[1] + n[2]*n[2]); l > 0 {
			unit[t] = [3]float64{n[0] / l, n[1] / l, n[2] / l}
		}
	}
	// The triangles around each welded vertex, as compressed rows.
	start := make([]int32, len(pos)+1)
	for _, v := range indices {
		start[weld[v]+1]++
	}
	for i := 1; i < len(start); i++ {
		start[i] += start[i-1]
	}
	fill := append([]int32(nil), start[:len(pos)]...)
	around := make([]int32, len(indices))
	for i, v := range indices {
		w := weld[v]
		around[fill[w]] = int32(i / 3)
		fill[w]++
	}

	type key struct {
		v uint32
		n [3]int32
	}
	copies := make(map[key]uint32, len(pos))
	out = make([]uint32, len(indices))
	for i, v := range indices {
		t := i / 3
		var acc [3]float64
		w := weld[v]
		for _, o := range around[start[w]:start[w+1]] {
			if unit[t][0]*unit[o][0]+unit[t][1]*unit[o][1]+unit[t][2]*unit[o][2] >= minCos {
				acc[0], acc[1], acc[2] = acc[0]+face[o][0], acc[1]+face[o][1], acc[2]+face[o][2]
			}
		}
		n := [3]float32{0, 0, 1}
		if l := math.Sqrt(acc[0]*acc[0] + acc[1]*acc[1] + acc[2]*acc[2]); l > 0 && !math.IsNaN(l) {
			n = [3]float32{float32(acc[0] / l), float32(acc[1] / l), float32(acc[2] / l)}
		}
		// Corners whose normals agree to about a hundredth of a degree share a vertex.
		k := key{v, [3]int32{int32(math.Round(float64(n[0]) * 1e4)), int32(math.Round(float64(n[1]) * 1e4)), int32(math.Round(float64(n[2]) * 1e4))}}
		c, ok := copies[k]
		if !ok {
			c = uint32(len(source))
			copies[k] = c
			source = append(source, v)
			normals = append(normals, n)
		}
		out[i] = c
	}
	return normals, source, out
}
