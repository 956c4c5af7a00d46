package providertest

import (
	"context"
	"maps"
	"sync"
	"time"

	"github.com/kiln3d/kiln/providers"
)

// Secrets is a credential held in memory, the way the core's environment credential is: its
// fields, and the session token a provider saves. It is safe for concurrent use.
type Secrets struct {
	mu      sync.Mutex
	fields  map[string]string
	token   string
	expires time.Time
}

var _ providers.Secrets = (*Secrets)(nil)

// NewSecrets returns a credential of these fields (by providers.KeyField.Key) and no token.
func NewSecrets(fields map[string]string) *Secrets { return &Secrets{fields: maps.Clone(fields)} }

// Fields implements providers.Secrets.
func (s *Secrets) Fields(context.Context) (map[string]string, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return maps.Clone(s.fields), nil
}

// Set changes one field, as an artist who pastes a new key does.
func (s *Secrets) Set(key, value string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.fields[key] = value
}

// Token implements providers.Secrets.
func (s *Secrets) Token(context.Context) (string, time.Time, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.token, s.expires, nil
}

// SaveToken implements providers.Secrets.
func (s *Secrets) SaveToken(_ context.Context, token string, expires time.Time) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.token, s.expires = token, expires
	return nil
}
