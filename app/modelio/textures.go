package modelio

import (
	"bytes"
	"fmt"
	"image"
	"image/jpeg"
	"image/png"
	"slices"

	"github.com/qmuntal/gltf"
	"golang.org/x/image/draw"
	_ "golang.org/x/image/webp" // EXT_texture_webp images are read, and written back as PNG

	"github.com/kiln3d/kiln/preview/inspect"
	"github.com/kiln3d/kiln/providers/geom/gltfdoc"
)

// TextureChange is one image DownscaleTextures resampled: its index, its name, and its size in
// pixels (width, height) before and after.
type TextureChange struct {
	Image    int
	Name     string
	From, To [2]int
}

// jpegQuality is the quality resampled JPEG textures are written at: no visible loss on a
// texture, at a fraction of quality 100's bytes.
const jpegQuality = 90

// DownscaleTextures brings every image larger than maxSize pixels on either side down to fit
// within maxSize, keeping its aspect ratio (maxSize <= 0: no limit). With powerOfTwo, every image
// whose sides are not powers of two is also brought down to powers of two: each side becomes the
// largest power of two not above its fitted size. Images are resampled with Catmull-Rom, colour and
// alpha apart so that transparent texels keep their colour (no dark fringes where an engine
// filters across an alpha edge).
//
// A PNG stays a PNG (grey stays grey, a palette is kept, so is alpha; 16-bit channels become
// 8-bit), a JPEG stays a JPEG (quality 90). A WebP that must change is written as a PNG, since Go
// cannot encode WebP: the textures that reached it through EXT_texture_webp then name it as their
// plain source, and the extension is dropped from the document when nothing uses it any more. A
// WebP that fits is left as it is.
//
// The new images go into new buffer views; the old views stay until Compact (which the writers
// call) drops them. An image that cannot be decoded (or is larger than the preview's inspection
// accepts) is an error naming it, and the model is then left with the images changed before it.
// It returns what changed, empty when nothing did.
func (m *Model) DownscaleTextures(maxSize int, powerOfTwo bool) ([]TextureChange, error) {
	if maxSize <= 0 && !powerOfTwo {
		return nil, nil
	}
	doc := m.Doc
	var changes []TextureChange
	webp := false
	for i, img := range doc.Images {
		data, err := imageBytes(doc, i)
		if err != nil {
			return changes, err
		}
		cfg, format, err := decodeHeader(data)
		if err != nil {
			return changes, fmt.Errorf("modelio: image %d %q (%s) cannot be read: %w; convert it to PNG or JPEG", i, img.Name, img.MimeType, err)
		}
		if cfg.Width > inspect.MaxTextureSide || cfg.Height > inspect.MaxTextureSide || int64(cfg.Width)*int64(cfg.Height) > inspect.MaxTexturePixels {
			return changes, fmt.Errorf("modelio: image %d %q is %d×%d pixels, more than Kiln decodes (%d a side, %d megapixels); scale it down in an image editor first",
				i, img.Name, cfg.Width, cfg.Height, inspect.MaxTextureSide, inspect.MaxTexturePixels>>20)
		}
		w, h := fitSize(cfg.Width, cfg.Height, maxSize, powerOfTwo)
		if w == cfg.Width && h == cfg.Height {
			continue
		}
		src, err := decodePixels(data)
		if err != nil {
			return changes, fmt.Errorf("modelio: image %d %q (%s) cannot be decoded: %w; convert it to PNG or JPEG", i, img.Name, img.MimeType, err)
		}
		out, mime, err := resample(src, format, w, h)
		if err != nil {
			return changes, fmt.Errorf("modelio: image %d %q: resampled to %d×%d: %w", i, img.Name, w, h, err)
		}
		img.BufferView = gltf.Index(appendView(doc, out))
		img.MimeType = mime
		if format == "webp" {
			plainSource(doc, i)
			webp = true
		}
		changes = append(changes, TextureChange{Image: i, Name: img.Name, From: [2]int{cfg.Width, cfg.Height}, To: [2]int{w, h}})
	}
	if webp && !usesWebP(doc) {
		drop := func(e string) bool { return e == gltfdoc.WebPExtension }
		doc.ExtensionsUsed = slices.DeleteFunc(doc.ExtensionsUsed, drop)
		doc.ExtensionsRequired = slices.DeleteFunc(doc.ExtensionsRequired, drop)
	}
	return changes, nil
}

// decodeHeader reads an image's header, turning a decoder's panic on a hostile file into an error.
func decodeHeader(data []byte) (cfg image.Config, format string, err error) {
	defer func() {
		if p := recover(); p != nil {
			err = fmt.Errorf("unreadable image header (%v)", p)
		}
	}()
	return image.DecodeConfig(bytes.NewReader(data))
}

// decodePixels decodes an image, turning a decoder's panic on a hostile file into an error.
func decodePixels(data []byte) (img image.Image, err error) {
	defer func() {
		if p := recover(); p != nil {
			err = fmt.Errorf("unreadable image (%v)", p)
		}
	}()
	img, _, err = image.Decode(bytes.NewReader(data))
	return img, err
}

// fitSize is the size an image of w×h pixels is brought to: within maxSize (when positive) with
// its aspect ratio, then, with powerOfTwo, each side down to a power of two.
func fitSize(w, h, maxSize int, powerOfTwo bool) (int, int) {
	if w <= 0 || h <= 0 {
		return w, h
	}
	if maxSize > 0 && (w > maxSize || h > maxSize) {
		if w >= h {
			w, h = maxSize, max(1, int((int64(h)*int64(maxSize)+int64(w)/2)/int64(w)))
		} else {
			w, h = max(1, int((int64(w)*int64(maxSize)+int64(h)/2)/int64(h))), maxSize
		}
	}
	if powerOfTwo {
		w, h = floorPowerOfTwo(w), floorPowerOfTwo(h)
	}
	return w, h
}

// floorPowerOfTwo is the largest power of two not above n (n >= 1).
func floorPowerOfTwo(n int) int {
	p := 1
	for p <= n/2 {
		p *= 2
	}
	return p
}

// resample scales src to w×h and encodes it: as JPEG when it was one, else as PNG.
func resample(src image.Image, format string, w, h int) ([]byte, string, error) {
	r := image.Rect(0, 0, w, h)
	var dst image.Image
	switch s := src.(type) {
	case *image.Gray, *image.Gray16:
		g := image.NewGray(r)
		draw.CatmullRom.Scale(g, r, s, s.Bounds(), draw.Src, nil)
		dst = g
	case *image.Paletted:
		// A paletted PNG stays paletted, in its own palette: textures made so (logos, pixel
		// art, flat colours) keep their few colours and their small size.
		var scaled image.Image
		if opaque(s) {
			rgba := image.NewRGBA(r)
			draw.CatmullRom.Scale(rgba, r, s, s.Bounds(), draw.Src, nil)
			scaled = rgba
		} else {
			scaled = scaleStraight(s, r)
		}
		p := image.NewPaletted(r, s.Palette)
		draw.Draw(p, r, scaled, image.Point{}, draw.Src)
		dst = p
	default:
		if opaque(src) {
			rgba := image.NewRGBA(r)
			draw.CatmullRom.Scale(rgba, r, src, src.Bounds(), draw.Src, nil)
			dst = rgba
		} else {
			dst = scaleStraight(src, r)
		}
	}
	var out bytes.Buffer
	if format == "jpeg" {
		if err := jpeg.Encode(&out, dst, &jpeg.Options{Quality: jpegQuality}); err != nil {
			return nil, "", err
		}
		return out.Bytes(), "image/jpeg", nil
	}
	if err := png.Encode(&out, dst); err != nil {
		return nil, "", err
	}
	return out.Bytes(), "image/png", nil
}

// opaque reports whether every pixel of img is fully opaque.
func opaque(img image.Image) bool {
	if o, ok := img.(interface{ Opaque() bool }); ok {
		return o.Opaque()
	}
	return false
}

// scaleStraight scales an image with alpha without premultiplying: colour and alpha are scaled
// as separate opaque images. Premultiplied scaling would blacken the colour of transparent
// texels, which engines then bleed into the visible edge.
func scaleStraight(src image.Image, r image.Rectangle) *image.NRGBA {
	b := src.Bounds()
	colour := image.NewRGBA(image.Rect(0, 0, b.Dx(), b.Dy()))
	alpha := image.NewGray(colour.Rect)
	n := image.NewNRGBA(colour.Rect)
	draw.Draw(n, n.Rect, src, b.Min, draw.Src) // straight (non-premultiplied) 8-bit pixels
	for i := 0; i < len(n.Pix); i += 4 {
		copy(colour.Pix[i:i+3], n.Pix[i:i+3])
		colour.Pix[i+3] = 0xff
		alpha.Pix[i/4] = n.Pix[i+3]
	}
	sc, sa := image.NewRGBA(r), image.NewGray(r)
	draw.CatmullRom.Scale(sc, r, colour, colour.Rect, draw.Src, nil)
	draw.CatmullRom.Scale(sa, r, alpha, alpha.Rect, draw.Src, nil)
	out := image.NewNRGBA(r)
	for i := 0; i < len(out.Pix); i += 4 {
		copy(out.Pix[i:i+3], sc.Pix[i:i+3])
		out.Pix[i+3] = sa.Pix[i/4]
	}
	return out
}

// appendView adds data at the end of the model's one buffer, 4-byte aligned, in a new buffer
// view, and returns the view's index.
func appendView(doc *gltf.Document, data []byte) int {
	if len(doc.Buffers) == 0 {
		doc.Buffers = []*gltf.Buffer{{}}
	}
	buf := doc.Buffers[len(doc.Buffers)-1]
	buf.Data = append(buf.Data, make([]byte, pad4(len(buf.Data)))...)
	doc.BufferViews = append(doc.BufferViews, &gltf.BufferView{
		Buffer:     len(doc.Buffers) - 1,
		ByteOffset: len(buf.Data),
		ByteLength: len(data),
	})
	buf.Data = append(buf.Data, data...)
	buf.ByteLength = len(buf.Data)
	return len(doc.BufferViews) - 1
}

// plainSource points every texture that reaches image i through EXT_texture_webp at it as its
// plain source, and drops the extension from those textures: image i is a PNG now.
func plainSource(doc *gltf.Document, i int) {
	for _, t := range doc.Textures {
		raw, ok := t.Extensions[gltfdoc.WebPExtension]
		if !ok {
			continue
		}
		if src, ok := gltfdoc.ExtensionSource(raw); ok && src == i {
			t.Source = gltf.Index(i)
			delete(t.Extensions, gltfdoc.WebPExtension)
			if len(t.Extensions) == 0 {
				t.Extensions = nil
			}
		}
	}
}

// usesWebP reports whether any texture still uses EXT_texture_webp or any image is still a WebP.
func usesWebP(doc *gltf.Document) bool {
	for _, t := range doc.Textures {
		if _, ok := t.Extensions[gltfdoc.WebPExtension]; ok {
			return true
		}
	}
	for _, img := range doc.Images {
		if img.MimeType == "image/webp" {
			return true
		}
	}
	return false
}
