package modeltest

import (
	"image"
	"image/color"
	"math"
)

// Solid is a union of simple primitives whose orthographic silhouettes are known exactly: the
// known shapes multi-view tests draw reference images of. Coordinates are glTF's (+Y up, the
// front facing +Z), in any unit.
type Solid []Primitive

// Primitive is one piece of a Solid.
type Primitive interface {
	// Hit says whether the line along axis (0 X, 1 Y, 2 Z) through p meets the primitive;
	// p[axis] is ignored.
	Hit(axis int, p [3]float64) bool
	// Bounds is the primitive's bounding box.
	Bounds() (lo, hi [3]float64)
}

// Box is an axis-aligned box.
type Box struct{ Lo, Hi [3]float64 }

// Hit implements Primitive.
func (b Box) Hit(axis int, p [3]float64) bool {
	for a := 0; a < 3; a++ {
		if a != axis && (p[a] < b.Lo[a] || p[a] > b.Hi[a]) {
			return false
		}
	}
	return true
}

// Bounds implements Primitive.
func (b Box) Bounds() (lo, hi [3]float64) { return b.Lo, b.Hi }

// Cylinder is a solid cylinder around Axis through Centre, Radius wide and Length long.
type Cylinder struct {
	Centre         [3]float64
	Axis           int
	Radius, Length float64
}

// Hit implements Primitive.
func (c Cylinder) Hit(axis int, p [3]float64) bool {
	d := sub3(p, c.Centre)
	if axis == c.Axis {
		d[axis] = 0
		return d[0]*d[0]+d[1]*d[1]+d[2]*d[2] <= c.Radius*c.Radius
	}
	third := 3 - axis - c.Axis
	return math.Abs(d[c.Axis]) <= c.Length/2 && math.Abs(d[third]) <= c.Radius
}

// Bounds implements Primitive.
func (c Cylinder) Bounds() (lo, hi [3]float64) {
	for a := 0; a < 3; a++ {
		r := c.Radius
		if a == c.Axis {
			r = c.Length / 2
		}
		lo[a], hi[a] = c.Centre[a]-r, c.Centre[a]+r
	}
	return lo, hi
}

// Torus is a ring around Axis through Centre: tube radius Minor at distance Major from the axis.
type Torus struct {
	Centre       [3]float64
	Axis         int
	Major, Minor float64
}

// Hit implements Primitive. Along the torus's axis the line sees an annulus; across it, the line
// (at height w along the axis and offset v in the ring's plane) meets the tube when |w| ≤ Minor
// and |v| ≤ Major + √(Minor² − w²).
func (t Torus) Hit(axis int, p [3]float64) bool {
	d := sub3(p, t.Centre)
	if axis == t.Axis {
		d[axis] = 0
		rho := math.Sqrt(d[0]*d[0] + d[1]*d[1] + d[2]*d[2])
		return math.Abs(rho-t.Major) <= t.Minor
	}
	w := d[t.Axis]
	v := d[3-axis-t.Axis]
	return math.Abs(w) <= t.Minor && math.Abs(v) <= t.Major+math.Sqrt(t.Minor*t.Minor-w*w)
}

// Bounds implements Primitive.
func (t Torus) Bounds() (lo, hi [3]float64) {
	for a := 0; a < 3; a++ {
		r := t.Major + t.Minor
		if a == t.Axis {
			r = t.Minor
		}
		lo[a], hi[a] = t.Centre[a]-r, t.Centre[a]+r
	}
	return lo, hi
}

func sub3(a, b [3]float64) [3]float64 { return [3]float64{a[0] - b[0], a[1] - b[1], a[2] - b[2]} }

// Bounds is the solid's bounding box.
func (s Solid) Bounds() (lo, hi [3]float64) {
	lo = [3]float64{math.Inf(1), math.Inf(1), math.Inf(1)}
	hi = [3]float64{math.Inf(-1), math.Inf(-1), math.Inf(-1)}
	for _, p := range s {
		l, h := p.Bounds()
		for a := 0; a < 3; a++ {
			lo[a], hi[a] = math.Min(lo[a], l[a]), math.Max(hi[a], h[a])
		}
	}
	return lo, hi
}

// Hit says whether the line along axis through p meets the solid.
func (s Solid) Hit(axis int, p [3]float64) bool {
	for _, prim := range s {
		if prim.Hit(axis, p) {
			return true
		}
	}
	return false
}

// Render draws the solid as seen orthographically from view ("front", "back", "left", "right",
// "top": where the camera stands, as providers names them) on a transparent w×h image, fitted
// inside it with a margin of a tenth of the smaller side, with colour(x, y) at each covered pixel
// (see ViewColour). Edge pixels are partly transparent: 4×4 samples per pixel.
func (s Solid) Render(view string, w, h int, colour func(x, y int) color.NRGBA) *image.NRGBA {
	axis := ViewAxis(view)
	lo, hi := s.Bounds()
	// The image's extent in view coordinates.
	var ulo, uhi, vlo, vhi = math.Inf(1), math.Inf(-1), math.Inf(1), math.Inf(-1)
	for _, c := range [8][3]float64{
		{lo[0], lo[1], lo[2]}, {hi[0], lo[1], lo[2]}, {lo[0], hi[1], lo[2]}, {hi[0], hi[1], lo[2]},
		{lo[0], lo[1], hi[2]}, {hi[0], lo[1], hi[2]}, {lo[0], hi[1], hi[2]}, {hi[0], hi[1], hi[2]},
	} {
		u, v := ViewProject(view, c)
		ulo, uhi = math.Min(ulo, u), math.Max(uhi, u)
		vlo, vhi = math.Min(vlo, v), math.Max(vhi, v)
	}
	margin := 0.1 * float64(min(w, h))
	k := math.Min((float64(w)-2*margin)/(uhi-ulo), (float64(h)-2*margin)/(vhi-vlo))
	cu, cv := (ulo+uhi)/2, (vlo+vhi)/2
	img := image.NewNRGBA(image.Rect(0, 0, w, h))
	for y := 0; y < h; y++ {
		for x := 0; x < w; x++ {
			n := 0
			for sy := 0; sy < 4; sy++ {
				for sx := 0; sx < 4; sx++ {
					u := cu + (float64(x)+(float64(sx)+0.5)/4-float64(w)/2)/k
					v := cv - (float64(y)+(float64(sy)+0.5)/4-float64(h)/2)/k
					if s.Hit(axis, ViewPoint(view, u, v)) {
						n++
					}
				}
			}
			if n == 0 {
				continue
			}
			c := colour(x, y)
			c.A = uint8(n * 255 / 16)
			img.SetNRGBA(x, y, c)
		}
	}
	return img
}

// ViewColour is a colouring for Render that tells the views apart: a hue of its own per view
// (front red, back yellow, left green, right cyan, top blue) with a checker of light and dark
// squares of 16 pixels, so that a texture taken from the wrong view, or shifted, shows.
func ViewColour(view string) func(x, y int) color.NRGBA {
	base := map[string]color.NRGBA{
		"front": {220, 40, 40, 255}, "back": {220, 200, 30, 255}, "left": {40, 190, 60, 255},
		"right": {40, 190, 200, 255}, "top": {50, 70, 220, 255},
	}[view]
	return func(x, y int) color.NRGBA {
		c := base
		if (x/16+y/16)%2 == 0 {
			c.R, c.G, c.B = c.R/2+20, c.G/2+20, c.B/2+20
		}
		return c
	}
}
