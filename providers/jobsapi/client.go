package jobsapi

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"strings"
	"time"

	"github.com/kiln3d/kiln/providers"
	"github.com/kiln3d/kiln/providers/httpkit"
)

// callTimeout bounds a call that moves no file, so that a stalled answer cannot hold a job forever.
const callTimeout = 2 * time.Minute

// maxAnswer bounds a JSON answer: the longest is a job listing a few files.
const maxAnswer = 4 << 20

// maxRateWait bounds how long one rate limit holds a call: a server that states a longer reset
// gets its 429 answered with the core's own waiting.
const maxRateWait = 5 * time.Minute

// maxRetryAfter caps how long one Retry-After can hold a job between two polls.
const maxRetryAfter = 10 * time.Minute

// headerKey is the header the API key travels in.
const headerKey = "X-Api-Key"

// headerIdempotency is the header a submission's idempotency key travels in.
const headerIdempotency = "Idempotency-Key"

// service describes the server to httpkit's helpers.
var service = httpkit.Service{Name: Name, Title: Title, Message: message, MaxAnswer: maxAnswer}

// The server's error codes Kiln explains further (the API's "Every error" list).
const (
	codeUnauthorized          = "unauthorized"
	codeMissingScope          = "missing_scope"
	codeNotFound              = "not_found"
	codeUnknownProvider       = "unknown_provider"
	codeProviderNotReady      = "provider_not_ready"
	codeInvalidImage          = "invalid_image"
	codePayloadTooLarge       = "payload_too_large"
	codeIdempotencyConflict   = "idempotency_conflict"
	codeIdempotencyInProgress = "idempotency_in_progress"
	codeShuttingDown          = "shutting_down"
)

// inProgressWait is how long to wait before sending again a submission the server is still
// answering under the same idempotency key.
const inProgressWait = 2 * time.Second

// message reads the server's words from an error body; ok is false for any other shape (a
// proxy's page).
func message(body []byte) (string, bool) {
	var b ErrorBody
	if json.Unmarshal(body, &b) != nil || b.Error == nil {
		return "", false
	}
	return b.Error.Message, true
}

// code reads the server's error code from an error body; "" when it has none.
func code(body []byte) string {
	var b ErrorBody
	if json.Unmarshal(body, &b) != nil || b.Error == nil {
		return ""
	}
	return b.Error.Code
}

// call is one request to the API.
type call struct {
	// op says what Kiln was doing, for errors: "submit the job".
	op     string
	method string
	// route follows /api/v1/: "jobs/20261204-212145-ab12cd34".
	route string
	// body is the request's body, of contentType; nil for none. An upload goes without
	// callTimeout.
	body        []byte
	contentType string
	// idempotencyKey, when set, is sent as the Idempotency-Key header.
	idempotencyKey string
}

// do sends c with key and decodes a successful answer into out; it returns the answer's status
// (0 when none came). It first waits for the server's bucket when the last answer for key said it
// was empty. A refusal is a *providers.APIError with the server's words, made to say what to do
// about it; nothing it returns or logs holds the key.
func (p *Provider) do(ctx context.Context, key string, c call, out any) (int, error) {
	parent := ctx
	endpoint := p.Endpoint()
	bucket := bucketOf(endpoint, key)
	if err := p.waitTurn(ctx, bucket, c.op); err != nil {
		return 0, err
	}
	if c.body == nil {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, callTimeout)
		defer cancel()
	}
	var body io.Reader
	if c.body != nil {
		// A bytes.Reader lets net/http send the body again on a reused connection found closed,
		// which it does for a POST only with an Idempotency-Key: safe, then, by the server's word.
		body = bytes.NewReader(c.body)
	}
	req, err := http.NewRequestWithContext(ctx, c.method, endpoint+apiPath+"/"+c.route, body)
	if err != nil {
		return 0, providers.NotSent(service.Error(c.op, 0, providers.ErrNetwork, "bad endpoint: "+httpkit.Scrub(err.Error(), key)))
	}
	if c.body != nil {
		req.Header.Set("Content-Type", c.contentType)
	}
	if c.idempotencyKey != "" {
		req.Header.Set(headerIdempotency, c.idempotencyKey)
	}
	req.Header.Set("Accept", "application/json")
	req.Header.Set("User-Agent", "Kiln")
	req.Header.Set(headerKey, key)
	start := time.Now()
	resp, err := p.HTTP.Do(req)
	if err != nil {
		err = scrub(service.NetworkError(parent, c.op, err), key)
		p.Log.LogAttrs(parent, slog.LevelWarn, "jobsapi request failed", slog.String("op", c.op),
			slog.String("method", c.method), slog.String("route", routePath(c.route)), slog.String("error", err.Error()))
		return 0, err
	}
	raw := resp.Body
	defer func() { _ = raw.Close() }()
	p.limits.Note(bucket, resp, p.Now())
	p.Log.LogAttrs(parent, slog.LevelDebug, "jobsapi request", slog.String("op", c.op), slog.String("method", c.method),
		slog.String("route", routePath(c.route)), slog.Int("status", resp.StatusCode), slog.Duration("took", time.Since(start)))
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		data, _ := io.ReadAll(io.LimitReader(raw, httpkit.MaxErrorBody))
		resp.Body = io.NopCloser(bytes.NewReader(data))
		err := scrub(explain(service.CheckResponse(c.op, resp, p.Now()), code(data), resp.Header, p.Now()), key)
		p.limits.NoteRefusal(bucket, err, p.Now())
		p.Log.LogAttrs(parent, slog.LevelInfo, "jobsapi refused", slog.String("op", c.op), slog.String("error", err.Error()))
		return resp.StatusCode, err
	}
	return resp.StatusCode, scrub(service.Decode(parent, c.op, resp, out), key)
}

// routePath is a route without its query, for the log.
func routePath(route string) string {
	path, _, _ := strings.Cut(route, "?")
	return path
}

// scrub removes the API key (and any other secret given) from err's printable parts, whole or cut
// short by an excerpt.
func scrub(err error, secrets ...string) error {
	return httpkit.ScrubError(err, secrets...)
}

// explain makes a refusal say what it means for Kiln and what to do, keeping the server's words
// first: a refused key, a missing scope, a submission the server already holds under another
// body. code is the server's error code; h the answer's headers.
func explain(err error, code string, h http.Header, now time.Time) error {
	var api *providers.APIError
	if !errors.As(err, &api) {
		return err
	}
	switch {
	case api.Status == http.StatusUnauthorized:
		api.Kind = providers.ErrUnauthorized
		api.Message += " (the Kiln server refused the API key: it is wrong, or was revoked; get a new one from " + keysPage + ")"
	case api.Status == http.StatusForbidden && code == codeMissingScope:
		api.Kind = providers.ErrForbidden
		api.Message += " (the key works, but lacks a permission this needs: ask for a key with that scope)"
	case code == codeIdempotencyConflict:
		// Not transient: sending the same key again gets the same refusal.
		api.Kind = providers.ErrInvalidInput
		api.Message += " (the server already holds another submission under this job's idempotency key, so it made no job; " +
			"submit the job again as a new one)"
	case code == codeIdempotencyInProgress:
		// The first sending is still being answered: the same key, sent again shortly, gets its answer.
		api.Kind = providers.ErrServer
		api.RetryAfter = max(api.RetryAfter, httpkit.RetryAfter(h, now), inProgressWait)
		api.Message += " (the server is still answering the first sending of this job; it is sent again shortly under the same key)"
	case code == codeUnknownProvider || code == codeProviderNotReady:
		api.Kind = providers.ErrInvalidInput
		api.Message += " (pick another Server provider, or set this one up on the server)"
	case code == codeInvalidImage || code == codePayloadTooLarge:
		api.Kind = providers.ErrInvalidInput
	case code == codeShuttingDown:
		api.Kind = providers.ErrServer
	case api.Status == http.StatusTooManyRequests && api.RetryAfter == 0:
		// The server's own header says it too.
		api.RetryAfter = httpkit.RetryAfter(http.Header{"Retry-After": {h.Get("X-Ratelimit-Retry-After")}}, now)
	}
	return err
}

// bucketOf names the rate limit a call draws on: the server's, per key.
func bucketOf(endpoint, key string) string { return httpkit.Bucket(endpoint, key) }

// waitTurn waits, at most maxRateWait, until the bucket the last answer said was empty fills
// again; cancelled, it returns ctx's error: nothing was sent.
func (p *Provider) waitTurn(ctx context.Context, bucket, op string) error {
	if err := p.limits.Wait(ctx, p.Kit, Name, bucket, op); err != nil {
		return providers.NotSent(wrapCtx(op, err))
	}
	return nil
}

// wrapCtx wraps err (a context's) with what Kiln was doing.
func wrapCtx(op string, err error) error { return fmt.Errorf("%s: %s: %w", Name, op, err) }

// retryAfter is the wait a refusal asks for; 0 when it names none.
func retryAfter(err error) time.Duration {
	var api *providers.APIError
	if errors.As(err, &api) {
		return api.RetryAfter
	}
	return 0
}
