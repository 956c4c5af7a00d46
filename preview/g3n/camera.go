package g3n

import (
	"math"

	"github.com/g3n/engine/math32"

	"github.com/kiln3d/kiln/preview"
)

// viewCamera is a camera placed by a preview.View around a model's bounding sphere. It
// implements g3n's camera.ICamera with matrices computed here, in float64.
type viewCamera struct {
	view, proj math32.Matrix4
	// basis holds the camera's right, up and backward axes in world space.
	basis [3][3]float64
}

func (c *viewCamera) ViewMatrix(m *math32.Matrix4) { *m = c.view }
func (c *viewCamera) ProjMatrix(m *math32.Matrix4) { *m = c.proj }

// placeCamera frames the sphere (centre, r) in a w×h image as v says. reach is how far
// around the centre other things are drawn (the grid), to keep them inside the depth range.
func placeCamera(v preview.View, centre [3]float64, r float64, w, h int, reach float64) *viewCamera {
	sy, cy := math.Sincos(v.Yaw)
	sp, cp := math.Sincos(v.Pitch)
	back := [3]float64{sy * cp, sp, cy * cp} // from the target toward the eye
	up := [3]float64{-sy * sp, cp, -cy * sp} // ∂back/∂pitch: at the top view, −Z
	right := cross(up, back)
	target := centre
	for k := range 3 {
		target[k] += (right[k]*v.PanX + up[k]*v.PanY) * r
	}
	aspect := float64(w) / float64(h)
	zoom := math.Exp2(-v.Zoom)
	reach = math.Max(reach, r)
	c := &viewCamera{basis: [3][3]float64{right, up, back}}
	var dist, near, far float64
	if v.Ortho {
		half := r / preview.FrameFill * zoom // half the smaller side, in metres
		halfW, halfH := half*aspect, half
		if aspect < 1 {
			halfW, halfH = half, half/aspect
		}
		dist = 2*reach + r
		near, far = r*1e-3, dist+2*reach
		c.proj = orthographic(halfW, halfH, near, far)
	} else {
		t := math.Tan(preview.FieldOfView / 2)
		tMin := t * math.Min(1, aspect)
		// The sphere's outline fills FrameFill of the smaller side when the tangent of its
		// angular radius is FrameFill·tMin.
		dist = r / math.Sin(math.Atan(preview.FrameFill*tMin)) * zoom
		near = dist * 0.01
		far = dist + 2*reach
		c.proj = perspective(t, aspect, near, far)
	}
	eye := target
	for k := range 3 {
		eye[k] += back[k] * dist
	}
	c.view = lookFrom(eye, right, up, back)
	return c
}

// lookFrom is the view matrix of a camera at eye with the given axes.
func lookFrom(eye, right, up, back [3]float64) math32.Matrix4 {
	var m math32.Matrix4
	rows := [3][3]float64{right, up, back}
	for r := range 3 {
		for c := range 3 {
			m[c*4+r] = float32(rows[r][c])
		}
		m[12+r] = float32(-dot(rows[r], eye))
	}
	m[15] = 1
	return m
}

func perspective(tanHalfFovY, aspect, near, far float64) math32.Matrix4 {
	var m math32.Matrix4
	m[0] = float32(1 / (tanHalfFovY * aspect))
	m[5] = float32(1 / tanHalfFovY)
	m[10] = float32(-(far + near) / (far - near))
	m[11] = -1
	m[14] = float32(-2 * far * near / (far - near))
	return m
}

func orthographic(halfW, halfH, near, far float64) math32.Matrix4 {
	var m math32.Matrix4
	m[0] = float32(1 / halfW)
	m[5] = float32(1 / halfH)
	m[10] = float32(-2 / (far - near))
	m[14] = float32(-(far + near) / (far - near))
	m[15] = 1
	return m
}

// toCamera turns a world direction into camera space.
func (c *viewCamera) toCamera(d [3]float64) [3]float32 {
	return [3]float32{float32(dot(c.basis[0], d)), float32(dot(c.basis[1], d)), float32(dot(c.basis[2], d))}
}

func cross(a, b [3]float64) [3]float64 {
	return [3]float64{a[1]*b[2] - a[2]*b[1], a[2]*b[0] - a[0]*b[2], a[0]*b[1] - a[1]*b[0]}
}

func dot(a, b [3]float64) float64 { return a[0]*b[0] + a[1]*b[1] + a[2]*b[2] }

func normalize(v [3]float32) [3]float32 {
	l := float32(math.Sqrt(float64(v[0]*v[0] + v[1]*v[1] + v[2]*v[2])))
	return [3]float32{v[0] / l, v[1] / l, v[2] / l}
}
