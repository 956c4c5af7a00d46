package kaedim

import (
	"path/filepath"
	"testing"

	"github.com/kiln3d/kiln/providers/providertest"
)

func TestConformance(t *testing.T) {
	h := setup(t, nil)
	providertest.Run(t, h.p, filepath.Join("..", "..", "assets", "samples", "mushroom.png"))
	// The whole suite, submits and collects alike, runs on one JWT.
	if n := h.fake.Count("refreshJWT"); n != 1 {
		t.Errorf("%d JWT refreshes, want 1", n)
	}
}
