package texture

import (
	"context"
	"fmt"
	"image"

	"github.com/kiln3d/kiln/providers/local/raster"
)

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

// Atlas packs crops (taken from the rectangles srcs of their images) in rows, in their order,
// shrunk by one common factor when needed so that the atlas is at most maxSide on a side. Of the
// ways to break the crops into rows it takes the one with the shortest longer side, which needs
// the least shrinking. Space beside and below a crop repeats its edge texels, so filtering and
// mipmapping at its edges see its own colours.
func Atlas(ctx context.Context, crops []*image.RGBA, srcs []image.Rectangle, maxSide int) (*image.RGBA, []Place, error) {
	if len(crops) == 0 || len(crops) != len(srcs) {
		return nil, nil, fmt.Errorf("texture: %d crops for %d sources", len(crops), len(srcs))
	}
	sizes := make([]image.Point, len(crops))
	for i, c := range crops {
		sizes[i] = c.Rect.Size()
	}
	rows := bestRows(sizes)
	_, w, h := arrange(sizes, rows)
	scale := min(1, float64(maxSide)/float64(w), float64(maxSide)/float64(h))
	if len(crops) == 1 && scale == 1 {
		c := crops[0]
		return c, []Place{{Src: srcs[0], Dst: c.Rect, W: c.Rect.Dx(), H: c.Rect.Dy()}}, nil
	}
	sized := make([]*image.RGBA, len(crops))
	for i, c := range crops {
		// Rounding each crop down keeps the packed atlas within the scaled bounds.
		sw := max(1, int(float64(c.Rect.Dx())*scale))
		sh := max(1, int(float64(c.Rect.Dy())*scale))
		sized[i] = c
		if sw != c.Rect.Dx() || sh != c.Rect.Dy() {
			// The crops are opaque, so their RGBA pixels read the same as NRGBA ones.
			s, err := raster.Shrink(ctx, &image.NRGBA{Pix: c.Pix, Stride: c.Stride, Rect: c.Rect}, sw, sh)
			if err != nil {
				return nil, nil, err
			}
			sized[i] = &image.RGBA{Pix: s.Pix, Stride: s.Stride, Rect: s.Rect}
		}
		sizes[i] = image.Pt(sw, sh)
	}
	dst, w, h := arrange(sizes, rows)
	atlas := image.NewRGBA(image.Rect(0, 0, w, h))
	places := make([]Place, len(sized))
	for i := range sized {
		places[i] = Place{Src: srcs[i], Dst: dst[i], W: w, H: h}
	}
	for _, row := range rows {
		paintRow(atlas, sized, dst, row)
	}
	return atlas, places, nil
}

// bestRows breaks the crops, in order, into rows no wider than the total width over r (or the
// widest crop), for every number of rows r, and keeps the arrangement with the shortest longer
// side; ties go to fewer rows.
func bestRows(sizes []image.Point) [][]int {
	total, widest := 0, 0
	for _, s := range sizes {
		total += s.X
		widest = max(widest, s.X)
	}
	var best [][]int
	bestSide := 0
	for r := 1; r <= len(sizes); r++ {
		limit := max(widest, (total+r-1)/r)
		var rows [][]int
		x := 0
		for i, s := range sizes {
			if len(rows) == 0 || x+s.X > limit {
				rows = append(rows, nil)
				x = 0
			}
			rows[len(rows)-1] = append(rows[len(rows)-1], i)
			x += s.X
		}
		_, w, h := arrange(sizes, rows)
		if side := max(w, h); best == nil || side < bestSide {
			best, bestSide = rows, side
		}
	}
	return best
}

// arrange places the crops row by row, each row below the tallest crop of the one before, and
// returns their rectangles and the atlas's size.
func arrange(sizes []image.Point, rows [][]int) ([]image.Rectangle, int, int) {
	dst := make([]image.Rectangle, len(sizes))
	w, y := 0, 0
	for _, row := range rows {
		x, tallest := 0, 0
		for _, i := range row {
			dst[i] = image.Rectangle{Min: image.Pt(x, y), Max: image.Pt(x+sizes[i].X, y+sizes[i].Y)}
			x += sizes[i].X
			tallest = max(tallest, sizes[i].Y)
		}
		w, y = max(w, x), y+tallest
	}
	return dst, w, y
}

// paintRow copies a row's crops into the atlas, repeating each crop's last texel row down to the
// row's bottom and the row's last texel column out to the atlas's right edge.
func paintRow(atlas *image.RGBA, crops []*image.RGBA, dst []image.Rectangle, row []int) {
	bottom := 0
	for _, i := range row {
		bottom = max(bottom, dst[i].Max.Y)
	}
	top := dst[row[0]].Min.Y
	for _, i := range row {
		c, d := crops[i], dst[i]
		w, h := d.Dx(), d.Dy()
		for y := top; y < bottom; y++ {
			src := c.Pix[min(y-top, h-1)*c.Stride:][:4*w]
			copy(atlas.Pix[y*atlas.Stride+4*d.Min.X:], src)
		}
	}
	right := dst[row[len(row)-1]].Max.X
	for y := top; y < bottom; y++ {
		line := atlas.Pix[y*atlas.Stride : (y+1)*atlas.Stride]
		edge := line[4*(right-1) : 4*right]
		for x := right; x < atlas.Rect.Dx(); x++ {
			copy(line[4*x:], edge)
		}
	}
}
