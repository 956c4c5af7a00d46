// Package mesh cuts a closed triangle mesh out of an inflated silhouette: marching squares on the
// signed distance give the outline and the front and back surfaces, which share the outline so the
// result is watertight by construction. It also holds the small Mesh type the rest of the
// generator works on, and the tools that tidy any closed surface without opening it: Taubin
// smoothing, edge splits and flips, and splitting into separate parts.
package mesh

import "math"

// Mesh is an indexed triangle mesh in glTF conventions: +Y up, metres, counter-clockwise triangles
// seen from outside, UV origin at the texture's top-left.
type Mesh struct {
	Positions [][3]float32
	Normals   [][3]float32
	UVs       [][2]float32
	Indices   []uint32
}

// Triangles is the number of triangles.
func (m *Mesh) Triangles() int { return len(m.Indices) / 3 }

// Normals returns area-weighted vertex normals of the triangles over positions: each face adds
// its unnormalised cross product, so big faces count more and slivers barely at all. A vertex
// whose faces cancel out gets (0, 0, 1) rather than a zero vector.
func Normals(positions [][3]float64, indices []uint32) [][3]float32 {
	acc := make([][3]float64, len(positions))
	for t := 0; t+2 < len(indices); t += 3 {
		a, b, c := indices[t], indices[t+1], indices[t+2]
		pa, pb, pc := positions[a], positions[b], positions[c]
		ux, uy, uz := pb[0]-pa[0], pb[1]-pa[1], pb[2]-pa[2]
		vx, vy, vz := pc[0]-pa[0], pc[1]-pa[1], pc[2]-pa[2]
		n := [3]float64{uy*vz - uz*vy, uz*vx - ux*vz, ux*vy - uy*vx}
		for _, v := range [3]uint32{a, b, c} {
			acc[v][0] += n[0]
			acc[v][1] += n[1]
			acc[v][2] += n[2]
		}
	}
	out := make([][3]float32, len(acc))
	for i, n := range acc {
		l := math.Sqrt(n[0]*n[0] + n[1]*n[1] + n[2]*n[2])
		if l < 1e-300 || math.IsNaN(l) {
			out[i] = [3]float32{0, 0, 1}
			continue
		}
		out[i] = [3]float32{float32(n[0] / l), float32(n[1] / l), float32(n[2] / l)}
	}
	return out
}
