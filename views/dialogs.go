package views

import (
	"errors"
	"fmt"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/storage"
)

// ErrDialogCancelled is returned when the artist closes a file dialog without choosing.
var ErrDialogCancelled = errors.New("dialog cancelled")

// ErrNoNativeDialogs is returned by native dialogs that cannot be shown (no GTK display), so the
// caller falls back to Fyne's own dialogs.
var ErrNoNativeDialogs = errors.New("native dialogs are unavailable")

// FileDialogs shows the operating system's file dialogs. Calls block until the dialog closes, so
// they are made off the UI thread.
type FileDialogs interface {
	// OpenImages asks for one or more images.
	OpenImages() ([]string, error)
	// SaveModel asks where to save a model, suggesting name.
	SaveModel(name string) (string, error)
	// SaveImage asks where to save a PNG image, suggesting name.
	SaveImage(name string) (string, error)
	// OpenModels asks for one or more glTF models (.glb, .gltf).
	OpenModels() ([]string, error)
	// ChooseFolder asks for a folder, with title saying what for.
	ChooseFolder(title string) (string, error)
}

// imageExtensions are the file types Kiln reads, for the file dialogs (a folder's images are
// listed by app.FolderImages).
var imageExtensions = []string{".png", ".jpg", ".jpeg", ".webp"}

// fyneOpen shows Fyne's own open dialog in win for files with one of the extensions: the
// fallback when native dialogs are unavailable. It runs on the UI thread and calls done with the
// chosen path.
func fyneOpen(win fyne.Window, extensions []string, done func(string)) {
	d := dialog.NewFileOpen(func(r fyne.URIReadCloser, err error) {
		if err != nil || r == nil {
			return
		}
		_ = r.Close()
		done(r.URI().Path())
	}, win)
	d.SetFilter(storage.NewExtensionFileFilter(extensions))
	d.Show()
}

// modelExtensions are the model files Kiln opens.
var modelExtensions = []string{".glb", ".gltf"}

// askOpen asks for files with the native dialog (native, one of FileDialogs' methods) when the
// window has native dialogs, Fyne's own for the extensions otherwise, and calls done on the UI
// thread with what was chosen; nothing when the artist cancels. A failing dialog is reported
// through failed.
func (u *UI) askOpen(native func(FileDialogs) ([]string, error), extensions []string, done func([]string), failed func(error)) {
	u.ask(native, func(one func(string)) { fyneOpen(u.win, extensions, one) }, done, failed)
}

// chooseFolder asks for a folder (natively when it can) and calls done with it on the UI thread.
func (u *UI) chooseFolder(title string, done func(string)) {
	u.ask(func(d FileDialogs) ([]string, error) {
		dir, err := d.ChooseFolder(title)
		return []string{dir}, err
	}, func(one func(string)) { fyneFolder(u.win, one) }, func(dirs []string) { done(dirs[0]) },
		func(err error) { dialog.ShowError(err, u.win) })
}

// ask runs a native dialog off the UI thread, or fallback (Fyne's own) where there are none.
func (u *UI) ask(native func(FileDialogs) ([]string, error), fallback func(func(string)), done func([]string), failed func(error)) {
	one := func(p string) { done([]string{p}) }
	if u.dialogs == nil {
		fallback(one)
		return
	}
	go func() {
		paths, err := native(u.dialogs)
		u.goUI(func() {
			switch {
			case errors.Is(err, ErrDialogCancelled):
			case errors.Is(err, ErrNoNativeDialogs):
				fallback(one)
			case err != nil:
				failed(fmt.Errorf("the file dialog failed: %w", err))
			case len(paths) > 0:
				done(paths)
			}
		})
	}()
}

// fyneSave shows Fyne's own save dialog in win, suggesting name.
func fyneSave(win fyne.Window, name string, done func(string)) {
	d := dialog.NewFileSave(func(w fyne.URIWriteCloser, err error) {
		if err != nil || w == nil {
			return
		}
		_ = w.Close() // Kiln writes the file itself, atomically, by path
		done(w.URI().Path())
	}, win)
	d.SetFileName(name)
	d.Show()
}

// fyneFolder shows Fyne's own folder dialog in win.
func fyneFolder(win fyne.Window, done func(string)) {
	dialog.ShowFolderOpen(func(u fyne.ListableURI, err error) {
		if err != nil || u == nil {
			return
		}
		done(u.Path())
	}, win)
}
