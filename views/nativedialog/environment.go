package nativedialog

import "github.com/sqweek/dialog"

// OpenEnvironment implements views.EnvironmentDialog.
func (Dialogs) OpenEnvironment() (path string, err error) {
	defer recoverGTK(&err)
	path, err = dialog.File().Title("Light the model with an environment").Filter("Radiance HDR pictures (.hdr)", "hdr").Load()
	return path, translate(err)
}
