package views

import (
	"image"
	"image/color"
	"image/png"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"github.com/kiln3d/kiln/app"
	"github.com/kiln3d/kiln/providers"
	"github.com/kiln3d/kiln/providers/providertest"
)

// uiThread stands in for Fyne's UI thread: goroutines hand it work, and the test goroutine runs
// that work while it waits, so widgets are only ever touched by one goroutine, as in the app.
type uiThread struct {
	mu    sync.Mutex
	queue []func()
}

func (u *uiThread) do(fn func()) {
	u.mu.Lock()
	u.queue = append(u.queue, fn)
	u.mu.Unlock()
}

// until runs queued UI work until cond holds, failing t after a deadline.
func (u *uiThread) until(t testing.TB, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for !cond() {
		u.mu.Lock()
		q := u.queue
		u.queue = nil
		u.mu.Unlock()
		for _, fn := range q {
			fn()
		}
		if len(q) == 0 {
			if time.Now().After(deadline) {
				t.Fatalf("timed out waiting for %s", what)
			}
			time.Sleep(2 * time.Millisecond)
		}
	}
}

type fakeDialogs struct {
	save   string
	open   []string // what OpenImages answers; cancelled when empty
	models []string // what OpenModels answers; cancelled when empty
	folder string   // what ChooseFolder answers; cancelled when empty
}

func (f fakeDialogs) OpenImages() ([]string, error) {
	if len(f.open) > 0 {
		return f.open, nil
	}
	return nil, ErrDialogCancelled
}
func (f fakeDialogs) SaveModel(string) (string, error) { return f.save, nil }
func (f fakeDialogs) SaveImage(string) (string, error) { return f.save, nil }
func (f fakeDialogs) OpenModels() ([]string, error) {
	if len(f.models) > 0 {
		return f.models, nil
	}
	return nil, ErrDialogCancelled
}
func (f fakeDialogs) ChooseFolder(string) (string, error) {
	if f.folder != "" {
		return f.folder, nil
	}
	return "", ErrDialogCancelled
}

func writeImage(t *testing.T, dir, name string) string {
	t.Helper()
	img := image.NewNRGBA(image.Rect(0, 0, 40, 30))
	for y := 5; y < 25; y++ {
		for x := 5; x < 35; x++ {
			img.Set(x, y, color.NRGBA{uint8(x * 6), 90, 200, 255})
		}
	}
	p := filepath.Join(dir, name)
	f, err := os.Create(p)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	png.Encode(f, img)
	return p
}

// harness opens a Kiln on fakes and builds the window around it.
func harness(t *testing.T, dialogs FileDialogs, ps ...providers.Provider) (*UI, *uiThread) {
	t.Helper()
	return harnessWith(t, Options{Dialogs: dialogs}, ps...)
}

// harnessWith is harness with the window's options (Tick is always off: tests pump the UI).
func harnessWith(t *testing.T, opts Options, ps ...providers.Provider) (*UI, *uiThread) {
	t.Helper()
	reg, err := providers.NewRegistry(ps...)
	if err != nil {
		t.Fatal(err)
	}
	return harnessRegistry(t, opts, reg)
}

// harnessRegistry is harnessWith on a registry made by the test (one with targets).
func harnessRegistry(t *testing.T, opts Options, reg *providers.Registry) (*UI, *uiThread) {
	t.Helper()
	a := test.NewTempApp(t)
	home := t.TempDir()
	t.Cleanup(func() { removeHome(t, home) }) // runs after the window and Kiln are closed
	k, err := app.Open(app.Options{Home: home, Providers: reg})
	if err != nil {
		t.Fatal(err)
	}
	ui := &uiThread{}
	opts.Tick = -1
	u := newUI(a, k, opts, ui.do)
	u.win.Resize(fyne.NewSize(1100, 720))
	t.Cleanup(func() {
		u.Close()
		k.Close()
	})
	return u, ui
}

// pump runs queued UI work for d.
func (u *uiThread) pump(t *testing.T, d time.Duration) {
	t.Helper()
	end := time.Now().Add(d)
	u.until(t, "time to pass", func() bool { return time.Now().After(end) })
}

// rows returns the job rows the list has laid out.
func rows(u *UI) []*jobRow {
	var out []*jobRow
	for _, o := range test.LaidOutObjects(u.jobs.list) {
		if r, ok := o.(*jobRow); ok && r.Visible() && r.id != "" {
			out = append(out, r)
		}
	}
	return out
}

func TestSubmitTwoImagesAndWatchTheJobFinish(t *testing.T) {
	fake := providertest.NewFake("fake")
	fake.Steps = 4
	fake.Gate = make(chan struct{})
	saveTo := filepath.Join(t.TempDir(), "exported.glb")
	u, ui := harness(t, fakeDialogs{save: saveTo}, fake)
	src := t.TempDir()

	if !u.create.submit.Disabled() {
		t.Fatal("Submit is enabled with no images")
	}
	u.create.addPaths([]string{writeImage(t, src, "front.png"), writeImage(t, src, "back.png")})
	ui.until(t, "both images to be read", func() bool { ok, _, _ := u.create.inputs.usable(); return len(ok) == 2 })
	if u.create.submit.Disabled() {
		t.Fatalf("Submit stays disabled: %q", u.create.hint.Text)
	}
	if want := "Ready: 2 images to Fake fake for a model of 1000 triangles."; u.create.hint.Text != want {
		t.Errorf("hint = %q, want %q", u.create.hint.Text, want)
	}
	ui.until(t, "thumbnails", func() bool {
		return u.create.inputs.items[0].thumb.Image != nil && u.create.inputs.items[1].thumb.Image != nil
	})

	test.Tap(u.create.submit)
	u.selectTab("Jobs")
	ui.until(t, "the job row", func() bool { return len(rows(u)) == 1 })
	var last float64
	for step := range fake.Steps {
		fake.Gate <- struct{}{}
		ui.until(t, "progress", func() bool { return rows(u)[0].bar.Value > last })
		last = rows(u)[0].bar.Value
		if r := rows(u)[0]; r.state.Text != "Done" && (r.cancel.Disabled() || !r.save.Disabled()) {
			t.Fatalf("step %d: while running, Cancel must be enabled and Save disabled", step)
		}
	}
	ui.until(t, "the job to be done", func() bool { return rows(u)[0].state.Text == "Done" })
	r := rows(u)[0]
	if r.save.Disabled() || r.folder.Disabled() || !r.cancel.Disabled() || !r.retry.Disabled() {
		t.Error("a done job must offer Save as… and Show in folder, and not Cancel or Retry")
	}
	if r.bar.Value != 1 || r.name.Text != "front" || !strings.Contains(r.detail.Text, "4 triangles") {
		t.Errorf("done row: bar %v name %q detail %q", r.bar.Value, r.name.Text, r.detail.Text)
	}
	job := u.jobs.jobs[0]
	if len(job.Request.Images) != 2 || job.Sources[1] != filepath.Join(src, "back.png") {
		t.Errorf("the job did not get both images: %v", job.Sources)
	}

	test.Tap(r.save)
	ui.until(t, "the model to be saved", func() bool { _, err := os.Stat(saveTo); return err == nil })
	want, _ := os.ReadFile(job.Files[0])
	if got, _ := os.ReadFile(saveTo); string(got) != string(want) {
		t.Error("the saved file differs from the library's model")
	}
	ui.until(t, "the library to list the model", func() bool { return len(u.library.entries) == 1 })
}

func TestBadFilesAreExplainedAndBlockSubmit(t *testing.T) {
	u, ui := harness(t, nil, providertest.NewFake("fake"))
	src := t.TempDir()
	text := filepath.Join(src, "notes.png")
	os.WriteFile(text, []byte("not a picture"), 0o644)
	empty := filepath.Join(src, "empty.jpg")
	os.WriteFile(empty, nil, 0o644)
	good := writeImage(t, src, "good.png")

	u.create.addPaths([]string{good, text, empty, good})
	ui.until(t, "all files to be read", func() bool { _, _, pending := u.create.inputs.usable(); return pending == 0 })
	if n := len(u.create.inputs.items); n != 3 {
		t.Fatalf("%d cards: a file added twice must appear once", n)
	}
	problems := map[string]string{}
	for _, in := range u.create.inputs.items {
		problems[filepath.Base(in.path)] = in.problem.Text
	}
	if !strings.Contains(problems["notes.png"], "not a PNG, JPEG or WebP image") ||
		!strings.Contains(problems["empty.jpg"], "the file is empty") || problems["good.png"] != "" {
		t.Errorf("problems shown: %q", problems)
	}
	if !u.create.submit.Disabled() || !strings.Contains(u.create.hint.Text, "Remove the files") {
		t.Errorf("Submit enabled=%v with hint %q", !u.create.submit.Disabled(), u.create.hint.Text)
	}
	for _, in := range append([]*input(nil), u.create.inputs.items...) {
		if in.err != nil {
			u.create.inputs.remove(in)
		}
	}
	if u.create.submit.Disabled() {
		t.Errorf("Submit stays disabled after removing the bad files: %q", u.create.hint.Text)
	}
}

func TestFolderDropAddsItsImages(t *testing.T) {
	u, ui := harness(t, nil, providertest.NewFake("fake"))
	dir := t.TempDir()
	writeImage(t, dir, "a.png")
	writeImage(t, dir, "b.png")
	os.WriteFile(filepath.Join(dir, "readme.txt"), []byte("hi"), 0o644)
	u.create.addPaths([]string{dir})
	ui.until(t, "the folder's images", func() bool { ok, _, _ := u.create.inputs.usable(); return len(ok) == 2 })
	// The fake takes at most 4 images.
	for _, n := range []string{"c.png", "d.png", "e.png"} {
		u.create.addPaths([]string{writeImage(t, dir, n)})
	}
	ui.until(t, "five images", func() bool { ok, _, _ := u.create.inputs.usable(); return len(ok) == 5 })
	// A folder's images may be one model each: different objects by their names, and more than
	// one model takes.
	if !u.create.choice.perImage || u.create.submit.Disabled() {
		t.Errorf("one model per image not chosen: hint %q", u.create.hint.Text)
	}
	u.create.choice.radio.SetSelected(oneFromViews)
	if !u.create.submit.Disabled() || !strings.Contains(u.create.hint.Text, "at most 4 images") {
		t.Errorf("too many images: hint %q", u.create.hint.Text)
	}
}

func TestPolycountIsClampedAndSliderFollows(t *testing.T) {
	u, _ := harness(t, nil, providertest.NewFake("fake")) // range 4..100000
	f := u.create.polycount
	test.Type(f.entry, "") // focus
	f.entry.SetText("250000")
	if f.value() != 100000 {
		t.Errorf("typed 250000: value %d, want the maximum 100000", f.value())
	}
	if f.slider.Value != 1000 {
		t.Errorf("slider at %v, want the end", f.slider.Value)
	}
	f.entry.SetText("lots")
	if f.problem() == "" || !u.create.submit.Disabled() {
		t.Error("a non-number polycount must block Submit")
	}
	f.slider.SetValue(500)
	if v := f.value(); v < 500 || v > 800 || f.entry.Text != strconv.Itoa(v) {
		t.Errorf("slider half way: value %d, entry %q", v, f.entry.Text)
	}
}

func TestCancelAndRetryFromTheJobsTab(t *testing.T) {
	fake := providertest.NewFake("fake")
	fake.Gate = make(chan struct{})
	u, ui := harness(t, nil, fake)
	u.create.addPaths([]string{writeImage(t, t.TempDir(), "pot.png")})
	ui.until(t, "the image", func() bool { return !u.create.submit.Disabled() })
	test.Tap(u.create.submit)
	ui.until(t, "the job row", func() bool { return len(rows(u)) == 1 })
	fake.Gate <- struct{}{}
	ui.until(t, "running", func() bool { return rows(u)[0].state.Text == "Running" })
	test.Tap(rows(u)[0].cancel)
	ui.until(t, "cancelled", func() bool { return rows(u)[0].state.Text == "Cancelled" })
	if rows(u)[0].retry.Disabled() {
		t.Fatal("Retry is disabled on a cancelled job")
	}
	close(fake.Gate)
	test.Tap(rows(u)[0].retry)
	ui.until(t, "the retried job to finish", func() bool { return rows(u)[0].state.Text == "Done" })
}

func TestHelpers(t *testing.T) {
	r := providers.Range{Min: 500, Max: 200000}
	for _, n := range []int{500, 2000, 20000, 200000} {
		if got := fromSlider(toSlider(n, r), r); got < n-1 || got > n+1 {
			t.Errorf("slider round trip %d → %d", n, got)
		}
	}
	for in, want := range map[int]int{12345: 12000, 567: 570, 99: 99, 199999: 200000} {
		if got := roundNice(in); got != want {
			t.Errorf("roundNice(%d) = %d, want %d", in, got, want)
		}
	}
	if got := app.ElapsedText(75 * time.Second); got != "1:15" {
		t.Errorf("ElapsedText = %q", got)
	}
	if got := app.ElapsedText(3723 * time.Second); got != "1:02:03" {
		t.Errorf("ElapsedText = %q", got)
	}
}

func TestSampleButtonsAddTheShippedImages(t *testing.T) {
	u, ui := harness(t, nil, providertest.NewFake("fake"))
	var buttons []*widget.Button
	for _, o := range test.LaidOutObjects(u.create.content) {
		if b, ok := o.(*widget.Button); ok && (b.Text == "vase" || b.Text == "lifebuoy") {
			buttons = append(buttons, b)
		}
	}
	if len(buttons) != 2 {
		t.Fatalf("found %d sample buttons", len(buttons))
	}
	for _, b := range buttons {
		test.Tap(b)
	}
	ui.until(t, "the samples to be added", func() bool { ok, _, _ := u.create.inputs.usable(); return len(ok) == 2 })
	if !strings.HasPrefix(u.create.inputs.items[0].path, filepath.Join(u.k.Home, "samples")) {
		t.Errorf("sample stored at %s", u.create.inputs.items[0].path)
	}
}

func TestViewsSizeAndOptionsReachTheProvider(t *testing.T) {
	fake := providertest.NewFake("fake")
	fake.Caps.Views, fake.Caps.Dimensions = true, true
	fake.Caps.Options = []providers.Option{{Key: "objects", Label: "Separate objects",
		Choices: []providers.Choice{{Value: "all", Label: "Keep all"}, {Value: "largest", Label: "Largest only"}}}}
	u, ui := harness(t, nil, fake)
	src := t.TempDir()
	u.create.addPaths([]string{writeImage(t, src, "mug_front.png"), writeImage(t, src, "mug_left.png"), writeImage(t, src, "x.png")})
	ui.until(t, "the images", func() bool { ok, _, _ := u.create.inputs.usable(); return len(ok) == 3 })
	items := u.create.inputs.items
	if items[0].view.Selected != "front" || items[1].view.Selected != "left" || items[2].view.Selected != noView {
		t.Fatalf("guessed views: %q %q %q", items[0].view.Selected, items[1].view.Selected, items[2].view.Selected)
	}
	if !items[0].view.Visible() {
		t.Error("the view picker is hidden for a provider that takes views")
	}
	items[2].view.SetSelected("front") // the artist says x.png is the front: mug_front.png loses it
	if items[0].view.Selected != noView {
		t.Errorf("two images tagged front")
	}
	items[0].view.SetSelected("top")

	u.create.extras.height.SetText("abc")
	if !u.create.submit.Disabled() || !strings.Contains(u.create.hint.Text, "Height must be a size in centimetres") {
		t.Errorf("bad height: hint %q", u.create.hint.Text)
	}
	u.create.extras.height.SetText("")
	u.create.extras.width.SetText("30")
	if !strings.Contains(u.create.hint.Text, "Give the height too") {
		t.Errorf("width without height: hint %q", u.create.hint.Text)
	}
	u.create.extras.height.SetText("12,5")
	u.create.extras.field("objects").sel.SetSelectedIndex(1)
	if u.create.submit.Disabled() {
		t.Fatalf("Submit disabled: %q", u.create.hint.Text)
	}
	test.Tap(u.create.submit)
	ui.until(t, "the submission", func() bool { return len(fake.Requests()) == 1 })
	req := fake.Requests()[0]
	var got []string
	for _, img := range req.Images {
		got = append(got, img.View)
	}
	if strings.Join(got, ",") != "top,left,front" || req.Size != (providers.Dimensions{HeightCM: 12.5, WidthCM: 30}) ||
		req.Options["objects"] != "largest" {
		t.Errorf("request: views %v size %+v options %v", got, req.Size, req.Options)
	}

	// A provider without views or dimensions hides them and sends none.
	plain := providertest.NewFake("plain")
	u2, ui2 := harness(t, nil, plain)
	u2.create.addPaths([]string{filepath.Join(src, "mug_left.png")})
	ui2.until(t, "the image", func() bool { return !u2.create.submit.Disabled() })
	if u2.create.inputs.items[0].view.Visible() || len(u2.create.extras.rows()) != 0 {
		t.Error("view pickers or size fields shown for a provider without them")
	}
	test.Tap(u2.create.submit)
	ui2.until(t, "the submission", func() bool { return len(plain.Requests()) == 1 })
	if r := plain.Requests()[0]; r.Images[0].View != "" || r.Size != (providers.Dimensions{}) {
		t.Errorf("plain provider got %+v", r)
	}
}

func writeFile(t *testing.T, path, content string) {
	t.Helper()
	if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
}

// removeHome deletes a test's data directory, naming what something wrote into it after the
// window and Kiln were closed.
func removeHome(t testing.TB, home string) {
	for range 3 {
		if err := os.RemoveAll(home); err == nil {
			return
		}
		var left []string
		filepath.WalkDir(home, func(p string, _ fs.DirEntry, _ error) error {
			left = append(left, p)
			return nil
		})
		t.Logf("written after closing: %q", left)
		time.Sleep(50 * time.Millisecond)
	}
}
