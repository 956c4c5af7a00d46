package rodin

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

// callTimeout bounds a call that moves no file, so that a stalled answer cannot hold a job forever.
const callTimeout = 2 * time.Minute

// maxAnswer bounds a JSON answer: Rodin's longest is a download list of a few files.
const maxAnswer = 4 << 20

// service describes Rodin to httpkit's helpers.
var service = httpkit.Service{Name: Name, Title: "Rodin", Message: message, MaxAnswer: maxAnswer}

// call is one request to Rodin's API.
type call struct {
	// op says what Kiln was doing, for errors: "submit the images".
	op     string
	method string
	// route follows the endpoint: "status".
	route string
	// json is a JSON body; nil for none.
	json any
	// form is a multipart body, for the uploads: they go without callTimeout.
	form *httpkit.Form
}

// do sends c with key and decodes a successful answer into out; it returns the answer's status
// (0 when none came). A refusal is a *providers.APIError with Rodin's words, made to say what to do
// about a refused key or an empty account. do never sends c twice, nor lets net/http do so: an
// upload has no way to be sent again, and the one billable call is an upload.
func (p *Provider) do(ctx context.Context, key string, c call, out any) (int, error) {
	parent := ctx
	if c.form == nil {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, callTimeout)
		defer cancel()
	}
	// A JSON body is a bytes.Reader, which net/http may send again (after a 307, or on a reused
	// connection found closed): those calls are not charged. A form is a pipe, sent once.
	var body io.Reader
	contentType := "application/json"
	switch {
	case c.form != nil:
		body, _ = c.form.Open()
		contentType = c.form.ContentType()
	case c.json != nil:
		data, err := json.Marshal(c.json)
		if err != nil {
			return 0, providers.NotSent(err)
		}
		body = bytes.NewReader(data)
	}
	req, err := http.NewRequestWithContext(ctx, c.method, p.Endpoint()+"/"+c.route, body)
	if err != nil {
		if closer, ok := body.(io.Closer); ok {
			_ = closer.Close()
		}
		return 0, providers.NotSent(service.Error(c.op, 0, providers.ErrNetwork, "bad endpoint: "+err.Error()))
	}
	if c.form != nil {
		req.ContentLength = c.form.Size()
	}
	if body != nil {
		req.Header.Set("Content-Type", contentType)
	}
	req.Header.Set("Accept", "application/json")
	req.Header.Set("User-Agent", "Kiln")
	req.Header.Set("Authorization", "Bearer "+key)
	start := time.Now()
	resp, err := p.HTTP.Do(req)
	if err != nil {
		err = scrub(service.NetworkError(parent, c.op, err), key)
		p.Log.LogAttrs(parent, slog.LevelWarn, "rodin request failed", slog.String("op", c.op),
			slog.String("method", c.method), slog.String("route", c.route), slog.String("error", err.Error()))
		return 0, err
	}
	defer func() { _ = resp.Body.Close() }()
	p.Log.LogAttrs(parent, slog.LevelDebug, "rodin request", slog.String("op", c.op), slog.String("method", c.method),
		slog.String("route", c.route), slog.Int("status", resp.StatusCode), slog.Duration("took", time.Since(start)))
	if err := service.CheckResponse(c.op, resp, p.Now()); err != nil {
		err = scrub(explain(err), key)
		p.Log.LogAttrs(parent, slog.LevelInfo, "rodin refused", slog.String("op", c.op), slog.String("error", err.Error()))
		return resp.StatusCode, err
	}
	return resp.StatusCode, scrub(service.Decode(parent, c.op, resp, out), key)
}

// scrub removes the API key (and any other secret given) from err's printable parts, whole or cut
// short by an excerpt.
func scrub(err error, secrets ...string) error {
	return httpkit.ScrubError(err, secrets...)
}

// message reads Rodin's explanation from an error body. The documentation shows none; Rodin's
// success bodies carry "error" (null or "OK" on success) and "message", and a web framework's
// refusals carry "detail" (a string, or a list of {"msg": ...} for a form it could not read).
// Every distinct text among them is kept, "OK" aside.
func message(body []byte) (string, bool) {
	var b struct {
		Error, Message, Detail json.RawMessage
	}
	if json.Unmarshal(body, &b) != nil {
		return "", false
	}
	var parts []string
	add := func(s string) {
		s = strings.TrimSpace(s)
		for _, p := range parts {
			if strings.Contains(p, s) {
				return
			}
		}
		if s != "" {
			parts = append(parts, s)
		}
	}
	add(errorText(b.Error))
	add(text(b.Message))
	add(text(b.Detail))
	var details []struct {
		Msg string `json:"msg"`
	}
	if json.Unmarshal(b.Detail, &details) == nil {
		for _, d := range details {
			add(d.Msg)
		}
	}
	return strings.Join(parts, ": "), true
}

// text is raw as a string, or "" when it is not one.
func text(raw json.RawMessage) string {
	var s string
	if json.Unmarshal(raw, &s) != nil {
		return ""
	}
	return s
}

// errorText is what an "error" field says went wrong: "" for null, "" or "OK", which mean success;
// its JSON text when it is not a string.
func errorText(raw json.RawMessage) string {
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 || string(raw) == "null" {
		return ""
	}
	var s string
	if json.Unmarshal(raw, &s) != nil {
		return httpkit.Excerpt(raw)
	}
	if strings.EqualFold(strings.TrimSpace(s), "ok") {
		return ""
	}
	return s
}

// insufficientFund is Rodin's word for an account that cannot pay (unverified in its pages).
const insufficientFund = "INSUFFICIENT_FUND"

// explain turns a refusal whose words say more than its status into the kind they say: a refused
// key, or an empty account (whatever the status), and says what to do about it.
func explain(err error) error {
	var api *providers.APIError
	if !errors.As(err, &api) {
		return err
	}
	if strings.Contains(strings.ToUpper(api.Message), insufficientFund) {
		api.Kind = providers.ErrOutOfCredits
		api.Message = "the Rodin account has too few credits for this task (" + api.Message + "): buy credits on hyper3d.ai, or pick a cheaper tier"
		return err
	}
	refusedKey(api)
	return err
}

// incomplete explains a success status whose answer lacks what it should hold (what): the
// "error" field then says why, when it says anything.
func incomplete(op string, status int, errField json.RawMessage, what string) error {
	msg := errorText(errField)
	if msg == "" {
		return service.Error(op, status, providers.ErrServer, "Rodin answered without "+what)
	}
	return explain(service.Error(op, status, providers.ErrServer, msg))
}
