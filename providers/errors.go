package providers

import (
	"errors"
	"fmt"
	"math"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"
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
	if req.Model != "" {
		return checkRetexture(c, req)
	}
	n := len(req.Images)
	prompt := strings.TrimSpace(req.Prompt)
	switch {
	case prompt != "" && !c.Prompt:
		return &InputError{Reason: fmt.Sprintf("%s does not take a text prompt", c.Title)}
	case n == 0 && c.Prompt && prompt == "":
		return &InputError{Reason: "add a reference image or describe the object in the prompt"}
	case n == 0 && c.Prompt:
		// Text-to-3D: the prompt stands in for the images.
	case n < c.MinImages && c.MinImages == 1:
		return &InputError{Reason: "add a reference image"}
	case n < c.MinImages:
		return &InputError{Reason: fmt.Sprintf("%s needs at least %d images, got %d", c.Title, c.MinImages, n)}
	case n > c.MaxImages:
		return &InputError{Reason: fmt.Sprintf("%s takes at most %d images, got %d", c.Title, c.MaxImages, n)}
	}
	if err := checkPrompt(req.Prompt); err != nil {
		return err
	}
	if err := checkOptions(c, req, c.Options); err != nil {
		return err
	}
	r := c.PolycountFor(req)
	if p := req.Polycount; p < r.Min || p > r.Max {
		within := fmt.Sprintf("%s's range %d to %d", c.Title, r.Min, r.Max)
		if r.Note != "" {
			within = fmt.Sprintf("the range %d to %d (%s)", r.Min, r.Max, r.Note)
		}
		return &InputError{Reason: fmt.Sprintf("polycount %d is outside %s", p, within)}
	}
	if err := checkViews(req.Images); err != nil {
		return err
	}
	return checkSize(req.Size)
}

// maxPromptRunes bounds a prompt: a paragraph describes any object, and a megabyte of text is a
// mistake (a file pasted into the field).
const maxPromptRunes = 4000

func checkPrompt(p string) error {
	if n := utf8.RuneCountInString(p); n > maxPromptRunes {
		return &InputError{Reason: fmt.Sprintf("the prompt is %d characters long; keep it under %d", n, maxPromptRunes)}
	}
	if !utf8.ValidString(p) || strings.ContainsFunc(p, func(r rune) bool { return unicode.IsControl(r) && r != '\n' && r != '\t' }) {
		return &InputError{Reason: "the prompt contains characters that are not text"}
	}
	return nil
}

// checkRetexture checks a request to texture an existing model: one reference image, the
// provider's texturing options.
func checkRetexture(c Capabilities, req Request) error {
	if c.Retexture == nil {
		return &InputError{Reason: fmt.Sprintf("%s cannot texture an existing model", c.Title)}
	}
	if len(req.Images) != 1 {
		return &InputError{Reason: fmt.Sprintf("%s textures a model from exactly one reference image, got %d", c.Title, len(req.Images))}
	}
	if err := checkPrompt(req.Prompt); err != nil {
		return err
	}
	return checkOptions(c, req, c.Retexture.Options)
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

func checkOptions(c Capabilities, req Request, options []Option) error {
	keys := make([]string, 0, len(req.Options))
	for key := range req.Options {
		keys = append(keys, key)
	}
	slices.Sort(keys) // the same request always gets the same answer
	for _, key := range keys {
		value := req.Options[key]
		i := slices.IndexFunc(options, func(o Option) bool { return o.Key == key })
		if i < 0 {
			return &InputError{Reason: fmt.Sprintf("%s has no option %q", c.Title, key)}
		}
		opt := options[i]
		if !opt.When.Holds(c, req) {
			return &InputError{Reason: fmt.Sprintf("%s applies only when %s", opt.Label, opt.When.describe(options))}
		}
		if err := opt.Check(value); err != nil {
			return err
		}
	}
	return nil
}

// Check reports whether value is allowed for the option.
func (o Option) Check(value string) error {
	if o.Number != nil {
		if value == "" {
			return nil
		}
		n, err := strconv.Atoi(value)
		if err != nil || n < o.Number.Min || n > o.Number.Max {
			return &InputError{Reason: fmt.Sprintf("%s must be a whole number from %d to %d, not %q", o.Label, o.Number.Min, o.Number.Max, value)}
		}
		return nil
	}
	allowed := make([]string, 0, len(o.Choices))
	for _, ch := range o.Choices {
		if ch.Value == value {
			return nil
		}
		allowed = append(allowed, ch.Value)
	}
	return &InputError{Reason: fmt.Sprintf("%s: %q is not one of %s", o.Label, value, strings.Join(allowed, ", "))}
}

// describe puts the condition in words: "Tier is Gen-2.5-Low or Gen-2.5-High".
func (cond Condition) describe(options []Option) string {
	parts := make([]string, 0, len(cond))
	for _, k := range cond.keys() {
		label := k
		if i := slices.IndexFunc(options, func(o Option) bool { return o.Key == k }); i >= 0 {
			label = options[i].Label
		}
		parts = append(parts, fmt.Sprintf("%s is %s", label, strings.Join(cond[k], " or ")))
	}
	return strings.Join(parts, " and ")
}

// String writes the condition the way --option reads values: "tier=Gen-2.5-Low|Gen-2.5-High";
// "" for an empty condition.
func (cond Condition) String() string {
	parts := make([]string, 0, len(cond))
	for _, k := range cond.keys() {
		parts = append(parts, k+"="+strings.Join(cond[k], "|"))
	}
	return strings.Join(parts, ", ")
}

// keys are the condition's option keys, sorted: the same condition always reads the same.
func (cond Condition) keys() []string {
	keys := make([]string, 0, len(cond))
	for k := range cond {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}
