package threedversetest

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"
)

func TestStatusFaults(t *testing.T) {
	w := setup(t, Options{})
	s := w.s
	s.Fail(RouteFoldersList, 2, Fault{Status: http.StatusServiceUnavailable, RetryAfter: "7"})
	for i := range 2 {
		a := call(t, s, http.MethodGet, "/folders", key(w.key), nil)
		a.refused(t, "503", 503, "internal", "Service Unavailable")
		if a.header.Get("Retry-After") != "7" {
			t.Errorf("try %d: Retry-After %q", i, a.header.Get("Retry-After"))
		}
	}
	if a := call(t, s, http.MethodGet, "/folders", key(w.key), nil); a.status != 200 || a.header.Get("Retry-After") != "" {
		t.Errorf("after the fault: %d %v", a.status, a.header)
	}
	if got := s.Requests(RouteFoldersList); len(got) != 3 || got[0].Status != 503 || got[2].Status != 200 {
		t.Errorf("recorded %+v", got)
	}

	s.Fail(RouteUsersRegister, 0, Fault{Status: http.StatusTooManyRequests, RetryAfter: "1"})
	call(t, s, http.MethodPost, "/users", key(w.key), `{"username":"x"}`).refused(t, "429", 429, "too_many_requests", "Too Many Requests")

	// A status fault does no work: no upload is filed.
	s.Fail(RouteUpload, 1, Fault{Status: http.StatusBadGateway})
	call(t, s, http.MethodPost, "/folders/"+w.folder+"/source-files", tok(w.token), multipartBody(t, file("files", "a.glb", glb))).
		refused(t, "502", 502, "internal", "Bad Gateway")
	if len(s.Uploads()) != 0 || len(s.Assets("")) != 0 {
		t.Errorf("a refused upload was filed: %+v", s.Uploads())
	}

	// Bodies as they are: cut-off JSON with the route's success status, an HTML page.
	id := w.upload(t, file("files", "a.glb", glb))
	s.Fail(RouteUploadTask, 1, Fault{Body: `{"upload_task_id": "cu`})
	a := call(t, s, http.MethodGet, "/upload-tasks/"+id, tok(w.token), nil)
	if a.status != 200 || string(a.raw) != `{"upload_task_id": "cu` || a.header.Get("Content-Type") != "application/json" {
		t.Errorf("cut-off JSON: %d %q %v", a.status, a.raw, a.header)
	}
	s.Fail(RouteUpload, 1, Fault{Status: 202, Body: `[]`})
	if a := call(t, s, http.MethodPost, "/folders/"+w.folder+"/source-files", tok(w.token), multipartBody(t, file("files", "a.glb", glb))); a.status != 202 || string(a.raw) != "[]" {
		t.Errorf("an array: %d %q", a.status, a.raw)
	}
	s.Fail(RouteFoldersGet, 1, Fault{Status: 502, Body: "<html><body>Bad gateway</body></html>"})
	if a := call(t, s, http.MethodGet, "/folders/"+w.folder, key(w.key), nil); a.status != 502 || a.header.Get("Content-Type") != "text/html" || !strings.HasPrefix(string(a.raw), "<html>") {
		t.Errorf("HTML: %d %q %v", a.status, a.raw, a.header)
	}
	s.Fail(RouteFoldersGet, 1, Fault{Status: 500, Body: "oops"})
	if a := call(t, s, http.MethodGet, "/folders/"+w.folder, key(w.key), nil); a.status != 500 || a.header.Get("Content-Type") != "text/plain" {
		t.Errorf("text: %d %q %v", a.status, a.raw, a.header)
	}
	s.Fail(RouteFoldersGrant, 1, Fault{Body: "{}"})
	if a := call(t, s, http.MethodPut, "/folders/"+w.folder+"/access/users/"+w.user, key(w.key), `{"access":"read"}`); a.status != 204 {
		t.Errorf("a grant's success status: %d", a.status)
	}
}

func TestFaultQueue(t *testing.T) {
	w := setup(t, Options{})
	s := w.s
	// "" is any route; faults hit in the order queued.
	s.Fail("", 1, Fault{Status: 500})
	s.Fail(RouteFoldersList, 1, Fault{Status: 503})
	call(t, s, http.MethodGet, "/users", key(w.key), nil).refused(t, "any route", 500, "internal", "")
	call(t, s, http.MethodGet, "/folders", key(w.key), nil).refused(t, "then its own", 503, "internal", "")
	// Every request until ClearFaults.
	s.Fail(RouteUsersList, -1, Fault{Status: 504})
	for range 3 {
		call(t, s, http.MethodGet, "/users", key(w.key), nil).refused(t, "always", 504, "internal", "Gateway Timeout")
	}
	s.ClearFaults()
	if a := call(t, s, http.MethodGet, "/users", key(w.key), nil); a.status != 200 {
		t.Errorf("after ClearFaults: %d", a.status)
	}
	// A fault comes before authentication, as a gateway's would.
	s.Fail(RouteUsersList, 1, Fault{Status: 503})
	call(t, s, http.MethodGet, "/users", noCred, nil).refused(t, "before auth", 503, "internal", "")
	// Unknown paths meet no fault.
	s.Fail("", 1, Fault{Status: 500})
	call(t, s, http.MethodGet, "/nothing", key(w.key), nil).refused(t, "unknown path", 404, "not_found", "")
	s.ClearFaults()

	defer func() {
		if r := recover(); r == nil || !strings.Contains(r.(string), `no route "upload_task"`) {
			t.Errorf("Fail took an unknown route: %v", r)
		}
	}()
	s.Fail("upload_task", 1, Fault{Status: 500})
}

// TestDrop loses the answers of calls that did their work: the client must recover.
func TestDrop(t *testing.T) {
	w := setup(t, Options{})
	s := w.s
	s.Fail(RouteUpload, 1, Fault{Drop: true})
	a := call(t, s, http.MethodPost, "/folders/"+w.folder+"/source-files", tok(w.token), multipartBody(t, file("files", "chair.glb", glb)))
	if a.status != -1 {
		t.Fatalf("a dropped upload answered %d %s", a.status, a.raw)
	}
	if ups := s.Uploads(); len(ups) != 1 || ups[0].Files[0] != "chair.glb" {
		t.Errorf("the dropped upload was not made: %+v", ups)
	}
	if l := call(t, s, http.MethodGet, "/folders/"+w.folder+"/assets", tok(w.token), nil).list(t); len(l) != 1 || l[0]["name"] != "chair" {
		t.Errorf("its assets: %v", l)
	}
	if got := s.Requests(RouteUpload); len(got) != 1 || got[0].Status != 0 || len(got[0].Files) != 1 {
		t.Errorf("recorded %+v", got)
	}

	s.Fail(RouteUsersRegister, 1, Fault{Drop: true})
	if a := call(t, s, http.MethodPost, "/users", key(w.key), `{"username":"lost"}`); a.status != -1 {
		t.Errorf("a dropped register answered %d", a.status)
	}
	call(t, s, http.MethodPost, "/users", key(w.key), `{"username":"lost"}`).refused(t, "again", 409, "conflict", "already registered")
}

func TestDelay(t *testing.T) {
	w := setup(t, Options{})
	s := w.s
	s.Fail(RouteFoldersList, 1, Fault{Delay: 50 * time.Millisecond})
	start := time.Now()
	if a := call(t, s, http.MethodGet, "/folders", key(w.key), nil); a.status != 200 || time.Since(start) < 50*time.Millisecond {
		t.Errorf("delayed: %d after %v", a.status, time.Since(start))
	}
	s.Fail(RouteUsersToken, 1, Fault{Delay: 20 * time.Millisecond, Status: 503})
	call(t, s, http.MethodPost, "/users/"+w.user+"/tokens", key(w.key), `{"scope":"read","ttl":"1h"}`).refused(t, "delay then 503", 503, "internal", "")

	// A client that gives up ends the wait.
	s.Fail(RouteFoldersGet, 1, Fault{Delay: time.Hour})
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Millisecond)
	defer cancel()
	start = time.Now()
	if a := callCtx(ctx, t, s, http.MethodGet, "/folders/"+w.folder, key(w.key), nil); a.status != -1 || time.Since(start) > 10*time.Second {
		t.Errorf("gave up: %d after %v", a.status, time.Since(start))
	}
	for deadline := time.Now().Add(5 * time.Second); ; time.Sleep(5 * time.Millisecond) {
		if got := s.Requests(RouteFoldersGet); len(got) == 1 {
			if got[0].Status != 0 {
				t.Errorf("recorded %+v", got[0])
			}
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("the abandoned request was never recorded")
		}
	}

	// Close ends a delayed answer.
	s.Fail(RouteFoldersList, 1, Fault{Delay: time.Hour})
	done := make(chan answer)
	go func() { done <- call(t, s, http.MethodGet, "/folders", key(w.key), nil) }()
	time.Sleep(100 * time.Millisecond) // the request reaches its delay
	closed := make(chan struct{})
	go func() {
		s.Close()
		close(closed)
	}()
	select {
	case <-closed:
	case <-time.After(10 * time.Second):
		t.Fatal("Close waited for the delayed answer")
	}
	<-done
}
