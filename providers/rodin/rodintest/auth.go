package rodintest

import (
	"crypto/subtle"
	"net/http"
	"strings"

	"github.com/kiln3d/kiln/providers/providertest/fakehttp"
)

// MsgNotAuthenticated is the refusal of a missing, wrong or revoked API key: the documentation
// confirms the words. Its status (401) and the body's shape ({"error": ..., "message": ...}) are
// the fake's choice.
const MsgNotAuthenticated = "Not authenticated"

// apiKey is one of the account's keys, as the API Key Management page lists them.
type apiKey struct {
	name, key string
	revoked   bool
}

// newKey makes a key of the fake's own form: "rk_" and 40 hex digits. Rodin documents none.
func newKey() string { return "rk_" + fakehttp.RandomHex(40) }

// AddKey creates another API key for the account, as "+Create new API Keys" does, and returns it.
func (s *Server) AddKey(name string) string {
	k := newKey()
	s.mu.Lock()
	defer s.mu.Unlock()
	s.keys = append(s.keys, apiKey{name: name, key: k})
	return k
}

// Revoke makes key stop working at once, and says whether the account had it.
func (s *Server) Revoke(key string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	for i := range s.keys {
		if s.keys[i].key == key {
			s.keys[i].revoked = true
			return true
		}
	}
	return false
}

// Keys returns the account's API keys that work, oldest first.
func (s *Server) Keys() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []string
	for _, k := range s.keys {
		if !k.revoked {
			out = append(out, k.key)
		}
	}
	return out
}

// authorize checks "Authorization: Bearer <key>" (the scheme in any case, as RFC 9110 allows),
// answering 401 Not authenticated when it fails. The caller holds s.mu.
func (s *Server) authorize(w http.ResponseWriter, r *http.Request) bool {
	scheme, token, _ := strings.Cut(strings.TrimSpace(r.Header.Get("Authorization")), " ")
	token = strings.TrimSpace(token)
	if strings.EqualFold(scheme, "Bearer") && token != "" {
		for _, k := range s.keys {
			if !k.revoked && subtle.ConstantTimeCompare([]byte(k.key), []byte(token)) == 1 {
				return true
			}
		}
	}
	writeError(w, http.StatusUnauthorized, MsgNotAuthenticated)
	return false
}
