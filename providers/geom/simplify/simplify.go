// Package simplify reduces a triangle mesh to a triangle budget by quadric-error edge collapses
// (Garland–Heckbert, with Hoppe's attribute error, classified and constrained the way
// meshoptimizer's meshopt_simplify is).
//
// Every collapse moves a vertex onto one of its neighbours, so the result indexes the caller's
// original vertices and every per-vertex attribute (UVs, normals, skin weights, morph targets)
// stays valid by index. Vertices that share a position but differ in attributes are one
// geometric vertex with several wedges: a seam moves only along itself and the texture never
// stretches across it. Collapses keep the mesh manifold (the link condition), never flip a
// triangle or leave one without area, so a watertight mesh stays watertight.
package simplify

import (
	"context"
	"fmt"
	"math"
	"runtime"
	"slices"
)

// Options tunes Simplify.
type Options struct {
	// Attributes, when not nil, holds one vector per vertex (Attributes[v][k]), e.g. a UV and a
	// normal, whose error joins the geometric error; every vector has len(Weights) components.
	Attributes [][]float32
	// Weights scales each attribute component; the mesh is measured in a unit box, so a weight
	// of 1 makes a change of 1 in the attribute across an edge cost about as much as moving
	// the surface by that edge's length.
	Weights []float32
	// LockBorder keeps every vertex of an open boundary where it is.
	LockBorder bool
	// Report, when not nil, is told the progress (0 to 1) from Simplify's goroutine.
	Report func(done float64)
}

// Simplify returns a new index buffer (a triangle list) over the original vertices with about
// target triangles: at most target, and at least target−1 once it gets there.
//
// It stops early, returning more than target triangles, when no collapse is left that keeps
// the mesh valid (a closed part cannot go below a tetrahedron, locked corners and seams stay):
// callers learn the count reached from len(result)/3. Triangles whose corners share a position
// are dropped. An input that is already within budget comes back as a copy.
func Simplify(ctx context.Context, positions [][3]float32, indices []uint32, target int, opts Options) ([]uint32, error) {
	if err := check(positions, indices, opts); err != nil {
		return nil, err
	}
	if len(indices)/3 <= target {
		return slices.Clone(indices), nil
	}
	return simplify(ctx, positions, indices, target, opts, parallelMin)
}

// simplify is Simplify with the size from which two cores share the work, which tests lower.
func simplify(ctx context.Context, positions [][3]float32, indices []uint32, target int, opts Options, minParallel int) ([]uint32, error) {
	s, err := newSimplifier(ctx, positions, indices, opts, minParallel)
	if err != nil {
		return nil, err
	}
	if err := s.run(ctx, max(target, 0), opts.Report); err != nil {
		return nil, err
	}
	return s.result(), nil
}

// check refuses input Simplify cannot work on, before anything is built.
func check(positions [][3]float32, indices []uint32, opts Options) error {
	if len(indices)%3 != 0 {
		return fmt.Errorf("simplify: %d indices do not make whole triangles", len(indices))
	}
	if len(positions) > math.MaxInt32/2 || len(indices) > math.MaxInt32-2 {
		return fmt.Errorf("simplify: %d vertices and %d indices are too many", len(positions), len(indices))
	}
	for k, i := range indices {
		if int(i) >= len(positions) {
			return fmt.Errorf("simplify: index %d (at %d) is past the %d vertices", i, k, len(positions))
		}
	}
	for v, p := range positions {
		for _, x := range p {
			if math.IsNaN(float64(x)) || math.IsInf(float64(x), 0) {
				return fmt.Errorf("simplify: vertex %d has a position that is not a number (%v)", v, p)
			}
		}
	}
	if opts.Attributes != nil {
		if len(opts.Attributes) != len(positions) {
			return fmt.Errorf("simplify: %d attribute vectors for %d vertices", len(opts.Attributes), len(positions))
		}
		for v, a := range opts.Attributes {
			if len(a) != len(opts.Weights) {
				return fmt.Errorf("simplify: vertex %d has %d attributes but there are %d weights", v, len(a), len(opts.Weights))
			}
		}
	}
	return nil
}

// vertex is what the collapse tests read of a position, together since they read it together.
type vertex struct {
	pos vec3 // normalised into the unit box
	// side is the input surface's normal there, zero on a knife edge (see faceQuadrics).
	side   [3]float32
	smooth bool // the faces around agree closely (see facesAway)
	kind   kind
	part   int8 // the part of the mesh a worker may change (see split)
}

// corner is one corner of a triangle: its position and wedge.
type corner struct{ p, w int32 }

// makeFans lists each position's corners. The lists share one array, each with room to grow
// by a few corners in place (a collapse adds the source's corners to the target's and takes
// the dead ones out): walking a fan then reads one run of memory, and the corners it leads to
// can be fetched at once rather than one after the other as a linked list would.
func makeFans(np int, corners []corner) [][]int32 {
	const room = 4
	count := make([]int32, np)
	for _, c := range corners {
		count[c.p]++
	}
	all := make([]int32, len(corners)+room*np)
	fans := make([][]int32, np)
	off := 0
	for p, n := range count {
		fans[p] = all[off : off : off+int(n)+room]
		off += int(n) + room
	}
	for c, k := range corners {
		fans[k.p] = append(fans[k.p], int32(c))
	}
	return fans
}

// simplifier holds the mesh being collapsed in flat arrays: vertices are "wedges" (the caller's
// vertices), grouped by position; triangles are three "corners" each, and every position keeps
// the list of its corners (its fan), so that fans can be walked and merged without maps.
type simplifier struct {
	orig  []uint32 // wedge → the caller's vertex
	np    int      // positions
	pid   []int32  // wedge → position
	first []int32  // position → one of its wedges
	ring  []int32  // wedge → next wedge at the same position

	// loop and loopback: per wedge, the next and previous wedge along its open edge (border or
	// seam side), -1 for none, -2 for several.
	loop, loopback []int32

	v  []vertex  // per position
	pq []quadric // per position: face planes, plus border and seam edge planes

	c    []corner  // three per triangle
	fans [][]int32 // per position, its corners
	dead []bool    // per triangle
	ntri int       // triangles (without those whose corners share a position)

	na      int       // attribute components
	attr    []float64 // per wedge, weighted
	ablock  []float32 // per wedge, its attribute error (see attrQuadric)
	astride int       // floats per wedge in ablock

	best []candidate // per position, valid while it is queued

	stamp []uint32 // per position, marks neighbours during setup
	epoch uint32

	parallel bool // large enough for two cores to share the work
}

// newSimplifier builds the collapse structures: positions, fans, kinds, quadrics.
func newSimplifier(ctx context.Context, positions [][3]float32, indices []uint32, opts Options, minParallel int) (*simplifier, error) {
	s := &simplifier{parallel: len(indices)/3 >= minParallel && runtime.GOMAXPROCS(0) >= 2}
	// Triangles are taken in spatial order and wedges numbered in the order those triangles
	// first use them, positions likewise (weld numbers them in wedge order): neighbours in the
	// mesh are then mostly neighbours in memory, which the collapse loop, bound by memory
	// rather than arithmetic, needs. Vertices no triangle uses are left out: a copy nothing
	// references is no seam.
	id := make([]int32, len(positions))
	for i := range id {
		id[i] = -1
	}
	local := make([]int32, 0, len(indices))
	for _, t := range spatialOrder(positions, indices) {
		for _, v := range indices[3*t : 3*t+3] {
			if id[v] < 0 {
				id[v] = int32(len(s.orig))
				s.orig = append(s.orig, v)
			}
			local = append(local, id[v])
		}
	}
	inner := make([][3]float32, len(s.orig))
	for i, v := range s.orig {
		inner[i] = positions[v]
	}
	s.pid, s.first, s.ring = weld(inner)
	s.np = len(s.first)
	s.normalise(inner)

	s.c = make([]corner, 0, len(indices))
	for t := 0; t+2 < len(local); t += 3 {
		a, b, c := local[t], local[t+1], local[t+2]
		pa, pb, pc := s.pid[a], s.pid[b], s.pid[c]
		if pa == pb || pb == pc || pa == pc {
			continue
		}
		s.c = append(s.c, corner{p: pa, w: a}, corner{p: pb, w: b}, corner{p: pc, w: c})
	}
	s.ntri = len(s.c) / 3
	s.dead = make([]bool, s.ntri)
	s.fans = makeFans(s.np, s.c)
	s.stamp = make([]uint32, s.np)
	if opts.Attributes != nil && len(opts.Weights) > 0 {
		s.setAttributes(opts.Attributes, opts.Weights)
	}
	s.quadrics(opts.LockBorder)

	s.best = make([]candidate, s.np)
	if err := ctx.Err(); err != nil {
		return nil, fmt.Errorf("simplify: %w", err)
	}
	return s, nil
}

// normalise scales positions into the unit box, so that the error terms and weights mean the
// same on a 1 mm ring and a 100 m building.
func (s *simplifier) normalise(positions [][3]float32) {
	lo := vec3{math.Inf(1), math.Inf(1), math.Inf(1)}
	hi := vec3{math.Inf(-1), math.Inf(-1), math.Inf(-1)}
	for _, v := range s.first {
		for a := 0; a < 3; a++ {
			x := float64(positions[v][a])
			lo[a], hi[a] = min(lo[a], x), max(hi[a], x)
		}
	}
	extent := max(hi[0]-lo[0], hi[1]-lo[1], hi[2]-lo[2])
	k := 1.0
	if extent > 0 {
		k = 1 / extent
	}
	s.v = make([]vertex, s.np)
	for p, v := range s.first {
		x := positions[v]
		s.v[p].pos = vec3{(float64(x[0]) - lo[0]) * k, (float64(x[1]) - lo[1]) * k, (float64(x[2]) - lo[2]) * k}
	}
}

// result is the live triangles over the caller's vertices.
func (s *simplifier) result() []uint32 {
	out := make([]uint32, 0, 3*s.ntri)
	for t, dead := range s.dead {
		if !dead {
			out = append(out, s.orig[s.c[3*t].w], s.orig[s.c[3*t+1].w], s.orig[s.c[3*t+2].w])
		}
	}
	return out
}
