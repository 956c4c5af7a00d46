// Package cutout separates an object from its background inside a rectangle the artist draws
// around it, by GrabCut (Rother, Kolmogorov and Blake, 2004): everything outside the rectangle is
// background; colour models of the object and of the background (Gaussian mixtures) and a
// minimum graph cut of the pixels are refined in turn until the cut settles. It also finds the
// object without a rectangle, as the local generator does (see Auto).
package cutout

import (
	"context"
	"errors"
	"fmt"
	"image"
	"math"

	"github.com/kiln3d/kiln/providers/local/mask"
	"github.com/kiln3d/kiln/providers/local/raster"
)

// coarseNodes bounds the pixels inside the rectangle that the iterations work on: a larger
// rectangle is cut on a shrunken copy of the image and its outline then refined at the working
// resolution, in a band around the coarse outline. A 512² graph keeps a 1024² image's cut-out
// under a second on two cores (BenchmarkCut: about 0.3 s of processor time).
const coarseNodes = 512 * 512

// maxBandNodes bounds the refinement's graph: an outline so ragged that its band would hold more
// pixels than this keeps the coarse outline, scaled up.
const maxBandNodes = 1 << 21

// Iterations: GrabCut settles in a handful; it stops when fewer than settled of the pixels
// change sides in an iteration.
const (
	maxIterations = 10
	settled       = 0.001
)

// toleranceBias is the most the tolerance shifts a pixel towards either side, in the colour
// terms' units (natural log of a likelihood ratio): e⁴, about 55 times likelier.
const toleranceBias = 4.0

// ErrRect is wrapped by every refusal of the rectangle.
var ErrRect = errors.New("the rectangle around the object")

// DefaultTolerance is the tolerance that favours neither side.
const DefaultTolerance = 0.5

// Cut separates the object inside rect (in img's coordinates) from the background and returns
// the object's pixels at img's size. Pixels outside the rectangle, and pixels less than half
// opaque, are background.
//
// tolerance, from 0 to 1, says how readily a colour between the object's and the background's
// goes to the object: at 0.5 a pixel goes to whichever colour model finds its colour likelier
// (the smoothness of the outline aside); at 0 it goes to the object only where the object's
// model finds its colour about 55 times likelier than the background's; at 1 it goes to the
// object unless the background's model finds it that much likelier. The colour models are learned
// without it and it moves only the final cut, so a higher tolerance's object holds a lower one's.
//
// A rectangle reaching past the image is clipped to it; one empty or wholly outside is refused
// with an error wrapping ErrRect. The result may be empty (nothing inside the rectangle stands
// out from the background); the caller decides how to say so.
func Cut(ctx context.Context, img *image.NRGBA, rect image.Rectangle, tolerance float64) (*mask.Mask, error) {
	return cut(ctx, img, rect, tolerance, coarseNodes)
}

// cut is Cut with the coarse graph's bound as a parameter, for the tests.
func cut(ctx context.Context, img *image.NRGBA, rect image.Rectangle, tolerance float64, coarseNodes int) (*mask.Mask, error) {
	if img == nil || img.Bounds().Empty() {
		return nil, errors.New("cut-out: the image is empty")
	}
	if math.IsNaN(tolerance) || tolerance < 0 || tolerance > 1 {
		return nil, fmt.Errorf("cut-out: the tolerance %g is not between 0 and 1", tolerance)
	}
	b := img.Bounds()
	if err := CheckRect(rect, b.Dx(), b.Dy()); err != nil {
		return nil, err
	}
	rect = rect.Sub(b.Min).Intersect(image.Rect(0, 0, b.Dx(), b.Dy()))
	src := raster.NRGBA(img) // bounds from (0, 0)

	fine, err := raster.Working(ctx, src, raster.WorkingSide)
	if err != nil {
		return nil, err
	}
	fineRect := scaleRect(rect, src.Bounds().Size(), fine.Bounds().Size())
	// The coarse level: the whole image shrunk so that the rectangle holds at most coarseNodes.
	coarse, coarseRect := fine, fineRect
	if area := fineRect.Dx() * fineRect.Dy(); area > coarseNodes {
		s := math.Sqrt(float64(coarseNodes) / float64(area))
		cw := max(1, int(float64(fine.Bounds().Dx())*s))
		ch := max(1, int(float64(fine.Bounds().Dy())*s))
		if coarse, err = raster.Shrink(ctx, fine, cw, ch); err != nil {
			return nil, err
		}
		coarseRect = scaleRect(fineRect, fine.Bounds().Size(), coarse.Bounds().Size())
	}

	bias := (2*tolerance - 1) * toleranceBias
	m, fg, bg, err := grabCut(ctx, coarse, coarseRect, bias)
	if err != nil {
		return nil, err
	}
	if coarse != fine {
		if m, err = refine(ctx, fine, fineRect, m, fg, bg, bias); err != nil {
			return nil, err
		}
	}
	if err := mask.Clean(ctx, m); err != nil {
		return nil, err
	}
	return mask.Resize(m, b.Dx(), b.Dy()), nil
}

// CheckRect refuses a rectangle that is empty or lies wholly outside a w×h image, with an error
// wrapping ErrRect that says which. A rectangle that only reaches past the image is accepted (Cut
// clips it).
func CheckRect(rect image.Rectangle, w, h int) error {
	switch {
	case rect.Dx() <= 0 || rect.Dy() <= 0:
		return fmt.Errorf("%w is empty (%d×%d pixels)", ErrRect, max(0, rect.Dx()), max(0, rect.Dy()))
	case !rect.Overlaps(image.Rect(0, 0, w, h)):
		return fmt.Errorf("%w (%d,%d %d×%d) lies outside the %d×%d image", ErrRect,
			rect.Min.X, rect.Min.Y, rect.Dx(), rect.Dy(), w, h)
	}
	return nil
}

// scaleRect maps r from an image of size from to one of size to, rounding outwards so that a
// rectangle never loses the object's edge, and keeping at least one pixel.
func scaleRect(r image.Rectangle, from, to image.Point) image.Rectangle {
	if from == to {
		return r
	}
	sx := float64(to.X) / float64(from.X)
	sy := float64(to.Y) / float64(from.Y)
	out := image.Rect(
		int(math.Floor(float64(r.Min.X)*sx)), int(math.Floor(float64(r.Min.Y)*sy)),
		int(math.Ceil(float64(r.Max.X)*sx)), int(math.Ceil(float64(r.Max.Y)*sy)),
	).Intersect(image.Rectangle{Max: to})
	if out.Empty() {
		x, y := min(to.X-1, int(float64(r.Min.X)*sx)), min(to.Y-1, int(float64(r.Min.Y)*sy))
		out = image.Rect(x, y, x+1, y+1)
	}
	return out
}

// Auto finds the object in img without a rectangle, as the local generator does by itself: by
// the alpha channel when the image has one, else by keying out the backdrop (see mask.Extract), on
// the image shrunk to raster.WorkingSide and scaled back to its size.
func Auto(ctx context.Context, img *image.NRGBA) (*mask.Mask, error) {
	if img == nil || img.Bounds().Empty() {
		return nil, errors.New("cut-out: the image is empty")
	}
	work, err := raster.Working(ctx, img, raster.WorkingSide)
	if err != nil {
		return nil, err
	}
	m, _, err := mask.Extract(ctx, work)
	if err != nil {
		return nil, err
	}
	return mask.Resize(m, img.Bounds().Dx(), img.Bounds().Dy()), nil
}
