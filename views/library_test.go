package views

import (
	"context"
	"errors"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"github.com/kiln3d/kiln/app"
	"github.com/kiln3d/kiln/providers"
	"github.com/kiln3d/kiln/providers/providertest"
)

type account struct {
	*providertest.Fake
}

func (account) ListRemote(context.Context, time.Time, time.Time) ([]providers.RemoteAsset, error) {
	return []providers.RemoteAsset{
		{ID: "a1", Name: "lamp", Created: time.Now(), Status: "completed", Ready: true},
		{ID: "a2", Name: "desk", Created: time.Now(), Status: "processing"},
	}, nil
}

func (account) Download(_ context.Context, _, dir string, report func(providers.Progress)) ([]providers.File, error) {
	report(providers.Progress{Phase: providers.PhaseDownloading, Fraction: 0.5, Message: "Downloading"})
	return []providers.File{{Path: "x.glb", Format: "glb"}}, providertest.WriteTetrahedron(filepath.Join(dir, "x.glb"))
}

func TestImportThenDownloadFromTheLibrary(t *testing.T) {
	u, ui := harness(t, nil, providertest.NewFake("local"), account{providertest.NewFake("cloud")})
	u.selectTab("Library")
	if len(u.library.imports) != 1 || u.library.imports[0].Text != "Import from Fake cloud…" {
		t.Fatalf("import buttons: %d", len(u.library.imports))
	}
	test.Tap(u.library.imports[0])
	test.Tap(overlayButton(t, u, "Import"))
	ui.until(t, "the imported assets", func() bool { return len(u.library.entries) == 2 })
	named := func(name string) func(app.Entry) bool { return func(e app.Entry) bool { return e.Name == name } }
	desk := selectAsset(t, u, ui, named("desk"))
	if !desk.download.Visible() || !desk.download.Disabled() {
		t.Error("a job still processing cannot be downloaded")
	}
	lamp := selectAsset(t, u, ui, named("lamp"))
	if !lamp.download.Visible() || lamp.download.Disabled() || !lamp.save.Disabled() {
		t.Error("a ready remote asset must offer Download and not Save")
	}
	test.Tap(lamp.download)
	ui.until(t, "the download", func() bool {
		i := slices.IndexFunc(u.library.entries, named("lamp"))
		return i >= 0 && u.library.entries[i].Usable()
	})
	lamp = selectAsset(t, u, ui, named("lamp"))
	if lamp.download.Visible() || lamp.save.Disabled() {
		t.Error("Download still shown, or Save not offered, after downloading")
	}
}

func TestTaskDialogCancels(t *testing.T) {
	u, ui := harness(t, nil, providertest.NewFake("local"))
	var result error
	finished := false
	started := make(chan struct{})
	u.runTask("Long work", func(ctx context.Context, report progress) error {
		report(0.25, "a quarter")
		close(started)
		<-ctx.Done()
		return ctx.Err()
	}, func(err error) { result, finished = err, true })
	<-started
	ui.until(t, "the progress", func() bool {
		for _, o := range test.LaidOutObjects(u.win.Canvas().Overlays().Top()) {
			if l, ok := o.(*widget.Label); ok && l.Text == "a quarter" {
				return true
			}
		}
		return false
	})
	test.Tap(overlayButton(t, u, "Cancel"))
	ui.until(t, "the task to end", func() bool { return finished })
	if !errors.Is(result, context.Canceled) {
		t.Errorf("result %v", result)
	}
}

func TestReduceFromTheLibrary(t *testing.T) {
	fake := providertest.NewFake("fake")
	fake.Model = func(p string) error { return providertest.WriteSphere(p, 30, 40) } // 2,320 triangles
	u, ui := harness(t, nil, fake)
	u.create.addPaths([]string{writeImage(t, t.TempDir(), "ball.png")})
	ui.until(t, "the image", func() bool { return !u.create.submit.Disabled() })
	test.Tap(u.create.submit)
	u.selectTab("Library")
	row := selectAsset(t, u, ui, func(e app.Entry) bool { return e.Usable() })
	test.Tap(row.reduce)
	entries := overlayEntries(u)
	if len(entries) != 1 || entries[0].Text != "1160" {
		t.Fatalf("the reduce dialog offers %v", entries)
	}
	entries[0].SetText("400")
	test.Tap(overlayButton(t, u, "Reduce"))
	ui.until(t, "the reduced copy", func() bool { return len(u.library.entries) == 2 })
	var reduced bool
	for _, a := range u.library.entries {
		if a.DerivedFrom != "" && a.Triangles >= 380 && a.Triangles <= 420 {
			reduced = true
		}
	}
	if !reduced {
		t.Errorf("no reduced copy of about 400 triangles: %+v", u.library.entries)
	}
}
