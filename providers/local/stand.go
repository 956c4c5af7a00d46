package local

import (
	"fmt"
	"math"
	"strconv"

	"github.com/kiln3d/kiln/providers"
	"github.com/kiln3d/kiln/providers/local/mesh"
)

// turn is a rotation that takes axes to axes: out[a] = sign[a]·in[from[a]].
type turn struct {
	from [3]int
	sign [3]float64
}

// turnFor is the rotation that takes a model built facing +Z (as seen by its camera) to face
// where view's camera stands. All are proper rotations, so triangles keep their winding.
func turnFor(view string) turn {
	switch view {
	case providers.ViewBack:
		return turn{[3]int{0, 1, 2}, [3]float64{-1, 1, -1}}
	case providers.ViewLeft: // image right is +Z, the camera on −X
		return turn{[3]int{2, 1, 0}, [3]float64{-1, 1, 1}}
	case providers.ViewRight: // image right is −Z, the camera on +X
		return turn{[3]int{2, 1, 0}, [3]float64{1, 1, -1}}
	case providers.ViewTop: // image up is −Z, the camera on +Y
		return turn{[3]int{0, 2, 1}, [3]float64{1, 1, -1}}
	}
	return turn{[3]int{0, 1, 2}, [3]float64{1, 1, 1}}
}

func (r turn) apply(v [3]float32) [3]float32 {
	return [3]float32{
		float32(r.sign[0]) * v[r.from[0]],
		float32(r.sign[1]) * v[r.from[1]],
		float32(r.sign[2]) * v[r.from[2]],
	}
}

// sizeTolerance is how far a size given in two dimensions may stray from the proportions the
// images show before it is refused: a few percent is the artist's rounding, and the model is
// stretched to it exactly; more would visibly distort the object.
const sizeTolerance = 0.03

// axisNames name the model's axes as the size fields do.
var axisNames = [3]string{"wide", "tall", "deep"}

// checkSize refuses a size at odds with the images: shown says which axes the images show, so
// their proportions are the object's (ext, its extent along each axis, gives them). A size given
// along two of them must keep those proportions within sizeTolerance, or it is refused with the
// reason rather than stretching one axis. An axis the images do not show (the depth of a model
// inflated from one view) may take any size.
func checkSize(ext [3]float64, size providers.Dimensions, shown [3]bool) error {
	if size.Default {
		return nil
	}
	want := [3]float64{size.WidthCM / 100, size.HeightCM / 100, size.DepthCM / 100}
	for a := 0; a < 3; a++ {
		for b := a + 1; b < 3; b++ {
			if !shown[a] || !shown[b] || want[a] <= 0 || want[b] <= 0 {
				continue
			}
			asked := want[a] / want[b]
			has := ext[a] / ext[b]
			if math.Abs(asked/has-1) > sizeTolerance {
				return &providers.InputError{Reason: fmt.Sprintf(
					"a size %s × %s does not match the object's proportions in the images: %s %s, it is %s %s. "+
						"Give only one of them and the other follows, or use images that show those proportions",
					sizeWord(want[a], a), sizeWord(want[b], b), cm(want[b]), axisNames[b], cm(want[b]*has), axisNames[a])}
			}
		}
	}
	return nil
}

// scaleFor works out the scale per axis that makes a model of extent ext (after turning) the size
// asked for, a size checkSize has let through; each axis given is made exactly its size.
//
// The height given sets the scale of the axes not given, else a width or depth along a shown axis.
// With no size, or the default, the model is the default height, 1 m when the request has none;
// footprint (a view from the top alone, whose height is made up) puts that size on the longer side
// on the ground instead.
func scaleFor(ext [3]float64, size providers.Dimensions, footprint bool, shown [3]bool) [3]float64 {
	want := [3]float64{size.WidthCM / 100, size.HeightCM / 100, size.DepthCM / 100}
	if size.Default {
		h := want[1]
		if h <= 0 {
			h = 1
		}
		k := h / ext[1]
		if footprint {
			k = h / math.Max(ext[0], ext[2])
		}
		return [3]float64{k, k, k}
	}
	k := math.NaN()
	switch {
	case want[1] > 0:
		k = want[1] / ext[1]
	case footprint:
		k = 1 / math.Max(ext[0], ext[2])
	default:
		for _, a := range []int{0, 2} {
			if want[a] > 0 && shown[a] && math.IsNaN(k) {
				k = want[a] / ext[a]
			}
		}
	}
	if math.IsNaN(k) {
		k = 1 / ext[1]
	}
	s := [3]float64{k, k, k}
	for a := 0; a < 3; a++ {
		if want[a] > 0 {
			s[a] = want[a] / ext[a]
		}
	}
	return s
}

// sizeWord says one dimension of a size: "40 cm wide".
func sizeWord(m float64, axis int) string { return cm(m) + " " + axisNames[axis] }

// cm says a length in metres as centimetres, to a tenth where that matters.
func cm(m float64) string {
	return strconv.FormatFloat(math.Round(m*1000)/10, 'f', -1, 64) + " cm"
}

// turnParts turns the parts to face where they belong and returns their extent along each axis.
func turnParts(parts []*mesh.Mesh, r turn) (lo, hi [3]float64) {
	lo = [3]float64{math.Inf(1), math.Inf(1), math.Inf(1)}
	hi = [3]float64{math.Inf(-1), math.Inf(-1), math.Inf(-1)}
	for _, m := range parts {
		for i, p := range m.Positions {
			p = r.apply(p)
			m.Positions[i] = p
			m.Normals[i] = r.apply(m.Normals[i])
			for a := 0; a < 3; a++ {
				lo[a], hi[a] = math.Min(lo[a], float64(p[a])), math.Max(hi[a], float64(p[a]))
			}
		}
	}
	return lo, hi
}

// stand scales the turned parts by s per axis and moves them together so that the model stands
// on y = 0, centred on the origin in x and z. lo and hi are their extent (turnParts).
func stand(parts []*mesh.Mesh, lo, hi, s [3]float64) {
	base := [3]float64{(lo[0] + hi[0]) / 2, lo[1], (lo[2] + hi[2]) / 2}
	for _, m := range parts {
		for i, p := range m.Positions {
			m.Positions[i] = [3]float32{
				float32((float64(p[0]) - base[0]) * s[0]),
				float32((float64(p[1]) - base[1]) * s[1]),
				float32((float64(p[2]) - base[2]) * s[2]),
			}
			if s[0] != s[1] || s[1] != s[2] {
				m.Normals[i] = stretchNormal(m.Normals[i], s)
			}
		}
	}
}

// stretchNormal is a normal after scaling its surface by s per axis: scaled by 1/s, renormalised.
func stretchNormal(n [3]float32, s [3]float64) [3]float32 {
	x, y, z := float64(n[0])/s[0], float64(n[1])/s[1], float64(n[2])/s[2]
	l := math.Sqrt(x*x + y*y + z*z)
	if l == 0 {
		return n
	}
	return [3]float32{float32(x / l), float32(y / l), float32(z / l)}
}
