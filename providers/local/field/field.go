// Package field turns an object mask into the two scalar fields the mesh is cut from: the signed
// distance to the outline, and the height of the inflated surface above the mid-plane.
package field

import (
	"context"
	"fmt"
	"image"
	"math"

	"github.com/kiln3d/kiln/providers/local/mask"
)

// Field samples the object over Rect, a region of the image in pixels that holds the whole object
// with a margin of background around it. Values are stored at pixel centres: sample (i, j) sits at
// image position (Rect.Min.X+i+0.5, Rect.Min.Y+j+0.5).
type Field struct {
	Rect image.Rectangle
	// Dist is the signed distance to the outline in pixels, positive inside. The outline runs along
	// the pixel edges between object and background, so the two sides of an edge hold ±0.5.
	Dist []float32
	// Height2 is the squared half-thickness of the inflated object (may be negative outside it).
	Height2 []float32
	// Nearest is, for every sample, the index of the nearest object sample (itself inside).
	Nearest []int32
	// MaxDist is the largest inside distance: the radius of the largest disc that fits.
	MaxDist float64
}

// New computes the fields of m's object over its bounding box grown by pad pixels on every side
// (pad ≥ 2 keeps a ring of background samples all around, even when the object touches the image
// border). The mask must not be empty.
func New(ctx context.Context, m *mask.Mask, pad int) (*Field, error) {
	f, err := NewDistance(ctx, m, pad)
	if err != nil {
		return nil, err
	}
	return f, f.Inflate(ctx)
}

// Inflate computes Height2 from Dist, for a field made by NewDistance: the object is found and
// measured once, then inflated only when the shape it takes is inflated.
func (f *Field) Inflate(ctx context.Context) error {
	if f.Height2 != nil {
		return nil
	}
	h2, err := heights(ctx, f.Dist, f.W(), f.H())
	if err != nil {
		return err
	}
	f.Height2 = h2
	return nil
}

// NewDistance computes Rect, Dist, Nearest and MaxDist but not Height2: for a view that carves a
// visual hull rather than being inflated.
func NewDistance(ctx context.Context, m *mask.Mask, pad int) (*Field, error) {
	f, in, toObject, err := region(ctx, m, pad)
	if err != nil {
		return nil, err
	}
	w, h := f.W(), f.H()
	f.Dist = make([]float32, w*h)
	sites := make([]float32, w*h)
	// Squared distance from every sample to the nearest background sample.
	for i, v := range in {
		sites[i] = siteIf(!v)
	}
	toBackground := sites // transform may write over its input: it reads each line before writing it
	if err := transform(ctx, sites, w, h, toBackground, nil); err != nil {
		return nil, err
	}
	for i, v := range in {
		if v {
			d := math.Sqrt(float64(toBackground[i])) - 0.5
			f.Dist[i] = float32(d)
			f.MaxDist = math.Max(f.MaxDist, d)
		} else {
			f.Dist[i] = float32(-(math.Sqrt(float64(toObject[i])) - 0.5))
		}
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	return f, nil
}

// NewNearest computes only Rect and Nearest, for an image that colours the model but does not
// shape it.
func NewNearest(ctx context.Context, m *mask.Mask, pad int) (*Field, error) {
	f, _, _, err := region(ctx, m, pad)
	return f, err
}

// region sets up the field's rectangle and Nearest; it also returns which of its samples are
// object and every sample's squared distance to the nearest object sample.
func region(ctx context.Context, m *mask.Mask, pad int) (*Field, []bool, []float32, error) {
	box := m.Bounds()
	if box.Empty() {
		return nil, nil, nil, fmt.Errorf("field: the mask is empty")
	}
	pad = max(pad, 2)
	r := box.Inset(-pad)
	w, h := r.Dx(), r.Dy()
	in := make([]bool, w*h)
	sites := make([]float32, w*h)
	for y := 0; y < h; y++ {
		for x := 0; x < w; x++ {
			v := m.At(r.Min.X+x, r.Min.Y+y)
			in[y*w+x] = v
			sites[y*w+x] = siteIf(v)
		}
	}
	f := &Field{Rect: r, Nearest: make([]int32, w*h)}
	if err := transform(ctx, sites, w, h, sites, f.Nearest); err != nil {
		return nil, nil, nil, err
	}
	return f, in, sites, nil
}

func siteIf(v bool) float32 {
	if v {
		return 0
	}
	return inf
}

// heights inflates the silhouette as the union of the largest discs it contains, each turned into
// a ball: h(p)² = max over inside q of d(q)² − |p−q|². A disc becomes a sphere, exactly as the
// global formula h = √(d(2D−d)) would make it, but a thin part keeps its own thickness: a petal of
// half-width w becomes a tube of radius w, where the global formula would make it √(2Dw) thick,
// a bulging slab. It is one more min-plus transform, as cheap as a distance transform.
func heights(ctx context.Context, dist []float32, w, h int) ([]float32, error) {
	f := make([]float32, w*h)
	for i, d := range dist {
		if d > 0 {
			f[i] = -d * d
		} else {
			f[i] = inf
		}
	}
	out := make([]float32, w*h)
	if err := transform(ctx, f, w, h, out, nil); err != nil {
		return nil, err
	}
	for i, v := range out {
		out[i] = -v
	}
	return out, nil
}

// W is the number of samples per row.
func (f *Field) W() int { return f.Rect.Dx() }

// H is the number of rows.
func (f *Field) H() int { return f.Rect.Dy() }

// SampleDist interpolates the signed distance bilinearly at image position (x, y). Beyond the
// outermost samples (all background) it keeps falling with the distance from them: a coarse
// lattice reaches far outside the region, and a constant there would drag the interpolated outline
// outward by up to a cell.
func (f *Field) SampleDist(x, y float64) float64 {
	cx := math.Max(float64(f.Rect.Min.X)+0.5, math.Min(float64(f.Rect.Max.X)-0.5, x))
	cy := math.Max(float64(f.Rect.Min.Y)+0.5, math.Min(float64(f.Rect.Max.Y)-0.5, y))
	return f.bilinear(f.Dist, cx, cy) - math.Hypot(x-cx, y-cy)
}

// SampleHeight interpolates the half-thickness at image position (x, y); it is never negative.
func (f *Field) SampleHeight(x, y float64) float64 {
	return math.Sqrt(math.Max(0, f.bilinear(f.Height2, x, y)))
}

func (f *Field) bilinear(v []float32, x, y float64) float64 {
	w, h := f.W(), f.H()
	fx := x - float64(f.Rect.Min.X) - 0.5
	fy := y - float64(f.Rect.Min.Y) - 0.5
	fx = math.Max(0, math.Min(float64(w-1), fx))
	fy = math.Max(0, math.Min(float64(h-1), fy))
	if math.IsNaN(fx) || math.IsNaN(fy) {
		// Not a point at all: the answer is NaN too, but never an index from it.
		return math.NaN()
	}
	i, j := int(fx), int(fy)
	i, j = min(i, w-2), min(j, h-2)
	tx, ty := fx-float64(i), fy-float64(j)
	k := j*w + i
	a, b := float64(v[k]), float64(v[k+1])
	c, d := float64(v[k+w]), float64(v[k+w+1])
	top := a + (b-a)*tx
	bottom := c + (d-c)*tx
	return top + (bottom-top)*ty
}

// EdgeOn is the cosine of the angle from the view (75°) beyond which the camera sees a surface
// too obliquely for the image's colour there to be trusted: such a point takes the colour of one
// further inside (see Look).
const EdgeOn = 0.2588

// LookInset is how far inside the outline, in pixels, a point seen edge-on takes its colour at
// least: the outline's own pixels blend the object with its background.
const LookInset = 2.0

// Look is where a surface point over image position (x, y) takes its colour, given nz, the
// component of its unit normal towards the camera: the point itself when the camera sees it
// well, else the nearest point at least inset pixels (and at least LookInset) inside the
// outline, so that the sides of a model show the colours next to its outline rather than the
// outline's pixels stretched into streaks.
func (f *Field) Look(x, y, nz, inset float64) (float64, float64) {
	if math.Abs(nz) >= EdgeOn {
		return x, y
	}
	return f.Inward(x, y, math.Max(LookInset, inset))
}

// Inward moves image point (x, y) up the distance field until its signed distance is at least
// to, or until it reaches a crest (the middle of a part thinner than 2·to), and returns where it
// ends. Points already that deep stay where they are. It is where a surface point seen edge-on
// takes its colour: a little inside the outline, whose pixels blend the object with its
// background, rather than from the outline itself.
func (f *Field) Inward(x, y, to float64) (float64, float64) {
	const (
		steps = 12
		h     = 0.5 // half the finite-difference step, in pixels
	)
	for k := 0; k < steps; k++ {
		d := f.SampleDist(x, y)
		if d >= to {
			break
		}
		gx := (f.SampleDist(x+h, y) - f.SampleDist(x-h, y)) / (2 * h)
		gy := (f.SampleDist(x, y+h) - f.SampleDist(x, y-h)) / (2 * h)
		g2 := gx*gx + gy*gy
		if g2 < 1e-4 {
			break // a crest: nowhere deeper to go
		}
		// A Newton step towards the level `to`, no longer than a pixel past what the gradient
		// promises, so that a crest is not overshot into the far side.
		step := math.Min(to-d, 2) / math.Sqrt(g2)
		nx, ny := x+gx/math.Sqrt(g2)*step, y+gy/math.Sqrt(g2)*step
		if f.SampleDist(nx, ny) <= d {
			break // past the crest
		}
		x, y = nx, ny
	}
	return x, y
}
