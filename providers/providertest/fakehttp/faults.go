package fakehttp

import (
	"bytes"
	"io"
	"net/http"
	"sync"
	"time"
)

// FaultQueue holds the faults a fake makes on demand, in the order they were added. F is the
// fake's own description of a fault. The zero value is an empty queue, safe for concurrent use.
type FaultQueue[F any] struct {
	mu    sync.Mutex
	items []*queued[F]
}

type queued[F any] struct {
	route string
	times int // < 0: until Clear
	fault F
}

// Add queues f for the next times requests to route, or to any route when route is "". A times
// of 0 means one; a negative one, every request until Clear.
func (q *FaultQueue[F]) Add(route string, times int, f F) {
	if times == 0 {
		times = 1
	}
	q.mu.Lock()
	defer q.mu.Unlock()
	q.items = append(q.items, &queued[F]{route: route, times: times, fault: f})
}

// Take returns the first fault queued for route (or for any route), counting the hit: a fault
// leaves the queue with its last one. It reports false when none is queued.
func (q *FaultQueue[F]) Take(route string) (F, bool) {
	q.mu.Lock()
	defer q.mu.Unlock()
	for i, it := range q.items {
		if it.route == "" || it.route == route {
			if it.times > 0 {
				it.times--
				if it.times == 0 {
					q.items = append(q.items[:i], q.items[i+1:]...)
				}
			}
			return it.fault, true
		}
	}
	var none F
	return none, false
}

// Clear drops every fault not yet spent.
func (q *FaultQueue[F]) Clear() {
	q.mu.Lock()
	defer q.mu.Unlock()
	q.items = nil
}

// Delay holds r for d before it is answered, as a slow server would. It reads the body first (up
// to limit bytes, then put back for the handler): only then does net/http watch the connection and
// cancel the request's context when the client gives up. It reports whether the whole delay
// passed: false when the client gave up or closing was closed first (a nil closing never is).
func Delay(r *http.Request, d time.Duration, limit int64, closing <-chan struct{}) bool {
	data, _ := io.ReadAll(io.LimitReader(r.Body, limit))
	r.Body = io.NopCloser(bytes.NewReader(data))
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-r.Context().Done():
	case <-closing:
	}
	return false
}

// WriteFault answers status with body as it is (a fake's error JSON, an HTML page, JSON cut
// off), with contentType when it is not "" and with Retry-After when retryAfter is not "".
func WriteFault(w http.ResponseWriter, status int, retryAfter, contentType, body string) {
	if retryAfter != "" {
		w.Header().Set("Retry-After", retryAfter)
	}
	if contentType != "" {
		w.Header().Set("Content-Type", contentType)
	}
	w.WriteHeader(status)
	_, _ = io.WriteString(w, body)
}

// Stall flushes what w was sent so far and then sends nothing more until the client gives up or
// closing is closed: an answer that stops half-way.
func Stall(w http.ResponseWriter, r *http.Request, closing <-chan struct{}) {
	_ = http.NewResponseController(w).Flush()
	select {
	case <-r.Context().Done():
	case <-closing:
	}
}
