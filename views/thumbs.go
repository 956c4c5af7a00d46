package views

import (
	"context"
	"image"
	"sync"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"

	"github.com/kiln3d/kiln/app"
)

// thumbnails decodes and caches image thumbnails off the UI thread.
type thumbnails struct {
	size  int
	goUI  func(func())
	slots chan struct{} // bounds concurrent decodes: thumbnails must not starve the generator
	mu    sync.Mutex
	cache map[string]thumb
}

type thumb struct {
	img image.Image
	err error
}

func newThumbnails(size int, goUI func(func())) *thumbnails {
	return &thumbnails{size: size, goUI: goUI, slots: make(chan struct{}, 2), cache: map[string]thumb{}}
}

// load calls set on the UI thread with the thumbnail of path, at once when cached.
func (t *thumbnails) load(path string, set func(image.Image, error)) {
	t.mu.Lock()
	c, ok := t.cache[path]
	t.mu.Unlock()
	if ok {
		set(c.img, c.err)
		return
	}
	go func() {
		t.slots <- struct{}{}
		img, err := app.Thumbnail(path, t.size)
		<-t.slots
		t.mu.Lock()
		t.cache[path] = thumb{img, err}
		t.mu.Unlock()
		t.goUI(func() { set(img, err) })
	}()
}

// show loads path's thumbnail into img; want says whether img still shows path when it arrives
// (list rows are recycled).
func (t *thumbnails) show(img *canvas.Image, path string, want func() bool) {
	img.Image = nil
	img.Refresh()
	if path == "" {
		return
	}
	t.load(path, func(i image.Image, err error) {
		if err == nil && want() {
			img.Image = i
			img.Refresh()
		}
	})
}

// showModel shows the picture of a library asset's model in img: the provider's own picture of
// it (Rodin's preview) at once when it sent one, then Kiln's rendering of the model; when no
// rendering can be made (no renderer, a model the renderer refuses), the provider's picture stays,
// or the image at fallback shows.
func (t *thumbnails) showModel(img *canvas.Image, k *app.Kiln, assetID, fallback string, want func() bool) {
	rendered := false
	go func() {
		var preview string
		if a, err := k.Library.Get(assetID); err == nil {
			preview = a.PreviewPath()
		}
		if preview != "" {
			t.goUI(func() {
				if want() && !rendered {
					t.show(img, preview, func() bool { return want() && !rendered })
				}
			})
		}
		path, err := k.ModelThumbnail(context.Background(), assetID)
		switch {
		case err == nil:
		case preview != "":
			return
		default:
			path = fallback
		}
		t.goUI(func() {
			if want() {
				rendered = true
				t.show(img, path, want)
			}
		})
	}()
}

func newThumbImage(size float32) *canvas.Image {
	img := canvas.NewImageFromImage(nil)
	img.FillMode = canvas.ImageFillContain
	img.ScaleMode = canvas.ImageScaleSmooth
	img.SetMinSize(fyne.NewSquareSize(size))
	return img
}
