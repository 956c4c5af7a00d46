package modeltest

import (
	"fmt"
	"math"
)

// ViewAxis is the model axis a view looks along: 2 (Z) for front and back, 0 (X) for left and
// right, 1 (Y) for top.
func ViewAxis(view string) int {
	switch view {
	case "left", "right":
		return 0
	case "top":
		return 1
	}
	return 2
}

// ViewProject gives where model point p appears in view: u across the image to the right, v up
// it, in model units. It is the independent checker's projection (shared/tools/meshcheck): front
// (x, y), back (−x, y), left (z, y), right (−z, y), top (x, −z).
func ViewProject(view string, p [3]float64) (u, v float64) {
	switch view {
	case "back":
		return -p[0], p[1]
	case "left":
		return p[2], p[1]
	case "right":
		return -p[2], p[1]
	case "top":
		return p[0], -p[2]
	}
	return p[0], p[1]
}

// ViewPoint is a model point that ViewProject takes to (u, v), at 0 along the view's axis.
func ViewPoint(view string, u, v float64) [3]float64 {
	switch view {
	case "back":
		return [3]float64{-u, v, 0}
	case "left":
		return [3]float64{0, v, u}
	case "right":
		return [3]float64{0, v, -u}
	case "top":
		return [3]float64{u, 0, -v}
	}
	return [3]float64{u, v, 0}
}

// ViewSilhouette rasterises the model seen orthographically from view, fitted onto the object of
// like as the independent checker fits it: scaled uniformly so that its extent up the image
// matches the object's bounding box, its bottom on the box's bottom and centred on the box across.
// A pixel is covered when its centre lies in a projected triangle.
func (m *Model) ViewSilhouette(like Mask, view string) (Mask, error) {
	box := like.Bounds()
	if box.Empty() {
		return Mask{}, fmt.Errorf("modeltest: the reference mask is empty")
	}
	minU, maxU, minV, maxV := math.Inf(1), math.Inf(-1), math.Inf(1), math.Inf(-1)
	for _, p := range m.Positions {
		u, v := ViewProject(view, p)
		minU, maxU = math.Min(minU, u), math.Max(maxU, u)
		minV, maxV = math.Min(minV, v), math.Max(maxV, v)
	}
	if !(maxV > minV) {
		return Mask{}, fmt.Errorf("modeltest: the model has no extent up the %s view", view)
	}
	s := float64(box.Dy()) / (maxV - minV)
	cx := float64(box.Min.X+box.Max.X) / 2
	mid := (minU + maxU) / 2
	out := Mask{W: like.W, H: like.H, In: make([]bool, like.W*like.H)}
	for _, t := range m.Triangles {
		var px, py [3]float64
		for k, i := range t {
			u, v := ViewProject(view, m.Positions[i])
			px[k], py[k] = cx+(u-mid)*s, float64(box.Max.Y)-(v-minV)*s
		}
		fillTriangle(out, px, py)
	}
	return out, nil
}

// ViewIoU is how well the model's silhouette from view matches the object in mask.
func (m *Model) ViewIoU(mask Mask, view string) (float64, error) {
	s, err := m.ViewSilhouette(mask, view)
	if err != nil {
		return 0, err
	}
	return IoU(mask, s), nil
}
