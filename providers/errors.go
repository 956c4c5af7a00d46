package providers

import (
	"errors"
	"fmt"
	"math"
	"path/filepath"
	"strings"
)

// ErrInvalidInput marks a request refused before any work started: a bad image, a polycount out of
// range, too many images. The error's text says which and why.
var ErrInvalidInput = errors.New("invalid input")

// InputError explains why one input file, or the request as a whole, was refused.
type InputError struct {
	// File is the offending file's path; empty when the problem is not one file's.
	File string
	// Reason is a short explanation an artist can act on ("not an image", "no object found").
	Reason string
}

func (e *InputError) Error() string {
	// A reason that already names the file ("no object found in chair.png") reads best alone.
	if e.File == "" || strings.Contains(e.Reason, filepath.Base(e.File)) {
		return e.Reason
	}
	return fmt.Sprintf("%s: %s", filepath.Base(e.File), e.Reason)
}

// Is makes errors.Is(err, ErrInvalidInput) true for every InputError.
func (e *InputError) Is(target error) bool { return target == ErrInvalidInput }

// CheckRequest checks the parts of req that Capabilities describe: the number of images and the
// polycount. Providers call it first in Submit.
func CheckRequest(c Capabilities, req Request) error {
	n := len(req.Images)
	switch {
	case n < c.MinImages && c.MinImages == 1:
		return &InputError{Reason: "add a reference image"}
	case n < c.MinImages:
		return &InputError{Reason: fmt.Sprintf("%s needs at least %d images, got %d", c.Title, c.MinImages, n)}
	case n > c.MaxImages:
		return &InputError{Reason: fmt.Sprintf("%s takes at most %d images, got %d", c.Title, c.MaxImages, n)}
	}
	if p := req.Polycount; p < c.Polycount.Min || p > c.Polycount.Max {
		return &InputError{Reason: fmt.Sprintf("polycount %d is outside %s's range %d to %d",
			p, c.Title, c.Polycount.Min, c.Polycount.Max)}
	}
	if err := checkViews(req.Images); err != nil {
		return err
	}
	if err := checkSize(req.Size); err != nil {
		return err
	}
	return checkOptions(c, req.Options)
}

func checkViews(images []Image) error {
	seen := map[string]string{}
	for _, img := range images {
		if img.View == "" {
			continue
		}
		if !IsView(img.View) {
			return &InputError{File: img.Path, Reason: fmt.Sprintf("%q is not a view (use %s)", img.View, strings.Join(Views, ", "))}
		}
		if other, dup := seen[img.View]; dup {
			return &InputError{Reason: fmt.Sprintf("two images are tagged %s: %s and %s",
				img.View, filepath.Base(other), filepath.Base(img.Path))}
		}
		seen[img.View] = img.Path
	}
	return nil
}

// maxCM bounds a dimension: 1 km is beyond any asset an engine would import at real scale.
const maxCM = 100000

func checkSize(d Dimensions) error {
	for _, v := range []struct {
		name string
		cm   float64
	}{{"height", d.HeightCM}, {"width", d.WidthCM}, {"depth", d.DepthCM}} {
		if v.cm < 0 || v.cm > maxCM || math.IsNaN(v.cm) {
			return &InputError{Reason: fmt.Sprintf("a %s of %g cm is outside 0 to %d cm", v.name, v.cm, maxCM)}
		}
	}
	return nil
}

func checkOptions(c Capabilities, opts map[string]string) error {
	for key, value := range opts {
		var opt *Option
		for i := range c.Options {
			if c.Options[i].Key == key {
				opt = &c.Options[i]
			}
		}
		if opt == nil {
			return &InputError{Reason: fmt.Sprintf("%s has no option %q", c.Title, key)}
		}
		var allowed []string
		for _, ch := range opt.Choices {
			if ch.Value == value {
				allowed = nil
				break
			}
			allowed = append(allowed, ch.Value)
		}
		if allowed != nil {
			return &InputError{Reason: fmt.Sprintf("%s: %q is not one of %s", opt.Label, value, strings.Join(allowed, ", "))}
		}
	}
	return nil
}
