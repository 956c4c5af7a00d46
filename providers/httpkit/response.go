package httpkit

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/kiln3d/kiln/providers"
	"github.com/kiln3d/kiln/providers/fsguard"
)

// MaxErrorBody bounds how much of a refusal is read: a service's own is a line of JSON, a proxy's
// HTML page is longer but its start says enough.
const MaxErrorBody = 64 << 10

// DefaultMaxAnswer bounds a JSON answer when Service.MaxAnswer is 0.
const DefaultMaxAnswer = 64 << 20

// Service describes one cloud service to the helpers that turn its answers into results or errors.
type Service struct {
	// Name is the provider's registry key, APIError.Provider: "kaedim".
	Name string
	// Title is the service's name in messages: "Kaedim sent broken JSON".
	Title string
	// Message reads the service's own explanation from an error body; ok is false when the body
	// is not the service's error shape (a proxy's page). nil takes any JSON object's "message"
	// or "error" string.
	Message func(body []byte) (msg string, ok bool)
	// Failed reads an error the service wraps in a success status ({"status": "error", ...});
	// failed is false for a real success. nil: a success status is a success.
	Failed func(body []byte) (msg string, failed bool)
	// MaxAnswer bounds a successful JSON answer; 0 means DefaultMaxAnswer.
	MaxAnswer int64
}

// Error makes the service's *providers.APIError: the one way the helpers and the provider say
// what went wrong. msg is made printable, as it may quote a server; an empty one says the service
// gave no reason, so that every error explains itself.
func (s Service) Error(op string, status int, kind error, msg string) *providers.APIError {
	if strings.TrimSpace(msg) == "" {
		msg = s.Title + " gave no reason"
	}
	return &providers.APIError{Provider: s.Name, Op: op, Status: status, Kind: kind, Message: providers.Printable(msg)}
}

// CheckResponse is the one place where an answer that is not a success becomes an error: a
// *providers.APIError whose kind follows the status (providers.KindOfStatus) and whose message is
// the service's own words. A refusal that is not the service's error shape (a proxy's HTML page, a
// cut-off answer) is ErrServer with an excerpt, except a 429, which still means "wait". Rate-limit
// headers are read on every refusal; RetryAfter is set for a 429 and a 503, the statuses whose
// Retry-After says when to come back (RFC 9110), falling back to the rate limit's reset when the
// quota is spent. It reads at most MaxErrorBody of the body and leaves it to be closed.
func (s Service) CheckResponse(op string, resp *http.Response, now time.Time) error {
	if resp.StatusCode >= 200 && resp.StatusCode < 300 {
		return nil
	}
	kind := providers.KindOfStatus(resp.StatusCode)
	if kind == nil {
		kind = providers.ErrServer // a 1xx or 3xx the HTTP client did not resolve
	}
	data, _ := io.ReadAll(io.LimitReader(resp.Body, MaxErrorBody))
	msg, ok := s.message(data)
	switch {
	case ok && strings.TrimSpace(msg) != "":
	case ok, len(bytes.TrimSpace(data)) == 0:
		msg = reason(resp) // no words: the status line's are the server's own
	case errors.Is(kind, providers.ErrRateLimited):
		msg = "too many requests: " + Excerpt(data) // a proxy's own 429 page still means wait
	default:
		kind, msg = providers.ErrServer, s.NotAPI(resp, data, nil)
	}
	e := s.Error(op, resp.StatusCode, kind, msg)
	e.RateLimit = ParseRateLimit(resp.Header, now)
	if resp.StatusCode == http.StatusTooManyRequests || resp.StatusCode == http.StatusServiceUnavailable {
		e.RetryAfter = RetryAfter(resp.Header, now)
		if e.RetryAfter == 0 && e.RateLimit != nil && e.RateLimit.Remaining == 0 {
			e.RetryAfter = e.RateLimit.Reset
		}
	}
	return e
}

// reason is the status line's reason phrase ("Service Unavailable"), or the standard one.
func reason(resp *http.Response) string {
	if _, phrase, ok := strings.Cut(resp.Status, " "); ok && strings.TrimSpace(phrase) != "" {
		return phrase
	}
	return http.StatusText(resp.StatusCode)
}

func (s Service) message(data []byte) (string, bool) {
	if s.Message != nil {
		return s.Message(data)
	}
	var body struct {
		Message, Error string
	}
	if json.Unmarshal(data, &body) != nil {
		return "", false
	}
	if body.Message != "" {
		return body.Message, true
	}
	return body.Error, true
}

// Decode reads a successful answer into out (nil: read and drop it), at most MaxAnswer bytes. An
// answer that is too long, not JSON, of another shape, or an error in a success status is an
// ErrServer *providers.APIError saying so.
func (s Service) Decode(ctx context.Context, op string, resp *http.Response, out any) error {
	limit := s.MaxAnswer
	if limit <= 0 {
		limit = DefaultMaxAnswer
	}
	data, err := io.ReadAll(io.LimitReader(resp.Body, limit+1))
	if err != nil {
		return s.NetworkError(ctx, op, err)
	}
	if int64(len(data)) > limit {
		return s.Error(op, resp.StatusCode, providers.ErrServer, fmt.Sprintf("the answer is longer than %s", size(limit)))
	}
	if out == nil {
		return nil
	}
	if err := json.Unmarshal(data, out); err != nil {
		return s.Error(op, resp.StatusCode, providers.ErrServer, s.NotAPI(resp, data, err))
	}
	if s.Failed != nil {
		if msg, failed := s.Failed(data); failed {
			return s.Error(op, resp.StatusCode, providers.ErrServer, msg)
		}
	}
	return nil
}

// NotAPI explains an answer that is not the service's JSON, quoting its start. err, when set, is
// why it did not parse.
func (s Service) NotAPI(resp *http.Response, data []byte, err error) string {
	what := "an answer that is not " + s.Title + "'s API"
	if resp != nil {
		if ct, _, _ := mime.ParseMediaType(resp.Header.Get("Content-Type")); ct != "" && ct != "application/json" {
			what += " (" + ct + ")"
		}
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
		return s.Title + " sent " + what + ": an empty body"
	}
	return fmt.Sprintf("%s sent %s: %q", s.Title, what, Excerpt(data))
}

// NetworkError explains a request that got no answer. A cancelled ctx wins: the caller asked to
// stop, and gets ctx's error wrapped. A refused redirect is ErrServer (the service sent Kiln
// somewhere it will not go); anything else is ErrNetwork, a timeout saying "no answer in time".
// The URL is left out of the text, as a link's query may be its signature.
func (s Service) NetworkError(ctx context.Context, op string, err error) error {
	if ctx.Err() != nil {
		return fmt.Errorf("%s: %s: %w", s.Name, op, ctx.Err())
	}
	var input *providers.InputError
	if errors.As(err, &input) {
		return input // a file that could not be read for an upload
	}
	var redirect *RedirectError
	if errors.As(err, &redirect) {
		return s.Error(op, 0, providers.ErrServer, redirect.Error())
	}
	msg := err.Error()
	var ue *url.Error
	if errors.As(err, &ue) {
		msg = ue.Err.Error()
		if ue.Timeout() {
			msg = "no answer in time (" + msg + ")"
		}
	}
	apiErr := s.Error(op, 0, providers.ErrNetwork, Scrub(msg))
	if neverConnected(err) {
		// No connection, so no request: the caller may send it again without paying twice.
		return providers.NotSent(apiErr)
	}
	return apiErr
}

// neverConnected reports whether err is a failure to reach the server at all: the name did not
// resolve, or the connection was refused or could not be opened.
func neverConnected(err error) bool {
	var dns *net.DNSError
	if errors.As(err, &dns) {
		return true
	}
	var op *net.OpError
	return errors.As(err, &op) && op.Op == "dial"
}

// size writes a byte count for a message: "64 MiB", "1.5 GiB".
func size(n int64) string { return fsguard.Size(n) }
