package threedversetest

import (
	"fmt"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/kiln3d/kiln/providers/providertest/fakehttp"
)

// The credential headers. Header names are case-insensitive: "API_KEY" is the same header.
const (
	HeaderAPIKey    = "api_key"
	HeaderUserToken = "user_token"
)

// The scopes of an API key, as the fake names them: 3dverse's console restricts a key's scope at
// creation but does not publish the names.
const (
	// ScopeUsers lets a key register and list users and make their tokens.
	ScopeUsers = "users"
	// ScopeFolders lets a key create folders and grant access to them.
	ScopeFolders = "folders"
)

// The access a user has to a folder, which is also a user token's scope.
const (
	AccessRead   = "read"
	AccessWrite  = "write"
	AccessManage = "manage"
)

// rank orders the accesses; 0 is none.
func rank(access string) int {
	switch access {
	case AccessRead:
		return 1
	case AccessWrite:
		return 2
	case AccessManage:
		return 3
	}
	return 0
}

// apiKey is one of the app's API keys, as the console creates them.
type apiKey struct {
	scopes  []string
	expires time.Time // zero: never
}

// userToken is a user token, as POST /users/{id}/tokens makes them.
type userToken struct {
	userID  string
	scope   string
	expires time.Time
}

// KeyOptions restrict an API key, as the console does at its creation.
type KeyOptions struct {
	// Scopes are what the key may do: ScopeUsers, ScopeFolders. nil means every scope; an empty,
	// non-nil slice none (the key can still list and read folders).
	Scopes []string
	// Expires is when the key stops working, on the fake's clock; zero means never.
	Expires time.Time
}

// AddAPIKey creates an API key restricted by o, as the console does, and returns its secret.
// It panics on a scope the fake does not know: a typo in a test.
func (s *Server) AddAPIKey(o KeyOptions) string {
	scopes := o.Scopes
	if scopes == nil {
		scopes = []string{ScopeUsers, ScopeFolders}
	}
	for _, sc := range scopes {
		if sc != ScopeUsers && sc != ScopeFolders {
			panic(fmt.Sprintf("threedversetest: AddAPIKey: unknown scope %q (the fake's are %q and %q)", sc, ScopeUsers, ScopeFolders))
		}
	}
	// 3dverse's API keys are UUIDs.
	k := newID()
	s.mu.Lock()
	defer s.mu.Unlock()
	s.keys[k] = &apiKey{scopes: slices.Clone(scopes), expires: o.Expires}
	s.secrets = append(s.secrets, k)
	return k
}

// UserToken makes a token for the user userID with scope (AccessRead, AccessWrite or
// AccessManage) that expires ttl from now on the fake's clock, as POST /users/{id}/tokens does;
// a ttl of 0 or less makes one already expired. It panics on an unknown user or scope: a
// mistake in a test.
func (s *Server) UserToken(userID, scope string, ttl time.Duration) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.users[userID] == nil {
		panic(fmt.Sprintf("threedversetest: UserToken: no user %q", userID))
	}
	if rank(scope) == 0 {
		panic(fmt.Sprintf("threedversetest: UserToken: scope %q is not read, write or manage", scope))
	}
	return s.issueToken(userID, scope, s.now().Add(ttl))
}

// issueToken makes a user token. The caller holds s.mu.
func (s *Server) issueToken(userID, scope string, expires time.Time) string {
	// The fake's form: 64 hex digits. 3dverse documents none.
	tok := fakehttp.RandomHex(64)
	s.tokens[tok] = &userToken{userID: userID, scope: scope, expires: expires}
	s.secrets = append(s.secrets, tok)
	return tok
}

// ExpireTokens makes every user token issued so far expire now; tokens made later work.
func (s *Server) ExpireTokens() {
	s.mu.Lock()
	defer s.mu.Unlock()
	now := s.now()
	for _, t := range s.tokens {
		if t.expires.After(now) {
			t.expires = now
		}
	}
}

// Secrets returns every API key and user token the fake issued, in order: what a test greps logs
// and errors for.
func (s *Server) Secrets() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.secrets)
}

// caller is who sent a request: the app with one of its API keys, or a user with a token.
type caller struct {
	key   *apiKey    // nil for a user
	token *userToken // nil for the app
}

// isApp says whether the caller is the app, with an API key.
func (c *caller) isApp() bool { return c.key != nil }

// credential returns header's value, trimmed; "" when absent.
func credential(r *http.Request, header string) string {
	return strings.TrimSpace(r.Header.Get(header))
}

// authOf names the header that carried the request's credential, for its record (never the
// value): "api_key", "user_token", both joined by "+", or "".
func authOf(r *http.Request) string {
	var names []string
	for _, h := range []string{HeaderAPIKey, HeaderUserToken} {
		if credential(r, h) != "" {
			names = append(names, h)
		}
	}
	return strings.Join(names, "+")
}

// authenticate finds who sent r and checks that a route of kind takes their credential. The
// caller holds s.mu.
func (s *Server) authenticate(r *http.Request, kind authKind) (*caller, error) {
	key, tok := credential(r, HeaderAPIKey), credential(r, HeaderUserToken)
	now := s.now()
	switch {
	case key != "" && tok != "":
		return nil, badRequest(MsgBothCredentials)
	case key != "":
		k := s.keys[key]
		switch {
		case k == nil:
			return nil, apiErr(http.StatusUnauthorized, codeUnauthorized, MsgUnknownKey)
		case !k.expires.IsZero() && !now.Before(k.expires):
			// The fake's choice: "unauthorized", not "token_expired", which tells a client to
			// make a new user token; a new key comes only from the console.
			return nil, apiErr(http.StatusUnauthorized, codeUnauthorized, MsgKeyExpired)
		case kind == userOnly:
			return nil, forbidden(MsgOnlyUsers)
		}
		return &caller{key: k}, nil
	case tok != "":
		t := s.tokens[tok]
		switch {
		case t == nil:
			return nil, apiErr(http.StatusUnauthorized, codeUnauthorized, MsgUnknownToken)
		case !now.Before(t.expires):
			return nil, apiErr(http.StatusUnauthorized, codeTokenExpired, MsgTokenExpired)
		case kind == keyOnly:
			return nil, forbidden(MsgOnlyAPIKey)
		}
		return &caller{token: t}, nil
	}
	return nil, apiErr(http.StatusUnauthorized, codeUnauthorized, MsgNoCredentials)
}

// needScope refuses an API key without scope; a user passes (its rights are checked elsewhere).
func needScope(c *caller, scope string) error {
	if c.isApp() && !slices.Contains(c.key.scopes, scope) {
		return forbidden("the API key lacks the scope %q", scope)
	}
	return nil
}
