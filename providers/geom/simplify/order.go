package simplify

import "math"

// spatialOrder returns the triangles (by index) sorted along a Morton curve through their
// centroids. The collapse loop is bound by memory latency: numbered in this order, a vertex's
// triangles, its neighbours and their data sit close together in memory wherever in the mesh
// the next collapse happens, instead of wherever the exporter happened to put them.
func spatialOrder(positions [][3]float32, indices []uint32) []int32 {
	n := len(indices) / 3
	lo := [3]float32{float32(math.Inf(1)), float32(math.Inf(1)), float32(math.Inf(1))}
	hi := [3]float32{float32(math.Inf(-1)), float32(math.Inf(-1)), float32(math.Inf(-1))}
	for _, i := range indices {
		for k, x := range positions[i] {
			lo[k], hi[k] = min(lo[k], x), max(hi[k], x)
		}
	}
	var scale [3]float32
	for k := range scale {
		if hi[k] > lo[k] {
			scale[k] = 1023 / (hi[k] - lo[k]) / 3 // of the sum of three coordinates
		}
	}
	keys := make([]ranked, n)
	for t := 0; t < n; t++ {
		a, b, c := positions[indices[3*t]], positions[indices[3*t+1]], positions[indices[3*t+2]]
		var code uint32
		for k := 0; k < 3; k++ {
			q := uint32((a[k] + b[k] + c[k] - 3*lo[k]) * scale[k])
			code |= spread(min(q, 1023)) << k
		}
		keys[t] = ranked{key: code, p: int32(t)}
	}
	keys, _ = radixSort(keys, nil)
	order := make([]int32, n)
	for i, k := range keys {
		order[i] = k.p
	}
	return order
}

// spread puts the ten bits of x two bits apart, for interleaving three coordinates.
func spread(x uint32) uint32 {
	x = (x | x<<16) & 0x030000FF
	x = (x | x<<8) & 0x0300F00F
	x = (x | x<<4) & 0x030C30C3
	x = (x | x<<2) & 0x09249249
	return x
}
