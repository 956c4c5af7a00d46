package views

import (
	"strings"
	"testing"

	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"github.com/kiln3d/kiln/app"
	"github.com/kiln3d/kiln/providers"
	"github.com/kiln3d/kiln/providers/providertest"
)

// selectAsset waits for a library entry ok accepts, selects it alone and waits for the details
// pane to show it.
func selectAsset(t *testing.T, u *UI, ui *uiThread, ok func(app.Entry) bool) *detailsPane {
	t.Helper()
	u.library.reload()
	id := ""
	ui.until(t, "the asset", func() bool {
		for i, e := range u.library.entries {
			if ok(e) {
				id = e.ID
				u.library.clicked(i, 0)
				return true
			}
		}
		return false
	})
	d := u.library.details
	ui.until(t, "its details", func() bool { return d.asset.ID == id && d.loaded == d.shown })
	return d
}

// factText is the value of the details pane's fact labelled label ("" when not shown).
func factText(d *detailsPane, label string) string {
	for i := 0; i+1 < len(d.facts.Objects); i += 2 {
		if l, ok := d.facts.Objects[i].(*widget.Label); ok && l.Text == label {
			switch v := d.facts.Objects[i+1].(type) {
			case *widget.Label:
				return v.Text
			case *widget.Button:
				return v.Text
			}
		}
	}
	return ""
}

func overlaySelectEntry(t *testing.T, u *UI) *widget.SelectEntry {
	t.Helper()
	for _, o := range test.LaidOutObjects(u.win.Canvas().Overlays().Top()) {
		if e, ok := o.(*widget.SelectEntry); ok {
			return e
		}
	}
	t.Fatal("no folder field in the dialog")
	return nil
}

func TestPublishAModelFromTheLibrary(t *testing.T) {
	tg := providertest.NewFakeTarget("verse")
	tg.Info.Title = "Verse"
	tg.Hold = make(chan struct{})
	if _, err := tg.CreateFolder(t.Context(), "Props"); err != nil {
		t.Fatal(err)
	}
	reg, err := providers.NewRegistry(providertest.NewFake("local"))
	if err != nil {
		t.Fatal(err)
	}
	if err := reg.AddTargets(tg); err != nil {
		t.Fatal(err)
	}
	u, ui := harnessRegistry(t, Options{Dialogs: fakeDialogs{}}, reg)
	u.create.addPaths([]string{writeImage(t, t.TempDir(), "lamp.png")})
	ui.until(t, "the image", func() bool { return !u.create.submit.Disabled() })
	test.Tap(u.create.submit)
	ui.until(t, "the model", func() bool { return len(u.library.entries) == 1 })
	u.selectTab("Library")
	row := selectAsset(t, u, ui, func(e app.Entry) bool { return e.Usable() })
	if len(row.publish) != 1 || row.publish[0].Disabled() || row.publish[0].Text != "Publish to Verse…" || row.open.Visible() {
		t.Fatalf("action %q, open shown %v before any publication", row.publish[0].Text, row.open.Visible())
	}

	// The dialog lists the target's folders; the artist picks one.
	test.Tap(row.publish[0])
	folder := overlaySelectEntry(t, u)
	ui.until(t, "the folders", func() bool {
		return folderListed(u)
	})
	folder.SetText("Props")
	test.Tap(overlayButton(t, u, "Publish"))
	ui.until(t, "the publication in Jobs", func() bool {
		return len(u.jobs.jobs) == 2 && u.jobs.jobs[0].Kind == app.KindPublish && u.jobs.jobs[0].State == app.Running
	})
	if len(tg.Uploads()) != 1 || tg.Uploads()[0].Folder != "folder-1" {
		t.Errorf("uploads %+v: want one into the picked folder", tg.Uploads())
	}
	var pubRow *jobRow
	ui.until(t, "the job row", func() bool {
		for _, r := range rows(u) {
			if r.id == u.jobs.jobs[0].ID {
				pubRow = r
				return true
			}
		}
		return false
	})
	if !strings.Contains(pubRow.detail.Text, "Publish to Verse") || pubRow.cancel.Disabled() {
		t.Errorf("job row %q, cancel disabled %v", pubRow.detail.Text, pubRow.cancel.Disabled())
	}
	close(tg.Hold)
	ui.until(t, "the publication done", func() bool { return u.jobs.jobs[0].State == app.Done })

	// The library says where it went, and copies what it made.
	u.selectTab("Library")
	clear(u.library.selected)
	row = selectAsset(t, u, ui, func(e app.Entry) bool { return e.Published })
	if !strings.Contains(factText(row, "Published on"), "Verse: folder Props") || !row.open.Visible() || row.open.Text != "Copy the Verse id" {
		t.Errorf("published %q, button %q", factText(row, "Published on"), row.open.Text)
	}
	test.Tap(row.open)
	if got := u.fyneApp.Clipboard().Content(); got != "asset-upload-1" {
		t.Errorf("clipboard %q", got)
	}

	// Publishing again asks whether to replace or add.
	test.Tap(row.publish[0])
	var radio *widget.RadioGroup
	for _, o := range test.LaidOutObjects(u.win.Canvas().Overlays().Top()) {
		if r, ok := o.(*widget.RadioGroup); ok && r.Visible() {
			radio = r
		}
	}
	if radio == nil || radio.Selected != choiceReplace {
		t.Fatalf("no replace-or-add choice for a model published before (%v)", radio)
	}
	radio.SetSelected(choiceAdd)
	overlaySelectEntry(t, u).SetText("New folder")
	test.Tap(overlayButton(t, u, "Publish"))
	ui.until(t, "the second publication", func() bool {
		return len(u.jobs.jobs) == 3 && u.jobs.jobs[0].State == app.Done
	})
	a, err := u.k.Library.Get(u.jobs.jobs[0].Origin)
	if err != nil {
		t.Fatal(err)
	}
	if got := a.PublishedTo("verse"); len(got) != 2 || got[1].Folder.Name != "New folder" {
		t.Errorf("publications %+v: want both, the second in a new folder", got)
	}
}

// folderListed reports whether the publish dialog has listed the target's folders.
func folderListed(u *UI) bool {
	for _, o := range test.LaidOutObjects(u.win.Canvas().Overlays().Top()) {
		if l, ok := o.(*widget.Label); ok && strings.Contains(l.Text, "Pick one, or type a new name") {
			return true
		}
	}
	return false
}
