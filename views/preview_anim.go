package views

import (
	"fmt"
	"math"
	"slices"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/kiln3d/kiln/preview/inspect"
	"github.com/kiln3d/kiln/preview/viewport"
	"github.com/kiln3d/kiln/providers"
)

// animControls play the model's animations: a clip, play and pause, a slider to scrub with,
// the time, and whether the clip loops. They show only for a model that has clips.
type animControls struct {
	vp    *viewport.Viewport
	box   *fyne.Container
	clip  *widget.Select
	play  *widget.Button
	loop  *widget.Check
	scrub *widget.Slider
	time  *widget.Label
	clips []inspect.Animation
	// syncing says the slider is being moved to the viewport's time, not by the artist.
	syncing bool
}

// maxClipName bounds a clip's name in the menu: the name is the file's, of any length.
const maxClipName = 40

func newAnimControls(vp *viewport.Viewport) *animControls {
	a := &animControls{vp: vp}
	a.clip = widget.NewSelect(nil, func(s string) {
		if i := slices.Index(a.clip.Options, s); i >= 0 {
			a.vp.SetClip(i + 1)
			a.sync(a.vp.View().Time, a.vp.Playing())
		}
	})
	a.play = widget.NewButtonWithIcon("Play", theme.MediaPlayIcon(), a.toggle)
	a.loop = widget.NewCheck("Loop", vp.SetLoop)
	a.scrub = widget.NewSlider(0, 1)
	a.scrub.Step = 0.01
	a.scrub.OnChanged = func(t float64) {
		if !a.syncing {
			a.vp.SetTime(t)
			a.sync(a.vp.View().Time, a.vp.Playing())
		}
	}
	a.time = widget.NewLabel("")
	vp.OnTime = a.sync
	a.box = container.NewVBox(heading("Animation"), a.clip,
		container.NewBorder(nil, nil, a.play, a.loop, container.NewCenter(a.time)), a.scrub)
	a.loop.SetChecked(true) // what a game plays a walk or an idle as
	a.box.Hide()
	return a
}

// setClips offers a newly loaded model's clips, the first chosen and still; none hides the
// controls.
func (a *animControls) setClips(clips []inspect.Animation) {
	a.clips = clips
	if len(clips) == 0 {
		a.box.Hide()
		a.clip.Options = nil
		a.clip.ClearSelected()
		return
	}
	a.clip.Options = clipOptions(clips)
	a.clip.SetSelected(a.clip.Options[0])
	a.box.Show()
}

// modelChanged takes in the clips of a model reloaded from its file, keeping the one chosen
// when it is still there (the viewport keeps playing it).
func (a *animControls) modelChanged(clips []inspect.Animation) {
	n := a.vp.View().Clip
	if n == 0 || n > len(clips) {
		a.setClips(clips)
		return
	}
	a.clips = clips
	a.clip.Options = clipOptions(clips)
	a.clip.Selected = a.clip.Options[n-1] // no OnChanged: the clip plays on where it is
	a.clip.Refresh()
	a.box.Show()
	a.sync(a.vp.View().Time, a.vp.Playing())
}

// clipOptions names each clip with its length; a name used twice gets the clip's number.
func clipOptions(clips []inspect.Animation) []string {
	out := make([]string, len(clips))
	for i, c := range clips {
		name := providers.Printable(c.Name)
		if r := []rune(name); len(r) > maxClipName {
			name = string(r[:maxClipName-1]) + "…"
		}
		d := seconds(c.Duration)
		out[i] = fmt.Sprintf("%s (%.1f s)", name, d)
		if slices.Contains(out[:i], out[i]) {
			out[i] = fmt.Sprintf("%s (%.1f s, #%d)", name, d, i+1)
		}
	}
	return out
}

// seconds is a clip's duration as the controls show it: a damaged file's NaN or infinity
// shows as 0, the rest pose.
func seconds(d float64) float64 {
	if math.IsNaN(d) || math.IsInf(d, 0) || d < 0 {
		return 0
	}
	return d
}

// toggle plays or pauses.
func (a *animControls) toggle() {
	if a.vp.Playing() {
		a.vp.Pause()
	} else {
		a.vp.Play()
	}
	a.sync(a.vp.View().Time, a.vp.Playing())
}

// sync shows the viewport's time and whether it plays (OnTime, and after each control).
func (a *animControls) sync(t float64, playing bool) {
	d := 0.0
	if n := a.vp.View().Clip; n > 0 && n <= len(a.clips) {
		d = seconds(a.clips[n-1].Duration)
	}
	a.syncing = true
	a.scrub.Max = max(d, 0.01)
	a.scrub.SetValue(t)
	a.scrub.Refresh()
	a.syncing = false
	a.time.SetText(fmt.Sprintf("%.1f / %.1f s", t, d))
	if playing {
		a.play.SetText("Pause")
		a.play.SetIcon(theme.MediaPauseIcon())
	} else {
		a.play.SetText("Play")
		a.play.SetIcon(theme.MediaPlayIcon())
	}
}
