package kaedim

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"

	"github.com/kiln3d/kiln/providers"
)

// Projects lists the account's projects (Kaedim's styles), which Request.ProjectID names.
func (p *Provider) Projects(ctx context.Context) ([]providers.Project, error) {
	creds, err := loadCredentials(ctx, p.main.secrets)
	if err != nil {
		return nil, err
	}
	projects, err := p.main.projects(ctx, creds)
	return projects, p.main.scrub(err, creds)
}

func (s *session) projects(ctx context.Context, creds Credentials) ([]providers.Project, error) {
	const op = "list projects"
	// Kaedim puts the list in "message".
	var out struct {
		Message json.RawMessage `json:"message"`
	}
	q := url.Values{"devID": {creds.DevID}}
	if err := s.do(ctx, creds, call{op: op, method: http.MethodGet, route: "fetchProjects", query: q, jwt: true}, &out); err != nil {
		return nil, err
	}
	var list []struct {
		ProjectID flexText `json:"projectID"`
		Name      flexText `json:"name"`
	}
	if len(out.Message) > 0 && string(out.Message) != "null" {
		if err := decodeRaw(op, out.Message, &list); err != nil {
			return nil, err
		}
	}
	projects := make([]providers.Project, 0, len(list))
	for _, l := range list {
		if l.ProjectID != "" {
			projects = append(projects, providers.Project{ID: string(l.ProjectID), Name: string(l.Name)})
		}
	}
	return projects, nil
}

// Test checks the configured credentials for the key test button, with two requests. A refresh
// (POST refreshJWT) is the only request that checks the refresh token, which a stored JWT would
// otherwise leave untested for up to 12 hours; fetchProjects then checks the API key and the new
// JWT together, and is the cheapest authenticated request: no side effect, no charge, no
// requestID needed, a short answer. Its errors say what to do.
func (p *Provider) Test(ctx context.Context) error { return explain(p.main.test(ctx)) }

// TestKey checks a credential the core holds (providers.KeyTester). Its errors are the typed ones,
// which the core explains itself.
func (p *Provider) TestKey(ctx context.Context, s providers.Secrets) error {
	return p.session(FromFields(s)).test(ctx)
}

func (s *session) test(ctx context.Context) error {
	creds, err := loadCredentials(ctx, s.secrets)
	if err != nil {
		return err
	}
	if err := s.forceRefresh(ctx, creds); err != nil {
		return s.scrub(err, creds)
	}
	_, err = s.projects(ctx, creds)
	return s.scrub(err, creds)
}

// forceRefresh buys a new JWT whatever the cache holds. Calls of other sessions holding the old
// JWT get a 401, find the new one in Secrets and go on without refreshing again.
func (s *session) forceRefresh(ctx context.Context, creds Credentials) error {
	select {
	case s.p.refreshing <- struct{}{}:
	case <-ctx.Done():
		return fmt.Errorf("kaedim: wait for a new JWT: %w", ctx.Err())
	}
	defer func() { <-s.p.refreshing }()
	_, err := s.refresh(ctx, creds)
	return err
}

// explained is an error with advice an artist can follow before it.
type explained struct {
	advice string
	err    error
}

func (e *explained) Error() string { return e.advice + " (" + e.err.Error() + ")" }
func (e *explained) Unwrap() error { return e.err }

// explain puts advice before a key test's error.
func explain(err error) error {
	const keysPage = "Settings > API Keys at https://app.kaedim3d.com"
	var missing *CredentialsError
	if err == nil || errors.As(err, &missing) {
		return err // it says what is missing and where to find it
	}
	advice := ""
	switch {
	case errors.Is(err, providers.ErrUnauthorized):
		advice = "Kaedim refused the API key or the refresh token: copy both again from " + keysPage +
			" (the refresh token is below the API key), or ask Kaedim for new ones"
	case errors.Is(err, providers.ErrNotFound):
		advice = "Kaedim knows no account with this developer ID: copy the devID again from " + keysPage
	case errors.Is(err, providers.ErrForbidden):
		advice = "Kaedim accepted the key but refuses this account the API: ask Kaedim's support to enable it"
	case errors.Is(err, providers.ErrInvalidInput):
		advice = "Kaedim refused the request: check the developer ID and the studio ID against " + keysPage
	case errors.Is(err, providers.ErrRateLimited):
		advice = "Kaedim asks Kiln to slow down: test again in a minute"
	case errors.Is(err, providers.ErrNetwork):
		advice = "Kiln could not reach Kaedim: check the internet connection, any proxy or firewall, and Kaedim's address in Settings"
	case errors.Is(err, providers.ErrServer):
		advice = "Kaedim failed to answer properly: test again later"
	default:
		return err
	}
	return &explained{advice: advice, err: err}
}
