package local

import (
	"context"
	"fmt"

	"github.com/kiln3d/kiln/providers/geom/simplify"
)

// decimate is where the surface meets providers/geom/simplify: it returns a new index buffer over
// the same vertices with about target triangles (at most target, and target−1 or more unless the
// simplifier ran out of valid collapses; the caller checks).
func decimate(ctx context.Context, pos [][3]float64, indices []uint32, target int) ([]uint32, error) {
	p32 := make([][3]float32, len(pos))
	for i, p := range pos {
		p32[i] = [3]float32{float32(p[0]), float32(p[1]), float32(p[2])}
	}
	out, err := simplify.Simplify(ctx, p32, indices, target, simplify.Options{})
	if err != nil {
		return nil, fmt.Errorf("simplify to %d triangles: %w", target, err)
	}
	return out, nil
}
