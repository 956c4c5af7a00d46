package local

import (
	"math"

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

// stand turns the parts, then scales and moves them together so that the model stands on y = 0,
// centred on the origin in x and z, at the size asked for. With only the height given the scale
// is uniform; a width or depth given as well stretches that axis to it (a given width or depth
// alone sets the uniform scale). With no size the model is 1 m tall, or, when footprint is set (a
// view from the top alone, whose height is made up), 1 m along its longer side on the ground.
func stand(parts []*mesh.Mesh, r turn, size providers.Dimensions, footprint bool) {
	lo := [3]float64{math.Inf(1), math.Inf(1), math.Inf(1)}
	hi := [3]float64{math.Inf(-1), math.Inf(-1), math.Inf(-1)}
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
	ext := [3]float64{hi[0] - lo[0], hi[1] - lo[1], hi[2] - lo[2]}
	want := [3]float64{size.WidthCM / 100, size.HeightCM / 100, size.DepthCM / 100}
	k := 1 / ext[1]
	switch {
	case want[1] > 0:
		k = want[1] / ext[1]
	case want[0] > 0:
		k = want[0] / ext[0]
	case want[2] > 0:
		k = want[2] / ext[2]
	case footprint:
		k = 1 / math.Max(ext[0], ext[2])
	}
	var s [3]float64
	for a := 0; a < 3; a++ {
		s[a] = k
		if want[a] > 0 {
			s[a] = want[a] / ext[a]
		}
	}
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
