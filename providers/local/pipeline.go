package local

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"strings"

	"github.com/kiln3d/kiln/providers"
	"github.com/kiln3d/kiln/providers/local/glb"
	"github.com/kiln3d/kiln/providers/local/mesh"
)

// What Collect tells the artist, stage by stage.
const (
	msgReading   = "Reading image"
	msgFinding   = "Finding the object"
	msgInflating = "Inflating the silhouette"
	msgCarving   = "Carving the shape from the views"
	msgBuilding  = "Building the mesh"
	msgTexturing = "Texturing"
	msgWriting   = "Writing the model"
)

// stageFunc reports that a stage starts, or returns the context's error once it is cancelled.
type stageFunc func(fraction float64, msg string) error

// shape is a generated model before it is placed: its parts, built in the model's own units, and
// their texture.
type shape struct {
	parts   []*mesh.Mesh
	texture []byte // JPEG
	// turn faces the model where it belongs; footprint scales it by its size on the ground (see
	// stand).
	turn      turn
	footprint bool
}

// generate runs the whole pipeline and returns the model's GLB bytes. The same request always
// gives the same bytes.
func generate(ctx context.Context, req providers.Request, caps providers.Capabilities, report func(providers.Progress)) ([]byte, error) {
	// notes are what the artist should know about how the model was made: each goes out with one
	// of the stage reports that follow its decision.
	var notes []string
	stage := func(fraction float64, msg string) error {
		if err := ctx.Err(); err != nil {
			return fmt.Errorf("local: cancelled before %s: %w", strings.ToLower(msg), err)
		}
		pr := providers.Progress{Phase: providers.PhaseRunning, Fraction: fraction, Message: msg}
		if len(notes) > 0 {
			pr.Note, notes = notes[0], notes[1:]
		}
		report(pr)
		return nil
	}
	step := msgReading
	fail := func(err error) error {
		if _, ok := errors.AsType[*providers.InputError](err); ok {
			return err // already says which file and why, in the artist's words
		}
		if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
			return fmt.Errorf("local: cancelled while %s: %w", strings.ToLower(step), err)
		}
		return fmt.Errorf("local: %s: %w", strings.ToLower(step), err)
	}
	tracked := func(fraction float64, msg string) error {
		step = msg
		return stage(fraction, msg)
	}

	if err := tracked(0.02, msgReading); err != nil {
		return nil, err
	}
	views, err := readViews(ctx, req, tracked)
	if err != nil {
		return nil, fail(err)
	}

	p, err := plan(ctx, views, req, caps)
	if err != nil {
		return nil, fail(err)
	}
	notes = p.notes
	// A size at odds with the images is refused before any work, on the same proportions
	// Foresee judged it by.
	if err := checkSize(p.ext, req.Size, p.shown); err != nil {
		return nil, err
	}
	var s *shape
	switch {
	case p.turnedViews:
		s, err = turnViews(ctx, views, p, req.Polycount, tracked)
	case p.carved:
		s, err = carve(ctx, views, p.sils, req.Polycount, p.largest, tracked)
	default:
		s, err = fromOneAxis(ctx, views, req, caps, p.choice, p.field, tracked)
	}
	if err != nil {
		return nil, fail(err)
	}

	if err := tracked(0.9, msgWriting); err != nil {
		return nil, err
	}
	lo, hi := turnParts(s.parts, s.turn)
	stand(s.parts, lo, hi, scaleFor([3]float64{hi[0] - lo[0], hi[1] - lo[1], hi[2] - lo[2]}, req.Size, s.footprint, p.shown))
	out, err := glb.EncodeParts(s.parts, glb.Texture{Data: s.texture, MIMEType: "image/jpeg"}, modelName(views))
	if err != nil {
		return nil, fail(err)
	}
	return out, nil
}

// alongOneAxis says whether every view looks along the same axis (front and back, say): then
// there is nothing to carve and the silhouette is inflated.
func alongOneAxis(views []*view) bool {
	for _, v := range views {
		if axisOf(v.name) != axisOf(views[0].name) {
			return false
		}
	}
	return true
}

// modelName names the model after the front image's file, else the first image's.
func modelName(views []*view) string {
	v := views[0]
	for _, w := range views {
		if w.name == providers.ViewFront {
			v = w
		}
	}
	return strings.TrimSuffix(filepath.Base(v.path), filepath.Ext(v.path))
}
