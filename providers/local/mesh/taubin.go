package mesh

import (
	"context"
	"slices"

	"github.com/kiln3d/kiln/providers/local/work"
)

// Taubin's λ|μ smoothing: a shrinking Laplacian step (λ > 0) followed by an inflating one
// (μ < −λ) makes a low-pass filter that removes the small bumps of a voxel surface without
// shrinking the shape as plain Laplacian smoothing does. These give a pass-band of 1/λ + 1/μ ≈ 0.1,
// the usual choice.
const (
	taubinLambda = 0.5
	taubinMu     = -0.53
)

// Smooth applies passes of Taubin smoothing to pos in place, each a λ step and a μ step with
// uniform weights over the vertices' neighbours along the triangles' edges.
func Smooth(ctx context.Context, pos [][3]float64, indices []uint32, passes int) error {
	adj := Neighbours(len(pos), indices)
	next := make([][3]float64, len(pos))
	for p := 0; p < 2*passes; p++ {
		f := taubinLambda
		if p%2 == 1 {
			f = taubinMu
		}
		err := work.Split(ctx, len(pos), func(lo, hi int) error {
			for v := lo; v < hi; v++ {
				nb := adj.Of(v)
				if len(nb) == 0 {
					next[v] = pos[v]
					continue
				}
				var c [3]float64
				for _, u := range nb {
					q := pos[u]
					c[0], c[1], c[2] = c[0]+q[0], c[1]+q[1], c[2]+q[2]
				}
				k := 1 / float64(len(nb))
				q := pos[v]
				next[v] = [3]float64{
					q[0] + f*(c[0]*k-q[0]),
					q[1] + f*(c[1]*k-q[1]),
					q[2] + f*(c[2]*k-q[2]),
				}
			}
			return nil
		})
		if err != nil {
			return err
		}
		copy(pos, next)
	}
	return nil
}

// Adjacency lists every vertex's neighbours along triangle edges, sorted, without repeats.
type Adjacency struct {
	start []int32 // vertex v's neighbours are list[start[v]:start[v+1]]
	list  []uint32
}

// Of returns v's neighbours.
func (a *Adjacency) Of(v int) []uint32 { return a.list[a.start[v]:a.start[v+1]] }

// Neighbours builds the adjacency of n vertices joined by the triangles of indices.
func Neighbours(n int, indices []uint32) *Adjacency {
	count := make([]int32, n+1)
	for t := 0; t+2 < len(indices); t += 3 {
		for e := 0; e < 3; e++ {
			count[indices[t+e]] += 2
		}
	}
	start := make([]int32, n+1)
	for v := 0; v < n; v++ {
		start[v+1] = start[v] + count[v]
	}
	fill := slices.Clone(start[:n])
	list := make([]uint32, start[n])
	for t := 0; t+2 < len(indices); t += 3 {
		for e := 0; e < 3; e++ {
			a, b, c := indices[t+e], indices[t+(e+1)%3], indices[t+(e+2)%3]
			list[fill[a]], list[fill[a]+1] = b, c
			fill[a] += 2
		}
	}
	// Sort and drop repeats in place: each edge was listed once per triangle on it.
	out := int32(0)
	for v := 0; v < n; v++ {
		nb := list[start[v]:start[v+1]]
		slices.Sort(nb)
		nb = slices.Compact(nb)
		start[v] = out
		out += int32(copy(list[out:], nb))
	}
	start[n] = out
	return &Adjacency{start: start, list: list[:out]}
}
