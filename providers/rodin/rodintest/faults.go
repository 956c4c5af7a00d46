package rodintest

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"time"

	"github.com/kiln3d/kiln/providers/providertest/fakehttp"
)

// Fault is trouble the fake makes on demand, for the next requests to a route. The named
// constructors below (RateLimited, AcceptedThenFailed, ...) build the ones tests need most.
type Fault struct {
	// Route is the API route (RouteSubmit, RouteStatus, RouteDownload, RouteBalance,
	// RouteTextureOnly), RouteStorage for the download links, or "" for any of them.
	Route string
	// Latency delays the answer; with Status 0, no Body and no Mode the request is then answered
	// normally. A client that gives up meanwhile ends the wait.
	Latency time.Duration
	// Status answers the request with this status instead (500, 503, 429, ...). With
	// AcceptThenFail it is the status sent after the work was done (0 means 502); with
	// InsufficientFunds, the status the refusal comes with (0 means 402).
	Status int
	// RetryAfter is sent as the Retry-After header: "30", or an HTTP date.
	RetryAfter string
	// Message is the words of the fake's error JSON ({"error": Message, "message": Message});
	// "" means the status's text.
	Message string
	// Body, when set, is sent as it is (an HTML page, cut-off JSON) with ContentType, and with
	// Status, or when that is 0, the route's success status (201; 200 for the storage).
	Body, ContentType string
	// Mode is trouble beyond a status; see the Mode constants.
	Mode Mode
	// Times is how many requests the fault hits: 0 means one, a negative number every request
	// until ClearFaults.
	Times int
}

// Mode is a kind of trouble that is not a plain refusal.
type Mode int

const (
	// Plain makes the fault a status, a body, or only latency.
	Plain Mode = iota
	// StallBody sends the status and headers of the normal answer (its Content-Length included)
	// and its first bytes (or Body), then nothing until the client gives up or the fake closes.
	StallBody
	// AcceptThenFail does the work (a /rodin task is created and charged) and then answers Status,
	// 502 by default: what a client gets when a gateway fails after the service took the job.
	AcceptThenFail
	// HostileNames makes a /download list (once the task is finished) name its files with "/",
	// "../", absolute paths, backslashes, control characters, ANSI escapes, a very long name and
	// a duplicate: see HostileNameList. Every link still works.
	HostileNames
	// ExpiredLinks makes a /download list links that have already expired.
	ExpiredLinks
	// InsufficientFunds makes a /rodin or /rodin_texture_only that passes its checks refused with
	// INSUFFICIENT_FUND, whatever the balance, with Status (402 by default; a 2xx shows a client
	// that reads the "error" field).
	InsufficientFunds
)

// RateLimited makes the next request to route answer 429 Too Many Requests with Retry-After.
func RateLimited(route, retryAfter string) Fault {
	return Fault{Route: route, Status: http.StatusTooManyRequests, RetryAfter: retryAfter}
}

// ServerError makes the next request to route answer status (500, 502, 503, ...) with the fake's
// error JSON.
func ServerError(route string, status int) Fault { return Fault{Route: route, Status: status} }

// Slow delays the next answer of route by d, then answers it normally.
func Slow(route string, d time.Duration) Fault { return Fault{Route: route, Latency: d} }

// MalformedJSON makes the next request to route answer its success status with JSON cut off in
// the middle.
func MalformedJSON(route string) Fault {
	return Fault{Route: route, Body: `{"error": "OK", "uuid": "3f1c`, ContentType: "application/json"}
}

// HTMLPage makes the next request to route answer status with a gateway's HTML page.
func HTMLPage(route string, status int) Fault {
	return Fault{Route: route, Status: status, ContentType: "text/html",
		Body: "<html><head><title>" + strconv.Itoa(status) + " " + http.StatusText(status) + "</title></head><body><center><h1>" +
			strconv.Itoa(status) + " " + http.StatusText(status) + "</h1></center><hr><center>nginx</center></body></html>\n"}
}

// StalledBody makes the next answer of route stall after its first bytes.
func StalledBody(route string) Fault { return Fault{Route: route, Mode: StallBody} }

// StalledDownload makes the next download link stall after the model's first bytes.
func StalledDownload() Fault { return StalledBody(RouteStorage) }

// AcceptedThenFailed makes the next /rodin create and charge the task, then answer 502.
func AcceptedThenFailed() Fault {
	return Fault{Route: RouteSubmit, Mode: AcceptThenFail, Status: http.StatusBadGateway}
}

// HostileFileNames makes the next /download list hostile file names.
func HostileFileNames() Fault { return Fault{Route: RouteDownload, Mode: HostileNames} }

// ExpiredDownloadLinks makes the next /download list links that have already expired.
func ExpiredDownloadLinks() Fault { return Fault{Route: RouteDownload, Mode: ExpiredLinks} }

// NoFunds makes the next /rodin refused with INSUFFICIENT_FUND and status (0 means 402).
func NoFunds(status int) Fault {
	return Fault{Route: RouteSubmit, Mode: InsufficientFunds, Status: status}
}

// Inject queues a fault. Faults hit in the order they were injected.
func (s *Server) Inject(faults ...Fault) {
	for _, f := range faults {
		s.faults.Add(f.Route, f.Times, f) // Times 0 is one, a negative one every request
	}
}

// ClearFaults drops every fault not yet spent.
func (s *Server) ClearFaults() { s.faults.Clear() }

// faultKey carries to the handlers what a fault changes in their answer.
type faultKey struct{}

// faultCtx is what a fault changes in a handler's answer.
type faultCtx struct {
	list    listOptions
	noFunds int // the status of a forced INSUFFICIENT_FUND; 0 for none
}

func faultOf(r *http.Request) faultCtx {
	c, _ := r.Context().Value(faultKey{}).(faultCtx)
	return c
}

// fault makes the next fault for route, if any, and says whether it answered the request. serve
// is the route's normal answer, which some modes run first.
func (s *Server) fault(w *fakehttp.StatusWriter, r *http.Request, route string, serve http.HandlerFunc) bool {
	f, ok := s.faults.Take(route)
	if !ok {
		return false
	}
	if f.Latency > 0 && !fakehttp.Delay(r, f.Latency, maxUpload, s.servers.Closing()) {
		return true
	}
	switch f.Mode {
	case StallBody:
		s.stall(w, r, &f, serve)
		return true
	case HostileNames, ExpiredLinks:
		c := faultCtx{list: listOptions{hostile: f.Mode == HostileNames, expired: f.Mode == ExpiredLinks}}
		serve(w, r.WithContext(context.WithValue(r.Context(), faultKey{}, c)))
		return true
	case InsufficientFunds:
		serve(w, r.WithContext(context.WithValue(r.Context(), faultKey{}, faultCtx{noFunds: orDefault(f.Status, http.StatusPaymentRequired)})))
		return true
	case AcceptThenFail:
		serve(fakehttp.Discard(), r)
		f.Status = orDefault(f.Status, http.StatusBadGateway)
	}
	if f.Status == 0 && f.Body == "" {
		return false
	}
	s.refuse(w, route, &f)
	return true
}

// orDefault is v, or def when v is 0.
func orDefault(v, def int) int {
	if v == 0 {
		return def
	}
	return v
}

// refuse answers f's status with its body, or the fake's error JSON.
func (s *Server) refuse(w http.ResponseWriter, route string, f *Fault) {
	status := f.Status
	if status == 0 {
		status = http.StatusCreated
		if route == RouteStorage {
			status = http.StatusOK
		}
	}
	body, ct := f.Body, f.ContentType
	if body == "" {
		msg := f.Message
		if msg == "" {
			msg = http.StatusText(status)
		}
		data, _ := json.Marshal(map[string]string{"error": msg, "message": msg})
		body, ct = string(data), "application/json"
	}
	fakehttp.WriteFault(w, status, f.RetryAfter, ct, body)
}

// stall sends the head of the normal answer, its status, headers and full Content-Length, and its
// first bytes (or f.Body), then waits for the client to give up or the fake to close.
func (s *Server) stall(w *fakehttp.StatusWriter, r *http.Request, f *Fault, serve http.HandlerFunc) {
	rec := httptest.NewRecorder()
	serve(rec, r)
	body := rec.Body.Bytes()
	head := []byte(f.Body)
	if f.Body == "" {
		head = body[:min(20, len(body)/2)]
	}
	for k, v := range rec.Header() {
		w.Header()[k] = v
	}
	w.Header().Set("Content-Length", strconv.Itoa(max(len(body), len(head)+1)))
	w.WriteHeader(rec.Code)
	_, _ = w.Write(head)
	fakehttp.Stall(w, r, s.servers.Closing())
}

// listOptions are what download faults change in a /download list.
type listOptions struct {
	expired, hostile bool
}

// HostileListNames are the names a HostileNames fault lists, in order, each linking to the
// task's first file (its model once finished), then PreviewName behind "../": a folder in the
// name, climbing out, an absolute path, Windows separators, a newline with ANSI escapes and a
// bidirectional override, 300 characters, and the first name again.
func HostileListNames() []string {
	return []string{
		"models/base_basic_pbr.glb",
		"../../x.glb",
		"/tmp/rodin/base_basic_pbr.glb",
		`..\..\Windows\base_basic_pbr.glb`,
		"base\n\x1b[31mred\x1b[0m\x1b[2J\u202ebl.glb",
		strings.Repeat("a", 300) + ".glb",
		"models/base_basic_pbr.glb",
		"../" + PreviewName,
	}
}

// hostileList renames a download list's files with HostileListNames.
func hostileList(files []listedFile) []listedFile {
	if len(files) == 0 {
		return files
	}
	names := HostileListNames()
	out := make([]listedFile, 0, len(names))
	for _, n := range names[:len(names)-1] {
		out = append(out, listedFile{name: n, object: files[0].object})
	}
	return append(out, listedFile{name: names[len(names)-1], object: PreviewName})
}
