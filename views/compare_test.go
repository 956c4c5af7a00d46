package views

import (
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"
	"github.com/zalando/go-keyring"

	"github.com/kiln3d/kiln/app"
	"github.com/kiln3d/kiln/preview"
	"github.com/kiln3d/kiln/providers"
	"github.com/kiln3d/kiln/providers/providertest"
)

// renderers is a renderer factory for the window that makes a fake renderer each time, as main's
// makes a GL one each time: every viewport draws with its own.
type renderers struct {
	mu   sync.Mutex
	made []*fakeRenderer
}

func (r *renderers) make() preview.Renderer {
	r.mu.Lock()
	defer r.mu.Unlock()
	f := &fakeRenderer{}
	r.made = append(r.made, f)
	return f
}

// loadedBy counts the renderers that have loaded a model.
func (r *renderers) loadedBy() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	n := 0
	for _, f := range r.made {
		if len(f.paths()) > 0 {
			n++
		}
	}
	return n
}

// columnTexts are the values each column of the Compare tab shows, line by line.
func columnTexts(p *comparePanel) [][]string {
	var out [][]string
	for _, c := range p.columns {
		var l []string
		for _, v := range c.lines {
			l = append(l, v.Text)
		}
		out = append(out, l)
	}
	return out
}

// Create sends one image to a fake at two polycounts and to another fake as one comparison: the
// Jobs tab groups it under one row, and when it ends the Compare tab shows the three models, each
// in a viewport of its own, with the same stats in the same order.
func TestSubmitAComparisonAndCompare(t *testing.T) {
	a, b := providertest.NewFake("a"), providertest.NewFake("b")
	gate := make(chan struct{})
	a.Gate, b.Gate = gate, gate
	rs := &renderers{}
	u, ui := harnessWith(t, Options{Renderer: rs.make}, a, b)
	c := u.create
	c.addPaths([]string{writeImage(t, t.TempDir(), "pot.png")})
	ui.until(t, "the image", func() bool { return !c.submit.Disabled() })

	c.compare.check.SetChecked(true)
	if len(c.compare.rows) != 1 || c.compare.rows[0].provider.Selected != "Fake a" || c.compare.rows[0].polycount.Text != "500" {
		t.Fatalf("the first row to compare: %d rows, %q at %q", len(c.compare.rows), c.compare.rows[0].provider.Selected, c.compare.rows[0].polycount.Text)
	}
	test.Tap(c.compare.add)
	c.compare.rows[1].provider.SetSelected("Fake b")
	c.compare.rows[1].polycount.SetText("9x")
	if !c.submit.Disabled() || !strings.Contains(c.hint.Text, "Model 3's polycount must be a whole number") {
		t.Errorf("a bad polycount: submit enabled %v, hint %q", !c.submit.Disabled(), c.hint.Text)
	}
	c.compare.rows[1].polycount.SetText("900")
	if want := "Ready: a comparison of 3 models from 1 image: Fake a 1,000 · Fake a 500 · Fake b 900."; c.hint.Text != want {
		t.Errorf("hint %q, want %q", c.hint.Text, want)
	}
	test.Tap(c.compare.add)
	test.Tap(c.compare.add) // four at most: the button stops there
	if len(c.compare.rows) != 3 || !c.compare.add.Disabled() {
		t.Errorf("%d rows, add disabled %v", len(c.compare.rows), c.compare.add.Disabled())
	}
	test.Tap(c.compare.rows[2].remove)
	if len(c.compare.rows) != 2 || c.compare.add.Disabled() {
		t.Errorf("after removing one: %d rows, add disabled %v", len(c.compare.rows), c.compare.add.Disabled())
	}

	test.Tap(c.submit)
	ui.until(t, "the comparison's jobs", func() bool { return len(u.jobs.jobs) == 3 })
	group := u.jobs.jobs[0].Batch
	for _, j := range u.jobs.jobs {
		if j.Batch != group || !j.Compare {
			t.Errorf("job %s: group %q compare %v", j.Name(), j.Batch, j.Compare)
		}
	}
	ui.until(t, "the comparison's row", func() bool {
		rs := batchRows(u)
		return len(rs) == 1 && strings.HasPrefix(rs[0].title.Text, "Comparison of 3")
	})
	head := batchRows(u)[0]
	if head.detail.Text != "Same references · Fake a 1,000 · Fake a 500 · Fake b 900" || !head.compare.Visible() || !head.compare.Disabled() {
		t.Errorf("comparison row %q, compare shown %v disabled %v", head.detail.Text, head.compare.Visible(), head.compare.Disabled())
	}
	ui.until(t, "the comparison's jobs, named after the image and the variant, in order", func() bool {
		return slices.Equal(rowNames(u), []string{"pot (Fake a 1,000)", "pot (Fake a 500)", "pot (Fake b 900)"})
	})

	// When the last one ends, the Compare tab opens on the three models.
	close(gate)
	ui.until(t, "the Compare tab", func() bool {
		return u.tabs.Selected().Text == "Compare" && len(u.compare.columns) == 3 && rs.loadedBy() == 3
	})
	if rows := batchRows(u); u.notifications != 0 || len(rows) != 1 || rows[0].compare.Disabled() {
		t.Errorf("%d notifications; %d comparison rows, the first's Compare disabled", u.notifications, len(rows))
	}
	texts := columnTexts(u.compare)
	for i, col := range u.compare.columns {
		if len(col.lines) != 7 || col.keep.Disabled() || !col.keep.Visible() {
			t.Errorf("column %d: %d lines, keep disabled %v", i, len(col.lines), col.keep.Disabled())
		}
	}
	if texts[0][1] != "4 (asked 1,000)" || texts[1][1] != "4 (asked 500)" || texts[2][0] != "Fake b" {
		t.Errorf("stats %v", texts)
	}
	// What differs is in bold; what is the same is not.
	if !u.compare.columns[0].lines[1].TextStyle.Bold || u.compare.columns[0].lines[2].TextStyle.Bold {
		t.Errorf("bold: triangles %v, textures %v", u.compare.columns[0].lines[1].TextStyle.Bold, u.compare.columns[0].lines[2].TextStyle.Bold)
	}
	if !strings.Contains(u.compare.title.Text, "pot") {
		t.Errorf("title %q", u.compare.title.Text)
	}
}

// Dragging one model turns the others with it: the cameras follow one another.
func TestCompareCamerasFollowOneAnother(t *testing.T) {
	u, ui, ids := comparedModels(t)
	u.compareModels(ids, "test")
	ui.until(t, "the columns", func() bool { return len(u.compare.columns) == 3 })
	cols := u.compare.columns
	ui.until(t, "the models loaded", func() bool {
		for _, c := range cols {
			if c.vp.Frame() == nil {
				return false
			}
		}
		return true
	})
	start := cols[0].vp.View()
	cols[1].vp.Dragged(&fyne.DragEvent{Dragged: fyne.Delta{DX: 120, DY: -40}})
	moved := cols[1].vp.View()
	if moved.Yaw == start.Yaw || moved.Pitch == start.Pitch {
		t.Fatalf("the drag did not turn the camera: %+v", moved)
	}
	for i, c := range cols {
		if v := c.vp.View(); v.Yaw != moved.Yaw || v.Pitch != moved.Pitch || v.Zoom != moved.Zoom {
			t.Errorf("viewport %d: yaw %v pitch %v zoom %v, want %v %v %v", i, v.Yaw, v.Pitch, v.Zoom, moved.Yaw, moved.Pitch, moved.Zoom)
		}
	}
	cols[2].vp.Scrolled(&fyne.ScrollEvent{Scrolled: fyne.Delta{DY: 30}})
	if z := cols[2].vp.View().Zoom; cols[0].vp.View().Zoom != z || z == moved.Zoom {
		t.Errorf("zoom %v followed as %v", z, cols[0].vp.View().Zoom)
	}
	u.compare.resetViews()
	u.compare.mode.SetSelected("Wireframe") // for every model at once
	for i, c := range cols {
		if v := c.vp.View(); v.Yaw != start.Yaw || v.Mode != preview.Wireframe {
			t.Errorf("viewport %d: yaw %v (reset: %v), mode %v", i, v.Yaw, start.Yaw, v.Mode)
		}
	}
}

// comparedModels runs a comparison of three models to its end in a window and returns their
// assets' ids.
func comparedModels(t *testing.T) (*UI, *uiThread, []string) {
	t.Helper()
	rs := &renderers{}
	u, ui := harnessWith(t, Options{Renderer: rs.make}, providertest.NewFake("a"), providertest.NewFake("b"))
	req := providers.Request{Images: []providers.Image{{Path: writeImage(t, t.TempDir(), "vase.png")}}}
	jobs, err := u.k.SubmitCompare(u.ctx, req,
		[]app.Variant{{Provider: "a", Polycount: 300}, {Provider: "a", Polycount: 600}, {Provider: "b"}})
	if err != nil {
		t.Fatal(err)
	}
	ui.until(t, "the comparison's end", func() bool {
		done := 0
		for _, j := range u.jobs.jobs {
			if j.State == app.Done {
				done++
			}
		}
		return done == 3
	})
	ids := make([]string, len(jobs))
	for i, j := range jobs {
		got, err := u.k.Jobs.Job(u.ctx, j.ID)
		if err != nil {
			t.Fatal(err)
		}
		ids[i] = got.AssetID
	}
	return u, ui, ids
}

// Keep files the chosen model under the references' name and says so; the others stay in the
// group, and keeping another one later swaps them.
func TestKeepInTheCompareTab(t *testing.T) {
	u, ui, ids := comparedModels(t)
	ui.until(t, "the Compare tab", func() bool { return len(u.compare.columns) == 3 && u.compare.columns[2].vp.Frame() != nil })
	cols := u.compare.columns
	test.Tap(cols[1].keep)
	ui.until(t, "the model kept", func() bool { return strings.HasPrefix(u.compare.note.Text, "Kept vase") })
	if cols[1].name.Text != "vase (kept)" || !cols[1].keep.Disabled() || cols[0].keep.Disabled() || cols[2].keep.Disabled() {
		t.Errorf("after Keep: %q, keep disabled %v %v %v", cols[1].name.Text, cols[0].keep.Disabled(), cols[1].keep.Disabled(), cols[2].keep.Disabled())
	}
	if a, err := u.k.Library.Get(ids[1]); err != nil || a.Name != "vase" {
		t.Errorf("kept asset %q (%v)", a.Name, err)
	}
	tag := app.CompareTag(cols[0].stats.Group)
	if !strings.Contains(u.compare.note.Text, tag) {
		t.Errorf("note %q does not name the tag %s", u.compare.note.Text, tag)
	}
	if !u.library.selected[ids[1]] || len(u.library.selected) != 1 {
		t.Errorf("library selection %v", u.library.selected)
	}

	test.Tap(cols[0].keep)
	ui.until(t, "the other kept", func() bool { return cols[0].name.Text == "vase (kept)" })
	if cols[1].name.Text != "vase (Fake a 600)" || cols[1].keep.Disabled() {
		t.Errorf("the first kept, back in the group: %q, keep disabled %v", cols[1].name.Text, cols[1].keep.Disabled())
	}
}

// Any 2 to 4 models picked in the Library compare; a model not made in a comparison offers
// Preview but no Keep.
func TestCompareFromTheLibrary(t *testing.T) {
	u, ui, ids := comparedModels(t)
	single, err := u.k.Jobs.Submit(u.ctx, "a", providers.Request{Polycount: 1000, Images: []providers.Image{{Path: writeImage(t, t.TempDir(), "cup.png")}}})
	if err != nil {
		t.Fatal(err)
	}
	var asset string
	ui.until(t, "the single job", func() bool {
		j, _ := u.k.Jobs.Job(u.ctx, single.ID)
		asset = j.AssetID
		return j.State == app.Done && len(u.library.entries) == 4
	})
	u.selectTab("Library")
	clear(u.library.selected)
	u.library.selected[ids[0]], u.library.selected[asset] = true, true
	u.library.details.update()
	if !u.library.details.multiCompare.Visible() || u.library.details.multiCompare.Disabled() {
		t.Fatalf("Compare offered %v, disabled %v", u.library.details.multiCompare.Visible(), u.library.details.multiCompare.Disabled())
	}
	test.Tap(u.library.details.multiCompare)
	ui.until(t, "the two models side by side", func() bool {
		return u.tabs.Selected().Text == "Compare" && len(u.compare.columns) == 2 && u.compare.title.Text == "2 models from the Library"
	})
	names := []string{u.compare.columns[0].stats.Asset.Name, u.compare.columns[1].stats.Asset.Name}
	slices.Sort(names)
	if !slices.Equal(names, []string{"cup", "vase (Fake a 300)"}) {
		t.Errorf("compared %v", names)
	}
	for _, c := range u.compare.columns {
		if c.stats.Asset.ID == asset && c.stats.Group != "" {
			t.Errorf("the single model is in group %q", c.stats.Group)
		}
		if c.stats.Asset.ID == asset && c.keep.Visible() {
			t.Error("Keep offered for a model made alone")
		}
	}

}

// A comparison with a paid provider says what that model costs against its account, and what the
// plans changed; one model per image cannot be compared.
func TestComparisonCostAndProblems(t *testing.T) {
	keyring.MockInit()
	cloud := newPriced(map[string]float64{"sk-personal-0123456789": 0.25})
	u, ui := harness(t, nil, providertest.NewFake("local"), cloud)
	addKey(t, u, "Personal", "sk-personal-0123456789")
	c := u.create
	c.cost.delay = time.Millisecond
	src := t.TempDir()
	c.addPaths([]string{writeImage(t, src, "pot.png")})
	ui.until(t, "the image", func() bool { return !c.submit.Disabled() })
	c.compare.check.SetChecked(true)
	c.compare.rows[0].provider.SetSelected("Fake cloud")
	c.compare.rows[0].polycount.SetText("99")
	ui.until(t, "the comparison's cost", func() bool { return strings.Contains(c.cost.label.Text, "Model 2 (Fake cloud): Cost 0.5 credits") })
	if !strings.Contains(c.cost.label.Text, "the balance is only 0.25 credits") || c.cost.label.Importance != widget.DangerImportance {
		t.Errorf("cost %q (importance %v)", c.cost.label.Text, c.cost.label.Importance)
	}
	if !strings.Contains(c.cost.label.Text, "Model 2: Polycount 99 is outside") {
		t.Errorf("the clamped polycount is not said: %q", c.cost.label.Text)
	}
	if strings.Contains(c.cost.label.Text, `\n`) {
		t.Errorf("the lines are run together with an escaped break: %q", c.cost.label.Text)
	}

	// Images of different objects make one model each: that is a batch, not a comparison.
	c.addPaths([]string{writeImage(t, src, "chair.png")})
	ui.until(t, "one model per image", func() bool { ok, _, _ := c.inputs.usable(); return len(ok) == 2 && c.choice.perImage })
	if !c.submit.Disabled() || !strings.Contains(c.hint.Text, "A comparison makes one model of the images") {
		t.Errorf("per image and compare: submit enabled %v, hint %q", !c.submit.Disabled(), c.hint.Text)
	}
	c.choice.radio.SetSelected(oneFromViews)
	c.compare.rows[0].provider.SetSelected("Fake local")
	c.compare.rows[0].polycount.SetText("")
	if c.submit.Disabled() || !strings.Contains(c.hint.Text, "Ready: a comparison of 2 models from 2 images: Fake local 1,000 · Fake local default.") {
		t.Errorf("submit disabled %v, hint %q", c.submit.Disabled(), c.hint.Text)
	}
	test.Tap(c.compare.rows[0].remove) // the last row: no comparison
	if c.compare.on() || strings.Contains(c.hint.Text, "comparison") {
		t.Errorf("after removing the last row: on %v, hint %q", c.compare.on(), c.hint.Text)
	}
}
