package views

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"github.com/kiln3d/kiln/app"
	"github.com/kiln3d/kiln/providers"
	"github.com/kiln3d/kiln/providers/providertest"
)

// stockLibrary adds three models from disk: a sword (4 triangles), a ball (many) and a crate,
// the crate tagged and the ball with notes.
func stockLibrary(t *testing.T, u *UI) map[string]string {
	t.Helper()
	src := t.TempDir()
	write := func(name string, make func(string) error) string {
		p := filepath.Join(src, name)
		if err := make(p); err != nil {
			t.Fatal(err)
		}
		return p
	}
	paths := []string{
		write("sword.glb", providertest.WriteTetrahedron),
		write("ball.glb", func(p string) error { return providertest.WriteSphere(p, 12, 16) }),
		write("crate.glb", func(p string) error { return providertest.WriteSphere(p, 3, 4) }),
	}
	added, err := u.k.Library.AddModels(context.Background(), paths, nil)
	if err != nil || len(added) != 3 {
		t.Fatalf("stock: %v %v", added, err)
	}
	ids := map[string]string{}
	for _, a := range added {
		ids[a.Name] = a.ID
	}
	if _, err := u.k.Library.SetTags(ids["crate"], []string{"props", "wood"}); err != nil {
		t.Fatal(err)
	}
	if _, err := u.k.Library.SetNotes(ids["ball"], "bounces nicely"); err != nil {
		t.Fatal(err)
	}
	return ids
}

func names(u *UI) string {
	var out []string
	for _, e := range u.library.entries {
		out = append(out, e.Name)
	}
	return strings.Join(out, " ")
}

// shown waits until the library shows the names want (in order, space-separated).
func shown(t *testing.T, u *UI, ui *uiThread, want string) {
	t.Helper()
	ui.until(t, "the library to show "+want, func() bool { return names(u) == want })
}

func TestLibrarySearchFiltersAndSort(t *testing.T) {
	u, ui := harness(t, nil, providertest.NewFake("fake"))
	stockLibrary(t, u)
	u.selectTab("Library")
	p := u.library
	p.by.SetSelected("Name")
	shown(t, u, ui, "ball crate sword")

	// Typing filters at each keystroke, over names, tags and notes.
	for _, c := range [][2]string{{"s", "sword"}, {"sw", "sword"}, {"wood", "crate"}, {"bounce", "ball"}, {"nothing", ""}} {
		p.search.SetText(c[0])
		shown(t, u, ui, c[1])
	}
	if !strings.Contains(p.status.Text, "0 of 3 models") {
		t.Errorf("status %q", p.status.Text)
	}
	test.Tap(p.search.ActionItem.(*widget.Button)) // the clear button
	shown(t, u, ui, "ball crate sword")

	p.by.SetSelected("Most triangles")
	shown(t, u, ui, "ball crate sword")
	p.by.SetSelected("Largest files")
	shown(t, u, ui, "ball crate sword")
	p.by.SetSelected("Newest first")
	shown(t, u, ui, "crate ball sword")

	// Filters: the provider, the state, the tag, the date.
	if len(p.provider.Options) != 2 || p.provider.Options[1] != "Added from disk" {
		t.Errorf("provider filter %q", p.provider.Options)
	}
	p.state.SetSelected("Damaged")
	shown(t, u, ui, "")
	p.state.SetSelected("On this computer")
	shown(t, u, ui, "crate ball sword")
	p.tag.SetSelected("wood")
	shown(t, u, ui, "crate")
	p.tag.SetSelected(allTags)
	p.when.SetSelected("Today")
	shown(t, u, ui, "crate ball sword")

	// Grid or list, and the tile size, are remembered.
	test.Tap(p.listButton)
	if p.body.Objects[0] != p.list || u.fyneApp.Preferences().String(prefLibraryView) != "list" {
		t.Error("the list mode is not shown or not remembered")
	}
	p.setTile(200)
	if u.fyneApp.Preferences().Int(prefLibraryTile) != 200 {
		t.Error("the tile size is not remembered")
	}
	ui.until(t, "list rows", func() bool {
		for _, o := range test.LaidOutObjects(p.list) {
			if r, ok := o.(*assetTile); ok && r.entry.Name == "ball" {
				return strings.Contains(r.detail.Text, "Added from disk") && strings.Contains(r.detail.Text, "triangles")
			}
		}
		return false
	})
}

func TestLibraryDetailsRenameTagsNotesDuplicate(t *testing.T) {
	u, ui := harness(t, nil, providertest.NewFake("fake"))
	ids := stockLibrary(t, u)
	u.selectTab("Library")
	d := selectAsset(t, u, ui, func(e app.Entry) bool { return e.Name == "sword" })
	if !strings.Contains(factText(d, "Model"), "sword.glb") || !strings.Contains(factText(d, "Model"), "SHA-256") ||
		factText(d, "Provider") != "Added from disk" || !strings.Contains(d.state.Text, "4 triangles") {
		t.Errorf("details: model %q provider %q state %q", factText(d, "Model"), factText(d, "Provider"), d.state.Text)
	}

	test.Tap(d.rename)
	overlayEntries(u)[0].SetText("Excalibur")
	test.Tap(overlayButton(t, u, "Rename"))
	shown(t, u, ui, "crate ball Excalibur")

	test.Tap(d.tags)
	overlayEntries(u)[0].SetText("hero, metal, HERO")
	test.Tap(overlayButton(t, u, "Save"))
	ui.until(t, "the tags", func() bool { a, _ := u.k.Library.Get(ids["sword"]); return strings.Join(a.Tags, ",") == "hero,metal" })

	test.Tap(d.notes)
	for _, e := range overlayEntries(u) {
		if e.MultiLine {
			e.SetText("from the\nlake")
		}
	}
	test.Tap(overlayButton(t, u, "Save"))
	ui.until(t, "the notes", func() bool { a, _ := u.k.Library.Get(ids["sword"]); return a.Notes == "from the\nlake" })
	u.library.search.SetText("lake hero")
	shown(t, u, ui, "Excalibur")
	u.library.search.SetText("")

	d = selectAsset(t, u, ui, func(e app.Entry) bool { return e.Name == "Excalibur" })
	test.Tap(d.dup)
	ui.until(t, "the copy selected", func() bool {
		sel := u.library.selection()
		return len(sel) == 1 && sel[0].Name == "Excalibur copy" && d.asset.Name == "Excalibur copy" && d.loaded == d.shown
	})
	// Its lineage links back to the original, and the original lists the copy.
	if got := factText(d, "Made from (duplicate)"); got != "Excalibur" {
		t.Fatalf("made from %q", got)
	}
	for i := 0; i+1 < len(d.facts.Objects); i += 2 {
		if b, ok := d.facts.Objects[i+1].(*widget.Button); ok && b.Text == "Excalibur" {
			test.Tap(b)
		}
	}
	ui.until(t, "the original", func() bool { return d.asset.ID == ids["sword"] && d.loaded == d.shown })
	if got := factText(d, "Made from it"); got != "Excalibur copy" {
		t.Errorf("made from it: %q", got)
	}
}

func TestDeleteSeveralThenUndoAndEmptyTheTrash(t *testing.T) {
	u, ui := harness(t, nil, providertest.NewFake("fake"))
	stockLibrary(t, u)
	u.selectTab("Library")
	p := u.library
	p.by.SetSelected("Name")
	shown(t, u, ui, "ball crate sword")
	p.clicked(0, 0)
	p.clicked(2, fyne.KeyModifierShortcutDefault) // Ctrl-click adds
	if got := len(p.selection()); got != 2 || p.details.box.Objects[0] != p.details.multi {
		t.Fatalf("%d selected", got)
	}
	p.clicked(1, fyne.KeyModifierShift) // Shift-click: the range from the last click
	if got := len(p.selection()); got != 2 {
		t.Errorf("a shift-click from the sword to the crate selects %d", got)
	}
	p.clicked(0, fyne.KeyModifierShortcutDefault)
	if len(p.selection()) != 3 || !strings.Contains(p.details.multiTitle.Text, "3 models") {
		t.Fatalf("%q", p.details.multiTitle.Text)
	}
	p.clicked(1, fyne.KeyModifierShortcutDefault) // takes the crate away
	test.Tap(p.details.multiDel)
	shown(t, u, ui, "crate")
	if !p.undo.Visible() || !strings.Contains(p.status.Text, "Moved “ball”, “sword” to the trash") {
		t.Errorf("undo shown %v, status %q", p.undo.Visible(), p.status.Text)
	}
	if items, _ := u.k.Library.TrashList(); len(items) != 2 {
		t.Errorf("the trash holds %d", len(items))
	}

	// Ctrl+Z (Edit ▸ Undo delete) brings them back, selected.
	menuAction(t, u, "Undo delete")()
	shown(t, u, ui, "ball crate sword")
	if len(p.selection()) != 2 || p.undo.Visible() {
		t.Errorf("after undo: %d selected, undo shown %v", len(p.selection()), p.undo.Visible())
	}

	// Delete (the key) trashes the selection; the trash dialog empties it for good.
	u.win.Canvas().OnTypedKey()(&fyne.KeyEvent{Name: fyne.KeyDelete})
	shown(t, u, ui, "crate")
	test.Tap(p.trash)
	ui.until(t, "the trash dialog", func() bool {
		for _, o := range test.LaidOutObjects(u.win.Canvas().Overlays().Top()) {
			if b, ok := o.(*widget.Button); ok && b.Text == "Empty the trash…" {
				return true
			}
		}
		return false
	})
	test.Tap(overlayButton(t, u, "Empty the trash…"))
	test.Tap(overlayButton(t, u, "Yes"))
	ui.until(t, "the trash emptied", func() bool { items, _ := u.k.Library.TrashList(); return len(items) == 0 })
	ui.until(t, "the message", func() bool { return strings.Contains(p.status.Text, "Deleted 2 models for good") })
}

// menuAction finds the main menu's item labelled label.
func menuAction(t *testing.T, u *UI, label string) func() {
	t.Helper()
	for _, m := range u.win.MainMenu().Items {
		for _, it := range m.Items {
			if it.Label == label {
				return it.Action
			}
		}
	}
	t.Fatalf("no menu item %q", label)
	return nil
}

func TestDropModelsOnTheLibrary(t *testing.T) {
	u, ui := harness(t, nil, providertest.NewFake("fake"))
	src := t.TempDir()
	good := filepath.Join(src, "lamp.glb")
	providertest.WriteTetrahedron(good)
	bad := filepath.Join(src, "broken.glb")
	os.WriteFile(bad, []byte("glTF not really"), 0o644)
	sub := filepath.Join(src, "more")
	os.Mkdir(sub, 0o755)
	providertest.WriteSphere(filepath.Join(sub, "moon.glb"), 6, 8)

	u.selectTab("Library")
	u.dropped([]string{good, bad, sub})
	shown(t, u, ui, "moon lamp")
	ui.until(t, "the refusal", func() bool {
		for _, o := range test.LaidOutObjects(u.win.Canvas().Overlays().Top()) {
			if l, ok := o.(*widget.Label); ok && strings.Contains(l.Text, "broken.glb:") {
				return true
			}
		}
		return false
	})
	if len(u.library.selection()) != 2 || !strings.Contains(u.library.status.Text, "Added “lamp”, “moon”") {
		t.Errorf("selected %d, status %q", len(u.library.selection()), u.library.status.Text)
	}
	// Elsewhere, a model dropped is for looking at and an image for a new job.
	u.selectTab("Jobs")
	u.dropped([]string{writeImage(t, src, "ref.png")})
	if u.tabs.Selected().Text != "Create" {
		t.Errorf("an image dropped on Jobs opens %s", u.tabs.Selected().Text)
	}
}

func TestMenuShortcutsAndTheWindowRemembered(t *testing.T) {
	a := test.NewTempApp(t)
	reg, err := providers.NewRegistry(providertest.NewFake("fake"))
	if err != nil {
		t.Fatal(err)
	}
	k, err := app.Open(app.Options{Home: t.TempDir(), Providers: reg})
	if err != nil {
		t.Fatal(err)
	}
	defer k.Close()
	ui := &uiThread{}
	u := newUI(a, k, Options{Tick: -1}, ui.do)
	var labels []string
	for _, m := range u.win.MainMenu().Items {
		labels = append(labels, m.Label)
		for _, it := range m.Items {
			if it.Shortcut != nil {
				labels = append(labels, it.Label+"="+it.Shortcut.ShortcutName())
			}
		}
	}
	got := strings.Join(labels, " ")
	for _, want := range []string{"File", "Edit", "View", "Help", "Add images…=CustomDesktop:Control+O", "Submit=CustomDesktop:Control+Return",
		"Find in library=CustomDesktop:Control+F", "Undo delete=Undo", "Library=CustomDesktop:Control+3"} {
		if !strings.Contains(got, want) {
			t.Errorf("the menu lacks %q: %s", want, got)
		}
	}
	menuAction(t, u, "Find in library")()
	if u.tabs.Selected().Text != "Library" || u.win.Canvas().Focused() != u.library.search {
		t.Error("Ctrl+F does not put the cursor in the library's search")
	}
	menuAction(t, u, "About Kiln")()
	if overlayButton(t, u, "Close") == nil {
		t.Error("no About dialog")
	}
	u.win.Resize(fyne.NewSize(1300, 850))
	u.library.setMode("list")
	u.Close()

	again := newUI(a, k, Options{Tick: -1}, ui.do)
	defer again.Close()
	if s := again.win.Canvas().Size(); s.Width != 1300 || s.Height != 850 {
		t.Errorf("size %v not remembered", s)
	}
	if again.tabs.Selected().Text != "Library" || again.library.mode != "list" {
		t.Errorf("tab %q, library mode %q not remembered", again.tabs.Selected().Text, again.library.mode)
	}
}

func TestLongJobsEndingAreAnnounced(t *testing.T) {
	u, _ := harness(t, nil, providertest.NewFake("fake"))
	now := time.Now()
	long := app.Job{ID: "j1", State: app.Done, Started: now.Add(-time.Minute), Finished: now}
	u.notify(long)
	u.notify(long)
	if u.notifications != 1 {
		t.Errorf("%d notifications for one long job", u.notifications)
	}
	u.notify(app.Job{ID: "j2", State: app.Done, Started: now.Add(-time.Second), Finished: now})
	u.notify(app.Job{ID: "j3", State: app.Running, Started: now.Add(-time.Minute)})
	u.notify(app.Job{ID: "j4", State: app.Failed, Started: now.Add(-time.Hour), Finished: now.Add(-time.Hour + 10*time.Second)})
	if u.notifications != 1 {
		t.Errorf("%d notifications: short, running and old jobs are not announced", u.notifications)
	}
	u.notify(app.Job{ID: "j5", State: app.Failed, Started: now.Add(-10 * time.Second), Finished: now, Error: "the provider is down"})
	if u.notifications != 2 {
		t.Errorf("a long failed job is not announced")
	}
}

// A model given on the command line (a file manager's Open with Kiln) opens in the preview, even
// when the window opens on the Library tab; it is never filed in the library unasked.
func TestModelGivenOnTheCommandLineOpensInThePreview(t *testing.T) {
	r := &fakeRenderer{}
	u, ui := harnessWithPreview(t, r, providertest.NewFake("fake"))
	model := filepath.Join(t.TempDir(), "lamp.glb")
	providertest.WriteTetrahedron(model)
	u.selectTab("Library")
	u.open([]string{model}, false)
	ui.until(t, "the preview", func() bool { return u.tabs.Selected().Text == "Preview" && len(r.paths()) == 1 })
	if list, _ := u.k.Library.List(); len(list) != 0 {
		t.Errorf("the model was filed in the library: %d assets", len(list))
	}
}

// A job whose model was moved to the trash says so when asked to show it, rather than failing on
// a missing file.
func TestJobRowOfATrashedModelSaysWhereItIs(t *testing.T) {
	u, ui := harness(t, nil, providertest.NewFake("fake"))
	u.create.addPaths([]string{writeImage(t, t.TempDir(), "cup.png")})
	ui.until(t, "the image", func() bool { return !u.create.submit.Disabled() })
	test.Tap(u.create.submit)
	ui.until(t, "done", func() bool { return len(rows(u)) == 1 && rows(u)[0].state.Text == "Done" })
	if _, err := u.k.Library.Trash(u.jobs.jobs[0].AssetID); err != nil {
		t.Fatal(err)
	}
	test.Tap(rows(u)[0].save)
	ui.until(t, "the explanation", func() bool {
		for _, o := range test.LaidOutObjects(u.win.Canvas().Overlays().Top()) {
			if l, ok := o.(*widget.Label); ok && strings.Contains(l.Text, "is in the trash") {
				return true
			}
		}
		return false
	})
}
