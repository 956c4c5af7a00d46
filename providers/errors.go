package providers

import (
	"errors"
	"fmt"
	"path/filepath"
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
	if e.File == "" {
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
	return nil
}
