package views

import (
	"context"
	"errors"
	"fmt"
	"image/color"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/kiln3d/kiln/assets"
	"github.com/kiln3d/kiln/providers"
)

// createPanel is the Create tab: images in, provider, project and polycount chosen, Submit.
type createPanel struct {
	u       *UI
	content fyne.CanvasObject
	inputs  *inputList

	provider    providers.Provider
	providerSel *widget.Select
	projectSel  *widget.Select
	projects    []providers.Project
	form        *widget.Form
	polycount   *polycountField
	extras      *extras
	submit      *widget.Button
	hint        *widget.Label // why Submit is disabled, or what happened
	submitting  bool
}

func newCreatePanel(u *UI) *createPanel {
	c := &createPanel{u: u}
	c.inputs = newInputList(u, c.validate)

	add := widget.NewButtonWithIcon("Add images…", theme.FileImageIcon(), c.openDialog)
	add.Importance = widget.HighImportance
	zoneText := widget.NewLabelWithStyle("Drop images (PNG, JPEG, WebP) or a folder anywhere in this window",
		fyne.TextAlignCenter, fyne.TextStyle{})
	zoneBorder := canvas.NewRectangle(color.Transparent)
	zoneBorder.StrokeColor = theme.Color(theme.ColorNameDisabled)
	zoneBorder.StrokeWidth = 2
	zoneBorder.CornerRadius = 8
	samples := container.NewHBox(widget.NewLabelWithStyle("No image at hand? Try a sample:", fyne.TextAlignLeading, fyne.TextStyle{Italic: true}))
	for _, s := range assets.Samples() {
		b := widget.NewButton(s.Name, func() { c.addSample(s) })
		b.Importance = widget.LowImportance
		samples.Add(b)
	}
	zone := container.NewStack(zoneBorder, container.NewPadded(container.NewVBox(zoneText,
		container.NewCenter(add), container.NewCenter(samples))))
	images := container.NewBorder(zone, nil, nil, nil, container.NewVScroll(c.inputs.grid))

	var titles []string
	for _, p := range u.k.Providers.All() {
		titles = append(titles, p.Capabilities().Title)
	}
	c.providerSel = widget.NewSelect(titles, func(title string) { c.pickProvider(title) })
	c.projectSel = widget.NewSelect(nil, nil)
	c.polycount = newPolycountField(c.validate)
	c.extras = newExtras(c.validate)
	c.submit = widget.NewButtonWithIcon("Submit", theme.MediaPlayIcon(), c.doSubmit)
	c.submit.Importance = widget.HighImportance
	c.hint = widget.NewLabel("")
	c.hint.Wrapping = fyne.TextWrapWord

	c.form = widget.NewForm(
		widget.NewFormItem("Provider", c.providerSel),
		widget.NewFormItem("Project", c.projectSel),
		widget.NewFormItem("Polycount", c.polycount.content),
	)
	side := container.NewVBox(widget.NewLabelWithStyle("Model", fyne.TextAlignLeading, fyne.TextStyle{Bold: true}),
		c.form, c.extras.content, c.submit, c.hint)
	sideBox := container.New(fixedWidth(340), side)
	c.content = container.NewPadded(container.NewBorder(nil, nil, nil, container.NewPadded(sideBox), images))

	start := u.k.Providers.Default()
	if name := u.k.Settings.Provider(); name != "" {
		if p, err := u.k.Providers.Get(name); err == nil {
			start = p
		}
	}
	c.providerSel.SetSelected(start.Capabilities().Title)
	return c
}

func (c *createPanel) addPaths(paths []string) { c.inputs.addPaths(paths) }

func (c *createPanel) addSample(s assets.Sample) {
	go func() {
		path, err := c.u.k.SaveSample(s.File, s.Data)
		c.u.goUI(func() {
			if err != nil {
				dialog.ShowError(err, c.u.win)
				return
			}
			c.addPaths([]string{path})
		})
	}()
}

func (c *createPanel) openDialog() {
	if c.u.dialogs == nil {
		fyneOpen(c.u.win, func(p string) { c.addPaths([]string{p}) })
		return
	}
	go func() {
		paths, err := c.u.dialogs.OpenImages()
		c.u.goUI(func() {
			switch {
			case errors.Is(err, ErrDialogCancelled):
			case errors.Is(err, ErrNoNativeDialogs):
				fyneOpen(c.u.win, func(p string) { c.addPaths([]string{p}) })
			case err != nil:
				dialog.ShowError(fmt.Errorf("the file dialog failed: %w", err), c.u.win)
			default:
				c.addPaths(paths)
			}
		})
	}()
}

func (c *createPanel) pickProvider(title string) {
	for _, p := range c.u.k.Providers.All() {
		if p.Capabilities().Title == title {
			c.provider = p
		}
	}
	caps := c.provider.Capabilities()
	want := c.u.k.Settings.Polycount(caps.Name)
	if want == 0 {
		want = caps.Polycount.Default
	}
	c.polycount.setRange(caps.Polycount, want)
	c.extras.setProvider(caps)
	c.inputs.showViews(caps.Views)
	c.projects = nil
	c.projectSel.Options = nil
	c.projectSel.ClearSelected()
	if !caps.HasProjects {
		c.projectSel.PlaceHolder = "No projects for " + caps.Title
		c.projectSel.Disable()
	} else {
		c.projectSel.PlaceHolder = "Loading projects…"
		c.projectSel.Disable()
		c.loadProjects(c.provider)
	}
	if c.form != nil {
		c.form.Refresh()
	}
	c.validate()
}

func (c *createPanel) loadProjects(p providers.Provider) {
	go func() {
		projects, err := p.Projects(context.Background())
		c.u.goUI(func() {
			if c.provider != p {
				return // the artist picked another provider meanwhile
			}
			if err != nil {
				c.projectSel.PlaceHolder = "Projects unavailable: " + err.Error()
				c.projectSel.Refresh()
				return
			}
			c.projects = projects
			names := make([]string, len(projects))
			for i, pr := range projects {
				names[i] = pr.Name
			}
			c.projectSel.Options = names
			c.projectSel.PlaceHolder = "(none)"
			c.projectSel.Enable()
			c.form.Refresh() // the item's label greys with its widget only when the form redraws
		})
	}()
}

// validate enables Submit only when the request can be sent, and says why not otherwise.
func (c *createPanel) validate() {
	reason := c.problem()
	if reason != "" || c.submitting {
		c.submit.Disable()
	} else {
		c.submit.Enable()
	}
	c.hint.Importance = widget.MediumImportance
	if reason == "" && !c.submitting {
		reason = c.ready()
	}
	c.hint.SetText(reason)
}

func (c *createPanel) problem() string {
	if c.provider == nil {
		return "Pick a provider."
	}
	caps := c.provider.Capabilities()
	ok, bad, pending := c.inputs.usable()
	switch {
	case bad > 0:
		return "Remove the files Kiln cannot use (marked in red)."
	case pending > 0:
		return "Reading images…"
	case len(ok) == 0:
		return "Add a reference image: drop it here or use Add images…"
	case len(ok) < caps.MinImages:
		return fmt.Sprintf("%s needs at least %d images.", caps.Title, caps.MinImages)
	case len(ok) > caps.MaxImages:
		return fmt.Sprintf("%s takes at most %d images; remove %d.", caps.Title, caps.MaxImages, len(ok)-caps.MaxImages)
	}
	if p := c.polycount.problem(); p != "" {
		return p
	}
	_, p := c.extras.size()
	return p
}

// ready says what Submit will send, once the request is valid.
func (c *createPanel) ready() string {
	ok, _, _ := c.inputs.usable()
	return fmt.Sprintf("Ready: %s to %s for a model of %d triangles.",
		plural(len(ok), "image"), c.provider.Capabilities().Title, c.polycount.value())
}

func (c *createPanel) doSubmit() {
	if c.problem() != "" || c.submitting {
		return
	}
	images, _, _ := c.inputs.usable()
	size, _ := c.extras.size()
	req := providers.Request{Polycount: c.polycount.value(), Images: images, Size: size, Options: c.extras.values()}
	if i := c.projectSel.SelectedIndex(); i >= 0 && i < len(c.projects) {
		req.ProjectID = c.projects[i].ID
	}
	name := c.provider.Capabilities().Name
	c.submitting = true
	c.validate()
	c.hint.SetText("Submitting…")
	go func() {
		job, err := c.u.k.Jobs.Submit(context.Background(), name, req)
		if err == nil {
			_ = c.u.k.Settings.Remember(name, req.Polycount) // losing a preference is not worth a dialog
		}
		c.u.goUI(func() {
			c.submitting = false
			c.validate()
			if err != nil {
				c.hint.Importance = widget.DangerImportance
				c.hint.SetText(err.Error())
				return
			}
			c.hint.SetText("Submitted " + job.Name() + ".")
			c.u.selectTab("Jobs")
		})
	}()
}
