package local

import (
	"context"
	"errors"
	"image"
	"image/color"
	"math"
	"strings"
	"testing"

	"github.com/kiln3d/kiln/providers"
	"github.com/kiln3d/kiln/providers/modeltest"
)

// TestAwkwardShapes runs objects that stress the lattice: one pixel, a 3×3 square, a thin
// diagonal, an object filling the whole frame, and a field of isolated dots. Whatever they look
// like at a given polycount, every model must be closed with the requested triangle count.
func TestAwkwardShapes(t *testing.T) {
	dir := t.TempDir()
	frame := image.NewNRGBA(image.Rect(0, 0, 200, 150))
	for y := 0; y < 150; y++ {
		for x := 0; x < 200; x++ {
			frame.SetNRGBA(x, y, pattern(x, y))
		}
	}
	frame.SetNRGBA(0, 0, color.NRGBA{}) // one transparent pixel makes it an alpha image
	cases := []struct {
		name   string
		img    image.Image
		minIoU float64 // at 20,000 triangles
	}{
		{"pixel", drawHard(50, 50, rect(20, 20, 21, 21)), 0.95},
		{"3x3", drawHard(50, 50, rect(20, 20, 23, 23)), 0.95},
		{"diagonal", drawHard(300, 300, func(x, y float64) bool { return math.Abs(x-y) < 1.5 && x > 10 && x < 290 }), 0.95},
		{"frame", frame, 0.95},
		{"dots", drawHard(300, 300, func(x, y float64) bool { return int(x)%7 == 0 && int(y)%7 == 0 }), 0.6},
	}
	var models []string
	for _, c := range cases {
		path := writePNG(t, dir, c.name+".png", c.img)
		for _, target := range []int{500, 20000} {
			model := collectIn(t, dir, target, path)
			m, err := modeltest.Load(model)
			if err != nil {
				t.Fatal(err)
			}
			top := m.Topology()
			off := math.Abs(float64(top.Triangles-target)) / float64(target)
			if !top.Watertight || top.Degenerate != 0 || off > 0.05 {
				t.Errorf("%s at %d: %+v", c.name, target, top)
			}
			if target == 20000 {
				mask, _ := modeltest.ObjectMaskFile(path)
				if iou, _ := m.FrontIoU(mask); iou < c.minIoU {
					t.Errorf("%s at %d: IoU %.3f", c.name, target, iou)
				}
				models = append(models, model)
			}
		}
	}
	modeltest.Validate(t, models...)
}

// TestTooThin: a one-pixel line is missed by every lattice coarse enough for 500 triangles. The
// artist is told to ask for more, and more works.
func TestTooThin(t *testing.T) {
	path := writePNG(t, t.TempDir(), "line.png", drawHard(300, 300, rect(150, 10, 151, 290)))
	// Turned makes a thin spindle of it; Round and Flat cut it on a lattice.
	req := providers.Request{Images: []providers.Image{{Path: path}}, Polycount: 500, Options: map[string]string{OptionShape: ShapeRound}}
	_, err := New().Collect(context.Background(), req, providers.Remote{ID: "local-1"}, t.TempDir(), nil)
	if !errors.Is(err, providers.ErrInvalidInput) || !strings.Contains(err.Error(), "too thin to model with only 500 triangles; ask for more") {
		t.Errorf("Collect: %v", err)
	}
	checkModel(t, collect(t, 20000, path), path, 20000, 0.95)
}
