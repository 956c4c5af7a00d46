package app

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"strings"
	"sync"
	"time"

	"github.com/kiln3d/kiln/providers"
)

// ErrNoCredential is returned when a provider has no credential of the given name (or none at all).
var ErrNoCredential = errors.New("no such credential")

// EnvCredentialName names the credential that environment variables make up.
const EnvCredentialName = "environment"

// Credential is what Kiln shows of a stored credential: never its secrets, only the first
// characters of its key, the way key pages show them.
type Credential struct {
	Provider string    `json:"provider"`
	Name     string    `json:"name"`
	Prefix   string    `json:"prefix"`
	Default  bool      `json:"default"`
	Created  time.Time `json:"created"`
	LastUsed time.Time `json:"last_used,omitzero"`
	// LastTest is the explanation of the last test ("OK" when it passed); LastTestAt its time.
	LastTest   string    `json:"last_test,omitempty"`
	LastTestAt time.Time `json:"last_test_at,omitzero"`
	// FromEnv marks the credential made of KILN_<PROVIDER>_<FIELD> variables; it overrides the
	// keychain and is never stored.
	FromEnv bool `json:"from_env,omitempty"`
}

// Credentials keeps providers' credentials: the secrets in the OS keychain, one item per
// credential, and a non-secret index (name, prefix, dates, test result) in the database.
type Credentials struct {
	store    *Store
	keychain keychain
	getenv   func(string) string
	reg      *providers.Registry

	mu     sync.Mutex
	tokens map[string]envToken // session tokens of environment credentials, in memory only
	used   map[string]time.Time
}

type envToken struct {
	token   string
	expires time.Time
}

func newCredentials(store *Store, reg *providers.Registry, getenv func(string) string) *Credentials {
	if getenv == nil {
		getenv = os.Getenv
	}
	return &Credentials{store: store, reg: reg, getenv: getenv, tokens: map[string]envToken{}, used: map[string]time.Time{}}
}

func secretService(provider string) string { return "kiln:" + provider }
func tokenService(provider string) string  { return "kiln:" + provider + ":token" }

// EnvVar is the environment variable that overrides a credential field.
func EnvVar(provider string, field providers.KeyField) string {
	return "KILN_" + strings.ToUpper(provider) + "_" + strings.ToUpper(field.Key)
}

// fields lists what a credential of provider (a provider or a target) holds.
func (c *Credentials) fields(provider string) ([]providers.KeyField, error) {
	svc, err := c.reg.Service(provider)
	if err != nil {
		return nil, err
	}
	if !svc.NeedsKey || len(svc.KeyFields) == 0 {
		return nil, fmt.Errorf("%s needs no key", svc.Title)
	}
	return svc.KeyFields, nil
}

// fromEnv returns the fields set in the environment for provider, or nil when its required ones
// are not all set, or when none is (a credential whose fields are all optional).
func (c *Credentials) fromEnv(provider string) map[string]string {
	fields, err := c.fields(provider)
	if err != nil {
		return nil
	}
	out := map[string]string{}
	for _, f := range fields {
		v := c.getenv(EnvVar(provider, f))
		if v == "" && !f.Optional {
			return nil
		}
		if v != "" {
			out[f.Key] = v
		}
	}
	if len(out) == 0 {
		return nil
	}
	return out
}

// Add stores a new credential: the secrets go to the keychain first, then the index. The first
// credential of a provider becomes its default.
func (c *Credentials) Add(ctx context.Context, provider, name string, values map[string]string) (Credential, error) {
	fields, err := c.fields(provider)
	if err != nil {
		return Credential{}, err
	}
	name = strings.TrimSpace(name)
	if name == "" || name == EnvCredentialName || strings.ContainsAny(name, "/\\\n") {
		return Credential{}, fmt.Errorf("give the credential a name such as Personal or Studio (not %q)", name)
	}
	clean := map[string]string{}
	var labels []string
	for _, f := range fields {
		v := strings.TrimSpace(values[f.Key])
		if v == "" && !f.Optional {
			return Credential{}, fmt.Errorf("%s is required", f.Label)
		}
		if v != "" {
			clean[f.Key] = v
		}
		labels = append(labels, f.Label)
	}
	if len(clean) == 0 {
		// Every field optional: one of them is still needed.
		return Credential{}, fmt.Errorf("fill in one of: %s", strings.Join(labels, ", "))
	}
	if _, err := c.store.credential(ctx, provider, name); err == nil {
		return Credential{}, fmt.Errorf("%s already has a credential named %q: remove it first", provider, name)
	}
	blob, _ := json.Marshal(clean)
	if err := c.keychain.set(secretService(provider), name, string(blob)); err != nil {
		return Credential{}, fmt.Errorf("store the %s credential %q: %w", provider, name, err)
	}
	cred := Credential{Provider: provider, Name: name, Prefix: prefixOf(fields, clean), Created: time.Now()}
	if err := c.store.insertCredential(ctx, cred); err != nil {
		_ = c.keychain.delete(secretService(provider), name)
		return Credential{}, err
	}
	return c.store.credential(ctx, provider, name)
}

// prefixOf is what Kiln shows of a credential: the first characters of its first secret field.
func prefixOf(fields []providers.KeyField, values map[string]string) string {
	for _, f := range fields {
		if f.Secret {
			v := []rune(values[f.Key])
			n := min(len(v)/4, 5) // never more than a quarter of the secret
			return string(v[:n]) + "…"
		}
	}
	return ""
}

// List returns every credential, with the environment's first when it is set.
func (c *Credentials) List(ctx context.Context) ([]Credential, error) {
	stored, err := c.store.credentials(ctx)
	if err != nil {
		return nil, err
	}
	var out []Credential
	for _, svc := range c.reg.Services() {
		if !svc.NeedsKey {
			continue
		}
		if vals := c.fromEnv(svc.Name); vals != nil {
			out = append(out, Credential{Provider: svc.Name, Name: EnvCredentialName,
				Prefix: prefixOf(svc.KeyFields, vals), Default: true, FromEnv: true})
		}
	}
	for _, cr := range stored {
		if c.fromEnv(cr.Provider) != nil {
			cr.Default = false // the environment overrides it
		}
		out = append(out, cr)
	}
	return out, nil
}

// Remove deletes a credential from the keychain and the index.
func (c *Credentials) Remove(ctx context.Context, provider, name string) error {
	cred, err := c.store.credential(ctx, provider, name)
	if err != nil {
		return err
	}
	if err := c.keychain.delete(secretService(provider), name); err != nil {
		return fmt.Errorf("remove the %s credential %q: %w", provider, name, err)
	}
	_ = c.keychain.delete(tokenService(provider), name)
	if err := c.store.deleteCredential(ctx, provider, name); err != nil {
		return err
	}
	if cred.Default {
		return c.store.promoteCredential(ctx, provider)
	}
	return nil
}

// SetDefault makes name the credential jobs of provider use.
func (c *Credentials) SetDefault(ctx context.Context, provider, name string) error {
	return c.store.setDefaultCredential(ctx, provider, name)
}

// Secrets returns the credential jobs of provider use: the environment's when set, else the
// default one. name picks another stored credential ("" for the default).
func (c *Credentials) Secrets(ctx context.Context, provider, name string) (providers.Secrets, error) {
	if (name == "" || name == EnvCredentialName) && c.fromEnv(provider) != nil {
		return envSecrets{c: c, provider: provider}, nil
	}
	if name == EnvCredentialName {
		return nil, fmt.Errorf("%s: no KILN_%s_* environment variables are set: %w", provider, strings.ToUpper(provider), ErrNoCredential)
	}
	var cred Credential
	var err error
	if name == "" {
		cred, err = c.store.defaultCredential(ctx, provider)
	} else {
		cred, err = c.store.credential(ctx, provider, name)
	}
	if err != nil {
		return nil, err
	}
	return keychainSecrets{c: c, provider: provider, name: cred.Name}, nil
}

// Resolve names the credential a job of provider (or a publication to a target) runs with when it
// asks for name: name itself when it exists, "environment" when name is "" and the
// KILN_<PROVIDER>_* variables are set, else the default credential's name. A provider that needs
// no key resolves to "". A missing credential is an error wrapping ErrNoCredential that says how
// to add one.
func (c *Credentials) Resolve(ctx context.Context, provider, name string) (string, error) {
	caps, err := c.reg.Service(provider)
	if err != nil {
		return "", err
	}
	if !caps.NeedsKey {
		if name != "" {
			return "", fmt.Errorf("%s needs no key: leave the credential out", caps.Title)
		}
		return "", nil
	}
	if (name == "" || name == EnvCredentialName) && c.fromEnv(provider) != nil {
		return EnvCredentialName, nil
	}
	if name == EnvCredentialName {
		return "", fmt.Errorf("%s: no %s variables are set: %w", caps.Title, c.envHint(provider), ErrNoCredential)
	}
	var cred Credential
	if name == "" {
		cred, err = c.store.defaultCredential(ctx, provider)
	} else {
		cred, err = c.store.credential(ctx, provider, name)
	}
	if errors.Is(err, ErrNoCredential) {
		if name == "" {
			return "", fmt.Errorf("%s needs a key: add one in Settings, or with kiln keys add %s NAME, or set %s: %w",
				caps.Title, provider, c.envHint(provider), ErrNoCredential)
		}
		return "", fmt.Errorf("%s has no credential named %q (see kiln keys list): %w", caps.Title, name, ErrNoCredential)
	}
	if err != nil {
		return "", err
	}
	return cred.Name, nil
}

// envHint names the environment variables that make up provider's credential.
func (c *Credentials) envHint(provider string) string {
	fields, err := c.fields(provider)
	if err != nil {
		return "KILN_" + strings.ToUpper(provider) + "_*"
	}
	var required, optional []string
	for _, f := range fields {
		if f.Optional {
			optional = append(optional, EnvVar(provider, f))
		} else {
			required = append(required, EnvVar(provider, f))
		}
	}
	if len(required) == 0 {
		return strings.Join(optional, " or ") // every field optional: any one will do
	}
	return strings.Join(required, " and ")
}

// Bind returns the provider called name acting with the credential called credential ("" for the
// one Resolve picks). A provider that needs no key is returned as it is.
func (c *Credentials) Bind(ctx context.Context, provider, credential string) (providers.Provider, error) {
	p, err := c.reg.Get(provider)
	if err != nil {
		return nil, err
	}
	if !p.Capabilities().NeedsKey {
		return p, nil
	}
	keyed, ok := p.(providers.Keyed)
	if !ok {
		return nil, fmt.Errorf("%s needs a key but cannot take one", p.Capabilities().Title)
	}
	name, err := c.Resolve(ctx, provider, credential)
	if err != nil {
		return nil, err
	}
	s, err := c.Secrets(ctx, provider, name)
	if err != nil {
		return nil, err
	}
	return keyed.WithSecrets(s), nil
}

// BindTarget returns the target called name acting with the credential called credential (""
// for the one Resolve picks). A target that needs no key is returned as it is.
func (c *Credentials) BindTarget(ctx context.Context, name, credential string) (providers.Target, error) {
	t, err := c.reg.Target(name)
	if err != nil {
		return nil, err
	}
	info := t.Describe()
	if len(info.KeyFields) == 0 {
		return t, nil
	}
	keyed, ok := t.(providers.KeyedTarget)
	if !ok {
		return nil, fmt.Errorf("%s needs a key but cannot take one", info.Title)
	}
	resolved, err := c.Resolve(ctx, name, credential)
	if err != nil {
		return nil, err
	}
	s, err := c.Secrets(ctx, name, resolved)
	if err != nil {
		return nil, err
	}
	return keyed.WithSecrets(s), nil
}

// RecordTest keeps the outcome of a key test for the index.
func (c *Credentials) RecordTest(ctx context.Context, provider, name, outcome string) error {
	if name == EnvCredentialName {
		return nil
	}
	return c.store.recordCredentialTest(ctx, provider, name, outcome, time.Now())
}

// markUsed records that a credential was used, at most once a minute.
func (c *Credentials) markUsed(provider, name string) {
	key := provider + "/" + name
	now := time.Now()
	c.mu.Lock()
	last := c.used[key]
	if now.Sub(last) < time.Minute {
		c.mu.Unlock()
		return
	}
	c.used[key] = now
	c.mu.Unlock()
	_ = c.store.markCredentialUsed(context.Background(), provider, name, now)
}

// keychainSecrets is a stored credential.
type keychainSecrets struct {
	c              *Credentials
	provider, name string
}

func (s keychainSecrets) Fields(context.Context) (map[string]string, error) {
	blob, err := s.c.keychain.get(secretService(s.provider), s.name)
	if errors.Is(err, errSecretMissing) {
		return nil, fmt.Errorf("the %s credential %q is missing from the keychain: add it again", s.provider, s.name)
	}
	if err != nil {
		return nil, fmt.Errorf("read the %s credential %q: %w", s.provider, s.name, err)
	}
	var vals map[string]string
	if err := json.Unmarshal([]byte(blob), &vals); err != nil {
		return nil, fmt.Errorf("the %s credential %q in the keychain is damaged: add it again", s.provider, s.name)
	}
	s.c.markUsed(s.provider, s.name)
	return vals, nil
}

func (s keychainSecrets) Token(context.Context) (string, time.Time, error) {
	blob, err := s.c.keychain.get(tokenService(s.provider), s.name)
	if errors.Is(err, errSecretMissing) {
		return "", time.Time{}, nil
	}
	if err != nil {
		return "", time.Time{}, err
	}
	var t struct {
		Token   string    `json:"token"`
		Expires time.Time `json:"expires"`
	}
	if json.Unmarshal([]byte(blob), &t) != nil {
		return "", time.Time{}, nil // a damaged token is as good as none: the provider refreshes
	}
	return t.Token, t.Expires, nil
}

func (s keychainSecrets) SaveToken(_ context.Context, token string, expires time.Time) error {
	blob, _ := json.Marshal(map[string]any{"token": token, "expires": expires})
	return s.c.keychain.set(tokenService(s.provider), s.name, string(blob))
}

// envSecrets is the credential the environment makes up; its token stays in memory.
type envSecrets struct {
	c        *Credentials
	provider string
}

func (s envSecrets) Fields(context.Context) (map[string]string, error) {
	if v := s.c.fromEnv(s.provider); v != nil {
		return v, nil
	}
	return nil, fmt.Errorf("%s: the KILN_%s_* environment variables are no longer set", s.provider, strings.ToUpper(s.provider))
}

func (s envSecrets) Token(context.Context) (string, time.Time, error) {
	s.c.mu.Lock()
	defer s.c.mu.Unlock()
	t := s.c.tokens[s.provider]
	return t.token, t.expires, nil
}

func (s envSecrets) SaveToken(_ context.Context, token string, expires time.Time) error {
	s.c.mu.Lock()
	defer s.c.mu.Unlock()
	s.c.tokens[s.provider] = envToken{token, expires}
	return nil
}

// TestKey checks a credential with the provider's cheapest authenticated request and records the
// outcome. It returns the outcome in plain words, and an error when the key does not work.
func (c *Credentials) TestKey(ctx context.Context, provider, name string) (string, error) {
	svc, err := c.reg.Service(provider)
	if err != nil {
		return "", err
	}
	p, _ := c.reg.Lookup(provider)
	tester, ok := p.(providers.KeyTester)
	if !ok {
		return "", fmt.Errorf("%s cannot test keys", svc.Title)
	}
	s, err := c.Secrets(ctx, provider, name)
	if err != nil {
		return "", err
	}
	err = tester.TestKey(ctx, s)
	outcome := ExplainKeyError(svc.Title, err)
	if name == "" {
		if cred, derr := c.store.defaultCredential(ctx, provider); derr == nil && c.fromEnv(provider) == nil {
			name = cred.Name
		}
	}
	_ = c.RecordTest(ctx, provider, name, outcome)
	if err != nil {
		return outcome, fmt.Errorf("%s", outcome)
	}
	return outcome, nil
}

// ExplainKeyError says in plain words what a key test's error means for the artist.
func ExplainKeyError(title string, err error) string {
	if err == nil {
		return "OK: the key works"
	}
	detail := ""
	var api *providers.APIError
	if errors.As(err, &api) && api.Message != "" {
		detail = fmt.Sprintf(" (%s said: %s)", title, api.Message)
	}
	switch {
	case errors.Is(err, providers.ErrUnauthorized):
		return "Refused: the key is wrong, expired or revoked. Create a new one in your " + title + " account and add it again" + detail
	case errors.Is(err, providers.ErrForbidden):
		return "Missing permission: the key is valid but may not do this. Ask your team's admin for the permission, or use a key that has it" + detail
	case errors.Is(err, providers.ErrNotFound):
		return "Unknown account: " + title + " does not know this account or developer ID. Check the ID you typed" + detail
	case errors.Is(err, providers.ErrRateLimited):
		return "Too many requests: " + title + " asks Kiln to slow down. Try again in a minute" + detail
	case errors.Is(err, providers.ErrNetwork):
		return "No network: " + title + " could not be reached. Check your connection or the provider's address in Settings (" + err.Error() + ")"
	case errors.Is(err, providers.ErrServer):
		return "Server error: " + title + " failed to answer. Try again later" + detail
	case errors.Is(err, ErrNoKeychain):
		return err.Error()
	}
	return err.Error()
}
