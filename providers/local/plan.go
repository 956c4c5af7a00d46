package local

import (
	"context"
	"fmt"
	"strings"

	"github.com/kiln3d/kiln/providers"
	"github.com/kiln3d/kiln/providers/local/field"
	"github.com/kiln3d/kiln/providers/local/hull"
	"github.com/kiln3d/kiln/providers/local/turned"
	"github.com/kiln3d/kiln/providers/local/work"
)

// making is how a model will be made from its views, decided before any mesh is built: carved
// from views along several axes, or shaped from one view as the choice says.
type making struct {
	carved bool
	// turnedViews: views along several axes that all show one solid of revolution, made Turned
	// from main and textured from every view (see turnsFromViews).
	turnedViews bool
	// main is the side view a Turned model from several views is made from.
	main    *view
	largest bool
	choice  choice
	// field is the shaping view's signed distance (one axis only).
	field *field.Field
	// sils are the views measured for the hull that aligns them (several axes only).
	sils []hull.Silhouette
	// shown says which model axes the images show (see scaleFor).
	shown [3]bool
	// footprint: a view from the top alone, sized by its footprint (see scaleFor).
	footprint bool
	// ext is the model's expected extent along each axis, in any unit: its proportions, for
	// judging and saying the size before the mesh exists.
	ext   [3]float64
	notes []string
}

// plan decides how views (objects found) become a model. It may cut views down to their largest
// object, as the request's "objects" option asks.
func plan(ctx context.Context, views []*view, req providers.Request, caps providers.Capabilities) (*making, error) {
	p := &making{largest: req.Option(caps, optionObjects) == objectsLargest}
	asked := req.Option(caps, OptionShape)
	if !alongOneAxis(views) {
		p.shown = [3]bool{true, true, true}
		var err error
		if p.sils, err = silhouettes(ctx, views); err != nil {
			return nil, err
		}
		h, err := hull.New(p.sils)
		if err != nil {
			return nil, err
		}
		p.ext = h.Size
		if asked == ShapeAuto || asked == ShapeTurned {
			if main, why, ok := turnsFromViews(views); ok {
				f, err := field.NewDistance(ctx, main.mask, fieldPad)
				if err != nil {
					return nil, err
				}
				axis, _ := turned.Axis(main.mask)
				p.turnedViews, p.main, p.field = true, main, f
				p.choice = choice{shape: ShapeTurned, auto: asked == ShapeAuto, why: why, axis: axis}
				p.notes = append(p.notes, p.choice.note())
				return p, nil
			}
		}
		p.carved = true
		names := make([]string, len(views))
		for i, v := range views {
			names[i] = v.name
		}
		n := "Shape: carved from the " + andList(names) + " views"
		switch asked {
		case ShapeTurned:
			n += " (Turned was asked, but they do not all show one solid of revolution)"
		case ShapeRound, ShapeFlat:
			n += " (Round and Flat are made from views along one axis)"
		}
		p.notes = append(p.notes, n)
		return p, nil
	}
	views = facing(views)
	if p.largest {
		for _, v := range views {
			v.keepLargest()
		}
	}
	main := views[0]
	f, err := field.NewDistance(ctx, main.mask, fieldPad)
	if err != nil {
		return nil, err
	}
	c, err := choose(asked, main, f)
	if err != nil {
		return nil, err
	}
	p.choice, p.field, p.footprint = c, f, main.name == providers.ViewTop
	p.notes = append(p.notes, c.note())
	if len(views) == 1 {
		p.notes = append(p.notes, fmt.Sprintf("The %s is the %s image mirrored: no %s view was given",
			opposite(main.name), main.name, opposite(main.name)))
	}

	// The image's own axes are shown; a Turned model's depth is its width.
	w, h := float64(main.box.Dx()), float64(main.box.Dy())
	var d float64
	switch c.shape {
	case ShapeTurned:
		d = w
	case ShapeFlat:
		d = thicknessPixels(req, caps, main)
	default:
		d = 2 * percent(req, caps, OptionDepth, depthRange) * f.MaxDist
	}
	img := [3]float64{w, h, d} // across the image, up it, along the view
	shown := [3]bool{true, true, c.shape == ShapeTurned}
	// Into the model's axes as turnFor turns it.
	r := turnFor(main.name)
	for a := 0; a < 3; a++ {
		p.ext[a], p.shown[a] = img[r.from[a]], shown[r.from[a]]
	}
	return p, nil
}

// opposite names the view facing view.
func opposite(view string) string {
	switch view {
	case providers.ViewFront:
		return providers.ViewBack
	case providers.ViewBack:
		return providers.ViewFront
	case providers.ViewLeft:
		return providers.ViewRight
	case providers.ViewRight:
		return providers.ViewLeft
	}
	return "bottom"
}

// andList joins words as a sentence does: "front, left and top".
func andList(words []string) string {
	if len(words) < 2 {
		return strings.Join(words, "")
	}
	return strings.Join(words[:len(words)-1], ", ") + " and " + words[len(words)-1]
}

// readViews decodes the request's images, names their views and finds each one's object,
// reporting that stage to found.
func readViews(ctx context.Context, req providers.Request, found stageFunc) ([]*view, error) {
	names, err := assignViews(req.Images)
	if err != nil {
		return nil, err
	}
	views := make([]*view, len(req.Images))
	err = work.Each(ctx, len(views), func(i int) error {
		v, err := readView(ctx, req.Images[i])
		if v != nil {
			v.name = names[i]
		}
		views[i] = v
		return err
	})
	if err != nil {
		return nil, err
	}
	if err := found(0.15, msgFinding); err != nil {
		return nil, err
	}
	if err := work.Each(ctx, len(views), func(i int) error { return views[i].findObject(ctx) }); err != nil {
		return nil, err
	}
	return views, nil
}

// Foresee reads the request's images and says the shape the model will take and why, and the
// size it will have; or refuses a size at odds with the images' proportions, as Collect would.
func (p Provider) Foresee(ctx context.Context, req providers.Request) (providers.Foresight, error) {
	caps := p.Capabilities()
	if err := providers.CheckRequest(caps, req); err != nil {
		return providers.Foresight{}, err
	}
	views, err := readViews(ctx, req, func(float64, string) error { return ctx.Err() })
	if err != nil {
		return providers.Foresight{}, err
	}
	m, err := plan(ctx, views, req, caps)
	if err != nil {
		return providers.Foresight{}, err
	}
	ext := m.ext
	if err := checkSize(ext, req.Size, m.shown); err != nil {
		return providers.Foresight{}, err
	}
	s := scaleFor(ext, req.Size, m.footprint, m.shown)
	return providers.Foresight{
		Size:  providers.Dimensions{WidthCM: ext[0] * s[0] * 100, HeightCM: ext[1] * s[1] * 100, DepthCM: ext[2] * s[2] * 100},
		Notes: m.notes,
	}, nil
}
