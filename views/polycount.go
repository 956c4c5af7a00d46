package views

import (
	"fmt"
	"math"
	"strconv"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/widget"

	"github.com/kiln3d/kiln/providers"
)

// polycountField is a logarithmic slider and a number field kept in step, clamped to a range.
type polycountField struct {
	content fyne.CanvasObject
	slider  *widget.Slider
	entry   *widget.Entry
	rng     providers.Range
	n       int
	bad     string
	syncing bool
	changed func()
	// chosen says the value is the artist's (moved, typed or remembered), not a range's default;
	// want is that value, which a narrower range may have clamped and a wider one gives back.
	chosen bool
	want   int
	// byArtist is called when the artist moves the slider or types a number.
	byArtist func()
}

func newPolycountField(changed func()) *polycountField {
	f := &polycountField{changed: changed}
	f.slider = widget.NewSlider(0, 1000)
	f.slider.Step = 1
	f.slider.OnChanged = func(v float64) {
		if f.syncing {
			return
		}
		f.set(f.rng.Clamp(roundNice(fromSlider(v, f.rng))), true)
		f.artist()
	}
	f.entry = widget.NewEntry()
	f.entry.OnChanged = func(s string) {
		if f.syncing {
			return
		}
		n, err := strconv.Atoi(strings.ReplaceAll(strings.TrimSpace(s), ",", ""))
		if err != nil || n <= 0 {
			f.bad = fmt.Sprintf("Polycount must be a whole number from %d to %d.", f.rng.Min, f.rng.Max)
			f.changed()
			return
		}
		f.set(f.rng.Clamp(n), false)
		f.artist()
	}
	// Leaving the field shows the clamped value.
	f.entry.OnSubmitted = func(string) { f.set(f.n, true) }
	f.content = container.NewBorder(nil, nil, nil, container.NewGridWrap(fyne.NewSize(90, f.entry.MinSize().Height), f.entry), f.slider)
	return f
}

func (f *polycountField) artist() {
	f.chosen, f.want = true, f.n
	if f.byArtist != nil {
		f.byArtist()
	}
}

func (f *polycountField) setRange(r providers.Range, n int) {
	f.rng = r
	f.set(r.Clamp(n), true)
}

// set takes n as the value, moving the slider, and the number field when rewrite is set.
func (f *polycountField) set(n int, rewrite bool) {
	f.n, f.bad = n, ""
	f.syncing = true
	f.slider.SetValue(toSlider(n, f.rng))
	if rewrite {
		f.entry.SetText(strconv.Itoa(n))
	}
	f.syncing = false
	f.changed()
}

func (f *polycountField) value() int      { return f.n }
func (f *polycountField) problem() string { return f.bad }

// The slider is logarithmic: 500 to 200,000 triangles spans orders of magnitude, and an artist
// choosing between 1,000 and 2,000 needs as much travel as between 100,000 and 200,000.
func toSlider(n int, r providers.Range) float64 {
	if r.Max <= r.Min {
		return 0
	}
	return 1000 * math.Log(float64(n)/float64(r.Min)) / math.Log(float64(r.Max)/float64(r.Min))
}

func fromSlider(v float64, r providers.Range) int {
	return int(math.Round(float64(r.Min) * math.Pow(float64(r.Max)/float64(r.Min), v/1000)))
}

// roundNice rounds to two significant figures (12,345 → 12,000), as budgets are written.
func roundNice(n int) int {
	if n < 100 {
		return n
	}
	p := math.Pow(10, math.Floor(math.Log10(float64(n)))-1)
	return int(math.Round(float64(n)/p) * p)
}
