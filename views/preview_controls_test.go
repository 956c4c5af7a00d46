package views

import (
	"image/png"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"github.com/kiln3d/kiln/preview"
	"github.com/kiln3d/kiln/preview/inspect"
	"github.com/kiln3d/kiln/providers/providertest"
)

// openModel writes a model, opens it in the Preview tab and waits for its stats.
func openModel(t *testing.T, u *UI, ui *uiThread, name string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), name)
	if err := providertest.WriteTetrahedron(path); err != nil {
		t.Fatal(err)
	}
	u.showModel(path, name, 0)
	ui.until(t, "the stats", func() bool { return strings.Contains(u.preview.stats.Text, "Triangles:") })
	return path
}

func TestPreviewLookControls(t *testing.T) {
	r := &fakeRenderer{}
	u, ui := harnessWithPreview(t, r, providertest.NewFake("fake"))
	p := u.preview
	openModel(t, u, ui, "pot.glb")
	if len(p.look.mode.Options) != len(preview.Modes()) {
		t.Fatalf("mode menu %q, want every mode", p.look.mode.Options)
	}
	p.look.mode.SetSelected("UV checker")
	p.look.light.SetSelected("Studio")
	p.look.exposure.SetValue(0.5)
	p.look.toneMap.SetSelected("Neutral")
	want := p.vp.View()
	if want.Mode != preview.UVChecker || want.Light != preview.Studio || want.Exposure != 0.5 || want.ToneMap != preview.Neutral {
		t.Fatalf("view %+v after choosing UV checker, Studio, +0.5 EV, Neutral", want)
	}
	if p.look.evLabel.Text != "+0.5 EV" {
		t.Errorf("exposure reads %q", p.look.evLabel.Text)
	}
	if !p.look.envPick.Disabled() {
		t.Error("Environment… is offered under the studio lights")
	}
	ui.until(t, "the look drawn", func() bool { return r.lastRender().view == p.vp.View() })
	p.look.exposure.SetValue(-1.2)
	if p.look.evLabel.Text != "−1.2 EV" {
		t.Errorf("exposure reads %q", p.look.evLabel.Text)
	}
}

func TestPreviewEnvironment(t *testing.T) {
	r := &fakeRenderer{}
	u, ui := harnessWithPreview(t, r, providertest.NewFake("fake"))
	p := u.preview
	openModel(t, u, ui, "pot.glb")
	dir := t.TempDir()
	sky := filepath.Join(dir, "Sky Loft.hdr")
	writeFile(t, sky, "#?RADIANCE\nFORMAT=32-bit_rle_rgbe\n\n-Y 1 +X 2\n\x80\x80\x80\x80\x80\x80\x80\x80")
	notHDR := filepath.Join(dir, "fake.hdr")
	writeFile(t, notHDR, "a JPEG, renamed")

	if p.look.envName.Text != "Kiln studio" || !p.look.envReset.Disabled() {
		t.Fatalf("before any: %q, Default enabled %v", p.look.envName.Text, !p.look.envReset.Disabled())
	}
	p.look.light.SetSelected("Studio")
	u.dropped([]string{sky}) // on the Preview tab
	if got := p.vp.View(); got.EnvironmentFile != sky || got.Light != preview.Environment {
		t.Fatalf("after dropping an .hdr: %q, light %v", got.EnvironmentFile, got.Light)
	}
	if p.look.envName.Text != "Sky Loft.hdr" || p.look.envReset.Disabled() {
		t.Errorf("environment reads %q, Default disabled %v", p.look.envName.Text, p.look.envReset.Disabled())
	}
	if len(r.paths()) != 1 {
		t.Error("the .hdr was opened as a model")
	}
	u.dropped([]string{notHDR})
	if p.vp.View().EnvironmentFile != sky {
		t.Error("a file that is not a Radiance picture became the environment")
	}
	if err := checkEnvironment(notHDR); err == nil || !strings.Contains(err.Error(), "not a Radiance .hdr") {
		t.Errorf("not an .hdr: %v", err)
	}
	if err := checkEnvironment(dir); err == nil || !strings.Contains(err.Error(), "not a file") {
		t.Errorf("a folder: %v", err)
	}
	test.Tap(p.look.envReset)
	if p.vp.View().EnvironmentFile != "" || p.look.envName.Text != "Kiln studio" {
		t.Errorf("Default left %q", p.vp.View().EnvironmentFile)
	}

	// A model and an environment dropped together: each goes where it belongs.
	model := filepath.Join(dir, "vase.glb")
	if err := providertest.WriteTetrahedron(model); err != nil {
		t.Fatal(err)
	}
	u.dropped([]string{sky, model})
	ui.until(t, "the dropped model", func() bool { return len(r.paths()) == 2 })
	if p.vp.View().EnvironmentFile != sky || p.title.Text != "vase.glb" {
		t.Errorf("after dropping both: environment %q, model %q", p.vp.View().EnvironmentFile, p.title.Text)
	}
}

func TestPreviewCheckReport(t *testing.T) {
	r := &fakeRenderer{}
	u, ui := harnessWithPreview(t, r, providertest.NewFake("fake"))
	c := u.preview.check
	openModel(t, u, ui, "pot.glb")
	if !strings.HasPrefix(c.summary.Text, "Valid glTF: 0 errors") {
		t.Errorf("a sound model's report: %q", c.summary.Text)
	}
	var issues []inspect.Issue
	for i := range 6 {
		issues = append(issues, inspect.Issue{Severity: inspect.SeverityWarning, Code: "UNUSED_OBJECT", Pointer: "/accessors/" + string(rune('0'+i)), Message: "This object may be unused."})
	}
	issues = append(issues, inspect.Issue{Severity: inspect.SeverityInfo, Code: "IMAGE_NPOT_DIMENSIONS", Pointer: "/images/0", Message: "Texture is not a power of two\x1b[2J"})
	c.show(issues, nil)
	if c.summary.Text != "Valid glTF: 0 errors, 6 warnings, 1 info" || c.summary.Importance != widget.WarningImportance {
		t.Errorf("summary %q", c.summary.Text)
	}
	if n := len(c.lines.Objects); n != shownIssues || c.more.Hidden || c.more.Text != "Show all 7" {
		t.Fatalf("%d lines shown of 7, more %q", n, c.more.Text)
	}
	if got := c.lines.Objects[0].(*widget.Label).Text; got != "Warning UNUSED_OBJECT at /accessors/0: This object may be unused." {
		t.Errorf("line %q", got)
	}
	test.Tap(c.more)
	last := c.lines.Objects[len(c.lines.Objects)-1].(*widget.Label)
	if len(c.lines.Objects) != 7 || strings.ContainsRune(last.Text, '\x1b') || !strings.HasPrefix(last.Text, "Info IMAGE_NPOT_DIMENSIONS") {
		t.Errorf("all lines: %d, last %q", len(c.lines.Objects), last.Text)
	}

	// The lines that matter come first, whatever the file's order.
	c.show([]inspect.Issue{{Severity: inspect.SeverityInfo, Code: "NODE_EMPTY"}, {Severity: inspect.SeverityWarning, Code: "UNUSED_OBJECT"}}, nil)
	if got := c.lines.Objects[0].(*widget.Label).Text; got != "Warning UNUSED_OBJECT" {
		t.Errorf("first line %q, want the warning before the info", got)
	}

	// A refused model: its reason first, with its issues.
	refused := &inspect.Error{File: "/m/bad.glb", Reason: "accessor 3 reads past its buffer",
		Issues: []inspect.Issue{{Severity: inspect.SeverityError, Code: "ACCESSOR_TOTAL_OFFSET_ALIGNMENT", Pointer: "/accessors/3"}}}
	u.preview.loading = true
	u.preview.failed(refused)
	if c.summary.Text != "Refused: 1 error, 0 warnings, 0 info" || c.summary.Importance != widget.DangerImportance {
		t.Errorf("refused: %q", c.summary.Text)
	}
	if s := u.preview.status; s.Text != "Refused: bad.glb: accessor 3 reads past its buffer" || !s.Visible() {
		t.Errorf("the status line reads %q", s.Text)
	}
	if len(c.lines.Objects) != 1 || c.lines.Objects[0].(*widget.Label).Importance != widget.DangerImportance ||
		c.lines.Objects[0].(*widget.Label).Text != "Error ACCESSOR_TOTAL_OFFSET_ALIGNMENT at /accessors/3" {
		t.Errorf("refused lines: %d", len(c.lines.Objects))
	}
	// A refusal with no report of its own (not glTF at all) is the report's one error line.
	u.preview.loading = true
	u.preview.failed(&inspect.Error{File: "/m/x.glb", Reason: "not a glTF model"})
	if len(c.lines.Objects) != 1 || c.lines.Objects[0].(*widget.Label).Text != "Error: x.glb: not a glTF model" {
		t.Errorf("a bare refusal's line: %d lines", len(c.lines.Objects))
	}
}

func TestPreviewAnimationControls(t *testing.T) {
	r := &fakeRenderer{}
	u, ui := harnessWithPreview(t, r, providertest.NewFake("fake"))
	p := u.preview
	openModel(t, u, ui, "static.glb")
	if p.anim.box.Visible() {
		t.Fatal("animation controls for a model without animations")
	}
	r.mu.Lock()
	r.report = &inspect.Report{Triangles: 4, Max: [3]float64{1, 1, 1}, Animations: []inspect.Animation{
		{Name: "Walk", Duration: 1.2}, {Name: "Wave", Duration: 3}}}
	r.mu.Unlock()
	openModel(t, u, ui, "walker.glb")
	if !p.anim.box.Visible() {
		t.Fatal("no animation controls for a model with two clips")
	}
	if got := p.anim.clip.Options; len(got) != 2 || got[0] != "Walk (1.2 s)" || got[1] != "Wave (3.0 s)" {
		t.Errorf("clips offered: %q", got)
	}
	p.anim.clip.SetSelected("Wave (3.0 s)")
	if p.vp.View().Clip != 2 || p.anim.time.Text != "0.0 / 3.0 s" {
		t.Fatalf("clip %d, time %q after choosing Wave", p.vp.View().Clip, p.anim.time.Text)
	}
	test.Tap(p.anim.play)
	if !p.vp.Playing() || p.anim.play.Text != "Pause" {
		t.Fatal("Play did not play")
	}
	ui.until(t, "time to pass", func() bool { return p.vp.View().Time > 0.1 && p.anim.scrub.Value > 0.1 })
	ui.until(t, "the time shown", func() bool { return p.anim.time.Text != "0.0 / 3.0 s" })
	ui.until(t, "a frame of the moving clip", func() bool {
		v := r.lastRender().view
		return v.Clip == 2 && v.Time > 0
	})
	test.Tap(p.anim.play)
	paused := p.vp.View().Time
	time.Sleep(60 * time.Millisecond)
	ui.until(t, "the UI to settle", func() bool { return true })
	if p.vp.Playing() || p.vp.View().Time != paused || p.anim.play.Text != "Play" {
		t.Errorf("after Pause: playing %v, time %v then %v", p.vp.Playing(), paused, p.vp.View().Time)
	}
	p.anim.scrub.SetValue(1.5)
	if p.vp.View().Time != 1.5 || p.anim.time.Text != "1.5 / 3.0 s" {
		t.Errorf("scrubbed to 1.5: time %v, %q", p.vp.View().Time, p.anim.time.Text)
	}

	// Another tab hides the viewport: playback waits there.
	test.Tap(p.anim.play)
	u.selectTab("Library")
	hidden := p.vp.View().Time
	time.Sleep(60 * time.Millisecond)
	if p.vp.View().Time != hidden || !p.vp.Playing() {
		t.Errorf("on another tab the animation went on (%v → %v) or stopped", hidden, p.vp.View().Time)
	}
	u.selectTab("Preview")
	ui.until(t, "playback to carry on", func() bool { return p.vp.View().Time != hidden })

	// A static model again: no controls, no clip.
	r.mu.Lock()
	r.report = nil
	r.mu.Unlock()
	openModel(t, u, ui, "static-again.glb")
	if p.anim.box.Visible() || p.vp.View().Clip != 0 || p.vp.Playing() {
		t.Error("a static model after an animated one shows animation")
	}
}

func TestPreviewReloadsWhenTheFileChanges(t *testing.T) {
	r := &fakeRenderer{}
	u, ui := harnessWithPreview(t, r, providertest.NewFake("fake"))
	p := u.preview
	p.now = func() time.Time { return time.Date(2026, 1, 2, 14, 3, 22, 0, time.Local) }
	path := openModel(t, u, ui, "knight.glb")
	p.vp.SetView(preview.Left)
	camera := p.vp.View()

	// Blender's exporter: a new file renamed over the model.
	tmp := path + ".tmp"
	if err := providertest.WriteSphere(tmp, 6, 8); err != nil {
		t.Fatal(err)
	}
	if err := os.Rename(tmp, path); err != nil {
		t.Fatal(err)
	}
	ui.until(t, "the reload", func() bool { return p.status.Text == "Reloaded 14:03:22" })
	if n := len(r.paths()); n != 2 {
		t.Errorf("%d loads", n)
	}
	if strings.Contains(p.stats.Text, "Triangles: 4\n") {
		t.Errorf("the stats are the old model's: %q", p.stats.Text)
	}
	if got := p.vp.View(); got != camera {
		t.Errorf("the reload moved the camera: %+v, was %+v", got, camera)
	}
	stats := p.stats.Text

	// A damaged save: refused, said, and the last good model stays.
	writeFile(t, tmp, "glTF\x01\x00\x00\x00\x20\x00\x00\x00"+strings.Repeat("\x00", 24))
	if err := os.Rename(tmp, path); err != nil {
		t.Fatal(err)
	}
	ui.until(t, "the refusal", func() bool { return strings.Contains(p.status.Text, "refused") })
	if !strings.Contains(p.status.Text, "glTF 1.0 binary") || !strings.Contains(p.status.Text, "last good version stays") {
		t.Errorf("status %q", p.status.Text)
	}
	if p.stats.Text != stats {
		t.Error("a refused reload changed the stats")
	}

	// Another model: the first is no longer watched.
	openModel(t, u, ui, "other.glb")
	if p.vp.Watching() == path {
		t.Error("still watching the first model")
	}
}

func TestPreviewSaveImage(t *testing.T) {
	r := &fakeRenderer{}
	out := filepath.Join(t.TempDir(), "render")
	u, ui := harnessWith(t, Options{Dialogs: fakeDialogs{save: out}, Renderer: func() preview.Renderer { return r }}, providertest.NewFake("fake"))
	p := u.preview
	openModel(t, u, ui, "pot.glb")
	ui.until(t, "a frame", func() bool { return p.vp.Frame() != nil })
	p.saveImage()
	f := p.save
	if f == nil {
		t.Fatal("no Save image dialog")
	}
	if f.width.Text != "2048" || f.height.Text != "2048" {
		t.Errorf("default size %s×%s", f.width.Text, f.height.Text)
	}
	f.size.SetSelected("4096 × 4096")
	if f.width.Text != "4096" || f.height.Text != "4096" {
		t.Errorf("4096 preset gave %s×%s", f.width.Text, f.height.Text)
	}
	f.width.SetText("5000")
	if f.size.Selected != customSize || f.width.Validate() == nil {
		t.Errorf("5000 wide: size %q, accepted %v", f.size.Selected, f.width.Validate() == nil)
	}
	f.submit()
	time.Sleep(50 * time.Millisecond)
	ui.until(t, "the UI to settle", func() bool { return true })
	if _, err := os.Stat(out + ".png"); err == nil {
		t.Fatal("a 5000-pixel image was saved")
	}
	f.width.SetText("1500")
	f.height.SetText("900")
	f.transparent.SetChecked(true)
	f.submit()
	ui.until(t, "the image saved", func() bool { return strings.HasPrefix(p.status.Text, "Saved render.png") })
	got := r.lastRender()
	if got.w != 1500 || got.h != 900 || !got.view.Transparent {
		t.Errorf("drawn %d×%d transparent %v, want 1500×900 transparent", got.w, got.h, got.view.Transparent)
	}
	if p.vp.View().Transparent {
		t.Error("the viewport's background went transparent")
	}
	file, err := os.Open(out + ".png")
	if err != nil {
		t.Fatal(err)
	}
	defer file.Close()
	img, err := png.Decode(file)
	if err != nil {
		t.Fatal(err)
	}
	if b := img.Bounds(); b.Dx() != 1500 || b.Dy() != 900 {
		t.Errorf("saved %v", b)
	}
	for _, c := range [][2]string{{"15", "100"}, {"100", "4097"}, {"x", "100"}, {"", ""}} {
		if _, _, err := parseImageSize(c[0], c[1]); err == nil {
			t.Errorf("%q×%q accepted", c[0], c[1])
		}
	}
	if w, h, err := parseImageSize(" 4096", "16 "); err != nil || w != 4096 || h != 16 {
		t.Errorf("4096×16: %d×%d %v", w, h, err)
	}
}

// TestPreviewSaveImageCancelled: a slow picture shows its progress, and Cancel stops it with
// nothing written.
func TestPreviewSaveImageCancelled(t *testing.T) {
	r := &fakeRenderer{slow: true}
	out := filepath.Join(t.TempDir(), "big.png")
	u, ui := harnessWith(t, Options{Dialogs: fakeDialogs{save: out}, Renderer: func() preview.Renderer { return r }}, providertest.NewFake("fake"))
	p := u.preview
	openModel(t, u, ui, "pot.glb")
	ui.until(t, "a frame", func() bool { return p.vp.Frame() != nil })
	p.saveImage()
	p.save.size.SetSelected("4096 × 4096")
	p.save.submit()
	ui.until(t, "the progress dialog", func() bool { return p.saving != nil && p.saving.shown })
	p.saving.progress.Hide() // what its Cancel button does
	ui.until(t, "the cancellation", func() bool { return p.status.Text == "Save image cancelled." })
	if _, err := os.Stat(out); err == nil {
		t.Error("a cancelled picture was written")
	}
	if entries, _ := os.ReadDir(filepath.Dir(out)); len(entries) != 0 {
		t.Errorf("%d files left behind", len(entries))
	}
}
