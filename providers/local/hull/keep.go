package hull

import (
	"context"
	"math"

	"github.com/kiln3d/kiln/providers/local/field"
	"github.com/kiln3d/kiln/providers/local/mask"
)

// Keep returns the hull of the same views, aligned exactly as h is, with each view's outline cut
// down to the parts of its mask that points (vertices of one object of h's surface) fall on: the
// other objects are gone from every view they stand apart in, and so from the hull. Alignment is
// kept so that the object stays where it was and keeps its proportions.
func (h *Hull) Keep(ctx context.Context, points [][3]float64) (*Hull, error) {
	out := &Hull{Size: h.Size, Cameras: make([]Camera, len(h.Cameras))}
	for ci := range h.Cameras {
		c := h.Cameras[ci]
		sil := c.sil
		part, _ := mask.Parts(sil.Mask)
		touched := map[int32]bool{}
		f := sil.Dist
		for _, p := range points {
			// The points lie on the outline, maybe a hair outside the mask: take the object
			// pixel nearest to each.
			x, y := c.Project(p)
			i, j := int(math.Floor(x))-f.Rect.Min.X, int(math.Floor(y))-f.Rect.Min.Y
			if i < 0 || j < 0 || i >= f.W() || j >= f.H() {
				continue
			}
			n := int(f.Nearest[j*f.W()+i])
			if n < 0 {
				continue
			}
			px, py := f.Rect.Min.X+n%f.W(), f.Rect.Min.Y+n/f.W()
			if k := part[py*sil.Mask.W+px]; k >= 0 {
				touched[k] = true
			}
		}
		m := mask.New(sil.Mask.W, sil.Mask.H)
		for i, k := range part {
			m.In[i] = k >= 0 && touched[k]
		}
		if m.Bounds().Empty() {
			m = sil.Mask // the points miss this view entirely: keep it whole rather than empty the hull
		}
		// The same margin of background as the view's own field, which its users rely on.
		pad := sil.Mask.Bounds().Min.X - f.Rect.Min.X
		dist, err := field.NewDistance(ctx, m, pad)
		if err != nil {
			return nil, err
		}
		c.sil = &Silhouette{View: sil.View, Mask: m, Dist: dist}
		out.Cameras[ci] = c
	}
	return out, nil
}
