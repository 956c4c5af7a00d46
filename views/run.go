package views

import (
	"fyne.io/fyne/v2"
	fyneapp "fyne.io/fyne/v2/app"

	"github.com/kiln3d/kiln/app"
	"github.com/kiln3d/kiln/assets"
)

// AppID identifies Kiln to the desktop (preferences, notifications); FyneApp.toml agrees.
const AppID = "io.github.kiln3d.kiln"

// Run opens Kiln's window on k and blocks until the artist closes it.
func Run(k *app.Kiln, opts Options) {
	a := fyneapp.NewWithID(AppID)
	a.SetIcon(fyne.NewStaticResource("kiln.png", assets.IconPNG))
	u := New(a, k, opts)
	u.Window().SetMaster()
	u.Window().ShowAndRun()
	u.Close()
}
