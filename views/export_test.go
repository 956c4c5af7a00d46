package views

import (
	"context"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"github.com/kiln3d/kiln/app"
	"github.com/kiln3d/kiln/app/modelio/modeliotest"
	"github.com/kiln3d/kiln/providers/providertest"
)

// checklistText is the export dialog's checklist as the artist reads it, one line per row.
func checklistText(d *exportDialog) string {
	var lines []string
	for _, o := range test.LaidOutObjects(d.checks) {
		if l, ok := o.(*widget.Label); ok && l.Text != "" {
			lines = append(lines, l.Text)
		}
	}
	return strings.Join(lines, "\n")
}

// fixButton is the checklist's button whose label starts with prefix, or nil.
func fixButton(d *exportDialog, prefix string) *widget.Button {
	for _, o := range test.LaidOutObjects(d.checks) {
		if b, ok := o.(*widget.Button); ok && strings.HasPrefix(b.Text, prefix) {
			return b
		}
	}
	return nil
}

// TestExportDialog: the artist opens Export on a model, picks a Godot project's folder (the
// engine is recognised), sets a budget the model is over: the triangle line fails and Export is
// disabled; the fix makes a reduced copy in the library, the line passes, and Export writes the
// reduced model with its sidecar. The choices are remembered for the folder.
func TestExportDialog(t *testing.T) {
	project := t.TempDir()
	if err := os.WriteFile(filepath.Join(project, "project.godot"), []byte("config_version=5\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(project, "models")
	if err := os.Mkdir(out, 0o755); err != nil {
		t.Fatal(err)
	}
	u, ui := harness(t, fakeDialogs{folder: out}, providertest.NewFake("local"))
	added, err := u.k.Library.AddModels(context.Background(), []string{modeliotest.LocalModel(t)}, nil)
	if err != nil {
		t.Fatal(err)
	}
	src := added[0]
	selectAsset(t, u, ui, func(e app.Entry) bool { return e.ID == src.ID })

	// The test's goroutine is the UI thread (see uiThread).
	d := u.showExport(u.library.selection())
	d.folder.SetText(out)
	d.folderChanged()
	ui.until(t, "Godot recognised", func() bool { return d.chosenPreset().Name == "godot" })
	ui.until(t, "the checks", func() bool { return strings.Contains(checklistText(d), "Triangles:") })
	if text := checklistText(d); !strings.Contains(text, "res://models") {
		t.Errorf("the folder line does not name the project's path:\n%s", text)
	}
	if d.ok.Disabled() {
		t.Fatalf("Export disabled with nothing failing:\n%s\n%s", checklistText(d), d.status.Text)
	}

	budget := src.Triangles / 2
	d.polycount.SetText(strconv.Itoa(budget))
	ui.until(t, "the triangle line failing", func() bool {
		return strings.Contains(checklistText(d), "over the budget") && d.ok.Disabled()
	})
	fix := fixButton(d, "Reduce to")
	if fix == nil {
		t.Fatalf("no reduce fix:\n%s", checklistText(d))
	}
	test.Tap(fix)
	ui.until(t, "the fixed copy checked", func() bool {
		return d.ids[0] != src.ID && strings.Contains(checklistText(d), "within the budget") && !d.ok.Disabled()
	})
	fixed, err := u.k.Library.Get(d.ids[0])
	if err != nil || fixed.DerivedFrom == nil || fixed.DerivedFrom.Asset != src.ID || fixed.Triangles > budget {
		t.Fatalf("the fixed copy: %+v %v", fixed, err)
	}
	test.Tap(d.ok)
	ui.until(t, "the files", func() bool {
		_, err1 := os.Stat(filepath.Join(out, "vase_"+strconv.Itoa(fixed.Triangles)+"_triangles.glb"))
		_, err2 := os.Stat(filepath.Join(out, "vase_"+strconv.Itoa(fixed.Triangles)+"_triangles"+app.SidecarSuffix))
		return err1 == nil && err2 == nil
	})
	// The choices are remembered once every file is written: a moment after the files appear.
	ui.until(t, "the folder's choices remembered", func() bool {
		c, ok := u.k.Settings.ExportChoice(out)
		return ok && c.Preset == "godot" && c.Polycount == budget
	})
	if orig, err := u.k.Library.Get(src.ID); err != nil || orig.Files[0].SHA256 != src.Files[0].SHA256 {
		t.Errorf("the original changed: %v", err)
	}
}

// TestThrottledProgress: a simplifier's thousands of reports reach the UI thread as a few hundred
// at most, the last (done) and every new message included.
func TestThrottledProgress(t *testing.T) {
	var got []float64
	var msgs []string
	report := throttled(func(f float64, msg string) {
		got = append(got, f)
		if msg != "" {
			msgs = append(msgs, msg)
		}
	})
	report(0, "Reducing…")
	for i := 1; i <= 100_000; i++ {
		report(float64(i)/100_000, "")
	}
	report(1, "Writing…")
	if len(got) > 300 || got[len(got)-1] != 1 {
		t.Errorf("%d reports passed on, the last %v", len(got), got[len(got)-1])
	}
	if strings.Join(msgs, ",") != "Reducing…,Writing…" {
		t.Errorf("messages %q", msgs)
	}
}
