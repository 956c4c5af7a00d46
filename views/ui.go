// Package views is Kiln's window: Fyne widgets that drive the core (app). Nothing here decides
// anything about jobs or models; widgets are changed only on Fyne's UI thread, and every slow
// call runs on a goroutine whose result comes back through UI.do.
package views

import (
	"errors"
	"fmt"
	"net/url"
	"path/filepath"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/theme"

	"github.com/kiln3d/kiln/app"
)

// Options configure the window.
type Options struct {
	// Dialogs are the native file dialogs; nil uses Fyne's own.
	Dialogs FileDialogs
	// Images are added to Create when the window opens (`kiln IMAGE...`).
	Images []string
	// Tick is how often running jobs' elapsed times refresh; 0 means once a second, negative never.
	Tick time.Duration
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
	thumbs   *thumbnails
	stop     chan struct{}
}

// New builds the main window for k in a, without showing it.
func New(a fyne.App, k *app.Kiln, opts Options) *UI {
	return newUI(a, k, opts, fyne.Do)
}

func newUI(a fyne.App, k *app.Kiln, opts Options, do func(func())) *UI {
	u := &UI{k: k, fyneApp: a, dialogs: opts.Dialogs, do: do, stop: make(chan struct{})}
	u.win = a.NewWindow("Kiln")
	u.thumbs = newThumbnails(96, u.goUI)
	u.create = newCreatePanel(u)
	u.jobs = newJobsPanel(u)
	u.library = newLibraryPanel(u)
	u.settings = newSettingsPanel(u)
	u.tabs = container.NewAppTabs(
		container.NewTabItemWithIcon("Create", theme.ContentAddIcon(), u.create.content),
		container.NewTabItemWithIcon("Jobs", theme.ListIcon(), u.jobs.content),
		container.NewTabItemWithIcon("Library", theme.FolderIcon(), u.library.content),
		container.NewTabItemWithIcon("Settings", theme.SettingsIcon(), u.settings.content),
	)
	u.tabs.OnSelected = func(t *container.TabItem) {
		switch t.Text {
		case "Library":
			u.library.reload()
		case "Settings":
			u.settings.reload()
		}
	}
	u.win.SetContent(u.tabs)
	u.win.Resize(fyne.NewSize(1100, 720))
	u.win.SetOnDropped(func(_ fyne.Position, uris []fyne.URI) {
		paths := make([]string, 0, len(uris))
		for _, uri := range uris {
			paths = append(paths, uri.Path())
		}
		u.create.addPaths(paths)
		u.tabs.SelectIndex(0)
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
	u.library.reload()
	if len(opts.Images) > 0 {
		u.create.addPaths(opts.Images)
	}
	if opts.Tick >= 0 {
		go u.tick(max(opts.Tick, 0))
	}
	return u
}

// Window is the main window.
func (u *UI) Window() fyne.Window { return u.win }

// Close stops the window's background work. The window's close button calls it.
func (u *UI) Close() {
	select {
	case <-u.stop:
	default:
		close(u.stop)
	}
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
	if j.State == app.Done {
		u.library.reload()
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
			saved, err := app.Export(src, dest)
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
