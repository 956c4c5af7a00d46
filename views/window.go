package views

import (
	"fmt"
	"path/filepath"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/driver/desktop"
	"fyne.io/fyne/v2/widget"

	"github.com/kiln3d/kiln/app"
	"github.com/kiln3d/kiln/assets"
	"github.com/kiln3d/kiln/providers"
)

// The desktop conventions of the whole window: the main menu with its shortcuts, keys, files
// dropped or given on the command line, notifications of long jobs, and the window's state kept
// between runs.

// The window's state remembered between runs.
const (
	prefWidth  = "window.width"
	prefHeight = "window.height"
	prefTab    = "window.tab"
)

// The window's size bounds, for a remembered size from another screen.
const (
	minWindowW, minWindowH = 800, 560
	maxWindowW, maxWindowH = 8192, 8192
)

// shortcut is Ctrl (Cmd on macOS) with key, and Shift when shift.
func shortcut(key fyne.KeyName, shift bool) fyne.Shortcut {
	m := fyne.KeyModifierShortcutDefault
	if shift {
		m |= fyne.KeyModifierShift
	}
	return &desktop.CustomShortcut{KeyName: key, Modifier: m}
}

func menuItem(label string, sc fyne.Shortcut, action func()) *fyne.MenuItem {
	it := fyne.NewMenuItem(label, action)
	it.Shortcut = sc
	return it
}

// installMenu sets the main menu. Its items' shortcuts work wherever the focus is; the ones a
// text field has its own meaning for (Ctrl+Z, Ctrl+A) go to the field when it has the focus.
func (u *UI) installMenu() {
	quit := fyne.NewMenuItem("Quit", func() {
		u.Close()
		u.fyneApp.Quit()
	})
	quit.IsQuit = true
	quit.Shortcut = shortcut(fyne.KeyQ, false)
	file := fyne.NewMenu("File",
		menuItem("Add images…", shortcut(fyne.KeyO, false), func() {
			u.selectTab("Create")
			u.create.openDialog()
		}),
		menuItem("Submit", shortcut(fyne.KeyReturn, false), u.submit),
		fyne.NewMenuItemSeparator(),
		menuItem("Open model…", shortcut(fyne.KeyO, true), u.openModel),
		menuItem("Add models to library…", nil, u.library.showAddModels),
		menuItem("Add a folder of models to library…", nil, u.library.showAddFolder),
		menuItem("Export…", shortcut(fyne.KeyE, false), u.exportSelected),
		fyne.NewMenuItemSeparator(),
		quit,
	)
	edit := fyne.NewMenu("Edit",
		menuItem("Undo delete", &fyne.ShortcutUndo{}, func() { u.orField(&fyne.ShortcutUndo{}, u.library.undoDelete) }),
		fyne.NewMenuItemSeparator(),
		menuItem("Find in library", shortcut(fyne.KeyF, false), u.library.focusSearch),
		menuItem("Select all models", &fyne.ShortcutSelectAll{}, func() {
			u.orField(&fyne.ShortcutSelectAll{}, func() {
				u.selectTab("Library")
				u.library.selectAll()
			})
		}),
		menuItem("Move to trash", &desktop.CustomShortcut{KeyName: fyne.KeyDelete}, u.library.deleteSelected),
		menuItem("Trash…", nil, u.library.showTrash),
	)
	view := fyne.NewMenu("View")
	for i, t := range u.tabs.Items {
		title := t.Text
		view.Items = append(view.Items, menuItem(title, shortcut(fyne.KeyName(fmt.Sprint(i+1)), false), func() { u.selectTab(title) }))
	}
	help := fyne.NewMenu("Help", fyne.NewMenuItem("About Kiln", u.showAbout))
	u.win.SetMainMenu(fyne.NewMainMenu(file, edit, view, help))
	// Delete has no modifier, so it is a key, not a shortcut: it reaches the window when no field
	// has the focus.
	u.win.Canvas().SetOnTypedKey(func(e *fyne.KeyEvent) {
		if e.Name == fyne.KeyDelete && u.tabs.Selected().Text == "Library" {
			u.library.deleteSelected()
		}
	})
}

// orField gives sc to the focused text field, or runs action when none has the focus.
func (u *UI) orField(sc fyne.Shortcut, action func()) {
	if f, ok := u.win.Canvas().Focused().(fyne.Shortcutable); ok {
		if _, isEntry := f.(*widget.Entry); isEntry {
			f.TypedShortcut(sc)
			return
		}
	}
	action()
}

// submit submits what Create holds (Ctrl+Enter), when it can be.
func (u *UI) submit() {
	u.selectTab("Create")
	if !u.create.submit.Disabled() && u.create.submit.OnTapped != nil {
		u.create.submit.OnTapped()
	}
}

// openModel asks for a model and opens it in the Preview tab.
func (u *UI) openModel() {
	if u.preview == nil {
		return
	}
	u.askOpen(FileDialogs.OpenModels, modelExtensions, func(paths []string) {
		u.showModel(paths[0], filepath.Base(paths[0]), 0)
	}, func(err error) { dialog.ShowError(err, u.win) })
}

// exportSelected opens the export dialog on the library's selected models.
func (u *UI) exportSelected() {
	sel := u.library.selection()
	if len(sel) == 0 {
		u.selectTab("Library")
		dialog.ShowInformation("Export", "Select the models to export in the Library first.", u.win)
		return
	}
	u.showExport(sel)
}

// showAbout shows the version and the licences of what Kiln ships.
func (u *UI) showAbout() {
	rows := container.NewVBox(
		widget.NewLabelWithStyle("Kiln "+app.Version, fyne.TextAlignLeading, fyne.TextStyle{Bold: true}),
		widget.NewLabel("Turns reference images into 3D models for game engines."),
		widget.NewSeparator(),
		widget.NewLabelWithStyle("Inside Kiln", fyne.TextAlignLeading, fyne.TextStyle{Bold: true}),
	)
	for _, c := range assets.Credits {
		l := widget.NewLabel(fmt.Sprintf("%s: %s. %s.", c.What, c.By, c.Licence))
		l.Wrapping = fyne.TextWrapWord
		rows.Add(l)
	}
	d := dialog.NewCustom("About Kiln", "Close", container.NewVScroll(rows), u.win)
	d.Resize(fyne.NewSize(560, 480))
	d.Show()
}

// dropped routes files dropped on the window: on the Library tab, models and folders are added
// to the library; on the Preview tab an .hdr lights the model; elsewhere a model opens in the
// preview; images go to Create.
func (u *UI) dropped(paths []string) {
	tab := ""
	if t := u.tabs.Selected(); t != nil {
		tab = t.Text
	}
	if tab == "Preview" && u.preview != nil {
		rest := paths[:0:0]
		for _, p := range paths {
			if isEnvironmentFile(p) {
				u.preview.useEnvironment(p)
			} else {
				rest = append(rest, p)
			}
		}
		paths = rest
	}
	if len(paths) > 0 {
		u.open(paths, tab == "Library")
	}
}

// open routes files: a model opens in the preview (or, intoLibrary, models and folders are
// added to the library); images go to Create. Files given on the command line (a file manager's
// Open with Kiln) always open: they are never filed in the library unasked.
func (u *UI) open(paths []string, intoLibrary bool) {
	var images, models []string
	onLibrary := intoLibrary
	for _, p := range paths {
		if app.IsModelFile(p) || (onLibrary && isDir(p)) {
			models = append(models, p)
		} else {
			images = append(images, p)
		}
	}
	switch {
	case onLibrary && len(models) > 0:
		u.library.addModels(models)
	case len(models) > 0 && u.preview != nil:
		u.showModel(models[0], filepath.Base(models[0]), 0)
	}
	if len(images) > 0 {
		u.create.addPaths(images)
		u.selectTab("Create")
	}
}

// notifyAfter is how long a job must have run for its end to be announced on the desktop: an
// artist waiting on a quick local job is looking at the window anyway.
const notifyAfter = 5 * time.Second

// notify announces on the desktop that a long job ended, once per job.
func (u *UI) notify(j app.Job) {
	if !j.State.Finished() || j.State == app.Cancelled || u.notified[j.ID] {
		return
	}
	began := j.Started
	if began.IsZero() {
		began = j.Created
	}
	if began.IsZero() || j.Finished.Sub(began) < notifyAfter || time.Since(j.Finished) > time.Minute {
		return // short, or one that ended long ago (seen again when the window opens)
	}
	u.notified[j.ID] = true
	title, body := "Model ready", providers.Printable(j.Name())+" is in the library."
	switch {
	case j.Kind == app.KindPublish && j.State == app.Done:
		title, body = "Published", providers.Printable(j.Name())+" was published to "+u.k.Title(j.Provider)+"."
	case j.State == app.Failed:
		title, body = "Job failed", providers.Printable(j.Name())+": "+providers.Printable(j.Error)
	}
	u.fyneApp.SendNotification(fyne.NewNotification("Kiln: "+title, body))
	u.notifications++
}

// restoreWindow sizes the window and selects the tab as they were when it last closed.
func (u *UI) restoreWindow() {
	prefs := u.fyneApp.Preferences()
	w := float32(prefs.FloatWithFallback(prefWidth, 1100))
	h := float32(prefs.FloatWithFallback(prefHeight, 720))
	u.win.Resize(fyne.NewSize(min(max(w, minWindowW), maxWindowW), min(max(h, minWindowH), maxWindowH)))
	if tab := prefs.String(prefTab); tab != "" {
		u.selectTab(tab)
	}
}

// saveWindow remembers the window's size and tab.
func (u *UI) saveWindow() {
	prefs := u.fyneApp.Preferences()
	size := u.win.Canvas().Size()
	if size.Width >= minWindowW && size.Height >= minWindowH {
		prefs.SetFloat(prefWidth, float64(size.Width))
		prefs.SetFloat(prefHeight, float64(size.Height))
	}
	if t := u.tabs.Selected(); t != nil {
		prefs.SetString(prefTab, t.Text)
	}
}
