package viewport

import (
	"errors"
	"image"
	"image/color"
	"image/png"
	"math"
	"os"
	"path/filepath"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/driver/desktop"
	"fyne.io/fyne/v2/test"

	"github.com/kiln3d/kiln/preview"
	"github.com/kiln3d/kiln/preview/inspect"
)

func near(a, b float64) bool { return math.Abs(a-b) < 1e-9 }

// TestDragOrbitsCoalesced: drags made while a frame is drawn are not each drawn: the next
// frame shows their sum, and nothing else is drawn after it.
func TestDragOrbitsCoalesced(t *testing.T) {
	f := &fakeRenderer{}
	v, w, q := setup(t, f)
	q.settle()
	start, before := v.View(), len(f.rendered())
	gate := make(chan struct{})
	f.mu.Lock()
	f.gate = gate
	began := f.started
	f.mu.Unlock()
	test.Drag(w.Canvas(), fyne.NewPos(100, 100), 10, -5)
	q.waitFor(t, "a frame under way", func() bool {
		f.mu.Lock()
		defer f.mu.Unlock()
		return f.started == began+1
	})
	for range 10 {
		test.Drag(w.Canvas(), fyne.NewPos(100, 100), 10, -5)
	}
	q.give(t, gate) // the frame that was under way
	q.give(t, gate) // the one frame for the ten drags
	close(gate)     // and any other, which would be a failure
	q.settle()
	views := f.rendered()[before:]
	if len(views) != 2 {
		t.Fatalf("%d frames for a drag and 10 more made while it was drawn; want 2", len(views))
	}
	got := views[1]
	wantYaw := math.Remainder(start.Yaw-110*orbitPerUnit, 2*math.Pi)
	wantPitch := start.Pitch - 55*orbitPerUnit
	if !near(got.Yaw, wantYaw) || !near(got.Pitch, wantPitch) {
		t.Errorf("drawn yaw %.4f pitch %.4f, want %.4f %.4f (all eleven drags)", got.Yaw, got.Pitch, wantYaw, wantPitch)
	}
	if got.Ortho {
		t.Error("orbiting stays orthographic")
	}
}

// TestFrameRateCapped: a burst of drags with instant frames draws at most one frame per
// frameInterval.
func TestFrameRateCapped(t *testing.T) {
	f := &fakeRenderer{}
	v, w, q := setup(t, f)
	q.waitFor(t, "the first frame", func() bool { return len(f.rendered()) >= 1 })
	start := time.Now()
	for time.Since(start) < 200*time.Millisecond {
		test.Drag(w.Canvas(), fyne.NewPos(100, 100), 1, 0)
		q.pump()
		time.Sleep(time.Millisecond)
	}
	elapsed := time.Since(start)
	n := len(f.rendered())
	if limit := int(elapsed/(time.Second/60)) + 3; n > limit {
		t.Errorf("%d frames in %v: more than about 60 per second", n, elapsed)
	}
	if n < 3 {
		t.Errorf("only %d frames while dragging for %v", n, elapsed)
	}
	// The last frame drawn is the last view.
	q.waitFor(t, "the newest view drawn", func() bool {
		views := f.rendered()
		return views[len(views)-1] == v.View()
	})
}

func TestScrollZooms(t *testing.T) {
	f := &fakeRenderer{}
	v, w, q := setup(t, f)
	test.Scroll(w.Canvas(), fyne.NewPos(100, 100), 0, 10) // the wheel away from the artist
	if z := v.View().Zoom; z <= 0 {
		t.Fatalf("zoom %v after scrolling in", z)
	}
	q.waitFor(t, "a zoomed frame", func() bool {
		views := f.rendered()
		return len(views) > 0 && views[len(views)-1].Zoom == v.View().Zoom
	})
	test.Scroll(w.Canvas(), fyne.NewPos(100, 100), 0, -20)
	if z := v.View().Zoom; z >= 0 {
		t.Errorf("zoom %v after scrolling out further", z)
	}
}

func TestDoubleTapResets(t *testing.T) {
	f := &fakeRenderer{}
	v, w, q := setup(t, f)
	v.SetMode(preview.Clay)
	test.Drag(w.Canvas(), fyne.NewPos(100, 100), 80, 40)
	test.Scroll(w.Canvas(), fyne.NewPos(100, 100), 0, 30)
	if v.View() == preview.DefaultView() {
		t.Fatal("the view did not move")
	}
	test.DoubleTap(v)
	want := preview.DefaultView()
	want.Mode = preview.Clay // the mode is the artist's choice, not the camera's
	if got := v.View(); got != want {
		t.Fatalf("after a double tap: %+v, want %+v", got, want)
	}
	q.waitFor(t, "the reset frame", func() bool {
		views := f.rendered()
		return len(views) > 0 && views[len(views)-1] == want
	})
}

func TestPanWithShiftAndRightButton(t *testing.T) {
	f := &fakeRenderer{}
	v, w, q := setup(t, f)
	q.waitFor(t, "the first frame", func() bool { return v.Frame() != nil })
	start := v.View()
	v.MouseDown(&desktop.MouseEvent{Button: desktop.MouseButtonPrimary, Modifier: fyne.KeyModifierShift})
	test.Drag(w.Canvas(), fyne.NewPos(100, 100), 20, 0)
	got := v.View()
	if got.Yaw != start.Yaw || got.PanX >= 0 {
		t.Errorf("shift-drag right: yaw %v→%v, pan %v; want the model moved right, not turned", start.Yaw, got.Yaw, got.PanX)
	}
	// The right button: Fyne sends mouse moves, not drags.
	v.MouseDown(&desktop.MouseEvent{Button: desktop.MouseButtonSecondary, PointEvent: fyne.PointEvent{Position: fyne.NewPos(50, 50)}})
	v.MouseMoved(&desktop.MouseEvent{Button: desktop.MouseButtonSecondary, PointEvent: fyne.PointEvent{Position: fyne.NewPos(50, 80)}})
	v.MouseUp(&desktop.MouseEvent{Button: desktop.MouseButtonSecondary})
	v.MouseMoved(&desktop.MouseEvent{PointEvent: fyne.PointEvent{Position: fyne.NewPos(90, 10)}})
	after := v.View()
	if after.PanY <= got.PanY || after.PanX != got.PanX || after.Yaw != start.Yaw {
		t.Errorf("right-drag down: pan %v,%v → %v,%v; want only the model moved down", got.PanX, got.PanY, after.PanX, after.PanY)
	}
	// A plain drag orbits again.
	test.Drag(w.Canvas(), fyne.NewPos(100, 100), 20, 0)
	if v.View().Yaw == start.Yaw {
		t.Error("a plain drag after a pan does not orbit")
	}
}

func TestLoadReportsAndErrors(t *testing.T) {
	rep := &inspect.Report{Triangles: 12, Max: [3]float64{1.5, 1, 0.5}}
	f := &fakeRenderer{report: rep}
	v, _, q := setup(t, f)
	// The callbacks run on the (stand-in) UI thread, which is this goroutine.
	var reports []*inspect.Report
	var errs []error
	v.OnReport = func(r *inspect.Report) { reports = append(reports, r) }
	v.OnError = func(err error) { errs = append(errs, err) }

	v.Load("chair.glb")
	q.waitFor(t, "the report", func() bool { return len(reports)+len(errs) > 0 })
	if len(errs) > 0 || reports[0] != rep {
		t.Fatalf("reports %v, errors %v", reports, errs)
	}
	v.mu.Lock()
	caption := v.caption
	v.mu.Unlock()
	if caption != "grid 10 cm / 1 m" {
		t.Errorf("caption %q for a 1.5 m model", caption)
	}

	refused := &inspect.Error{File: "bad.glb", Reason: "Draco-compressed: can't preview"}
	f.mu.Lock()
	f.loadErr, f.report = refused, nil
	f.mu.Unlock()
	v.Load("bad.glb")
	q.waitFor(t, "the error", func() bool { return len(errs) > 0 })
	if !errors.Is(errs[0], refused) || len(reports) != 1 {
		t.Errorf("errors %v after a refused load (reports %d)", errs, len(reports))
	}
}

func TestSaveImageWritesPNG(t *testing.T) {
	f := &fakeRenderer{}
	v, _, q := setup(t, f)
	path := filepath.Join(t.TempDir(), "view.png")
	q.waitFor(t, "a frame", func() bool { return v.Frame() != nil })
	q.settle()
	if err := v.SaveImage(path); err != nil {
		t.Fatal(err)
	}
	file, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer file.Close()
	img, err := png.Decode(file)
	if err != nil {
		t.Fatal(err)
	}
	frame := v.Frame()
	if img.Bounds() != frame.Bounds() {
		t.Fatalf("saved %v, frame %v", img.Bounds(), frame.Bounds())
	}
	if got, want := color.RGBAModel.Convert(img.At(10, 10)), frame.At(10, 10); got != want {
		t.Errorf("saved pixel %v, frame %v", got, want)
	}
	entries, _ := os.ReadDir(filepath.Dir(path))
	if len(entries) != 1 {
		t.Errorf("%d files beside the PNG: the temporary file stayed", len(entries)-1)
	}
}

func TestSaveImageBeforeAnyFrame(t *testing.T) {
	test.NewTempApp(t)
	f := &fakeRenderer{}
	v := New(f) // never shown: no size, no frame; fyne.Do as in the app
	defer v.Close()
	if err := v.SaveImage(filepath.Join(t.TempDir(), "x.png")); err == nil {
		t.Error("saved an image before any frame")
	}
}

func TestPresetModeAndBackgroundReachTheRenderer(t *testing.T) {
	f := &fakeRenderer{}
	v, _, q := setup(t, f)
	v.SetView(preview.Top)
	v.SetMode(preview.Wireframe)
	v.SetBackground(preview.Light)
	v.SetGrid(false)
	want := preview.DefaultView().WithPreset(preview.Top)
	want.Mode, want.Background, want.Grid = preview.Wireframe, preview.Light, false
	q.waitFor(t, "the new view drawn", func() bool {
		views := f.rendered()
		return len(views) > 0 && views[len(views)-1] == want
	})
	sizes := func() image.Point {
		f.mu.Lock()
		defer f.mu.Unlock()
		return f.sizes[len(f.sizes)-1]
	}
	size := v.Size() // the test canvas has scale 1
	if got, want := sizes(), image.Pt(int(size.Width), int(size.Height)); got != want {
		t.Errorf("frames of %v for a %v widget", got, want)
	}
}

func TestCloseClosesRendererAndStops(t *testing.T) {
	f := &fakeRenderer{}
	v, w, q := setup(t, f)
	q.waitFor(t, "a frame", func() bool { return len(f.rendered()) > 0 })
	v.Close()
	f.mu.Lock()
	closed := f.closed
	f.mu.Unlock()
	if !closed {
		t.Error("the renderer is not closed")
	}
	n := len(f.rendered())
	test.Drag(w.Canvas(), fyne.NewPos(100, 100), 30, 0)
	v.Load("late.glb")
	q.settle()
	if len(f.rendered()) != n {
		t.Error("frames drawn after Close")
	}
	v.Close() // twice is fine
}

func TestRenderImageAtItsOwnSize(t *testing.T) {
	f := &fakeRenderer{}
	v, _, q := setup(t, f)
	v.SetToneMap(preview.Neutral)
	v.SetLighting(preview.Studio)
	v.SetEnvironment("/tmp/sky.hdr")
	v.SetExposure(-1.5)
	q.settle()
	img, err := v.RenderImage(t.Context(), 1024, 512, true)
	if err != nil {
		t.Fatal(err)
	}
	if img.Bounds().Dx() != 1024 || img.Bounds().Dy() != 512 {
		t.Errorf("image %v, asked 1024×512", img.Bounds())
	}
	views := f.rendered()
	got := views[len(views)-1]
	want := v.View()
	want.Transparent = true
	if got != want {
		t.Errorf("drawn %+v, want the view with a transparent background %+v", got, want)
	}
	if v.View().Transparent {
		t.Error("saving a transparent image changed the viewport's own background")
	}
	if v.Frame().Bounds().Dx() == 1024 {
		t.Error("the image went on screen")
	}
	for _, size := range [][2]int{{4097, 100}, {100, 5000}, {0, 10}, {10, -1}} {
		if _, err := v.RenderImage(t.Context(), size[0], size[1], false); err == nil {
			t.Errorf("%d×%d drawn", size[0], size[1])
		}
	}
	v.Close()
	if _, err := v.RenderImage(t.Context(), 16, 16, false); err == nil {
		t.Error("drawn after Close")
	}
}

func TestResetKeepsTheLook(t *testing.T) {
	f := &fakeRenderer{}
	v, w, _ := setup(t, f)
	v.SetLighting(preview.Studio)
	v.SetExposure(2)
	v.SetToneMap(preview.Linear)
	test.Drag(w.Canvas(), fyne.NewPos(100, 100), 80, 40)
	v.Reset()
	want := preview.DefaultView()
	want.Light, want.Exposure, want.ToneMap = preview.Studio, 2, preview.Linear
	if got := v.View(); got != want {
		t.Errorf("after Reset %+v, want %+v", got, want)
	}
}
