package kaedim

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/kiln3d/kiln/providers"
	"github.com/kiln3d/kiln/providers/providertest"
)

func TestTestChecksEveryCredential(t *testing.T) {
	h := setup(t, nil)
	ctx := context.Background()
	if _, err := h.p.Projects(ctx); err != nil {
		t.Fatal(err)
	}
	if err := h.p.Test(ctx); err != nil {
		t.Fatal(err)
	}
	// Even with a JWT at hand, the test refreshes: that is what checks the refresh token.
	if n := h.fake.Count("refreshJWT"); n != 2 {
		t.Errorf("%d refreshes, want 2", n)
	}
	a := h.fake.Account
	for name, c := range map[string]struct {
		creds Credentials
		kind  error
		says  string
	}{
		"wrong refresh token": {Credentials{DevID: a.DevID, APIKey: a.APIKey, RefreshToken: "rt-nope"}, providers.ErrUnauthorized,
			"Kaedim refused the API key or the refresh token: copy both again from Settings > API Keys at https://app.kaedim3d.com"},
		"wrong key": {Credentials{DevID: a.DevID, APIKey: "kd-nope", RefreshToken: a.RefreshToken}, providers.ErrUnauthorized,
			"(kaedim: refresh the JWT: Invalid API key (HTTP 401 Unauthorized))"},
		"unknown devID": {Credentials{DevID: "nobody", APIKey: a.APIKey, RefreshToken: a.RefreshToken}, providers.ErrNotFound,
			"Kaedim knows no account with this developer ID"},
		"no refresh token": {Credentials{DevID: a.DevID, APIKey: a.APIKey}, providers.ErrUnauthorized,
			"kaedim: no refresh token: copy it from Settings > API Keys"},
	} {
		h.secrets.SetCredentials(c.creds)
		err := h.p.Test(ctx)
		if !errors.Is(err, c.kind) || !strings.Contains(err.Error(), c.says) {
			t.Errorf("%s: %v, want %v saying %q", name, err, c.kind, c.says)
		}
	}
}

func TestTestKeyWithTheCoresSecrets(t *testing.T) {
	h := setup(t, nil)
	a := h.fake.Account
	s := providertest.NewSecrets(map[string]string{FieldDevID: a.DevID, FieldAPIKey: a.APIKey, FieldRefreshToken: a.RefreshToken})
	if err := h.p.TestKey(context.Background(), s); err != nil {
		t.Fatal(err)
	}
	jwts := h.fake.JWTs()
	if tok, exp, _ := s.Token(context.Background()); tok != jwts[len(jwts)-1] || exp.IsZero() {
		t.Error("TestKey did not keep the JWT it bought")
	}
	s.Set(FieldAPIKey, "kd-wrong")
	err := h.p.TestKey(context.Background(), s)
	var api *providers.APIError
	if !errors.Is(err, providers.ErrUnauthorized) || !errors.As(err, &api) || api.Message != "Invalid API key" {
		t.Errorf("got %v, want the typed ErrUnauthorized", err)
	}
	var names []string
	for _, f := range h.p.Capabilities().KeyFields {
		names = append(names, f.Key)
	}
	if strings.Join(names, " ") != "dev_id api_key refresh_token studio_id" {
		t.Errorf("key fields %v", names)
	}
}

// TestTestWhileJobsRun: the test's refresh replaces the JWT jobs hold; they pick up the new one
// from Secrets without refreshing again.
func TestTestWhileJobsRun(t *testing.T) {
	h := setup(t, nil)
	ctx := context.Background()
	remote := h.submit()
	if err := h.p.TestKey(ctx, &secretsFields{h.secrets}); err != nil {
		t.Fatal(err)
	}
	if _, _, err := h.collect(h.p, remote); err != nil {
		t.Fatal(err)
	}
	if n := h.fake.Count("refreshJWT"); n != 2 {
		t.Errorf("%d refreshes, want 2 (the job's, the test's)", n)
	}
}

// secretsFields shows MemorySecrets to TestKey as the core's providers.Secrets.
type secretsFields struct{ m *MemorySecrets }

func (s *secretsFields) Fields(ctx context.Context) (map[string]string, error) {
	c, _ := s.m.Credentials(ctx)
	return map[string]string{FieldDevID: c.DevID, FieldAPIKey: c.APIKey, FieldRefreshToken: c.RefreshToken, FieldStudioID: c.StudioID}, nil
}
func (s *secretsFields) Token(ctx context.Context) (string, time.Time, error) { return s.m.JWT(ctx) }
func (s *secretsFields) SaveToken(ctx context.Context, t string, e time.Time) error {
	return s.m.SaveJWT(ctx, t, e)
}
