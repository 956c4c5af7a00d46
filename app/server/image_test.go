package server

import (
	"image"
	"image/color"
	"io"
	"log/slog"
)

// disc is a size×size picture of an orange disc on transparency.
func disc(size int) *image.NRGBA {
	img := image.NewNRGBA(image.Rect(0, 0, size, size))
	c, r := float64(size)/2, float64(size)*0.4
	for y := range size {
		for x := range size {
			dx, dy := float64(x)+0.5-c, float64(y)+0.5-c
			if dx*dx+dy*dy < r*r {
				img.Set(x, y, color.NRGBA{220, 120, 40, 255})
			}
		}
	}
	return img
}

func discardLogger() *slog.Logger { return slog.New(slog.NewTextHandler(io.Discard, nil)) }
