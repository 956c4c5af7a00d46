package views

import (
	"cmp"
	"errors"
	"fmt"
	"slices"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/widget"

	"github.com/kiln3d/kiln/preview/inspect"
	"github.com/kiln3d/kiln/providers"
)

// checkReport is the Preview panel's account of the model's check, as the Khronos validator
// would give it: a count line, then each issue with its code and where it is. A refused
// model's reason is its first line. A long report shows its first lines until asked for all.
type checkReport struct {
	box     *fyne.Container
	summary *widget.Label
	lines   *fyne.Container
	more    *widget.Button
	issues  []inspect.Issue
	all     bool // the artist asked for every line
}

// shownIssues is how many issues a report shows before "Show all".
const shownIssues = 5

// maxIssueText bounds one line of the report: codes, pointers and messages come from the file.
const maxIssueText = 300

func newCheckReport() *checkReport {
	c := &checkReport{summary: widget.NewLabel(""), lines: container.NewVBox()}
	c.summary.Wrapping = fyne.TextWrapWord
	c.more = widget.NewButton("", func() {
		c.all = !c.all
		c.layout()
	})
	c.more.Importance = widget.LowImportance
	c.more.Hide()
	c.box = container.NewVBox(c.summary, c.lines, c.more)
	return c
}

// clear empties the report while a model loads.
func (c *checkReport) clear() {
	c.issues, c.all = nil, false
	c.summary.Importance = widget.MediumImportance
	c.summary.SetText("Checking…")
	c.layout()
}

// show reports a model's issues; refused is its Load error when it was refused (its issues,
// when the error carries them, are the report).
func (c *checkReport) show(issues []inspect.Issue, refused error) {
	var ie *inspect.Error
	switch {
	case refused != nil && errors.As(refused, &ie) && len(ie.Issues) > 0:
		issues = ie.Issues
	case refused != nil:
		// A refusal without a report (a file that is not glTF at all): its reason is the line.
		issues = []inspect.Issue{{Severity: inspect.SeverityError, Message: refused.Error()}}
	}
	// Errors first, then warnings, then infos, each in the file's order: the lines shown
	// before "Show all" are the ones that matter.
	c.issues = slices.Clone(issues)
	slices.SortStableFunc(c.issues, func(a, b inspect.Issue) int { return cmp.Compare(a.Severity, b.Severity) })
	c.all = false
	errs, warns, infos := 0, 0, 0
	for _, is := range c.issues {
		switch is.Severity {
		case inspect.SeverityError:
			errs++
		case inspect.SeverityWarning:
			warns++
		default:
			infos++
		}
	}
	counts := plural(errs, "error") + ", " + plural(warns, "warning") + ", " + plural(infos, "info")
	switch {
	case refused != nil:
		c.summary.Importance = widget.DangerImportance
		c.summary.SetText("Refused: " + counts)
	case errs > 0:
		c.summary.Importance = widget.DangerImportance
		c.summary.SetText("Invalid glTF: " + counts)
	case warns > 0:
		c.summary.Importance = widget.WarningImportance
		c.summary.SetText("Valid glTF: " + counts)
	default:
		c.summary.Importance = widget.SuccessImportance
		c.summary.SetText("Valid glTF: " + counts)
	}
	c.layout()
}

// layout shows the issue lines, the first few or all of them.
func (c *checkReport) layout() {
	n := len(c.issues)
	if !c.all {
		n = min(n, shownIssues)
	}
	c.lines.RemoveAll()
	for _, is := range c.issues[:n] {
		l := widget.NewLabel(issueLine(is))
		l.Wrapping = fyne.TextWrapWord
		switch is.Severity {
		case inspect.SeverityError:
			l.Importance = widget.DangerImportance
		case inspect.SeverityWarning:
			l.Importance = widget.WarningImportance
		default:
			l.Importance = widget.LowImportance
		}
		c.lines.Add(l)
	}
	switch {
	case len(c.issues) <= shownIssues:
		c.more.Hide()
	case c.all:
		c.more.SetText("Show fewer")
		c.more.Show()
	default:
		c.more.SetText(fmt.Sprintf("Show all %d", len(c.issues)))
		c.more.Show()
	}
}

// issueLine writes one issue: its severity, code and pointer, then the message.
func issueLine(is inspect.Issue) string {
	sev := is.Severity.String()
	s := strings.ToUpper(sev[:1]) + sev[1:]
	if is.Code != "" {
		s += " " + is.Code
	}
	if is.Pointer != "" {
		s += " at " + is.Pointer
	}
	if is.Message != "" {
		s += ": " + is.Message
	}
	s = providers.Printable(s)
	if r := []rune(s); len(r) > maxIssueText {
		s = string(r[:maxIssueText-1]) + "…"
	}
	return s
}

// plural writes a count of things: "0 errors", "1 error", "2 warnings"; info is its own
// plural, as the validator writes it.
func plural(n int, what string) string {
	if n == 1 || what == "info" {
		return fmt.Sprintf("%d %s", n, what)
	}
	return fmt.Sprintf("%d %ss", n, what)
}
