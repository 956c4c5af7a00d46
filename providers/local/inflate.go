package local

import (
	"context"
	"errors"
	"fmt"
	"image"
	"math"

	"github.com/kiln3d/kiln/providers"
	"github.com/kiln3d/kiln/providers/local/field"
	"github.com/kiln3d/kiln/providers/local/mesh"
	"github.com/kiln3d/kiln/providers/local/texture"
)

// minHalfThickness is the least distance of any inside vertex from the mid-plane, as a share of
// the model's height (0.2 mm on a 1 m model). Right next to the outline the inflated height tends
// to zero; without a floor the front and back copies of a vertex there could land on the same
// point once positions are rounded, and tools that weld by position would see the surface pinch.
const minHalfThickness = 2e-4

// inflate makes the model from views that all look along one axis: the first of them (front,
// left or top; else the one given) is inflated into a rounded solid and colours its side; the
// opposite view, when given, colours the other side. The model is built facing +Z and turned to
// face where the first view's camera stands. depth scales the half-thickness: 1 makes a round
// cross-section (a disc becomes a ball), 0.5 a body half as deep; it must be positive.
func inflate(ctx context.Context, views []*view, target int, largest bool, depth float64, stage stageFunc) (*shape, error) {
	if !(depth > 0) || math.IsInf(depth, 0) {
		return nil, fmt.Errorf("depth %v is not a positive number", depth)
	}
	main, other := views[0], (*view)(nil)
	if len(views) > 1 {
		other = views[1]
		if !primary(main.name) {
			main, other = other, main
		}
	}
	if largest {
		for _, v := range views {
			v.keepLargest()
		}
	}
	if err := stage(0.3, msgInflating); err != nil {
		return nil, err
	}
	f, err := field.New(ctx, main.mask, fieldPad)
	if err != nil {
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
	pair := []*view{main}
	if other != nil {
		pair = append(pair, other)
	}
	m, tex, err := paint(ctx, pair, f, relief)
	if err != nil {
		return nil, err
	}
	return &shape{parts: m.Split(part, count), texture: tex, turn: turnFor(main.name), footprint: main.name == providers.ViewTop}, nil
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

// paint makes the texture from the views (the inflated one first) and the placed, textured mesh.
func paint(ctx context.Context, views []*view, shape *field.Field, r *mesh.Relief) (*mesh.Mesh, []byte, error) {
	front := views[0]
	rect := front.textureRect()
	crop, err := texture.Padded(ctx, front.img, shape, rect)
	if err != nil {
		return nil, nil, err
	}
	crops, rects := []*image.RGBA{crop}, []image.Rectangle{rect}
	if len(views) > 1 {
		back := views[1]
		near, err := field.NewNearest(ctx, back.mask, fieldPad)
		if err != nil {
			return nil, nil, err
		}
		brect := back.textureRect()
		bcrop, err := texture.Padded(ctx, back.img, near, brect)
		if err != nil {
			return nil, nil, err
		}
		crops, rects = append(crops, bcrop), append(rects, brect)
	}
	atlas, places, err := texture.Atlas(ctx, crops, rects, maxSide)
	if err != nil {
		return nil, nil, err
	}
	frontUV := places[0].UV
	backUV := frontUV // one image: the back shows the front mirrored through the mid-plane
	if len(views) > 1 {
		backUV = mirrored(front.box, views[1].box, places[1])
	}
	m := place(r, shape, frontUV, backUV, len(views) > 1)
	jpg, err := texture.JPEG(atlas)
	if err != nil {
		return nil, nil, err
	}
	return m, jpg, nil
}
