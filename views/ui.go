// Package views is Kiln's window: Fyne widgets that drive the core (app). Nothing here decides
// anything about jobs or models; widgets are changed only on Fyne's UI thread, and every slow
// call runs on a goroutine whose result comes back through UI.do.
package views

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/theme"

	"github.com/kiln3d/kiln/app"
	"github.com/kiln3d/kiln/preview"
)

// Options configure the window.
type Options struct {
	// Dialogs are the native file dialogs; nil uses Fyne's own.
	Dialogs FileDialogs
	// Files are opened when the window opens (`kiln FILE...`, a file manager's Open with):
	// images are added to Create, a model opens in the preview.
	Files []string
	// Tick is how often running jobs' elapsed times refresh; 0 means once a second, negative never.
	Tick time.Duration
	// Renderer makes the 3D preview's renderer once the window exists (main picks g3n); nil
	// leaves the Preview tab out.
	Renderer func() preview.Renderer
}

// UI is Kiln's main window.
type UI struct {
	k       *app.Kiln
	fyneApp fyne.App
	win     fyne.Window
	dialogs FileDialogs
	// do runs a function on the UI thread. It is fyne.Do, except in tests, which pump it.
	do func(func())

	tabs     *container.AppTabs
	create   *createPanel
	jobs     *jobsPanel
	library  *libraryPanel
	settings *settingsPanel
	preview  *previewPanel // nil without a renderer
	compare  *comparePanel // nil without a renderer
	thumbs   *thumbnails
	stop     chan struct{}
	// notified are the jobs whose end was announced on the desktop; notifications counts them
	// (UI thread only).
	notified      map[string]bool
	notifications int
	// ctx is cancelled when the window closes: background work started from it stops.
	ctx    context.Context
	cancel context.CancelFunc
}

// New builds the main window for k in a, without showing it.
func New(a fyne.App, k *app.Kiln, opts Options) *UI {
	return newUI(a, k, opts, fyne.Do)
}

func newUI(a fyne.App, k *app.Kiln, opts Options, do func(func())) *UI {
	u := &UI{k: k, fyneApp: a, dialogs: opts.Dialogs, do: do, stop: make(chan struct{}), notified: map[string]bool{}}
	u.ctx, u.cancel = context.WithCancel(context.Background())
	u.win = a.NewWindow("Kiln")
	u.thumbs = newThumbnails(thumbSide, u.goUI)
	if opts.Renderer != nil {
		u.compare = newComparePanel(u, opts.Renderer) // before the Library, which offers Compare
	}
	u.create = newCreatePanel(u)
	u.jobs = newJobsPanel(u)
	u.library = newLibraryPanel(u)
	u.settings = newSettingsPanel(u)
	u.tabs = container.NewAppTabs(
		container.NewTabItemWithIcon("Create", theme.ContentAddIcon(), u.create.content),
		container.NewTabItemWithIcon("Jobs", theme.ListIcon(), u.jobs.content),
	)
	if opts.Renderer != nil {
		u.preview = newPreviewPanel(u, opts.Renderer())
		u.tabs.Append(container.NewTabItemWithIcon("Preview", theme.VisibilityIcon(), u.preview.content))
		u.tabs.Append(container.NewTabItemWithIcon("Compare", theme.ViewFullScreenIcon(), u.compare.content))
	}
	u.tabs.Append(container.NewTabItemWithIcon("Library", theme.FolderIcon(), u.library.content))
	u.tabs.Append(container.NewTabItemWithIcon("Settings", theme.SettingsIcon(), u.settings.content))
	u.tabs.OnSelected = func(t *container.TabItem) {
		switch t.Text {
		case "Create":
			u.create.refresh()
		case "Library":
			u.library.refresh() // what changed on disk since (another Kiln, a hand edit)
		case "Settings":
			u.settings.reload()
		}
	}
	u.win.SetContent(u.tabs)
	u.installMenu()
	u.restoreWindow()
	u.win.SetOnDropped(func(_ fyne.Position, uris []fyne.URI) {
		paths := make([]string, 0, len(uris))
		for _, uri := range uris {
			paths = append(paths, uri.Path())
		}
		u.dropped(paths)
	})
	u.win.SetCloseIntercept(func() {
		u.Close()
		u.win.Close()
	})

	unsubscribe := k.Jobs.Subscribe(func(e app.Event) { u.goUI(func() { u.jobChanged(e.Job) }) })
	go func() {
		<-u.stop
		unsubscribe()
	}()
	u.jobs.load()
	if u.tabs.Selected().Text != "Library" { // a window reopened on the Library has just loaded it
		u.library.reload()
	}
	if len(opts.Files) > 0 {
		u.open(opts.Files, false)
	}
	if opts.Tick >= 0 {
		go u.tick(max(opts.Tick, 0))
	}
	return u
}

// Window is the main window.
func (u *UI) Window() fyne.Window { return u.win }

// Close stops the window's background work and the 3D preview (before Fyne stops GLFW, which
// the preview's GL context lives in). The window's close button calls it.
func (u *UI) Close() {
	select {
	case <-u.stop:
	default:
		u.saveWindow()
		close(u.stop)
		u.cancel()
		if u.preview != nil {
			u.preview.vp.Close()
		}
		if u.compare != nil {
			u.compare.close()
		}
	}
}

// selectTab shows the tab with the given title.
func (u *UI) selectTab(title string) {
	for _, t := range u.tabs.Items {
		if t.Text == title {
			u.tabs.Select(t)
			return
		}
	}
}

// showModel opens a model in the Preview tab; asked is its requested polycount (0: unknown).
func (u *UI) showModel(path, name string, asked int) {
	if u.preview == nil {
		return
	}
	u.preview.show(path, name, asked)
	u.selectTab("Preview")
}

// goUI hands fn to the UI thread unless the window has closed.
func (u *UI) goUI(fn func()) {
	select {
	case <-u.stop:
	default:
		u.do(fn)
	}
}

func (u *UI) jobChanged(j app.Job) {
	u.jobs.upsert(j)
	if j.Batch == "" {
		u.notify(j)
	} else {
		u.notifyBatch(j.Batch)
	}
	if j.Compare && j.State.Finished() {
		u.comparisonEnded(j.Batch)
	}
	if j.State == app.Done {
		u.library.reload()
		// The artist decides by looking: a finished model opens in the preview. A batch's models
		// wait in the library instead of taking the window over one after another.
		if len(j.Files) > 0 && j.Batch == "" {
			u.showModel(j.Files[0], j.Name(), j.Request.Polycount)
		}
	}
}

// tick refreshes running jobs' elapsed times.
func (u *UI) tick(every time.Duration) {
	if every == 0 {
		every = time.Second
	}
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		select {
		case <-u.stop:
			return
		case <-t.C:
			u.goUI(u.jobs.refreshRunning)
		}
	}
}

// saveAs asks where to save the model at src and copies it there. It runs on the UI thread.
func (u *UI) saveAs(src, name string) {
	export := func(dest string) {
		go func() {
			saved, err := app.Export(src, dest, true) // the save dialog asked before replacing
			u.goUI(func() {
				if err != nil {
					dialog.ShowError(err, u.win)
					return
				}
				dialog.ShowInformation("Model saved", "Saved to "+saved, u.win)
			})
		}()
	}
	suggested := name + filepath.Ext(src)
	if u.dialogs == nil {
		fyneSave(u.win, suggested, export)
		return
	}
	go func() {
		dest, err := u.dialogs.SaveModel(suggested)
		switch {
		case errors.Is(err, ErrDialogCancelled):
		case errors.Is(err, ErrNoNativeDialogs):
			u.goUI(func() { fyneSave(u.win, suggested, export) })
		case err != nil:
			u.goUI(func() { dialog.ShowError(fmt.Errorf("the save dialog failed: %w", err), u.win) })
		default:
			export(dest)
		}
	}()
}

// showFolder opens dir in the system's file manager.
func (u *UI) showFolder(dir string) {
	if err := u.fyneApp.OpenURL(&url.URL{Scheme: "file", Path: dir}); err != nil {
		dialog.ShowError(fmt.Errorf("cannot open %s: %w", dir, err), u.win)
	}
}

func isDir(path string) bool {
	st, err := os.Stat(path)
	return err == nil && st.IsDir()
}
