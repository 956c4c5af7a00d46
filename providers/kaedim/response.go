package kaedim

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
	"unicode"

	"github.com/kiln3d/kiln/providers"
)

// maxErrorBody bounds how much of a refusal is read: Kaedim's are a line of JSON, a proxy's HTML
// page is longer but its start says enough.
const maxErrorBody = 64 << 10

// checkResponse is the one place where an answer that is not a success becomes an error: a
// *providers.APIError whose kind follows the status (400 and 406 are ErrInvalidInput) and whose
// message is Kaedim's own `message`, and `cause` when it sends one. A refusal that is not
// Kaedim's documented JSON (a proxy's HTML page, a cut-off answer) is ErrServer with an excerpt.
func checkResponse(op string, resp *http.Response, now time.Time) error {
	if resp.StatusCode >= 200 && resp.StatusCode < 300 {
		return nil
	}
	e := &providers.APIError{Provider: Name, Op: op, Status: resp.StatusCode, Kind: providers.KindOfStatus(resp.StatusCode)}
	if e.Kind == nil {
		e.Kind = providers.ErrServer // a 1xx or 3xx that the HTTP client did not resolve
	}
	data, _ := io.ReadAll(io.LimitReader(resp.Body, maxErrorBody))
	msg, ok := kaedimMessage(data)
	switch {
	case ok:
		e.Message = msg
	case len(bytes.TrimSpace(data)) == 0:
		e.Message = "" // the status says it all; Error() falls back to the kind's words
	case errors.Is(e.Kind, providers.ErrRateLimited):
		e.Message = "too many requests: " + excerpt(data) // a proxy's own 429 page still means wait
	default:
		e.Kind = providers.ErrServer
		e.Message = notAPI(resp, data, nil)
	}
	if errors.Is(e.Kind, providers.ErrRateLimited) {
		e.RetryAfter = retryAfter(resp.Header.Get("Retry-After"), now)
	}
	return e
}

// kaedimMessage reads Kaedim's error JSON: {"status": "error", "message": "...", "cause": "..."}.
func kaedimMessage(data []byte) (string, bool) {
	var body map[string]json.RawMessage
	if json.Unmarshal(data, &body) != nil {
		return "", false
	}
	msg := text(body["message"])
	if msg == "" {
		msg = text(body["error"])
	}
	if cause := text(body["cause"]); cause != "" {
		if msg == "" {
			return cause, true
		}
		return msg + ": " + cause, true
	}
	return msg, true
}

// text renders a JSON value for a message: a string as itself, anything else as compact JSON.
func text(raw json.RawMessage) string {
	if len(raw) == 0 || string(raw) == "null" {
		return ""
	}
	var s string
	if json.Unmarshal(raw, &s) == nil {
		return s
	}
	var b bytes.Buffer
	if json.Compact(&b, raw) != nil {
		return ""
	}
	return shorten(b.String(), 200)
}

// decode reads a successful answer into out (which may be nil).
func decode(ctx context.Context, op string, resp *http.Response, out any) error {
	data, err := io.ReadAll(io.LimitReader(resp.Body, maxAnswer+1))
	if err != nil {
		return networkError(ctx, op, err)
	}
	if len(data) > maxAnswer {
		return &providers.APIError{Provider: Name, Op: op, Status: resp.StatusCode, Kind: providers.ErrServer,
			Message: fmt.Sprintf("the answer is longer than %d MiB", maxAnswer>>20)}
	}
	if out == nil {
		return nil
	}
	if err := json.Unmarshal(data, out); err != nil {
		return &providers.APIError{Provider: Name, Op: op, Status: resp.StatusCode, Kind: providers.ErrServer,
			Message: notAPI(resp, data, err)}
	}
	// A success status around an error body would otherwise pass as an empty answer.
	var env struct {
		Status  string          `json:"status"`
		Message json.RawMessage `json:"message"`
	}
	if json.Unmarshal(data, &env) == nil && env.Status == "error" {
		msg, _ := kaedimMessage(data)
		return &providers.APIError{Provider: Name, Op: op, Status: resp.StatusCode, Kind: providers.ErrServer, Message: msg}
	}
	return nil
}

// notAPI explains an answer that is not Kaedim's JSON, quoting its start.
func notAPI(resp *http.Response, data []byte, err error) string {
	what := "an answer that is not Kaedim's API"
	if ct, _, _ := mime.ParseMediaType(resp.Header.Get("Content-Type")); ct != "" && ct != "application/json" {
		what += " (" + ct + ")"
	}
	if err != nil {
		var syntax *json.SyntaxError
		switch {
		case errors.As(err, &syntax), errors.Is(err, io.ErrUnexpectedEOF):
			what = "broken JSON (" + err.Error() + ")"
		default:
			what = "JSON of an unexpected shape (" + err.Error() + ")"
		}
	}
	if len(bytes.TrimSpace(data)) == 0 {
		return "Kaedim sent " + what + ": an empty body"
	}
	return fmt.Sprintf("Kaedim sent %s: %q", what, excerpt(data))
}

// excerpt is the start of a body as one short line: HTML tags dropped, whitespace collapsed.
func excerpt(data []byte) string {
	var b strings.Builder
	inTag, space := false, false
	for _, r := range string(data[:min(len(data), 2048)]) {
		switch {
		case r == '<':
			inTag = true
		case r == '>' && inTag:
			inTag, space = false, true
		case inTag:
		case unicode.IsSpace(r) || !unicode.IsPrint(r):
			space = true
		default:
			if space && b.Len() > 0 {
				b.WriteByte(' ')
			}
			space = false
			b.WriteRune(r)
		}
	}
	return shorten(b.String(), 120)
}

func shorten(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n]) + "…"
}

// networkError explains a request that got no answer. A cancelled ctx wins: the caller asked to stop.
// The URL is left out of the text, as a download link's query is a signature.
func networkError(ctx context.Context, op string, err error) error {
	if ctx.Err() != nil {
		return fmt.Errorf("kaedim: %s: %w", op, ctx.Err())
	}
	var input *providers.InputError
	if errors.As(err, &input) {
		return input // an image that could not be read for the upload
	}
	msg := err.Error()
	var ue *url.Error
	if errors.As(err, &ue) {
		msg = ue.Err.Error()
		if ue.Timeout() {
			msg = "no answer in time (" + msg + ")"
		}
	}
	return &providers.APIError{Provider: Name, Op: op, Kind: providers.ErrNetwork, Message: msg}
}

// retryAfter reads a Retry-After header: seconds, or an HTTP date. Zero when absent or unreadable.
func retryAfter(h string, now time.Time) time.Duration {
	h = strings.TrimSpace(h)
	if h == "" {
		return 0
	}
	if s, err := strconv.Atoi(h); err == nil {
		return max(0, time.Duration(s)*time.Second)
	}
	if t, err := http.ParseTime(h); err == nil {
		return max(0, t.Sub(now))
	}
	return 0
}
