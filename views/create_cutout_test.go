package views

import (
	"context"
	"errors"
	"image"
	"image/color"
	"image/png"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"github.com/kiln3d/kiln/app"
	"github.com/kiln3d/kiln/providers"
	"github.com/kiln3d/kiln/providers/imageio"
	"github.com/kiln3d/kiln/providers/providertest"
)

// disc is an opaque disc centred on x, y.
type disc struct {
	x, y, r int
	c       color.NRGBA
}

// writeCutout writes a w×h PNG that is transparent but for an opaque disc in its middle, of
// radius r: an object whose cut-out is known.
func writeCutout(t *testing.T, dir, name string, w, h, r int) string {
	t.Helper()
	return writeDiscs(t, dir, name, w, h, disc{w / 2, h / 2, r, color.NRGBA{R: 200, G: 120, B: 40, A: 255}})
}

// writeDiscs writes a w×h PNG, transparent but for the discs.
func writeDiscs(t *testing.T, dir, name string, w, h int, discs ...disc) string {
	t.Helper()
	img := image.NewNRGBA(image.Rect(0, 0, w, h))
	for y := range h {
		for x := range w {
			for _, d := range discs {
				if dx, dy := x-d.x, y-d.y; dx*dx+dy*dy <= d.r*d.r {
					img.SetNRGBA(x, y, d.c)
				}
			}
		}
	}
	p := filepath.Join(dir, name)
	f, err := os.Create(p)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if err := png.Encode(f, img); err != nil {
		t.Fatal(err)
	}
	return p
}

// cutCalls records what the cut-outs were asked, and answers with app.CutOut's, or when fake is
// set as a cut-out by the alpha channel would: the opaque pixels inside the rectangle, if any.
type cutCalls struct {
	mu    sync.Mutex
	calls []app.CutOptions
	fake  bool
	fail  error         // returned when set
	gate  chan struct{} // when set, each cut waits for it or for its context
	ended chan error    // when set, told how each cut ended
}

func (c *cutCalls) cut(ctx context.Context, path string, opt app.CutOptions) (*image.NRGBA, error) {
	c.mu.Lock()
	c.calls = append(c.calls, opt)
	gate, ended, fail := c.gate, c.ended, c.fail
	c.mu.Unlock()
	if gate != nil {
		select {
		case <-gate:
		case <-ctx.Done():
			if ended != nil {
				ended <- ctx.Err()
			}
			return nil, ctx.Err()
		}
	}
	if fail != nil {
		return nil, fail
	}
	if !c.fake {
		return app.CutOut(ctx, path, opt)
	}
	src, _, err := imageio.Decode(path)
	if err != nil {
		return nil, err
	}
	b := src.Bounds()
	out := image.NewNRGBA(b)
	for y := b.Min.Y; y < b.Max.Y; y++ {
		for x := b.Min.X; x < b.Max.X; x++ {
			p := color.NRGBAModel.Convert(src.At(x, y)).(color.NRGBA)
			if p.A < 128 || (!opt.Rect.Empty() && !image.Pt(x, y).In(opt.Rect)) {
				p.A = 0
			} else {
				p.A = 255
			}
			out.SetNRGBA(x, y, p)
		}
	}
	return out, nil
}

func (c *cutCalls) asked() []app.CutOptions {
	c.mu.Lock()
	defer c.mu.Unlock()
	return append([]app.CutOptions(nil), c.calls...)
}

// localFake is a fake provider registered as the local provider: the one whose cards show cut-outs.
func localFake() *providertest.Fake {
	f := providertest.NewFake(cutOutProvider)
	f.Caps.Views, f.Caps.Dimensions = true, true
	return f
}

func TestCutOutOverlayShowsOnTheCard(t *testing.T) {
	local, plain := localFake(), providertest.NewFake("plain")
	u, ui := harness(t, nil, local, plain)
	c := u.create
	cuts := &cutCalls{}
	c.inputs.cut = cuts.cut
	c.providerSel.SetSelected("Fake local")
	c.addPaths([]string{writeCutout(t, t.TempDir(), "coin.png", 80, 60, 20)})
	in := c.inputs.items[0]
	ui.until(t, "the overlay", func() bool { return in.cut.overlay.Visible() && in.cut.overlay.Image != nil })

	// The background is dimmed, the object left clear, its edge traced.
	ov := in.cut.overlay.Image.(*image.NRGBA)
	if got := ov.NRGBAAt(2, 2); got != backdropTint {
		t.Errorf("background pixel %v, want the dimming tint", got)
	}
	if got := ov.NRGBAAt(40, 30); got.A != 0 {
		t.Errorf("the object's middle is covered: %v", got)
	}
	if got := ov.NRGBAAt(40+20, 30); got != outlineTint {
		t.Errorf("the object's edge is not traced: %v", got)
	}
	if len(cuts.asked()) != 1 || !cuts.asked()[0].Rect.Empty() {
		t.Errorf("cut-outs asked: %+v, want one automatic", cuts.asked())
	}
	if in.cut.note.Visible() || !in.cut.area.enabled {
		t.Errorf("note %q shown, large view enabled %v", in.cut.note.Text, in.cut.area.enabled)
	}

	// Another provider finds the object its own way: no overlay, no large view.
	c.providerSel.SetSelected("Fake plain")
	if in.cut.overlay.Visible() || in.cut.area.enabled {
		t.Error("the overlay shows for a provider that does not use it")
	}
	test.Tap(in.cut.area)
	if in.cut.open != nil {
		t.Error("the large view opened for a provider that does not use it")
	}
	c.providerSel.SetSelected("Fake local")
	if !in.cut.overlay.Visible() || len(cuts.asked()) != 1 {
		t.Errorf("back on local: overlay shown %v, %d cut-outs (the first one is kept)", in.cut.overlay.Visible(), len(cuts.asked()))
	}
}

func TestCutOutStartsWhenTheLocalProviderIsPicked(t *testing.T) {
	u, ui := harness(t, nil, providertest.NewFake("plain"), localFake())
	c := u.create
	cuts := &cutCalls{}
	c.inputs.cut = cuts.cut
	c.providerSel.SetSelected("Fake plain")
	c.addPaths([]string{writeCutout(t, t.TempDir(), "coin.png", 50, 50, 20)})
	ui.until(t, "the image", func() bool { return !c.submit.Disabled() })
	ui.pump(t, 50*time.Millisecond)
	if n := len(cuts.asked()); n != 0 {
		t.Fatalf("%d cut-outs made for a provider that does not use them", n)
	}
	c.providerSel.SetSelected("Fake local")
	in := c.inputs.items[0]
	ui.until(t, "the overlay", func() bool { return in.cut.overlay.Visible() && in.cut.area.enabled })
	if got := c.request().Images[0].Mask; got != "" {
		t.Errorf("an automatic cut-out is sent as a mask: %q", got)
	}
}

func TestCutOutErrorIsSaidAndRemovingCancels(t *testing.T) {
	u, ui := harness(t, nil, localFake())
	c := u.create
	cuts := &cutCalls{fail: &providers.InputError{Reason: "no object found: the picture is one colour"}}
	c.inputs.cut = cuts.cut
	c.addPaths([]string{writeCutout(t, t.TempDir(), "blank.png", 40, 40, 0)})
	in := c.inputs.items[0]
	ui.until(t, "the error", func() bool { return strings.HasPrefix(in.cut.note.Text, "No cut-out:") })
	if in.cut.note.Text != "No cut-out: no object found: the picture is one colour" || !in.cut.note.Visible() ||
		in.cut.note.Importance != widget.WarningImportance || in.cut.overlay.Visible() {
		t.Errorf("note %q (importance %v), overlay shown %v", in.cut.note.Text, in.cut.note.Importance, in.cut.overlay.Visible())
	}
	// The provider may still find the object its own way: the job can go.
	if c.submit.Disabled() {
		t.Errorf("Submit disabled: %q", c.hint.Text)
	}

	// A cut-out under way stops when its image is removed.
	cuts.mu.Lock()
	cuts.fail, cuts.gate, cuts.ended = nil, make(chan struct{}), make(chan error, 1)
	cuts.mu.Unlock()
	c.addPaths([]string{writeCutout(t, t.TempDir(), "slow.png", 40, 40, 10)})
	ui.until(t, "the second cut-out to start", func() bool { return len(cuts.asked()) == 2 })
	c.inputs.remove(c.inputs.items[1])
	select {
	case err := <-cuts.ended:
		if !errors.Is(err, context.Canceled) {
			t.Errorf("the cut-out ended with %v", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("the cut-out of a removed image goes on")
	}
}

func TestRectangleCorrectsTheCutOutAndReachesTheJob(t *testing.T) {
	local := localFake()
	u, ui := harness(t, nil, local)
	c := u.create
	cuts := &cutCalls{}
	c.inputs.cut = cuts.cut
	// Two discs: the automatic cut-out takes both, the rectangle the right one only.
	dir := t.TempDir()
	path := writeDiscs(t, dir, "pair.png", 200, 100, disc{50, 50, 30, color.NRGBA{R: 40, G: 60, B: 220, A: 255}},
		disc{150, 50, 30, color.NRGBA{R: 220, G: 50, B: 30, A: 255}})
	c.addPaths([]string{path})
	in := c.inputs.items[0]
	ui.until(t, "the automatic cut-out", func() bool { return in.cut.auto != nil })

	test.Tap(in.cut.area)
	d := in.cut.open
	if d == nil {
		t.Fatal("clicking the thumbnail opens no large view")
	}
	ui.until(t, "the image's size and cut-out", func() bool { return d.view.img == image.Pt(200, 100) && d.view.overlay.Image != nil })
	if got := d.view.overlay.Image.(*image.NRGBA).NRGBAAt(50, 50); got.A != 0 {
		t.Errorf("the automatic cut-out covers the left disc: %v", got)
	}
	if !strings.Contains(d.status.Text, "found by itself") || !d.use.Disabled() || !d.tolerance.Disabled() {
		t.Errorf("status %q, Use enabled %v, Tolerance enabled %v", d.status.Text, !d.use.Disabled(), !d.tolerance.Disabled())
	}
	// A 400×300 view shows the 200×100 image at twice its size, 50 units from the top.
	d.view.Resize(fyne.NewSize(400, 300))
	d.view.Dragged(&fyne.DragEvent{PointEvent: fyne.PointEvent{Position: fyne.NewPos(240, 80)}, Dragged: fyne.NewDelta(20, 10)})
	d.view.Dragged(&fyne.DragEvent{PointEvent: fyne.PointEvent{Position: fyne.NewPos(380, 230)}, Dragged: fyne.NewDelta(140, 150)})
	d.view.DragEnd()
	want := image.Rect(110, 10, 190, 90)
	ui.until(t, "the rectangle's cut-out", func() bool { return !d.use.Disabled() || d.status.Importance == widget.DangerImportance })
	if d.use.Disabled() {
		t.Fatalf("the rectangle's cut-out failed: %s", d.status.Text)
	}
	if got := d.view.overlay.Image.(*image.NRGBA).NRGBAAt(50, 50); got != backdropTint {
		t.Errorf("the large view shows the left disc as %v, want it dimmed", got)
	}
	asked := cuts.asked()
	if got := asked[len(asked)-1]; got.Rect != want || got.Tolerance != 0.5 {
		t.Errorf("cut-out asked with %+v, want the rectangle %v at tolerance 0.5", got, want)
	}
	if !d.view.box.Visible() || d.view.box.Position() != fyne.NewPos(220, 70) || d.view.box.Size() != fyne.NewSize(160, 160) {
		t.Errorf("the rectangle is drawn at %v size %v", d.view.box.Position(), d.view.box.Size())
	}

	// The tolerance slider cuts again once it settles, with the same rectangle.
	n := len(cuts.asked())
	for _, v := range []float64{0.6, 0.7, 0.8} {
		d.tolerance.SetValue(v)
	}
	ui.until(t, "the cut-out at the new tolerance", func() bool { return !d.use.Disabled() && len(cuts.asked()) > n })
	ui.pump(t, 2*toleranceDelay)
	if asked := cuts.asked(); len(asked) != n+1 || asked[n].Tolerance != 0.8 || asked[n].Rect != want {
		t.Errorf("after moving the slider: %+v, want one more cut-out at 0.8 with %v", asked[n:], want)
	}

	test.Tap(d.use)
	ui.until(t, "the cut-out kept", func() bool { return in.cut.mask != "" })
	if in.cut.open != nil || in.cut.note.Text != "cut-out: corrected" || !in.cut.note.Visible() {
		t.Errorf("view open %v, note %q", in.cut.open != nil, in.cut.note.Text)
	}
	if _, err := os.Stat(in.cut.mask); err != nil {
		t.Fatalf("the kept cut-out: %v", err)
	}
	// The card shows the correction: the left disc is background now.
	ov := in.cut.overlay.Image.(*image.NRGBA)
	if got := ov.NRGBAAt(50, 50); got != backdropTint {
		t.Errorf("the disc outside the rectangle shows %v, want the background's tint", got)
	}
	if got := ov.NRGBAAt(150, 50); got.A != 0 {
		t.Errorf("the disc inside the rectangle is covered: %v", got)
	}

	ui.until(t, "Submit", func() bool { return !c.submit.Disabled() })
	local.Gate = make(chan struct{}) // the job waits while its inputs are looked at
	test.Tap(c.submit)
	ui.until(t, "the submission", func() bool { return len(local.Requests()) == 1 })
	// The queue keeps the job's inputs with the job: the image and its cut-out are copies.
	got := local.Requests()[0].Images[0]
	kept, _ := os.ReadFile(in.cut.mask)
	sent, err := os.ReadFile(got.Mask)
	if filepath.Base(got.Path) != filepath.Base(path) || err != nil || string(sent) != string(kept) {
		t.Errorf("the job's image %+v does not carry the cut-out (%v)", got, err)
	}
	close(local.Gate)

	// Automatic goes back to the provider's own cut-out.
	test.Tap(in.cut.area)
	d = in.cut.open
	if d == nil || d.auto.Disabled() {
		t.Fatal("no Automatic to go back to")
	}
	test.Tap(d.auto)
	if in.cut.mask != "" || in.cut.note.Visible() || in.cut.open != nil {
		t.Errorf("after Automatic: mask %q, note %q", in.cut.mask, in.cut.note.Text)
	}
	if ok, _, _ := c.inputs.usable(); ok[0].Mask != "" {
		t.Errorf("the request still names the mask %q", ok[0].Mask)
	}
}

func TestCutOutCanBeCancelled(t *testing.T) {
	u, ui := harness(t, nil, localFake())
	c := u.create
	cuts := &cutCalls{}
	c.inputs.cut = cuts.cut
	c.addPaths([]string{writeCutout(t, t.TempDir(), "disc.png", 100, 100, 30)})
	in := c.inputs.items[0]
	ui.until(t, "the automatic cut-out", func() bool { return in.cut.auto != nil })
	test.Tap(in.cut.area)
	d := in.cut.open
	ui.until(t, "the image's size", func() bool { return d.view.img != image.Point{} })

	cuts.mu.Lock()
	cuts.gate, cuts.ended = make(chan struct{}), make(chan error, 1)
	cuts.mu.Unlock()
	d.rectDragged(image.Rect(10, 10, 90, 90))
	if !d.busy.Visible() || d.stop.Disabled() {
		t.Error("no progress shown while the cut-out runs")
	}
	ui.until(t, "the cut-out to start", func() bool { return len(cuts.asked()) == 2 })
	test.Tap(d.stop)
	select {
	case err := <-cuts.ended:
		if !errors.Is(err, context.Canceled) {
			t.Errorf("the cut-out ended with %v", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("Cancel does not stop the cut-out")
	}
	if d.busy.Visible() || !d.stop.Disabled() || !d.use.Disabled() || !strings.HasPrefix(d.status.Text, "Stopped.") {
		t.Errorf("after Cancel: busy %v, Use enabled %v, status %q", d.busy.Visible(), !d.use.Disabled(), d.status.Text)
	}
	d.dlg.Hide()
	if in.cut.open != nil {
		t.Error("closing the view leaves it open")
	}
}

func TestDragMapsToImagePixels(t *testing.T) {
	wide, tall := image.Pt(200, 100), image.Pt(100, 400)
	area := fyne.NewSize(400, 300)
	for _, c := range []struct {
		name string
		a, b fyne.Position
		img  image.Point
		want image.Rectangle
	}{
		// 200×100 in 400×300: scale 2, 50 units of margin above and below.
		{"wide", fyne.NewPos(40, 70), fyne.NewPos(240, 170), wide, image.Rect(20, 10, 120, 60)},
		{"dragged up and left", fyne.NewPos(240, 170), fyne.NewPos(40, 70), wide, image.Rect(20, 10, 120, 60)},
		{"past the picture's edges", fyne.NewPos(-30, 0), fyne.NewPos(500, 299), wide, image.Rect(0, 0, 200, 100)},
		{"rounded to the nearest pixel edge", fyne.NewPos(40.9, 70.4), fyne.NewPos(241.2, 169.4), wide, image.Rect(20, 10, 121, 60)},
		// 100×400 in 400×300: scale 0.75, 162.5 units of margin left and right.
		{"tall", fyne.NewPos(162.5, 0), fyne.NewPos(237.5, 150), tall, image.Rect(0, 0, 100, 200)},
		{"in the margin", fyne.NewPos(10, 10), fyne.NewPos(100, 290), tall, image.Rectangle{}},
	} {
		if got := dragRect(c.a, c.b, area, c.img); got != c.want && (!got.Empty() || !c.want.Empty()) {
			t.Errorf("%s: %v, want %v", c.name, got, c.want)
		}
	}
	// Drawing a rectangle back in the area puts it where it was dragged.
	if p := toArea(image.Pt(20, 10), area, wide); p != fyne.NewPos(40, 70) {
		t.Errorf("toArea = %v", p)
	}
	if p := toImage(fyne.NewPos(5, 5), fyne.NewSize(0, 0), wide); p != (image.Point{}) {
		t.Errorf("an empty area maps to %v", p)
	}
	if p := toImage(fyne.NewPos(5, 5), area, image.Point{}); p != (image.Point{}) {
		t.Errorf("an image without pixels maps to %v", p)
	}
}

func TestOverlayOfAMask(t *testing.T) {
	// A 300×200 mask, object in its middle third: scaled to fit 150, with the outline inside the
	// object and the image's edge outlined where the object touches it.
	m := image.NewAlpha(image.Rect(0, 0, 300, 200))
	for y := range 200 {
		for x := 100; x < 200; x++ {
			m.SetAlpha(x, y, color.Alpha{A: 255})
		}
	}
	ov := overlayOf(m, 150)
	if ov.Bounds() != image.Rect(0, 0, 150, 100) {
		t.Fatalf("overlay bounds %v", ov.Bounds())
	}
	for _, c := range []struct {
		x, y int
		want color.NRGBA
	}{{10, 50, backdropTint}, {75, 50, color.NRGBA{}}, {50, 50, outlineTint}, {99, 50, outlineTint}, {75, 0, outlineTint}, {75, 99, outlineTint}} {
		if got := ov.NRGBAAt(c.x, c.y); got != c.want {
			t.Errorf("(%d, %d) = %v, want %v", c.x, c.y, got, c.want)
		}
	}
}

// foreseer is a fake local provider that foresees what it will make, as the local provider does.
type foreseer struct {
	*providertest.Fake
	mu    sync.Mutex
	asked []providers.Request
}

func (f *foreseer) Foresee(_ context.Context, req providers.Request) (providers.Foresight, error) {
	f.mu.Lock()
	f.asked = append(f.asked, req)
	f.mu.Unlock()
	// The image is as wide as it is tall: a width given with a height must agree with it.
	s := req.Size
	if s.WidthCM != 0 && s.WidthCM != s.HeightCM {
		return providers.Foresight{}, &providers.InputError{File: req.Images[0].Path,
			Reason: "a width of 30 cm and a height of 50 cm are at odds with the image's proportions (1:1)"}
	}
	return providers.Foresight{Size: providers.Dimensions{WidthCM: s.HeightCM * 0.63, HeightCM: s.HeightCM, DepthCM: s.HeightCM * 0.63},
		Notes: []string{"Shape: Turned, because the outline is mirror-symmetric about a vertical axis (98%)"}}, nil
}

func (f *foreseer) count() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return len(f.asked)
}

func (f *foreseer) lastAsked() providers.Request {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.asked[len(f.asked)-1]
}

func TestSizeLineSaysWhatTheModelWillBe(t *testing.T) {
	local := &foreseer{Fake: localFake()}
	u, ui := harness(t, nil, local)
	c := u.create
	c.size.delay = time.Millisecond
	c.inputs.cut = (&cutCalls{}).cut
	if !c.size.row.visible() || c.size.label.Text != "Size: auto (default: 100 cm tall, change it in Settings)" {
		t.Errorf("without images: shown %v, %q", c.size.row.visible(), c.size.label.Text)
	}
	c.addPaths([]string{writeCutout(t, t.TempDir(), "vase.png", 60, 60, 25)})
	want := "Size: 63 × 100 × 63 cm (W × H × D), 100 cm tall by default: change it in Settings\n" +
		"Shape: Turned, because the outline is mirror-symmetric about a vertical axis (98%)"
	ui.until(t, "the foresight", func() bool { return c.size.label.Text == want })
	if req := local.lastAsked(); req.Size != (providers.Dimensions{HeightCM: 100, Default: true}) {
		t.Errorf("foreseen with the size %+v, want the default height", req.Size)
	}
	// The polycount changes neither size nor shape: moving it asks nothing.
	asked := local.count()
	c.polycount.slider.SetValue(c.polycount.slider.Value / 2)
	ui.pump(t, 50*time.Millisecond)
	if n := local.count(); n != asked {
		t.Errorf("the polycount asked for %d more foresights", n-asked)
	}

	// A size at odds with the image is refused, with the reason, before anything is submitted.
	c.extras.height.SetText("50")
	c.extras.width.SetText("30")
	reason := "A width of 30 cm and a height of 50 cm are at odds with the image's proportions (1:1)."
	ui.until(t, "the refusal", func() bool { return c.hint.Text == reason })
	if !c.submit.Disabled() || c.size.label.Text != reason || c.size.label.Importance != widget.DangerImportance {
		t.Errorf("Submit enabled %v, line %q (importance %v)", !c.submit.Disabled(), c.size.label.Text, c.size.label.Importance)
	}
	c.extras.width.SetText("")
	ui.until(t, "the size given", func() bool {
		return strings.HasPrefix(c.size.label.Text, "Size: 32 × 50 × 32 cm (W × H × D)\nShape")
	})
	if c.submit.Disabled() {
		t.Errorf("Submit stays disabled: %q", c.hint.Text)
	}

	// The default height is the one in Settings.
	c.extras.height.SetText("")
	if err := u.k.Settings.SetHeightCM(20); err != nil {
		t.Fatal(err)
	}
	c.refresh()
	ui.until(t, "the new default", func() bool {
		return strings.HasPrefix(c.size.label.Text, "Size: 13 × 20 × 13 cm (W × H × D), 20 cm tall by default")
	})
}

func TestNumberOptionsSayTheirDefault(t *testing.T) {
	local := localFake()
	local.Caps.Options = []providers.Option{
		{Key: "shape", Label: "Shape", Choices: []providers.Choice{{Value: "auto"}, {Value: "round"}, {Value: "turned"}}},
		{Key: "depth", Label: "Depth %", Number: &providers.Range{Min: 10, Max: 300, Default: 100},
			When: providers.Condition{"shape": {"auto", "round"}}},
		{Key: "seed", Label: "Seed", Number: &providers.Range{Min: 0, Max: 65535}},
	}
	u, _ := harness(t, nil, local)
	e := u.create.extras
	if got := e.field("depth").entry.PlaceHolder; got != "100 (10 to 300)" {
		t.Errorf("depth placeholder %q", got)
	}
	if got := e.field("seed").entry.PlaceHolder; got != "random (0 to 65,535)" {
		t.Errorf("seed placeholder %q", got)
	}
	// The depth goes with the shapes that have one, and sits under Shape.
	rows := e.rows()
	var labels []string
	for _, r := range rows {
		labels = append(labels, r.label.Text)
	}
	if got := strings.Join(labels, ","); got != "Height (cm),Width (cm),Depth (cm),,Shape,Depth %,Seed" {
		t.Errorf("rows %s", got)
	}
	e.field("shape").sel.SetSelected("turned")
	if e.field("depth").row.visible() {
		t.Error("depth shown for a turned shape")
	}
}

func TestSettingsKeepTheDefaultHeight(t *testing.T) {
	u, ui := harness(t, nil, localFake())
	p := u.settings
	if p.height.Text != "100" {
		t.Errorf("the field shows %q, want the default 100", p.height.Text)
	}
	for _, c := range []struct{ typed, said string }{
		{"tall", "The default height must be a number of centimetres, such as 100."},
		{"0", "A default height must be between 0.1 cm and 100000 cm."},
		{"1e9", "A default height must be between 0.1 cm and 100000 cm."},
	} {
		p.height.SetText(c.typed)
		p.saveHeight()
		ui.until(t, "the refusal of "+c.typed, func() bool { return p.heightNote.Text == c.said })
		if p.heightNote.Importance != widget.DangerImportance || u.k.Settings.HeightCM() != 100 {
			t.Errorf("%q: note importance %v, height now %v", c.typed, p.heightNote.Importance, u.k.Settings.HeightCM())
		}
	}
	p.height.SetText("42,5")
	p.height.TypedKey(&fyne.KeyEvent{Name: fyne.KeyReturn})
	ui.until(t, "the height saved", func() bool { return u.k.Settings.HeightCM() == 42.5 })
	ui.until(t, "the saved note", func() bool { return p.heightNote.Importance == widget.SuccessImportance })
	if p.height.Text != "42.5" || p.heightNote.Text != "Saved: a model made without a size is 42.5 cm tall." {
		t.Errorf("field %q, note %q", p.height.Text, p.heightNote.Text)
	}
}

// BenchmarkCardCutOut measures what a card does with a cut-out off the UI thread: a 4096² cut-out
// scaled to the kept mask, and the card's overlay drawn from it.
func BenchmarkCardCutOut(b *testing.B) {
	cut := image.NewNRGBA(image.Rect(0, 0, 4096, 4096))
	for y := 1024; y < 3072; y++ {
		for x := 1024; x < 3072; x++ {
			cut.SetNRGBA(x, y, color.NRGBA{R: 200, A: 255})
		}
	}
	for b.Loop() {
		overlayOf(maskOf(cut, maskSide), overlaySide)
	}
}
