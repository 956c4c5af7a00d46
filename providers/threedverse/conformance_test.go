package threedverse

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/kiln3d/kiln/providers"
	"github.com/kiln3d/kiln/providers/providertest"
	"github.com/kiln3d/kiln/providers/threedverse/threedversetest"
)

// TestConformanceAPIKey runs the target suite with an API key: Kiln's own user, its tokens and
// the folders it creates.
func TestConformanceAPIKey(t *testing.T) {
	h := setup(t, threedversetest.Options{})
	providertest.RunTarget(t, h.bound, providertest.TargetSuite{
		Model:   model(t, "chair.glb"),
		Uploads: h.uploads,
		Secrets: []string{h.key},
		Log:     h.log,
	})
	h.noSecret() // the tokens made during the suite, which it could not know beforehand
	if users := h.fake.Users(); len(users) != 1 || users[0].Username != DefaultUsername {
		t.Errorf("users %+v: want Kiln's one", users)
	}
	if n := h.requests(threedversetest.RouteUsersToken); n != 1 {
		t.Errorf("%d user tokens made: want one, reused by every call", n)
	}
}

// TestConformancePastedToken runs the target suite with a user token the artist pasted,
// publishing into a folder its user was granted write access to.
func TestConformancePastedToken(t *testing.T) {
	h := setup(t, threedversetest.Options{})
	user := h.fake.RegisterUser("artist")
	token := h.fake.UserToken(user, threedversetest.AccessWrite, time.Hour)
	h.fake.Grant(h.folder.ID, user, threedversetest.AccessWrite)
	tg := h.tg.WithSecrets(tokenOf(token))
	providertest.RunTarget(t, tg, providertest.TargetSuite{
		Model:   model(t, "chair.glb"),
		Uploads: h.uploads,
		Secrets: []string{h.key, token},
		Log:     h.log,
		Folder:  h.folder,
	})
	h.noSecret()
	for _, r := range h.fake.Requests() {
		if r.Auth != threedversetest.HeaderUserToken {
			t.Errorf("%s %s sent %q: with a pasted token, only the token", r.Method, r.Path, r.Auth)
		}
	}
	if n := h.requests(threedversetest.RouteFoldersGrant); n != 0 {
		t.Errorf("%d grants without an API key", n)
	}
}

// TestKeys checks TestKey against working, wrong, expired and under-scoped credentials.
func TestKeys(t *testing.T) {
	h := setup(t, threedversetest.Options{})
	providertest.RunKeyTest(t, h.tg, h.secrets, keyOf("4f1c2a9e-0000-4000-8000-"+strings.Repeat("a", 12)))
	ctx := context.Background()

	expired := h.fake.AddAPIKey(threedversetest.KeyOptions{Expires: h.fake.Clock().Now().Add(-time.Minute)})
	err := h.tg.TestKey(ctx, keyOf(expired))
	if !errors.Is(err, providers.ErrUnauthorized) || !strings.Contains(err.Error(), "expired") || !strings.Contains(err.Error(), "make a new one") {
		t.Errorf("an expired key: %v, want ErrUnauthorized saying it expired and what to do", err)
	}

	unscoped := h.fake.AddAPIKey(threedversetest.KeyOptions{Scopes: []string{threedversetest.ScopeFolders}})
	err = h.tg.TestKey(ctx, keyOf(unscoped))
	if !errors.Is(err, providers.ErrForbidden) || !strings.Contains(err.Error(), `"users"`) || !strings.Contains(err.Error(), "console") {
		t.Errorf("a key without the users scope: %v, want ErrForbidden naming the scope", err)
	}

	user := h.fake.RegisterUser("artist")
	if err := h.tg.TestKey(ctx, tokenOf(h.fake.UserToken(user, threedversetest.AccessWrite, time.Hour))); err != nil {
		t.Errorf("a working user token: %v", err)
	}
	err = h.tg.TestKey(ctx, tokenOf(h.fake.UserToken(user, threedversetest.AccessWrite, 0)))
	if !errors.Is(err, providers.ErrUnauthorized) || !strings.Contains(err.Error(), "paste a new one") {
		t.Errorf("an expired user token: %v, want ErrUnauthorized saying to paste a new one", err)
	}

	for what, s := range map[string]*providertest.Secrets{
		"nothing":          providertest.NewSecrets(nil),
		"blank fields":     providertest.NewSecrets(map[string]string{FieldAPIKey: " ", FieldUserToken: "\n"}),
		"a key with space": keyOf("abc def"),
		"a token with tab": tokenOf("abc\tdef"),
	} {
		var ce *CredentialsError
		if err := h.tg.TestKey(ctx, s); !errors.As(err, &ce) || !errors.Is(err, providers.ErrUnauthorized) {
			t.Errorf("%s: %v, want a *CredentialsError", what, err)
		}
	}
	if err := h.tg.TestKey(ctx, nil); !errors.Is(err, providers.ErrUnauthorized) {
		t.Errorf("no credential: %v", err)
	}
	h.noSecret(err)
}

// TestDescribe: the words the views show, and the key fields' names.
func TestDescribe(t *testing.T) {
	info := setup(t, threedversetest.Options{}).tg.Describe()
	if info.Name != "3dverse" || info.Title != "3dverse" || strings.Join(info.Formats, ",") != "glb,gltf" || info.Help == "" {
		t.Errorf("%+v", info)
	}
	if len(info.KeyFields) != 2 || info.KeyFields[0].Key != "api_key" || info.KeyFields[1].Key != "user_token" {
		t.Errorf("key fields %+v", info.KeyFields)
	}
	for _, f := range info.KeyFields {
		if !f.Secret || !f.Optional {
			t.Errorf("key field %+v: want secret and optional", f)
		}
	}
}

// TestNew: the endpoint's checks and the token's life.
func TestNew(t *testing.T) {
	for raw, want := range map[string]string{
		"":                                 DefaultEndpoint,
		"https://api.3dverse.dev/app/v1/":  "https://api.3dverse.dev/app/v1",
		"http://127.0.0.1:8080/app/v1":     "http://127.0.0.1:8080/app/v1",
		"https://api.3dverse.com/app/v1  ": DefaultEndpoint,
	} {
		tg, err := New(Config{Endpoint: raw})
		if err != nil || tg.Endpoint() != want {
			t.Errorf("New(%q): %v, %v; want %q", raw, tg, err, want)
		}
	}
	for _, bad := range []string{"http://api.3dverse.com/app/v1", "ftp://127.0.0.1", "https://u:p@api.3dverse.com", "https://api.3dverse.com/?api_key=x"} {
		if _, err := New(Config{Endpoint: bad}); err == nil || !strings.HasPrefix(err.Error(), "3dverse: ") {
			t.Errorf("New(%q): %v, want a refusal", bad, err)
		}
	}
	if _, err := New(Config{TokenTTL: time.Minute}); err == nil {
		t.Error("a token of a minute was accepted: it would be renewed at every call")
	}
	tg, err := New(Config{})
	if err != nil {
		t.Fatal(err)
	}
	bound := tg.WithSecrets(keyOf("k")).(*Target)
	if err := tg.SetEndpoint("https://api.3dverse.dev/app/v1"); err != nil || bound.Endpoint() != "https://api.3dverse.dev/app/v1" {
		t.Errorf("a bound target kept its own address %q (%v)", bound.Endpoint(), err)
	}
	for d, want := range map[time.Duration]string{time.Hour: "1h", 48 * time.Hour: "2d", 90 * time.Minute: "90m", 5*time.Minute + time.Second: "301s"} {
		if got := ttlText(d); got != want {
			t.Errorf("ttlText(%v) = %q, want %q", d, got, want)
		}
	}
}
