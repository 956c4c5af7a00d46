// Package server is Kiln as a self-hosted jobs API (`kiln serve`): the same queue, ledger and
// library as the window, behind HTTP, for every artist's desktop (the "Kiln server" provider) and
// for a studio's pipelines. Clients hold API keys with scopes; jobs are asynchronous, with an
// idempotent submission, per-key rate limits and signed webhooks. The routes, the JSON and the
// error codes are the contract in openapi.json, which GET /api/v1/openapi serves.
package server

import (
	"context"
	"database/sql"
	"errors"
	"log/slog"
	"net"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/kiln3d/kiln/app"
	"github.com/kiln3d/kiln/providers/httpkit"
)

// Options tune a Server; the zero value is a sensible server.
type Options struct {
	// MaxUpload bounds a request's body; 0 means 64 MiB.
	MaxUpload int64
	// Rate is how many requests a key may make per second on average, and Burst how many at
	// once; 0 means 10 and 60.
	Rate  float64
	Burst int
	// ProcessTimeout is how long POST /api/v1/process waits when the request does not say;
	// 0 means 120 s. A request may ask for up to 600 s.
	ProcessTimeout time.Duration
	// WebhookAttempts bounds the tries of one webhook (0 means 6); WebhookBackoff is the first
	// pause between them, doubling each time (0 means 1 s).
	WebhookAttempts int
	WebhookBackoff  time.Duration
	// WebhookClient sends webhooks; nil means one with a 10 s timeout that follows no redirect.
	WebhookClient *http.Client
	// BaseURL is the address clients reach the server at (https://models.studio.example), for
	// the URLs in answers and webhooks; empty means the Host each request was sent to.
	BaseURL string
	// Logger receives the server's log; nil means slog's default.
	Logger *slog.Logger
}

func (o Options) withDefaults() Options {
	if o.MaxUpload <= 0 {
		o.MaxUpload = 64 << 20
	}
	if o.Rate <= 0 {
		o.Rate = 10
	}
	if o.Burst <= 0 {
		o.Burst = 60
	}
	if o.ProcessTimeout <= 0 {
		o.ProcessTimeout = 120 * time.Second
	}
	if o.WebhookAttempts <= 0 {
		o.WebhookAttempts = 6
	}
	if o.WebhookBackoff <= 0 {
		o.WebhookBackoff = time.Second
	}
	if o.WebhookClient == nil {
		o.WebhookClient = &http.Client{Timeout: 10 * time.Second,
			CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	}
	if o.Logger == nil {
		o.Logger = slog.Default()
	}
	o.BaseURL = strings.TrimRight(o.BaseURL, "/")
	return o
}

// Server answers the jobs API for one open data directory.
type Server struct {
	k    *app.Kiln
	db   *sql.DB
	opts Options
	log  *slog.Logger
	// Keys is the server's API key store.
	Keys *Keys

	limits *limiter
	idem   *idempotency
	hooks  *webhooks
	live   *live
	mux    *http.ServeMux

	closing   chan struct{} // closed by Drain
	drainOnce sync.Once
	unsub     func()
}

// New makes a server for k. It keeps its own tables (keys, which key made which job, idempotency
// keys, webhook deliveries) in k's database, and delivers the webhooks still due from last time.
func New(ctx context.Context, k *app.Kiln, o Options) (*Server, error) {
	o = o.withDefaults()
	db, err := openDatabase(ctx, k)
	if err != nil {
		return nil, err
	}
	s := &Server{
		k: k, db: db, opts: o, log: o.Logger,
		Keys:    newKeys(db, k.SigningSecret, time.Now),
		limits:  newLimiter(o.Rate, o.Burst),
		idem:    &idempotency{db: db, now: time.Now},
		closing: make(chan struct{}),
		live:    newLive(),
	}
	s.hooks = newWebhooks(s)
	s.mux = s.routes()
	s.unsub = k.Jobs.Subscribe(func(e app.Event) {
		// Called on the queue's workers: both only note the change.
		s.live.update(e.Job)
		if e.Job.State.Finished() {
			s.hooks.ended(e.Job.ID)
		}
	})
	s.hooks.start()
	return s, nil
}

// Handler is the server's HTTP handler.
func (s *Server) Handler() http.Handler { return s.mux }

// Drain stops taking jobs: a submission is answered 503 shutting_down, and POST /process stops
// waiting and answers with the job as it is. Jobs already queued stay in the ledger and resume
// when the server starts again.
func (s *Server) Drain() { s.drainOnce.Do(func() { close(s.closing) }) }

func (s *Server) draining() bool {
	select {
	case <-s.closing:
		return true
	default:
		return false
	}
}

// Close stops the webhook deliveries (those not yet made are made next time) and closes the
// server's database handle. It does not close the Kiln.
func (s *Server) Close() error {
	s.Drain()
	s.unsub()
	s.hooks.stop()
	return s.db.Close()
}

// handler is one route's work for a client holding key (the zero Key on a public route). An
// *apiError it returns is the answer; any other error is logged and answered 500 internal.
type handler func(w http.ResponseWriter, r *http.Request, key Key) error

// route is one operation of the API.
type route struct {
	method, pattern string
	// scope is what the key must carry; "" for a public route.
	scope Scope
	h     handler
}

// Routes lists the API's operations as "METHOD /path" in the OpenAPI document's spelling, so a
// test can check that the document and the server agree.
func (s *Server) Routes() []string {
	var out []string
	for _, rt := range s.table() {
		out = append(out, rt.method+" "+rt.pattern)
	}
	return out
}

func (s *Server) table() []route {
	return []route{
		{"GET", "/", "", s.page},
		{"GET", "/api/v1/openapi", "", s.openapi},
		{"GET", "/api/v1/postman", "", s.postman},
		{"GET", "/api/v1/providers", ScopeJobsRead, s.providers},
		{"POST", "/api/v1/jobs", ScopeJobsWrite, s.submitAsync},
		{"GET", "/api/v1/jobs", ScopeJobsRead, s.listJobs},
		{"GET", "/api/v1/jobs/{id}", ScopeJobsRead, s.getJob},
		{"DELETE", "/api/v1/jobs/{id}", ScopeJobsWrite, s.cancelJob},
		{"GET", "/api/v1/jobs/{id}/files/{name}", ScopeJobsRead, s.getFile},
		{"POST", "/api/v1/process", ScopeJobsWrite, s.process},
		{"GET", "/api/v1/keys", ScopeKeysAdmin, s.listKeys},
		{"POST", "/api/v1/keys", ScopeKeysAdmin, s.createKey},
		{"DELETE", "/api/v1/keys/{id}", ScopeKeysAdmin, s.revokeKey},
	}
}

// routes builds the mux: each path answers its methods, a 405 with Allow for the others, and
// any other path a JSON 404.
func (s *Server) routes() *http.ServeMux {
	mux := http.NewServeMux()
	byPath := map[string]map[string]route{}
	var order []string
	for _, rt := range s.table() {
		if byPath[rt.pattern] == nil {
			byPath[rt.pattern] = map[string]route{}
			order = append(order, rt.pattern)
		}
		byPath[rt.pattern][rt.method] = rt
	}
	for _, pattern := range order {
		methods := byPath[pattern]
		var allow []string
		for _, m := range []string{"GET", "POST", "DELETE"} {
			if _, ok := methods[m]; ok {
				allow = append(allow, m)
			}
		}
		muxPattern := pattern
		if pattern == "/" {
			muxPattern = "/{$}"
		}
		mux.HandleFunc(muxPattern, func(w http.ResponseWriter, r *http.Request) {
			method := r.Method
			if method == http.MethodHead {
				method = http.MethodGet
			}
			rt, ok := methods[method]
			if !ok {
				w.Header().Set("Allow", strings.Join(allow, ", "))
				writeError(w, errorf(http.StatusMethodNotAllowed, CodeMethodNotAllowed,
					"%s does not answer %s (it answers %s)", pattern, r.Method, strings.Join(allow, ", ")))
				return
			}
			s.serve(w, r, rt)
		})
	}
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		writeError(w, errorf(http.StatusNotFound, CodeNotFound, "there is nothing at %s", r.URL.Path))
	})
	return mux
}

// serve authenticates the request, applies the key's rate limit and scope, and runs the route.
func (s *Server) serve(w http.ResponseWriter, r *http.Request, rt route) {
	var key Key
	if rt.scope != "" {
		var err error
		key, err = s.authenticate(r)
		if err != nil {
			// Guesses are rate-limited by address, so a key cannot be found by trying.
			if !s.limits.allow(w, "addr:"+clientAddr(r), time.Now()) {
				writeError(w, errorf(http.StatusTooManyRequests, CodeRateLimited, "too many requests without a valid key: wait %s s",
					w.Header().Get("Retry-After")))
				return
			}
			var ae *apiError
			if !errors.As(err, &ae) {
				s.log.Error("authenticate", "err", err)
				ae = errorf(http.StatusInternalServerError, CodeInternal, "the key could not be checked")
			}
			w.Header().Set("WWW-Authenticate", `Bearer realm="kiln"`)
			writeError(w, ae)
			return
		}
		if !s.limits.allow(w, "key:"+key.ID, time.Now()) {
			writeError(w, errorf(http.StatusTooManyRequests, CodeRateLimited,
				"this key has made too many requests: wait %s s (x-ratelimit-retry-after)", w.Header().Get("Retry-After")))
			return
		}
		if !key.Has(rt.scope) {
			writeError(w, errorf(http.StatusForbidden, CodeMissingScope,
				"this key (%s) lacks the scope %s, which %s %s needs; make a key with it", key.Prefix(), rt.scope, rt.method, rt.pattern))
			return
		}
	}
	if err := rt.h(w, r, key); err != nil {
		var ae *apiError
		if !errors.As(err, &ae) {
			s.log.Error("request failed", "method", r.Method, "path", r.URL.Path, "err", httpkit.Scrub(err.Error()))
			ae = errorf(http.StatusInternalServerError, CodeInternal, "the server failed: %s", httpkit.Scrub(err.Error()))
		}
		writeError(w, ae)
	}
}

// authenticate finds the key the request carries: x-api-key, or Authorization: Bearer.
func (s *Server) authenticate(r *http.Request) (Key, error) {
	secret := strings.TrimSpace(r.Header.Get("x-api-key"))
	if secret == "" {
		if auth := r.Header.Get("Authorization"); auth != "" {
			scheme, token, ok := strings.Cut(auth, " ")
			if !ok || !strings.EqualFold(scheme, "Bearer") {
				return Key{}, errorf(http.StatusUnauthorized, CodeUnauthorized, "the Authorization header must be \"Bearer <API key>\"")
			}
			secret = strings.TrimSpace(token)
		}
	}
	if secret == "" {
		return Key{}, errorf(http.StatusUnauthorized, CodeUnauthorized, "no API key: send it as x-api-key, or Authorization: Bearer")
	}
	key, err := s.Keys.Authenticate(r.Context(), secret)
	switch {
	case errors.Is(err, ErrBadKey):
		return Key{}, errorf(http.StatusUnauthorized, CodeUnauthorized, "the API key is not valid: check it was copied whole, or make a new one")
	case errors.Is(err, ErrRevokedKey):
		return Key{}, errorf(http.StatusUnauthorized, CodeUnauthorized, "the API key was revoked: make a new one")
	}
	return key, err
}

// clientAddr is the request's remote address without its port.
func clientAddr(r *http.Request) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return host
}

// base is the address URLs in answers are made under.
func (s *Server) base(r *http.Request) string {
	if s.opts.BaseURL != "" {
		return s.opts.BaseURL
	}
	return baseURL(r)
}
