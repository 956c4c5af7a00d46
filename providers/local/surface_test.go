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
	var sils []hull.Silhouette
	for _, v := range []string{"front", "left", "top"} {
		m := mask.FromAlpha(mug().Render(v, 200, 200, modeltest.ViewColour(v)))
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
// whether the simplifier works, fails, stops far above the budget or far below it.
func TestSurfaceWhateverTheSimplifier(t *testing.T) {
	h := mugHull(t)
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
	ctx, cancel := context.WithCancel(context.Background())
	cancelling := func(ctx context.Context, pos [][3]float64, idx []uint32, target int) ([]uint32, error) {
		cancel()
		return nil, ctx.Err()
	}
	if _, err := hullSurface(ctx, h, target, cancelling); !errors.Is(err, context.Canceled) {
		t.Errorf("cancelled while simplifying: %v", err)
	}
}
