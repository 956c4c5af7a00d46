// Package texture makes the model's single colour texture: the object cut out of each reference
// image, its background painted over with the nearest object colour, packed into one atlas.
package texture

import (
	"bytes"
	"context"
	"fmt"
	"image"
	"image/jpeg"

	"github.com/kiln3d/kiln/providers/local/field"
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

// JPEG encodes the texture.
func JPEG(img *image.RGBA) ([]byte, error) {
	var buf bytes.Buffer
	buf.Grow(len(img.Pix) / 8)
	if err := jpeg.Encode(&buf, img, &jpeg.Options{Quality: JPEGQuality}); err != nil {
		return nil, fmt.Errorf("texture: encode JPEG: %w", err)
	}
	return buf.Bytes(), nil
}
