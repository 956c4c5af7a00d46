package kaedimtest

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"time"
)

// Fault is trouble the fake makes on demand, for the next requests to a route.
type Fault struct {
	// Route is the API route ("process", "fetchRequest", ...), "download" for the storage, or ""
	// for any of them.
	Route string
	// Latency delays the answer; with Status 0 the request is then answered normally.
	Latency time.Duration
	// Status answers the request with this status instead (500, 503, 429, 406, ...).
	Status int
	// RetryAfter is sent as the Retry-After header: "30", or an HTTP date.
	RetryAfter string
	// Message and Cause make the body Kaedim's error JSON; Body, when set, is sent as it is
	// (an HTML page, cut-off JSON) with ContentType.
	Message, Cause    string
	Body, ContentType string
	// Times is how many requests the fault hits; 0 means one.
	Times int
}

// Inject queues a fault. Faults hit in the order they were injected.
func (s *Server) Inject(f Fault) {
	if f.Times <= 0 {
		f.Times = 1
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.faults = append(s.faults, &f)
}

// take returns the first fault for route, counting the hit.
func (s *Server) take(route string) *Fault {
	s.mu.Lock()
	defer s.mu.Unlock()
	for i, f := range s.faults {
		if f.Route == "" || f.Route == route {
			f.Times--
			if f.Times == 0 {
				s.faults = append(s.faults[:i], s.faults[i+1:]...)
			}
			cp := *f
			return &cp
		}
	}
	return nil
}

// fault makes the next fault for route, if any, and says whether it answered the request.
func (s *Server) fault(w http.ResponseWriter, r *http.Request, route string) bool {
	f := s.take(route)
	if f == nil {
		return false
	}
	if f.Latency > 0 {
		// Read the body first: only then does the server watch the connection, and cancel the
		// request's context when the client gives up.
		data, _ := io.ReadAll(io.LimitReader(r.Body, maxUpload))
		r.Body = io.NopCloser(bytes.NewReader(data))
		t := time.NewTimer(f.Latency)
		defer t.Stop()
		select {
		case <-t.C:
		case <-r.Context().Done():
			return true
		}
	}
	if f.Status == 0 {
		return false
	}
	if f.RetryAfter != "" {
		w.Header().Set("Retry-After", f.RetryAfter)
	}
	body, ct := f.Body, f.ContentType
	if body == "" {
		m := map[string]string{"status": "error", "message": f.Message}
		if f.Message == "" {
			m["message"] = http.StatusText(f.Status)
		}
		if f.Cause != "" {
			m["cause"] = f.Cause
		}
		data, _ := json.Marshal(m)
		body, ct = string(data), "application/json"
	}
	if ct != "" {
		w.Header().Set("Content-Type", ct)
	}
	w.WriteHeader(f.Status)
	_, _ = io.WriteString(w, body)
	return true
}
