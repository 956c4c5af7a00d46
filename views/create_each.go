package views

import (
	"context"
	"fmt"
	"slices"

	"fyne.io/fyne/v2/widget"

	"github.com/kiln3d/kiln/app"
	"github.com/kiln3d/kiln/providers"
)

// oneFromViews is the choice of one model made from every image, each a view of the object.
const oneFromViews = "One model from these views"

// perImageLabel is the choice of one model per image, for n images.
func perImageLabel(n int) string {
	return fmt.Sprintf("One model per image (%s)", app.Plural(n, "model"))
}

// eachChoice is Create's choice between one model from the images (views of one object) and one
// model per image (a batch). It is offered when a folder gave the images or their names show
// different objects (app.LooksLikeSeparateObjects), which also picks the default until the artist
// picks. Its methods run on the UI thread.
type eachChoice struct {
	radio   *widget.RadioGroup
	changed func()
	// perImage is the choice made: one model per image.
	perImage bool
	// byArtist says the artist picked, so the images' names no longer decide.
	byArtist bool
	// setting is true while follow sets the radio, whose OnChanged is then not the artist's.
	setting bool
}

func newEachChoice(changed func()) *eachChoice {
	c := &eachChoice{changed: changed}
	c.radio = widget.NewRadioGroup(nil, func(picked string) {
		if c.setting || picked == "" {
			return
		}
		c.byArtist, c.perImage = true, picked != oneFromViews
		c.changed()
	})
	c.radio.Required = true
	c.radio.Hide()
	return c
}

// follow offers or withdraws the choice as the images in l change, and reports whether the
// choice changed. Unless the artist picked, the default is one model per image when the names
// show different objects or there are more images than one model of the provider takes
// (maxImages).
func (c *eachChoice) follow(l *inputList, maxImages int) bool {
	was := c.perImage
	paths := l.paths()
	separate := app.LooksLikeSeparateObjects(paths)
	if len(paths) < 2 || (!l.fromFolder && !separate) {
		c.byArtist, c.perImage = false, false
		c.radio.Hide()
		return was != c.perImage
	}
	if !c.byArtist {
		c.perImage = separate || len(paths) > maxImages
	}
	options := []string{perImageLabel(len(paths)), oneFromViews}
	selected := options[1]
	if c.perImage {
		selected = options[0]
	}
	if !slices.Equal(c.radio.Options, options) || c.radio.Selected != selected {
		c.setting = true
		c.radio.Options = options
		c.radio.SetSelected(selected)
		c.radio.Refresh()
		c.setting = false
	}
	c.radio.Show()
	return was != c.perImage
}

// perImageProblem says why n images cannot be made into one model each, or returns "".
func (c *createPanel) perImageProblem(caps providers.Capabilities, n int) string {
	switch {
	case caps.MinImages > 1:
		return fmt.Sprintf("%s needs at least %d images for a model: choose %s.", caps.Title, caps.MinImages, oneFromViews)
	case n > app.MaxBatch:
		return fmt.Sprintf("One batch makes at most %d models; remove %d images.", app.MaxBatch, n-app.MaxBatch)
	}
	return ""
}

// perImageReady says what Submit will send for one model per image.
func (c *createPanel) perImageReady(n int) string {
	with := ""
	if c.hasPrompt() {
		with = " with your prompt"
	}
	return fmt.Sprintf("Ready: %s, one per image%s, to %s, each of %d triangles.",
		app.Plural(n, "model"), with, c.provider.Capabilities().Title, c.polycount.value())
}

// submitEach submits one job per image of req, as one batch, off the UI thread.
func (c *createPanel) submitEach(provider, credential string, req providers.Request) {
	go func() {
		jobs, err := submitPlannedEach(c.u.ctx, c.u.k, provider, credential, req)
		polycount := req.Polycount
		if len(jobs) > 0 {
			polycount = jobs[0].Request.Polycount
		}
		c.finishSubmit(provider, polycount, err, func() string {
			return fmt.Sprintf("Submitted a batch of %s.", app.Plural(len(jobs), "model"))
		})
	}()
}

// submitPlannedEach submits one job per image of req, as the core's plan of the batch has them.
// It runs off the UI thread.
func submitPlannedEach(ctx context.Context, k *app.Kiln, provider, credential string, req providers.Request) ([]app.Job, error) {
	plan, err := k.PlanEach(ctx, provider, credential, req, false)
	if err != nil {
		return nil, err
	}
	return k.Jobs.SubmitEach(ctx, provider, plan.Request, planOptions(plan, nil)...)
}
