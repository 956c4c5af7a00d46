package g3n

import (
	"math"
	"testing"

	"github.com/kiln3d/kiln/preview"
)

// presetAxes are each preset's image axes in world space, written out by hand from the
// preset's definition (not from the renderer's camera code): where the camera stands, and
// which way is right and up in the picture.
var presetAxes = map[preview.Preset][2][3]float64{
	preview.Front: {{1, 0, 0}, {0, 1, 0}},  // on +Z looking −Z
	preview.Back:  {{-1, 0, 0}, {0, 1, 0}}, // on −Z: +X is on the left
	preview.Left:  {{0, 0, 1}, {0, 1, 0}},  // on −X: the front (+Z) on the right
	preview.Right: {{0, 0, -1}, {0, 1, 0}}, // on +X: the front on the left
	preview.Top:   {{1, 0, 0}, {0, 0, -1}}, // on +Y: −Z at the top
	// Front right and above: yaw 45°, elevation atan(1/√2).
	preview.Iso: {{math.Sqrt2 / 2, 0, -math.Sqrt2 / 2}, {-1 / math.Sqrt(6), math.Sqrt(2.0 / 3), -1 / math.Sqrt(6)}},
}

// TestPresetSilhouettes renders the L-shaped block, unlit white on dark, from every preset in
// orthographic projection and compares its outline with the analytic one: the boxes' faces
// projected on the preset's axes, framed as preview.FrameFill documents (the bounding
// sphere filling that part of the image), each pixel in when half its area is covered.
func TestPresetSilhouettes(t *testing.T) {
	r := newRenderer(t, 4)
	doc := newDoc()
	finish(doc, writeBoxes(doc, lShape(), meshOptions{}), unlitMaterial(doc, 1, 1, 1))
	load(t, r, save(t, doc, "lshape.glb"))
	const n = 256
	for _, p := range preview.Presets() {
		t.Run(string(p), func(t *testing.T) {
			img := frame(t, r, n, preview.View{}.WithPreset(p))
			defer keep(t, "silhouette-"+string(p), img)
			got := objectMask(img, bgColour(preview.Dark), 3*(255-41)/2)
			want := analyticMask(lShape(), presetAxes[p], n)
			score := iou(got, want)
			t.Logf("IoU %.3f", score)
			if score < 0.95 {
				t.Errorf("IoU %.3f against the analytic silhouette (want ≥ 0.95); %d pixels drawn, %d expected",
					score, count(got), count(want))
			}
			// A mirrored or swapped view must not pass: check against the others too.
			for _, q := range preview.Presets() {
				if q != p && iou(got, analyticMask(lShape(), presetAxes[q], n)) >= 0.95 {
					t.Errorf("the %s frame matches the %s silhouette too: views swapped or mirrored", p, q)
				}
			}
		})
	}
}

// analyticMask rasterises the boxes projected on axes (right, up), framed on their bounding
// sphere in an n×n image, with 4×4 samples per pixel.
func analyticMask(boxes []box, axes [2][3]float64, n int) []bool {
	lo := [3]float64{math.Inf(1), math.Inf(1), math.Inf(1)}
	hi := [3]float64{math.Inf(-1), math.Inf(-1), math.Inf(-1)}
	for _, b := range boxes {
		for k := range 3 {
			lo[k], hi[k] = math.Min(lo[k], float64(b.lo[k])), math.Max(hi[k], float64(b.hi[k]))
		}
	}
	var centre [3]float64
	var d2 float64
	for k := range 3 {
		centre[k] = (lo[k] + hi[k]) / 2
		d2 += (hi[k] - lo[k]) * (hi[k] - lo[k])
	}
	half := math.Sqrt(d2) / 2 / preview.FrameFill // model units per half image
	const ss = 4
	size := n * ss
	covered := make([]bool, size*size)
	toPixel := func(p [3]float32) (float64, float64) {
		q := [3]float64{float64(p[0]) - centre[0], float64(p[1]) - centre[1], float64(p[2]) - centre[2]}
		u, v := dot(q, axes[0]), dot(q, axes[1])
		return (u/half + 1) * float64(size) / 2, (1 - v/half) * float64(size) / 2
	}
	for _, b := range boxes {
		_, corners := boxFaces(b)
		for _, f := range corners {
			for _, tri := range [][3]int{{0, 1, 2}, {0, 2, 3}} {
				var xs, ys [3]float64
				for k, c := range tri {
					xs[k], ys[k] = toPixel(f[c])
				}
				fill(covered, size, xs, ys)
			}
		}
	}
	out := make([]bool, n*n)
	for y := range n {
		for x := range n {
			c := 0
			for sy := range ss {
				for sx := range ss {
					if covered[(y*ss+sy)*size+x*ss+sx] {
						c++
					}
				}
			}
			out[y*n+x] = c*2 >= ss*ss
		}
	}
	return out
}

// fill sets the samples whose centres lie in the triangle, whatever its winding.
func fill(m []bool, size int, xs, ys [3]float64) {
	area := (xs[1]-xs[0])*(ys[2]-ys[0]) - (xs[2]-xs[0])*(ys[1]-ys[0])
	if area == 0 {
		return
	}
	s := math.Copysign(1, area)
	x0, x1 := max(0, int(math.Floor(min(xs[0], xs[1], xs[2])))), min(size-1, int(math.Ceil(max(xs[0], xs[1], xs[2]))))
	y0, y1 := max(0, int(math.Floor(min(ys[0], ys[1], ys[2])))), min(size-1, int(math.Ceil(max(ys[0], ys[1], ys[2]))))
	for y := y0; y <= y1; y++ {
		py := float64(y) + 0.5
		for x := x0; x <= x1; x++ {
			px := float64(x) + 0.5
			w0 := s * ((xs[1]-px)*(ys[2]-py) - (xs[2]-px)*(ys[1]-py))
			w1 := s * ((xs[2]-px)*(ys[0]-py) - (xs[0]-px)*(ys[2]-py))
			w2 := s * ((xs[0]-px)*(ys[1]-py) - (xs[1]-px)*(ys[0]-py))
			if w0 >= 0 && w1 >= 0 && w2 >= 0 {
				m[y*size+x] = true
			}
		}
	}
}
