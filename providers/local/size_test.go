package local

import (
	"context"
	"errors"
	"math"
	"path/filepath"
	"slices"
	"strings"
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
		// Within sizeTolerance of the views' proportions: stretched to exactly what was asked.
		{"carved, all three", carved, providers.Dimensions{HeightCM: 12, WidthCM: 11.9, DepthCM: 8.4}, [3]float64{0.119, 0.12, 0.084}, 0},
		{"carved, the default height", carved, providers.Dimensions{HeightCM: 30, Default: true}, [3]float64{0, 0.3, 0}, aspect},
		{"inflated, height", inflated, providers.Dimensions{HeightCM: 30}, [3]float64{0, 0.3, 0}, aspect},
		// A Round model's depth is not in the image: any depth given is taken.
		{"inflated, height and depth", inflated, providers.Dimensions{HeightCM: 30, DepthCM: 5}, [3]float64{0, 0.3, 0.05}, aspect},
		{"inflated, width and height", inflated, providers.Dimensions{HeightCM: 30, WidthCM: 30 * aspect * 1.02}, [3]float64{30 * aspect * 1.02 / 100, 0.3, 0}, 0},
	}
	var models []string
	for _, c := range cases {
		out := filepath.Join(t.TempDir(), c.name)
		mkdir(t, out)
		path := generateReq(t, out, providers.Request{Images: c.images, Polycount: 3000, Size: c.size,
			Options: map[string]string{OptionShape: ShapeRound}})
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

// TestSizeAtOddsIsRefused: a size given along two axes the images show must keep their
// proportions; otherwise the job is refused with the reason, by Foresee before it is submitted
// and by Collect, rather than stretching the object.
func TestSizeAtOddsIsRefused(t *testing.T) {
	dir := t.TempDir()
	carved := drawViews(t, dir, "mug", mug(), map[string][2]int{"front": {240, 240}, "left": {240, 240}, "top": {240, 240}})
	vase := writePNG(t, dir, "vase.png", drawRGBA(200, 400, rect(50, 20, 150, 380))) // 1:3.6
	cases := []struct {
		name   string
		images []providers.Image
		shape  string
		size   providers.Dimensions
		says   string
	}{
		{"carved, width against height", carved, ShapeAuto, providers.Dimensions{HeightCM: 12, WidthCM: 15},
			"a size 15 cm wide × 12 cm tall does not match the object's proportions in the images: 12 cm tall, it is 11."},
		{"carved, depth against width", carved, ShapeAuto, providers.Dimensions{WidthCM: 20, DepthCM: 30}, "20 cm wide × 30 cm deep"},
		{"round, width against height", []providers.Image{{Path: vase}}, ShapeRound, providers.Dimensions{HeightCM: 36, WidthCM: 20},
			"a size 20 cm wide × 36 cm tall does not match the object's proportions in the images: 36 cm tall, it is 10 cm wide"},
		// A turned model is as deep as it is wide.
		{"turned, depth against width", []providers.Image{{Path: vase}}, ShapeTurned, providers.Dimensions{WidthCM: 10, DepthCM: 20}, "10 cm wide × 20 cm deep"},
	}
	for _, c := range cases {
		req := providers.Request{Images: c.images, Polycount: 2000, Size: c.size, Options: map[string]string{OptionShape: c.shape}}
		_, err := New().(Provider).Foresee(context.Background(), req)
		if ie, ok := errors.AsType[*providers.InputError](err); !ok || !strings.Contains(ie.Reason, c.says) {
			t.Errorf("%s: Foresee: %v, want an input error saying %q", c.name, err, c.says)
		}
		out := t.TempDir()
		_, err = New().Collect(context.Background(), req, providers.Remote{ID: "local-1"}, out, nil)
		if ie, ok := errors.AsType[*providers.InputError](err); !ok || !strings.Contains(ie.Reason, c.says) {
			t.Errorf("%s: Collect: %v, want an input error saying %q", c.name, err, c.says)
		}
		modeltest.NoFiles(t, out)
	}
}

// TestForeseeSaysTheSize: the size Foresee promises is the size Collect makes, and the notes
// are the ones the job reports.
func TestForeseeSaysTheSize(t *testing.T) {
	dir := t.TempDir()
	vase := writePNG(t, dir, "vase.png", drawRGBA(200, 400, union(rect(60, 40, 140, 380), disc(100, 200, 70))))
	carved := drawViews(t, dir, "mug", mug(), map[string][2]int{"front": {240, 240}, "left": {200, 240}})
	for _, c := range []struct {
		name   string
		images []providers.Image
		opts   map[string]string
		size   providers.Dimensions
	}{
		{"auto", []providers.Image{{Path: vase}}, nil, providers.Dimensions{HeightCM: 100, Default: true}},
		{"round, deeper", []providers.Image{{Path: vase}}, map[string]string{OptionShape: ShapeRound, OptionDepth: "150"}, providers.Dimensions{HeightCM: 40}},
		{"flat", []providers.Image{{Path: vase}}, map[string]string{OptionShape: ShapeFlat, OptionThickness: "10"}, providers.Dimensions{WidthCM: 20}},
		{"turned", []providers.Image{{Path: vase}}, map[string]string{OptionShape: ShapeTurned}, providers.Dimensions{HeightCM: 25, Default: true}},
		{"carved", carved, nil, providers.Dimensions{HeightCM: 80}},
	} {
		req := providers.Request{Images: c.images, Polycount: 4000, Size: c.size, Options: c.opts}
		f, err := New().(Provider).Foresee(context.Background(), req)
		if err != nil {
			t.Fatalf("%s: %v", c.name, err)
		}
		var notes []string
		out := t.TempDir()
		if _, err := New().Collect(context.Background(), req, providers.Remote{ID: "local-1"}, out, func(p providers.Progress) {
			if p.Note != "" {
				notes = append(notes, p.Note)
			}
		}); err != nil {
			t.Fatalf("%s: %v", c.name, err)
		}
		if !slices.Equal(notes, f.Notes) {
			t.Errorf("%s: the job noted %q, Foresee %q", c.name, notes, f.Notes)
		}
		m, err := modeltest.Load(filepath.Join(out, ModelFile))
		if err != nil {
			t.Fatal(err)
		}
		lo, hi := m.Bounds()
		got := [3]float64{(hi[0] - lo[0]) * 100, (hi[1] - lo[1]) * 100, (hi[2] - lo[2]) * 100}
		want := [3]float64{f.Size.WidthCM, f.Size.HeightCM, f.Size.DepthCM}
		for a := range got {
			// Foresee works from the outline, before the mesh exists: within 3%.
			if math.Abs(got[a]-want[a]) > 0.03*want[a] {
				t.Errorf("%s: the model is %.1f × %.1f × %.1f cm, Foresee said %.1f × %.1f × %.1f", c.name, got[0], got[1], got[2], want[0], want[1], want[2])
				break
			}
		}
	}
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
