package views

import (
	"cmp"
	"os"
	"path/filepath"
	"slices"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"

	"github.com/kiln3d/kiln/providers/providertest"
)

// batchRows are the batch rows the Jobs list shows.
func batchRows(u *UI) []*batchRow {
	var out []*batchRow
	for _, o := range test.LaidOutObjects(u.jobs.list) {
		if r, ok := o.(*batchRow); ok && r.Visible() && r.id != "" {
			out = append(out, r)
		}
	}
	return out
}

// rowNames are the names the job rows show, from the top of the list down.
func rowNames(u *UI) []string {
	rs := rows(u)
	d := fyne.CurrentApp().Driver()
	slices.SortFunc(rs, func(a, b *jobRow) int {
		return cmp.Compare(d.AbsolutePositionForObject(a).Y, d.AbsolutePositionForObject(b).Y)
	})
	var names []string
	for _, r := range rs {
		names = append(names, r.name.Text)
	}
	return names
}

// Images of different objects dropped on the window: Create offers one model per image and picks
// it; Submit makes a batch, which the Jobs list shows as a group with its counts and progress.
func TestDroppedObjectsMakeABatch(t *testing.T) {
	fake := providertest.NewFake("fake")
	fake.Caps.Views = true
	fake.Gate = make(chan struct{})
	u, ui := harness(t, nil, fake)
	c := u.create
	src := t.TempDir()
	u.dropped([]string{writeImage(t, src, "vase.png"), writeImage(t, src, "chair.png"), writeImage(t, src, "lamp_front.png")})
	ui.until(t, "the images read", func() bool { ok, _, _ := c.inputs.usable(); return len(ok) == 3 })
	if !c.choice.radio.Visible() || c.choice.radio.Selected != "One model per image (3 models)" {
		t.Fatalf("choice shown %v, selected %q", c.choice.radio.Visible(), c.choice.radio.Selected)
	}
	if want := "Ready: 3 models, one per image, to Fake fake, each of 1000 triangles."; c.hint.Text != want {
		t.Errorf("hint %q, want %q", c.hint.Text, want)
	}
	if c.inputs.items[0].view.Visible() {
		t.Error("view pickers show for one model per image")
	}

	// The artist may make one model of them instead, and change their mind again.
	c.choice.radio.SetSelected(oneFromViews)
	if c.choice.perImage || c.hint.Text != "Ready: 3 images to Fake fake for a model of 1000 triangles." || !c.inputs.items[0].view.Visible() {
		t.Errorf("one model: per image %v, hint %q", c.choice.perImage, c.hint.Text)
	}
	c.choice.radio.SetSelected(perImageLabel(3))
	if !c.choice.perImage || c.submit.Disabled() {
		t.Fatalf("per image again: %v, hint %q", c.choice.perImage, c.hint.Text)
	}

	test.Tap(c.submit)
	ui.until(t, "the batch's jobs", func() bool { return len(u.jobs.jobs) == 3 })
	batch := u.jobs.jobs[0].Batch
	for _, j := range u.jobs.jobs {
		if j.Batch == "" || j.Batch != batch || len(j.Request.Images) != 1 || j.Request.Images[0].View != "" {
			t.Errorf("job %s: batch %q, images %+v", j.Name(), j.Batch, j.Request.Images)
		}
	}
	ui.until(t, "the Jobs tab", func() bool { return u.tabs.Selected().Text == "Jobs" })
	ui.until(t, "the batch's row", func() bool { return len(batchRows(u)) == 1 })
	head := batchRows(u)[0]
	if head.title.Text != "Batch of 3 · 0 done · 0 failed" || head.cancel.Disabled() {
		t.Errorf("batch row %q, cancel disabled %v", head.title.Text, head.cancel.Disabled())
	}
	if got := rowNames(u); !slices.Equal(got, []string{"vase", "chair", "lamp_front"}) {
		t.Errorf("the batch's jobs show as %v", got)
	}

	// Its progress is the mean of its jobs'.
	fake.Gate <- struct{}{}
	ui.until(t, "the first job under way", func() bool { return batchRows(u)[0].bar.Value > 0 })
	if v := batchRows(u)[0].bar.Value; v >= 0.5 {
		t.Errorf("one job of three started, batch at %v", v)
	}
	close(fake.Gate)
	ui.until(t, "the batch done", func() bool {
		b := batchRows(u)
		return len(b) == 1 && b[0].title.Text == "Batch of 3 · 3 done · 0 failed"
	})
	head = batchRows(u)[0]
	if head.bar.Value != 1 || !head.cancel.Disabled() {
		t.Errorf("done: bar %v, cancel disabled %v", head.bar.Value, head.cancel.Disabled())
	}

	// Its row folds its jobs away and back.
	test.Tap(head.fold)
	ui.until(t, "the batch folded", func() bool { return len(rows(u)) == 0 && len(batchRows(u)) == 1 })
	test.Tap(batchRows(u)[0].fold)
	ui.until(t, "the batch unfolded", func() bool { return len(rows(u)) == 3 })

	// Each model is in the library under its image's name.
	names := map[string]bool{}
	assets, _ := u.k.Library.List()
	for _, a := range assets {
		names[a.Name] = true
	}
	if len(assets) != 3 || !names["vase"] || !names["chair"] || !names["lamp_front"] {
		t.Errorf("library: %v", names)
	}
}

// Views of one object are not offered as a batch; a folder of them is, one model by default.
func TestViewsOfOneObjectAndAFolder(t *testing.T) {
	fake := providertest.NewFake("fake")
	fake.Caps.Views = true
	u, ui := harness(t, nil, fake)
	c := u.create
	src := t.TempDir()
	u.dropped([]string{writeImage(t, src, "mug_front.png"), writeImage(t, src, "mug_left.png")})
	ui.until(t, "the images read", func() bool { ok, _, _ := c.inputs.usable(); return len(ok) == 2 })
	if c.choice.radio.Visible() || c.choice.perImage {
		t.Error("views of one object are offered as a batch")
	}
	for _, in := range slices.Clone(c.inputs.items) {
		c.inputs.remove(in)
	}

	dir := filepath.Join(t.TempDir(), "mug")
	os.Mkdir(dir, 0o755)
	writeImage(t, dir, "mug_front.png")
	writeImage(t, dir, "mug_back.png")
	writeImage(t, dir, ".mug_top.png") // hidden: left out
	u.dropped([]string{dir})
	ui.until(t, "the folder's images read", func() bool { ok, _, _ := c.inputs.usable(); return len(ok) == 2 })
	if len(c.inputs.items) != 2 || !c.choice.radio.Visible() || c.choice.radio.Selected != oneFromViews {
		t.Fatalf("%d images; choice shown %v, selected %q", len(c.inputs.items), c.choice.radio.Visible(), c.choice.radio.Selected)
	}
	test.Tap(c.submit)
	ui.until(t, "the job", func() bool { return len(u.jobs.jobs) == 1 })
	if j := u.jobs.jobs[0]; j.Batch != "" || len(j.Request.Images) != 2 {
		t.Errorf("job: batch %q, %d images", j.Batch, len(j.Request.Images))
	}
}

// Cancel all stops a batch's running job and its queued ones.
func TestCancelAllStopsABatch(t *testing.T) {
	fake := providertest.NewFake("fake")
	fake.Gate = make(chan struct{})
	defer close(fake.Gate)
	u, ui := harness(t, nil, fake)
	src := t.TempDir()
	c := u.create
	c.addPaths([]string{writeImage(t, src, "a.png"), writeImage(t, src, "b.png"), writeImage(t, src, "c.png"), writeImage(t, src, "d.png")})
	ui.until(t, "the images read", func() bool { return !c.submit.Disabled() })
	if !c.choice.perImage {
		t.Fatalf("four objects: %q", c.hint.Text)
	}
	test.Tap(c.submit)
	ui.until(t, "the batch's row", func() bool { return len(batchRows(u)) == 1 && len(u.jobs.jobs) == 4 })
	fake.Gate <- struct{}{}
	test.Tap(batchRows(u)[0].cancel)
	ui.until(t, "the batch cancelled", func() bool {
		b := batchRows(u)
		return len(b) == 1 && b[0].title.Text == "Batch of 4 · 0 done · 0 failed · 4 cancelled" && b[0].cancel.Disabled()
	})
	if n := fake.Submits(); n > 2 {
		t.Errorf("%d jobs reached the provider after Cancel all", n)
	}
}
