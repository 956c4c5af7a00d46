package kaedim

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"time"

	"github.com/kiln3d/kiln/providers"
	"github.com/kiln3d/kiln/providers/httpkit"
)

// apiPath is where Kaedim's routes live below the endpoint.
const apiPath = "/api/v1"

// callTimeout bounds a call that moves no file, so that a stalled answer cannot hold a job forever.
const callTimeout = 2 * time.Minute

// maxAnswer bounds a JSON answer; fetchAll's list of every request is the longest.
const maxAnswer = 64 << 20

// session is one credential's way to the API: its secrets and the JWT they bought, shared by every
// call made with them.
type session struct {
	p       *Provider
	secrets Secrets
}

func (p *Provider) session(s Secrets) *session { return &session{p: p, secrets: s} }

// call is one request to Kaedim's API.
type call struct {
	// op says what Kiln was doing, for errors: "fetch request 12ab".
	op     string
	method string
	// route follows /api/v1/: "fetchRequest".
	route  string
	query  url.Values
	body   *payload
	header http.Header
	// jwt sends the JWT in Authorization: every route but refreshJWT needs it.
	jwt bool
	// long lifts callTimeout, for uploads.
	long bool
	// billable marks a request Kaedim charges for (/process): once it may have reached Kaedim it
	// is never sent again by anything below do, and do sends it again only after a 401, which
	// Kaedim answers before it takes the work.
	billable bool
}

// payload is a request body that can be sent again: the 401 retry sends it twice.
type payload struct {
	contentType string
	size        int64
	open        func() (io.ReadCloser, error)
}

func jsonPayload(v any) *payload {
	data, _ := json.Marshal(v) // maps of strings always marshal
	return &payload{contentType: "application/json", size: int64(len(data)),
		open: func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(data)), nil }}
}

// do sends c with creds and decodes the answer into out. A 401 on a route that takes the JWT buys a
// new JWT (unless another call already has) and sends c once more: the JWT may have expired or
// been replaced by a refresh elsewhere.
func (s *session) do(ctx context.Context, creds Credentials, c call, out any) error {
	jwt := ""
	if c.jwt {
		var err error
		if jwt, err = s.token(ctx, creds, ""); err != nil {
			return providers.NotSent(err) // without a JWT, c never left
		}
	}
	err := s.exchange(ctx, creds, c, jwt, out)
	if !c.jwt || !errors.Is(err, providers.ErrUnauthorized) {
		return err
	}
	fresh, rerr := s.token(ctx, creds, jwt)
	if rerr != nil {
		return rerr
	}
	return s.exchange(ctx, creds, c, fresh, out)
}

// exchange sends c once and decodes the answer.
func (s *session) exchange(ctx context.Context, creds Credentials, c call, jwt string, out any) error {
	parent := ctx
	if !c.long {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, callTimeout)
		defer cancel()
	}
	// The JWT sent is among the known ones unless Secrets handed over one never used before.
	s.p.knowJWT(jwt)
	hide := func(err error) error { return httpkit.ScrubError(err, s.p.secrets(creds)...) }
	u := s.p.Endpoint() + apiPath + "/" + c.route
	if len(c.query) > 0 {
		u += "?" + c.query.Encode()
	}
	var body io.ReadCloser
	if c.body != nil {
		var err error
		if body, err = c.body.open(); err != nil {
			return err // an image that vanished since Submit checked it: an InputError naming it
		}
	}
	req, err := http.NewRequestWithContext(ctx, c.method, u, body)
	if err != nil {
		if body != nil {
			_ = body.Close()
		}
		return hide(service.Error(c.op, 0, providers.ErrNetwork, "bad endpoint: "+err.Error()))
	}
	if c.body != nil {
		req.ContentLength = c.body.size
		req.Header.Set("Content-Type", c.body.contentType)
		// GetBody lets net/http send the body again by itself: after a 307 or 308, or when a
		// reused connection turns out closed. A billable request goes without, so that it
		// reaches Kaedim at most once per do: a redirect comes back as an error instead.
		if !c.billable {
			req.GetBody = c.body.open
		}
	}
	for k, v := range c.header {
		req.Header[k] = v
	}
	req.Header.Set("Accept", "application/json")
	req.Header.Set("User-Agent", "Kiln")
	req.Header.Set("X-API-Key", creds.APIKey)
	if jwt != "" {
		// The bare JWT, as every sample in Kaedim's documentation and its own sample app and
		// Unreal plugin send it; Kaedim also accepts "Bearer <jwt>".
		req.Header.Set("Authorization", jwt)
	}
	start := time.Now()
	resp, err := s.p.HTTP.Do(req)
	if err != nil {
		err = service.NetworkError(parent, c.op, err)
		s.p.Log.LogAttrs(parent, slog.LevelWarn, "kaedim request failed", slog.String("op", c.op),
			slog.String("method", c.method), slog.String("route", c.route), slog.String("error", hide(err).Error()))
		return hide(err)
	}
	defer func() { _ = resp.Body.Close() }()
	s.p.Log.LogAttrs(parent, slog.LevelDebug, "kaedim request", slog.String("op", c.op), slog.String("method", c.method),
		slog.String("route", c.route), slog.Int("status", resp.StatusCode), slog.Duration("took", time.Since(start)))
	if err := service.CheckResponse(c.op, resp, s.p.Now()); err != nil {
		err = hide(err)
		s.p.Log.LogAttrs(parent, slog.LevelInfo, "kaedim refused", slog.String("op", c.op), slog.String("error", err.Error()))
		return err
	}
	return hide(service.Decode(parent, c.op, resp, out))
}

// scrub removes creds and the JWTs at hand from err, at the edge of every exported method.
func (s *session) scrub(err error, creds Credentials) error {
	return httpkit.ScrubError(err, s.p.secrets(creds)...)
}
