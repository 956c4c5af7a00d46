package threedverse

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"strings"
	"time"

	"github.com/kiln3d/kiln/providers"
	"github.com/kiln3d/kiln/providers/httpkit"
)

// callTimeout bounds a call that moves no file, so that a stalled answer cannot hold a
// publication forever.
const callTimeout = 2 * time.Minute

// maxAnswer bounds a JSON answer: the longest is a folder's list of assets.
const maxAnswer = 16 << 20

// maxRateWait bounds how long one rate limit holds a call: a longer one is left to the core's
// own waiting, which calls Publish again.
const maxRateWait = 5 * time.Minute

// The headers the credentials travel in (3dverse reads their names in any case).
const (
	headerAPIKey    = "api_key"
	headerUserToken = "user_token"
)

// service describes 3dverse to httpkit's helpers.
var service = httpkit.Service{Name: Name, Title: Title, Message: message, MaxAnswer: maxAnswer}

// errorJSON is the shape of every refusal: {"status": 403, "errorCode": "forbidden", "message": ...}.
type errorJSON struct {
	ErrorCode string `json:"errorCode"`
	Message   string `json:"message"`
}

// message reads 3dverse's words from an error body; ok is false for any other shape (a proxy's
// page).
func message(body []byte) (string, bool) {
	var b errorJSON
	if json.Unmarshal(body, &b) != nil || (b.Message == "" && b.ErrorCode == "") {
		return "", false
	}
	if b.Message == "" {
		return b.ErrorCode, true
	}
	return b.Message, true
}

// The kinds of credential a call carries, which decide how a refusal is explained.
type credKind int

const (
	// byKey is the API key, in the api_key header.
	byKey credKind = iota
	// byKilnToken is a user token Kiln made with the API key, in the user_token header.
	byKilnToken
	// byPastedToken is the user token the artist pasted, in the user_token header.
	byPastedToken
)

// cred is the credential one request carries.
type cred struct {
	kind  credKind
	value string
}

// header is the header cred travels in.
func (c cred) header() string {
	if c.kind == byKey {
		return headerAPIKey
	}
	return headerUserToken
}

// call is one request to the Asset API.
type call struct {
	// op says what Kiln was doing, for errors: "list the folders".
	op     string
	method string
	// route follows the endpoint: "folders?offset=0&limit=100".
	route string
	// json is a JSON body; nil for none.
	json any
	// form is a multipart body, for the upload, which goes without callTimeout. It is opened
	// afresh for every sending.
	form *httpkit.Form
	// sent, for a form, hears how many of the files' bytes have left, on the caller's goroutine.
	sent func(n int64)
}

// do sends c with cr and decodes a successful answer into out; it returns the answer's status (0
// when none came). It first waits for the credential's rate limit when the last answer said it was
// spent. A refusal is a *providers.APIError with 3dverse's words, made to say what to do about a
// refused credential; nothing it returns or logs holds one of secrets (every credential the
// session knows).
func (t *Target) do(ctx context.Context, cr cred, bucket string, c call, out any, secrets []string) (int, error) {
	parent := ctx
	if err := t.waitTurn(ctx, bucket, c.op); err != nil {
		return 0, err
	}
	if c.form == nil {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, callTimeout)
		defer cancel()
	}
	var body io.Reader
	contentType := "application/json"
	var progress <-chan int64
	switch {
	case c.form != nil:
		var rc io.ReadCloser
		rc, progress = c.form.Open()
		body, contentType = rc, c.form.ContentType()
	case c.json != nil:
		data, err := json.Marshal(c.json)
		if err != nil {
			return 0, providers.NotSent(err)
		}
		// A bytes.Reader lets net/http send the body again on a reused connection found closed.
		body = bytes.NewReader(data)
	}
	req, err := http.NewRequestWithContext(ctx, c.method, t.Endpoint()+"/"+c.route, body)
	if err != nil {
		if closer, ok := body.(io.Closer); ok {
			_ = closer.Close()
		}
		return 0, providers.NotSent(service.Error(c.op, 0, providers.ErrNetwork, "bad endpoint: "+httpkit.Scrub(err.Error(), secrets...)))
	}
	if c.form != nil {
		req.ContentLength = c.form.Size()
	}
	if body != nil {
		req.Header.Set("Content-Type", contentType)
	}
	req.Header.Set("Accept", "application/json")
	req.Header.Set("User-Agent", "Kiln")
	req.Header.Set(cr.header(), cr.value)
	start := time.Now()
	resp, err := t.send(req, progress, c.sent)
	if err != nil {
		err = httpkit.ScrubError(service.NetworkError(parent, c.op, err), secrets...)
		t.Log.LogAttrs(parent, slog.LevelWarn, "3dverse request failed", slog.String("op", c.op),
			slog.String("method", c.method), slog.String("route", routePath(c.route)), slog.String("error", err.Error()))
		return 0, err
	}
	defer func() { _ = resp.Body.Close() }()
	t.shared.limits.Note(bucket, resp, t.Now())
	t.Log.LogAttrs(parent, slog.LevelDebug, "3dverse request", slog.String("op", c.op), slog.String("method", c.method),
		slog.String("route", routePath(c.route)), slog.Int("status", resp.StatusCode), slog.Duration("took", time.Since(start)))
	if err := service.CheckResponse(c.op, resp, t.Now()); err != nil {
		err = httpkit.ScrubError(explain(err, cr.kind), secrets...)
		t.shared.limits.NoteRefusal(bucket, err, t.Now())
		t.Log.LogAttrs(parent, slog.LevelInfo, "3dverse refused", slog.String("op", c.op), slog.String("error", err.Error()))
		return resp.StatusCode, err
	}
	return resp.StatusCode, httpkit.ScrubError(service.Decode(parent, c.op, resp, out), secrets...)
}

// send sends req and returns its answer. While an upload's body leaves, it passes the bytes sent
// from progress on to sent, on the caller's goroutine, so that a report never comes from
// net/http's.
func (t *Target) send(req *http.Request, progress <-chan int64, sent func(int64)) (*http.Response, error) {
	if progress == nil || sent == nil {
		return t.HTTP.Do(req)
	}
	type answer struct {
		resp *http.Response
		err  error
	}
	done := make(chan answer, 1)
	go func() {
		resp, err := t.HTTP.Do(req)
		done <- answer{resp, err}
	}()
	for {
		select {
		case n := <-progress:
			sent(n)
		case a := <-done:
			return a.resp, a.err
		}
	}
}

// scrub removes every secret given from err's printable parts, whole or cut short by an excerpt.
func scrub(err error, secrets ...string) error { return httpkit.ScrubError(err, secrets...) }

// scrubText removes every secret given from text.
func scrubText(text string, secrets ...string) string { return httpkit.Scrub(text, secrets...) }

// routePath is a route without its query, for the log.
func routePath(route string) string {
	path, _, _ := strings.Cut(route, "?")
	return path
}

// explain makes a refusal say what it means for Kiln and what to do, keeping 3dverse's words
// first. kind is the credential the refused call carried. A refused user token Kiln made is left
// as it is: the caller makes a new one and sends the call again.
func explain(err error, kind credKind) error {
	var api *providers.APIError
	if !errors.As(err, &api) {
		return err
	}
	switch {
	case api.Status == http.StatusUnauthorized && kind == byKey:
		api.Kind = providers.ErrUnauthorized
		api.Message += " (3dverse refused the API key: it is wrong, has expired or was revoked; make a new one in " + consolePage + ")"
	case api.Status == http.StatusUnauthorized && kind == byPastedToken:
		api.Kind = providers.ErrUnauthorized
		api.Message += " (3dverse refused the user token: it has expired or was revoked; paste a new one, or an API key)"
	case api.Status == http.StatusForbidden && kind == byKey && strings.Contains(strings.ToLower(api.Message), "scope"):
		api.Message += " (the API key works, but lacks a permission Kiln needs: give it the \"users\" and \"folders\" scopes in " +
			consolePage + ")"
	}
	return err
}

// waitTurn waits, at most maxRateWait, until the rate limit the last answer said was spent holds
// no more; cancelled, it returns ctx's error: nothing was sent.
func (t *Target) waitTurn(ctx context.Context, bucket, op string) error {
	if err := t.shared.limits.Wait(ctx, t.Kit, Name, bucket, op); err != nil {
		return providers.NotSent(wrapCtx(op, err))
	}
	return nil
}
