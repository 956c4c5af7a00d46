// Package kaedimtest is a fake of Kaedim's web API, written from Kaedim's documentation rather than
// from Kiln's client, for the client's tests and for demos without an account. It serves
// registerHook, refreshJWT, process, fetchRequest, fetchAll and fetchProjects below /api/v1/ on a
// loopback port, and the result files from a second one, the way cloud storage would: signed links
// that expire.
//
// Where the documentation is silent (the wording of a 401, the status of work in progress) the fake
// makes a choice and says so; it never reaches the internet.
package kaedimtest

import (
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"
)

// Account is one Kaedim user: what Kaedim's web app shows under Settings > API Keys.
type Account struct {
	DevID        string `json:"devID"`
	APIKey       string `json:"apiKey"`
	RefreshToken string `json:"refreshToken"`
	StudioID     string `json:"studioID,omitempty"`
}

// Project is one of an account's projects (styles).
type Project struct {
	ID, Name, StudioID string
}

// Options set up a fake. Zero fields take the defaults.
type Options struct {
	// Addr is the API's listening address; "" picks a free port on 127.0.0.1.
	Addr string
	// BasePath serves the API below this path ("/kaedim" gives /kaedim/api/v1/...), so that a
	// client that drops its endpoint's path is caught: requests outside it fail the test.
	BasePath string
	// Now is the fake's clock; nil means time.Now. Advance moves it on.
	Now func() time.Time
	// Generation is how long a request takes from submission to "completed"; 0 means 2 s.
	Generation time.Duration
	// JWTLifetime is how long a JWT works; 0 means Kaedim's 12 hours.
	JWTLifetime time.Duration
	// LinkLifetime is how long a result link works; 0 means Kaedim's hour.
	LinkLifetime time.Duration
	// Account is the account the fake knows; zero means one with random credentials.
	Account Account
	// Projects are the account's projects; nil means "Sandbox" and "Props".
	Projects []Project
}

// Server is a running fake. Its methods are safe for concurrent use.
type Server struct {
	// URL is what the client takes as its endpoint: the origin and BasePath.
	URL string
	// StorageURL is the origin of the result links.
	StorageURL string
	// Account is the account the fake was started with.
	Account Account

	api, storage *httptest.Server
	opts         Options
	t            testing.TB // nil outside tests
	linkKey      []byte
	models       map[string][]byte // by file extension
	hostile      []byte            // the glb a HostileModel fault serves
	closing      chan struct{}     // closed by Close, to end stalled answers
	closeOnce    sync.Once

	mu         sync.Mutex
	offset     time.Duration
	generation time.Duration
	accounts   map[string]*account
	requests   map[string]*request
	order      []string
	faults     []*Fault
	received   []Received
	issued     []string
}

// New starts a fake for a test, with a base path and a 200 ms generation, and closes it when the
// test ends. Requests outside the base path fail the test.
func New(t testing.TB) *Server {
	t.Helper()
	return NewWith(t, Options{BasePath: "/kaedim-base", Generation: 200 * time.Millisecond})
}

// NewWith starts a fake set up by o for a test and closes it when the test ends.
func NewWith(t testing.TB, o Options) *Server {
	t.Helper()
	s, err := start(o, t)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(s.Close)
	return s
}

// Start starts a fake outside tests (a demo); Close stops it.
func Start(o Options) (*Server, error) { return start(o, nil) }

func start(o Options, t testing.TB) (*Server, error) {
	if o.BasePath != "" && (!strings.HasPrefix(o.BasePath, "/") || strings.HasSuffix(o.BasePath, "/")) {
		return nil, fmt.Errorf("kaedimtest: the base path %q must start with / and not end with one", o.BasePath)
	}
	if o.Generation <= 0 {
		o.Generation = 2 * time.Second
	}
	if o.JWTLifetime <= 0 {
		o.JWTLifetime = 12 * time.Hour
	}
	if o.LinkLifetime <= 0 {
		o.LinkLifetime = time.Hour
	}
	if o.Account == (Account{}) {
		o.Account = Account{DevID: randomHex(12), APIKey: "kd-" + randomHex(20), RefreshToken: "rt-" + randomHex(24)}
	}
	if o.Projects == nil {
		o.Projects = []Project{{ID: "p-" + randomHex(6), Name: "Sandbox", StudioID: o.Account.StudioID},
			{ID: "p-" + randomHex(6), Name: "Props", StudioID: o.Account.StudioID}}
	}
	models, err := buildModels()
	if err != nil {
		return nil, err
	}
	hostile, err := hostileGLB(models["glb"])
	if err != nil {
		return nil, err
	}
	s := &Server{Account: o.Account, opts: o, t: t, linkKey: []byte(randomHex(32)), models: models, hostile: hostile,
		closing: make(chan struct{}), generation: o.Generation, accounts: map[string]*account{}, requests: map[string]*request{}}
	s.accounts[o.Account.DevID] = &account{Account: o.Account, projects: o.Projects}

	host := "127.0.0.1"
	if o.Addr != "" {
		if h, _, err := net.SplitHostPort(o.Addr); err == nil && h != "" {
			host = h
		}
	}
	if s.api, err = listen(o.Addr, s.apiRoutes()); err != nil {
		return nil, err
	}
	if s.storage, err = listen(net.JoinHostPort(host, "0"), http.HandlerFunc(s.serveStorage)); err != nil {
		_ = s.api.Listener.Close()
		return nil, err
	}
	// The handlers read the URLs: they are set before the servers start, so no request can see
	// them half-written.
	s.URL = "http://" + s.api.Listener.Addr().String() + o.BasePath
	s.StorageURL = "http://" + s.storage.Listener.Addr().String()
	s.api.Start()
	s.storage.Start()
	return s, nil
}

// listen returns a server listening on addr, not yet started.
func listen(addr string, h http.Handler) (*httptest.Server, error) {
	if addr == "" {
		addr = "127.0.0.1:0"
	}
	l, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, fmt.Errorf("kaedimtest: listen on %s: %w", addr, err)
	}
	srv := httptest.NewUnstartedServer(h)
	_ = srv.Listener.Close()
	srv.Listener = l
	return srv, nil
}

// Close stops the fake, ending any answer a fault holds stalled.
func (s *Server) Close() {
	s.closeOnce.Do(func() { close(s.closing) })
	s.api.Close()
	s.storage.Close()
}

// Now is the fake's time.
func (s *Server) Now() time.Time {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.now()
}

func (s *Server) now() time.Time {
	base := time.Now()
	if s.opts.Now != nil {
		base = s.opts.Now()
	}
	return base.Add(s.offset)
}

// Advance moves the fake's clock on by d: requests progress, JWTs and links expire.
func (s *Server) Advance(d time.Duration) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.offset += d
}

// SetGeneration changes how long requests take, counted from each iteration's start.
func (s *Server) SetGeneration(d time.Duration) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.generation = d
}

func (s *Server) apiRoutes() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc(s.opts.BasePath+"/api/v1/", s.serveAPI)
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		if s.opts.BasePath == "" || strings.HasPrefix(r.URL.Path, s.opts.BasePath+"/") {
			writeError(w, http.StatusNotFound, "Not found")
			return
		}
		// The base-path guard, as in go-github's tests: the client lost its endpoint's path.
		msg := fmt.Sprintf("kaedimtest: %s %s is outside the base path %s: the client dropped the endpoint's path",
			r.Method, r.URL.Path, s.opts.BasePath)
		if s.t != nil {
			s.t.Error(msg)
		}
		http.Error(w, msg, http.StatusInternalServerError)
	})
	return mux
}

// routes maps an API route to its method and handler.
func (s *Server) route(name string) (string, func(http.ResponseWriter, *http.Request, *Received), bool) {
	switch name {
	case "registerHook":
		return http.MethodPost, s.registerHook, true
	case "refreshJWT":
		return http.MethodPost, s.refreshJWT, true
	case "process":
		return http.MethodPost, s.process, true
	case "fetchRequest":
		return http.MethodGet, s.fetchRequest, true
	case "fetchAll":
		return http.MethodGet, s.fetchAll, true
	case "fetchProjects":
		return http.MethodGet, s.fetchProjects, true
	}
	return "", nil, false
}

func (s *Server) serveAPI(w http.ResponseWriter, r *http.Request) {
	name := strings.TrimPrefix(r.URL.Path, s.opts.BasePath+"/api/v1/")
	rec := &Received{Route: name, Method: r.Method, Path: strings.TrimPrefix(r.URL.Path, s.opts.BasePath),
		Query: r.URL.Query(), Header: r.Header.Clone()}
	sw := &statusWriter{ResponseWriter: w, status: http.StatusOK}
	defer func() {
		rec.Status = sw.status
		s.record(*rec)
	}()
	method, handle, ok := s.route(name)
	serve := func(w http.ResponseWriter, r *http.Request) {
		if r.Method != method {
			w.Header().Set("Allow", method)
			writeError(w, http.StatusMethodNotAllowed, "Method not allowed")
			return
		}
		handle(w, r, rec)
	}
	switch {
	case !ok:
		writeError(sw, http.StatusNotFound, "Not found")
	case s.fault(sw, r, name, serve):
	default:
		serve(sw, r)
	}
}

// writeJSON answers v as JSON with status.
func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

// writeError answers Kaedim's error shape: {"status": "error", "message": ...}.
func writeError(w http.ResponseWriter, status int, message string) {
	writeJSON(w, status, map[string]string{"status": "error", "message": message})
}

func randomHex(n int) string {
	b := make([]byte, (n+1)/2)
	_, _ = rand.Read(b) // crypto/rand never fails on supported systems
	return hex.EncodeToString(b)[:n]
}
