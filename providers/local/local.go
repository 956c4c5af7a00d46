// Package local is Kiln's offline generator. It turns reference images into a closed, textured
// model on the CPU, with no network and no account.
//
// Each image shows the object from one view (front, back, left, right or top): its tag, else its
// file name's, else front for the first untagged image and back for the second. Views that all
// look along one axis (a front alone, or front and back) are inflated: the silhouette becomes a
// rounded solid wrapped in the photos. Views along two or three axes are carved: the model is
// their visual hull, each face coloured from the view that sees it best. Separate objects become
// separate parts, or only the largest is kept (the "objects" option). The model stands on y = 0,
// 1 m tall unless the request gives a size.
package local

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"strings"

	"github.com/kiln3d/kiln/providers"
	"github.com/kiln3d/kiln/providers/imageio"
)

// Name is the provider's registry key.
const Name = "local"

// ModelFile is the name of the model Collect writes into the job's directory.
const ModelFile = "model.glb"

// idPrefix starts every Remote.ID this provider hands out.
const idPrefix = "local-"

// Provider generates models on this computer. It holds no state, so one value serves any number
// of concurrent jobs.
type Provider struct{}

// New returns the local provider.
func New() providers.Provider { return Provider{} }

// The "objects" option: what becomes of several separate objects.
const (
	optionObjects  = "objects"
	objectsAll     = "all"
	objectsLargest = "largest"
)

// The "shape" option: how a model is made from views along one axis (one image, or a front and a
// back). Auto picks among the others from the outline and says why.
const (
	OptionShape = "shape"
	ShapeAuto   = "auto"
	// ShapeRound inflates the outline into a body with a round cross-section.
	ShapeRound = "round"
	// ShapeTurned spins the outline's half-widths about a vertical axis: a solid of revolution.
	ShapeTurned = "turned"
	// ShapeFlat extrudes the outline to a thickness with a rounded bevel.
	ShapeFlat = "flat"
)

// The shapes' controls.
const (
	// OptionDepth scales a Round model's depth, in percent of a round cross-section. It is shown
	// with Round chosen: Auto's pick takes its shape's default.
	OptionDepth = "depth"
	// OptionThickness is a Flat model's thickness, in percent of its height, with Flat chosen.
	OptionThickness = "thickness"
)

// depthRange and thicknessRange bound the shapes' controls.
var (
	depthRange     = providers.Range{Min: 10, Max: 300, Default: 100}
	thicknessRange = providers.Range{Min: 1, Max: 50, Default: 5}
)

// Capabilities describes the local provider.
func (Provider) Capabilities() providers.Capabilities {
	return providers.Capabilities{
		Name:       Name,
		Title:      "Local (offline)",
		Offline:    true,
		MinImages:  1,
		MaxImages:  len(providers.Views), // one per view
		Polycount:  providers.Range{Min: 500, Max: 200000, Default: 20000},
		Views:      true,
		Dimensions: true,
		Options: []providers.Option{{
			Key:   OptionShape,
			Label: "Shape",
			Choices: []providers.Choice{
				{Value: ShapeAuto, Label: "Auto"},
				{Value: ShapeRound, Label: "Round"},
				{Value: ShapeTurned, Label: "Turned"},
				{Value: ShapeFlat, Label: "Flat"},
			},
			Help: "How one view becomes a solid: Round inflates the outline, Turned spins it about a vertical axis (vases, bottles), Flat extrudes it (signs, leaves, sprites); Auto picks from the outline and says why",
		}, {
			Key:    OptionDepth,
			Label:  "Depth %",
			Number: &depthRange,
			When:   providers.Condition{OptionShape: {ShapeRound}},
			Help:   "How deep a Round model is, in percent of a round cross-section (100: as deep as wide)",
		}, {
			Key:    OptionThickness,
			Label:  "Thickness %",
			Number: &thicknessRange,
			When:   providers.Condition{OptionShape: {ShapeFlat}},
			Help:   "How thick a Flat model is, in percent of its height",
		}, {
			Key:   optionObjects,
			Label: "Separate objects",
			Choices: []providers.Choice{
				{Value: objectsAll, Label: "Keep all, as parts"},
				{Value: objectsLargest, Label: "Largest only"},
			},
		}},
	}
}

// Projects returns nil: the local provider has no projects.
func (Provider) Projects(context.Context) ([]providers.Project, error) { return nil, nil }

// Submit checks the request and the images' headers (not their pixels, so it stays fast) and
// returns a fresh job id. The work itself happens in Collect.
func (p Provider) Submit(ctx context.Context, req providers.Request) (providers.Remote, error) {
	if err := ctx.Err(); err != nil {
		return providers.Remote{}, fmt.Errorf("local: submit: %w", err)
	}
	if err := providers.CheckRequest(p.Capabilities(), req); err != nil {
		return providers.Remote{}, err
	}
	if _, err := assignViews(req.Images); err != nil {
		return providers.Remote{}, err
	}
	for _, img := range req.Images {
		if _, err := imageio.Check(img.Path); err != nil {
			return providers.Remote{}, err
		}
		if img.Mask != "" {
			if _, err := imageio.Check(img.Mask); err != nil {
				return providers.Remote{}, err
			}
		}
	}
	var id [8]byte
	if _, err := rand.Read(id[:]); err != nil {
		return providers.Remote{}, fmt.Errorf("local: make a job id: %w", err)
	}
	return providers.Remote{ID: idPrefix + hex.EncodeToString(id[:])}, nil
}

// Collect generates the model and writes it to dir/model.glb, replacing any earlier attempt's file
// atomically. Generation is deterministic, so collecting again after a crash gives the same file.
// Input problems found only once the pixels are read (a damaged file, an image with no object) are
// *providers.InputError.
func (p Provider) Collect(ctx context.Context, req providers.Request, r providers.Remote, dir string, report func(providers.Progress)) ([]providers.File, error) {
	if report == nil {
		report = func(providers.Progress) {}
	}
	if !strings.HasPrefix(r.ID, idPrefix) {
		return nil, fmt.Errorf("local: %q is not a local job", r.ID)
	}
	caps := p.Capabilities()
	if err := providers.CheckRequest(caps, req); err != nil {
		return nil, err
	}
	model, err := generate(ctx, req, caps, report)
	if err != nil {
		return nil, err
	}
	if err := ctx.Err(); err != nil {
		return nil, fmt.Errorf("local: cancelled before writing the model: %w", err)
	}
	if err := writeAtomic(dir, ModelFile, model); err != nil {
		return nil, fmt.Errorf("local: write the model: %w", err)
	}
	report(providers.Progress{Phase: providers.PhaseRunning, Fraction: 1, Message: msgWriting})
	return []providers.File{{Path: ModelFile, Format: "glb"}}, nil
}
