package views

import (
	"context"
	"fmt"
	"image/color"
	"strings"
	"unicode"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/kiln3d/kiln/app"
	"github.com/kiln3d/kiln/assets"
	"github.com/kiln3d/kiln/providers"
)

// createPanel is the Create tab: images (or a prompt) in, provider, account, project, polycount
// and options chosen, the cost shown, Submit.
type createPanel struct {
	u       *UI
	content fyne.CanvasObject
	inputs  *inputList

	provider    providers.Provider
	providerSel *widget.Select
	projectSel  *widget.Select
	projects    []providers.Project
	projectSeq  int
	projectNote *widget.Label // why there are no projects to pick
	account     *credentialPicker
	prompt      *widget.Entry
	promptRow   formRow
	fields      *fyne.Container
	polycount   *polycountField
	polyRange   providers.PolycountRange // the range the options allow, which the control has
	rangeNote   *widget.Label            // what the range is (a tier's and mesh mode's)
	clampNote   *widget.Label            // why the polycount changed by itself
	extras      *extras
	cost        *costLine
	size        *sizeLine // the size and shape the model will get
	submit      *widget.Button
	hint        *widget.Label // why Submit is disabled, or what happened
	submitting  bool
	choice      *eachChoice // one model from the images' views, or one per image
	compare     *compareChoice
}

func newCreatePanel(u *UI) *createPanel {
	c := &createPanel{u: u}
	c.inputs = newInputList(u, c.validate)
	c.choice = newEachChoice(func() {
		c.showViews()
		c.validate()
	})

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
	images := container.NewBorder(container.NewVBox(zone, c.choice.radio), nil, nil, nil, container.NewVScroll(c.inputs.grid))

	var titles []string
	for _, p := range u.k.Providers.All() {
		titles = append(titles, p.Capabilities().Title)
	}
	c.providerSel = widget.NewSelect(titles, func(title string) { c.pickProvider(title) })
	c.projectSel = widget.NewSelect(nil, func(string) { c.validate() })
	c.projectNote = noteLabel()
	c.account = newCredentialPicker(u, func() {
		c.loadProjects()
		c.validate()
	})
	c.prompt = widget.NewMultiLineEntry()
	c.prompt.Wrapping = fyne.TextWrapWord
	c.prompt.SetMinRowsVisible(4)
	c.prompt.SetPlaceHolder("Describe the object (optional with images; enough alone for text-to-3D)")
	c.prompt.OnChanged = func(string) { c.validate() }
	c.promptRow = newFormRow("Prompt", c.prompt)
	c.cost = newCostLine(u)
	c.polycount = newPolycountField(c.validate)
	c.polycount.byArtist = func() { setNote(c.clampNote, "", widget.LowImportance) }
	c.rangeNote, c.clampNote = noteLabel(), noteLabel()
	c.extras = newExtras(c.optionsChanged, func() fyne.Window { return u.win })
	c.size = newSizeLine(u, c.validate)
	c.extras.dimRows = append(c.extras.dimRows, c.size.row) // under the size fields
	c.submit = widget.NewButtonWithIcon("Submit", theme.MediaPlayIcon(), c.doSubmit)
	c.submit.Importance = widget.HighImportance
	c.hint = widget.NewLabel("")
	c.hint.Wrapping = fyne.TextWrapWord
	c.compare = newCompareChoice(c)

	c.fields = newFormGrid()
	// The options scroll when a provider has many; the cost and Submit stay in sight.
	side := container.NewBorder(widget.NewLabelWithStyle("Model", fyne.TextAlignLeading, fyne.TextStyle{Bold: true}),
		container.NewVBox(c.cost.label, c.submit, c.hint), nil, nil, container.NewVScroll(c.fields))
	sideBox := container.New(fixedWidth(400), side)
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
	c.u.askOpen(FileDialogs.OpenImages, imageExtensions, c.addPaths, func(err error) { dialog.ShowError(err, c.u.win) })
}

func (c *createPanel) pickProvider(title string) {
	for _, p := range c.u.k.Providers.All() {
		if p.Capabilities().Title == title {
			c.provider = p
		}
	}
	caps := c.provider.Capabilities()
	c.extras.setProvider(caps, providers.Request{})
	c.account.load(caps)
	pr := caps.PolycountFor(c.optionsRequest())
	want := c.u.k.Settings.Polycount(caps.Name)
	c.polycount.chosen, c.polycount.want = want != 0, want
	if want == 0 {
		want = rangeDefault(pr, caps)
	}
	c.polyRange = pr
	c.polycount.setRange(pr.Range, want)
	setNote(c.rangeNote, pr.Note, widget.LowImportance)
	setNote(c.clampNote, "", widget.LowImportance)
	c.showViews()
	c.inputs.showCutOuts(usesCutOut(caps))
	c.promptRow.setVisible(caps.Prompt)
	polycount := container.NewVBox(c.polycount.content, c.rangeNote, c.clampNote)
	setFormRows(c.fields, append([]formRow{newFormRow("Provider", c.providerSel), c.account.row,
		newFormRow("Project", container.NewVBox(c.projectSel, c.projectNote)), c.promptRow, newFormRow("Polycount", polycount)}, append(c.extras.rows(), c.compare.row)...)...)
	c.projects = nil
	c.projectSel.Options = nil
	c.projectSel.ClearSelected()
	c.projectSel.PlaceHolder = "No projects for " + caps.Title
	setNote(c.projectNote, "", widget.LowImportance)
	c.projectSel.Disable()
	c.projectSel.Refresh()
	c.loadProjects()
	c.validate()
}

// rangeDefault is the polycount a range suggests, inside it.
func rangeDefault(pr providers.PolycountRange, caps providers.Capabilities) int {
	if pr.Default != 0 {
		return pr.Clamp(pr.Default)
	}
	return pr.Clamp(caps.Polycount.Default)
}

// optionsChanged follows a changed option: the polycount range may be another (Rodin's tiers and
// mesh modes each have theirs).
func (c *createPanel) optionsChanged() {
	if c.provider == nil {
		return
	}
	caps := c.provider.Capabilities()
	pr := caps.PolycountFor(c.optionsRequest())
	if pr.Range != c.polyRange.Range || pr.Note != c.polyRange.Note {
		c.polyRange = pr
		want := rangeDefault(pr, caps) // a value the artist never chose follows the options
		if c.polycount.chosen {
			want = c.polycount.want // the artist's, as far as the range allows
		}
		c.polycount.setRange(pr.Range, want)
		setNote(c.rangeNote, pr.Note, widget.LowImportance)
		switch n := c.polycount.value(); {
		case !c.polycount.chosen || n == want:
			setNote(c.clampNote, "", widget.LowImportance)
		case n < want:
			setNote(c.clampNote, fmt.Sprintf("%s is more than these options allow: %s will be asked for.", app.Thousands(want), app.Thousands(n)), widget.WarningImportance)
		default:
			setNote(c.clampNote, fmt.Sprintf("%s is less than these options allow: %s will be asked for.", app.Thousands(want), app.Thousands(n)), widget.WarningImportance)
		}
	}
	c.validate()
}

// loadProjects lists the projects of the provider acting with the chosen credential, off the UI
// thread.
func (c *createPanel) loadProjects() {
	caps := c.provider.Capabilities()
	c.projectSeq++
	if !caps.HasProjects {
		return
	}
	seq, name, credential := c.projectSeq, caps.Name, c.account.chosen()
	c.projects = nil
	c.projectSel.Options = nil
	c.projectSel.ClearSelected()
	c.projectSel.PlaceHolder = "Loading projects…"
	c.projectSel.Disable()
	c.projectSel.Refresh()
	go func() {
		ctx := c.u.ctx
		p, err := c.u.k.Provider(ctx, name, credential)
		var projects []providers.Project
		if err == nil {
			projects, err = p.Projects(ctx)
		}
		c.u.goUI(func() {
			if seq != c.projectSeq {
				return // the artist picked another provider or account meanwhile
			}
			if err != nil {
				c.projectSel.PlaceHolder = "Projects unavailable"
				c.projectSel.Refresh()
				setNote(c.projectNote, providers.Printable(err.Error()), widget.WarningImportance)
				return
			}
			c.projects = projects
			setNote(c.projectNote, "", widget.LowImportance)
			names := make([]string, len(projects))
			for i, pr := range projects {
				names[i] = pr.Name
			}
			c.projectSel.Options = names
			c.projectSel.PlaceHolder = "(none)"
			c.projectSel.Enable()
		})
	}()
}

// refresh looks again at what may have changed elsewhere: the keys (Settings) and the balance.
func (c *createPanel) refresh() {
	if c.provider == nil {
		return
	}
	c.account.load(c.provider.Capabilities())
	if c.projects == nil {
		c.loadProjects()
	}
	c.cost.forget()
	c.validate()
}

// showViews shows the images' view pickers when they mean something: for a provider that takes
// views, making one model of the images.
func (c *createPanel) showViews() {
	c.inputs.showViews(c.provider != nil && c.provider.Capabilities().Views && !c.choice.perImage)
}

// validate enables Submit only when the request can be sent, and says why not otherwise.
func (c *createPanel) validate() {
	maxImages := 0
	if c.provider != nil {
		maxImages = c.provider.Capabilities().MaxImages
	}
	if c.choice.follow(c.inputs, maxImages) {
		c.showViews()
	}
	if c.provider != nil {
		c.size.update(c.provider, c.account.chosen(), c.request(), c.choice.perImage)
	}
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
	switch {
	case c.provider == nil:
	case c.compare.on() && c.compare.problem() == "":
		c.cost.updateCompare(c.request(), c.compare.variants())
	default:
		c.cost.updateEach(c.provider, c.account.chosen(), c.request(), c.choice.perImage)
	}
}

// hasPrompt reports whether the provider takes a prompt and one is typed.
func (c *createPanel) hasPrompt() bool {
	return c.provider.Capabilities().Prompt && strings.TrimSpace(c.prompt.Text) != ""
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
	case len(ok) == 0 && c.hasPrompt():
		// Text-to-3D: the prompt stands in for the images.
	case len(ok) == 0 && caps.Prompt:
		return "Add a reference image, or describe the object in the prompt."
	case len(ok) == 0:
		return "Add a reference image: drop it here or use Add images…"
	case c.choice.perImage:
		if p := c.perImageProblem(caps, len(ok)); p != "" {
			return p
		}
	case len(ok) < caps.MinImages:
		return fmt.Sprintf("%s needs at least %d images.", caps.Title, caps.MinImages)
	case len(ok) > caps.MaxImages:
		return fmt.Sprintf("%s takes at most %d images; remove %d.", caps.Title, caps.MaxImages, len(ok)-caps.MaxImages)
	}
	if p := c.polycount.problem(); p != "" {
		return p
	}
	if p := c.extras.problem(); p != "" {
		return p
	}
	if c.compare.on() {
		if p := c.compare.problem(); p != "" {
			return p
		}
	}
	// Whatever else the provider's contract refuses (a prompt too long, an option out of place).
	req := c.request()
	if c.choice.perImage && len(req.Images) > 0 {
		req.Images = req.Images[:1] // each model's request holds one image
	}
	if err := providers.CheckRequest(caps, req); err != nil {
		return sentence(problemText(err))
	}
	return c.size.problem // what the plan refuses (a size at odds with the image)
}

// ready says what Submit will send, once the request is valid.
func (c *createPanel) ready() string {
	ok, _, _ := c.inputs.usable()
	if c.compare.on() {
		return c.compare.ready()
	}
	if c.choice.perImage {
		return c.perImageReady(len(ok))
	}
	what := app.Plural(len(ok), "image")
	switch {
	case len(ok) == 0:
		what = "your prompt"
	case c.hasPrompt():
		what += " and your prompt"
	}
	return fmt.Sprintf("Ready: %s to %s for a model of %d triangles.", what, c.provider.Capabilities().Title, c.polycount.value())
}

// optionsRequest is a request with only the options chosen: enough for what depends on them.
func (c *createPanel) optionsRequest() providers.Request {
	return providers.Request{Options: c.extras.values()}
}

// request is what Submit sends, before the core's plan.
func (c *createPanel) request() providers.Request {
	images, _, _ := c.inputs.usable()
	size, _ := c.extras.size()
	req := providers.Request{Polycount: c.polycount.value(), Images: images, Size: size, Options: c.extras.values()}
	if c.hasPrompt() {
		req.Prompt = strings.TrimSpace(c.prompt.Text)
	}
	if i := c.projectSel.SelectedIndex(); i >= 0 && i < len(c.projects) {
		req.ProjectID = c.projects[i].ID
	}
	return req
}

func (c *createPanel) doSubmit() {
	if c.problem() != "" || c.submitting {
		return
	}
	req := c.request()
	name, credential := c.provider.Capabilities().Name, c.account.chosen()
	c.submitting = true
	c.validate()
	c.hint.SetText("Submitting…")
	switch {
	case c.compare.on():
		c.submitCompare(name, req)
		return
	case c.choice.perImage:
		c.submitEach(name, credential, req)
		return
	}
	go func() {
		job, err := submitPlanned(c.u.ctx, c.u.k, name, credential, req)
		c.finishSubmit(name, job.Request.Polycount, err, func() string { return "Submitted " + providers.Printable(job.Name()) + "." })
	}()
}

// finishSubmit ends a submission made off the UI thread: it remembers the provider and the
// polycount when it went through, then on the UI thread says what was submitted, or why not.
func (c *createPanel) finishSubmit(provider string, polycount int, err error, said func() string) {
	if err == nil {
		_ = c.u.k.Settings.Remember(provider, polycount) // losing a preference is not worth a dialog
	}
	c.u.goUI(func() {
		c.submitting = false
		c.cost.forget() // the balance has moved
		c.validate()
		if err != nil {
			c.hint.Importance = widget.DangerImportance
			c.hint.SetText(err.Error())
			return
		}
		c.submitted(said())
	})
}

// submitted says what was submitted, and takes an artist still on Create to the Jobs tab. The
// submission ran off the UI thread: a quick job may already have finished and opened its Preview,
// and the artist may have moved on.
func (c *createPanel) submitted(what string) {
	c.hint.SetText(what)
	if c.u.tabs.Selected() != nil && c.u.tabs.Selected().Text == "Create" {
		c.u.selectTab("Jobs")
	}
}

// submitPlanned submits the request as the core's plan has it (the polycount within the range its
// options allow), with the credential and the cost the plan found. It runs off the UI thread.
func submitPlanned(ctx context.Context, k *app.Kiln, provider, credential string, req providers.Request, opts ...app.SubmitOption) (app.Job, error) {
	plan, err := k.Plan(ctx, provider, credential, req, false)
	if err != nil {
		return app.Job{}, err
	}
	return k.Jobs.Submit(ctx, provider, plan.Request, planOptions(plan, opts)...)
}

// planOptions are opts with the credential and the cost (of each model) the plan found.
func planOptions(plan app.Plan, opts []app.SubmitOption) []app.SubmitOption {
	if plan.Credential != "" {
		opts = append(opts, app.WithCredential(plan.Credential))
	}
	if plan.Price != nil {
		opts = append(opts, app.WithCost(plan.Price.Credits))
	}
	return opts
}

// sentence makes a reason from the core ("add a reference image") read as a sentence.
func sentence(s string) string {
	s = strings.TrimSpace(s)
	if s == "" {
		return s
	}
	r := []rune(s)
	r[0] = unicode.ToUpper(r[0])
	s = string(r)
	if !strings.HasSuffix(s, ".") {
		s += "."
	}
	return s
}
