package local

import (
	"context"
	"errors"
	"slices"
	"testing"

	"github.com/kiln3d/kiln/providers/local/field"
	"github.com/kiln3d/kiln/providers/local/hull"
	"github.com/kiln3d/kiln/providers/local/mask"
	"github.com/kiln3d/kiln/providers/modeltest"
)

// mugHull carves the mug from three views drawn at 200².
func mugHull(t *testing.T) *hull.Hull {
	t.Helper()
	return solidHull(t, mug())
}

// antenna is a block with a thin rod on top, thinner than the cells of a lattice sized for a few
// thousand triangles: the surface must be extracted finely and decimated to keep its height.
func antenna() modeltest.Solid {
	return modeltest.Solid{
		modeltest.Box{Lo: [3]float64{-0.3, 0, -0.3}, Hi: [3]float64{0.3, 0.5, 0.3}},
		modeltest.Box{Lo: [3]float64{-0.012, 0.5, -0.012}, Hi: [3]float64{0.012, 1, 0.012}},
	}
}

// solidHull carves solid from three views drawn at 200², rounded as carve rounds it.
func solidHull(t *testing.T, solid modeltest.Solid) *hull.Hull {
	t.Helper()
	var sils []hull.Silhouette
	for _, v := range []string{"front", "left", "top"} {
		m := mask.FromAlpha(solid.Render(v, 200, 200, modeltest.ViewColour(v)))
		f, err := field.NewDistance(context.Background(), m, fieldPad)
		if err != nil {
			t.Fatal(err)
		}
		sils = append(sils, hull.Silhouette{View: v, Mask: m, Dist: f})
	}
	h, err := hull.New(sils)
	if err != nil {
		t.Fatal(err)
	}
	if h, err = h.Rounded(context.Background()); err != nil {
		t.Fatal(err)
	}
	return h
}

func surfaceModel(s *hull.Surface) *modeltest.Model {
	m := &modeltest.Model{Positions: s.Pos}
	used := make([]bool, len(s.Pos))
	for t := 0; t+2 < len(s.Indices); t += 3 {
		m.Triangles = append(m.Triangles, [3]int{int(s.Indices[t]), int(s.Indices[t+1]), int(s.Indices[t+2])})
		used[s.Indices[t]], used[s.Indices[t+1]], used[s.Indices[t+2]] = true, true, true
	}
	// Vertices the decimation dropped are still listed: move them where they weld with a used
	// one so that they do not count as separate positions.
	for i, u := range used {
		if !u {
			m.Positions[i] = s.Pos[s.Indices[0]]
		}
	}
	return m
}

// TestDecimate: the simplifier brings a fine hull surface to the budget, closed.
func TestDecimate(t *testing.T) {
	h := mugHull(t)
	s, err := extract(context.Background(), h, 40000)
	if err != nil {
		t.Fatal(err)
	}
	for _, target := range []int{500, 5000} {
		idx, err := decimate(context.Background(), s.Pos, s.Indices, target)
		if err != nil {
			t.Fatal(err)
		}
		n := len(idx) / 3
		if n > target || n < target-1 {
			t.Errorf("decimated to %d triangles for %d", n, target)
		}
		if top := surfaceModel(&hull.Surface{Pos: slices.Clone(s.Pos), Indices: idx}).Topology(); !top.Watertight {
			t.Errorf("decimated to %d: not closed: %+v", target, top)
		}
	}
}

// TestSurfaceWhateverTheSimplifier: the surface meets the budget, closed and hugging the views,
// whether the simplifier works, fails, stops far above the budget or far below it. The mug is
// extracted at the budget; the antenna's rod needs the simplifier.
func TestSurfaceWhateverTheSimplifier(t *testing.T) {
	t.Run("mug", func(t *testing.T) { surfaceWhateverTheSimplifier(t, solidHull(t, mug()), false) })
	t.Run("antenna", func(t *testing.T) { surfaceWhateverTheSimplifier(t, solidHull(t, antenna()), true) })
}

// surfaceWhateverTheSimplifier checks h's surface with each simplifier; simplifies says whether
// the simplifier is called, and so whether cancelling inside it must cancel the surface.
func surfaceWhateverTheSimplifier(t *testing.T, h *hull.Hull, simplifies bool) {
	const target = 3000
	decimators := map[string]decimator{
		"works": decimate,
		"fails": func(context.Context, [][3]float64, []uint32, int) ([]uint32, error) {
			return nil, errors.New("out of collapses")
		},
		"stops above": func(_ context.Context, _ [][3]float64, idx []uint32, _ int) ([]uint32, error) {
			return idx, nil
		},
		"stops below": func(ctx context.Context, pos [][3]float64, idx []uint32, target int) ([]uint32, error) {
			return decimate(ctx, pos, idx, target/2)
		},
	}
	for name, dec := range decimators {
		s, err := hullSurface(context.Background(), h, target, dec)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if n := s.Triangles(); n < target-1 || n > target {
			t.Errorf("%s: %d triangles for %d", name, n, target)
		}
		m := surfaceModel(s)
		if top := m.Topology(); !top.Watertight || top.Degenerate != 0 {
			t.Errorf("%s: not closed: %+v", name, top)
		}
		if simplifies && name != "works" {
			// Without a simplifier the rod is lost to the coarse lattice: a sound surface at
			// the budget is all that can be asked.
			continue
		}
		for _, c := range h.Cameras {
			sil := c.Silhouette().Mask
			iou, err := m.ViewIoU(modeltest.Mask{W: sil.W, H: sil.H, In: sil.In}, c.View)
			if err != nil {
				t.Fatal(err)
			}
			if iou < 0.95 {
				t.Errorf("%s: %s IoU %.4f", name, c.View, iou)
			}
		}
	}
	if !simplifies {
		return
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancelling := func(ctx context.Context, pos [][3]float64, idx []uint32, target int) ([]uint32, error) {
		cancel()
		return nil, ctx.Err()
	}
	if _, err := hullSurface(ctx, h, target, cancelling); !errors.Is(err, context.Canceled) {
		t.Errorf("cancelled while simplifying: %v", err)
	}
}
