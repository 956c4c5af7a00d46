// Package local is Kiln's offline generator. It turns one reference image (two, with a photo of the
// back) into a closed, textured model on the CPU, with no network and no account: it cuts the
// object out, inflates its silhouette into a rounded solid and wraps the photo around it.
//
// Image 1 is the front: it gives the shape and the front's colours. Image 2, when given, is a photo
// of the back and colours the back; without it the back shows the front mirrored. Images' View
// fields and the request's Options are not used.
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

// Capabilities describes the local provider.
func (Provider) Capabilities() providers.Capabilities {
	return providers.Capabilities{
		Name:      Name,
		Title:     "Local (offline)",
		MinImages: 1,
		MaxImages: 2,
		Polycount: providers.Range{Min: 500, Max: 200000, Default: 20000},
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
	for _, img := range req.Images {
		if _, err := imageio.Check(img.Path); err != nil {
			return providers.Remote{}, err
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
	if err := providers.CheckRequest(p.Capabilities(), req); err != nil {
		return nil, err
	}
	model, err := generate(ctx, req, report)
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
