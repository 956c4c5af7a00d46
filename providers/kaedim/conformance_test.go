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

func TestKeyTestConformance(t *testing.T) {
	h := setup(t, nil)
	a := h.fake.Account
	good := map[string]string{FieldDevID: a.DevID, FieldAPIKey: a.APIKey, FieldRefreshToken: a.RefreshToken}
	wrong := map[string]string{FieldDevID: a.DevID, FieldAPIKey: "kd-wrong-key-0123456789", FieldRefreshToken: a.RefreshToken}
	providertest.RunKeyTest(t, h.p, providertest.NewSecrets(good), providertest.NewSecrets(wrong))
}
