package views

import (
	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/layout"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"
)

// formRow is one labelled row of a form that can be hidden: Fyne's Form shows every item it has,
// and the rows here come and go with the provider's options.
type formRow struct {
	label *widget.Label
	cell  fyne.CanvasObject
}

func newFormRow(label string, cell fyne.CanvasObject) formRow {
	l := widget.NewLabelWithStyle(label, fyne.TextAlignTrailing, fyne.TextStyle{Bold: true})
	return formRow{label: l, cell: container.New(narrow(120), cell)}
}

// narrow lets its object be narrower than it asks, down to the width given: a picker whose
// longest choice or placeholder is long truncates it instead of widening the side panel.
type narrow float32

// MinSize implements fyne.Layout.
func (n narrow) MinSize(objects []fyne.CanvasObject) fyne.Size {
	var s fyne.Size
	for _, o := range objects {
		if o.Visible() {
			s = s.Max(o.MinSize())
		}
	}
	s.Width = min(s.Width, float32(n))
	return s
}

// Layout implements fyne.Layout.
func (n narrow) Layout(objects []fyne.CanvasObject, size fyne.Size) {
	for _, o := range objects {
		o.Move(fyne.NewPos(0, 0))
		o.Resize(size)
	}
}

// setVisible shows or hides the row, label and all.
func (r formRow) setVisible(on bool) {
	if on {
		r.label.Show()
		r.cell.Show()
	} else {
		r.label.Hide()
		r.cell.Hide()
	}
}

func (r formRow) visible() bool { return r.cell.Visible() }

// newFormGrid lays rows out in two columns, labels right-aligned; hidden rows take no room.
func newFormGrid(rows ...formRow) *fyne.Container {
	g := container.New(layout.NewFormLayout())
	setFormRows(g, rows...)
	return g
}

func setFormRows(g *fyne.Container, rows ...formRow) {
	g.RemoveAll()
	for _, r := range rows {
		g.Add(r.label)
		g.Add(r.cell)
	}
	g.Refresh()
}

// withHelp puts an info button after w that shows help in a small pop-up; w alone when help is
// empty.
func withHelp(w fyne.CanvasObject, help string, win func() fyne.Window) fyne.CanvasObject {
	if help == "" {
		return w
	}
	var b *widget.Button
	b = widget.NewButtonWithIcon("", theme.InfoIcon(), func() {
		text := widget.NewLabel(help)
		text.Wrapping = fyne.TextWrapWord
		box := container.New(fixedWidth(280), text)
		c := fyne.CurrentApp().Driver().CanvasForObject(b)
		if c == nil && win != nil {
			c = win().Canvas()
		}
		if c == nil {
			return
		}
		pos := fyne.CurrentApp().Driver().AbsolutePositionForObject(b)
		widget.ShowPopUpAtPosition(box, c, pos.AddXY(0, b.Size().Height))
	})
	b.Importance = widget.LowImportance
	return container.NewBorder(nil, nil, nil, b, w)
}

// noteLabel is a small wrapped label for what a control's value means or why it changed.
func noteLabel() *widget.Label {
	l := widget.NewLabel("")
	l.Wrapping = fyne.TextWrapWord
	l.SizeName = theme.SizeNameCaptionText
	l.Importance = widget.LowImportance
	l.Hide()
	return l
}

// setNote shows text in l with importance, or hides l when text is empty.
func setNote(l *widget.Label, text string, importance widget.Importance) {
	l.Importance = importance
	l.SetText(text)
	if text == "" {
		l.Hide()
	} else {
		l.Show()
	}
}
