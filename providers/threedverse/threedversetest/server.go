// Package threedversetest is a fake of the 3dverse Asset API (users and their tokens, folders and
// who may use them, source file uploads and the conversions that follow), written from 3dverse's
// public documentation rather than from Kiln's client, for the client's tests and for demos
// without an account. It serves the API below /app/v1 on a loopback port, as
// https://api.3dverse.com/app/v1 does.
//
// Where the documentation is silent (the words and codes of a refusal, how long a conversion
// takes, how pages of folders are asked for) the fake makes a choice and says so next to the
// code; it never reaches the internet.
package threedversetest

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

	"github.com/kiln3d/kiln/providers/httpkit"
	"github.com/kiln3d/kiln/providers/providertest/fakehttp"
)

// BasePath is where the API lives on 3dverse's hosts: https://api.3dverse.com/app/v1.
const BasePath = "/app/v1"

// DefaultStep is how long an upload task stays in each status when Options.Step is 0.
const DefaultStep = 250 * time.Millisecond

// Options set up a fake. Zero fields take the defaults.
type Options struct {
	// Addr is the listening address; "" means a free port on 127.0.0.1. It must be a loopback
	// address: the fake serves plain http and hands out credentials.
	Addr string
	// Step is how long, on the fake's clock, an upload task stays in each status (waiting,
	// downloading, pending, converting) before the next; 0 means DefaultStep.
	Step time.Duration
	// AssetsByType makes folders.assets answer an object of arrays keyed by asset type
	// ({"scenes": [...], "textures": [...]}) instead of one array, the other shape a client must
	// read.
	AssetsByType bool

	// maxUpload lowers the upload's cap of 512 MiB, for the fake's own tests.
	maxUpload int64
}

// Server is a running fake. Its methods are safe for concurrent use.
type Server struct {
	srv          *httptest.Server
	url          string
	step         time.Duration
	assetsByType bool
	maxUpload    int64      // the most an upload's body may hold
	t            testing.TB // nil outside tests

	closing   chan struct{} // closed when Close begins: delayed answers stop waiting
	closeOnce sync.Once

	faults   fakehttp.FaultQueue[Fault]
	requests *fakehttp.Recorder[Request]

	mu          sync.Mutex
	clock       *fakehttp.Clock // guarded by mu
	keys        map[string]*apiKey
	tokens      map[string]*userToken
	secrets     []string
	users       map[string]*user
	userOrder   []string
	folders     map[string]*folder
	folderOrder []string
	tasks       map[string]*uploadTask
	taskOrder   []string
	sourceFiles map[string]*sourceFile
	assets      map[string]*asset
	assetOrder  []string
	rejectNext  *string // RejectNextUpload's reason, until an upload takes it
	failNext    *string // FailNextConversion's pipeline, until an accepted upload takes it
}

// Start starts a fake outside tests (a demo); Close stops it.
func Start(opts Options) (*Server, error) { return start(opts, nil) }

// New starts a fake for t and closes it when t ends. Requests outside BasePath fail t: they show
// a client that dropped its endpoint's path.
func New(t testing.TB, opts Options) *Server {
	t.Helper()
	return fakehttp.ForTest(t, func() (*Server, error) { return start(opts, t) })
}

func start(o Options, t testing.TB) (*Server, error) {
	if o.Addr == "" {
		o.Addr = "127.0.0.1:0"
	}
	if host, _, err := net.SplitHostPort(o.Addr); err != nil || !httpkit.IsLoopback(host) {
		return nil, fmt.Errorf("threedversetest: %s is not a loopback address (127.0.0.1:PORT, [::1]:PORT, localhost:PORT)", o.Addr)
	}
	if o.Step <= 0 {
		o.Step = DefaultStep
	}
	if o.maxUpload <= 0 {
		o.maxUpload = maxUpload
	}
	s := &Server{step: o.Step, assetsByType: o.AssetsByType, maxUpload: o.maxUpload, t: t, closing: make(chan struct{}),
		requests: fakehttp.NewRecorder(func(r Request) string { return r.Route }),
		keys:     map[string]*apiKey{}, tokens: map[string]*userToken{}, users: map[string]*user{},
		folders: map[string]*folder{}, tasks: map[string]*uploadTask{}, sourceFiles: map[string]*sourceFile{},
		assets: map[string]*asset{}}
	s.clock = fakehttp.NewClock(&s.mu, nil)
	srv, err := fakehttp.Listen(o.Addr, http.HandlerFunc(s.serve))
	if err != nil {
		return nil, fmt.Errorf("threedversetest: %w", err)
	}
	// The handlers read the URL: it is set before the server starts.
	s.srv, s.url = srv, "http://"+srv.Listener.Addr().String()+BasePath
	srv.Start()
	return s, nil
}

// URL is what the client takes as its endpoint: "http://127.0.0.1:PORT/app/v1".
func (s *Server) URL() string { return s.url }

// Close stops the fake, ending the answers a fault holds delayed. It may be called more than once.
func (s *Server) Close() {
	s.closeOnce.Do(func() { close(s.closing) })
	s.srv.Close()
}

// Clock is the fake's time: Advance moves upload tasks on and brings user tokens and API keys
// nearer their expiry. It starts at the real time and keeps running with it.
func (s *Server) Clock() *fakehttp.Clock { return s.clock }

// now is the fake's time; the caller holds s.mu.
func (s *Server) now() time.Time { return s.clock.NowLocked() }

// The API's routes, as Fail, Requests and Request.Route name them.
const (
	RouteUsersRegister    = "users.register"     // POST /users
	RouteUsersList        = "users.list"         // GET /users
	RouteUsersToken       = "users.token"        // POST /users/{user_id}/tokens
	RouteFoldersList      = "folders.list"       // GET /folders
	RouteFoldersCreate    = "folders.create"     // POST /folders
	RouteFoldersGet       = "folders.get"        // GET /folders/{folder_id}
	RouteFoldersAssets    = "folders.assets"     // GET /folders/{folder_id}/assets
	RouteFoldersGrant     = "folders.grant"      // PUT /folders/{folder_id}/access/{member_type}/{member_id}
	RouteUpload           = "upload"             // POST /folders/{folder_id}/source-files
	RouteUploadTask       = "upload-task"        // GET /upload-tasks/{upload_task_id}
	RouteSourceFileAssets = "source-file.assets" // GET /source-files/{source_file_id}/assets
	RouteAssetDescription = "asset.description"  // GET /assets/{asset_type}/{asset_id}/description
)

// authKind is which credential a route takes.
type authKind int

const (
	keyOnly  authKind = iota // the app's API key: users and folder access
	either                   // the API key or a user token: folders
	userOnly                 // a user token: "only a user acts on assets"
)

// params are a request's path parameters, by the names in its route's pattern.
type params map[string]string

// route is one of the API's routes.
type route struct {
	name, method, pattern string
	auth                  authKind
	ok                    int // the success status, which a fault with a Body and no Status answers
	handle                func(s *Server, w http.ResponseWriter, r *http.Request, rec *Request, p params)
}

// routes is the API, in the docs' words.
var routes = []route{
	{RouteUsersRegister, http.MethodPost, "users", keyOnly, http.StatusCreated, (*Server).registerUser},
	{RouteUsersList, http.MethodGet, "users", keyOnly, http.StatusOK, (*Server).listUsers},
	{RouteUsersToken, http.MethodPost, "users/{user_id}/tokens", keyOnly, http.StatusCreated, (*Server).makeToken},
	{RouteFoldersList, http.MethodGet, "folders", either, http.StatusOK, (*Server).listFolders},
	{RouteFoldersCreate, http.MethodPost, "folders", either, http.StatusCreated, (*Server).createFolder},
	{RouteFoldersGet, http.MethodGet, "folders/{folder_id}", either, http.StatusOK, (*Server).getFolder},
	{RouteFoldersAssets, http.MethodGet, "folders/{folder_id}/assets", userOnly, http.StatusOK, (*Server).folderAssets},
	{RouteFoldersGrant, http.MethodPut, "folders/{folder_id}/access/{member_type}/{member_id}", keyOnly, http.StatusNoContent, (*Server).grantAccess},
	{RouteUpload, http.MethodPost, "folders/{folder_id}/source-files", userOnly, http.StatusAccepted, (*Server).upload},
	{RouteUploadTask, http.MethodGet, "upload-tasks/{upload_task_id}", userOnly, http.StatusOK, (*Server).uploadTaskStatus},
	{RouteSourceFileAssets, http.MethodGet, "source-files/{source_file_id}/assets", userOnly, http.StatusOK, (*Server).sourceFileAssets},
	{RouteAssetDescription, http.MethodGet, "assets/{asset_type}/{asset_id}/description", userOnly, http.StatusOK, (*Server).assetDescription},
}

// routeNamed returns the route called name.
func routeNamed(name string) (*route, bool) {
	for i := range routes {
		if routes[i].name == name {
			return &routes[i], true
		}
	}
	return nil, false
}

// match finds the route of method on path (below the base path, "/folders/x"), with its
// parameters. When none matches it returns the methods the path takes, for a 405's Allow.
func match(method, path string) (*route, params, []string) {
	segs := strings.Split(strings.TrimPrefix(path, "/"), "/")
	var allow []string
	for i := range routes {
		p, ok := matchPattern(routes[i].pattern, segs)
		if !ok {
			continue
		}
		if routes[i].method == method {
			return &routes[i], p, nil
		}
		allow = append(allow, routes[i].method)
	}
	return nil, nil, allow
}

// matchPattern matches a route's pattern against the path's segments: a "{name}" segment takes
// any non-empty one.
func matchPattern(pattern string, segs []string) (params, bool) {
	pat := strings.Split(pattern, "/")
	if len(pat) != len(segs) {
		return nil, false
	}
	p := params{}
	for i, want := range pat {
		if name, ok := strings.CutPrefix(want, "{"); ok {
			if segs[i] == "" {
				return nil, false
			}
			p[strings.TrimSuffix(name, "}")] = segs[i]
		} else if segs[i] != want {
			return nil, false
		}
	}
	return p, true
}

// serve answers every request: a route's below the base path with a queued fault or else the
// route's handler, then records it; a 404 or 405 in the API's error shape otherwise.
func (s *Server) serve(w http.ResponseWriter, r *http.Request) {
	rest, ok := strings.CutPrefix(r.URL.Path, BasePath)
	if !ok || (rest != "" && !strings.HasPrefix(rest, "/")) {
		msg := fakehttp.OutsideBasePath(s.t, "threedversetest", r, BasePath)
		s.requests.Add(Request{Method: r.Method, Path: r.URL.Path, Query: r.URL.RawQuery, Auth: authOf(r), Status: http.StatusNotFound})
		writeError(w, apiErr(http.StatusNotFound, codeNotFound, "%s", msg))
		return
	}
	rec := &Request{Method: r.Method, Path: rest, Query: r.URL.RawQuery, Auth: authOf(r)}
	rt, p, allow := match(r.Method, rest)
	if rt == nil {
		sw := fakehttp.NewStatusWriter(w)
		if len(allow) > 0 {
			sw.Header().Set("Allow", strings.Join(allow, ", "))
			writeError(sw, apiErr(http.StatusMethodNotAllowed, codeMethodNotAllowed, "%s %s: this path takes %s", r.Method, BasePath+rest, strings.Join(allow, " or ")))
		} else {
			writeError(sw, apiErr(http.StatusNotFound, codeNotFound, "no such API path: %s %s", r.Method, BasePath+rest))
		}
		rec.Status = sw.Status
		s.requests.Add(*rec)
		return
	}
	rec.Route = rt.name
	sw := fakehttp.NewStatusWriter(w)
	handle := func(w http.ResponseWriter, r *http.Request) { rt.handle(s, w, r, rec, p) }
	answered, drop := s.fault(sw, r, rt.name, handle)
	if !answered {
		handle(sw, r)
	}
	rec.Status = sw.Status
	s.requests.Add(*rec)
	// A dropped connection closes once the request is recorded, so that a client that sees it
	// closed finds the record there.
	if drop != nil {
		drop()
	}
}

// writeJSON answers v as JSON with status.
func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

// newID returns a random version 4 UUID, the form 3dverse's ids take.
func newID() string {
	b := make([]byte, 16)
	_, _ = rand.Read(b) // crypto/rand never fails on supported systems
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	h := hex.EncodeToString(b)
	return h[:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:]
}

// stamp writes t as the API's times are written: RFC 3339 in UTC, with milliseconds, as
// JavaScript's toISOString does.
func stamp(t time.Time) string { return t.UTC().Format("2006-01-02T15:04:05.000Z07:00") }
