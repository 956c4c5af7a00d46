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
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/kiln3d/kiln/providers/providertest/fakehttp"
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

	servers  *fakehttp.Pair // Close ends the answers a fault holds stalled or delayed
	opts     Options
	t        testing.TB // nil outside tests
	signer   *fakehttp.Signer
	jwtKey   []byte
	faults   fakehttp.FaultQueue[Fault]
	received *fakehttp.Recorder[Received]
	router   fakehttp.Router[Received]

	mu      sync.Mutex
	clock   *fakehttp.Clock // guarded by mu
	keys    []apiKey
	balance float64
	tasks   map[string]*task
	order   []string
	subs    map[string]*task // by subscription key
	outcome string           // the outcome the next task gets (FailNext)
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
	return fakehttp.ForTest(t, func() (*Server, error) { return start(o, t) })
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
	s := &Server{Key: o.Keys[0], opts: o, t: t, signer: fakehttp.NewSigner(), jwtKey: []byte(fakehttp.RandomHex(32)),
		received: fakehttp.NewRecorder(func(r Received) string { return r.Route }),
		balance:  o.Balance, tasks: map[string]*task{}, subs: map[string]*task{}}
	s.clock = fakehttp.NewClock(&s.mu, o.Now)
	s.router = fakehttp.Router[Received]{Find: s.route, Refuse: writeError, Fault: s.fault, Record: s.recordAs}
	for i, k := range o.Keys {
		if k == "" {
			return nil, fmt.Errorf("rodintest: API key %d is empty", i)
		}
		s.keys = append(s.keys, apiKey{name: fmt.Sprintf("key %d", i+1), key: k})
	}

	var err error
	if s.servers, err = fakehttp.ListenPair(o.Addr, s.apiRoutes(), http.HandlerFunc(s.serveStorage)); err != nil {
		return nil, fmt.Errorf("rodintest: %w", err)
	}
	// The handlers read the URLs: they are set before the servers start, so no request can see
	// them half-written.
	s.URL, s.StorageURL = s.servers.APIOrigin()+o.BasePath, s.servers.StorageOrigin()
	s.servers.Start()
	return s, nil
}

// Close stops the fake, ending any answer a fault holds stalled.
func (s *Server) Close() { s.servers.Close() }

// Now is the fake's time.
func (s *Server) Now() time.Time { return s.clock.Now() }

// now is the fake's time; the caller holds s.mu.
func (s *Server) now() time.Time { return s.clock.NowLocked() }

// Advance moves the fake's clock on by d: jobs progress, links expire.
func (s *Server) Advance(d time.Duration) { s.clock.Advance(d) }

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
func (s *Server) route(name string) (fakehttp.Route[Received], bool) {
	switch name {
	case RouteSubmit:
		return fakehttp.Route[Received]{Method: http.MethodPost, Handle: s.submit}, true
	case RouteStatus:
		return fakehttp.Route[Received]{Method: http.MethodPost, Handle: s.status}, true
	case RouteDownload:
		return fakehttp.Route[Received]{Method: http.MethodPost, Handle: s.download}, true
	case RouteBalance:
		return fakehttp.Route[Received]{Method: http.MethodGet, Handle: s.checkBalance}, true
	case RouteTextureOnly:
		return fakehttp.Route[Received]{Method: http.MethodPost, Handle: s.textureOnly}, true
	}
	return fakehttp.Route[Received]{}, false
}

func (s *Server) apiRoutes() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if name, ok := strings.CutPrefix(r.URL.Path, s.opts.BasePath+"/"); ok || r.URL.Path == s.opts.BasePath {
			s.serveAPI(w, r, name)
			return
		}
		msg := fakehttp.OutsideBasePath(s.t, "rodintest", r, s.opts.BasePath)
		s.record(Received{Route: "", Method: r.Method, Path: r.URL.Path, Query: r.URL.Query(), Header: r.Header.Clone(),
			Status: http.StatusNotFound})
		writeError(w, http.StatusNotFound, msg)
	})
}

func (s *Server) serveAPI(w http.ResponseWriter, r *http.Request, name string) {
	rec := &Received{Route: name, Method: r.Method, Path: "/" + name, Query: r.URL.Query(), Header: r.Header.Clone()}
	s.router.Serve(w, r, name, rec)
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

// newUUID returns a random version 4 UUID, the form Rodin's task and job ids take.
func newUUID() string {
	b := make([]byte, 16)
	_, _ = rand.Read(b)
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	h := hex.EncodeToString(b)
	return h[:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:]
}
