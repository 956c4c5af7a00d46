package providers

import (
	"context"
	"strings"
	"time"
	"unicode"
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

// Keyed is implemented by providers that need a credential (Capabilities.NeedsKey). WithSecrets
// returns the provider acting with the credential s, sharing everything else with p (its address,
// HTTP client and session caches). Kiln's core resolves each job's own credential and binds it
// this way for every call the job makes, so that two jobs may use two accounts at once. The
// value returned implements the same optional interfaces (Importer, Reconciler, Pricer, ...) as p.
type Keyed interface {
	WithSecrets(s Secrets) Provider
}

// Price is what a request costs on a provider that charges credits.
type Price struct {
	// Credits is the cost of the request, in the provider's credits.
	Credits float64 `json:"credits"`
	// Basis says how it was worked out ("Gen-2.5-High 0.5 + HighPack 1, as published").
	Basis string `json:"basis,omitempty"`
}

// Pricer is implemented by providers that charge credits and can say how many an account has.
type Pricer interface {
	// Price works out what req costs from the provider's published prices; it does no I/O.
	Price(req Request) (Price, error)
	// Balance asks the account how many credits it has; it needs a bound credential (Keyed).
	Balance(ctx context.Context) (float64, error)
}

// PastedKeyProblem says what is wrong with a key an artist pasted (trimmed of surrounding space)
// before it goes into a header, or "" when nothing is: a stray space or line break inside it, or
// characters no key has. The words follow "the API key".
func PastedKeyProblem(key string) string {
	switch {
	case strings.ContainsFunc(key, func(r rune) bool { return unicode.IsSpace(r) || unicode.IsControl(r) }):
		return "contains a space, a line break or another invisible character (paste the key alone, without \"Bearer\")"
	case strings.ContainsFunc(key, func(r rune) bool { return r > unicode.MaxASCII }):
		return "contains characters no key has (letters with accents, quotes from a word processor)"
	}
	return ""
}
