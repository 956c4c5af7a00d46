package views

import (
	"fmt"
	"strconv"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/widget"

	"github.com/kiln3d/kiln/providers"
)

// extras is the part of the Create form that depends on the provider: the real size, for
// providers that take dimensions, and the provider's own options.
type extras struct {
	content *fyne.Container
	changed func()

	dims                 bool
	height, width, depth *widget.Entry
	options              []providers.Option
	selects              []*widget.Select
}

func newExtras(changed func()) *extras {
	e := &extras{content: container.NewVBox(), changed: changed}
	entry := func(placeholder string) *widget.Entry {
		w := widget.NewEntry()
		w.SetPlaceHolder(placeholder)
		w.OnChanged = func(string) { e.changed() }
		return w
	}
	e.height, e.width, e.depth = entry("auto"), entry("auto"), entry("auto")
	return e
}

// setProvider rebuilds the form for caps, keeping the sizes typed so far.
func (e *extras) setProvider(caps providers.Capabilities) {
	e.dims, e.options, e.selects = caps.Dimensions, caps.Options, nil
	form := widget.NewForm()
	if caps.Dimensions {
		form.Append("Height (cm)", e.height)
		form.Append("Width (cm)", e.width)
		form.Append("Depth (cm)", e.depth)
	}
	for _, o := range caps.Options {
		labels := make([]string, len(o.Choices))
		for i, ch := range o.Choices {
			labels[i] = choiceLabel(ch)
		}
		sel := widget.NewSelect(labels, func(string) { e.changed() })
		sel.SetSelectedIndex(0)
		e.selects = append(e.selects, sel)
		form.Append(o.Label, sel)
	}
	e.content.RemoveAll()
	if len(form.Items) > 0 {
		e.content.Add(form)
	}
	e.content.Refresh()
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

// values returns the chosen options by key; defaults are left out.
func (e *extras) values() map[string]string {
	var out map[string]string
	for i, sel := range e.selects {
		k := sel.SelectedIndex()
		if k <= 0 {
			continue
		}
		if out == nil {
			out = map[string]string{}
		}
		out[e.options[i].Key] = e.options[i].Choices[k].Value
	}
	return out
}

func choiceLabel(c providers.Choice) string {
	if c.Label != "" {
		return c.Label
	}
	return c.Value
}
