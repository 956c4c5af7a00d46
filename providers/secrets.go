package providers

import (
	"context"
	"time"
)

// KeyField is one part of a provider's credential ("API key", "Refresh token").
type KeyField struct {
	// Key names the field in Secrets.Fields and in environment variables:
	// KILN_<PROVIDER>_<KEY> in upper case, e.g. KILN_KAEDIM_API_KEY for "api_key".
	Key string
	// Label is what an artist reads when typing it.
	Label string
	// Secret fields are typed without echo and never shown again; others (an account id) may be.
	Secret bool
	// Optional fields may be left empty.
	Optional bool
}

// Secrets gives a provider one credential's fields and keeps its session token. Kiln's core
// implements it over the OS keychain, or over environment variables (then the token lives in
// memory only). Implementations are safe for concurrent use; nothing they return may be logged.
type Secrets interface {
	// Fields returns the credential's fields by KeyField.Key.
	Fields(ctx context.Context) (map[string]string, error)
	// Token returns the stored session token (Kaedim's JWT) and its expiry; "" when none.
	Token(ctx context.Context) (string, time.Time, error)
	// SaveToken keeps a new session token.
	SaveToken(ctx context.Context, token string, expires time.Time) error
}

// KeyTester is implemented by providers that can check a credential with their cheapest
// authenticated request. Its error wraps ErrUnauthorized, ErrForbidden, ErrNotFound, ErrNetwork
// or ErrServer, so the answer can be explained.
type KeyTester interface {
	TestKey(ctx context.Context, s Secrets) error
}

// Endpointed is implemented by providers whose service address can be changed: a self-hosted
// server, a new API host, or a fake server for demos. The address is the origin the provider's
// documentation writes before its API paths. Methods are safe for concurrent use.
type Endpointed interface {
	// Endpoint is the address in use.
	Endpoint() string
	// DefaultEndpoint is the documented address.
	DefaultEndpoint() string
	// SetEndpoint checks and takes a new address ("" restores the default). Remote addresses must
	// use https; plain http is accepted only for loopback hosts.
	SetEndpoint(string) error
}
