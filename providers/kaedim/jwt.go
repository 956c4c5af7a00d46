package kaedim

import (
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"slices"
	"sync"
	"time"

	"github.com/kiln3d/kiln/providers"
	"github.com/kiln3d/kiln/providers/httpkit"
)

// jwtLifetime is how long Kaedim documents a JWT to last. Its answer carries no expiry, so Kiln
// counts from the moment it asked.
const jwtLifetime = 12 * time.Hour

// jwtMargin is how long before its expiry a JWT is replaced, so that no call starts with a JWT that
// dies on the way.
const jwtMargin = 10 * time.Minute

// jwtCache is the JWT a session uses, with the credentials it was bought with.
type jwtCache struct {
	mu      sync.Mutex
	token   string
	expires time.Time // zero when unknown: the JWT is used until Kaedim refuses it
	owner   [32]byte
}

func fingerprint(c Credentials) [32]byte {
	return sha256.Sum256([]byte(c.DevID + "\x00" + c.APIKey + "\x00" + c.RefreshToken))
}

// valid returns the cached JWT when it belongs to creds and is not about to expire.
func (j *jwtCache) valid(owner [32]byte, now time.Time) (string, bool) {
	j.mu.Lock()
	defer j.mu.Unlock()
	return j.token, j.token != "" && j.owner == owner && usable(j.expires, now)
}

func usable(expires, now time.Time) bool {
	return expires.IsZero() || now.Before(expires.Add(-jwtMargin))
}

func (j *jwtCache) set(token string, expires time.Time, owner [32]byte) {
	j.mu.Lock()
	defer j.mu.Unlock()
	j.token, j.expires, j.owner = token, expires, owner
}

// maxKnownJWTs bounds the JWTs a provider remembers to redact: a handful covers every JWT a server
// could still echo (the current one, and those it replaced during the run's last refreshes).
const maxKnownJWTs = 16

// knowJWT remembers a JWT this provider used, so that no error or log line shows it, even once a
// refresh has replaced it.
func (p *Provider) knowJWT(token string) {
	if token == "" {
		return
	}
	p.shared.mu.Lock()
	defer p.shared.mu.Unlock()
	if slices.Contains(p.shared.jwts, token) {
		return
	}
	p.shared.jwts = append(p.shared.jwts, token)
	if len(p.shared.jwts) > maxKnownJWTs {
		p.shared.jwts = p.shared.jwts[1:]
	}
}

// cache returns the JWT cache of the credential whose fingerprint is owner.
func (s *session) cache(owner [32]byte) *jwtCache {
	sh := s.p.shared
	sh.mu.Lock()
	defer sh.mu.Unlock()
	c, ok := sh.caches[owner]
	if !ok {
		c = &jwtCache{}
		sh.caches[owner] = c
	}
	return c
}

// secrets lists what must never be shown: creds' secrets and the JWTs this provider has used.
func (p *Provider) secrets(creds Credentials) []string {
	p.shared.mu.Lock()
	defer p.shared.mu.Unlock()
	return append([]string{creds.APIKey, creds.RefreshToken}, p.shared.jwts...)
}

// token returns a JWT for creds other than stale ("" when the caller holds none). When none is at
// hand it takes the JWT in Secrets (another Kiln process, or the previous run, may have saved one)
// or refreshes. Refreshes are one at a time, and whoever waited for one uses its result instead of
// refreshing again.
func (s *session) token(ctx context.Context, creds Credentials, stale string) (string, error) {
	owner := fingerprint(creds)
	if t, ok := s.cache(owner).valid(owner, s.p.Now()); ok && t != stale {
		return t, nil
	}
	select {
	case s.p.refreshing <- struct{}{}:
	case <-ctx.Done():
		return "", fmt.Errorf("kaedim: wait for a new JWT: %w", ctx.Err())
	}
	defer func() { <-s.p.refreshing }()
	now := s.p.Now()
	if t, ok := s.cache(owner).valid(owner, now); ok && t != stale {
		return t, nil
	}
	if t, exp, err := s.secrets.JWT(ctx); err == nil && t != "" && t != stale && usable(exp, now) {
		s.cache(owner).set(t, exp, owner)
		s.p.knowJWT(t)
		return t, nil
	} else if err != nil {
		s.p.Log.LogAttrs(ctx, slog.LevelWarn, "kaedim: the stored JWT could not be read; refreshing",
			slog.String("error", httpkit.Scrub(err.Error(), creds.APIKey, creds.RefreshToken, t)))
	}
	return s.refresh(ctx, creds)
}

// refresh buys a new JWT with the refresh token, which invalidates the previous one, and keeps it.
// The caller holds p.refreshing.
func (s *session) refresh(ctx context.Context, creds Credentials) (string, error) {
	var out struct {
		JWT string `json:"jwt"`
	}
	asked := s.p.Now()
	err := s.exchange(ctx, creds, call{
		op: "refresh the JWT", method: http.MethodPost, route: "refreshJWT",
		header: http.Header{"Refresh-Token": {creds.RefreshToken}},
		body:   jsonPayload(map[string]string{"devID": creds.DevID}),
	}, "", &out)
	var api *providers.APIError
	if errors.As(err, &api) && (api.Status == http.StatusBadRequest || api.Status == http.StatusUnauthorized) {
		// refreshJWT answers 400 "please check your api-key and refresh-token": here that is
		// the credentials' refusal, not a bad request of Kiln's making.
		api.Kind = providers.ErrUnauthorized
		return "", api
	}
	if err != nil {
		return "", err
	}
	if out.JWT == "" {
		return "", service.Error("refresh the JWT", http.StatusOK, providers.ErrServer, "Kaedim's answer holds no jwt")
	}
	expires := asked.Add(jwtLifetime)
	s.p.knowJWT(out.JWT)
	s.cache(fingerprint(creds)).set(out.JWT, expires, fingerprint(creds))
	if err := s.secrets.SaveJWT(ctx, out.JWT, expires); err != nil {
		// The JWT works from memory; only the next run will have to refresh again.
		s.p.Log.LogAttrs(ctx, slog.LevelWarn, "kaedim: the new JWT could not be stored",
			slog.String("error", httpkit.Scrub(err.Error(), creds.APIKey, creds.RefreshToken, out.JWT)))
	}
	return out.JWT, nil
}
