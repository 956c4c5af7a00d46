package kaedimtest

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strings"

	"github.com/kiln3d/kiln/providers/providertest/fakehttp"
)

// The fake's words for refusals Kaedim's documentation shows no body for.
const (
	msgBadKey      = "Invalid API key"
	msgNoJWT       = "Missing authorization token"
	msgBadJWT      = "Invalid token"
	msgExpiredJWT  = "Token expired"
	msgNoUser      = "User does not exist"                                                       // documented
	msgNoDevID     = "DevID is required, please make sure you are sending as a query parameter"  // documented (fetchAll)
	msgBadRefresh  = "Request failed, please check your api-key and refresh-token and try again" // documented (refreshJWT)
	msgRefreshed   = "JWT refreshed successfully. Please use the new JWT and devID to authenticate your future requests"
	msgBadLoQ      = "Invalid level of quality inputed"                              // documented
	msgSent        = "request sent successfully, please check webhook in 10-15 mins" // documented
	msgNoRequest   = "Request not found"
	msgNoRequestID = "RequestID is required, please make sure you are sending as a query parameter"
)

// account is an Account with its state: the one JWT that works, and the webhook.
type account struct {
	Account
	projects    []Project
	jwt         string
	jwtIssued   int64 // the fake's Unix nanoseconds when jwt was issued
	hooked      bool
	destination string
}

// AddAccount makes the fake know another account.
func (s *Server) AddAccount(a Account, projects ...Project) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.accounts[a.DevID] = &account{Account: a, projects: projects}
}

// JWTs returns every JWT the fake has issued, oldest first: for tests that look for leaks.
func (s *Server) JWTs() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]string(nil), s.issued...)
}

// ExpireJWTs makes every JWT issued so far stop working, as if 12 hours had passed for them only.
func (s *Server) ExpireJWTs() {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, a := range s.accounts {
		a.jwtIssued -= int64(s.opts.JWTLifetime)
	}
}

// authorize checks a caller, answering for it when it fails: no devID is 400, an unknown devID
// 404 "User does not exist", a wrong X-API-Key 401, and where the route needs the JWT, a missing,
// replaced or expired one 401. Authorization may hold the bare JWT or "Bearer <jwt>": Kaedim's
// own clients send both. The caller holds s.mu.
func (s *Server) authorize(w http.ResponseWriter, r *http.Request, devID string, needJWT bool) (*account, bool) {
	a := s.accounts[devID]
	switch {
	case devID == "":
		writeError(w, http.StatusBadRequest, msgNoDevID)
	case a == nil:
		writeError(w, http.StatusNotFound, msgNoUser)
	case r.Header.Get("X-API-Key") != a.APIKey:
		writeError(w, http.StatusUnauthorized, msgBadKey)
	case !needJWT:
		return a, true
	default:
		token := strings.TrimSpace(r.Header.Get("Authorization"))
		if len(token) > 7 && strings.EqualFold(token[:7], "bearer ") {
			token = strings.TrimSpace(token[7:])
		}
		switch {
		case token == "":
			writeError(w, http.StatusUnauthorized, msgNoJWT)
		case token != a.jwt:
			writeError(w, http.StatusUnauthorized, msgBadJWT)
		case s.now().UnixNano()-a.jwtIssued >= int64(s.opts.JWTLifetime):
			writeError(w, http.StatusUnauthorized, msgExpiredJWT)
		default:
			return a, true
		}
	}
	return nil, false
}

// issueJWT gives a a new JWT, which invalidates the previous one: Kaedim keeps one valid at a time.
// The caller holds s.mu.
func (s *Server) issueJWT(a *account) string {
	now := s.now()
	enc := base64.RawURLEncoding
	claims, _ := json.Marshal(map[string]any{"devID": a.DevID, "iat": now.Unix(), "exp": now.Add(s.opts.JWTLifetime).Unix()})
	a.jwt = enc.EncodeToString([]byte(`{"alg":"HS256","typ":"JWT"}`)) + "." + enc.EncodeToString(claims) + "." + enc.EncodeToString([]byte(fakehttp.RandomHex(32)))
	a.jwtIssued = now.UnixNano()
	s.issued = append(s.issued, a.jwt)
	return a.jwt
}

// readJSON decodes a JSON body into v and records its fields, answering 400 when it does not parse.
func readJSON(w http.ResponseWriter, r *http.Request, rec *Received, v any) bool {
	var raw map[string]any
	if err := json.NewDecoder(http.MaxBytesReader(w, r.Body, 1<<20)).Decode(&raw); err != nil {
		writeError(w, http.StatusBadRequest, failedDueTo(fmt.Sprintf("a body that is not JSON (%v)", err)))
		return false
	}
	rec.Fields = flatten(raw)
	data, _ := json.Marshal(raw)
	if err := json.Unmarshal(data, v); err != nil {
		writeError(w, http.StatusBadRequest, failedDueTo(fmt.Sprintf("a malformed field (%v)", err)))
		return false
	}
	return true
}

// failedDueTo words a 400 the way Kaedim's documentation does.
func failedDueTo(reason string) string {
	return "Request failed due to " + reason + ", please check your payload and headers and try again"
}

// registerHook: POST {devID, destination} with X-API-Key. The first registration returns the
// refresh token; every one returns a new JWT.
func (s *Server) registerHook(w http.ResponseWriter, r *http.Request, rec *Received) {
	var body struct {
		DevID       string `json:"devID"`
		Destination string `json:"destination"`
	}
	if !readJSON(w, r, rec, &body) {
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	a, ok := s.authorize(w, r, body.DevID, false)
	if !ok {
		return
	}
	if u, err := url.Parse(body.Destination); err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
		writeError(w, http.StatusBadRequest, failedDueTo("an invalid destination"))
		return
	}
	answer := map[string]string{"status": "success", "message": "Webhook already registered"}
	if !a.hooked {
		answer["message"] = "Webhook registered"
		answer["refreshToken"] = a.RefreshToken
		a.hooked = true
	}
	a.destination = body.Destination
	answer["jwt"] = s.issueJWT(a)
	writeJSON(w, http.StatusCreated, answer)
}

// refreshJWT: POST {devID} with X-API-Key and refresh-token; a wrong refresh token is the
// documented 400.
func (s *Server) refreshJWT(w http.ResponseWriter, r *http.Request, rec *Received) {
	var body struct {
		DevID string `json:"devID"`
	}
	if !readJSON(w, r, rec, &body) {
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	a, ok := s.authorize(w, r, body.DevID, false)
	if !ok {
		return
	}
	if r.Header.Get("refresh-token") != a.RefreshToken {
		writeJSON(w, http.StatusBadRequest, map[string]string{"status": "error", "message": msgBadRefresh,
			"cause": "the refresh token does not match the API key"})
		return
	}
	writeJSON(w, http.StatusOK, map[string]string{"status": "success", "message": msgRefreshed, "jwt": s.issueJWT(a), "devID": a.DevID})
}
