package app

import (
	"image"
	"image/draw"

	xdraw "golang.org/x/image/draw"

	"github.com/kiln3d/kiln/providers/imageio"
)

// CheckImage reads the header of the image at path and explains why Kiln cannot use it, if it
// cannot: not an image, unreadable, too large. It does not decode the pixels.
func CheckImage(path string) error {
	_, err := imageio.Check(path)
	return err
}

// Thumbnail decodes the image at path and scales it to fit in size×size pixels, keeping its
// aspect ratio and transparency. A damaged file is reported like CheckImage reports it.
func Thumbnail(path string, size int) (image.Image, error) {
	img, _, err := imageio.Decode(path)
	if err != nil {
		return nil, err
	}
	b := img.Bounds()
	scale := min(float64(size)/float64(b.Dx()), float64(size)/float64(b.Dy()), 1)
	w, h := max(1, int(float64(b.Dx())*scale)), max(1, int(float64(b.Dy())*scale))
	src := boxReduce(img, 2*w, 2*h)
	dst := image.NewNRGBA(image.Rect(0, 0, w, h))
	xdraw.CatmullRom.Scale(dst, dst.Bounds(), src, src.Bounds(), draw.Src, nil)
	return dst, nil
}

// boxReduce averages whole blocks of pixels until the image is no more than about w×h, so the
// final filter only has a small reduction left to do (CatmullRom over a 60× reduction is slow).
func boxReduce(img image.Image, w, h int) image.Image {
	b := img.Bounds()
	f := min(b.Dx()/max(1, w), b.Dy()/max(1, h))
	if f < 2 {
		return img
	}
	src := image.NewNRGBA(b)
	draw.Draw(src, b, img, b.Min, draw.Src)
	out := image.NewNRGBA(image.Rect(0, 0, b.Dx()/f, b.Dy()/f))
	n := uint32(f * f)
	for y := range out.Rect.Dy() {
		for x := range out.Rect.Dx() {
			var sum [4]uint32
			for dy := range f {
				row := src.Pix[(y*f+dy)*src.Stride+x*f*4:]
				for dx := range f {
					p := row[dx*4 : dx*4+4]
					a := uint32(p[3])
					// Premultiply, so transparent pixels do not darken the edges.
					sum[0] += uint32(p[0]) * a
					sum[1] += uint32(p[1]) * a
					sum[2] += uint32(p[2]) * a
					sum[3] += a
				}
			}
			o := out.Pix[y*out.Stride+x*4:]
			if sum[3] > 0 {
				o[0], o[1], o[2] = uint8(sum[0]/sum[3]), uint8(sum[1]/sum[3]), uint8(sum[2]/sum[3])
			}
			o[3] = uint8(sum[3] / n)
		}
	}
	return out
}
