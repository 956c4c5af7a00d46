// Package rodintest is a fake of the Hyper3D Rodin API (/rodin, /status, /download,
// /check_balance, /rodin_texture_only), written from Rodin's documentation rather than from Kiln's
// client, for the client's tests and for demos without an account. It serves the API below a base
// path (/api/v2 by default) on a loopback port, and the result files from a second one, the way
// cloud storage would: signed links that expire.
//
// Where the documentation is silent (the status of a 401, the wording of a refusal, how long a job
// waits) the fake makes a choice and says so next to the code; it never reaches the internet.
package rodintest

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

// DefaultBasePath is where the API lives on Rodin's hosts: https://api.hyper3d.com/api/v2.
const DefaultBasePath = "/api/v2"

// TestBasePath is the base path New uses: deeper than Rodin's, so that a client that keeps only
// its endpoint's origin, or only its last segment, misses it.
const TestBasePath = "/rodin-base/api/v2"

// Options set up a fake. Zero fields take the defaults.
type Options struct {
	// Addr is the API's listening address; "" picks a free port on 127.0.0.1.
	Addr string
	// BasePath serves the API below this path; "" means DefaultBasePath. Requests outside it fail
	// the test (outside tests they get a 404).
	BasePath string
	// Now is the fake's clock; nil means time.Now. Advance moves it on.
	Now func() time.Time
	// Generation is how long a task takes from submission to its last job's end; 0 means 2 s.
	Generation time.Duration
	// LinkLifetime is how long a download link works; 0 means the documented 10 minutes.
	LinkLifetime time.Duration
	// Keys are the account's API keys; nil means one random key ("rk_" and 40 hex digits).
	Keys []string
	// Balance is the account's credit; 0 means 25. SetBalance sets any value, 0 included.
	Balance float64
	// NullError makes successful answers carry "error": null, as the getting-started page
	// describes, instead of "error": "OK", as the API pages' samples show.
	NullError bool
}

// Server is a running fake. Its methods are safe for concurrent use.
type Server struct {
	// URL is what the client takes as its endpoint: the origin and the base path. The client
	// appends /rodin, /status, ...
	URL string
	// StorageURL is the origin of the download links.
	StorageURL string
	// Key is the account's first API key, the one a test sends.
	Key string

	api, storage *httptest.Server
	opts         Options
	t            testing.TB // nil outside tests
	linkKey      []byte
	jwtKey       []byte
	closing      chan struct{} // closed by Close, to end stalled answers
	closeOnce    sync.Once

	mu       sync.Mutex
	offset   time.Duration
	keys     []apiKey
	balance  float64
	tasks    map[string]*task
	order    []string
	subs     map[string]*task // by subscription key
	outcome  string           // the outcome the next task gets (FailNext)
	faults   []*Fault
	received []Received
}

// New starts a fake for a test, below TestBasePath and with a 200 ms generation, and closes it
// when the test ends. Requests outside the base path fail the test.
func New(t testing.TB) *Server {
	t.Helper()
	return NewWith(t, Options{BasePath: TestBasePath, Generation: 200 * time.Millisecond})
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
	if o.BasePath == "" {
		o.BasePath = DefaultBasePath
	}
	if !strings.HasPrefix(o.BasePath, "/") || strings.HasSuffix(o.BasePath, "/") {
		return nil, fmt.Errorf("rodintest: the base path %q must start with / and not end with one", o.BasePath)
	}
	if o.Generation <= 0 {
		o.Generation = 2 * time.Second
	}
	if o.LinkLifetime <= 0 {
		o.LinkLifetime = 10 * time.Minute
	}
	if o.Balance == 0 {
		o.Balance = 25
	}
	if len(o.Keys) == 0 {
		o.Keys = []string{newKey()}
	}
	s := &Server{Key: o.Keys[0], opts: o, t: t, linkKey: []byte(randomHex(32)), jwtKey: []byte(randomHex(32)),
		closing: make(chan struct{}), balance: o.Balance, tasks: map[string]*task{}, subs: map[string]*task{}}
	for i, k := range o.Keys {
		if k == "" {
			return nil, fmt.Errorf("rodintest: API key %d is empty", i)
		}
		s.keys = append(s.keys, apiKey{name: fmt.Sprintf("key %d", i+1), key: k})
	}

	host := "127.0.0.1"
	if o.Addr != "" {
		if h, _, err := net.SplitHostPort(o.Addr); err == nil && h != "" {
			host = h
		}
	}
	var err error
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
		return nil, fmt.Errorf("rodintest: listen on %s: %w", addr, err)
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

// Advance moves the fake's clock on by d: jobs progress, links expire.
func (s *Server) Advance(d time.Duration) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.offset += d
}

// The API's routes, as Fault.Route, Received.Route and Count name them.
const (
	RouteSubmit      = "rodin"
	RouteStatus      = "status"
	RouteDownload    = "download"
	RouteBalance     = "check_balance"
	RouteTextureOnly = "rodin_texture_only"
	// RouteStorage is the download links' server, not an API route.
	RouteStorage = "storage"
)

// route maps an API route to its method and handler.
func (s *Server) route(name string) (string, func(http.ResponseWriter, *http.Request, *Received), bool) {
	switch name {
	case RouteSubmit:
		return http.MethodPost, s.submit, true
	case RouteStatus:
		return http.MethodPost, s.status, true
	case RouteDownload:
		return http.MethodPost, s.download, true
	case RouteBalance:
		return http.MethodGet, s.checkBalance, true
	case RouteTextureOnly:
		return http.MethodPost, s.textureOnly, true
	}
	return "", nil, false
}

func (s *Server) apiRoutes() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if name, ok := strings.CutPrefix(r.URL.Path, s.opts.BasePath+"/"); ok || r.URL.Path == s.opts.BasePath {
			s.serveAPI(w, r, name)
			return
		}
		// The base-path guard, as in go-github's tests: the client lost its endpoint's path.
		msg := fmt.Sprintf("rodintest: %s %s is outside the base path %s: the client dropped the endpoint's path",
			r.Method, r.URL.Path, s.opts.BasePath)
		if s.t != nil {
			s.t.Error(msg)
		}
		s.record(Received{Route: "", Method: r.Method, Path: r.URL.Path, Query: r.URL.Query(), Header: r.Header.Clone(),
			Status: http.StatusNotFound})
		writeError(w, http.StatusNotFound, msg)
	})
}

func (s *Server) serveAPI(w http.ResponseWriter, r *http.Request, name string) {
	rec := &Received{Route: name, Method: r.Method, Path: "/" + name, Query: r.URL.Query(), Header: r.Header.Clone()}
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
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

// writeError answers a refusal. The documentation shows no error body; the fake's choice is the
// two fields the success bodies have, holding the same words: {"error": msg, "message": msg}.
func writeError(w http.ResponseWriter, status int, msg string) {
	writeJSON(w, status, map[string]string{"error": msg, "message": msg})
}

// ok is the "error" field of a successful answer: "OK" as the samples show, or null.
func (s *Server) ok() any {
	if s.opts.NullError {
		return nil
	}
	return "OK"
}

func randomHex(n int) string {
	b := make([]byte, (n+1)/2)
	_, _ = rand.Read(b) // crypto/rand never fails on supported systems
	return hex.EncodeToString(b)[:n]
}

// newUUID returns a random version 4 UUID, the form Rodin's task and job ids take.
func newUUID() string {
	b := make([]byte, 16)
	_, _ = rand.Read(b)
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	h := hex.EncodeToString(b)
	return h[:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:]
}
