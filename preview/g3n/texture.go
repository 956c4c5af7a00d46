package g3n

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"image"
	"image/draw"
	_ "image/jpeg" // base colour textures
	_ "image/png"  // base colour textures
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"sync"

	"github.com/g3n/engine/gls"
	"github.com/qmuntal/gltf"

	_ "golang.org/x/image/webp" // EXT_texture_webp
)

// maxTextureSide caps a texture's side: a preview gains nothing from 8K maps but their
// upload time and memory, so bigger ones are halved until they fit.
const maxTextureSide = 4096

// textureData is a decoded texture: tightly packed 8-bit RGBA rows, top row first (which is
// where glTF's UV origin is), with straight (not premultiplied) alpha, and its sampler.
// levels holds the mipmap chain down to 1×1 when the sampler's filter uses mipmaps.
type textureData struct {
	levels       []mipLevel
	magFilter    uint32
	minFilter    uint32
	wrapS, wrapT uint32
}

type mipLevel struct {
	w, h int
	pix  []byte
}

// decodeTextures decodes the textures materials use (used maps a glTF texture to its index
// in the result) in parallel: PNG and JPEG decoding is most of a textured model's load time.
// A texture that cannot be decoded is left nil: its material draws its colour alone.
func decodeTextures(ctx context.Context, path string, doc *gltf.Document, used map[int]int) ([]*textureData, error) {
	out := make([]*textureData, len(used))
	sem := make(chan struct{}, runtime.GOMAXPROCS(0))
	var wg sync.WaitGroup
	for ti, slot := range used {
		wg.Add(1)
		sem <- struct{}{}
		go func() {
			defer func() { <-sem; wg.Done() }()
			if ctx.Err() == nil {
				out[slot] = decodeTexture(path, doc, doc.Textures[ti])
			}
		}()
	}
	wg.Wait()
	return out, ctx.Err()
}

func decodeTexture(path string, doc *gltf.Document, t *gltf.Texture) (td *textureData) {
	defer func() {
		if recover() != nil { // a decoder's panic on a hostile image is not a crash
			td = nil
		}
	}()
	source := t.Source
	if source == nil {
		source = webpSource(t)
	}
	if source == nil || *source < 0 || *source >= len(doc.Images) {
		return nil
	}
	data := imageBytes(path, doc, doc.Images[*source])
	if data == nil {
		return nil
	}
	img, _, err := image.Decode(bytes.NewReader(data))
	if err != nil {
		return nil
	}
	td = &textureData{magFilter: gls.LINEAR, minFilter: gls.LINEAR_MIPMAP_LINEAR, wrapS: gls.REPEAT, wrapT: gls.REPEAT}
	if t.Sampler != nil && *t.Sampler >= 0 && *t.Sampler < len(doc.Samplers) {
		s := doc.Samplers[*t.Sampler]
		if s.MagFilter == gltf.MagNearest {
			td.magFilter = gls.NEAREST
		}
		td.minFilter = minFilter(s.MinFilter)
		td.wrapS, td.wrapT = wrap(s.WrapS), wrap(s.WrapT)
	}
	w, h, pix := straightRGBA(img)
	for max(w, h) > maxTextureSide {
		w, h, pix = halve(w, h, pix)
	}
	td.levels = []mipLevel{{w, h, pix}}
	// The mipmaps are made here, on the parsing goroutine, not with glGenerateMipmap: on a
	// fresh llvmpipe context that call compiles blit shaders, about 0.1 s of a first frame.
	if td.minFilter != gls.LINEAR && td.minFilter != gls.NEAREST {
		for w > 1 || h > 1 {
			w, h, pix = halve(w, h, pix)
			td.levels = append(td.levels, mipLevel{w, h, pix})
		}
	}
	return td
}

func minFilter(f gltf.MinFilter) uint32 {
	switch f {
	case gltf.MinNearest:
		return gls.NEAREST
	case gltf.MinLinear:
		return gls.LINEAR
	case gltf.MinNearestMipMapNearest:
		return gls.NEAREST_MIPMAP_NEAREST
	case gltf.MinLinearMipMapNearest:
		return gls.LINEAR_MIPMAP_NEAREST
	case gltf.MinNearestMipMapLinear:
		return gls.NEAREST_MIPMAP_LINEAR
	}
	return gls.LINEAR_MIPMAP_LINEAR
}

func wrap(w gltf.WrappingMode) uint32 {
	switch w {
	case gltf.WrapClampToEdge:
		return gls.CLAMP_TO_EDGE
	case gltf.WrapMirroredRepeat:
		return gls.MIRRORED_REPEAT
	}
	return gls.REPEAT
}

// webpSource reads EXT_texture_webp's image, for textures that have no PNG or JPEG fallback.
func webpSource(t *gltf.Texture) *int {
	raw, ok := t.Extensions["EXT_texture_webp"]
	if !ok {
		return nil
	}
	var ext struct {
		Source *int `json:"source"`
	}
	switch v := raw.(type) {
	case json.RawMessage:
		if json.Unmarshal(v, &ext) != nil {
			return nil
		}
	case map[string]any:
		if f, ok := v["source"].(float64); ok {
			i := int(f)
			ext.Source = &i
		}
	}
	return ext.Source
}

// imageBytes returns an image's encoded bytes: from a buffer view, a data URI, or a file
// beside the model (never outside its folder).
func imageBytes(path string, doc *gltf.Document, img *gltf.Image) []byte {
	switch {
	case img.BufferView != nil:
		bv := doc.BufferViews[*img.BufferView]
		if bv.Buffer < 0 || bv.Buffer >= len(doc.Buffers) {
			return nil
		}
		if buf := doc.Buffers[bv.Buffer].Data; bv.ByteOffset+bv.ByteLength <= len(buf) {
			return buf[bv.ByteOffset : bv.ByteOffset+bv.ByteLength]
		}
	case img.IsEmbeddedResource():
		data, err := img.MarshalData()
		if err == nil {
			return data
		}
	case img.URI != "":
		name := img.URI
		if u, err := unescape(name); err == nil {
			name = u
		}
		// os.DirFS refuses names that leave the model's folder ("../", absolute paths).
		data, err := fs.ReadFile(os.DirFS(filepath.Dir(path)), name)
		if err == nil {
			return data
		}
	}
	return nil
}

// unescape decodes the %XX escapes a glTF URI may hold (a space is "%20").
func unescape(s string) (string, error) {
	var b []byte
	for i := 0; i < len(s); i++ {
		if s[i] != '%' {
			b = append(b, s[i])
			continue
		}
		if i+2 >= len(s) {
			return "", fmt.Errorf("bad escape in %q", s)
		}
		var v byte
		for _, c := range []byte(s[i+1 : i+3]) {
			switch {
			case c >= '0' && c <= '9':
				v = v*16 + c - '0'
			case c >= 'a' && c <= 'f':
				v = v*16 + c - 'a' + 10
			case c >= 'A' && c <= 'F':
				v = v*16 + c - 'A' + 10
			default:
				return "", fmt.Errorf("bad escape in %q", s)
			}
		}
		b = append(b, v)
		i += 2
	}
	return string(b), nil
}

// straightRGBA returns img's pixels as tightly packed RGBA with straight alpha: GL blends and
// filters straight alpha here, and image.RGBA would premultiply (darkening cut-out edges).
func straightRGBA(img image.Image) (w, h int, pix []byte) {
	b := img.Bounds()
	w, h = b.Dx(), b.Dy()
	if n, ok := img.(*image.NRGBA); ok && n.Stride == 4*w && b.Min == (image.Point{}) {
		return w, h, n.Pix
	}
	if opaque(img) {
		// For opaque pixels premultiplied and straight are the same, and draw has fast
		// paths into RGBA from the decoders' YCbCr, Gray and Paletted images.
		dst := image.NewRGBA(image.Rect(0, 0, w, h))
		draw.Draw(dst, dst.Bounds(), img, b.Min, draw.Src)
		return w, h, dst.Pix
	}
	dst := image.NewNRGBA(image.Rect(0, 0, w, h))
	draw.Draw(dst, dst.Bounds(), img, b.Min, draw.Src)
	return w, h, dst.Pix
}

func opaque(img image.Image) bool {
	if o, ok := img.(interface{ Opaque() bool }); ok {
		return o.Opaque()
	}
	return false
}

// halve shrinks an RGBA image to half its size (rounded down, at least 1) with a 2×2 box
// filter; an odd last row or column folds into its neighbour.
func halve(w, h int, pix []byte) (int, int, []byte) {
	nw, nh := max(1, w/2), max(1, h/2)
	out := make([]byte, 4*nw*nh)
	for y := range nh {
		y0 := min(h-1, 2*y)
		y1 := min(h-1, 2*y+1)
		r0, r1 := pix[4*y0*w:4*(y0+1)*w], pix[4*y1*w:4*(y1+1)*w]
		o := out[4*y*nw : 4*(y+1)*nw]
		for x := range nw {
			a := 4 * min(w-1, 2*x)
			b := 4 * min(w-1, 2*x+1)
			for c := range 4 {
				o[4*x+c] = byte((int(r0[a+c]) + int(r0[b+c]) + int(r1[a+c]) + int(r1[b+c]) + 2) / 4)
			}
		}
	}
	return nw, nh, out
}
