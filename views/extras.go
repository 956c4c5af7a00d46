package views

import (
	"fmt"
	"strconv"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/widget"

	"github.com/kiln3d/kiln/app"
	"github.com/kiln3d/kiln/providers"
)

// extras is the part of a request form that depends on the provider: the real size, for
// providers that take dimensions, and the provider's own options. An option shows only while its
// condition holds (and is sent only then); a choice the artist has not touched shows its default,
// which may follow the other options.
type extras struct {
	changed func()
	win     func() fyne.Window

	caps providers.Capabilities
	base providers.Request // what the options describe: a texturing request has Model set

	dims                 bool
	height, width, depth *widget.Entry
	dimRows              []formRow
	fields               []*optionField
	syncing              bool
}

// optionField is one provider option's widget.
type optionField struct {
	opt   providers.Option
	row   formRow
	sel   *widget.Select // a choice
	entry *widget.Entry  // a whole number
	// chosen says the artist picked the choice: it is sent, and stops following its default.
	chosen bool
}

func newExtras(changed func(), win func() fyne.Window) *extras {
	e := &extras{changed: changed, win: win}
	entry := func(placeholder string) *widget.Entry {
		w := widget.NewEntry()
		w.SetPlaceHolder(placeholder)
		w.OnChanged = func(string) { e.changed() }
		return w
	}
	e.height, e.width, e.depth = entry("auto"), entry("auto"), entry("auto")
	e.dimRows = []formRow{newFormRow("Height (cm)", e.height), newFormRow("Width (cm)", e.width), newFormRow("Depth (cm)", e.depth)}
	return e
}

// setProvider makes the widgets for caps's options for requests like base (a texturing request
// gets the texturing options), keeping the sizes typed so far.
func (e *extras) setProvider(caps providers.Capabilities, base providers.Request) {
	e.caps, e.base, e.dims, e.fields = caps, base, caps.Dimensions && base.Model == "", nil
	for _, o := range caps.OptionsFor(base) {
		f := &optionField{opt: o}
		var w fyne.CanvasObject
		if o.Number != nil {
			f.entry = widget.NewEntry()
			// Empty leaves the number to the provider: its default when it has one (a shape's
			// depth), else a random one (a seed).
			what := "random"
			if o.Number.Default != 0 {
				what = app.Thousands(o.Number.Default)
			}
			f.entry.SetPlaceHolder(fmt.Sprintf("%s (%s to %s)", what, app.Thousands(o.Number.Min), app.Thousands(o.Number.Max)))
			f.entry.OnChanged = func(string) { e.optionChanged() }
			w = f.entry
		} else {
			labels := make([]string, len(o.Choices))
			for i, ch := range o.Choices {
				labels[i] = choiceLabel(ch)
			}
			f.sel = widget.NewSelect(labels, func(string) {
				if !e.syncing {
					f.chosen = true
					e.optionChanged()
				}
			})
			w = f.sel
		}
		f.row = newFormRow(o.Label, withHelp(w, o.Help, e.win))
		e.fields = append(e.fields, f)
	}
	e.refresh()
}

// rows are the form rows, the hidden ones included.
func (e *extras) rows() []formRow {
	var out []formRow
	if e.dims {
		out = append(out, e.dimRows...)
	}
	for _, f := range e.fields {
		out = append(out, f.row)
	}
	return out
}

func (e *extras) optionChanged() {
	e.refresh()
	e.changed()
}

// refresh shows the options whose condition holds and sets the untouched choices to their
// defaults, both of which follow the other options.
func (e *extras) refresh() {
	values := e.values()
	req := e.base
	req.Options = values
	e.syncing = true
	defer func() { e.syncing = false }()
	for _, f := range e.fields {
		f.row.setVisible(f.opt.When.Holds(e.caps, req))
		if f.sel != nil && !f.chosen {
			v := req.Option(e.caps, f.opt.Key)
			for i, ch := range f.opt.Choices {
				if ch.Value == v && f.sel.SelectedIndex() != i {
					f.sel.SetSelectedIndex(i)
				}
			}
			if f.sel.SelectedIndex() < 0 && len(f.opt.Choices) > 0 {
				f.sel.SetSelectedIndex(0)
			}
		}
	}
}

// values returns the options to send, by key: the choices the artist picked and the numbers
// typed, of the options whose condition holds. Untouched choices are left to their defaults.
func (e *extras) values() map[string]string {
	set := map[string]string{}
	for _, f := range e.fields {
		switch {
		case f.sel != nil && f.chosen && f.sel.SelectedIndex() >= 0:
			set[f.opt.Key] = f.opt.Choices[f.sel.SelectedIndex()].Value
		case f.entry != nil:
			if s := strings.TrimSpace(f.entry.Text); s != "" {
				set[f.opt.Key] = s
			}
		}
	}
	// An option that does not apply is not sent; leaving it out may change what applies, so
	// look again until nothing changes.
	for range len(e.fields) + 1 {
		req := e.base
		req.Options = set
		dropped := false
		for _, f := range e.fields {
			if _, ok := set[f.opt.Key]; ok && !f.opt.When.Holds(e.caps, req) {
				delete(set, f.opt.Key)
				dropped = true
			}
		}
		if !dropped {
			break
		}
	}
	if len(set) == 0 {
		return nil
	}
	return set
}

// problem says what is wrong with the options or the size typed, or "".
func (e *extras) problem() string {
	if _, p := e.size(); p != "" {
		return p
	}
	values := e.values()
	for _, f := range e.fields {
		v, ok := values[f.opt.Key]
		if f.entry == nil || !ok {
			continue
		}
		n, err := strconv.Atoi(v)
		if r := f.opt.Number; err != nil || n < r.Min || n > r.Max {
			return fmt.Sprintf("%s must be a whole number from %d to %d, or left empty.", f.opt.Label, r.Min, r.Max)
		}
	}
	return ""
}

// size returns the dimensions typed, or a problem explaining what is wrong with them.
func (e *extras) size() (providers.Dimensions, string) {
	var d providers.Dimensions
	if !e.dims {
		return d, ""
	}
	for _, f := range []struct {
		name  string
		entry *widget.Entry
		into  *float64
	}{{"Height", e.height, &d.HeightCM}, {"Width", e.width, &d.WidthCM}, {"Depth", e.depth, &d.DepthCM}} {
		s := strings.TrimSpace(strings.ReplaceAll(f.entry.Text, ",", "."))
		if s == "" {
			continue
		}
		v, err := strconv.ParseFloat(s, 64)
		if err != nil || v <= 0 || v > 100000 {
			return d, fmt.Sprintf("%s must be a size in centimetres, from 0.1 to 100000, or left empty.", f.name)
		}
		*f.into = v
	}
	if d.HeightCM == 0 && (d.WidthCM > 0 || d.DepthCM > 0) {
		return d, "Give the height too: width and depth refine it."
	}
	return d, ""
}

// field returns the widget of the option key, or nil.
func (e *extras) field(key string) *optionField {
	for _, f := range e.fields {
		if f.opt.Key == key {
			return f
		}
	}
	return nil
}

func choiceLabel(c providers.Choice) string {
	if c.Label != "" {
		return c.Label
	}
	return c.Value
}
