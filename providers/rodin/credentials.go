package rodin

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"

	"github.com/kiln3d/kiln/providers"
)

// FieldAPIKey is the one field of a Rodin credential: the name of its providers.Secrets field and
// of the KILN_RODIN_API_KEY environment variable.
const FieldAPIKey = "api_key"

// keysPage is where an artist makes a key.
const keysPage = "the API Key Management page of your Rodin account (hyper3d.ai)"

// KeyFields lists what a Rodin credential holds: one API key, which Rodin shows only once.
func KeyFields() []providers.KeyField {
	return []providers.KeyField{{Key: FieldAPIKey, Label: "API key", Secret: true}}
}

// CredentialsError says that the API key is missing or damaged. It matches
// providers.ErrUnauthorized, so that the views ask for a key.
type CredentialsError struct {
	// Problem says what is wrong: "no Rodin API key is set up".
	Problem string
}

func (e *CredentialsError) Error() string {
	return fmt.Sprintf("rodin: %s: create a key on %s and paste it into Kiln", e.Problem, keysPage)
}

// Is makes errors.Is(err, providers.ErrUnauthorized) true.
func (e *CredentialsError) Is(target error) bool { return target == providers.ErrUnauthorized }

// loadKey reads the API key from s and checks it before it goes into a header: a pasted key often
// carries a stray space or line break, and a header must not carry a control character.
func loadKey(ctx context.Context, s providers.Secrets) (string, error) {
	if s == nil {
		return "", &CredentialsError{Problem: "no Rodin API key is set up"}
	}
	fields, err := s.Fields(ctx)
	if err != nil {
		return "", fmt.Errorf("rodin: read the API key: %w", err)
	}
	key := strings.TrimSpace(fields[FieldAPIKey])
	if key == "" {
		return "", &CredentialsError{Problem: "no Rodin API key is set up"}
	}
	if problem := providers.PastedKeyProblem(key); problem != "" {
		return "", &CredentialsError{Problem: "the Rodin API key " + problem}
	}
	return key, nil
}

// TestKey checks the credential s with Rodin's cheapest authenticated request, GET
// /check_balance, which charges nothing (providers.KeyTester). A refused key is a
// *providers.APIError wrapping providers.ErrUnauthorized with Rodin's words ("Not authenticated").
func (p *Provider) TestKey(ctx context.Context, s providers.Secrets) error {
	key, err := loadKey(ctx, s)
	if err != nil {
		return err
	}
	_, err = p.balance(ctx, key, "test the API key")
	return scrub(err, key)
}

// notAuthenticated is Rodin's refusal of a key, the one error text its documentation confirms.
const notAuthenticated = "not authenticated"

// refusedKey makes Rodin's refusal of a key say what to do, keeping Rodin's words first. A 403,
// or a success status without its answer, that says "Not authenticated" is a refused key too: a
// 403 is what a missing bearer token gets from many API frameworks.
func refusedKey(api *providers.APIError) {
	said := strings.Contains(strings.ToLower(api.Message), notAuthenticated)
	if !errors.Is(api.Kind, providers.ErrUnauthorized) && (!said || (api.Status != http.StatusForbidden && api.Status >= 300)) {
		return
	}
	api.Kind = providers.ErrUnauthorized
	api.Message += " (Rodin refused the API key: it is wrong, or was revoked; create a new one on " + keysPage + ")"
}
