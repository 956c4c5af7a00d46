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
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/kiln3d/kiln/providers/providertest/fakehttp"
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

	servers  *fakehttp.Pair // Close ends the answers a fault holds stalled
	opts     Options
	t        testing.TB // nil outside tests
	signer   *fakehttp.Signer
	models   map[string][]byte // by file extension
	hostile  []byte            // the glb a HostileModel fault serves
	faults   fakehttp.FaultQueue[Fault]
	received *fakehttp.Recorder[Received]
	router   fakehttp.Router[Received]

	mu         sync.Mutex
	clock      *fakehttp.Clock // guarded by mu
	generation time.Duration
	accounts   map[string]*account
	requests   map[string]*request
	order      []string
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
	return fakehttp.ForTest(t, func() (*Server, error) { return start(o, t) })
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
		o.Account = Account{DevID: fakehttp.RandomHex(12), APIKey: "kd-" + fakehttp.RandomHex(20), RefreshToken: "rt-" + fakehttp.RandomHex(24)}
	}
	if o.Projects == nil {
		o.Projects = []Project{{ID: "p-" + fakehttp.RandomHex(6), Name: "Sandbox", StudioID: o.Account.StudioID},
			{ID: "p-" + fakehttp.RandomHex(6), Name: "Props", StudioID: o.Account.StudioID}}
	}
	models, err := buildModels()
	if err != nil {
		return nil, err
	}
	hostile, err := hostileGLB(models["glb"])
	if err != nil {
		return nil, err
	}
	s := &Server{Account: o.Account, opts: o, t: t, signer: fakehttp.NewSigner(), models: models, hostile: hostile,
		received:   fakehttp.NewRecorder(func(r Received) string { return r.Route }),
		generation: o.Generation, accounts: map[string]*account{}, requests: map[string]*request{}}
	s.clock = fakehttp.NewClock(&s.mu, o.Now)
	s.router = fakehttp.Router[Received]{Find: s.route, Refuse: writeError, Fault: s.fault, Record: s.recordAs}
	s.accounts[o.Account.DevID] = &account{Account: o.Account, projects: o.Projects}

	if s.servers, err = fakehttp.ListenPair(o.Addr, s.apiRoutes(), http.HandlerFunc(s.serveStorage)); err != nil {
		return nil, fmt.Errorf("kaedimtest: %w", err)
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

// Advance moves the fake's clock on by d: requests progress, JWTs and links expire.
func (s *Server) Advance(d time.Duration) { s.clock.Advance(d) }

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
		http.Error(w, fakehttp.OutsideBasePath(s.t, "kaedimtest", r, s.opts.BasePath), http.StatusInternalServerError)
	})
	return mux
}

// route maps an API route to its method and handler.
func (s *Server) route(name string) (fakehttp.Route[Received], bool) {
	switch name {
	case "registerHook":
		return fakehttp.Route[Received]{Method: http.MethodPost, Handle: s.registerHook}, true
	case "refreshJWT":
		return fakehttp.Route[Received]{Method: http.MethodPost, Handle: s.refreshJWT}, true
	case "process":
		return fakehttp.Route[Received]{Method: http.MethodPost, Handle: s.process}, true
	case "fetchRequest":
		return fakehttp.Route[Received]{Method: http.MethodGet, Handle: s.fetchRequest}, true
	case "fetchAll":
		return fakehttp.Route[Received]{Method: http.MethodGet, Handle: s.fetchAll}, true
	case "fetchProjects":
		return fakehttp.Route[Received]{Method: http.MethodGet, Handle: s.fetchProjects}, true
	}
	return fakehttp.Route[Received]{}, false
}

func (s *Server) serveAPI(w http.ResponseWriter, r *http.Request) {
	name := strings.TrimPrefix(r.URL.Path, s.opts.BasePath+"/api/v1/")
	rec := &Received{Route: name, Method: r.Method, Path: strings.TrimPrefix(r.URL.Path, s.opts.BasePath),
		Query: r.URL.Query(), Header: r.Header.Clone()}
	s.router.Serve(w, r, name, rec)
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
