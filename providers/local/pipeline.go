package local

import (
	"context"
	"errors"
	"fmt"
	"image"
	"path/filepath"
	"strings"

	"github.com/kiln3d/kiln/providers"
	"github.com/kiln3d/kiln/providers/local/field"
	"github.com/kiln3d/kiln/providers/local/glb"
	"github.com/kiln3d/kiln/providers/local/mesh"
	"github.com/kiln3d/kiln/providers/local/texture"
)

// What Collect tells the artist, stage by stage.
const (
	msgReading   = "Reading image"
	msgFinding   = "Finding the object"
	msgInflating = "Inflating the silhouette"
	msgBuilding  = "Building the mesh"
	msgTexturing = "Texturing"
	msgWriting   = "Writing the model"
)

// minHalfThickness is the least distance of any inside vertex from the mid-plane, as a share of
// the model's height (0.2 mm on a 1 m model). Right next to the outline the inflated height tends
// to zero; without a floor the front and back copies of a vertex there could land on the same
// point once positions are rounded, and tools that weld by position would see the surface pinch.
const minHalfThickness = 2e-4

// generate runs the whole pipeline and returns the model's GLB bytes. The same request always
// gives the same bytes.
func generate(ctx context.Context, req providers.Request, report func(providers.Progress)) ([]byte, error) {
	stage := func(fraction float64, msg string) error {
		if err := ctx.Err(); err != nil {
			return fmt.Errorf("local: cancelled before %s: %w", strings.ToLower(msg), err)
		}
		report(providers.Progress{Phase: providers.PhaseRunning, Fraction: fraction, Message: msg})
		return nil
	}
	fail := func(msg string, err error) error {
		if _, ok := errors.AsType[*providers.InputError](err); ok {
			return err // already says which file and why, in the artist's words
		}
		if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
			return fmt.Errorf("local: cancelled while %s: %w", strings.ToLower(msg), err)
		}
		return fmt.Errorf("local: %s: %w", strings.ToLower(msg), err)
	}

	if err := stage(0.02, msgReading); err != nil {
		return nil, err
	}
	views := make([]*view, len(req.Images))
	for i, img := range req.Images {
		v, err := readView(ctx, img.Path)
		if err != nil {
			return nil, fail(msgReading, err)
		}
		views[i] = v
	}
	front := views[0]

	if err := stage(0.15, msgFinding); err != nil {
		return nil, err
	}
	for _, v := range views {
		if err := v.findObject(ctx); err != nil {
			return nil, fail(msgFinding, err)
		}
	}

	if err := stage(0.3, msgInflating); err != nil {
		return nil, err
	}
	shape, err := field.New(ctx, front.mask, fieldPad)
	if err != nil {
		return nil, fail(msgInflating, err)
	}

	if err := stage(0.5, msgBuilding); err != nil {
		return nil, err
	}
	hFloor := minHalfThickness * float64(front.box.Dy())
	relief, err := mesh.Build(ctx, shape, front.box, req.Polycount, hFloor)
	switch {
	case errors.Is(err, mesh.ErrTooSmall):
		err = front.refuse(fmt.Sprintf("the object is too small to model (%d×%d pixels)", front.box.Dx(), front.box.Dy()))
	case errors.Is(err, mesh.ErrTooThin):
		err = front.refuse(fmt.Sprintf("the object is too thin to model with only %d triangles; ask for more", req.Polycount))
	}
	if err != nil {
		return nil, fail(msgBuilding, err)
	}

	if err := stage(0.7, msgTexturing); err != nil {
		return nil, err
	}
	model, tex, err := paint(ctx, views, shape, relief)
	if err != nil {
		return nil, fail(msgTexturing, err)
	}

	if err := stage(0.9, msgWriting); err != nil {
		return nil, err
	}
	name := strings.TrimSuffix(filepath.Base(front.path), filepath.Ext(front.path))
	out, err := glb.Encode(model, glb.Texture{Data: tex, MIMEType: "image/jpeg"}, name)
	if err != nil {
		return nil, fail(msgWriting, err)
	}
	return out, nil
}

// paint makes the texture from the views (front first) and the placed, textured mesh.
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
	m := place(r, frontUV, backUV, len(views) > 1)
	jpg, err := texture.JPEG(atlas)
	if err != nil {
		return nil, nil, err
	}
	return m, jpg, nil
}
