package views

import (
	"errors"
	"path/filepath"
	"strings"

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

// imageExtensions are the file types Kiln reads, for dialogs and folder drops.
var imageExtensions = []string{".png", ".jpg", ".jpeg", ".webp"}

func isImageName(name string) bool {
	ext := strings.ToLower(filepath.Ext(name))
	for _, e := range imageExtensions {
		if e == ext {
			return true
		}
	}
	return false
}

// fyneOpen shows Fyne's own open dialog in win: the fallback when native dialogs are unavailable.
// It runs on the UI thread and calls done with the chosen path.
func fyneOpen(win fyne.Window, done func(string)) {
	d := dialog.NewFileOpen(func(r fyne.URIReadCloser, err error) {
		if err != nil || r == nil {
			return
		}
		_ = r.Close()
		done(r.URI().Path())
	}, win)
	d.SetFilter(storage.NewExtensionFileFilter(imageExtensions))
	d.Show()
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

// fyneOpenModel is fyneOpen for a glTF model.
func fyneOpenModel(win fyne.Window, done func(string)) {
	d := dialog.NewFileOpen(func(r fyne.URIReadCloser, err error) {
		if err != nil || r == nil {
			return
		}
		_ = r.Close()
		done(r.URI().Path())
	}, win)
	d.SetFilter(storage.NewExtensionFileFilter([]string{".glb", ".gltf"}))
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
