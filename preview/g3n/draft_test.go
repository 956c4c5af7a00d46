package g3n

import (
	"bytes"
	"context"
	"image"
	"testing"

	"github.com/kiln3d/kiln/preview"
)

// TestDraftFrames: the draft of a still frame (View.Draft, the first after a drag) draws a heavy
// model whole and at full size but without multisampling, exactly as an aliased renderer does,
// and the full frame that follows is anti-aliased; a light model's draft is already the full
// frame, and the frame that follows is a copy of it, the caller's to keep.
func TestDraftFrames(t *testing.T) {
	model := sphereModel(t, 2000, "sphere.glb")
	render := func(r *Renderer, v preview.View) *image.RGBA {
		t.Helper()
		img, err := r.Render(context.Background(), 160, 120, v)
		if err != nil {
			t.Fatal(err)
		}
		return img
	}
	v := preview.DefaultView()
	draft := v
	draft.Draft = true

	t.Run("heavy", func(t *testing.T) {
		above := proxyAbove
		proxyAbove = 100 // the sphere counts as heavy
		t.Cleanup(func() { proxyAbove = above })
		aa, aliased := newRenderer(t, 4), newRenderer(t, 0)
		load(t, aa, model)
		load(t, aliased, model)
		d, want := render(aa, draft), render(aliased, v)
		if !bytes.Equal(d.Pix, want.Pix) {
			t.Error("a heavy model's draft is not the aliased frame")
		}
		if full := render(aa, v); bytes.Equal(full.Pix, d.Pix) {
			t.Error("the full frame after the draft is not anti-aliased")
		}
	})
	t.Run("light", func(t *testing.T) {
		aa := newRenderer(t, 4)
		load(t, aa, model)
		want := render(aa, v)
		d := render(aa, draft)
		if !bytes.Equal(d.Pix, want.Pix) {
			t.Error("a light model's draft is not its full frame")
		}
		full := render(aa, v)
		if !bytes.Equal(full.Pix, want.Pix) {
			t.Error("the frame after a light model's draft is not its full frame")
		}
		d.Pix[0]++ // the caller's own pixels
		if full.Pix[0] == d.Pix[0] {
			t.Error("the draft and the frame after it share their pixels")
		}
		if moved := render(aa, v.Orbit(0.5, 0)); bytes.Equal(moved.Pix, want.Pix) {
			t.Error("a later view was answered with the kept draft")
		}
	})
}
