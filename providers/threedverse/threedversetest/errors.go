package threedversetest

import (
	"errors"
	"fmt"
	"net/http"
)

// The errorCode of the fake's refusals. 3dverse's API answers errors as {"status", "errorCode",
// "message"}; the codes are the fake's choice, one per kind of refusal.
const (
	codeUnauthorized     = "unauthorized"
	codeTokenExpired     = "token_expired"
	codeForbidden        = "forbidden"
	codeNotFound         = "not_found"
	codeBadRequest       = "bad_request"
	codeConflict         = "conflict"
	codeTooManyRequests  = "too_many_requests"
	codeInternal         = "internal"
	codeMethodNotAllowed = "method_not_allowed" // 405: a path that takes another method
	codeTooLarge         = "payload_too_large"  // 413: a body over the fake's limits
)

// Words of the refusals a client's tests look for.
const (
	// MsgOnlyUsers refuses an API key on a call that acts on assets (403).
	MsgOnlyUsers = "only a user acts on assets: send a user_token"
	// MsgOnlyAPIKey refuses a user token on a call that manages users or folder access (403).
	MsgOnlyAPIKey = "only the app's API key manages users and folder access: send an api_key" //nolint:gosec // words, not a credential
	// MsgTokenExpired refuses a user token past its expiry (401, errorCode "token_expired").
	MsgTokenExpired = "user token expired" //nolint:gosec // words, not a credential
	// MsgKeyExpired refuses an API key past its expiry (401).
	MsgKeyExpired = "API key expired"
	// MsgNoCredentials refuses a request with neither header (401).
	MsgNoCredentials = "no credentials: send an api_key or a user_token header"
	// MsgUnknownKey refuses an API key the fake never issued (401).
	MsgUnknownKey = "unknown API key"
	// MsgUnknownToken refuses a user token the fake never issued (401).
	MsgUnknownToken = "unknown user token"
	// MsgBothCredentials refuses a request with both headers (400): the docs say one or the
	// other, and a client that sends its API key along with every user call spreads it further
	// than it needs to go.
	MsgBothCredentials = "send an api_key or a user_token header, not both" //nolint:gosec // words, not a credential
	// MsgNoFile refuses an upload without a file part in the field "file" or "files" (400).
	MsgNoFile = `no file in the "file" or "files" field`
)

// ErrorBody is the JSON of every refusal: the status again, a code, and words for people.
type ErrorBody struct {
	// Status is the HTTP status.
	Status int `json:"status"`
	// ErrorCode names the kind of refusal: "unauthorized", "token_expired", "forbidden",
	// "not_found", "bad_request", "conflict", "too_many_requests", "internal" (and the fake's
	// "method_not_allowed" and "payload_too_large").
	ErrorCode string `json:"errorCode"`
	// Message says what went wrong.
	Message string `json:"message"`
}

// apiError is a refusal on its way to the client.
type apiError struct {
	status  int
	code    string
	message string
}

func (e *apiError) Error() string { return e.message }

// apiErr makes a refusal.
func apiErr(status int, code, format string, args ...any) *apiError {
	return &apiError{status: status, code: code, message: fmt.Sprintf(format, args...)}
}

func badRequest(format string, args ...any) error {
	return apiErr(http.StatusBadRequest, codeBadRequest, format, args...)
}

func forbidden(format string, args ...any) error {
	return apiErr(http.StatusForbidden, codeForbidden, format, args...)
}

func notFound(format string, args ...any) error {
	return apiErr(http.StatusNotFound, codeNotFound, format, args...)
}

// writeError answers err in the API's error shape; an error that is not a refusal is a 500.
func writeError(w http.ResponseWriter, err error) {
	var e *apiError
	if !errors.As(err, &e) {
		e = apiErr(http.StatusInternalServerError, codeInternal, "%s", err.Error())
	}
	writeJSON(w, e.status, ErrorBody{Status: e.status, ErrorCode: e.code, Message: e.message})
}

// codeOf is the errorCode a fault's status comes with.
func codeOf(status int) string {
	switch {
	case status == http.StatusUnauthorized:
		return codeUnauthorized
	case status == http.StatusForbidden:
		return codeForbidden
	case status == http.StatusNotFound:
		return codeNotFound
	case status == http.StatusConflict:
		return codeConflict
	case status == http.StatusTooManyRequests:
		return codeTooManyRequests
	case status == http.StatusRequestEntityTooLarge:
		return codeTooLarge
	case status >= 500:
		return codeInternal
	}
	return codeBadRequest
}
