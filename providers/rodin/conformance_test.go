package rodin

import (
	"path/filepath"
	"strings"
	"testing"

	"github.com/kiln3d/kiln/providers"
	"github.com/kiln3d/kiln/providers/providertest"
	"github.com/kiln3d/kiln/providers/rodin/rodintest"
)

func TestConformance(t *testing.T) {
	h := setup(t, nil)
	providertest.Run(t, h.p, filepath.Join("..", "..", "assets", "samples", "mushroom.png"))
	// The suite submits three times (a job, a prompt, one it cancels) and never sends one again.
	if n := h.fake.Count(rodintest.RouteSubmit); n != 3 {
		t.Errorf("%d submissions, want 3", n)
	}
}

func TestKeyConformance(t *testing.T) {
	h := setup(t, nil)
	wrong := providertest.NewSecrets(map[string]string{FieldAPIKey: "rk_" + strings.Repeat("0", 40)})
	providertest.RunKeyTest(t, h.p, h.secrets, wrong)
}

// TestNotAReconciler: Rodin lists no tasks, so the client claims no way to find or import them.
func TestNotAReconciler(t *testing.T) {
	var p providers.Provider = setup(t, nil).p
	if _, ok := p.(providers.Reconciler); ok {
		t.Error("Rodin has no list of tasks, but the client is a Reconciler")
	}
	if _, ok := p.(providers.Importer); ok {
		t.Error("Rodin has no list of tasks, but the client is an Importer")
	}
}
