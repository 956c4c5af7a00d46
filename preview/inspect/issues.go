package inspect

import (
	"fmt"
	"slices"
	"strings"
)

// Kiln's own issue codes, for what the Khronos validator has no code for: what the preview
// cannot show or will not open, and what it warns about for its own drawing. Every other code is
// the validator's (its ISSUES.md), with the validator's severity.
const (
	// CodeUnsupported: the model is valid but uses what the preview cannot read (Draco,
	// meshopt, quantization, an unknown required extension), or node transforms carry it to
	// infinity.
	CodeUnsupported = "KILN_UNSUPPORTED"
	// CodeLimit: over a limit Kiln sets so that no file can make it allocate without bound
	// (file size, texture size, elements in one accessor).
	CodeLimit = "KILN_LIMIT"
	// CodeUnsafeFile: an external file Kiln will not open (outside the model's folder, on the
	// network, a FIFO or device).
	CodeUnsafeFile = "KILN_UNSAFE_FILE"
	// CodeUnreadable: the file cannot be parsed as a glTF document at all.
	CodeUnreadable = "KILN_UNREADABLE"

	// Kiln's warnings about how the preview draws the model: no normals (it computes them),
	// unlit materials, nothing to draw, a texture image missing or without data (drawn
	// without it).
	CodeNoNormals         = "KILN_NO_NORMALS"
	CodeUnlit             = "KILN_UNLIT"
	CodeNoTriangles       = "KILN_NO_TRIANGLES"
	CodeImageMissing      = "KILN_IMAGE_MISSING"
	CodeImageNoData       = "KILN_IMAGE_NO_DATA"
	codeImageUnrecognized = "IMAGE_UNRECOGNIZED_FORMAT" // the validator's code and severity
)

// Kiln reports whether the issue's code is Kiln's own rather than the validator's.
func (i Issue) Kiln() bool { return strings.HasPrefix(i.Code, "KILN_") }

func (i Issue) String() string {
	s := i.Severity.String() + " " + i.Code
	if i.Pointer != "" {
		s += " " + i.Pointer
	}
	return s + ": " + i.Message
}

// checker collects the issues of one model's check.
type checker struct {
	path   string
	issues []Issue
	errors int
	// fatal says an error makes the later stages unsafe to run (a reference or length out of
	// range that they would follow).
	fatal bool
}

func (c *checker) add(s Severity, code, pointer, format string, a ...any) {
	c.issues = append(c.issues, Issue{Severity: s, Code: code, Pointer: pointer, Message: fmt.Sprintf(format, a...)})
	if s == SeverityError {
		c.errors++
	}
}

func (c *checker) errorf(code, pointer, format string, a ...any) {
	c.add(SeverityError, code, pointer, format, a...)
}

// fatalf is errorf for an error after which the next stages of the check must not run.
func (c *checker) fatalf(code, pointer, format string, a ...any) {
	c.errorf(code, pointer, format, a...)
	c.fatal = true
}

func (c *checker) warnf(code, pointer, format string, a ...any) {
	c.add(SeverityWarning, code, pointer, format, a...)
}

func (c *checker) infof(code, pointer, format string, a ...any) {
	c.add(SeverityInfo, code, pointer, format, a...)
}

// refusal is the *Error for a model with errors: its reason is the first error (and how many
// more there are); it carries every issue found, so a caller can show the whole report.
func (c *checker) refusal() error {
	i := slices.IndexFunc(c.issues, func(i Issue) bool { return i.Severity == SeverityError })
	if i < 0 {
		return nil
	}
	reason := c.issues[i].Message
	switch c.errors {
	case 1:
	case 2:
		reason += " (and 1 more error)"
	default:
		reason += fmt.Sprintf(" (and %d more errors)", c.errors-1)
	}
	return &Error{File: c.path, Reason: reason, Issues: slices.Clip(c.issues)}
}

// refuseCode is a refusal found before there is a document to check: one error issue.
func refuseCode(path, code, pointer, format string, a ...any) error {
	c := checker{path: path}
	c.errorf(code, pointer, format, a...)
	return c.refusal()
}

// warnings are the messages of the warning issues, for callers that show them as lines.
func warnings(issues []Issue) []string {
	var out []string
	for _, i := range issues {
		if i.Severity == SeverityWarning {
			out = append(out, i.Message)
		}
	}
	return out
}
