package jobsapi

import (
	"bytes"
	"crypto/sha256"
	"encoding/json"
	"fmt"
	"io"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/kiln3d/kiln/providers/modeltest"
	"github.com/kiln3d/kiln/providers/providertest"
	"github.com/kiln3d/kiln/providers/providertest/fakehttp"
)

// The fake's routes, as its record and its faults name them.
const (
	routeSubmit = "submit"
	routeList   = "list"
	routeJob    = "job"
	routeFile   = "file"
)

// The scopes of the API.
const (
	scopeRead  = "jobs:read"
	scopeWrite = "jobs:write"
)

// fakeServer is a jobs API that follows /api/v1 closely enough for the client: keys with scopes,
// submissions under idempotency keys, jobs that run for a few polls and list a model and a
// preview, rate-limit headers, and faults on demand.
type fakeServer struct {
	t   testing.TB
	srv *httptest.Server
	// URL is the server's address; Key a key with jobs:read and jobs:write.
	URL, Key string

	// Polls is how many polls a job runs for before it ends; Outcome how it ends ("done",
	// "failed", "cancelled") and Failure, for a failed job, why.
	Polls   int
	Outcome string
	Failure Failure
	// FileHost, when set, is the host the file links name instead of the request's.
	FileHost string
	// Model is what the model link serves.
	Model   []byte
	preview []byte

	mu     sync.Mutex
	keys   map[string][]string
	jobs   map[string]*fakeJob
	idem   map[string]idemEntry
	faults fakehttp.FaultQueue[fault]
	rec    *fakehttp.Recorder[received]
}

// fakeJob is one job on the fake.
type fakeJob struct {
	ID, Owner, Provider, Prompt string
	Polycount                   int
	polls                       int
	outcome                     string
	failure                     Failure
}

// idemEntry is the first answer to a submission under an idempotency key.
type idemEntry struct {
	sum [32]byte
	job string
}

// received is the fake's record of one request.
type received struct {
	Route, Method, Path string
	Header              http.Header
	Query               url.Values
	Fields              map[string][]string
	// Files are the uploaded files' names, and their sizes.
	Files []string
	Sizes []int
	// Body is the raw body of a submission.
	Body   []byte
	Status int
}

// fault is an answer the fake gives instead of its own: Status with the API's error shape
// (Code, Message), or Body as it is; Header adds headers. Drop does the work and then closes the
// connection without an answer.
type fault struct {
	Status        int
	Code, Message string
	Body          string
	Header        map[string]string
	Drop          bool
}

// newFake starts a fake for t.
func newFake(t testing.TB) *fakeServer {
	f := &fakeServer{t: t, Polls: 2, Outcome: StatusDone, keys: map[string][]string{}, jobs: map[string]*fakeJob{},
		idem: map[string]idemEntry{}, rec: fakehttp.NewRecorder(func(r received) string { return r.Route })}
	f.Key = f.AddKey(scopeRead, scopeWrite)
	dir := t.TempDir()
	model := filepath.Join(dir, "model.glb")
	if err := providertest.WriteTetrahedron(model); err != nil {
		t.Fatal(err)
	}
	var err error
	if f.Model, err = os.ReadFile(model); err != nil {
		t.Fatal(err)
	}
	if f.preview, err = os.ReadFile(modeltest.WriteImage(t, dir, "preview.png", modeltest.Pattern(3))); err != nil {
		t.Fatal(err)
	}
	f.srv = httptest.NewServer(http.HandlerFunc(f.serve))
	f.URL = f.srv.URL
	t.Cleanup(f.srv.Close)
	return f
}

// AddKey makes a key with scopes and returns its secret.
func (f *fakeServer) AddKey(scopes ...string) string {
	id := fakehttp.RandomHex(8)
	secret := "kiln_" + id + "_" + fakehttp.RandomHex(43)
	f.mu.Lock()
	defer f.mu.Unlock()
	f.keys[secret] = scopes
	return secret
}

// Inject queues fl for the next times requests to route (one when times is 0; every one until
// ClearFaults when it is negative).
func (f *fakeServer) Inject(route string, times int, fl fault) { f.faults.Add(route, times, fl) }

// ClearFaults drops the faults not yet made.
func (f *fakeServer) ClearFaults() { f.faults.Clear() }

// Received lists the requests answered, to routes when given.
func (f *fakeServer) Received(routes ...string) []received { return f.rec.List(routes...) }

// JobCount is the number of jobs made.
func (f *fakeServer) JobCount() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return len(f.jobs)
}

func (f *fakeServer) serve(w http.ResponseWriter, r *http.Request) {
	rec := received{Method: r.Method, Path: r.URL.Path, Header: r.Header.Clone(), Query: r.URL.Query()}
	parts := strings.Split(strings.TrimPrefix(r.URL.Path, "/api/v1/"), "/")
	switch {
	case !strings.HasPrefix(r.URL.Path, "/api/v1/jobs"):
	case len(parts) == 1 && r.Method == http.MethodPost:
		rec.Route = routeSubmit
	case len(parts) == 1:
		rec.Route = routeList
	case len(parts) == 2:
		rec.Route = routeJob
	case len(parts) == 4 && parts[2] == "files":
		rec.Route = routeFile
	}
	if rec.Route == routeSubmit {
		rec.Body, _ = io.ReadAll(io.LimitReader(r.Body, 64<<20))
		rec.Fields, rec.Files, rec.Sizes = parseForm(r.Header.Get("Content-Type"), rec.Body)
	}
	sw := fakehttp.NewStatusWriter(w)
	defer func() {
		rec.Status = sw.Status
		f.rec.Add(rec)
	}()
	sw.Header().Set("X-Ratelimit-Limit", "60")
	sw.Header().Set("X-Ratelimit-Remaining", "59")
	sw.Header().Set("X-Ratelimit-Reset", "1")
	if fl, ok := f.faults.Take(rec.Route); ok {
		for k, v := range fl.Header {
			sw.Header().Set(k, v)
		}
		if fl.Drop {
			f.route(fakehttp.Discard(), r, &rec, parts)
			drop(sw)
			return
		}
		if fl.Body != "" {
			fakehttp.WriteFault(sw, max(fl.Status, 200), "", "application/json", fl.Body)
			return
		}
		f.fail(sw, fl.Status, fl.Code, fl.Message)
		return
	}
	f.route(sw, r, &rec, parts)
}

// route answers a request no fault answered.
func (f *fakeServer) route(w http.ResponseWriter, r *http.Request, rec *received, parts []string) {
	if rec.Route == "" {
		f.fail(w, http.StatusNotFound, "not_found", "no such route")
		return
	}
	key := r.Header.Get("X-Api-Key")
	if b, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer "); ok && key == "" {
		key = b
	}
	f.mu.Lock()
	scopes, known := f.keys[key]
	f.mu.Unlock()
	if !known {
		w.Header().Set("WWW-Authenticate", `Bearer realm="kiln"`)
		f.fail(w, http.StatusUnauthorized, "unauthorized", "missing or unknown API key")
		return
	}
	need := scopeRead
	if rec.Route == routeSubmit {
		need = scopeWrite
	}
	if !slices.Contains(scopes, need) {
		f.fail(w, http.StatusForbidden, "missing_scope", "this key lacks the scope "+need)
		return
	}
	switch rec.Route {
	case routeSubmit:
		f.submit(w, r, rec, key)
	case routeList:
		f.list(w, r, key)
	case routeJob:
		f.poll(w, r, parts[1], key)
	case routeFile:
		f.file(w, parts[1], parts[3], key)
	}
}

func (f *fakeServer) submit(w http.ResponseWriter, r *http.Request, rec *received, key string) {
	if rec.Fields == nil {
		f.fail(w, http.StatusBadRequest, "invalid_request", "the body is not multipart/form-data")
		return
	}
	provider := "local"
	if v := rec.Fields["provider"]; len(v) > 0 {
		provider = v[0]
	}
	if !slices.Contains([]string{"local", "kaedim", "rodin"}, provider) {
		f.fail(w, http.StatusBadRequest, "unknown_provider", "no provider "+strconv.Quote(provider))
		return
	}
	prompt := strings.Join(rec.Fields["prompt"], "")
	if len(rec.Files) == 0 && prompt == "" {
		f.fail(w, http.StatusBadRequest, "invalid_request", "send an image or a prompt")
		return
	}
	if v := rec.Fields["view"]; len(v) > 0 && len(v) != len(rec.Files) {
		f.fail(w, http.StatusBadRequest, "invalid_request", "one view per image")
		return
	}
	polycount, err := strconv.Atoi(strings.Join(rec.Fields["polycount"], ""))
	if err != nil {
		f.fail(w, http.StatusBadRequest, "invalid_request", "polycount is not a number")
		return
	}
	f.mu.Lock()
	idemKey := r.Header.Get("Idempotency-Key")
	sum := sha256.Sum256(rec.Body)
	if e, ok := f.idem[key+"\x00"+idemKey]; idemKey != "" && ok {
		j := f.jobs[e.job]
		f.mu.Unlock()
		if e.sum != sum {
			f.fail(w, http.StatusConflict, "idempotency_conflict", "this Idempotency-Key was used with another body")
			return
		}
		f.answer(w, r, http.StatusAccepted, j)
		return
	}
	j := &fakeJob{ID: time.Now().Format("20060102-150405") + "-" + fakehttp.RandomHex(8), Owner: key, Provider: provider,
		Prompt: prompt, Polycount: polycount, outcome: f.Outcome, failure: f.Failure}
	f.jobs[j.ID] = j
	if idemKey != "" {
		f.idem[key+"\x00"+idemKey] = idemEntry{sum: sum, job: j.ID}
	}
	f.mu.Unlock()
	w.Header().Set("Location", "/api/v1/jobs/"+j.ID)
	f.answer(w, r, http.StatusAccepted, j)
}

func (f *fakeServer) list(w http.ResponseWriter, r *http.Request, key string) {
	f.mu.Lock()
	var out []map[string]any
	for _, j := range f.jobs {
		if j.Owner == key {
			out = append(out, f.jobJSON(r, j))
		}
	}
	f.mu.Unlock()
	if n, err := strconv.Atoi(r.URL.Query().Get("limit")); err == nil && n < len(out) {
		out = out[:n]
	}
	if out == nil {
		out = []map[string]any{}
	}
	writeJSON(w, http.StatusOK, map[string]any{"jobs": out})
}

func (f *fakeServer) poll(w http.ResponseWriter, r *http.Request, id, key string) {
	f.mu.Lock()
	j, ok := f.jobs[id]
	if ok && j.Owner == key {
		j.polls++
	}
	f.mu.Unlock()
	if !ok || j.Owner != key {
		f.fail(w, http.StatusNotFound, "not_found", "no job "+id)
		return
	}
	f.answer(w, r, http.StatusOK, j)
}

func (f *fakeServer) file(w http.ResponseWriter, id, name, key string) {
	f.mu.Lock()
	j, ok := f.jobs[id]
	model := f.Model
	f.mu.Unlock()
	if !ok || j.Owner != key {
		f.fail(w, http.StatusNotFound, "not_found", "no job "+id)
		return
	}
	switch name {
	case "model.glb":
		w.Header().Set("Content-Type", "model/gltf-binary")
		_, _ = w.Write(model)
	case "preview.png":
		w.Header().Set("Content-Type", "image/png")
		_, _ = w.Write(f.preview)
	default:
		f.fail(w, http.StatusNotFound, "not_found", "no file "+name)
	}
}

// answer writes j as the API's Job JSON.
func (f *fakeServer) answer(w http.ResponseWriter, r *http.Request, status int, j *fakeJob) {
	f.mu.Lock()
	body := f.jobJSON(r, j)
	f.mu.Unlock()
	writeJSON(w, status, body)
}

// jobJSON is j as the API writes it, at its poll count; f.mu is held.
func (f *fakeServer) jobJSON(r *http.Request, j *fakeJob) map[string]any {
	host := r.Host
	if f.FileHost != "" {
		host = f.FileHost
	}
	self := "http://" + host + "/api/v1/jobs/" + j.ID
	now := time.Now().UTC().Format(time.RFC3339)
	out := map[string]any{"id": j.ID, "url": self, "status": StatusQueued, "provider": j.Provider, "progress": 0.0,
		"message": "Waiting for a worker", "created": now, "updated": now, "polycount": j.Polycount}
	if j.Prompt != "" {
		out["prompt"] = j.Prompt
	}
	switch {
	case j.polls >= f.Polls:
		out["status"], out["progress"], out["finished"] = j.outcome, 1.0, now
		switch j.outcome {
		case StatusDone:
			out["triangles"] = j.Polycount
			out["files"] = []map[string]any{
				{"name": "model.glb", "format": "glb", "size": len(f.Model), "url": self + "/files/model.glb"},
				{"name": "preview.png", "format": "png", "size": len(f.preview), "url": self + "/files/preview.png"},
			}
		case StatusFailed:
			out["error"] = j.failure
		}
	case j.polls > 0:
		out["status"], out["progress"], out["message"], out["started"] = StatusRunning, 0.5, "Inflating the silhouette", now
	}
	return out
}

// fail answers status with the API's error shape.
func (f *fakeServer) fail(w http.ResponseWriter, status int, code, msg string) {
	writeJSON(w, status, map[string]any{"error": map[string]string{"code": code, "message": msg}})
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	data, _ := json.Marshal(v)
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_, _ = w.Write(data)
}

// drop closes the connection without an answer: the work was done, the answer lost.
func drop(w http.ResponseWriter) {
	conn, _, err := http.NewResponseController(w).Hijack()
	if err == nil {
		_ = conn.Close()
	}
}

// parseForm reads a multipart body: its fields, and its files' names and sizes. nil fields when
// it is not one.
func parseForm(contentType string, body []byte) (map[string][]string, []string, []int) {
	_, boundary, ok := strings.Cut(contentType, "boundary=")
	if !ok {
		return nil, nil, nil
	}
	mr := multipart.NewReader(bytes.NewReader(body), boundary)
	fields := map[string][]string{}
	var names []string
	var sizes []int
	for {
		part, err := mr.NextPart()
		if err != nil {
			break
		}
		data, _ := io.ReadAll(part)
		if part.FileName() != "" {
			names, sizes = append(names, part.FileName()), append(sizes, len(data))
			continue
		}
		fields[part.FormName()] = append(fields[part.FormName()], string(data))
	}
	return fields, names, sizes
}

// String names the fake in failures.
func (f *fakeServer) String() string { return fmt.Sprintf("fake jobs API at %s", f.URL) }
