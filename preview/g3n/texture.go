package g3n

import (
	"bytes"
	"context"
	"image"
	"image/draw"
	_ "image/jpeg" // textures
	_ "image/png"  // textures
	"runtime"
	"sync"

	"github.com/g3n/engine/gls"
	"github.com/qmuntal/gltf"
	_ "golang.org/x/image/webp" // EXT_texture_webp

	"github.com/kiln3d/kiln/preview/inspect"
	"github.com/kiln3d/kiln/providers/geom/gltfdoc"
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
// Each is decoded once however many maps use it, and kept as the file's bytes say: colour
// maps (base colour, emissive) are sRGB and data maps (metallic-roughness, normal,
// occlusion) linear, and the shader decodes sRGB where a map holds colour.
// A texture that cannot be decoded is left nil: its material draws its factors alone.
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
	if i, ok := gltfdoc.WebPSource(t); source == nil && ok {
		source = &i
	}
	if source == nil || *source < 0 || *source >= len(doc.Images) {
		return nil
	}
	// Through inspect, which checked this image's header: a regular file in the model's folder
	// (a named pipe swapped in since would hang the open), within the texture limits.
	data, err := inspect.ImageData(path, doc, *source)
	if err != nil {
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

// straightRGBA returns img's pixels as tightly packed RGBA with straight alpha: GL blends and
// filters straight alpha here, and image.RGBA would premultiply (darkening cut-out edges).
func straightRGBA(img image.Image) (w, h int, pix []byte) {
	b := img.Bounds()
	w, h = b.Dx(), b.Dy()
	if n, ok := img.(*image.NRGBA); ok && n.Stride == 4*w && b.Min == (image.Point{}) {
		return w, h, n.Pix
	}
	if opaque(img) {
		// For opaque pixels premultiplied and straight are the same: the PNG decoder's RGBA
		// is used as it is, and draw has fast paths into RGBA from the decoders' YCbCr, Gray
		// and Paletted images.
		if r, ok := img.(*image.RGBA); ok && r.Stride == 4*w && b.Min == (image.Point{}) {
			return w, h, r.Pix[:4*w*h]
		}
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
