package app

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"image"
	"image/png"
	"math"
	"os"
	"path/filepath"

	"github.com/kiln3d/kiln/providers"
	"github.com/kiln3d/kiln/providers/atomicfile"
	"github.com/kiln3d/kiln/providers/imageio"
	"github.com/kiln3d/kiln/providers/local/cutout"
	"github.com/kiln3d/kiln/providers/local/mask"
	"github.com/kiln3d/kiln/providers/local/raster"
)

// CutOptions say how CutOut separates the object from the background.
type CutOptions struct {
	// Rect, when not empty, is a rectangle around the object in the image's own pixels: inside it
	// an iterative graph cut (GrabCut) separates object from background; outside it everything
	// is background. Empty: the object is found as the local provider finds it by itself (the
	// alpha channel, else the backdrop keyed out).
	Rect image.Rectangle
	// Tolerance, 0 to 1 (0.5 when 0), is how readily colours between the object's and the
	// background's are taken as object.
	Tolerance float64
}

// CutOut reads the image at path and separates the object from its background. The result has
// the image's size and colours, with alpha 255 on the object and 0 elsewhere: what `kiln mask`
// writes and what providers.Image.Mask names.
//
// An image that cannot be read, a rectangle outside the image and a cut-out with no object in
// it are refused with a *providers.InputError saying why. It stops promptly when ctx ends.
func CutOut(ctx context.Context, path string, opt CutOptions) (*image.NRGBA, error) {
	tol := opt.Tolerance
	if tol == 0 {
		tol = cutout.DefaultTolerance
	}
	if math.IsNaN(tol) || tol < 0 || tol > 1 {
		return nil, &providers.InputError{Reason: fmt.Sprintf("the cut-out's tolerance %g is not between 0 and 1", opt.Tolerance)}
	}
	decoded, _, err := imageio.Decode(path)
	if err != nil {
		return nil, err
	}
	img := raster.NRGBA(decoded)
	w, h := img.Bounds().Dx(), img.Bounds().Dy()
	var m *mask.Mask
	if opt.Rect.Empty() {
		m, err = cutout.Auto(ctx, img)
	} else {
		m, err = cutout.Cut(ctx, img, opt.Rect, tol)
	}
	if errors.Is(err, cutout.ErrRect) {
		return nil, &providers.InputError{File: path, Reason: err.Error()}
	}
	if err != nil {
		return nil, err
	}
	if m.Area() == 0 {
		reason := fmt.Sprintf("no object found in %s (it all looks like background)", filepath.Base(path))
		if r := opt.Rect.Intersect(img.Bounds()); !opt.Rect.Empty() && min(r.Dx(), r.Dy()) < tinyRect {
			reason = fmt.Sprintf("the rectangle in %s is %d×%d pixels, too small to hold an object: draw it around the whole object", filepath.Base(path), r.Dx(), r.Dy())
		} else if !opt.Rect.Empty() {
			reason = fmt.Sprintf("nothing inside the rectangle in %s stands out from the background: draw it closer around the object, or raise the tolerance", filepath.Base(path))
		}
		return nil, &providers.InputError{File: path, Reason: reason}
	}
	// The decoded image is this call's own: its alpha becomes the cut-out's, without a second
	// copy of what may be 50 megapixels.
	for y := 0; y < h; y++ {
		row := img.Pix[y*img.Stride : y*img.Stride+4*w]
		for x := 0; x < w; x++ {
			row[4*x+3] = 0
			if m.In[y*w+x] {
				row[4*x+3] = 255
			}
		}
	}
	return img, nil
}

// tinyRect is the side, in pixels, under which a rectangle that found no object is called too
// small rather than badly placed.
const tinyRect = 8

// SaveCutOut writes a cut-out into Kiln's cache and returns its path, for Image.Mask: the queue
// copies it into the job's inputs when the job is submitted.
//
// The file is named by the SHA-256 of its PNG, so the same cut-out saved twice is one file, and
// a file once named never changes under a job that refers to it.
func (k *Kiln) SaveCutOut(img *image.NRGBA) (string, error) {
	if img == nil || img.Bounds().Empty() {
		return "", errors.New("save cut-out: the cut-out is empty")
	}
	var buf bytes.Buffer
	if err := png.Encode(&buf, img); err != nil {
		return "", fmt.Errorf("save cut-out: %w", err)
	}
	sum := sha256.Sum256(buf.Bytes())
	path := filepath.Join(k.cutOutDir(), hex.EncodeToString(sum[:])+".png")
	if st, err := os.Stat(path); err == nil && st.Mode().IsRegular() && st.Size() == int64(buf.Len()) {
		return path, nil
	}
	if err := os.MkdirAll(k.cutOutDir(), 0o755); err != nil {
		return "", fmt.Errorf("save cut-out: %w", err)
	}
	if err := atomicfile.WriteBytes(path, 0o644, buf.Bytes()); err != nil {
		return "", fmt.Errorf("save cut-out: %w", err)
	}
	return path, nil
}

// cutOutDir holds the cut-outs the artist checked or corrected, until a job copies them.
func (k *Kiln) cutOutDir() string { return filepath.Join(k.Home, "cache", "cutouts") }
