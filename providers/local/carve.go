package local

import (
	"context"
	"errors"
	"fmt"
	"image"
	"path/filepath"
	"strings"

	"github.com/kiln3d/kiln/providers"
	"github.com/kiln3d/kiln/providers/local/bake"
	"github.com/kiln3d/kiln/providers/local/hull"
	"github.com/kiln3d/kiln/providers/local/mesh"
	"github.com/kiln3d/kiln/providers/local/texture"
	"github.com/kiln3d/kiln/providers/local/work"
)

// carve makes the model from views along two or three axes (measured as sils): their visual hull with round
// sections between the views (see hull.Rounded), extracted on a lattice sized for the budget and
// textured face by face from the view that sees it best.
func carve(ctx context.Context, views []*view, sils []hull.Silhouette, target int, largest bool, stage stageFunc) (*shape, error) {
	if err := stage(0.3, msgCarving); err != nil {
		return nil, err
	}
	h, err := hull.New(sils)
	if err != nil {
		return nil, err
	}
	if err := hull.Check(ctx, h); err != nil {
		return nil, conflict(err, views)
	}
	if err := stage(0.45, msgBuilding); err != nil {
		return nil, err
	}
	if largest {
		if h, err = keepLargest(ctx, h); err != nil {
			return nil, err
		}
	}
	if h, err = h.Rounded(ctx); err != nil {
		return nil, err
	}
	s, err := hullSurface(ctx, h, target, decimate)
	if err != nil {
		return nil, tooThin(err, target)
	}
	part, count := mesh.TriangleParts(len(s.Pos), s.Indices)
	if largest && count > 1 {
		// Objects apart in 3D but overlapping in every view survive keepLargest: drop all but
		// the largest here, leaving the model a little under the budget rather than two objects.
		s, part, count = onlyLargest(s, part, count)
	}
	if err := stage(0.75, msgTexturing); err != nil {
		return nil, err
	}
	m, tex, err := paintHull(ctx, views, h, s)
	if err != nil {
		return nil, err
	}
	return &shape{parts: m.Split(part, count), texture: tex, turn: turnFor(providers.ViewFront)}, nil
}

// keepLargest returns the hull of the largest of h's objects alone (see hull.Keep), judged by
// volume on a fine lattice, or h itself when it holds one object.
func keepLargest(ctx context.Context, h *hull.Hull) (*hull.Hull, error) {
	probe, err := extract(ctx, h, fineMin)
	if errors.Is(err, hull.ErrTooThin) {
		return h, nil
	}
	if err != nil {
		return nil, err
	}
	part, count := mesh.TriangleParts(len(probe.Pos), probe.Indices)
	if count < 2 {
		return h, nil
	}
	keep := largestPart(probe, part, count)
	var pts [][3]float64
	for t, k := range part {
		if k == keep {
			for c := 0; c < 3; c++ {
				pts = append(pts, probe.Pos[probe.Indices[3*t+c]])
			}
		}
	}
	return h.Keep(ctx, pts)
}

// largestPart is the part (see mesh.TriangleParts) enclosing the most volume.
func largestPart(s *hull.Surface, part []int32, count int) int32 {
	best, bestVol := int32(0), 0.0
	for k := int32(0); k < int32(count); k++ {
		if v := mesh.Volume(s.Pos, s.Indices, part, k); v > bestVol {
			best, bestVol = k, v
		}
	}
	return best
}

// onlyLargest keeps the part enclosing the most volume.
func onlyLargest(s *hull.Surface, part []int32, count int) (*hull.Surface, []int32, int) {
	keep := largestPart(s, part, count)
	out := &hull.Surface{Pos: s.Pos}
	for t, k := range part {
		if k == keep {
			out.Indices = append(out.Indices, s.Indices[3*t:3*t+3]...)
		}
	}
	return out, make([]int32, out.Triangles()), 1
}

// paintHull textures the surface from the views, one atlas holding every view's crop.
func paintHull(ctx context.Context, views []*view, h *hull.Hull, s *hull.Surface) (*mesh.Mesh, []byte, error) {
	crops := make([]*image.RGBA, len(views))
	rects := make([]image.Rectangle, len(views))
	err := work.Each(ctx, len(views), func(i int) error {
		// The silhouette may be cut down to one object (see hull.Keep): its crop is its own.
		sil := h.Cameras[i].Silhouette()
		rects[i] = textureRect(sil.Mask.Bounds(), atlasMargin)
		var err error
		crops[i], err = texture.Padded(ctx, views[i].img, sil.Dist, rects[i])
		return err
	})
	if err != nil {
		return nil, nil, err
	}
	atlas, places, err := texture.Atlas(ctx, crops, rects, maxSide)
	if err != nil {
		return nil, nil, err
	}
	bviews := make([]bake.View, len(views))
	for i := range views {
		c := &h.Cameras[i]
		bviews[i] = bake.View{Dir: c.Dir, Project: c.Project, Box: c.Box, Place: places[i]}
	}
	label, err := bake.Choose(ctx, s.Pos, s.Indices, bviews)
	if err != nil {
		return nil, nil, err
	}
	m := bake.Textured(s.Pos, s.Indices, label, bviews)
	jpg, err := texture.JPEG(atlas)
	if err != nil {
		return nil, nil, err
	}
	return m, jpg, nil
}

// conflict explains a hull.Conflict in the artist's words, naming the views and their files.
func conflict(err error, views []*view) error {
	c, ok := errors.AsType[*hull.Conflict](err)
	if !ok {
		return err
	}
	named := func(vs []string) string {
		var parts []string
		for _, v := range vs {
			for _, w := range views {
				if w.name == v {
					parts = append(parts, fmt.Sprintf("%s (%s)", v, filepath.Base(w.path)))
				}
			}
		}
		if len(parts) == 1 {
			return parts[0]
		}
		return strings.Join(parts[:len(parts)-1], ", ") + " and " + parts[len(parts)-1]
	}
	const fix = "check that each image is tagged with the view it shows"
	if c.Odd == 0 {
		which := "all these"
		if len(c.Views) == 2 {
			which = "both"
		}
		return &providers.InputError{Reason: fmt.Sprintf("the %s views do not overlap: no object has %s outlines; %s", named(c.Views), which, fix)}
	}
	noun := "view does"
	if c.Odd > 1 {
		noun = "views do"
	}
	return &providers.InputError{Reason: fmt.Sprintf("the %s %s not match the %s views: an object with their outlines fills only %.0f%% of it; %s",
		named(c.Views[:c.Odd]), noun, named(c.Views[c.Odd:]), 100*c.Covered, fix)}
}

// tooThin explains hull.ErrTooThin.
func tooThin(err error, target int) error {
	if errors.Is(err, hull.ErrTooThin) {
		return &providers.InputError{Reason: fmt.Sprintf("the object is too thin to model with only %d triangles; ask for more", target)}
	}
	return err
}
