package server

import (
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"database/sql"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"regexp"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/kiln3d/kiln/app"
)

// Scope is one permission an API key carries.
type Scope string

// The scopes a key can have.
const (
	ScopeJobsRead  Scope = "jobs:read"
	ScopeJobsWrite Scope = "jobs:write"
	ScopeKeysAdmin Scope = "keys:admin"
)

// Scopes lists every scope, in the order lists show them.
var Scopes = []Scope{ScopeJobsRead, ScopeJobsWrite, ScopeKeysAdmin}

// ParseScopes reads a comma-separated list of scopes ("jobs:read,jobs:write").
func ParseScopes(s string) ([]Scope, error) {
	var out []Scope
	for f := range strings.SplitSeq(s, ",") {
		f = strings.TrimSpace(f)
		if f == "" {
			continue
		}
		if !slices.Contains(Scopes, Scope(f)) {
			return nil, fmt.Errorf("no such scope %q (the scopes are %s)", f, scopeList(Scopes))
		}
		if !slices.Contains(out, Scope(f)) {
			out = append(out, Scope(f))
		}
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("a key needs at least one scope (%s)", scopeList(Scopes))
	}
	return out, nil
}

func scopeList(scopes []Scope) string {
	s := make([]string, len(scopes))
	for i, sc := range scopes {
		s[i] = string(sc)
	}
	return strings.Join(s, ",")
}

// Key is an API key as lists show it: never its secret.
type Key struct {
	ID       string
	Name     string
	Scopes   []Scope
	Created  time.Time
	LastUsed time.Time // zero when never used
	Revoked  time.Time // zero while active
}

// Prefix is the start of the key's secret, which names it in lists: kiln_<id>.
func (k Key) Prefix() string { return secretPrefix + k.ID }

// Active reports whether the key can be used.
func (k Key) Active() bool { return k.Revoked.IsZero() }

// Status is "active" or "revoked".
func (k Key) Status() string {
	if k.Active() {
		return "active"
	}
	return "revoked"
}

// Has reports whether the key carries scope s.
func (k Key) Has(s Scope) bool { return slices.Contains(k.Scopes, s) }

// NewKey is a key just made, with the secrets that are shown this once.
type NewKey struct {
	Key
	// Secret is what a client sends (x-api-key or Authorization: Bearer).
	Secret string
	// WebhookSecret signs the webhooks of the key's jobs.
	WebhookSecret string
}

// Errors of the key store.
var (
	ErrNoKey      = errors.New("no such API key")
	ErrBadKey     = errors.New("the API key is not valid")
	ErrRevokedKey = errors.New("the API key was revoked")
)

// errKeyInput marks a key that cannot be made as asked (no name, no scope).
var errKeyInput = errors.New("invalid key")

// secretPrefix starts every secret, so that a leaked one is recognisable (and scrubbed).
const secretPrefix = "kiln_"

// secretForm is kiln_<8 hex id>_<43 base64url characters>.
var secretForm = regexp.MustCompile(`^kiln_([0-9a-f]{8})_([A-Za-z0-9_-]{43})$`)

// lastUsedEvery bounds how often a key's last use is written: a client polling every second
// would otherwise make every read a write.
const lastUsedEvery = 30 * time.Second

// Keys is the store of API keys, in the server's tables of Kiln's database. It works whether or
// not a server is running on the same data directory: a key made or revoked here counts at once
// in every process.
type Keys struct {
	db      *sql.DB
	signing func() ([]byte, error)
	now     func() time.Time

	mu   sync.Mutex
	used map[string]time.Time // when each key's last use was last written
}

// OpenKeys opens the key store of k's data directory.
func OpenKeys(ctx context.Context, k *app.Kiln) (*Keys, error) {
	db, err := openDatabase(ctx, k)
	if err != nil {
		return nil, err
	}
	return newKeys(db, k.SigningSecret, time.Now), nil
}

func newKeys(db *sql.DB, signing func() ([]byte, error), now func() time.Time) *Keys {
	return &Keys{db: db, signing: signing, now: now, used: map[string]time.Time{}}
}

// Close closes the store.
func (ks *Keys) Close() error { return ks.db.Close() }

// Create makes a key called name with the given scopes and returns it with its secrets, which
// are never shown again: only a hash of the secret is kept.
func (ks *Keys) Create(ctx context.Context, name string, scopes []Scope) (NewKey, error) {
	name = strings.TrimSpace(name)
	if name == "" {
		return NewKey{}, fmt.Errorf("%w: a key needs a name (what it is for: \"web shop\", \"ci\")", errKeyInput)
	}
	if len(name) > 100 {
		return NewKey{}, fmt.Errorf("%w: a key's name is at most 100 characters", errKeyInput)
	}
	if len(scopes) == 0 {
		return NewKey{}, fmt.Errorf("%w: a key needs at least one scope (%s)", errKeyInput, scopeList(Scopes))
	}
	for _, s := range scopes {
		if !slices.Contains(Scopes, s) {
			return NewKey{}, fmt.Errorf("%w: no such scope %q (the scopes are %s)", errKeyInput, s, scopeList(Scopes))
		}
	}
	scopes = slices.Compact(slices.Clone(scopes))
	id := make([]byte, 4)
	secret := make([]byte, 32)
	_, _ = rand.Read(id)
	_, _ = rand.Read(secret)
	k := NewKey{Key: Key{ID: hex.EncodeToString(id), Name: name, Scopes: slices.Clone(scopes), Created: ks.now()}}
	k.Secret = k.Prefix() + "_" + base64.RawURLEncoding.EncodeToString(secret)
	wh, err := ks.WebhookSecret(k.ID)
	if err != nil {
		return NewKey{}, err
	}
	k.WebhookSecret = wh
	hash := sha256.Sum256([]byte(k.Secret))
	_, err = ks.db.ExecContext(ctx, `INSERT INTO api_keys (id, name, hash, scopes, created) VALUES (?, ?, ?, ?, ?)`,
		k.ID, k.Name, hash[:], scopeList(k.Scopes), app.Millis(k.Created))
	if err != nil {
		return NewKey{}, fmt.Errorf("save the key: %w", err)
	}
	return k, nil
}

// WebhookSecret is the secret that signs the webhooks of key id's jobs: derived from the
// server's signing secret (app.Kiln.SigningSecret), so it is kept nowhere.
func (ks *Keys) WebhookSecret(id string) (string, error) {
	master, err := ks.signing()
	if err != nil {
		return "", err
	}
	m := hmac.New(sha256.New, master)
	m.Write([]byte("kiln webhook signing secret for key " + id))
	return "whsec_" + base64.RawURLEncoding.EncodeToString(m.Sum(nil)), nil
}

const keyColumns = `id, name, scopes, created, last_used, revoked`

// scanKey reads a row of keyColumns, then any more columns into extra.
func scanKey(row interface{ Scan(...any) error }, extra ...any) (Key, error) {
	var (
		k                        Key
		scopes                   string
		created, used, revokedAt int64
	)
	if err := row.Scan(append([]any{&k.ID, &k.Name, &scopes, &created, &used, &revokedAt}, extra...)...); err != nil {
		return Key{}, err
	}
	for s := range strings.SplitSeq(scopes, ",") {
		if s != "" {
			k.Scopes = append(k.Scopes, Scope(s))
		}
	}
	k.Created, k.LastUsed, k.Revoked = app.FromMillis(created), app.FromMillis(used), app.FromMillis(revokedAt)
	return k, nil
}

// List returns every key, revoked ones included, oldest first.
func (ks *Keys) List(ctx context.Context) ([]Key, error) {
	rows, err := ks.db.QueryContext(ctx, `SELECT `+keyColumns+` FROM api_keys ORDER BY created, id`)
	if err != nil {
		return nil, fmt.Errorf("list keys: %w", err)
	}
	defer rows.Close()
	keys := []Key{}
	for rows.Next() {
		k, err := scanKey(rows)
		if err != nil {
			return nil, fmt.Errorf("list keys: %w", err)
		}
		keys = append(keys, k)
	}
	return keys, rows.Err()
}

// Get returns the key named by its id or prefix (kiln_<id>).
func (ks *Keys) Get(ctx context.Context, idOrPrefix string) (Key, error) {
	id := strings.TrimPrefix(strings.TrimSpace(idOrPrefix), secretPrefix)
	k, err := scanKey(ks.db.QueryRowContext(ctx, `SELECT `+keyColumns+` FROM api_keys WHERE id = ?`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return Key{}, fmt.Errorf("%w: %q", ErrNoKey, idOrPrefix)
	}
	return k, err
}

// Revoke revokes the key named by its id or prefix: from now on it fails, in every process.
// Revoking a revoked key changes nothing.
func (ks *Keys) Revoke(ctx context.Context, idOrPrefix string) (Key, error) {
	k, err := ks.Get(ctx, idOrPrefix)
	if err != nil {
		return Key{}, err
	}
	if k.Active() {
		k.Revoked = ks.now()
		if _, err := ks.db.ExecContext(ctx, `UPDATE api_keys SET revoked = ? WHERE id = ? AND revoked = 0`,
			app.Millis(k.Revoked), k.ID); err != nil {
			return Key{}, fmt.Errorf("revoke %s: %w", k.Prefix(), err)
		}
	}
	return k, nil
}

// Count returns how many active keys there are.
func (ks *Keys) Count(ctx context.Context) (int, error) {
	var n int
	err := ks.db.QueryRowContext(ctx, `SELECT count(*) FROM api_keys WHERE revoked = 0`).Scan(&n)
	return n, err
}

// Authenticate returns the key whose secret this is, and records its use. The database is read on
// every call, so a key revoked by another process fails at once.
func (ks *Keys) Authenticate(ctx context.Context, secret string) (Key, error) {
	m := secretForm.FindStringSubmatch(secret)
	if m == nil {
		return Key{}, ErrBadKey
	}
	var hash []byte
	k, err := scanKey(ks.db.QueryRowContext(ctx, `SELECT `+keyColumns+`, hash FROM api_keys WHERE id = ?`, m[1]), &hash)
	if errors.Is(err, sql.ErrNoRows) {
		return Key{}, ErrBadKey
	}
	if err != nil {
		return Key{}, err
	}
	want := sha256.Sum256([]byte(secret))
	if subtle.ConstantTimeCompare(hash, want[:]) != 1 {
		return Key{}, ErrBadKey
	}
	if !k.Active() {
		return Key{}, ErrRevokedKey
	}
	ks.markUsed(ctx, &k)
	return k, nil
}

// markUsed records the key's use, at most every lastUsedEvery.
func (ks *Keys) markUsed(ctx context.Context, k *Key) {
	now := ks.now()
	ks.mu.Lock()
	last, ok := ks.used[k.ID]
	due := !ok || now.Sub(last) >= lastUsedEvery
	if due {
		ks.used[k.ID] = now
	}
	ks.mu.Unlock()
	if !due {
		return
	}
	k.LastUsed = now
	_, _ = ks.db.ExecContext(ctx, `UPDATE api_keys SET last_used = ? WHERE id = ?`, app.Millis(now), k.ID)
}
