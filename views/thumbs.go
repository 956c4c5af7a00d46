package views

import (
	"container/list"
	"context"
	"image"
	"sync"
	"sync/atomic"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"

	"github.com/kiln3d/kiln/app"
)

// thumbnails decodes image thumbnails off the UI thread and keeps the most recently used in a
// cache bounded in bytes: scrolling a library of thousands of models decodes only the pictures of
// the tiles on screen, and memory stays flat however far the artist scrolls.
type thumbnails struct {
	size  int
	goUI  func(func())
	slots chan struct{} // bounds concurrent decodes: thumbnails must not starve the generator
	mu    sync.Mutex
	cache *lru
	// decoded counts the pictures decoded (for benchmarks and tests).
	decoded atomic.Int64
}

type thumb struct {
	img image.Image
	err error
}

// thumbSide is the side the pictures are decoded at: the largest a grid tile or the details
// pane shows them.
const thumbSide = 256

// thumbCacheBytes bounds the decoded pictures kept: 256 of the largest (256×256), some ten
// screenfuls of the grid; thousands of the small ones.
const thumbCacheBytes = 64 << 20

func newThumbnails(size int, goUI func(func())) *thumbnails {
	return &thumbnails{size: size, goUI: goUI, slots: make(chan struct{}, 2), cache: newLRU(thumbCacheBytes)}
}

// load calls set on the UI thread with the thumbnail of path, at once when cached.
func (t *thumbnails) load(path string, set func(image.Image, error)) {
	t.mu.Lock()
	c, ok := t.cache.get(path)
	t.mu.Unlock()
	if ok {
		set(c.img, c.err)
		return
	}
	go func() {
		t.slots <- struct{}{}
		t.mu.Lock()
		c, ok := t.cache.get(path) // decoded while this call waited
		t.mu.Unlock()
		if !ok {
			img, err := app.Thumbnail(path, t.size)
			t.decoded.Add(1)
			c = thumb{img, err}
			t.mu.Lock()
			t.cache.put(path, c)
			t.mu.Unlock()
		}
		<-t.slots
		t.goUI(func() { set(c.img, c.err) })
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

// showEntry shows the picture of a library entry in img: Kiln's rendering of its model when one
// is cached, else the provider's picture or the first input at once, then the model rendered (off
// the UI thread, one at a time). ctx is cancelled when the tile shows another entry: a rendering
// not yet started for a tile scrolled away is never made.
func (t *thumbnails) showEntry(ctx context.Context, img *canvas.Image, k *app.Kiln, e app.Entry, want func() bool) {
	if !e.Usable() {
		t.show(img, e.Picture, want)
		return
	}
	if p := k.CachedThumbnail(e.ID, e.ModelHash); p != "" {
		t.show(img, p, want)
		return
	}
	t.show(img, e.Picture, want)
	if !k.CanRenderThumbnails() {
		return
	}
	go func() {
		path, err := k.ModelThumbnail(ctx, e.ID)
		if err != nil {
			return
		}
		t.goUI(func() {
			if want() {
				t.show(img, path, want)
			}
		})
	}()
}

// lru is a cache of thumbnails bounded by the bytes of their pixels.
type lru struct {
	limit, used int
	order       *list.List // front: most recently used
	items       map[string]*list.Element
}

type lruItem struct {
	key   string
	value thumb
	bytes int
}

func newLRU(limit int) *lru {
	return &lru{limit: limit, order: list.New(), items: map[string]*list.Element{}}
}

func (c *lru) get(key string) (thumb, bool) {
	e, ok := c.items[key]
	if !ok {
		return thumb{}, false
	}
	c.order.MoveToFront(e)
	return e.Value.(*lruItem).value, true
}

func (c *lru) put(key string, v thumb) {
	if e, ok := c.items[key]; ok {
		c.used -= e.Value.(*lruItem).bytes
		c.order.Remove(e)
	}
	n := 64 // an error's entry
	if v.img != nil {
		b := v.img.Bounds()
		n += b.Dx() * b.Dy() * 4
	}
	c.items[key] = c.order.PushFront(&lruItem{key: key, value: v, bytes: n})
	c.used += n
	for c.used > c.limit && c.order.Len() > 1 {
		last := c.order.Back()
		it := last.Value.(*lruItem)
		c.order.Remove(last)
		delete(c.items, it.key)
		c.used -= it.bytes
	}
}
