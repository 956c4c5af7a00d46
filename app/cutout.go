package app

import (
	"context"
	"errors"
	"image"
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
func CutOut(ctx context.Context, path string, opt CutOptions) (*image.NRGBA, error) {
	return nil, errors.New("cut-out: not built yet")
}

// SaveCutOut writes a cut-out into Kiln's cache and returns its path, for Image.Mask: the queue
// copies it into the job's inputs when the job is submitted.
func (k *Kiln) SaveCutOut(img *image.NRGBA) (string, error) {
	return "", errors.New("cut-out: not built yet")
}
