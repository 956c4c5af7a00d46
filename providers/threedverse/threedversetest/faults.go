package threedversetest

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/kiln3d/kiln/providers/providertest/fakehttp"
)

// Fault is trouble the fake makes on demand, for the next requests to a route, in place of the
// route's own answer.
type Fault struct {
	// Status answers with this status and Body; with an empty Body, the API's error JSON
	// ({"status", "errorCode", "message"}, the message the status's text). With Status 0 and a
	// Body, the route's success status.
	Status int
	// Body is sent as it is (cut-off JSON, a gateway's HTML page), as application/json when it
	// starts with { or [, text/html when it starts with <, text/plain otherwise.
	Body string
	// RetryAfter is sent as the Retry-After header: "30", or an HTTP date.
	RetryAfter string
	// Drop closes the connection without an answer, after the route has done its work in full:
	// an upload made, a user registered, a token issued. This is the lost answer a client must
	// recover from (a status fault, by contrast, does no work). The request is recorded with
	// Status 0.
	Drop bool
	// Delay waits this long before answering (or dropping); with nothing else set the route then
	// answers as usual. A client that gives up meanwhile ends the wait, and so does Close; the
	// request is then recorded with Status 0.
	Delay time.Duration
}

// Fail makes the next times requests to route (Route* constants; "" for any route) meet f instead
// of their answer: times 0 means once, a negative times every request until ClearFaults. Faults
// hit in the order they were queued. It panics on a route the fake does not have: a typo in a
// test.
func (s *Server) Fail(route string, times int, f Fault) {
	if _, ok := routeNamed(route); !ok && route != "" {
		names := make([]string, 0, len(routes))
		for _, r := range routes {
			names = append(names, r.name)
		}
		panic(fmt.Sprintf("threedversetest: Fail: no route %q (the routes are %s)", route, strings.Join(names, ", ")))
	}
	s.faults.Add(route, times, f)
}

// ClearFaults drops every fault not yet spent.
func (s *Server) ClearFaults() { s.faults.Clear() }

// fault makes the next fault queued for route, if any, and says whether it answered the
// request; serve is the route's own answer, which a delay or a drop runs. For a drop it returns
// the function that closes the connection, for the caller to call once it recorded the request.
func (s *Server) fault(w *fakehttp.StatusWriter, r *http.Request, route string, serve http.HandlerFunc) (answered bool, drop func()) {
	f, ok := s.faults.Take(route)
	if !ok {
		return false, nil
	}
	if f.Delay > 0 && !fakehttp.Delay(r, f.Delay, s.bodyLimit(route), s.closing) {
		w.Status = 0 // no answer: the client gave up, or the fake is closing
		return true, nil
	}
	if f.Drop {
		serve(fakehttp.Discard(), r)
		w.Status = 0
		conn, _, err := http.NewResponseController(w).Hijack()
		if err != nil {
			// Aborting the handler closes the connection, without a log line.
			return true, func() { panic(http.ErrAbortHandler) }
		}
		return true, func() { _ = conn.Close() }
	}
	if f.Status == 0 && f.Body == "" {
		return false, nil
	}
	status := f.Status
	if status == 0 {
		rt, _ := routeNamed(route)
		status = rt.ok
	}
	body, ct := f.Body, contentType(f.Body)
	if body == "" {
		data, _ := json.Marshal(ErrorBody{Status: status, ErrorCode: codeOf(status), Message: http.StatusText(status)})
		body, ct = string(data), "application/json"
	}
	fakehttp.WriteFault(w, status, f.RetryAfter, ct, body)
	return true, nil
}

// bodyLimit is the most a route reads of a body.
func (s *Server) bodyLimit(route string) int64 {
	if route == RouteUpload {
		return s.maxUpload
	}
	return maxJSONBody
}

// contentType guesses a fault body's type from its first character.
func contentType(body string) string {
	switch t := strings.TrimSpace(body); {
	case strings.HasPrefix(t, "{"), strings.HasPrefix(t, "["):
		return "application/json"
	case strings.HasPrefix(t, "<"):
		return "text/html"
	}
	return "text/plain"
}
