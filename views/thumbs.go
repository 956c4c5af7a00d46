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

// showModel shows the picture of a library asset's model in img, or, when no picture can be
// made (no renderer, a model the renderer refuses), the image at fallback.
func (t *thumbnails) showModel(img *canvas.Image, k *app.Kiln, assetID, fallback string, want func() bool) {
	go func() {
		path, err := k.ModelThumbnail(context.Background(), assetID)
		if err != nil {
			path = fallback
		}
		t.goUI(func() {
			if want() {
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
