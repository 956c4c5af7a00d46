package server

import (
	"fmt"
	"net/http"
	"path"
	"path/filepath"
	"strings"
	"time"

	"github.com/kiln3d/kiln/app"
	"github.com/kiln3d/kiln/providers/jobsapi"
)

// Error codes: every error answer is {"error": {"code", "message"}} with one of these codes.
// They are part of the API: a client may act on them, so they never change.
const (
	CodeUnauthorized          = "unauthorized"
	CodeMissingScope          = "missing_scope"
	CodeNotFound              = "not_found"
	CodeMethodNotAllowed      = "method_not_allowed"
	CodeInvalidRequest        = "invalid_request"
	CodeUnknownProvider       = "unknown_provider"
	CodeProviderNotReady      = "provider_not_ready"
	CodeInvalidImage          = "invalid_image"
	CodeInvalidWebhookURL     = "invalid_webhook_url"
	CodePayloadTooLarge       = "payload_too_large"
	CodeUnsupportedMediaType  = "unsupported_media_type"
	CodeIdempotencyConflict   = "idempotency_conflict"
	CodeIdempotencyInProgress = "idempotency_in_progress"
	CodeRateLimited           = "rate_limited"
	CodeAlreadyFinished       = "already_finished"
	CodeShuttingDown          = "shutting_down"
	CodeInternal              = "internal"
)

// apiError is an error answer: its status, and the code and message it carries.
type apiError struct {
	Status int
	jobsapi.Failure
}

func (e *apiError) Error() string { return e.Code + ": " + e.Message }

func errorf(status int, code, format string, args ...any) *apiError {
	return &apiError{Status: status, Failure: jobsapi.Failure{Code: code, Message: fmt.Sprintf(format, args...)}}
}

func writeJSON(w http.ResponseWriter, status int, v any) { writeAnswer(w, answerOf(status, "", v)) }

func writeError(w http.ResponseWriter, e *apiError) {
	writeJSON(w, e.Status, e.body())
}

// body is the error's JSON: {"error": {"code", "message"}}.
func (e *apiError) body() jobsapi.ErrorBody { return jobsapi.ErrorBody{Error: &e.Failure} }

// status names a job's state in the API's five words: every state between queued and done
// (submitting, running, downloading, waiting to be confirmed) is running.
func status(s app.State) string {
	switch s {
	case app.Queued:
		return jobsapi.StatusQueued
	case app.Done:
		return jobsapi.StatusDone
	case app.Failed:
		return jobsapi.StatusFailed
	case app.Cancelled:
		return jobsapi.StatusCancelled
	}
	return jobsapi.StatusRunning
}

func timePtr(t time.Time) *time.Time {
	if t.IsZero() {
		return nil
	}
	t = t.UTC()
	return &t
}

// jobJSON shows j, with URLs under base (scheme://host).
func jobJSON(j app.Job, base string) jobsapi.Job {
	out := jobsapi.Job{
		ID: j.ID, URL: base + "/api/v1/jobs/" + j.ID, Status: status(j.State), Provider: j.Provider,
		Progress: max(0, min(1, j.Progress)), Message: j.Message,
		Created: j.Created.UTC(), Updated: j.Updated.UTC(), Started: timePtr(j.Started), Finished: timePtr(j.Finished),
		Polycount: j.Request.Polycount, Prompt: j.Request.Prompt,
	}
	switch j.State {
	case app.Done:
		out.Progress, out.Triangles = 1, j.Triangles
		for _, f := range j.Files {
			name := filepath.Base(f)
			fj := jobsapi.File{Name: name, Format: strings.TrimPrefix(strings.ToLower(path.Ext(name)), "."),
				URL: out.URL + "/files/" + name}
			if size, err := fileSize(f); err == nil {
				fj.Size = size
			}
			out.Files = append(out.Files, fj)
		}
	case app.Failed:
		code := string(j.ErrorKind)
		if code == "" {
			code = "failed"
		}
		out.Error = &jobsapi.Failure{Code: code, Message: j.Error}
	case app.Queued:
		out.Progress = 0
	}
	return out
}

// baseURL is the address the client asked at: scheme://host.
func baseURL(r *http.Request) string {
	scheme := "http"
	if r.TLS != nil {
		scheme = "https"
	}
	return scheme + "://" + r.Host
}
