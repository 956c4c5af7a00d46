// Package nativedialog shows the operating system's file dialogs through github.com/sqweek/dialog.
// It is imported by main only: linking sqweek/dialog initialises GTK in every binary, tests
// included, and without a display its dialogs panic.
package nativedialog

import (
	"errors"
	"fmt"

	"github.com/sqweek/dialog"

	"github.com/kiln3d/kiln/views"
)

// Dialogs implements views.FileDialogs with native dialogs.
type Dialogs struct{}

// OpenImages implements views.FileDialogs.
func (Dialogs) OpenImages() (paths []string, err error) {
	defer recoverGTK(&err)
	// sqweek/dialog picks one file per dialog; several come by dropping or adding again.
	path, err := dialog.File().Title("Add a reference image").
		Filter("Images (PNG, JPEG, WebP)", "png", "jpg", "jpeg", "webp").Load()
	if err != nil {
		return nil, translate(err)
	}
	return []string{path}, nil
}

// SaveModel implements views.FileDialogs.
func (Dialogs) SaveModel(name string) (path string, err error) {
	defer recoverGTK(&err)
	path, err = dialog.File().Title("Save model").Filter("glTF binary (.glb)", "glb").SetStartFile(name).Save()
	return path, translate(err)
}

// SaveImage implements views.FileDialogs.
func (Dialogs) SaveImage(name string) (path string, err error) {
	defer recoverGTK(&err)
	path, err = dialog.File().Title("Save image").Filter("PNG image", "png").SetStartFile(name).Save()
	return path, translate(err)
}

// OpenModels implements views.FileDialogs.
func (Dialogs) OpenModels() (paths []string, err error) {
	defer recoverGTK(&err)
	// One model per dialog, as for images; a folder of them comes with ChooseFolder or a drop.
	path, err := dialog.File().Title("Add a model to the library").Filter("glTF models (.glb, .gltf)", "glb", "gltf").Load()
	if err != nil {
		return nil, translate(err)
	}
	return []string{path}, nil
}

// ChooseFolder implements views.FileDialogs.
func (Dialogs) ChooseFolder(title string) (path string, err error) {
	defer recoverGTK(&err)
	path, err = dialog.Directory().Title(title).Browse()
	return path, translate(err)
}

func translate(err error) error {
	if errors.Is(err, dialog.ErrCancelled) {
		return views.ErrDialogCancelled
	}
	return err
}

// recoverGTK turns the panic sqweek/dialog raises when GTK could not start into an error the
// views answer with Fyne's own dialogs.
func recoverGTK(err *error) {
	if r := recover(); r != nil {
		*err = fmt.Errorf("%w: %v", views.ErrNoNativeDialogs, r)
	}
}
