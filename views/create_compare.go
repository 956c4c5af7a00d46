package views

import (
	"context"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/kiln3d/kiln/app"
	"github.com/kiln3d/kiln/providers"
)

// compareChoice is Create's comparison: when on, the references go to the model set up above (the
// provider, its account, polycount and options) and to 1 to 3 more, each a provider and a
// polycount, as one comparison (app.SubmitCompare). A row of the same provider as the one above
// shares its account, project and options, so "one provider with several settings" is the same
// provider at other polycounts. Its methods run on the UI thread.
type compareChoice struct {
	c     *createPanel
	check *widget.Check
	rows  []*variantRow
	list  *fyne.Container
	add   *widget.Button
	box   *fyne.Container
	row   formRow
}

// variantRow is one more model of a comparison: a provider and a polycount ("" for the
// provider's default).
type variantRow struct {
	provider  *widget.Select
	polycount *widget.Entry
	remove    *widget.Button
	content   fyne.CanvasObject
}

func newCompareChoice(c *createPanel) *compareChoice {
	cc := &compareChoice{c: c}
	cc.check = widget.NewCheck("Make 2 to 4, side by side", func(on bool) {
		if on && len(cc.rows) == 0 {
			cc.addRow()
		}
		cc.show()
		c.validate()
	})
	cc.list = container.NewVBox()
	cc.add = widget.NewButtonWithIcon("Add a model", theme.ContentAddIcon(), func() {
		cc.addRow()
		c.validate()
	})
	cc.add.Importance = widget.LowImportance
	cc.box = container.NewVBox(cc.check, cc.list, cc.add)
	cc.row = newFormRow("Compare", cc.box)
	cc.show()
	return cc
}

// on reports whether a comparison will be submitted.
func (cc *compareChoice) on() bool { return cc.check.Checked }

// addRow adds a model to compare: the provider above at half the polycount of the model before,
// which shows at once what a polycount changes; the artist picks another provider or number.
func (cc *compareChoice) addRow() {
	if 1+len(cc.rows) >= app.MaxCompare {
		return
	}
	r := &variantRow{}
	r.provider = widget.NewSelect(cc.c.providerSel.Options, func(string) { cc.c.validate() })
	r.polycount = widget.NewEntry()
	r.polycount.SetPlaceHolder("default")
	r.remove = widget.NewButtonWithIcon("", theme.ContentRemoveIcon(), func() { cc.removeRow(r) })
	r.remove.Importance = widget.LowImportance
	if cc.c.provider != nil {
		r.provider.SetSelected(cc.c.provider.Capabilities().Title)
		from := cc.c.polycount.value()
		if len(cc.rows) > 0 {
			from, _ = rowPolycount(cc.rows[len(cc.rows)-1])
		}
		r.polycount.SetText(strconv.Itoa(cc.c.polyRange.Clamp(from / 2)))
	}
	r.polycount.OnChanged = func(string) { cc.c.validate() }
	number := container.NewGridWrap(fyne.NewSize(80, r.polycount.MinSize().Height), r.polycount)
	r.content = container.NewBorder(nil, nil, nil, container.NewHBox(number, r.remove), r.provider)
	cc.rows = append(cc.rows, r)
	cc.list.Add(r.content)
	cc.show()
}

func (cc *compareChoice) removeRow(r *variantRow) {
	for i, o := range cc.rows {
		if o == r {
			cc.rows = append(cc.rows[:i], cc.rows[i+1:]...)
			cc.list.Remove(r.content)
			break
		}
	}
	if len(cc.rows) == 0 {
		cc.check.SetChecked(false) // calls show and validate
		return
	}
	cc.show()
	cc.c.validate()
}

// show lays the rows out as the check and their number say.
func (cc *compareChoice) show() {
	if cc.check.Checked {
		cc.list.Show()
		cc.add.Show()
	} else {
		cc.list.Hide()
		cc.add.Hide()
	}
	setEnabled(cc.add, 1+len(cc.rows) < app.MaxCompare)
	cc.box.Refresh()
}

// providerOf is the provider a row names, or nil.
func (cc *compareChoice) providerOf(r *variantRow) providers.Provider {
	for _, p := range cc.c.u.k.Providers.All() {
		if p.Capabilities().Title == r.provider.Selected {
			return p
		}
	}
	return nil
}

// variants are the comparison's models: the one set up above first, then the rows'. A row whose
// polycount is not a number makes problem say so; here it asks for the provider's default.
func (cc *compareChoice) variants() []app.Variant {
	c := cc.c
	req := c.request()
	main := app.Variant{Provider: c.provider.Capabilities().Name, Credential: c.account.chosen(),
		Polycount: req.Polycount, Options: req.Options, ProjectID: req.ProjectID}
	out := []app.Variant{main}
	for _, r := range cc.rows {
		p := cc.providerOf(r)
		if p == nil {
			continue
		}
		v := app.Variant{Provider: p.Capabilities().Name}
		if v.Provider == main.Provider {
			v.Credential, v.Options, v.ProjectID = main.Credential, main.Options, main.ProjectID
		}
		v.Polycount, _ = rowPolycount(r)
		out = append(out, v)
	}
	return out
}

// rowPolycount reads a row's polycount: 0 (the provider's default) when empty.
func rowPolycount(r *variantRow) (int, bool) {
	s := strings.ReplaceAll(strings.TrimSpace(r.polycount.Text), ",", "")
	if s == "" {
		return 0, true
	}
	n, err := strconv.Atoi(s)
	return n, err == nil && n > 0
}

// problem says why the comparison cannot be submitted as it is, or returns "". The model above
// has been checked already.
func (cc *compareChoice) problem() string {
	c := cc.c
	if c.choice.perImage {
		return "A comparison makes one model of the images: choose " + oneFromViews + "."
	}
	req := c.request()
	for i, r := range cc.rows {
		p := cc.providerOf(r)
		if p == nil {
			return fmt.Sprintf("Pick the provider of model %d.", i+2)
		}
		caps := p.Capabilities()
		n, ok := rowPolycount(r)
		if !ok {
			return fmt.Sprintf("Model %d's polycount must be a whole number (or empty for %s's default).", i+2, caps.Title)
		}
		one := req
		one.Options, one.ProjectID = nil, ""
		if caps.Name == c.provider.Capabilities().Name {
			one.Options, one.ProjectID = req.Options, req.ProjectID
		}
		// The plan brings the polycount into the range; what else the provider refuses is said
		// now, before anything is sent.
		one.Polycount = caps.PolycountFor(one).Clamp(n)
		if n == 0 {
			one.Polycount = rangeDefault(caps.PolycountFor(one), caps)
		}
		if err := providers.CheckRequest(caps, one); err != nil {
			return fmt.Sprintf("Model %d (%s): %s", i+2, caps.Title, sentence(problemText(err)))
		}
	}
	return ""
}

// ready says what Submit will send for a comparison.
func (cc *compareChoice) ready() string {
	ok, _, _ := cc.c.inputs.usable()
	what := app.Plural(len(ok), "image")
	if len(ok) == 0 {
		what = "your prompt"
	}
	var names []string
	for _, v := range cc.variants() {
		title := v.Provider
		if p, err := cc.c.u.k.Providers.Get(v.Provider); err == nil {
			title = app.ShortTitle(p.Capabilities().Title)
		}
		n := "default"
		if v.Polycount > 0 {
			n = app.Thousands(v.Polycount)
		}
		names = append(names, title+" "+n)
	}
	return fmt.Sprintf("Ready: a comparison of %d models from %s: %s.", len(names), what, strings.Join(names, " · "))
}

// submitCompare submits the comparison off the UI thread; provider is the first model's.
func (c *createPanel) submitCompare(provider string, req providers.Request) {
	variants := c.compare.variants()
	go func() {
		jobs, err := c.u.k.SubmitCompare(c.u.ctx, req, variants)
		polycount := req.Polycount
		if len(jobs) > 0 {
			polycount = jobs[0].Request.Polycount
		}
		c.finishSubmit(provider, polycount, err, func() string {
			return fmt.Sprintf("Submitted a comparison of %s.", app.Plural(len(jobs), "model"))
		})
	}()
}

// updateCompare works out the plans of a comparison (app.PlanCompare: each model's polycount
// brought into its range, each paid model's cost and its account's balance) a moment after the
// last change, as update does for one job, and shows what was changed and what each paid model
// costs; nothing when no model costs anything and nothing was changed.
func (l *costLine) updateCompare(req providers.Request, variants []app.Variant) {
	blob, _ := json.Marshal(struct {
		Req      providers.Request
		Variants []app.Variant
	}{req, variants})
	if !l.plans.due("compare\x00" + string(blob)) {
		return
	}
	l.okFor = ""
	l.plans.run(l.delay, func(ctx context.Context) func() {
		plans, err := l.u.k.PlanCompare(ctx, req, variants, true)
		return func() { l.showCompare(plans, err) }
	})
}

// showCompare puts a comparison's notes and each paid model's cost in the line.
func (l *costLine) showCompare(plans []app.Plan, err error) {
	if err != nil {
		l.show(app.Plan{}, err)
		return
	}
	var lines []string
	importance := widget.MediumImportance
	for i, plan := range plans {
		for _, n := range plan.Notes {
			lines = append(lines, fmt.Sprintf("Model %d: %s", i+1, n))
		}
		if s := plan.Summary(); s != "" {
			title := plan.Provider
			if p, err := l.u.k.Providers.Get(plan.Provider); err == nil {
				title = app.ShortTitle(p.Capabilities().Title)
			}
			lines = append(lines, fmt.Sprintf("Model %d (%s): %s", i+1, title, s))
		}
		switch {
		case plan.Short():
			importance = widget.DangerImportance
		case plan.BalanceError != "" && importance != widget.DangerImportance:
			importance = widget.WarningImportance
		}
	}
	if len(lines) == 0 {
		l.label.Hide()
		return
	}
	for i, line := range lines {
		lines[i] = providers.Printable(line) // each line's own: the breaks between them stay breaks
	}
	setNote(l.label, strings.Join(lines, "\n"), importance)
}
