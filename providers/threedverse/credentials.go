package threedverse

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"

	"github.com/kiln3d/kiln/providers"
)

// The fields of a 3dverse credential: the names of its providers.Secrets fields and of the
// KILN_3DVERSE_API_KEY and KILN_3DVERSE_USER_TOKEN environment variables. Either may be set; when
// both are, the API key is used and the user token is not.
const (
	// FieldAPIKey is a server-side API key made in the 3dverse console, with which Kiln acts as
	// its own 3dverse user.
	FieldAPIKey = "api_key"
	// FieldUserToken is a user token 3dverse made for the artist's own user, with which Kiln acts
	// as that user until the token expires.
	FieldUserToken = "user_token"
)

// consolePage is where an artist makes an API key.
const consolePage = "the 3dverse console (console.3dverse.com), under your app's API keys"

// KeyFields lists what a 3dverse credential holds: an API key, or instead a user token. Both are
// optional, but one of them is needed.
func KeyFields() []providers.KeyField {
	return []providers.KeyField{
		{Key: FieldAPIKey, Label: "API key", Secret: true, Optional: true},
		{Key: FieldUserToken, Label: "User token (instead of an API key)", Secret: true, Optional: true},
	}
}

// CredentialsError says that the credential is missing or damaged. It matches
// providers.ErrUnauthorized, so that the views ask for a key.
type CredentialsError struct {
	// Problem says what is wrong: "no 3dverse API key or user token is set up".
	Problem string
}

// Error says what is wrong with the credential and where to get one.
func (e *CredentialsError) Error() string {
	return fmt.Sprintf("%s: %s: make an API key in %s and paste it into Kiln, or paste a user token", Name, e.Problem, consolePage)
}

// Is makes errors.Is(err, providers.ErrUnauthorized) true.
func (e *CredentialsError) Is(target error) bool { return target == providers.ErrUnauthorized }

// creds is a credential as read from its Secrets: an API key, or else a pasted user token.
type creds struct {
	// key is the API key; "" when the artist pasted a user token instead.
	key string
	// pasted is the user token the artist pasted; "" when there is an API key.
	pasted string
	// store keeps the user tokens Kiln makes with the key.
	store providers.Secrets
}

// primary is the credential the artist gave: the API key, or the pasted user token.
func (c creds) primary() string {
	if c.key != "" {
		return c.key
	}
	return c.pasted
}

// loadCreds reads the credential from s and checks it before it goes into a header: a pasted key
// often carries a stray space or line break, and a header must not carry a control character.
func loadCreds(ctx context.Context, s providers.Secrets) (creds, error) {
	missing := &CredentialsError{Problem: "no 3dverse API key or user token is set up"}
	if s == nil {
		return creds{}, missing
	}
	fields, err := s.Fields(ctx)
	if err != nil {
		return creds{}, fmt.Errorf("%s: read the credential: %w", Name, err)
	}
	c := creds{key: strings.TrimSpace(fields[FieldAPIKey]), store: s}
	if c.key == "" {
		c.pasted = strings.TrimSpace(fields[FieldUserToken])
	}
	switch {
	case c.key != "":
		if problem := providers.PastedKeyProblem(c.key); problem != "" {
			return creds{}, &CredentialsError{Problem: "the API key " + problem}
		}
	case c.pasted != "":
		if problem := providers.PastedKeyProblem(c.pasted); problem != "" {
			return creds{}, &CredentialsError{Problem: "the user token " + strings.ReplaceAll(problem, "the key", "the token")}
		}
	default:
		return creds{}, missing
	}
	return c, nil
}

// TestKey checks the credential s (providers.KeyTester) by listing one folder, GET
// /folders?offset=0&limit=1, and, with an API key, the app's users, GET /users, which Kiln needs
// to act as its own user. A refused credential is a *providers.APIError wrapping
// providers.ErrUnauthorized; an API key without a scope Kiln needs one wrapping
// providers.ErrForbidden.
func (t *Target) TestKey(ctx context.Context, s providers.Secrets) error {
	op := "test the credential"
	if err := ctxErr(ctx, op); err != nil {
		return err
	}
	c, err := loadCreds(ctx, s)
	if err != nil {
		return err
	}
	ss := t.session(c)
	var folders []folderJSON
	if _, err := ss.either(ctx, call{op: op, method: http.MethodGet, route: "folders?offset=0&limit=1"}, &folders); err != nil {
		return err
	}
	if c.key == "" {
		return nil
	}
	var users []userJSON
	_, err = ss.withKey(ctx, call{op: op, method: http.MethodGet, route: "users"}, &users)
	return err
}

// forbidden makes a refusal of a permission say what to do about it, keeping 3dverse's words
// first. folder names the folder the call concerned, "" for none.
func (ss *session) forbidden(err error, folder string) error {
	var api *providers.APIError
	if !errors.As(err, &api) || !errors.Is(api.Kind, providers.ErrForbidden) {
		return err
	}
	where := "the folder"
	if folder != "" {
		where = "the folder " + providers.Printable(folder)
	}
	switch {
	case ss.key != "" && ss.grantRefused != "":
		api.Message += fmt.Sprintf(" (Kiln's 3dverse user %q has no write access to %s, and the API key could not give it: %s; "+
			"give the key the \"folders\" scope in %s, or grant the user write access in the console)",
			ss.t.username, where, ss.grantRefused, consolePage)
	case ss.key != "":
		api.Message += fmt.Sprintf(" (Kiln's 3dverse user %q may not write to %s: grant it write access in the 3dverse console, "+
			"or give the API key the \"users\" and \"folders\" scopes)", ss.t.username, where)
	default:
		api.Message += fmt.Sprintf(" (the user token's user may not write to %s: ask the folder's owner for write access, "+
			"paste a user token with the write scope, or pick a folder of your own)", where)
	}
	return err
}
