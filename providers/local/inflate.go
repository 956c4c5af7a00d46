package local

import (
	"context"
	"errors"
	"fmt"
	"math"

	"github.com/kiln3d/kiln/providers"
	"github.com/kiln3d/kiln/providers/local/field"
	"github.com/kiln3d/kiln/providers/local/mesh"
)

// minHalfThickness is the least distance of any inside vertex from the mid-plane, as a share of
// the model's height (0.2 mm on a 1 m model). Right next to the outline the inflated height tends
// to zero; without a floor the front and back copies of a vertex there could land on the same
// point once positions are rounded, and tools that weld by position would see the surface pinch.
const minHalfThickness = 2e-4

// inflate makes the model from views that all look along one axis, in the order facing gives
// them: the first is inflated into a rounded solid and colours its side; the opposite view, when
// given, colours the other side. f is the first view's field (NewDistance's; inflate adds the
// heights). The model is built facing +Z and turned to face where the first view's camera stands.
// depth scales the half-thickness: 1 makes a round cross-section (a disc becomes a ball), 0.5 a
// body half as deep; it must be positive.
func inflate(ctx context.Context, views []*view, f *field.Field, target int, depth float64, stage stageFunc) (*shape, error) {
	if !(depth > 0) || math.IsInf(depth, 0) {
		return nil, fmt.Errorf("depth %v is not a positive number", depth)
	}
	main := views[0]
	if err := stage(0.3, msgInflating); err != nil {
		return nil, err
	}
	if err := f.Inflate(ctx); err != nil {
		return nil, err
	}
	if err := stage(0.5, msgBuilding); err != nil {
		return nil, err
	}
	hFloor := minHalfThickness * float64(main.box.Dy())
	relief, err := mesh.Build(ctx, f, main.box, target, hFloor)
	switch {
	case errors.Is(err, mesh.ErrTooSmall):
		err = main.refuse(fmt.Sprintf("the object is too small to model (%d×%d pixels)", main.box.Dx(), main.box.Dy()))
	case errors.Is(err, mesh.ErrTooThin):
		err = main.refuse(fmt.Sprintf("the object is too thin to model with only %d triangles; ask for more", target))
	}
	if err != nil {
		return nil, err
	}
	deepen(relief, depth, hFloor)
	relief.Flip()
	// Parts are told apart on the relief, where front and back share their outline vertices.
	part, count := mesh.TriangleParts(len(relief.Pos), relief.Indices)
	if err := stage(0.7, msgTexturing); err != nil {
		return nil, err
	}
	jpg, near, far, err := viewTextures(ctx, views, f)
	if err != nil {
		return nil, err
	}
	m := place(relief, f, near, far, len(views) > 1)
	return &shape{parts: m.Split(part, count), texture: jpg, turn: turnFor(main.name), footprint: main.name == providers.ViewTop}, nil
}

// deepen scales the relief's half-thickness by depth, keeping every front and back vertex at
// least hFloor from the mid-plane (see minHalfThickness).
func deepen(r *mesh.Relief, depth, hFloor float64) {
	if depth == 1 {
		return
	}
	for i := range r.Pos {
		switch r.Side[i] {
		case mesh.Front:
			r.Pos[i][2] = math.Max(hFloor, r.Pos[i][2]*depth)
		case mesh.Back:
			r.Pos[i][2] = math.Min(-hFloor, r.Pos[i][2]*depth)
		}
	}
}

// primary says whether a view is the one inflated when its opposite is given too.
func primary(view string) bool {
	return view == providers.ViewFront || view == providers.ViewLeft || view == providers.ViewTop
}
