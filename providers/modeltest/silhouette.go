package modeltest

import (
	"fmt"
	"image"
	"math"
	"os"

	// Decoders for ObjectMaskFile.
	_ "image/jpeg"
	_ "image/png"
)

// Mask is a W×H boolean image, row by row.
type Mask struct {
	W, H int
	In   []bool
}

// Bounds is the smallest rectangle holding every set pixel; empty when none is.
func (m Mask) Bounds() image.Rectangle {
	r := image.Rectangle{}
	for y := 0; y < m.H; y++ {
		for x := 0; x < m.W; x++ {
			if m.In[y*m.W+x] {
				r = r.Union(image.Rect(x, y, x+1, y+1))
			}
		}
	}
	return r
}

// ObjectMask separates the object in img the way the independent checker does, deliberately
// simpler than the generator's own method so the two can disagree: with any pixel under half
// opaque it is alpha ≥ 50%; otherwise pixels whose summed |ΔR|+|ΔG|+|ΔB| from the mean border
// colour exceeds 3·0x1800 (in 16-bit units) are the object.
func ObjectMask(img image.Image) Mask {
	b := img.Bounds()
	w, h := b.Dx(), b.Dy()
	m := Mask{W: w, H: h, In: make([]bool, w*h)}
	alpha := false
	for y := 0; y < h && !alpha; y++ {
		for x := 0; x < w; x++ {
			if _, _, _, a := img.At(b.Min.X+x, b.Min.Y+y).RGBA(); a < 0x8000 {
				alpha = true
				break
			}
		}
	}
	var mean [3]float64
	if !alpha {
		n := 0.0
		add := func(x, y int) {
			r, g, bl, _ := img.At(b.Min.X+x, b.Min.Y+y).RGBA()
			mean[0], mean[1], mean[2] = mean[0]+float64(r), mean[1]+float64(g), mean[2]+float64(bl)
			n++
		}
		for x := 0; x < w; x++ {
			add(x, 0)
			add(x, h-1)
		}
		for y := 0; y < h; y++ {
			add(0, y)
			add(w-1, y)
		}
		for c := range mean {
			mean[c] /= n
		}
	}
	for y := 0; y < h; y++ {
		for x := 0; x < w; x++ {
			r, g, bl, a := img.At(b.Min.X+x, b.Min.Y+y).RGBA()
			if alpha {
				m.In[y*w+x] = a >= 0x8000
				continue
			}
			d := math.Abs(float64(r)-mean[0]) + math.Abs(float64(g)-mean[1]) + math.Abs(float64(bl)-mean[2])
			m.In[y*w+x] = d > 3*0x1800
		}
	}
	return m
}

// ObjectMaskFile decodes the PNG or JPEG at path and returns its ObjectMask.
func ObjectMaskFile(path string) (Mask, error) {
	f, err := os.Open(path)
	if err != nil {
		return Mask{}, err
	}
	defer f.Close()
	img, _, err := image.Decode(f)
	if err != nil {
		return Mask{}, fmt.Errorf("modeltest: decode %s: %w", path, err)
	}
	return ObjectMask(img), nil
}

// Silhouette rasterises the model seen orthographically from the front (a camera on +Z looking
// toward −Z, +Y up) or, with back set, from behind, fitted onto the object of like: scaled so its
// height matches the object's bounding box, its bottom on the box's bottom and centred on the box
// horizontally. A pixel is covered when its centre lies in a projected triangle.
func (m *Model) Silhouette(like Mask, back bool) (Mask, error) {
	box := like.Bounds()
	if box.Empty() {
		return Mask{}, fmt.Errorf("modeltest: the reference mask is empty")
	}
	proj := func(p [3]float64) (float64, float64) {
		if back {
			return -p[0], p[1]
		}
		return p[0], p[1]
	}
	minX, maxX, minY, maxY := math.Inf(1), math.Inf(-1), math.Inf(1), math.Inf(-1)
	for _, p := range m.Positions {
		x, y := proj(p)
		minX, maxX = math.Min(minX, x), math.Max(maxX, x)
		minY, maxY = math.Min(minY, y), math.Max(maxY, y)
	}
	if !(maxY > minY) {
		return Mask{}, fmt.Errorf("modeltest: the model has no height")
	}
	s := float64(box.Dy()) / (maxY - minY)
	cx := float64(box.Min.X+box.Max.X) / 2
	mid := (minX + maxX) / 2
	out := Mask{W: like.W, H: like.H, In: make([]bool, like.W*like.H)}
	for _, t := range m.Triangles {
		var px, py [3]float64
		for k, v := range t {
			x, y := proj(m.Positions[v])
			px[k], py[k] = cx+(x-mid)*s, float64(box.Max.Y)-(y-minY)*s
		}
		fillTriangle(out, px, py)
	}
	return out, nil
}

// fillTriangle sets the pixels of m whose centres lie inside the triangle (edges included).
func fillTriangle(m Mask, px, py [3]float64) {
	area := (px[1]-px[0])*(py[2]-py[0]) - (px[2]-px[0])*(py[1]-py[0])
	if area == 0 {
		return
	}
	x0 := max(0, int(math.Floor(min(px[0], px[1], px[2]))))
	x1 := min(m.W-1, int(math.Ceil(max(px[0], px[1], px[2]))))
	y0 := max(0, int(math.Floor(min(py[0], py[1], py[2]))))
	y1 := min(m.H-1, int(math.Ceil(max(py[0], py[1], py[2]))))
	sign := 1.0
	if area < 0 {
		sign = -1
	}
	for y := y0; y <= y1; y++ {
		sy := float64(y) + 0.5
		for x := x0; x <= x1; x++ {
			sx := float64(x) + 0.5
			w0 := sign * ((px[1]-sx)*(py[2]-sy) - (px[2]-sx)*(py[1]-sy))
			w1 := sign * ((px[2]-sx)*(py[0]-sy) - (px[0]-sx)*(py[2]-sy))
			w2 := sign * ((px[0]-sx)*(py[1]-sy) - (px[1]-sx)*(py[0]-sy))
			if w0 >= 0 && w1 >= 0 && w2 >= 0 {
				m.In[y*m.W+x] = true
			}
		}
	}
}

// IoU is the intersection over union of two masks of the same size.
func IoU(a, b Mask) float64 {
	if a.W != b.W || a.H != b.H {
		return 0
	}
	inter, union := 0, 0
	for i := range a.In {
		if a.In[i] && b.In[i] {
			inter++
		}
		if a.In[i] || b.In[i] {
			union++
		}
	}
	if union == 0 {
		return 0
	}
	return float64(inter) / float64(union)
}

// FrontIoU is how well the model's front silhouette matches the object in mask.
func (m *Model) FrontIoU(mask Mask) (float64, error) {
	s, err := m.Silhouette(mask, false)
	if err != nil {
		return 0, err
	}
	return IoU(mask, s), nil
}
