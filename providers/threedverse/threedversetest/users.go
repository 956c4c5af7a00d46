package threedversetest

import (
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"time"
)

// user is a 3dverse user, registered by the app.
type user struct {
	id, username string
	registered   time.Time
}

// User is a registered user, for tests to assert on.
type User struct {
	// ID is the user_id.
	ID string
	// Username is the name the app registered it under.
	Username string
}

// userJSON is a user as the API writes it.
type userJSON struct {
	UserID       string `json:"user_id"`
	Username     string `json:"username"`
	RegisteredAt string `json:"registered_at"`
}

func (u *user) json() userJSON {
	return userJSON{UserID: u.id, Username: u.username, RegisteredAt: stamp(u.registered)}
}

// RegisterUser registers a user as the app (or the console) would, and returns its user_id. A
// username already registered returns that user's id.
func (s *Server) RegisterUser(username string) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	if u := s.userNamed(username); u != nil {
		return u.id
	}
	return s.addUser(username).id
}

// Users lists the registered users, oldest first.
func (s *Server) Users() []User {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]User, 0, len(s.userOrder))
	for _, id := range s.userOrder {
		out = append(out, User{ID: id, Username: s.users[id].username})
	}
	return out
}

// userNamed returns the user called username, nil when none is. The caller holds s.mu.
func (s *Server) userNamed(username string) *user {
	for _, id := range s.userOrder {
		if u := s.users[id]; u.username == username {
			return u
		}
	}
	return nil
}

// addUser registers username. The caller holds s.mu.
func (s *Server) addUser(username string) *user {
	u := &user{id: newID(), username: username, registered: s.now()}
	s.users[u.id] = u
	s.userOrder = append(s.userOrder, u.id)
	return u
}

// registerUser: POST /users {"username"} with an API key of scope "users". 201 the user; 409 for
// a username already taken (usernames compare exactly, the fake's choice).
func (s *Server) registerUser(w http.ResponseWriter, r *http.Request, rec *Request, _ params) {
	body, bodyErr := readJSON(w, r, rec)
	s.mu.Lock()
	defer s.mu.Unlock()
	u, err := s.register(r, body, bodyErr)
	if err != nil {
		writeError(w, err)
		return
	}
	writeJSON(w, http.StatusCreated, u.json())
}

func (s *Server) register(r *http.Request, body jsonBody, bodyErr error) (*user, error) {
	c, err := s.authenticate(r, keyOnly)
	if err != nil {
		return nil, err
	}
	if err := needScope(c, ScopeUsers); err != nil {
		return nil, err
	}
	if bodyErr != nil {
		return nil, bodyErr
	}
	name, err := body.str("username")
	if err != nil {
		return nil, err
	}
	if strings.TrimSpace(name) == "" {
		return nil, badRequest("username is required")
	}
	if s.userNamed(name) != nil {
		return nil, apiErr(http.StatusConflict, codeConflict, "username %q is already registered", name)
	}
	return s.addUser(name), nil
}

// listUsers: GET /users with an API key of scope "users". 200 every user, oldest first.
func (s *Server) listUsers(w http.ResponseWriter, r *http.Request, _ *Request, _ params) {
	s.mu.Lock()
	defer s.mu.Unlock()
	c, err := s.authenticate(r, keyOnly)
	if err == nil {
		err = needScope(c, ScopeUsers)
	}
	if err != nil {
		writeError(w, err)
		return
	}
	out := make([]userJSON, 0, len(s.userOrder))
	for _, id := range s.userOrder {
		out = append(out, s.users[id].json())
	}
	writeJSON(w, http.StatusOK, out)
}

// tokenJSON is a new user token as the API writes it.
type tokenJSON struct {
	UserToken string `json:"user_token"`
	ExpiresIn int64  `json:"expires_in"` // seconds from now
	ExpiresOn int64  `json:"expires_on"` // Unix seconds
}

// ttlPattern is a token's lifetime as the docs' sample writes it, "1h": a whole number of
// seconds, minutes, hours or days.
var ttlPattern = regexp.MustCompile(`^[1-9][0-9]*[smhd]$`)

// maxTTL is the longest lifetime the fake gives a token, ten years: 3dverse publishes none.
const maxTTL = 3650 * 24 * time.Hour

// parseTTL reads a token's ttl.
func parseTTL(ttl string) (time.Duration, error) {
	if !ttlPattern.MatchString(ttl) {
		return 0, badRequest(`ttl must be a whole number and a unit, s, m, h or d ("30m", "1h", "7d"), not %q`, ttl)
	}
	unit := map[byte]time.Duration{'s': time.Second, 'm': time.Minute, 'h': time.Hour, 'd': 24 * time.Hour}[ttl[len(ttl)-1]]
	n, err := strconv.ParseInt(ttl[:len(ttl)-1], 10, 64)
	if err != nil || n > int64(maxTTL/unit) {
		return 0, badRequest("ttl %q is too long: the fake's limit is %dd", ttl, maxTTL/(24*time.Hour))
	}
	return time.Duration(n) * unit, nil
}

// makeToken: POST /users/{user_id}/tokens {"scope", "ttl"} with an API key of scope "users".
// 201 {"user_token", "expires_in", "expires_on"}. Both members are required (the fake's choice:
// a client that misspells one learns of it).
func (s *Server) makeToken(w http.ResponseWriter, r *http.Request, rec *Request, p params) {
	body, bodyErr := readJSON(w, r, rec)
	s.mu.Lock()
	defer s.mu.Unlock()
	tok, err := s.token(r, p["user_id"], body, bodyErr)
	if err != nil {
		writeError(w, err)
		return
	}
	writeJSON(w, http.StatusCreated, tok)
}

func (s *Server) token(r *http.Request, userID string, body jsonBody, bodyErr error) (tokenJSON, error) {
	c, err := s.authenticate(r, keyOnly)
	if err != nil {
		return tokenJSON{}, err
	}
	if err := needScope(c, ScopeUsers); err != nil {
		return tokenJSON{}, err
	}
	if s.users[userID] == nil {
		return tokenJSON{}, notFound("user %s not found", userID)
	}
	if bodyErr != nil {
		return tokenJSON{}, bodyErr
	}
	scope, err := body.str("scope")
	if err != nil {
		return tokenJSON{}, err
	}
	if rank(scope) == 0 {
		return tokenJSON{}, badRequest(`scope must be "read", "write" or "manage", not %q`, scope)
	}
	ttlText, err := body.str("ttl")
	if err != nil {
		return tokenJSON{}, err
	}
	ttl, err := parseTTL(ttlText)
	if err != nil {
		return tokenJSON{}, err
	}
	expires := s.now().Add(ttl)
	return tokenJSON{UserToken: s.issueToken(userID, scope, expires), ExpiresIn: int64(ttl / time.Second), ExpiresOn: expires.Unix()}, nil
}
