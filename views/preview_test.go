package views

import (
	"context"
	"image"
	"image/color"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"github.com/kiln3d/kiln/preview"
	"github.com/kiln3d/kiln/preview/inspect"
	"github.com/kiln3d/kiln/providers"
	"github.com/kiln3d/kiln/providers/providertest"
)

// fakeRenderer is a preview.Renderer without GL: it measures models with inspect (or answers
// report, when set) and draws flat colour, recording what it was asked to draw.
type fakeRenderer struct {
	mu      sync.Mutex
	loaded  []string
	report  *inspect.Report
	renders []fakeRender
	// slow makes pictures larger than 1024² wait until they are cancelled.
	slow bool
}

// fakeRender is one Render call.
type fakeRender struct {
	w, h int
	view preview.View
}

func (f *fakeRenderer) Load(_ context.Context, path string) (*inspect.Report, error) {
	rep, err := inspect.Inspect(path)
	f.mu.Lock()
	defer f.mu.Unlock()
	if err == nil && f.report != nil {
		rep = f.report
	}
	if err == nil {
		f.loaded = append(f.loaded, path)
	}
	return rep, err
}

func (f *fakeRenderer) Render(ctx context.Context, w, h int, v preview.View) (*image.RGBA, error) {
	f.mu.Lock()
	f.renders = append(f.renders, fakeRender{w, h, v})
	slow := f.slow
	f.mu.Unlock()
	if slow && w*h > 1024*1024 {
		<-ctx.Done()
		return nil, ctx.Err()
	}
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	for i := range img.Pix {
		img.Pix[i] = 200
	}
	img.Set(0, 0, color.RGBA{uint8(v.Mode), 0, 0, 255})
	return img, nil
}

func (f *fakeRenderer) Close() error { return nil }

func (f *fakeRenderer) paths() []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]string(nil), f.loaded...)
}

// lastRender is the newest Render call.
func (f *fakeRenderer) lastRender() fakeRender {
	f.mu.Lock()
	defer f.mu.Unlock()
	if len(f.renders) == 0 {
		return fakeRender{}
	}
	return f.renders[len(f.renders)-1]
}

func harnessWithPreview(t *testing.T, r *fakeRenderer, ps ...providers.Provider) (*UI, *uiThread) {
	t.Helper()
	return harnessWith(t, Options{Renderer: func() preview.Renderer { return r }}, ps...)
}

func TestFinishedJobOpensInThePreview(t *testing.T) {
	r := &fakeRenderer{}
	fake := providertest.NewFake("fake")
	fake.Caps.Polycount.Min = 1
	u, ui := harnessWithPreview(t, r, fake)
	u.create.addPaths([]string{writeImage(t, t.TempDir(), "pot.png")})
	ui.until(t, "the image", func() bool { return !u.create.submit.Disabled() })
	u.create.polycount.entry.SetText("2") // the fake's model has 4 triangles: more than asked
	test.Tap(u.create.submit)
	ui.until(t, "the preview to open", func() bool { return u.tabs.Selected().Text == "Preview" && len(r.paths()) == 1 })
	ui.until(t, "the stats", func() bool { return strings.Contains(u.preview.stats.Text, "Triangles: 4") })
	if !strings.Contains(u.preview.warn.Text, "more than the 2 asked for") || !strings.Contains(u.preview.warn.Text, "no normals") {
		t.Errorf("warnings: %q", u.preview.warn.Text)
	}
	if u.preview.title.Text != "pot" || !strings.Contains(u.preview.stats.Text, "Size: 100.0 × 100.0 × 100.0 cm") {
		t.Errorf("title %q stats %q", u.preview.title.Text, u.preview.stats.Text)
	}

	// A broken model dropped on the window is explained, and the window lives on.
	bad := filepath.Join(t.TempDir(), "broken.glb")
	writeFile(t, bad, "glTF\x01\x00\x00\x00\x20\x00\x00\x00"+strings.Repeat("\x00", 24))
	u.showModel(bad, "broken.glb", 0)
	ui.until(t, "the refusal", func() bool { return strings.Contains(u.preview.status.Text, "glTF 1.0 binary") })
	if !strings.HasPrefix(u.preview.status.Text, "Refused: broken.glb: ") || u.preview.status.Importance != widget.DangerImportance {
		t.Errorf("the refusal reads %q", u.preview.status.Text)
	}
	if s := u.preview.check.summary; !strings.HasPrefix(s.Text, "Refused: 1 error") || s.Importance != widget.DangerImportance {
		t.Errorf("the check reads %q", s.Text)
	}
	if u.preview.model.Visible() {
		t.Errorf("a refused model's stats are shown: %q", u.preview.stats.Text)
	}
}

func TestPreviewButtonsOnRows(t *testing.T) {
	r := &fakeRenderer{}
	u, ui := harnessWithPreview(t, r, providertest.NewFake("fake"))
	u.create.addPaths([]string{writeImage(t, t.TempDir(), "cup.png")})
	ui.until(t, "the image", func() bool { return !u.create.submit.Disabled() })
	test.Tap(u.create.submit)
	ui.until(t, "the first preview", func() bool { return len(r.paths()) == 1 })
	u.selectTab("Jobs")
	ui.until(t, "the row", func() bool { return len(rows(u)) == 1 && !rows(u)[0].look.Disabled() })
	test.Tap(rows(u)[0].look)
	ui.until(t, "a second load", func() bool { return len(r.paths()) == 2 && u.tabs.Selected().Text == "Preview" })
}
