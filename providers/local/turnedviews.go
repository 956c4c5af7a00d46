package local

import (
	"context"
	"fmt"
	"math"

	"github.com/kiln3d/kiln/providers"
	"github.com/kiln3d/kiln/providers/local/field"
	"github.com/kiln3d/kiln/providers/local/hull"
	"github.com/kiln3d/kiln/providers/local/mask"
	"github.com/kiln3d/kiln/providers/local/mesh"
	"github.com/kiln3d/kiln/providers/local/turned"
	"github.com/kiln3d/kiln/providers/local/work"
)

// sameOutline is the least IoU at which two views' outlines, brought to one size, are taken for
// the same: a vase photographed from the front and the side, or its round top.
const sameOutline = 0.97

// outlineSamples is the rows across which outlines are compared: finer than any difference an
// artist's photos would show, coarse enough to cost nothing.
const outlineSamples = 256

// turnsFromViews says whether views along several axes all show one solid of revolution: every
// side view the same mirror-symmetric outline without holes, and the top view, when given, round.
// Then the Turned shape of one side view matches every view exactly, where carving could only
// approximate between them. It returns that side view, and why, in the artist's words.
func turnsFromViews(views []*view) (*view, string, bool) {
	var main *view
	for _, name := range []string{providers.ViewFront, providers.ViewLeft, providers.ViewBack, providers.ViewRight} {
		for _, v := range views {
			if v.name == name && main == nil {
				main = v
			}
		}
	}
	if main == nil {
		return nil, "", false
	}
	_, score := turned.Axis(main.mask)
	if score < turned.Symmetric || rowFill(main.mask) < solidRows {
		return nil, "", false
	}
	worst := 1.0
	for _, v := range views {
		if v == main {
			continue
		}
		var iou float64
		if v.name == providers.ViewTop {
			iou = roundness(v.mask)
		} else {
			iou = outlineIoU(main.mask, v.mask)
		}
		worst = math.Min(worst, iou)
	}
	if worst < sameOutline {
		return nil, "", false
	}
	names := make([]string, len(views))
	for i, v := range views {
		names[i] = v.name
	}
	return main, fmt.Sprintf("the %s views show one solid of revolution (the outline mirror-symmetric, %.0f%%; the views alike, %.0f%%)",
		andList(names), 100*score, 100*worst), true
}

// sampleBox samples m's object box on a grid of rows × cols cells, at their centres.
func sampleBox(m *mask.Mask, rows, cols int) []bool {
	b := m.Bounds()
	out := make([]bool, rows*cols)
	for j := 0; j < rows; j++ {
		y := b.Min.Y + int((float64(j)+0.5)*float64(b.Dy())/float64(rows))
		for i := 0; i < cols; i++ {
			x := b.Min.X + int((float64(i)+0.5)*float64(b.Dx())/float64(cols))
			out[j*cols+i] = m.At(x, y)
		}
	}
	return out
}

// outlineIoU compares two outlines brought to the same height, each on its own object box: 0 when
// their proportions differ by more than sameOutline allows, else the IoU of their shapes (the
// better of b as it is and mirrored: a back or right view sees the object the other way round).
func outlineIoU(a, b *mask.Mask) float64 {
	ba, bb := a.Bounds(), b.Bounds()
	ra := float64(ba.Dx()) / float64(ba.Dy())
	rb := float64(bb.Dx()) / float64(bb.Dy())
	if math.Abs(ra/rb-1) > 1-sameOutline {
		return 0
	}
	cols := max(1, int(math.Round(outlineSamples*ra)))
	sa, sb := sampleBox(a, outlineSamples, cols), sampleBox(b, outlineSamples, cols)
	return math.Max(gridIoU(sa, sb, cols, false), gridIoU(sa, sb, cols, true))
}

// roundness is the IoU of a top view's outline and the disc its box holds: 1 for a round top, 0
// for an oblong one (a solid of revolution seen from above is a disc).
func roundness(m *mask.Mask) float64 {
	b := m.Bounds()
	if r := float64(b.Dx()) / float64(b.Dy()); math.Abs(r-1) > 1-sameOutline {
		return 0
	}
	disc := make([]bool, outlineSamples*outlineSamples)
	for j := 0; j < outlineSamples; j++ {
		for i := 0; i < outlineSamples; i++ {
			u := (float64(i)+0.5)/outlineSamples - 0.5
			v := (float64(j)+0.5)/outlineSamples - 0.5
			disc[j*outlineSamples+i] = u*u+v*v <= 0.25
		}
	}
	return gridIoU(sampleBox(m, outlineSamples, outlineSamples), disc, outlineSamples, false)
}

// gridIoU is the IoU of two samplings of cols columns (sampleBox), b read mirrored when asked.
func gridIoU(a, b []bool, cols int, mirror bool) float64 {
	var inter, union int
	for k, x := range a {
		i, j := k%cols, k/cols
		if mirror {
			i = cols - 1 - i
		}
		y := b[j*cols+i]
		if x && y {
			inter++
		}
		if x || y {
			union++
		}
	}
	if union == 0 {
		return 0
	}
	return float64(inter) / float64(union)
}

// silhouettes measures each view's object for the hull that aligns the views.
func silhouettes(ctx context.Context, views []*view) ([]hull.Silhouette, error) {
	sils := make([]hull.Silhouette, len(views))
	err := work.Each(ctx, len(views), func(i int) error {
		f, err := field.NewDistance(ctx, views[i].mask, hullPad)
		sils[i] = hull.Silhouette{View: views[i].name, Mask: views[i].mask, Dist: f}
		return err
	})
	return sils, err
}

// turnViews makes the Turned shape of p's side view and textures it from every view, as a carved
// model is textured: each face from the view that sees it best.
func turnViews(ctx context.Context, views []*view, p *making, target int, stage stageFunc) (*shape, error) {
	if err := stage(0.3, msgTurning); err != nil {
		return nil, err
	}
	s, err := turned.Build(ctx, p.field, p.main.mask, p.choice.axis, target)
	if err != nil {
		return nil, shapeError(p.main, target, err)
	}
	if err := stage(0.7, msgTexturing); err != nil {
		return nil, err
	}
	h, err := hull.New(p.sils)
	if err != nil {
		return nil, err
	}
	// Into the hull's frame (the front facing +Z, 1 tall from y = 0, centred): the side view's
	// solid is turned to face its own camera, and welded, as the views texture one surface.
	world := toModel(s.Pos)
	r := turnFor(p.main.name)
	first := make(map[[3]float64]uint32, len(world))
	weld := make([]uint32, len(world))
	for i, q := range world {
		q = [3]float64{r.sign[0] * q[r.from[0]], r.sign[1] * q[r.from[1]], r.sign[2] * q[r.from[2]]}
		world[i] = q
		w, ok := first[q]
		if !ok {
			w = uint32(i)
			first[q] = w
		}
		weld[i] = w
	}
	indices := weldedIndices(s.Indices, weld)
	m, jpg, err := paintHull(ctx, views, h, &hull.Surface{Pos: world, Indices: indices})
	if err != nil {
		return nil, err
	}
	part, count := mesh.TriangleParts(len(world), indices)
	return &shape{parts: m.Split(part, count), texture: jpg, turn: turnFor(providers.ViewFront)}, nil
}
