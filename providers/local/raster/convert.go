// Package raster holds the pixel plumbing of the local generator: converting decoded images to one
// layout and shrinking them with a box filter.
package raster

import (
	"image"
	"image/color"
)

// NRGBA returns img as a non-premultiplied 8-bit RGBA image whose bounds start at (0, 0). Images
// that already are one are returned as they are, so callers must treat the result as read-only.
func NRGBA(img image.Image) *image.NRGBA {
	b := img.Bounds()
	if m, ok := img.(*image.NRGBA); ok && b.Min == (image.Point{}) {
		return m
	}
	w, h := b.Dx(), b.Dy()
	dst := image.NewNRGBA(image.Rect(0, 0, w, h))
	for y := 0; y < h; y++ {
		readRow(img, y, dst.Pix[y*dst.Stride:y*dst.Stride+4*w])
	}
	return dst
}

// readRow writes row y (counted from the top of img's bounds) into dst as non-premultiplied RGBA.
//
// The common decoder outputs (NRGBA, RGBA, YCbCr, Gray) take fast paths: the generic path costs an
// interface call and a colour conversion per pixel, about ten times slower.
func readRow(img image.Image, y int, dst []uint8) {
	b := img.Bounds()
	w := b.Dx()
	y += b.Min.Y
	switch m := img.(type) {
	case *image.NRGBA:
		copy(dst, m.Pix[m.PixOffset(b.Min.X, y):][:4*w])
	case *image.RGBA:
		src := m.Pix[m.PixOffset(b.Min.X, y):]
		for i := 0; i < 4*w; i += 4 {
			r, g, bl, a := src[i], src[i+1], src[i+2], src[i+3]
			if a != 0 && a != 255 {
				// Premultiplied to straight colour, rounded.
				r = uint8((uint32(r)*255 + uint32(a)/2) / uint32(a))
				g = uint8((uint32(g)*255 + uint32(a)/2) / uint32(a))
				bl = uint8((uint32(bl)*255 + uint32(a)/2) / uint32(a))
			}
			dst[i], dst[i+1], dst[i+2], dst[i+3] = r, g, bl, a
		}
	case *image.YCbCr:
		for x := 0; x < w; x++ {
			yi := m.YOffset(b.Min.X+x, y)
			ci := m.COffset(b.Min.X+x, y)
			r, g, bl := color.YCbCrToRGB(m.Y[yi], m.Cb[ci], m.Cr[ci])
			dst[4*x], dst[4*x+1], dst[4*x+2], dst[4*x+3] = r, g, bl, 255
		}
	case *image.Gray:
		src := m.Pix[m.PixOffset(b.Min.X, y):]
		for x := 0; x < w; x++ {
			v := src[x]
			dst[4*x], dst[4*x+1], dst[4*x+2], dst[4*x+3] = v, v, v, 255
		}
	default:
		for x := 0; x < w; x++ {
			c := color.NRGBAModel.Convert(img.At(b.Min.X+x, y)).(color.NRGBA)
			dst[4*x], dst[4*x+1], dst[4*x+2], dst[4*x+3] = c.R, c.G, c.B, c.A
		}
	}
}
