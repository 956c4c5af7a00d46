package jobsapi

import (
	"context"
	"fmt"
	"net/http"
	"strings"

	"github.com/kiln3d/kiln/providers"
)

// FieldKey is the one field of a jobs API credential: the name of its providers.Secrets field
// and of the KILN_JOBSAPI_KEY environment variable.
const FieldKey = "key"

// keysPage is where an artist gets a key.
const keysPage = "the server's admin page (its address in a browser), or from whoever runs the server"

// KeyFields lists what a jobs API credential holds: one API key, which the server shows only
// once, when the key is made.
func KeyFields() []providers.KeyField {
	return []providers.KeyField{{Key: FieldKey, Label: "API key", Secret: true}}
}

// CredentialsError says that the API key is missing or damaged. It matches
// providers.ErrUnauthorized, so that the views ask for a key.
type CredentialsError struct {
	// Problem says what is wrong: "no Kiln server API key is set up".
	Problem string
}

// Error says what is wrong with the key and where to get one.
func (e *CredentialsError) Error() string {
	return fmt.Sprintf("%s: %s: get a key from %s and paste it into Kiln", Name, e.Problem, keysPage)
}

// Is makes errors.Is(err, providers.ErrUnauthorized) true.
func (e *CredentialsError) Is(target error) bool { return target == providers.ErrUnauthorized }

// loadKey reads the API key from s and checks it before it goes into a header: a pasted key often
// carries a stray space or line break, and a header must not carry a control character.
func loadKey(ctx context.Context, s providers.Secrets) (string, error) {
	if s == nil {
		return "", &CredentialsError{Problem: "no Kiln server API key is set up"}
	}
	fields, err := s.Fields(ctx)
	if err != nil {
		return "", fmt.Errorf("%s: read the API key: %w", Name, err)
	}
	key := strings.TrimSpace(fields[FieldKey])
	if key == "" {
		return "", &CredentialsError{Problem: "no Kiln server API key is set up"}
	}
	if problem := providers.PastedKeyProblem(key); problem != "" {
		return "", &CredentialsError{Problem: "the API key " + problem}
	}
	return key, nil
}

// TestKey checks the credential s with the cheapest call a key can make, GET
// /api/v1/jobs?limit=1 (providers.KeyTester). A refused key is a *providers.APIError wrapping
// providers.ErrUnauthorized; a key without the jobs:read scope one wrapping
// providers.ErrForbidden, in the server's words.
func (p *Provider) TestKey(ctx context.Context, s providers.Secrets) error {
	key, err := loadKey(ctx, s)
	if err != nil {
		return err
	}
	var out struct {
		Jobs *[]struct {
			ID string `json:"id"`
		} `json:"jobs"`
	}
	op := "test the API key"
	if _, err := p.do(ctx, key, call{op: op, method: http.MethodGet, route: "jobs?limit=1"}, &out); err != nil {
		return scrub(err, key)
	}
	if out.Jobs == nil {
		// A server that is not Kiln's (another service on the port) may answer any JSON.
		return service.Error(op, http.StatusOK, providers.ErrServer, "the server answered without a list of jobs: is this address a Kiln server?")
	}
	return nil
}
