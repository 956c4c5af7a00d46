package local

import (
	"context"
	"fmt"
	"image"
	"math"
	"path/filepath"

	"github.com/kiln3d/kiln/providers"
	"github.com/kiln3d/kiln/providers/imageio"
	"github.com/kiln3d/kiln/providers/local/mask"
	"github.com/kiln3d/kiln/providers/local/raster"
)

// Resolution limits. Everything (mask, distances, mesh, texture) works on the image shrunk to at
// most maxSide pixels a side (see raster.WorkingSide).
const (
	maxSide = raster.WorkingSide
	// fieldPad is the background margin around the object in the distance fields.
	fieldPad = 3
	// textureMargin is the margin of padded colour around the object in the texture.
	textureMargin = 2
	// atlasMargin is that margin for carved models, whose atlas packs several views side by
	// side: wide enough that mipmaps down to an eighth of the size do not blend a view's edge
	// with its neighbour's.
	atlasMargin = 8
	// hullPad is the background margin of carving views' distance fields: the texture crop
	// must lie within it.
	hullPad = atlasMargin + 1
)

// view is one reference image, decoded at working resolution, with its object.
type view struct {
	path string
	name string // the view it shows: providers.ViewFront, ...
	img  *image.NRGBA
	// cutout is the artist's cut-out of the image (providers.Image.Mask) at working resolution,
	// or nil to find the object automatically.
	cutout *mask.Mask
	mask   *mask.Mask
	box    image.Rectangle // the object's bounding box, in working pixels
}

// readView decodes the image (and its cut-out, when the artist gave one) and shrinks it to the
// working resolution.
func readView(ctx context.Context, in providers.Image) (*view, error) {
	img, _, err := imageio.Decode(in.Path)
	if err != nil {
		return nil, err
	}
	work, err := raster.Working(ctx, img, maxSide)
	if err != nil {
		return nil, err
	}
	v := &view{path: in.Path, img: work}
	if in.Mask != "" {
		if v.cutout, err = readCutOut(ctx, in.Mask, img.Bounds().Size(), work.Bounds().Size()); err != nil {
			return nil, err
		}
	}
	return v, nil
}

// maxCutOutSkew is how far a cut-out's proportions may differ from its image's: a cut-out made
// at another resolution rounds its sides, one of another image does not match at all.
const maxCutOutSkew = 0.02

// readCutOut reads the artist's cut-out of an image of size orig: its pixels at least half opaque
// are the object (all of them may be: an object that fills the photo). It is brought to the
// working size, shrunk by area or enlarged by nearest pixel.
func readCutOut(ctx context.Context, path string, orig, work image.Point) (*mask.Mask, error) {
	img, _, err := imageio.Decode(path)
	if err != nil {
		return nil, err
	}
	size := img.Bounds().Size()
	ratio := float64(size.X) * float64(orig.Y) / (float64(size.Y) * float64(orig.X))
	if math.Abs(ratio-1) > maxCutOutSkew {
		return nil, &providers.InputError{File: path, Reason: fmt.Sprintf(
			"the cut-out is %d×%d, which does not have the proportions of its image (%d×%d): it was made for another image", size.X, size.Y, orig.X, orig.Y)}
	}
	if size.X >= work.X && size.Y >= work.Y {
		// Shrunk by area: an edge pixel is object when most of what it covers is.
		scaled, err := raster.Shrink(ctx, img, work.X, work.Y)
		if err != nil {
			return nil, err
		}
		return mask.FromAlpha(scaled), nil
	}
	return mask.Resize(mask.FromAlpha(raster.NRGBA(img)), work.X, work.Y), nil
}

// findObject separates the object from the background, refusing an image without one. The
// artist's cut-out, when given, is taken as it is.
func (v *view) findObject(ctx context.Context) error {
	if v.cutout != nil {
		v.mask, v.box = v.cutout, v.cutout.Bounds()
		if v.box.Empty() {
			return v.refuse(fmt.Sprintf("the cut-out of %s marks no part of it as the object", filepath.Base(v.path)))
		}
		return nil
	}
	m, method, err := mask.Extract(ctx, v.img)
	if err != nil {
		return err
	}
	v.mask, v.box = m, m.Bounds()
	if v.box.Empty() {
		why := "the image is all background"
		if method == mask.Alpha {
			why = "the image is fully transparent"
			if !fullyTransparent(v.img) {
				why = "no part of the image is more than half opaque"
			}
		}
		return v.refuse(fmt.Sprintf("no object found in %s (%s)", filepath.Base(v.path), why))
	}
	return nil
}

// keepLargest drops every part of the object but the largest.
func (v *view) keepLargest() {
	v.mask = mask.Largest(v.mask)
	v.box = v.mask.Bounds()
}

// textureRect is the part of the image the texture holds: the object's box with a small margin,
// less where the margin would take the texture past maxSide.
func (v *view) textureRect() image.Rectangle { return textureRect(v.box, textureMargin) }

// textureRect is box with a margin around it, less where that would take it past maxSide.
func textureRect(box image.Rectangle, margin int) image.Rectangle {
	mx := max(0, min(margin, (maxSide-box.Dx())/2))
	my := max(0, min(margin, (maxSide-box.Dy())/2))
	return image.Rect(box.Min.X-mx, box.Min.Y-my, box.Max.X+mx, box.Max.Y+my)
}

func fullyTransparent(img *image.NRGBA) bool {
	w, h := img.Bounds().Dx(), img.Bounds().Dy()
	for y := 0; y < h; y++ {
		row := img.Pix[y*img.Stride : y*img.Stride+4*w]
		for i := 3; i < len(row); i += 4 {
			if row[i] != 0 {
				return false
			}
		}
	}
	return true
}

// refuse is an input error about this image.
func (v *view) refuse(reason string) error {
	return &providers.InputError{File: v.path, Reason: reason}
}
