// Package hull carves an object out of orthographic silhouettes: its visual hull, the largest
// solid whose outline seen from each given view is that view's mask. It aligns the views by the
// dimensions they share, samples the hull's signed distance on a voxel grid and extracts a closed,
// manifold surface from it with marching tetrahedra, every vertex placed on the silhouettes' own
// outlines rather than on the voxels'. It also tells views that contradict each other (Check),
// cuts the views down to one object (Keep) and snaps a processed surface back onto the hull and
// its sharp edges (Snap).
//
// Model space is glTF's: +Y up, the front facing +Z. The object's box is X ∈ [−W/2, W/2],
// Y ∈ [0, 1], Z ∈ [−D/2, D/2]: one unit is the object's height.
package hull

import (
	"fmt"
	"image"
	"math"

	"github.com/kiln3d/kiln/providers"
	"github.com/kiln3d/kiln/providers/local/field"
	"github.com/kiln3d/kiln/providers/local/mask"
)

// Silhouette is one view's object: which view it is, its mask and the mask's signed distance.
type Silhouette struct {
	View string // providers.ViewFront, ...
	Mask *mask.Mask
	Dist *field.Field
}

// Hull is the visual hull of a set of silhouettes.
type Hull struct {
	// Size is the object's box: width (X), height (Y, always 1) and depth (Z).
	Size    [3]float64
	Cameras []Camera
	// sec, when not nil, is the smooth prior between the views (see Rounded).
	sec *sections
}

// Camera maps model space to one view's image.
type Camera struct {
	View string
	// Dir is the unit vector from the object toward the camera.
	Dir [3]float64
	// Box is the object's bounding box in the view's image, in pixels.
	Box image.Rectangle
	sil *Silhouette
	// u and v give the image's x and y; scale is pixels per model unit, the geometric mean of
	// theirs, to turn image distances into model distances.
	u, v  axisMap
	scale float64
}

// axisMap is an image coordinate as an affine function of one model coordinate:
// origin + (sign·p[axis] + offset)·k.
type axisMap struct {
	axis                    int
	sign, offset, k, origin float64
}

func (a axisMap) at(p [3]float64) float64 { return a.origin + (a.sign*p[a.axis]+a.offset)*a.k }

// Axis is the model axis the camera looks along (0 for X, 1 for Y, 2 for Z).
func (c *Camera) Axis() int { return 3 - c.u.axis - c.v.axis }

// Project returns the image position (pixels) of model point p.
func (c *Camera) Project(p [3]float64) (x, y float64) { return c.u.at(p), c.v.at(p) }

// Dist is the silhouette's signed distance at model point p in model units, positive inside:
// how far p is, across the view, from the outline.
func (c *Camera) Dist(p [3]float64) float64 {
	x, y := c.Project(p)
	return c.sil.Dist.SampleDist(x, y) / c.scale
}

// Silhouette returns the view's silhouette.
func (c *Camera) Silhouette() *Silhouette { return c.sil }

// layout says which model axes a view's image shows across (u) and down (v), whether the image
// coordinate grows with the model one (+1) or against it (−1), and where the camera is.
type layout struct {
	u, v   int
	su, sv int8
	dir    [3]float64
}

func layoutOf(view string) (layout, bool) {
	switch view {
	case providers.ViewFront:
		return layout{0, 1, +1, -1, [3]float64{0, 0, 1}}, true
	case providers.ViewBack:
		return layout{0, 1, -1, -1, [3]float64{0, 0, -1}}, true
	case providers.ViewLeft:
		return layout{2, 1, +1, -1, [3]float64{-1, 0, 0}}, true
	case providers.ViewRight:
		return layout{2, 1, -1, -1, [3]float64{1, 0, 0}}, true
	case providers.ViewTop:
		return layout{0, 2, +1, +1, [3]float64{0, 1, 0}}, true
	}
	return layout{}, false
}

// New aligns the silhouettes and returns their hull. The views must be distinct and look along
// at least two different axes (front and back alone leave the depth unknown). Every mask must hold
// an object.
//
// Each view's object box is stretched onto the face of the model's box it sees, so views drawn at
// different scales or offsets line up: the front and the sides share the height, the front and
// the top the width, the sides and the top the depth. The height is 1; the width is the front's
// (or back's) aspect, else the top's; the depth the side's aspect, else the top's. Where two views
// give the same dimension, their mean is used.
func New(sils []Silhouette) (*Hull, error) {
	var width, depth []float64
	axes := map[int]bool{}
	var top *Silhouette
	for i := range sils {
		s := &sils[i]
		d, ok := layoutOf(s.View)
		if !ok {
			return nil, fmt.Errorf("hull: unknown view %q", s.View)
		}
		b := s.Mask.Bounds()
		if b.Empty() {
			return nil, fmt.Errorf("hull: the %s view has no object", s.View)
		}
		axes[3-d.u-d.v] = true
		aspect := float64(b.Dx()) / float64(b.Dy())
		switch s.View {
		case providers.ViewFront, providers.ViewBack:
			width = append(width, aspect)
		case providers.ViewLeft, providers.ViewRight:
			depth = append(depth, aspect)
		case providers.ViewTop:
			top = s
		}
	}
	if len(axes) < 2 {
		return nil, fmt.Errorf("hull: the views all look along one axis")
	}
	w, d := mean(width), mean(depth)
	if top != nil {
		b := top.Mask.Bounds()
		topAspect := float64(b.Dx()) / float64(b.Dy()) // width over depth
		switch {
		case w == 0:
			w = d * topAspect
		case d == 0:
			d = w / topAspect
		}
	}
	h := &Hull{Size: [3]float64{w, 1, d}}
	// The model's box along each axis: [lo, lo+size].
	lo := [3]float64{-w / 2, 0, -d / 2}
	for i := range sils {
		s := &sils[i]
		dm, _ := layoutOf(s.View)
		b := s.Mask.Bounds()
		c := Camera{View: s.View, Dir: dm.dir, Box: b, sil: s}
		c.u = fit(dm.u, dm.su, lo[dm.u], h.Size[dm.u], float64(b.Min.X), float64(b.Dx()))
		c.v = fit(dm.v, dm.sv, lo[dm.v], h.Size[dm.v], float64(b.Min.Y), float64(b.Dy()))
		c.scale = math.Sqrt(c.u.k * c.v.k)
		h.Cameras = append(h.Cameras, c)
	}
	return h, nil
}

// fit maps model coordinate axis, spanning [lo, lo+size], onto image pixels [start, start+n]:
// growing with it when sign is +1, against it when −1.
func fit(axis int, sign int8, lo, size, start, n float64) axisMap {
	a := axisMap{axis: axis, sign: float64(sign), k: n / size, origin: start}
	if sign > 0 {
		a.offset = -lo
	} else {
		a.offset = lo + size
	}
	return a
}

func mean(v []float64) float64 {
	if len(v) == 0 {
		return 0
	}
	s := 0.0
	for _, x := range v {
		s += x
	}
	return s / float64(len(v))
}

// Value is the hull's signed distance at p, positive inside: the least over the axes of
// AxisDist, and of the sections' distance once Rounded. Its zero set is the hull's surface;
// inside it is the distance to the nearest face, outside an underestimate near edges, which only
// makes root finding converge a little slower.
func (h *Hull) Value(p [3]float64) float64 {
	v := math.Inf(1)
	for a := 0; a < 3; a++ {
		if d, ok := h.AxisDist(a, p); ok {
			v = math.Min(v, d)
		}
	}
	if h.sec != nil {
		v = math.Min(v, h.SectionDist(p))
	}
	return v
}

// SectionDist is the signed distance at p of the section of its slice (see Rounded), +Inf where
// there is none: before Rounded, or in a slice outside some view's outline.
func (h *Hull) SectionDist(p [3]float64) float64 {
	if h.sec == nil {
		return math.Inf(1)
	}
	var bx, bz [8]interval
	xs, zs := h.sec.at(p[1], bx[:0], bz[:0])
	return sectionValue(xs, zs, p[0], p[2], h.sec.n)
}

// AxisDist is the signed distance at p of the outline seen along axis a: the mean of its views'
// (false when no view looks along a). Opposite views (front and back) show the same outline
// mirrored, so their differences are drawing or keying error: averaging splits it, where taking
// the narrower of the two at every point would shave both.
func (h *Hull) AxisDist(a int, p [3]float64) (float64, bool) {
	sum, n := 0.0, 0
	for i := range h.Cameras {
		if c := &h.Cameras[i]; c.Axis() == a {
			sum += c.Dist(p)
			n++
		}
	}
	if n == 0 {
		return 0, false
	}
	return sum / float64(n), true
}
