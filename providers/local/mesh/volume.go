package mesh

// Volume is the volume enclosed by the closed, outward-facing triangles of indices, those of part
// k only when part is not nil (see TriangleParts).
func Volume(pos [][3]float64, indices []uint32, part []int32, k int32) float64 {
	v := 0.0
	for t := 0; t+2 < len(indices); t += 3 {
		if part != nil && part[t/3] != k {
			continue
		}
		a, b, c := pos[indices[t]], pos[indices[t+1]], pos[indices[t+2]]
		v += a[0]*(b[1]*c[2]-b[2]*c[1]) + a[1]*(b[2]*c[0]-b[0]*c[2]) + a[2]*(b[0]*c[1]-b[1]*c[0])
	}
	return v / 6
}
