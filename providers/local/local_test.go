package local

import (
	"bytes"
	"context"
	"math"
	"os"
	"path/filepath"
	"reflect"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/kiln3d/kiln/providers"
	"github.com/kiln3d/kiln/providers/modeltest"
)

// collect runs Submit then Collect on images at target triangles, in the Round shape, and returns
// the model's path. Round's front and back are height fields, which checkModel holds it to.
func collect(t testing.TB, target int, images ...string) string {
	t.Helper()
	return collectIn(t, t.TempDir(), target, images...)
}

// collectIn is collect into dir.
func collectIn(t testing.TB, dir string, target int, images ...string) string {
	t.Helper()
	return collectShape(t, dir, target, ShapeRound, images...)
}

// collectShape is collectIn in the shape given (ShapeAuto, ...).
func collectShape(t testing.TB, dir string, target int, shape string, images ...string) string {
	t.Helper()
	p := New()
	req := providers.Request{Polycount: target, Options: map[string]string{OptionShape: shape}}
	for _, img := range images {
		req.Images = append(req.Images, providers.Image{Path: img})
	}
	ctx := context.Background()
	r, err := p.Submit(ctx, req)
	if err != nil {
		t.Fatalf("Submit: %v", err)
	}
	files, err := p.Collect(ctx, req, r, dir, nil)
	if err != nil {
		t.Fatalf("Collect: %v", err)
	}
	if len(files) != 1 || files[0] != (providers.File{Path: "model.glb", Format: "glb"}) {
		t.Fatalf("Collect returned %v", files)
	}
	return filepath.Join(dir, files[0].Path)
}

// checkModel loads the model at path and checks what every model must be: closed and manifold
// once welded by position, without degenerate triangles, with the requested triangle count within
// 5%, standing 1 m tall on y = 0, centred in x and z, with a front silhouette matching the object
// of the image at front (IoU at least minIoU).
func checkModel(t *testing.T, path, front string, target int, minIoU float64) *modeltest.Model {
	t.Helper()
	return checkShape(t, path, front, target, minIoU, true)
}

// checkShape is checkModel for any shape; heightField holds the front and back to being height
// fields that meet at the mid-plane, as Round's are (see checkNormals).
func checkShape(t *testing.T, path, front string, target int, minIoU float64, heightField bool) *modeltest.Model {
	t.Helper()
	m, err := modeltest.Load(path)
	if err != nil {
		t.Fatal(err)
	}
	top := m.Topology()
	if !top.Watertight || top.Degenerate != 0 {
		t.Errorf("%s: not closed: %+v", filepath.Base(front), top)
	}
	if n := m.ZeroArea(1e-12); n != 0 {
		t.Errorf("%s: %d triangles without area", filepath.Base(front), n)
	}
	if off := math.Abs(float64(top.Triangles-target)) / float64(target); off > 0.05 {
		t.Errorf("%s: %d triangles for a target of %d (%.1f%% off)", filepath.Base(front), top.Triangles, target, 100*off)
	}
	lo, hi := m.Bounds()
	const eps = 1e-4
	if math.Abs(lo[1]) > eps || math.Abs(hi[1]-1) > eps {
		t.Errorf("%s: y runs from %g to %g, want 0 to 1", filepath.Base(front), lo[1], hi[1])
	}
	if math.Abs(lo[0]+hi[0]) > eps || math.Abs(lo[2]+hi[2]) > eps {
		t.Errorf("%s: not centred: x %g..%g, z %g..%g", filepath.Base(front), lo[0], hi[0], lo[2], hi[2])
	}
	if hi[2] <= 0 {
		t.Errorf("%s: flat model (z up to %g)", filepath.Base(front), hi[2])
	}
	checkNormals(t, m, filepath.Base(front), heightField)
	mask, err := modeltest.ObjectMaskFile(front)
	if err != nil {
		t.Fatal(err)
	}
	iou, err := m.FrontIoU(mask)
	if err != nil {
		t.Fatal(err)
	}
	if iou < minIoU {
		t.Errorf("%s: front silhouette IoU %.4f < %.2f", filepath.Base(front), iou, minIoU)
	}
	t.Logf("%s at %d: %d triangles, %d vertices, IoU %.4f, depth %.3f m",
		filepath.Base(front), target, top.Triangles, top.Vertices, iou, hi[2]-lo[2])
	return m
}

// checkNormals checks the vertex normals: unit length; for a height field, facing +Z on the front
// surface and −Z on the back, and in the mid-plane on the outline.
func checkNormals(t *testing.T, m *modeltest.Model, name string, heightField bool) {
	t.Helper()
	if len(m.Normals) != len(m.Positions) {
		t.Fatalf("%s: %d normals for %d vertices", name, len(m.Normals), len(m.Positions))
	}
	for i, n := range m.Normals {
		l := math.Sqrt(float64(n[0]*n[0] + n[1]*n[1] + n[2]*n[2]))
		z := m.Positions[i][2]
		switch {
		case math.Abs(l-1) > 1e-5:
			t.Fatalf("%s: normal %d has length %g", name, i, l)
		case !heightField:
		case z > 0 && n[2] <= 0, z < 0 && n[2] >= 0:
			t.Fatalf("%s: vertex %d at z=%g has normal %v", name, i, z, n)
		case z == 0 && math.Abs(float64(n[2])) > 1e-5:
			t.Fatalf("%s: outline vertex %d has normal %v, not in the mid-plane", name, i, n)
		}
	}
}

// TestShapes is the main acceptance test on generated images: every shape at every target is
// closed, has the requested triangle count, the right placement and silhouette, and validates.
func TestShapes(t *testing.T) {
	dir := t.TempDir()
	images := map[string]string{}
	for name, s := range testShapes() {
		images[name] = writePNG(t, dir, name+".png", drawRGBA(256, 256, s))
	}
	// Keyed images: holes that show the backdrop stay holes (see mask.Key).
	images["on white"] = writePNG(t, dir, "on white.png", drawOnWhite(256, 256, blob(128, 128, 90, false)))
	images["ring on white"] = writeJPEG(t, dir, "ring on white.jpg", drawOnWhite(256, 256, testShapes()["ring"]))
	images["on white jpeg"] = writeJPEG(t, dir, "on white.jpg", drawOnWhite(256, 256, testShapes()["two blobs"]))
	names := make([]string, 0, len(images))
	for n := range images {
		names = append(names, n)
	}
	sort.Strings(names)

	var models []string
	for _, target := range []int{500, 2000, 20000, 200000} {
		if testing.Short() && target > 20000 {
			continue
		}
		for _, name := range names {
			path := collect(t, target, images[name])
			checkModel(t, path, images[name], target, 0.95)
			if target <= 20000 {
				models = append(models, path)
			}
		}
	}
	modeltest.Validate(t, models...)
}

// TestHoleStaysHole checks that the ring's hole goes through the model: the centre of the front
// view is empty.
func TestHoleStaysHole(t *testing.T) {
	img := writePNG(t, t.TempDir(), "ring.png", drawRGBA(256, 256, testShapes()["ring"]))
	m, err := modeltest.Load(collect(t, 2000, img))
	if err != nil {
		t.Fatal(err)
	}
	mask, _ := modeltest.ObjectMaskFile(img)
	s, err := m.Silhouette(mask, false)
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range [][2]int{{128, 128}, {100, 128}, {128, 100}} {
		if s.In[p[1]*s.W+p[0]] {
			t.Errorf("the model covers pixel %v, inside the ring's hole", p)
		}
	}
	if top := m.Topology(); top.Vertices-3*top.Triangles/2+top.Triangles != 0 {
		t.Errorf("Euler characteristic %d, want 0 for a ring", top.Vertices-3*top.Triangles/2+top.Triangles)
	}
}

// TestTwoPartsStaySeparate checks that two separate blobs make two closed parts.
func TestTwoPartsStaySeparate(t *testing.T) {
	img := writePNG(t, t.TempDir(), "two.png", drawRGBA(256, 256, testShapes()["two blobs"]))
	m, err := modeltest.Load(collect(t, 2000, img))
	if err != nil {
		t.Fatal(err)
	}
	// A closed surface of genus 0 has V − E + F = 2; two of them, 4.
	top := m.Topology()
	if chi := top.Vertices - 3*top.Triangles/2 + top.Triangles; chi != 4 {
		t.Errorf("Euler characteristic %d, want 4 for two separate parts", chi)
	}
}

// TestDeterministic checks that collecting twice gives the same bytes.
func TestDeterministic(t *testing.T) {
	img := writePNG(t, t.TempDir(), "blob.png", drawRGBA(256, 256, blob(128, 128, 90, true)))
	a, err := os.ReadFile(collect(t, 5000, img))
	if err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(collect(t, 5000, img))
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(a, b) {
		t.Error("two runs on the same input wrote different files")
	}
}

// TestCollectAgainReplaces checks that a second Collect into the same directory (after a crash)
// replaces the model and leaves no partial files.
func TestCollectAgainReplaces(t *testing.T) {
	img := writePNG(t, t.TempDir(), "disc.png", drawRGBA(128, 128, disc(64, 64, 50)))
	p := New()
	req := providers.Request{Images: []providers.Image{{Path: img}}, Polycount: 1000, Options: map[string]string{OptionShape: ShapeRound}}
	r, err := p.Submit(context.Background(), req)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(r.ID, "local-") || len(r.ID) != len("local-")+16 {
		t.Errorf("Remote.ID %q", r.ID)
	}
	dir := t.TempDir()
	writeFile(t, dir, "model.glb", []byte("half a model"))
	// A crashed writer's leftover: its process is gone and it is older than a minute.
	writeFile(t, dir, ".partial-model.glb.999999999.0123456789abcdef", []byte("left by a crash"))
	old := time.Now().Add(-2 * time.Minute)
	os.Chtimes(filepath.Join(dir, ".partial-model.glb.999999999.0123456789abcdef"), old, old)
	if _, err := p.Collect(context.Background(), req, r, dir, nil); err != nil {
		t.Fatal(err)
	}
	entries, _ := os.ReadDir(dir)
	if len(entries) != 1 || entries[0].Name() != "model.glb" {
		t.Errorf("directory holds %v, want just model.glb", entries)
	}
	checkModel(t, filepath.Join(dir, "model.glb"), img, 1000, 0.95)
}

// TestProgress checks the stages are reported in order with growing fractions, for each shape,
// and that what the artist should know about the model goes with them as notes.
func TestProgress(t *testing.T) {
	img := writePNG(t, t.TempDir(), "disc.png", drawRGBA(128, 128, disc(64, 64, 50)))
	p := New()
	for _, c := range []struct {
		shape string
		want  []string
		note  string
	}{
		{ShapeRound, []string{msgReading, msgFinding, msgInflating, msgBuilding, msgTexturing, msgWriting, msgWriting}, "Shape: Round, as asked"},
		{ShapeTurned, []string{msgReading, msgFinding, msgTurning, msgTexturing, msgWriting, msgWriting}, "Shape: Turned, as asked"},
		{ShapeFlat, []string{msgReading, msgFinding, msgExtruding, msgTexturing, msgWriting, msgWriting}, "Shape: Flat, as asked"},
		{ShapeAuto, []string{msgReading, msgFinding, msgTurning, msgTexturing, msgWriting, msgWriting},
			"Shape: Turned, picked by Auto because the outline is mirror-symmetric about a vertical axis"},
	} {
		req := providers.Request{Images: []providers.Image{{Path: img}}, Polycount: 1000, Options: map[string]string{OptionShape: c.shape}}
		r, _ := p.Submit(context.Background(), req)
		var got []providers.Progress
		if _, err := p.Collect(context.Background(), req, r, t.TempDir(), func(pr providers.Progress) {
			got = append(got, pr)
		}); err != nil {
			t.Fatal(err)
		}
		if len(got) != len(c.want) {
			t.Fatalf("%s: got %d reports %v, want %d", c.shape, len(got), got, len(c.want))
		}
		var notes []string
		for i, pr := range got {
			if pr.Message != c.want[i] || pr.Phase != providers.PhaseRunning {
				t.Errorf("%s: report %d: %+v, want %q", c.shape, i, pr, c.want[i])
			}
			if i > 0 && pr.Fraction <= got[i-1].Fraction || pr.Fraction < 0 || pr.Fraction > 1 {
				t.Errorf("%s: report %d: fraction %g after %g", c.shape, i, pr.Fraction, got[max(0, i-1)].Fraction)
			}
			if pr.Note != "" {
				notes = append(notes, pr.Note)
			}
		}
		if got[len(got)-1].Fraction != 1 {
			t.Errorf("%s: last fraction %g, want 1", c.shape, got[len(got)-1].Fraction)
		}
		if len(notes) != 2 || !strings.HasPrefix(notes[0], c.note) || notes[1] != "The back is the front image mirrored: no back view was given" {
			t.Errorf("%s: notes %q", c.shape, notes)
		}
	}
}

func TestCapabilities(t *testing.T) {
	c := New().Capabilities()
	if c.Name != "local" || c.Title != "Local (offline)" || c.MinImages != 1 || c.MaxImages != 5 || !c.Views || !c.Dimensions || !c.Offline || c.NeedsKey {
		t.Errorf("Capabilities() = %+v", c)
	}
	if c.Polycount != (providers.Range{Min: 500, Max: 200000, Default: 20000}) {
		t.Errorf("Polycount = %+v", c.Polycount)
	}
	var keys []string
	for _, o := range c.Options {
		keys = append(keys, o.Key)
	}
	if want := []string{"shape", "depth", "thickness", "objects"}; !reflect.DeepEqual(keys, want) {
		t.Errorf("options %v, want %v", keys, want)
	}
	req := providers.Request{Polycount: 1000, Images: []providers.Image{{Path: "x.png"}}}
	if got := req.Option(c, OptionShape); got != ShapeAuto {
		t.Errorf("default shape %q, want auto", got)
	}
	// A control that does not apply to the shape asked for is refused.
	req.Options = map[string]string{OptionShape: ShapeTurned, OptionDepth: "150"}
	if err := providers.CheckRequest(c, req); err == nil {
		t.Errorf("depth with a Turned shape was accepted")
	}
	req.Options = map[string]string{OptionShape: ShapeRound, OptionDepth: "150"}
	if err := providers.CheckRequest(c, req); err != nil {
		t.Errorf("depth 150 for Round: %v", err)
	}
	if ps, err := New().Projects(context.Background()); ps != nil || err != nil {
		t.Errorf("Projects() = %v, %v", ps, err)
	}
}

// TestConcurrentJobs runs several jobs at once on one provider, as the app's workers do; with
// -race it also proves they share nothing.
func TestConcurrentJobs(t *testing.T) {
	dir := t.TempDir()
	var paths []string
	for name, s := range testShapes() {
		paths = append(paths, writePNG(t, dir, name+".png", drawRGBA(128, 128, func(x, y float64) bool { return s(2*x, 2*y) })))
	}
	p := New()
	errs := make(chan error, len(paths))
	for _, path := range paths {
		go func() {
			req := providers.Request{Images: []providers.Image{{Path: path}}, Polycount: 3000}
			r, err := p.Submit(context.Background(), req)
			if err == nil {
				_, err = p.Collect(context.Background(), req, r, t.TempDir(), func(providers.Progress) {})
			}
			errs <- err
		}()
	}
	for range paths {
		if err := <-errs; err != nil {
			t.Error(err)
		}
	}
}
