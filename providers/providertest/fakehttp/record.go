package fakehttp

import (
	"net/http"
	"slices"
	"sync"
)

// Recorder keeps the requests a fake answered, in order, for tests to assert on. T is the fake's
// own record of a request. It is safe for concurrent use.
type Recorder[T any] struct {
	route func(T) string

	mu   sync.Mutex
	list []T
}

// NewRecorder returns an empty recorder; route names the route a record is of, which List filters
// on.
func NewRecorder[T any](route func(T) string) *Recorder[T] {
	return &Recorder[T]{route: route}
}

// Add records one answered request.
func (r *Recorder[T]) Add(rec T) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.list = append(r.list, rec)
}

// List returns a copy of the records so far, in order; with routes, only those to them. It is nil
// when there are none.
func (r *Recorder[T]) List(routes ...string) []T {
	r.mu.Lock()
	defer r.mu.Unlock()
	var out []T
	for _, rec := range r.list {
		if len(routes) == 0 || slices.Contains(routes, r.route(rec)) {
			out = append(out, rec)
		}
	}
	return out
}

// StatusWriter is a ResponseWriter that remembers the status its handler answered, for the
// record of the request.
type StatusWriter struct {
	http.ResponseWriter
	// Status is the status answered: 200 until the handler writes another.
	Status int
}

// NewStatusWriter wraps w, with Status 200.
func NewStatusWriter(w http.ResponseWriter) *StatusWriter {
	return &StatusWriter{ResponseWriter: w, Status: http.StatusOK}
}

// WriteHeader remembers status and sends it.
func (w *StatusWriter) WriteHeader(status int) {
	w.Status = status
	w.ResponseWriter.WriteHeader(status)
}

// Unwrap lets http.ResponseController flush and hijack through the wrapper.
func (w *StatusWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

// Discard returns a ResponseWriter that drops the answer: for a fault that does the work and
// never sends the answer.
func Discard() http.ResponseWriter { return discard{header: http.Header{}} }

type discard struct{ header http.Header }

func (d discard) Header() http.Header         { return d.header }
func (d discard) Write(b []byte) (int, error) { return len(b), nil }
func (d discard) WriteHeader(int)             {}
