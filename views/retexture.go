package views

import (
	"fmt"
	"path/filepath"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/kiln3d/kiln/app"
	"github.com/kiln3d/kiln/providers"
)

// painters are the providers that can paint an existing model (Capabilities.Retexture).
func painters(k *app.Kiln) []providers.Provider {
	var out []providers.Provider
	for _, p := range k.Providers.All() {
		if p.Capabilities().Retexture != nil {
			out = append(out, p)
		}
	}
	return out
}

// retextureDialog asks how to paint a library asset's model with a provider: one reference image,
// a prompt, the provider's texturing options, the account, and shows what it will cost. Its
// methods run on the UI thread.
type retextureDialog struct {
	u        *UI
	asset    app.Asset
	provider providers.Provider
	dialog   *dialog.CustomDialog

	image   string
	thumb   *widget.Label
	pic     *canvas.Image
	choose  *widget.Button
	prompt  *widget.Entry
	extras  *extras
	account *credentialPicker
	cost    *costLine
	status  *widget.Label
	ok      *widget.Button
	busy    bool
	done    func(app.Job)
}

// showRetexture opens the texturing dialog for asset a; done is called with the job submitted.
func (u *UI) showRetexture(a app.Asset, p providers.Provider, done func(app.Job)) *retextureDialog {
	caps := p.Capabilities()
	d := &retextureDialog{u: u, asset: a, provider: p, done: done}
	d.thumb = widget.NewLabel("No image chosen")
	d.thumb.Truncation = fyne.TextTruncateEllipsis
	d.pic = newThumbImage(40)
	d.choose = widget.NewButtonWithIcon("Choose image…", theme.FileImageIcon(), d.pickImage)
	d.prompt = widget.NewMultiLineEntry()
	d.prompt.Wrapping = fyne.TextWrapWord
	d.prompt.SetMinRowsVisible(2)
	d.prompt.SetPlaceHolder("Describe the look (optional)")
	d.prompt.OnChanged = func(string) { d.validate() }
	d.extras = newExtras(d.validate, func() fyne.Window { return u.win })
	d.extras.setProvider(caps, providers.Request{Model: a.ModelPath()})
	d.account = newCredentialPicker(u, d.validate)
	d.account.load(caps)
	d.cost = newCostLine(u)
	d.status = widget.NewLabel("")
	d.status.Wrapping = fyne.TextWrapWord

	imageCell := container.NewBorder(nil, nil, d.pic, d.choose, d.thumb)
	rows := append([]formRow{newFormRow("Image", imageCell), newFormRow("Prompt", d.prompt), d.account.row}, d.extras.rows()...)
	intro := widget.NewLabel(fmt.Sprintf("%s paints a new texture on this model from one reference image. "+
		"The textured copy comes into the library as a new model; this one stays as it is.", caps.Title))
	intro.Wrapping = fyne.TextWrapWord
	content := container.New(fixedWidth(520), container.NewVBox(intro, newFormGrid(rows...), d.cost.label, d.status))

	title := caps.Retexture.Title
	d.dialog = dialog.NewCustomWithoutButtons(title+" – "+providers.Printable(a.Name), content, u.win)
	cancel := widget.NewButtonWithIcon("Cancel", theme.CancelIcon(), func() { d.dialog.Hide() })
	d.ok = widget.NewButtonWithIcon("Texture", theme.ConfirmIcon(), d.submit)
	d.ok.Importance = widget.HighImportance
	d.dialog.SetButtons([]fyne.CanvasObject{cancel, d.ok})
	d.dialog.SetOnClosed(d.cost.stop)
	d.validate()
	d.dialog.Show()
	return d
}

// pickImage asks for the reference image, with the native dialog when there is one.
func (d *retextureDialog) pickImage() {
	set := func(path string) {
		d.image = path
		d.thumb.SetText(filepath.Base(path))
		d.u.thumbs.show(d.pic, path, func() bool { return d.image == path })
		d.validate()
	}
	// One reference image: the first chosen.
	d.u.askOpen(FileDialogs.OpenImages, imageExtensions, func(paths []string) { set(paths[0]) }, func(err error) {
		setNote(d.status, err.Error(), widget.DangerImportance)
	})
}

func (d *retextureDialog) request() providers.Request {
	req := providers.Request{Model: d.asset.ModelPath(), Prompt: strings.TrimSpace(d.prompt.Text), Options: d.extras.values()}
	if d.image != "" {
		req.Images = []providers.Image{{Path: d.image}}
	}
	return req
}

// validate enables the button once the request can go, and works out the cost.
func (d *retextureDialog) validate() {
	problem := ""
	switch {
	case d.image == "":
		problem = "Choose the reference image to paint from."
	case d.extras.problem() != "":
		problem = d.extras.problem()
	default:
		if err := providers.CheckRequest(d.provider.Capabilities(), d.request()); err != nil {
			problem = sentence(problemText(err))
		}
	}
	if problem != "" || d.busy {
		d.ok.Disable()
	} else {
		d.ok.Enable()
	}
	if !d.busy {
		setNote(d.status, problem, widget.MediumImportance)
	}
	d.cost.update(d.provider, d.account.chosen(), d.request())
}

// submit sends the texturing job, off the UI thread; errors stay in the dialog.
func (d *retextureDialog) submit() {
	if d.busy || d.image == "" {
		return
	}
	d.busy = true
	d.validate()
	setNote(d.status, "Submitting…", widget.MediumImportance)
	name, credential := d.provider.Capabilities().Name, d.account.chosen()
	id, image, prompt, options := d.asset.ID, d.image, strings.TrimSpace(d.prompt.Text), d.extras.values()
	go func() {
		req, err := d.u.k.RetextureRequest(id, image, prompt, options)
		var job app.Job
		if err == nil {
			job, err = submitPlanned(d.u.ctx, d.u.k, name, credential, req, app.OnAsset(id))
		}
		d.u.goUI(func() {
			d.busy = false
			if err != nil {
				d.validate()
				setNote(d.status, err.Error(), widget.DangerImportance)
				return
			}
			d.dialog.Hide()
			if d.done != nil {
				d.done(job)
			}
		})
	}()
}
