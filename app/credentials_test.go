package app

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/zalando/go-keyring"

	"github.com/kiln3d/kiln/providers"
	"github.com/kiln3d/kiln/providers/providertest"
)

// keyed is a fake provider that needs a key, and tests keys against expected values.
type keyed struct {
	*providertest.Fake
	want map[string]string
	err  error
}

func (k keyed) TestKey(ctx context.Context, s providers.Secrets) error {
	if k.err != nil {
		return k.err
	}
	got, err := s.Fields(ctx)
	if err != nil {
		return err
	}
	for key, v := range k.want {
		if got[key] != v {
			return &providers.APIError{Provider: "cloud", Op: "test", Status: 401, Message: "Invalid API key", Kind: providers.ErrUnauthorized}
		}
	}
	return nil
}

var cloudFields = []providers.KeyField{
	{Key: "dev_id", Label: "Developer ID"},
	{Key: "api_key", Label: "API key", Secret: true},
	{Key: "studio_id", Label: "Studio ID", Optional: true},
}

func openKeyed(t *testing.T, env map[string]string, tester keyed) *Kiln {
	t.Helper()
	keyring.MockInit()
	tester.Caps.NeedsKey = true
	tester.Caps.KeyFields = cloudFields
	reg, err := providers.NewRegistry(providertest.NewFake("local"), tester)
	if err != nil {
		t.Fatal(err)
	}
	k, err := Open(Options{Home: t.TempDir(), Providers: reg, Getenv: func(s string) string { return env[s] }})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { k.Close() })
	return k
}

func TestCredentialsLifecycle(t *testing.T) {
	ctx := context.Background()
	k := openKeyed(t, nil, keyed{Fake: providertest.NewFake("cloud"), want: map[string]string{"api_key": "sk-abcdefghijklmnopqrstuvwxyz"}})
	personal, err := k.Keys.Add(ctx, "cloud", "Personal", map[string]string{"dev_id": "dev-1", "api_key": "sk-abcdefghijklmnopqrstuvwxyz"})
	if err != nil {
		t.Fatal(err)
	}
	if !personal.Default || personal.Prefix != "sk-ab…" || personal.Created.IsZero() {
		t.Errorf("first credential: %+v", personal)
	}
	if _, err := k.Keys.Add(ctx, "cloud", "Studio", map[string]string{"dev_id": "dev-2", "api_key": "sk-zzzzzzzzzzzzzzzz", "studio_id": "st"}); err != nil {
		t.Fatal(err)
	}
	list, _ := k.Keys.List(ctx)
	if len(list) != 2 || !list[0].Default || list[0].Name != "Personal" || list[1].Default {
		t.Fatalf("list: %+v", list)
	}
	// The secret is in the keychain, not in the index.
	blob, err := keyring.Get("kiln:cloud", "Studio")
	if err != nil || !strings.Contains(blob, "sk-zzzzzzzzzzzzzzzz") {
		t.Errorf("keychain item: %q %v", blob, err)
	}
	outcome, err := k.Keys.TestKey(ctx, "cloud", "")
	if err != nil || outcome != "OK: the key works" {
		t.Errorf("testing the default: %q %v", outcome, err)
	}
	outcome, err = k.Keys.TestKey(ctx, "cloud", "Studio")
	if err == nil || !strings.HasPrefix(outcome, "Refused: the key is wrong") || !strings.Contains(outcome, "Invalid API key") {
		t.Errorf("testing a wrong key: %q %v", outcome, err)
	}
	list, _ = k.Keys.List(ctx)
	if list[1].LastTest != outcome || list[1].LastTestAt.IsZero() || list[0].LastUsed.IsZero() {
		t.Errorf("test results not recorded: %+v", list)
	}
	if err := k.Keys.SetDefault(ctx, "cloud", "Studio"); err != nil {
		t.Fatal(err)
	}
	if err := k.Keys.Remove(ctx, "cloud", "Studio"); err != nil {
		t.Fatal(err)
	}
	if _, err := keyring.Get("kiln:cloud", "Studio"); !errors.Is(err, keyring.ErrNotFound) {
		t.Errorf("the removed secret is still in the keychain: %v", err)
	}
	list, _ = k.Keys.List(ctx)
	if len(list) != 1 || !list[0].Default {
		t.Errorf("after removing the default, the other becomes default: %+v", list)
	}
	for _, bad := range []struct {
		name string
		vals map[string]string
		want string
	}{
		{"Personal", map[string]string{"dev_id": "d", "api_key": "k"}, "already has a credential named"},
		{"", map[string]string{"dev_id": "d", "api_key": "k"}, "give the credential a name"},
		{"Other", map[string]string{"dev_id": "d"}, "API key is required"},
	} {
		if _, err := k.Keys.Add(ctx, "cloud", bad.name, bad.vals); err == nil || !strings.Contains(err.Error(), bad.want) {
			t.Errorf("Add(%q): %v, want %q", bad.name, err, bad.want)
		}
	}
	if _, err := k.Keys.Add(ctx, "local", "x", nil); err == nil || !strings.Contains(err.Error(), "needs no key") {
		t.Errorf("a key for the local provider: %v", err)
	}
}

func TestEnvironmentOverridesTheKeychain(t *testing.T) {
	ctx := context.Background()
	env := map[string]string{"KILN_CLOUD_DEV_ID": "dev-env", "KILN_CLOUD_API_KEY": "sk-envenvenvenvenv"}
	k := openKeyed(t, env, keyed{Fake: providertest.NewFake("cloud")})
	// With no keychain at all, the environment still works.
	keyring.MockInitWithError(errors.New("The name org.freedesktop.secrets was not provided by any .service files"))
	s, err := k.Keys.Secrets(ctx, "cloud", "")
	if err != nil {
		t.Fatal(err)
	}
	f, err := s.Fields(ctx)
	if err != nil || f["api_key"] != "sk-envenvenvenvenv" || f["dev_id"] != "dev-env" {
		t.Fatalf("fields %v %v", f, err)
	}
	if err := s.SaveToken(ctx, "jwt-1", timeNowPlus(12)); err != nil {
		t.Fatal(err)
	}
	if tok, _, _ := s.Token(ctx); tok != "jwt-1" {
		t.Errorf("token kept in memory: %q", tok)
	}
	list, _ := k.Keys.List(ctx)
	if len(list) != 1 || !list[0].FromEnv || list[0].Name != EnvCredentialName {
		t.Errorf("list: %+v", list)
	}
	// Adding to a keychain that is not there says what to do, and keeps nothing anywhere.
	_, err = k.Keys.Add(ctx, "cloud", "Personal", map[string]string{"dev_id": "d", "api_key": "sk-secretsecret"})
	if !errors.Is(err, ErrNoKeychain) || !strings.Contains(err.Error(), "gnome-keyring") || !strings.Contains(err.Error(), "KILN_KAEDIM_API_KEY") {
		t.Errorf("no keychain: %v", err)
	}
	if list, _ := k.Keys.List(ctx); len(list) != 1 {
		t.Errorf("a failed Add left an index entry: %+v", list)
	}
}

func TestKeychainErrorsAreExplained(t *testing.T) {
	for msg, want := range map[string]string{
		"dial unix /run/user/0/bus: connect: no such file or directory":                  "no keychain is running",
		"failed to unlock correct collection '/org/freedesktop/secrets/aliases/default'": "the keychain is locked",
		"something odd": "the keychain refused the request (something odd)",
	} {
		err := explainKeychain(errors.New(msg))
		if !errors.Is(err, ErrNoKeychain) || !strings.Contains(err.Error(), want) {
			t.Errorf("%q → %v, want %q", msg, err, want)
		}
	}
	if !errors.Is(explainKeychain(keyring.ErrNotFound), errSecretMissing) {
		t.Error("not found")
	}
}

// keyedTarget is a fake target whose credential is one of two optional fields (3dverse's API key
// or user token).
type keyedTarget struct {
	*providertest.FakeTarget
	got providers.Secrets
}

func (k *keyedTarget) WithSecrets(s providers.Secrets) providers.Target {
	k.got = s
	return k
}

func TestTargetsKeepTheirKeysLikeProviders(t *testing.T) {
	keyring.MockInit()
	tg := &keyedTarget{FakeTarget: providertest.NewFakeTarget("verse")}
	tg.Info.KeyFields = []providers.KeyField{{Key: "api_key", Label: "API key", Secret: true, Optional: true},
		{Key: "user_token", Label: "User token", Secret: true, Optional: true}}
	reg := mustRegistry(t, providertest.NewFake("local"))
	if err := reg.AddTargets(tg); err != nil {
		t.Fatal(err)
	}
	env := map[string]string{}
	k, err := Open(Options{Home: t.TempDir(), Providers: reg, Getenv: func(s string) string { return env[s] }})
	if err != nil {
		t.Fatal(err)
	}
	defer k.Close()
	ctx := context.Background()
	if err := reg.AddTargets(providertest.NewFakeTarget("local")); err == nil {
		t.Error("a target named like a provider was taken")
	}
	// Neither field: refused, naming both.
	if _, err := k.Keys.Add(ctx, "verse", "Studio", map[string]string{}); err == nil || !strings.Contains(err.Error(), "API key, User token") {
		t.Errorf("a credential with nothing in it: %v", err)
	}
	// No key yet: a publication says how to add one.
	if _, err := k.Keys.BindTarget(ctx, "verse", ""); !errors.Is(err, ErrNoCredential) || !strings.Contains(err.Error(), "KILN_VERSE_") {
		t.Errorf("no key: %v", err)
	}
	if _, err := k.Keys.Add(ctx, "verse", "Studio", map[string]string{"user_token": "tok-123456789"}); err != nil {
		t.Fatal(err)
	}
	if _, err := k.Keys.BindTarget(ctx, "verse", ""); err != nil {
		t.Fatal(err)
	}
	if f, _ := tg.got.Fields(ctx); f["user_token"] != "tok-123456789" || f["api_key"] != "" {
		t.Errorf("bound fields %v", f)
	}
	// The environment overrides the keychain, with either field alone.
	env["KILN_VERSE_API_KEY"] = "env-key"
	creds, _ := k.Keys.List(ctx)
	if len(creds) != 2 || !creds[0].FromEnv || creds[0].Provider != "verse" {
		t.Errorf("credentials %+v", creds)
	}
	if _, err := k.Keys.BindTarget(ctx, "verse", ""); err != nil {
		t.Fatal(err)
	}
	if f, _ := tg.got.Fields(ctx); f["api_key"] != "env-key" {
		t.Errorf("bound fields %v: the environment's key should win", f)
	}
}
