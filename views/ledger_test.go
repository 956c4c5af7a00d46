package views

import (
	"os"
	"strings"
	"testing"

	"fyne.io/fyne/v2/test"

	"github.com/kiln3d/kiln/app"
	"github.com/kiln3d/kiln/providers"
	"github.com/kiln3d/kiln/providers/providertest"
)

// A job whose submission was never confirmed offers the artist's two choices in place of Retry
// and Cancel, and says what happened; Mark as failed ends it with its explanation.
func TestUnconfirmedJobOffersTheArtistsChoice(t *testing.T) {
	fake := providertest.NewFake("fake")
	fake.SubmitErr = &providers.APIError{Provider: "fake", Op: "process", Kind: providers.ErrNetwork, Message: "connection reset"}
	u, ui := harness(t, nil, fake)
	u.create.addPaths([]string{writeImage(t, t.TempDir(), "pot.png")})
	ui.until(t, "the image", func() bool { return !u.create.submit.Disabled() })
	test.Tap(u.create.submit)
	ui.until(t, "unconfirmed", func() bool { return len(rows(u)) == 1 && rows(u)[0].state.Text == "Unconfirmed" })
	r := rows(u)[0]
	if r.retry.Text != "Submit again…" || r.cancel.Text != "Mark as failed" || r.retry.Disabled() || r.cancel.Disabled() {
		t.Fatalf("buttons %q (disabled %v), %q (disabled %v)", r.retry.Text, r.retry.Disabled(), r.cancel.Text, r.cancel.Disabled())
	}
	if !strings.Contains(r.detail.Text, "Submit again, or Mark as failed") {
		t.Errorf("detail %q", r.detail.Text)
	}
	if !r.why.Visible() {
		t.Error("no Why? on an unconfirmed job")
	}
	test.Tap(r.why)
	if overlays := u.win.Canvas().Overlays().List(); len(overlays) == 0 {
		t.Error("Why? opened nothing")
	} else {
		u.win.Canvas().Overlays().Remove(overlays[0])
	}
	test.Tap(r.cancel)
	ui.until(t, "failed", func() bool { return rows(u)[0].state.Text == "Failed" })
	if d := rows(u)[0].detail.Text; !strings.Contains(d, "never confirmed that Fake fake received") {
		t.Errorf("failed detail %q", d)
	}
	if fake.Submits() != 1 {
		t.Errorf("%d submits, want 1", fake.Submits())
	}
}

// A library folder whose model was deleted is listed as damaged, with the reason, and nothing
// opens it; the window does not fall over.
func TestDamagedAssetIsNamedAndNotOpened(t *testing.T) {
	fake := providertest.NewFake("fake")
	u, ui := harness(t, nil, fake)
	u.create.addPaths([]string{writeImage(t, t.TempDir(), "pot.png")})
	ui.until(t, "the image", func() bool { return !u.create.submit.Disabled() })
	test.Tap(u.create.submit)
	ui.until(t, "done", func() bool { return len(rows(u)) == 1 && rows(u)[0].state.Text == "Done" })
	if err := os.Remove(rows(u)[0].panel.jobs[0].Files[0]); err != nil {
		t.Fatal(err)
	}
	u.selectTab("Library")
	u.library.reload()
	u.library.refresh()
	row := selectAsset(t, u, ui, func(e app.Entry) bool { return e.State == app.StateDamaged })
	if !strings.Contains(row.state.Text, "Damaged") || !strings.Contains(row.state.Text, "missing") ||
		!row.save.Disabled() || !row.look.Disabled() || !row.reduce.Disabled() || !row.dup.Disabled() {
		t.Errorf("damaged details: %q, save %v look %v reduce %v", row.state.Text, row.save.Disabled(), row.look.Disabled(), row.reduce.Disabled())
	}
	if !strings.Contains(u.library.status.Text, "1 model damaged") {
		t.Errorf("status %q", u.library.status.Text)
	}
}

// A finished job's row says how the provider made the model (its notes), after the triangles.
func TestDoneJobSaysHowItWasMade(t *testing.T) {
	fake := providertest.NewFake("fake")
	fake.Note = "Shape: Turned, picked by Auto because the outline is mirror-symmetric"
	u, ui := harness(t, nil, fake)
	u.create.addPaths([]string{writeImage(t, t.TempDir(), "pot.png")})
	ui.until(t, "the image", func() bool { return !u.create.submit.Disabled() })
	test.Tap(u.create.submit)
	ui.until(t, "done", func() bool { return len(rows(u)) == 1 && rows(u)[0].state.Text == "Done" })
	if d := rows(u)[0].detail.Text; d != "fake · 4 triangles · "+fake.Note {
		t.Errorf("detail %q", d)
	}
}
