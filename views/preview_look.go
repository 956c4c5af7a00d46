package views

import (
	"fmt"
	"math"
	"path/filepath"
	"slices"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/kiln3d/kiln/preview"
	"github.com/kiln3d/kiln/providers"
)

// lookControls are the Preview panel's camera presets and how the model is drawn: the mode
// (shaded, clay, wireframe or a debug view), the background, the light, exposure and tone
// mapping.
type lookControls struct {
	p        *previewPanel
	camera   fyne.CanvasObject // the view presets and Reset
	form     *widget.Form
	mode     *widget.Select
	light    *widget.Select
	envName  *widget.Label
	envPick  *widget.Button
	envReset *widget.Button
	exposure *widget.Slider
	evLabel  *widget.Label
	toneMap  *widget.Select
}

// The words the panel uses for the modes, lights and tone mappings, in preview's order.
var (
	modeLabels    = []string{"Shaded", "Clay", "Wireframe", "Normals", "UV checker", "Base colour", "Roughness", "Metallic", "Occlusion"}
	lightLabels   = []string{"Environment", "Studio"}
	toneMapLabels = []string{"ACES", "Neutral", "Linear"}
)

// The exposure slider's range and step, in stops.
const (
	maxExposure  = 4
	exposureStep = 0.1
)

// newLookControls builds the controls; save (Save image…) sits beside Reset view.
func newLookControls(p *previewPanel, save *widget.Button) *lookControls {
	l := &lookControls{p: p}
	views := container.NewGridWithColumns(3)
	for _, pr := range preview.Presets() {
		label := strings.ToUpper(string(pr[:1])) + string(pr[1:])
		if pr == preview.Iso {
			label = "3/4"
		}
		views.Add(widget.NewButton(label, func() { p.vp.SetView(pr) }))
	}
	reset := widget.NewButtonWithIcon("Reset view", theme.ViewRestoreIcon(), p.vp.Reset)
	l.camera = container.NewVBox(views, container.NewGridWithColumns(2, reset, save))

	l.mode = widget.NewSelect(modeLabels, func(s string) {
		if i := slices.Index(modeLabels, s); i >= 0 {
			p.vp.SetMode(preview.Modes()[i])
		}
	})
	l.mode.SetSelected(modeLabels[preview.Shaded])
	bg := widget.NewRadioGroup([]string{"Dark", "Light"}, func(s string) {
		b := preview.Dark
		if s == "Light" {
			b = preview.Light
		}
		p.vp.SetBackground(b)
	})
	bg.Horizontal = true
	bg.SetSelected("Dark")
	grid := widget.NewCheck("Grid", p.vp.SetGrid)
	grid.SetChecked(true)

	l.envName = widget.NewLabel("")
	l.envName.Truncation = fyne.TextTruncateEllipsis
	l.envPick = widget.NewButton("Environment…", p.chooseEnvironment)
	l.envReset = widget.NewButton("Default", func() { l.setEnvironment("") })
	l.light = widget.NewSelect(lightLabels, func(s string) {
		light := preview.Environment
		if s == lightLabels[preview.Studio] {
			light = preview.Studio
			l.envPick.Disable()
			l.envReset.Disable()
		} else {
			l.envPick.Enable()
			l.refreshEnvironment()
		}
		p.vp.SetLighting(light)
	})
	l.setEnvironment("")
	l.light.SetSelected(lightLabels[preview.Environment])

	l.evLabel = widget.NewLabel(formatEV(0))
	l.exposure = widget.NewSlider(-maxExposure, maxExposure)
	l.exposure.Step = exposureStep
	l.exposure.OnChanged = func(ev float64) {
		ev = math.Round(ev/exposureStep) * exposureStep
		l.evLabel.SetText(formatEV(ev))
		p.vp.SetExposure(ev)
	}
	l.toneMap = widget.NewSelect(toneMapLabels, func(s string) {
		if i := slices.Index(toneMapLabels, s); i >= 0 {
			p.vp.SetToneMap(preview.ToneMap(i))
		}
	})
	l.toneMap.SetSelected(toneMapLabels[preview.ACES])

	l.form = widget.NewForm(
		widget.NewFormItem("Mode", l.mode),
		widget.NewFormItem("Backdrop", container.NewHBox(bg, grid)),
		widget.NewFormItem("Light", l.light),
		widget.NewFormItem("Sky", l.envName),
		widget.NewFormItem("", container.NewGridWithColumns(2, l.envPick, l.envReset)),
		widget.NewFormItem("Exposure", container.NewBorder(nil, nil, nil, l.evLabel, l.exposure)),
		widget.NewFormItem("Tone map", l.toneMap),
	)
	return l
}

// setEnvironment lights with the .hdr at path (Kiln's own for "").
func (l *lookControls) setEnvironment(path string) {
	l.p.vp.SetEnvironment(path)
	l.refreshEnvironment()
}

// refreshEnvironment names the environment in use and offers Default when it is the artist's.
func (l *lookControls) refreshEnvironment() {
	path := l.p.vp.View().EnvironmentFile
	if path == "" {
		l.envName.SetText("Kiln studio")
		l.envReset.Disable()
		return
	}
	l.envName.SetText(providers.Printable(filepath.Base(path)))
	if l.light.Selected != lightLabels[preview.Studio] {
		l.envReset.Enable()
	}
}

// formatEV writes an exposure as the panel shows it: "+0.5 EV", "−1.2 EV", "0 EV".
func formatEV(ev float64) string {
	switch {
	case math.Abs(ev) < exposureStep/2:
		return "0 EV"
	case ev < 0:
		return fmt.Sprintf("−%.1f EV", -ev)
	}
	return fmt.Sprintf("+%.1f EV", ev)
}
