package app

import (
	"context"
	"errors"
	"os"
	"testing"

	"github.com/zalando/go-keyring"

	"github.com/kiln3d/kiln/providers/providertest"
)

// TestKeychainIntegration stores, reads back, tests and removes a credential in a real Secret
// Service (gnome-keyring on a private D-Bus session). `make test` runs it through
// .ci/keychain-test, which sets KILN_KEYCHAIN_TEST=1; elsewhere it is skipped, because the other
// tests replace the keychain with go-keyring's in-memory mock for the whole process.
func TestKeychainIntegration(t *testing.T) {
	if os.Getenv("KILN_KEYCHAIN_TEST") != "1" {
		t.Skip("needs a real Secret Service: run through .ci/keychain-test (make test does)")
	}
	ctx := context.Background()
	fake := providertest.NewFake("cloud")
	fake.Caps.NeedsKey, fake.Caps.KeyFields = true, cloudFields
	const secret = "sk-integration-0123456789abcdef"
	reg := mustRegistry(t, keyed{Fake: fake, want: map[string]string{"api_key": secret}})
	k, err := Open(Options{Home: t.TempDir(), Providers: reg, Getenv: func(string) string { return "" }})
	if err != nil {
		t.Fatal(err)
	}
	defer k.Close()

	if _, err := k.Keys.Add(ctx, "cloud", "CI", map[string]string{"dev_id": "dev-ci", "api_key": secret}); err != nil {
		t.Fatalf("store in the real keychain: %v", err)
	}
	if blob, err := keyring.Get("kiln:cloud", "CI"); err != nil || blob == "" {
		t.Fatalf("read back through go-keyring: %v", err)
	}
	s, err := k.Keys.Secrets(ctx, "cloud", "")
	if err != nil {
		t.Fatal(err)
	}
	if f, err := s.Fields(ctx); err != nil || f["api_key"] != secret {
		t.Fatalf("read back: %v", err)
	}
	if outcome, err := k.Keys.TestKey(ctx, "cloud", "CI"); err != nil {
		t.Fatalf("test: %s %v", outcome, err)
	}
	if err := k.Keys.Remove(ctx, "cloud", "CI"); err != nil {
		t.Fatal(err)
	}
	if _, err := keyring.Get("kiln:cloud", "CI"); !errors.Is(err, keyring.ErrNotFound) {
		t.Fatalf("after remove: %v", err)
	}
}
