package flat

import (
	"cmp"
	"fmt"
	"image"
	"maps"
	"slices"

	"github.com/kiln3d/kiln/providers/local/field"
	"github.com/kiln3d/kiln/providers/local/mask"
)

// Auto's rule for Flat, measured on the corpus's objects (fruit, a turkey, a flower, a cylinder, a
// wheel: all Round or Turned) and on drawn sprites and logos (see suits_test.go).
const (
	// thinShare: an object whose largest inscribed disc is at most this share of its longest
	// side across is thin (a stick, a blade of grass, a line drawing). The corpus's thinnest
	// object, the cylinder, is 0.31; a 1:20 rod is 0.05.
	thinShare = 0.06
	// paletteSize and paletteShare: an object is drawn in flat colours (pixel art, a logo) when
	// its paletteSize most common exact colours cover paletteShare of its pixels. Photographed
	// objects reach 0.3–2% (noise and shading make nearly every pixel its own colour); pixel art
	// 100%, an antialiased logo 85% or more.
	paletteSize  = 16
	paletteShare = 0.75
	// hardShare: an outline is hard-edged (pixel art's stair steps) when at least this share of
	// the pixels along it are fully opaque or fully transparent; antialiased or photographed
	// outlines blend most of them. It only words the reason.
	hardShare = 0.95
	// maxSamples bounds the pixels read for the colours: a grid of about this many is enough.
	maxSamples = 1 << 16
)

// Suits says whether an object would be better Flat than Round or Turned: Auto's rule "a very
// thin or sprite-like subject". img is the image the mask m was cut from, f m's distance field.
// why says what was found, in the artist's words, whichever the answer.
func Suits(img *image.NRGBA, m *mask.Mask, f *field.Field) (ok bool, why string) {
	box := m.Bounds()
	if img == nil || f == nil || box.Empty() || !box.In(img.Bounds().Sub(img.Bounds().Min)) {
		return false, "there is no object to judge"
	}
	size := max(box.Dx(), box.Dy())
	across := 2 * f.MaxDist / float64(size)
	if across <= thinShare {
		return true, fmt.Sprintf("the outline is thin: at most %.0f%% of its length across", 100*max(across, 0.01))
	}
	share := paletteCover(img, m, box)
	if share >= paletteShare {
		kind := "a logo or a drawing"
		if hardEdges(img, m, box) {
			kind = "hard-edged pixel art"
		}
		return true, fmt.Sprintf("it looks like %s: %d colours make %.0f%% of it", kind, paletteSize, 100*share)
	}
	return false, fmt.Sprintf("it looks solid: %.0f%% of its length across, shaded in many colours", 100*across)
}

// paletteCover is the share of the object's pixels (a grid of them, for a large image) whose
// exact colour is one of the paletteSize most common.
func paletteCover(img *image.NRGBA, m *mask.Mask, box image.Rectangle) float64 {
	step := 1
	for box.Dx()*box.Dy()/(step*step) > maxSamples {
		step++
	}
	counts := make(map[uint32]int)
	total := 0
	o := img.Bounds().Min
	for y := box.Min.Y; y < box.Max.Y; y += step {
		for x := box.Min.X; x < box.Max.X; x += step {
			if !m.At(x, y) {
				continue
			}
			p := img.Pix[img.PixOffset(o.X+x, o.Y+y):]
			counts[uint32(p[0])<<16|uint32(p[1])<<8|uint32(p[2])]++
			total++
		}
	}
	if total == 0 {
		return 0
	}
	top := slices.SortedFunc(maps.Values(counts), func(a, b int) int { return cmp.Compare(b, a) })
	covered := 0
	for _, n := range top[:min(paletteSize, len(top))] {
		covered += n
	}
	return float64(covered) / float64(total)
}

// hardEdges says whether the pixels on either side of the outline are nearly all fully opaque
// or fully transparent, as pixel art's are.
func hardEdges(img *image.NRGBA, m *mask.Mask, box image.Rectangle) bool {
	o := img.Bounds().Min
	bounds := image.Rect(0, 0, img.Bounds().Dx(), img.Bounds().Dy())
	edge, soft := 0, 0
	grown := box.Inset(-1).Intersect(bounds)
	for y := grown.Min.Y; y < grown.Max.Y; y++ {
		for x := grown.Min.X; x < grown.Max.X; x++ {
			in := m.At(x, y)
			if m.At(x-1, y) == in && m.At(x+1, y) == in && m.At(x, y-1) == in && m.At(x, y+1) == in {
				continue
			}
			edge++
			if a := img.Pix[img.PixOffset(o.X+x, o.Y+y)+3]; a > 8 && a < 247 {
				soft++
			}
		}
	}
	return edge > 0 && float64(soft) <= (1-hardShare)*float64(edge)
}
