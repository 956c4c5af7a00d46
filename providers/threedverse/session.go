package threedverse

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"time"

	"github.com/kiln3d/kiln/providers"
	"github.com/kiln3d/kiln/providers/httpkit"
)

// tokenMargin is how long before a user token expires Kiln stops using it and makes another: a
// publication's calls then never start with a token about to lapse.
const tokenMargin = time.Minute

// tokenScope is the scope of the user tokens Kiln makes: enough to upload, not to manage.
const tokenScope = "write"

// session is one method call's view of a credential: the API key or the pasted user token, the
// user token in use and Kiln's user. It is not safe for concurrent use; each call makes its own.
type session struct {
	t *Target
	creds
	// bucket names the credential's rate limit.
	bucket string
	// token is the user token in use with the API key; "" until one is needed.
	token string
	// userID is Kiln's user's id, once found.
	userID string
	// known are every credential the session has held, scrubbed from every error and log line.
	known []string
	// grantRefused is 3dverse's refusal of the write access Kiln asked for its user on the folder,
	// "" when it was given or not asked for: a later 403 quotes it.
	grantRefused string
}

// session returns a session of c.
func (t *Target) session(c creds) *session {
	ss := &session{t: t, creds: c, bucket: httpkit.Bucket(t.Endpoint(), c.primary())}
	ss.learn(c.key)
	ss.learn(c.pasted)
	return ss
}

// learn adds a credential to those scrubbed.
func (ss *session) learn(secret string) {
	if secret != "" && !slices.Contains(ss.known, secret) {
		ss.known = append(ss.known, secret)
	}
}

// scrub removes every credential the session knows from err's printable parts.
func (ss *session) scrub(err error) error { return scrub(err, ss.known...) }

// userKey names Kiln's user on this endpoint under this API key, for the shared caches.
func (ss *session) userKey() string {
	return httpkit.Bucket(ss.t.Endpoint(), ss.key) + " " + ss.t.username
}

// withKey sends c with the API key.
func (ss *session) withKey(ctx context.Context, c call, out any) (int, error) {
	return ss.t.do(ctx, cred{kind: byKey, value: ss.key}, ss.bucket, c, out, ss.known)
}

// either sends c with the API key, or, without one, with the pasted user token: the calls that
// take either (the folders).
func (ss *session) either(ctx context.Context, c call, out any) (int, error) {
	if ss.key != "" {
		return ss.withKey(ctx, c, out)
	}
	return ss.asUser(ctx, c, out)
}

// asUser sends c with a user token: the pasted one, or one Kiln made with the API key. A token
// Kiln made that 3dverse refuses (expired early, revoked) is replaced by a new one and c sent
// once more; a second refusal is providers.ErrUnauthorized.
func (ss *session) asUser(ctx context.Context, c call, out any) (int, error) {
	if ss.pasted != "" {
		return ss.t.do(ctx, cred{kind: byPastedToken, value: ss.pasted}, ss.bucket, c, out, ss.known)
	}
	token, err := ss.userToken(ctx, "")
	if err != nil {
		return 0, err
	}
	status, err := ss.t.do(ctx, cred{kind: byKilnToken, value: token}, ss.bucket, c, out, ss.known)
	if status != http.StatusUnauthorized {
		return status, err
	}
	ss.t.Log.LogAttrs(ctx, slog.LevelInfo, "3dverse refused Kiln's user token; making a new one", slog.String("op", c.op),
		slog.String("error", err.Error()))
	if token, err = ss.userToken(ctx, token); err != nil {
		return 0, err
	}
	status, err = ss.t.do(ctx, cred{kind: byKilnToken, value: token}, ss.bucket, c, out, ss.known)
	var api *providers.APIError
	if status == http.StatusUnauthorized && errors.As(err, &api) {
		api.Kind = providers.ErrUnauthorized
		api.Message += " (3dverse refused a user token Kiln had just made with the API key: check in " + consolePage +
			" that the key belongs to the app and environment of this endpoint)"
	}
	return status, err
}

// userToken returns the user token to use with the API key: the one in use, else the one saved
// with the credential while it has more than tokenMargin left, else a new one, which it saves.
// stale, when set, is a token 3dverse has just refused: a new one replaces it, unless another
// call already replaced it. One token at a time is made per API key.
func (ss *session) userToken(ctx context.Context, stale string) (string, error) {
	op := "get a user token"
	if stale == "" && ss.token != "" {
		return ss.token, nil
	}
	unlock, err := ss.t.shared.lock(ctx, ss.userKey())
	if err != nil {
		return "", providers.NotSent(wrapCtx(op, err))
	}
	defer unlock()
	saved, expires, err := ss.store.Token(ctx)
	if err != nil {
		return "", providers.NotSent(fmt.Errorf("%s: read the saved user token: %w", Name, err))
	}
	if saved != "" && saved != stale && expires.Sub(ss.t.Now()) > tokenMargin {
		ss.learn(saved)
		ss.token = saved
		return saved, nil
	}
	token, expires, err := ss.makeToken(ctx)
	if err != nil {
		return "", err
	}
	if err := ss.store.SaveToken(ctx, token, expires); err != nil {
		// The token works without being kept: the next publication makes another.
		ss.t.Log.LogAttrs(ctx, slog.LevelWarn, "3dverse: the new user token could not be saved", slog.String("error",
			scrubText(err.Error(), ss.known...)))
	}
	ss.token = token
	return token, nil
}

// makeToken makes Kiln's user a user token with the API key: POST /users/{id}/tokens. A user
// 3dverse no longer knows (removed in the console) is found or registered again, once.
func (ss *session) makeToken(ctx context.Context) (string, time.Time, error) {
	op := "make a user token"
	body := map[string]string{"scope": tokenScope, "ttl": ttlText(ss.t.ttl)}
	var out tokenJSON
	var status int
	for try := 0; ; try++ {
		id, err := ss.user(ctx)
		if err != nil {
			return "", time.Time{}, err
		}
		status, err = ss.withKey(ctx, call{op: op, method: http.MethodPost, route: "users/" + url.PathEscape(id) + "/tokens", json: body}, &out)
		if status == http.StatusNotFound && try == 0 {
			ss.t.shared.setUser(ss.userKey(), "")
			ss.userID = ""
			continue
		}
		if err != nil {
			return "", time.Time{}, err
		}
		break
	}
	if out.UserToken == "" {
		return "", time.Time{}, service.Error(op, status, providers.ErrServer, "3dverse answered without a user token")
	}
	ss.learn(out.UserToken)
	now := ss.t.Now()
	expires := now.Add(ss.t.ttl)
	switch {
	case out.ExpiresOn > 0:
		expires = time.Unix(out.ExpiresOn, 0)
	case out.ExpiresIn > 0:
		expires = now.Add(time.Duration(out.ExpiresIn) * time.Second)
	}
	ss.t.Log.LogAttrs(ctx, slog.LevelInfo, "3dverse: made a user token", slog.String("user", ss.t.username),
		slog.Time("expires", expires))
	return out.UserToken, expires, nil
}

// user returns Kiln's user's id: found among the app's users by name, or registered. It is
// remembered for every value of the Target, per endpoint and API key.
func (ss *session) user(ctx context.Context) (string, error) {
	if ss.userID != "" {
		return ss.userID, nil
	}
	if id := ss.t.shared.user(ss.userKey()); id != "" {
		ss.userID = id
		return id, nil
	}
	id, err := ss.findUser(ctx)
	if err != nil {
		return "", err
	}
	if id == "" {
		op := "register Kiln's 3dverse user"
		var out userJSON
		status, err := ss.withKey(ctx, call{op: op, method: http.MethodPost, route: "users", json: map[string]string{"username": ss.t.username}}, &out)
		switch {
		case status == http.StatusConflict:
			// Registered meanwhile, by another Kiln or another publication.
			if id, err = ss.findUser(ctx); err != nil {
				return "", err
			}
			if id == "" {
				return "", service.Error(op, status, providers.ErrServer,
					fmt.Sprintf("3dverse says the user %q is registered, but does not list it", ss.t.username))
			}
		case err != nil:
			return "", err
		case out.UserID == "":
			return "", service.Error(op, status, providers.ErrServer, "3dverse registered the user but sent no user id")
		default:
			id = out.UserID
			ss.t.Log.LogAttrs(ctx, slog.LevelInfo, "3dverse: registered Kiln's user", slog.String("user", ss.t.username))
		}
	}
	ss.t.shared.setUser(ss.userKey(), id)
	ss.userID = id
	return id, nil
}

// findUser looks for Kiln's user among the app's users, GET /users; "" when it is not there.
func (ss *session) findUser(ctx context.Context) (string, error) {
	users, err := pages(ctx, "users", func(u userJSON) string { return u.UserID }, func(route string, out *[]userJSON) error {
		_, err := ss.withKey(ctx, call{op: "find Kiln's 3dverse user", method: http.MethodGet, route: route}, out)
		return err
	})
	if err != nil {
		return "", err
	}
	for _, u := range users {
		if u.Username == ss.t.username && u.UserID != "" {
			return u.UserID, nil
		}
	}
	return "", nil
}

// ttlText writes d as 3dverse reads a token's life: a whole number of days, hours, minutes or
// seconds ("1h", "90m").
func ttlText(d time.Duration) string {
	for _, u := range []struct {
		unit string
		d    time.Duration
	}{{"d", 24 * time.Hour}, {"h", time.Hour}, {"m", time.Minute}} {
		if d%u.d == 0 {
			return strconv.FormatInt(int64(d/u.d), 10) + u.unit
		}
	}
	return strconv.FormatInt(int64((d+time.Second-1)/time.Second), 10) + "s"
}

// pageSize is how many items one page of a list asks for.
const pageSize = 100

// maxPages bounds a list: ten thousand folders or users is more than any app holds, and a server
// that ignores the offset must not hold Kiln in a loop.
const maxPages = 100

// pages reads a list a page at a time: path?offset=N&limit=pageSize, until a short page, or a
// page that brings nothing new (a server that ignores the offset). id names an item, to drop
// what a page repeats.
func pages[T any](ctx context.Context, path string, id func(T) string, get func(route string, out *[]T) error) ([]T, error) {
	var all []T
	seen := map[string]bool{}
	for page := range maxPages {
		var items []T
		if err := get(fmt.Sprintf("%s?offset=%d&limit=%d", path, page*pageSize, pageSize), &items); err != nil {
			return nil, err
		}
		fresh := 0
		for _, it := range items {
			if k := id(it); !seen[k] {
				seen[k] = true
				all = append(all, it)
				fresh++
			}
		}
		if len(items) < pageSize || fresh == 0 {
			break
		}
		if err := ctxErr(ctx, "list the "+path); err != nil {
			return nil, err
		}
	}
	return all, nil
}
