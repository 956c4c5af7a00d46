package bake

import (
	"context"
	"math"
)

// depthBuffer holds, over a view's object box, the depth toward the camera (position·Dir, larger
// is nearer) of the nearest surface at each texel, or −Inf where no surface is.
type depthBuffer struct {
	x0, y0 float64 // image position of texel (0, 0)'s corner
	k      float64 // texels per image pixel
	w, h   int
	d      []float32
}

// render rasterises every triangle's depth into a buffer over the view's object box (with a
// texel of margin), at most depthSide texels a side.
func render(ctx context.Context, pos [][3]float64, indices []uint32, v View) (*depthBuffer, error) {
	box := v.Box
	k := math.Min(1, float64(depthSide)/float64(max(box.Dx(), box.Dy())))
	b := &depthBuffer{
		x0: float64(box.Min.X) - 1/k, y0: float64(box.Min.Y) - 1/k, k: k,
		w: int(math.Ceil(float64(box.Dx())*k)) + 2, h: int(math.Ceil(float64(box.Dy())*k)) + 2,
	}
	b.d = make([]float32, b.w*b.h)
	for i := range b.d {
		b.d[i] = float32(math.Inf(-1))
	}
	for t := 0; t+2 < len(indices); t += 3 {
		if t%(3*8192) == 0 {
			if err := ctx.Err(); err != nil {
				return nil, err
			}
		}
		var px, py, pz [3]float64
		for c := 0; c < 3; c++ {
			p := pos[indices[t+c]]
			x, y := v.Project(p)
			px[c], py[c] = (x-b.x0)*k, (y-b.y0)*k
			pz[c] = dot(p, v.Dir)
		}
		b.fill(px, py, pz)
	}
	return b, nil
}

// fill writes the triangle's interpolated depth at the texel centres it covers, keeping the
// nearest.
func (b *depthBuffer) fill(px, py, pz [3]float64) {
	area := (px[1]-px[0])*(py[2]-py[0]) - (px[2]-px[0])*(py[1]-py[0])
	if area == 0 {
		return
	}
	x0 := max(0, int(math.Floor(min(px[0], px[1], px[2]))))
	x1 := min(b.w-1, int(math.Ceil(max(px[0], px[1], px[2]))))
	y0 := max(0, int(math.Floor(min(py[0], py[1], py[2]))))
	y1 := min(b.h-1, int(math.Ceil(max(py[0], py[1], py[2]))))
	inv := 1 / area
	for y := y0; y <= y1; y++ {
		sy := float64(y) + 0.5
		for x := x0; x <= x1; x++ {
			sx := float64(x) + 0.5
			w0 := ((px[1]-sx)*(py[2]-sy) - (px[2]-sx)*(py[1]-sy)) * inv
			w1 := ((px[2]-sx)*(py[0]-sy) - (px[0]-sx)*(py[2]-sy)) * inv
			w2 := 1 - w0 - w1
			if w0 < 0 || w1 < 0 || w2 < 0 {
				continue
			}
			z := float32(w0*pz[0] + w1*pz[1] + w2*pz[2])
			if i := y*b.w + x; z > b.d[i] {
				b.d[i] = z
			}
		}
	}
}

// sees reports whether model point c is no more than slack behind the nearest surface the view
// sees there.
func (b *depthBuffer) sees(v View, c [3]float64, slack float64) bool {
	x, y := v.Project(c)
	i, j := int((x-b.x0)*b.k), int((y-b.y0)*b.k)
	if i < 0 || j < 0 || i >= b.w || j >= b.h {
		return true
	}
	return dot(c, v.Dir) >= float64(b.d[j*b.w+i])-slack
}
