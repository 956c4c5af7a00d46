package providers

import (
	"errors"
	"fmt"
	"net/http"
	"time"
)

// The kinds of failure a cloud provider reports. Every error a provider returns for a refused
// request wraps one of them (through *APIError), so the core and the views can explain it and
// decide what to do (ask for a new key, wait, retry).
var (
	// ErrUnauthorized: the credentials were refused (HTTP 401): wrong, revoked or expired.
	ErrUnauthorized = errors.New("credentials refused")
	// ErrForbidden: the credentials are valid but lack a permission (HTTP 403).
	ErrForbidden = errors.New("permission missing")
	// ErrNotFound: the account, request or resource does not exist (HTTP 404).
	ErrNotFound = errors.New("not found")
	// ErrRateLimited: too many requests (HTTP 429); APIError.RetryAfter says how long to wait.
	ErrRateLimited = errors.New("rate limited")
	// ErrServer: the service failed (HTTP 5xx) or answered something that is not its API.
	ErrServer = errors.New("server error")
	// ErrNetwork: the service could not be reached (DNS, connection, TLS, timeout).
	ErrNetwork = errors.New("network unreachable")
	// ErrGenerationFailed: the service accepted the job but could not make a model from it.
	ErrGenerationFailed = errors.New("generation failed")
	// ErrOutOfCredits: the account cannot pay for the job (HTTP 402, or the service's own words).
	ErrOutOfCredits = errors.New("out of credits")
	// ErrDamagedResult: the service sent a result Kiln refuses to keep: not a model, a model that
	// fails the model check, or larger than any model Kiln accepts.
	ErrDamagedResult = errors.New("damaged result")
)

// Transient reports whether err is a failure that may pass by itself (the network, the service
// failing, a rate limit): a poll that failed so may be tried again later, with no one doing
// anything. A billable submission is never tried again on these grounds.
func Transient(err error) bool {
	return errors.Is(err, ErrNetwork) || errors.Is(err, ErrServer) || errors.Is(err, ErrRateLimited)
}

// APIError is a refusal from a cloud service, carrying the service's own words.
type APIError struct {
	Provider string // "kaedim"
	Op       string // what Kiln was doing: "process", "fetch request 12ab"
	Status   int    // the HTTP status, 0 when none came back
	// Message is the service's own explanation, as it sent it (never a credential).
	Message string
	// RetryAfter is how long the service asked Kiln to wait, for ErrRateLimited.
	RetryAfter time.Duration
	// RateLimit is the quota the answer's rate-limit headers state; nil when it stated none.
	RateLimit *RateLimit
	// Kind is one of the sentinels above.
	Kind error
}

// RateLimit is a service's request quota as its headers state it (RateLimit-* or X-RateLimit-*).
type RateLimit struct {
	// Limit is the requests allowed per window, Remaining those left in it; -1 when not stated.
	Limit, Remaining int
	// Reset is how long until the window starts afresh; 0 when not stated.
	Reset time.Duration
}

func (e *APIError) Error() string {
	status := ""
	if e.Status != 0 {
		status = fmt.Sprintf(" (HTTP %d %s)", e.Status, http.StatusText(e.Status))
	}
	msg := e.Message
	if msg == "" {
		msg = e.Kind.Error()
	}
	return fmt.Sprintf("%s: %s: %s%s", e.Provider, e.Op, msg, status)
}

// Unwrap makes errors.Is(err, ErrUnauthorized) and the like work.
func (e *APIError) Unwrap() error { return e.Kind }

// KindOfStatus maps an HTTP status to the sentinel that describes it, or nil for success.
func KindOfStatus(status int) error {
	switch {
	case status < 400:
		return nil
	case status == http.StatusUnauthorized:
		return ErrUnauthorized
	case status == http.StatusPaymentRequired:
		return ErrOutOfCredits
	case status == http.StatusForbidden:
		return ErrForbidden
	case status == http.StatusNotFound:
		return ErrNotFound
	case status == http.StatusTooManyRequests:
		return ErrRateLimited
	case status >= 500:
		return ErrServer
	}
	return ErrInvalidInput
}

// ErrNotSent marks a failure that happened before a request left this computer: no connection
// could be made, or what the request needed (a session token) could not be had. Nothing reached
// the service, so nothing was charged, and sending the request again is safe.
var ErrNotSent = errors.New("not sent")

// NotSent wraps err to say that the request it concerns never left this computer; the error's
// text and kind are err's own.
func NotSent(err error) error {
	if err == nil {
		return nil
	}
	return notSentError{err}
}

type notSentError struct{ err error }

func (e notSentError) Error() string        { return e.err.Error() }
func (e notSentError) Unwrap() error        { return e.err }
func (e notSentError) Is(target error) bool { return target == ErrNotSent }
