package views

import (
	"testing"

	"github.com/kiln3d/kiln/providers/providertest"
)

// Every tab fits the window's default width: a row that cannot shrink would widen the window
// past the screen.
func TestTabsFitTheWindow(t *testing.T) {
	u, _ := harnessWithPreview(t, &fakeRenderer{}, providertest.NewFake("fake"))
	for _, it := range u.tabs.Items {
		if w := it.Content.MinSize().Width; w > 1100 {
			t.Errorf("the %s tab needs %.0f px, more than the window's 1100", it.Text, w)
		}
	}
	for name, w := range map[string]float32{
		"job row": newJobRow(u.jobs).MinSize().Width, "library row": newAssetTile(u.library, true).MinSize().Width,
		"library details": u.library.details.single.MinSize().Width,
		"key row":         newKeyRow(u.settings).MinSize().Width,
	} {
		if w > 1100 {
			t.Errorf("a %s needs %.0f px", name, w)
		}
	}
}
