package kaedim

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"strings"
	"sync"
	"time"
	"unicode"

	"github.com/kiln3d/kiln/providers"
)

// Credentials are what Kaedim's web app shows under Settings > API Keys. DevID and StudioID may be
// shown; the API key and the refresh token never are: every way of printing or logging Credentials
// hides them.
type Credentials struct{ DevID, APIKey, RefreshToken, StudioID string }

func (c Credentials) String() string {
	return fmt.Sprintf("kaedim.Credentials{DevID: %q, APIKey: %s, RefreshToken: %s, StudioID: %q}",
		c.DevID, hidden(c.APIKey), hidden(c.RefreshToken), c.StudioID)
}

// GoString keeps the secrets out of %#v.
func (c Credentials) GoString() string { return c.String() }

// Format keeps the secrets out of every verb, %d and %x included.
func (c Credentials) Format(f fmt.State, _ rune) { _, _ = io.WriteString(f, c.String()) }

// LogValue keeps the secrets out of slog, whose JSON handler would otherwise marshal the fields.
func (c Credentials) LogValue() slog.Value { return slog.StringValue(c.String()) }

func hidden(s string) string {
	if s == "" {
		return "(none)"
	}
	return "(hidden)"
}

// Secrets gives the account's credentials and keeps its JWT. Kiln's core implements it over the OS
// keychain (or environment variables, then the JWT lives in memory). Implementations are safe for
// concurrent use.
type Secrets interface {
	Credentials(ctx context.Context) (Credentials, error)
	// JWT returns the stored JWT and its expiry; token is "" when none is stored.
	JWT(ctx context.Context) (token string, expires time.Time, err error)
	SaveJWT(ctx context.Context, token string, expires time.Time) error
}

// The KeyField keys of a Kaedim credential: the names of its providers.Secrets fields and of the
// KILN_KAEDIM_<KEY> environment variables.
const (
	FieldDevID        = "dev_id"
	FieldAPIKey       = "api_key"
	FieldRefreshToken = "refresh_token"
	FieldStudioID     = "studio_id"
)

// KeyFields lists what a Kaedim credential holds, in the order Kaedim's API Keys page shows it.
func KeyFields() []providers.KeyField {
	return []providers.KeyField{
		{Key: FieldDevID, Label: "Developer ID (devID)"},
		{Key: FieldAPIKey, Label: "API key", Secret: true},
		{Key: FieldRefreshToken, Label: "Refresh token", Secret: true},
		{Key: FieldStudioID, Label: "Studio ID (studio accounts only)", Optional: true},
	}
}

// FromFields adapts the core's providers.Secrets, whose fields are keyed by KeyFields, to Secrets.
func FromFields(s providers.Secrets) Secrets { return fieldSecrets{s} }

type fieldSecrets struct{ s providers.Secrets }

func (f fieldSecrets) Credentials(ctx context.Context) (Credentials, error) {
	v, err := f.s.Fields(ctx)
	if err != nil {
		return Credentials{}, err
	}
	return Credentials{DevID: v[FieldDevID], APIKey: v[FieldAPIKey], RefreshToken: v[FieldRefreshToken], StudioID: v[FieldStudioID]}, nil
}

func (f fieldSecrets) JWT(ctx context.Context) (string, time.Time, error) { return f.s.Token(ctx) }

func (f fieldSecrets) SaveJWT(ctx context.Context, token string, expires time.Time) error {
	return f.s.SaveToken(ctx, token, expires)
}

// MemorySecrets holds credentials in memory and keeps the JWT beside them: for credentials that
// come from the environment, and for tests.
type MemorySecrets struct {
	mu      sync.Mutex
	creds   Credentials
	jwt     string
	expires time.Time
}

// NewMemorySecrets returns Secrets holding c and no JWT.
func NewMemorySecrets(c Credentials) *MemorySecrets { return &MemorySecrets{creds: c} }

// Credentials implements Secrets.
func (m *MemorySecrets) Credentials(context.Context) (Credentials, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.creds, nil
}

// JWT implements Secrets.
func (m *MemorySecrets) JWT(context.Context) (string, time.Time, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.jwt, m.expires, nil
}

// SaveJWT implements Secrets.
func (m *MemorySecrets) SaveJWT(_ context.Context, token string, expires time.Time) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.jwt, m.expires = token, expires
	return nil
}

// SetCredentials replaces the credentials and forgets the JWT, which belonged to the old ones.
func (m *MemorySecrets) SetCredentials(c Credentials) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.creds, m.jwt, m.expires = c, "", time.Time{}
}

// CredentialsError says which credential is missing or damaged. It matches
// providers.ErrUnauthorized, so that the views ask for a key.
type CredentialsError struct {
	// Problem names the field and what is wrong with it: "no refresh token".
	Problem string
}

func (e *CredentialsError) Error() string {
	return fmt.Sprintf("kaedim: %s: copy it from Settings > API Keys at https://app.kaedim3d.com", e.Problem)
}

// Is makes errors.Is(err, providers.ErrUnauthorized) true.
func (e *CredentialsError) Is(target error) bool { return target == providers.ErrUnauthorized }

// loadCredentials reads the credentials and checks them before any is put in a header: pasted
// keys often carry a stray space or line break.
func loadCredentials(ctx context.Context, s Secrets) (Credentials, error) {
	if s == nil {
		return Credentials{}, &CredentialsError{Problem: "no Kaedim key is set up"}
	}
	c, err := s.Credentials(ctx)
	if err != nil {
		return Credentials{}, fmt.Errorf("kaedim: read the credentials: %w", err)
	}
	c.DevID, c.APIKey = strings.TrimSpace(c.DevID), strings.TrimSpace(c.APIKey)
	c.RefreshToken, c.StudioID = strings.TrimSpace(c.RefreshToken), strings.TrimSpace(c.StudioID)
	for _, f := range []struct{ name, value string }{
		{"developer ID (devID)", c.DevID}, {"API key", c.APIKey}, {"refresh token", c.RefreshToken}, {"studio ID", c.StudioID},
	} {
		if f.value == "" && f.name != "studio ID" {
			return Credentials{}, &CredentialsError{Problem: "no " + f.name}
		}
		if strings.ContainsFunc(f.value, func(r rune) bool { return unicode.IsControl(r) || unicode.IsSpace(r) }) {
			return Credentials{}, &CredentialsError{Problem: "the " + f.name + " contains a space or line break"}
		}
	}
	return c, nil
}
