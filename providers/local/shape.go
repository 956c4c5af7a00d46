package local

import (
	"context"
	"errors"
	"fmt"
	"strconv"

	"github.com/kiln3d/kiln/providers"
	"github.com/kiln3d/kiln/providers/local/field"
	"github.com/kiln3d/kiln/providers/local/flat"
	"github.com/kiln3d/kiln/providers/local/mask"
	"github.com/kiln3d/kiln/providers/local/mesh"
	"github.com/kiln3d/kiln/providers/local/turned"
)

// What Collect tells the artist while it shapes a model from one view.
const (
	msgTurning   = "Turning the outline"
	msgExtruding = "Extruding the outline"
)

// choice is the shape a model made from views along one axis takes, and why.
type choice struct {
	shape string // ShapeRound, ShapeTurned or ShapeFlat
	why   string // the reason, for the notes: "the outline is mirror-symmetric ..."
	auto  bool   // Auto picked it
	axis  float64
}

// note is the choice in the artist's words: "Shape: Turned, picked by Auto because the outline is
// mirror-symmetric about a vertical axis (98%)", or "Shape: Round, as asked".
func (c choice) note() string {
	title := map[string]string{ShapeRound: "Round", ShapeTurned: "Turned", ShapeFlat: "Flat"}[c.shape]
	if c.auto {
		return fmt.Sprintf("Shape: %s, picked by Auto because %s", title, c.why)
	}
	return fmt.Sprintf("Shape: %s, as asked", title)
}

// choose picks the shape of a model made from main, the view that shapes it, whose signed
// distance is f. Auto takes Turned for an outline mirror-symmetric about a vertical axis (without
// holes or parts side by side, which no solid of revolution shows), else Flat for a thin or
// sprite-like subject, else Round. A view from the top has no vertical axis to turn about.
func choose(asked string, main *view, f *field.Field) (choice, error) {
	side := main.name != providers.ViewTop
	axis, score := 0.0, 0.0
	if side {
		axis, score = turned.Axis(main.mask)
	}
	switch asked {
	case ShapeRound, ShapeFlat:
		return choice{shape: asked, axis: axis}, nil
	case ShapeTurned:
		if !side {
			return choice{}, main.refuse("a Turned shape spins the outline about a vertical axis, and a view from the top has none: choose Round or Flat")
		}
		return choice{shape: ShapeTurned, axis: axis}, nil
	}
	fill := rowFill(main.mask)
	if side && score >= turned.Symmetric && fill >= solidRows {
		return choice{shape: ShapeTurned, auto: true, axis: axis,
			why: fmt.Sprintf("the outline is mirror-symmetric about a vertical axis (%.0f%%)", 100*score)}, nil
	}
	if ok, why := flat.Suits(main.img, main.mask, f); ok {
		return choice{shape: ShapeFlat, why: why, auto: true, axis: axis}, nil
	}
	why := "the view is from the top, and the outline is neither thin nor sprite-like"
	switch {
	case side && score >= turned.Symmetric:
		why = fmt.Sprintf("the outline is mirror-symmetric (%.0f%%) but has holes or separate parts a solid of revolution cannot have", 100*score)
	case side:
		why = fmt.Sprintf("the outline is neither mirror-symmetric (%.0f%%, %.0f%% needed for Turned) nor thin or sprite-like",
			100*score, 100*turned.Symmetric)
	}
	return choice{shape: ShapeRound, why: why, auto: true, axis: axis}, nil
}

// solidRows is the least rowFill of an outline Auto turns: a solid of revolution is seen as one
// run of pixels per row, and a few percent of gaps (a handle's eye, holes in a base ring) are the
// object's details, not the wheel's spokes or a ring's hole.
const solidRows = 0.97

// rowFill is the share of the spans from each row's first object pixel to its last that is object:
// 1 for an outline without holes or side-by-side parts.
func rowFill(m *mask.Mask) float64 {
	var in, spanned int
	for y := 0; y < m.H; y++ {
		row := m.In[y*m.W : (y+1)*m.W]
		first, last := -1, -1
		for x, v := range row {
			if v {
				if first < 0 {
					first = x
				}
				last = x
				in++
			}
		}
		if first >= 0 {
			spanned += last - first + 1
		}
	}
	if spanned == 0 {
		return 0
	}
	return float64(in) / float64(spanned)
}

// facing orders views along one axis: the one that shapes the model (front, left or top, else the
// one given) first, then its opposite, when given.
func facing(views []*view) []*view {
	if len(views) > 1 && !primary(views[0].name) {
		return []*view{views[1], views[0]}
	}
	return views
}

// percent reads a whole-number option that CheckRequest has already checked.
func percent(req providers.Request, caps providers.Capabilities, key string, r providers.Range) float64 {
	v, err := strconv.Atoi(req.Option(caps, key))
	if err != nil {
		v = r.Default
	}
	return float64(r.Clamp(v)) / 100
}

// thicknessPixels is a Flat model's thickness in the shaping view's pixels.
func thicknessPixels(req providers.Request, caps providers.Capabilities, main *view) float64 {
	return percent(req, caps, OptionThickness, thicknessRange) * float64(main.box.Dy())
}

// fromOneAxis makes the model from views that all look along one axis, in the shape c.
func fromOneAxis(ctx context.Context, views []*view, req providers.Request, caps providers.Capabilities, c choice, f *field.Field, stage stageFunc) (*shape, error) {
	if c.shape == ShapeRound {
		return inflate(ctx, facing(views), f, req.Polycount, percent(req, caps, OptionDepth, depthRange), stage)
	}
	views = facing(views)
	main := views[0]
	var (
		s   *mesh.Solid
		err error
	)
	if c.shape == ShapeTurned {
		if err := stage(0.3, msgTurning); err != nil {
			return nil, err
		}
		s, err = turned.Build(ctx, f, main.mask, c.axis, req.Polycount)
	} else {
		if err := stage(0.3, msgExtruding); err != nil {
			return nil, err
		}
		s, err = flat.Build(ctx, f, main.mask, thicknessPixels(req, caps, main), req.Polycount)
	}
	if err != nil {
		return nil, shapeError(main, req.Polycount, err)
	}
	if err := stage(0.7, msgTexturing); err != nil {
		return nil, err
	}
	jpg, near, far, err := viewTextures(ctx, views, f)
	if err != nil {
		return nil, err
	}
	m, weld := placeSolid(s, near, far)
	part, count := mesh.TriangleParts(len(s.Pos), weldedIndices(m.Indices, weld))
	return &shape{parts: m.Split(part, count), texture: jpg, turn: turnFor(main.name), footprint: main.name == providers.ViewTop}, nil
}

// weldedIndices is indices with every vertex replaced by the first of the solid at its position
// (see placeSolid), so that the seam's and creases' copies join the parts on either side.
func weldedIndices(indices, weld []uint32) []uint32 {
	out := make([]uint32, len(indices))
	for i, v := range indices {
		out[i] = weld[v]
	}
	return out
}

// shapeError explains in the artist's words why the view main could not be shaped at target
// triangles.
func shapeError(main *view, target int, err error) error {
	switch {
	case errors.Is(err, mesh.ErrTooSmall):
		return main.refuse(fmt.Sprintf("the object is too small to model (%d×%d pixels)", main.box.Dx(), main.box.Dy()))
	case errors.Is(err, mesh.ErrTooThin):
		return main.refuse(fmt.Sprintf("the object is too thin to model with only %d triangles; ask for more", target))
	case errors.Is(err, turned.ErrTooFew):
		return main.refuse(fmt.Sprintf("the object has too many parts, one above another, to turn with only %d triangles; ask for more", target))
	}
	return err
}
