package viewport

import (
	"context"
	"fmt"
	"image"

	"github.com/kiln3d/kiln/preview"
)

// MaxImageSide is the largest side RenderImage draws, in pixels: 4096² is 64 MiB of RGBA, and
// more than most GPUs' largest render target in some drivers.
const MaxImageSide = 4096

// RenderImage draws the current view afresh at w×h pixels (not the frame on screen, which is
// the widget's size), with the background left out when transparent. It blocks for as long as
// the renderer takes: call it off the UI thread. Cancelling ctx, or closing the viewport, stops
// it.
func (v *Viewport) RenderImage(ctx context.Context, w, h int, transparent bool) (*image.RGBA, error) {
	if w < 1 || h < 1 || w > MaxImageSide || h > MaxImageSide {
		return nil, fmt.Errorf("viewport: an image of %d×%d pixels: give 1 to %d on each side", w, h, MaxImageSide)
	}
	if v.isClosed() {
		return nil, preview.ErrClosed
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	stop := context.AfterFunc(v.ctx, cancel)
	defer stop()
	view := v.View()
	view.Transparent, view.Moving = transparent, false
	img, err := v.r.Render(ctx, w, h, view)
	if err != nil {
		return nil, fmt.Errorf("viewport: render %d×%d: %w", w, h, err)
	}
	return img, nil
}
