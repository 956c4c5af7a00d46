package kaedimtest

import (
	"encoding/json"
	"net/http"
	"time"

	"github.com/kiln3d/kiln/providers/providertest/fakehttp"
)

// Fault is trouble the fake makes on demand, for the next requests to a route. The named
// constructors below (StalledDownload, HugeDownload, ...) build the ones other packages' tests
// need most.
type Fault struct {
	// Route is the API route ("process", "fetchRequest", ...), "download" for the storage, or ""
	// for any of them.
	Route string
	// Latency delays the answer; with Status 0 and no Mode the request is then answered normally.
	Latency time.Duration
	// Status answers the request with this status instead (500, 503, 429, 406, ...). With
	// AcceptThenFail it is the status sent after the work was done (0 means 503).
	Status int
	// RetryAfter is sent as the Retry-After header: "30", or an HTTP date.
	RetryAfter string
	// Message and Cause make the body Kaedim's error JSON; Body, when set, is sent as it is
	// (an HTML page, cut-off JSON) with ContentType.
	Message, Cause    string
	Body, ContentType string
	// Redirect answers with a redirect (Status, or 302 when 0) to this address instead.
	Redirect string
	// Mode is trouble beyond a status; see the Mode constants.
	Mode Mode
	// Times is how many requests the fault hits; 0 means one.
	Times int
}

// Mode is a kind of trouble that is not a plain refusal.
type Mode int

const (
	// Plain makes the fault a status (or a redirect, or only latency).
	Plain Mode = iota
	// StallBody sends the headers of a whole model (Content-Length and all) and its first bytes
	// (or Body's), then nothing until the client gives up or the fake closes.
	StallBody
	// HugeBody declares a Content-Length of 4 GiB and sends a few bytes of a glb, then closes.
	HugeBody
	// HostileModel serves, with status 200, a small glb that looks valid but whose buffer claims
	// about a terabyte, as a model reader would allocate it.
	HostileModel
	// HostileNames answers fetchAll or fetchRequest normally, except that every reference image's
	// file name holds a newline and ANSI escape sequences: percent-encoded in the (still signed)
	// link, so that it decodes to them, and as they are in image_tags.
	HostileNames
	// AcceptThenFail does the work (a /process request is created and shows in fetchAll) and then
	// answers Status, 503 by default: the answer a client gets when a gateway fails after Kaedim
	// took the job.
	AcceptThenFail
	// ResetMidReply does the work, writes the status line, the headers and half of the body,
	// then closes the connection.
	ResetMidReply
)

// HugeBodyLength is the Content-Length a HugeBody fault declares: 4 GiB.
const HugeBodyLength = 4 << 30

// PlainHTTPTarget is where PlainHTTPRedirect sends a download: a documentation address (TEST-NET-3)
// on plain http, which no client may connect to.
const PlainHTTPTarget = "http://203.0.113.5/model.glb"

// StalledDownload makes the next download stall after its first bytes.
func StalledDownload() Fault { return Fault{Route: "download", Mode: StallBody} }

// HugeDownload makes the next download declare 4 GiB.
func HugeDownload() Fault { return Fault{Route: "download", Mode: HugeBody} }

// HostileModelDownload makes the next download a glb whose buffer claims about a terabyte.
func HostileModelDownload() Fault { return Fault{Route: "download", Mode: HostileModel} }

// HostileFileNames makes the next fetchAll list image names with newlines and ANSI escapes.
func HostileFileNames() Fault { return Fault{Route: "fetchAll", Mode: HostileNames} }

// PlainHTTPRedirect makes the next download redirect to PlainHTTPTarget.
func PlainHTTPRedirect() Fault { return Fault{Route: "download", Redirect: PlainHTTPTarget} }

// AcceptedThen503 makes the next /process create the request, then answer 503.
func AcceptedThen503() Fault {
	return Fault{Route: "process", Mode: AcceptThenFail, Status: http.StatusServiceUnavailable}
}

// ResetAfterAccepting makes the next request to route do its work, then cut the connection in
// the middle of the answer.
func ResetAfterAccepting(route string) Fault { return Fault{Route: route, Mode: ResetMidReply} }

// Inject queues a fault. Faults hit in the order they were injected.
func (s *Server) Inject(f Fault) {
	if f.Times <= 0 {
		f.Times = 1
	}
	s.faults.Add(f.Route, f.Times, f)
}

// fault makes the next fault for route, if any, and says whether it answered the request. serve
// is the route's normal answer, which some modes run first.
func (s *Server) fault(w *fakehttp.StatusWriter, r *http.Request, route string, serve http.HandlerFunc) bool {
	f, ok := s.faults.Take(route)
	if !ok {
		return false
	}
	// No closing channel: Close waits for a delayed answer to end, as it always has in this fake.
	if f.Latency > 0 && !fakehttp.Delay(r, f.Latency, maxUpload, nil) {
		return true
	}
	switch f.Mode {
	case StallBody, HugeBody, HostileModel:
		s.badBody(w, r, &f)
		return true
	case HostileNames:
		s.hostileNames(w, r, serve)
		return true
	case AcceptThenFail:
		serve(fakehttp.Discard(), r)
		if f.Status == 0 {
			f.Status = http.StatusServiceUnavailable
		}
	case ResetMidReply:
		resetMidReply(w, r, serve)
		return true
	}
	if f.Redirect != "" {
		w.Header().Set("Location", f.Redirect)
		w.WriteHeader(max(f.Status, http.StatusFound))
		return true
	}
	if f.Status == 0 {
		return false
	}
	refuse(w, &f)
	return true
}

// refuse answers f's status with its body, or Kaedim's error JSON.
func refuse(w http.ResponseWriter, f *Fault) {
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
	fakehttp.WriteFault(w, f.Status, f.RetryAfter, ct, body)
}
