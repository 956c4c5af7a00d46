// Package texture makes the model's single colour texture: the object cut out of each reference
// image, its background painted over with the nearest object colour, packed side by side.
package texture

import (
	"bytes"
	"context"
	"fmt"
	"image"
	"image/jpeg"

	"github.com/kiln3d/kiln/providers/local/field"
	"github.com/kiln3d/kiln/providers/local/raster"
)

// JPEGQuality balances size and fidelity; the material is opaque, so JPEG's lack of alpha costs
// nothing and it encodes several times faster and smaller than PNG for photographs.
const JPEGQuality = 90

// Padded returns the pixels of img inside rect (which must lie within f.Rect), opaque, with every
// background pixel replaced by the colour of the nearest object pixel. Edge padding keeps the
// background out of the silhouette when the texture is filtered or mipmapped: neighbouring texels
// of an outline texel are object colours too.
func Padded(ctx context.Context, img *image.NRGBA, f *field.Field, rect image.Rectangle) (*image.RGBA, error) {
	if !rect.In(f.Rect) {
		return nil, fmt.Errorf("texture: crop %v is not inside the field %v", rect, f.Rect)
	}
	fw := f.W()
	out := image.NewRGBA(image.Rect(0, 0, rect.Dx(), rect.Dy()))
	for y := rect.Min.Y; y < rect.Max.Y; y++ {
		if y%128 == 0 {
			if err := ctx.Err(); err != nil {
				return nil, err
			}
		}
		row := out.Pix[(y-rect.Min.Y)*out.Stride:]
		base := (y-f.Rect.Min.Y)*fw - f.Rect.Min.X
		for x := rect.Min.X; x < rect.Max.X; x++ {
			n := int(f.Nearest[base+x])
			if n < 0 {
				return nil, fmt.Errorf("texture: no object pixel near (%d, %d)", x, y)
			}
			sx, sy := f.Rect.Min.X+n%fw, f.Rect.Min.Y+n/fw
			p := img.Pix[sy*img.Stride+4*sx:]
			o := row[4*(x-rect.Min.X):]
			o[0], o[1], o[2], o[3] = p[0], p[1], p[2], 255
		}
	}
	return out, nil
}

// Place says where one source crop landed in the atlas, to map image positions to UVs.
type Place struct {
	// Src is the crop's rectangle in its source image, Dst its rectangle in the atlas.
	Src, Dst image.Rectangle
	// W and H are the atlas's size.
	W, H int
}

// UV maps image position (x, y) of the crop's source image, in pixels, to texture coordinates
// (origin top-left, v down, as glTF has them).
func (p Place) UV(x, y float64) [2]float32 {
	sx := float64(p.Dst.Dx()) / float64(p.Src.Dx())
	sy := float64(p.Dst.Dy()) / float64(p.Src.Dy())
	u := (float64(p.Dst.Min.X) + (x-float64(p.Src.Min.X))*sx) / float64(p.W)
	v := (float64(p.Dst.Min.Y) + (y-float64(p.Src.Min.Y))*sy) / float64(p.H)
	return [2]float32{float32(u), float32(v)}
}

// Atlas packs crops (taken from the rectangles srcs of their images) side by side, left to right,
// shrunk by one common factor when needed so that the atlas is at most maxSide on a side. Rows
// below a shorter crop repeat its last row, so filtering at its lower edge sees its own colours.
func Atlas(ctx context.Context, crops []*image.RGBA, srcs []image.Rectangle, maxSide int) (*image.RGBA, []Place, error) {
	if len(crops) == 0 || len(crops) != len(srcs) {
		return nil, nil, fmt.Errorf("texture: %d crops for %d sources", len(crops), len(srcs))
	}
	totalW, maxH := 0, 0
	for _, c := range crops {
		totalW += c.Rect.Dx()
		maxH = max(maxH, c.Rect.Dy())
	}
	scale := min(1, float64(maxSide)/float64(totalW), float64(maxSide)/float64(maxH))
	if len(crops) == 1 && scale == 1 {
		return crops[0], []Place{{Src: srcs[0], Dst: crops[0].Rect, W: crops[0].Rect.Dx(), H: crops[0].Rect.Dy()}}, nil
	}
	sized := make([]*image.RGBA, len(crops))
	atlasW, atlasH := 0, 0
	for i, c := range crops {
		w := max(1, int(float64(c.Rect.Dx())*scale))
		h := max(1, int(float64(c.Rect.Dy())*scale))
		sized[i] = c
		if w != c.Rect.Dx() || h != c.Rect.Dy() {
			// The crops are opaque, so their RGBA pixels read the same as NRGBA ones.
			s, err := raster.Shrink(ctx, &image.NRGBA{Pix: c.Pix, Stride: c.Stride, Rect: c.Rect}, w, h)
			if err != nil {
				return nil, nil, err
			}
			sized[i] = &image.RGBA{Pix: s.Pix, Stride: s.Stride, Rect: s.Rect}
		}
		atlasW += w
		atlasH = max(atlasH, h)
	}
	atlas := image.NewRGBA(image.Rect(0, 0, atlasW, atlasH))
	places := make([]Place, len(sized))
	x0 := 0
	for i, c := range sized {
		w, h := c.Rect.Dx(), c.Rect.Dy()
		for y := 0; y < atlasH; y++ {
			src := c.Pix[min(y, h-1)*c.Stride:][:4*w]
			copy(atlas.Pix[y*atlas.Stride+4*x0:], src)
		}
		places[i] = Place{Src: srcs[i], Dst: image.Rect(x0, 0, x0+w, h), W: atlasW, H: atlasH}
		x0 += w
	}
	return atlas, places, nil
}

// JPEG encodes the texture.
func JPEG(img *image.RGBA) ([]byte, error) {
	var buf bytes.Buffer
	buf.Grow(len(img.Pix) / 8)
	if err := jpeg.Encode(&buf, img, &jpeg.Options{Quality: JPEGQuality}); err != nil {
		return nil, fmt.Errorf("texture: encode JPEG: %w", err)
	}
	return buf.Bytes(), nil
}
