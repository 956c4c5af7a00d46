package local

import (
	"math"
	"path/filepath"
	"testing"

	"github.com/kiln3d/kiln/providers"
	"github.com/kiln3d/kiln/providers/modeltest"
)

// TestSize: the model is made to the size asked for, in metres, standing on y = 0 and centred:
// uniformly from the height alone, each axis to its own size when width and depth are given too.
func TestSize(t *testing.T) {
	dir := t.TempDir()
	carved := drawViews(t, dir, "mug", mug(), map[string][2]int{"front": {240, 240}, "left": {240, 240}, "top": {240, 240}})
	inflated := carved[:1]
	lo, hi := mug().Bounds()
	aspect := (hi[0] - lo[0]) / (hi[1] - lo[1]) // 0.98
	cases := []struct {
		name   string
		images []providers.Image
		size   providers.Dimensions
		want   [3]float64 // width, height, depth in metres; 0 where only the proportions are known
		aspect float64    // width over height, when the width is not given
	}{
		{"carved, no size", carved, providers.Dimensions{}, [3]float64{0, 1, 0}, aspect},
		{"carved, height", carved, providers.Dimensions{HeightCM: 12}, [3]float64{0, 0.12, 0}, aspect},
		{"carved, width", carved, providers.Dimensions{WidthCM: 49}, [3]float64{0.49, 0, 0}, 0},
		{"carved, all three", carved, providers.Dimensions{HeightCM: 12, WidthCM: 15, DepthCM: 9}, [3]float64{0.15, 0.12, 0.09}, 0},
		{"inflated, height", inflated, providers.Dimensions{HeightCM: 30}, [3]float64{0, 0.3, 0}, aspect},
		{"inflated, height and depth", inflated, providers.Dimensions{HeightCM: 30, DepthCM: 5}, [3]float64{0, 0.3, 0.05}, aspect},
	}
	var models []string
	for _, c := range cases {
		out := filepath.Join(t.TempDir(), c.name)
		mkdir(t, out)
		path := generateReq(t, out, providers.Request{Images: c.images, Polycount: 3000, Size: c.size})
		m, _ := checkViewsQuiet(t, path, 3000)
		lo, hi := m.Bounds()
		ext := [3]float64{hi[0] - lo[0], hi[1] - lo[1], hi[2] - lo[2]}
		if math.Abs(lo[1]) > 1e-5 || math.Abs(lo[0]+hi[0]) > 1e-5 || math.Abs(lo[2]+hi[2]) > 1e-5 {
			t.Errorf("%s: box %v..%v is not on y = 0 and centred", c.name, lo, hi)
		}
		for a, w := range c.want {
			if w > 0 && math.Abs(ext[a]-w) > 1e-5 {
				t.Errorf("%s: size %v, want %g along axis %d", c.name, ext, w, a)
			}
		}
		if c.size.WidthCM > 0 && c.size.HeightCM == 0 && math.Abs(ext[1]-ext[0]/aspect) > 0.01 {
			t.Errorf("%s: height %.3f, want the width's %.3f over the aspect", c.name, ext[1], ext[0])
		}
		if c.aspect > 0 && math.Abs(ext[0]/ext[1]-c.aspect) > 0.02 {
			t.Errorf("%s: width/height %.3f, want %.2f", c.name, ext[0]/ext[1], c.aspect)
		}
		for i, n := range m.Normals {
			if l := math.Sqrt(float64(n[0]*n[0] + n[1]*n[1] + n[2]*n[2])); math.Abs(l-1) > 1e-5 {
				t.Fatalf("%s: normal %d has length %g", c.name, i, l)
			}
		}
		models = append(models, path)
	}
	modeltest.Validate(t, models...)
}

// TestOneAxisViews: views that all look along one axis are inflated and turned to face their
// cameras: a side view alone makes a model whose silhouette from that side matches it, a top
// view alone one lying on the ground 1 m across.
func TestOneAxisViews(t *testing.T) {
	dir := t.TempDir()
	sizes := map[string][2]int{"left": {240, 240}, "right": {240, 240}, "back": {240, 240}, "top": {240, 240}}
	all := drawViews(t, dir, "chair", chair(), sizes)
	byView := map[string]providers.Image{}
	for _, img := range all {
		byView[img.View] = img
	}
	cases := [][]string{{"left"}, {"right"}, {"back"}, {"top"}, {"left", "right"}}
	for _, views := range cases {
		var images []providers.Image
		for _, v := range views {
			images = append(images, byView[v])
		}
		path := generateReq(t, t.TempDir(), providers.Request{Images: images, Polycount: 4000})
		m, _ := checkViewsQuiet(t, path, 4000)
		for _, img := range images {
			mask, err := modeltest.ObjectMaskFile(img.Path)
			if err != nil {
				t.Fatal(err)
			}
			iou, err := m.ViewIoU(mask, img.View)
			if err != nil {
				t.Fatal(err)
			}
			if iou < 0.95 {
				t.Errorf("%v: %s IoU %.4f", views, img.View, iou)
			}
		}
		lo, hi := m.Bounds()
		if views[0] == "top" {
			if side := math.Max(hi[0]-lo[0], hi[2]-lo[2]); math.Abs(side-1) > 1e-5 || math.Abs(lo[1]) > 1e-5 {
				t.Errorf("top alone: box %v..%v, want 1 m across on the ground", lo, hi)
			}
		} else if math.Abs(hi[1]-lo[1]-1) > 1e-5 {
			t.Errorf("%v: height %g, want 1", views, hi[1]-lo[1])
		}
		modeltest.Validate(t, path)
	}
}

// TestGuessedViews: untagged images named after their views are carved as if tagged.
func TestGuessedViews(t *testing.T) {
	images := drawViews(t, t.TempDir(), "mug", mug(), map[string][2]int{"front": {240, 240}, "left": {240, 240}, "top": {240, 240}})
	tagged := append([]providers.Image(nil), images...)
	for i := range images {
		images[i].View = "" // "mug left.png" and so on
	}
	path := generateReq(t, t.TempDir(), providers.Request{Images: images, Polycount: 3000})
	checkViews(t, path, tagged, 3000, 0.9)
}
