// Package flat makes the Flat shape: an outline extruded to a thickness, with a rounded edge, for
// signs, leaves, coins, sprites and logos. The image goes on the flat front; the back takes the
// same points, marked as the back's; the rounded edge takes its colour from just inside the
// outline rather than from the outline's own pixels.
package flat

import (
	"context"
	"errors"
	"fmt"
	"math"

	"github.com/kiln3d/kiln/providers/local/field"
	"github.com/kiln3d/kiln/providers/local/mask"
	"github.com/kiln3d/kiln/providers/local/mesh"
)

// ErrTooSmall and ErrTooThin say why an outline could not be built (see mesh's errors of the
// same names): the caller words them for the artist.
var (
	ErrTooSmall = mesh.ErrTooSmall
	ErrTooThin  = mesh.ErrTooThin
)

// The least half-thickness of an inside vertex, so that front and back copies of a point never
// meet once positions are rounded: floorShare of the half-thickness, and at least floorHeight of
// the object's height (0.2 mm on a 1 m model, as for Round); a thinner thickness is refused.
const (
	floorShare  = 1e-3
	floorHeight = 2e-4
)

// Build makes the Flat solid of m's object, whose signed distance field is f (from
// field.NewDistance), thickness pixels thick, with exactly target triangles (target−1 when target
// is odd). The edge is a quarter-round on each face, of radius half the thickness, so the two
// meet at the outline as a half-round; in a part narrower than the thickness the rounds of its
// two edges meet before the flat, so it comes out thinner (a stalk 2w wide is √(w(T−w))·2
// thick). Holes stay holes and separate objects separate closed parts.
func Build(ctx context.Context, f *field.Field, m *mask.Mask, thickness float64, target int) (*mesh.Solid, error) {
	switch {
	case f == nil || m == nil:
		return nil, errors.New("flat: no field or mask")
	case !(thickness > 0) || math.IsInf(thickness, 0):
		return nil, fmt.Errorf("flat: thickness %v is not a positive number of pixels", thickness)
	case target < 4:
		return nil, fmt.Errorf("flat: cannot make a closed solid of %d triangles", target)
	case len(f.Dist) != f.W()*f.H():
		return nil, errors.New("flat: the field has no distances")
	}
	box := m.Bounds()
	if box.Empty() {
		return nil, ErrTooSmall
	}
	if !box.In(f.Rect) {
		return nil, fmt.Errorf("flat: the field %v does not hold the object %v", f.Rect, box)
	}
	half := thickness / 2
	if least := floorHeight * float64(box.Dy()); half < least {
		return nil, fmt.Errorf("flat: a thickness of %.3g pixels is too thin to keep front and back apart; %.3g at least", thickness, 2*least)
	}
	r := half // the bevel's radius
	floor := max(floorShare*half, floorHeight*float64(box.Dy()))
	lift := func(_, _, d float64) float64 {
		if d >= r {
			return half
		}
		return math.Max(floor, math.Sqrt(d*(2*r-d)))
	}
	// No rings: the bevel is shallow next to the lattice's cells, and rings there would be slivers.
	rel, err := mesh.BuildLifted(ctx, f, box, target, lift, 0)
	if err != nil {
		return nil, err
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	rel.Flip()
	return solid(f, rel, seenFrom(r)), nil
}

// seenFrom is the least distance from the outline, in pixels, of a point whose colour an edge-on
// vertex may take: where the bevel of radius r turns 75° from the view, and never the outline's
// own pixels.
func seenFrom(r float64) float64 {
	return math.Max(field.LookInset, r*(1-math.Sqrt(1-field.EdgeOn*field.EdgeOn)))
}

// solid turns a relief into a Solid: the back's triangles get their own copies of the rim, and
// every vertex the camera sees edge-on takes its colour from the nearest point at least `inset`
// pixels inside the outline.
func solid(f *field.Field, rel *mesh.Relief, inset float64) *mesh.Solid {
	normals := mesh.Normals(rel.Pos, rel.Indices)
	indices, copied := rel.Unshare()
	n := len(rel.Pos) + len(copied)
	s := &mesh.Solid{
		Pos:     make([][3]float64, 0, n),
		Indices: indices,
		Look:    make([][2]float64, 0, n),
		Back:    make([]bool, 0, n),
	}
	look := func(v uint32) [2]float64 {
		x, y := f.Look(rel.Pos[v][0], rel.Pos[v][1], float64(normals[v][2]), inset)
		return [2]float64{x, y}
	}
	for i, p := range rel.Pos {
		s.Pos = append(s.Pos, p)
		s.Look = append(s.Look, look(uint32(i)))
		s.Back = append(s.Back, rel.Side[i] == mesh.Back)
	}
	for _, v := range copied {
		s.Pos = append(s.Pos, rel.Pos[v])
		s.Look = append(s.Look, s.Look[v])
		s.Back = append(s.Back, true)
	}
	return s
}
