package fakehttp

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"
)

func get(t *testing.T, url string) (int, string) {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(body)
}

func answer(text string) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { _, _ = io.WriteString(w, text) })
}

func TestListen(t *testing.T) {
	srv, err := Listen("", answer("hi"))
	if err != nil {
		t.Fatal(err)
	}
	srv.Start()
	defer srv.Close()
	if host, _, _ := net.SplitHostPort(srv.Listener.Addr().String()); host != "127.0.0.1" {
		t.Errorf("listens on %s", srv.Listener.Addr())
	}
	if status, body := get(t, srv.URL); status != 200 || body != "hi" {
		t.Errorf("%d %q", status, body)
	}
	// The port is taken: the error names the address.
	if _, err := Listen(srv.Listener.Addr().String(), answer("")); err == nil || !strings.Contains(err.Error(), "listen on "+srv.Listener.Addr().String()) {
		t.Errorf("a taken port: %v", err)
	}
}

func TestPair(t *testing.T) {
	p, err := ListenPair("127.0.0.1:0", answer("api"), answer("storage"))
	if err != nil {
		t.Fatal(err)
	}
	p.Start()
	if p.APIOrigin() == p.StorageOrigin() || !strings.HasPrefix(p.StorageOrigin(), "http://127.0.0.1:") {
		t.Errorf("origins %s and %s", p.APIOrigin(), p.StorageOrigin())
	}
	if _, body := get(t, p.APIOrigin()+"/x"); body != "api" {
		t.Errorf("the API answered %q", body)
	}
	if _, body := get(t, p.StorageOrigin()+"/x"); body != "storage" {
		t.Errorf("the storage answered %q", body)
	}
	select {
	case <-p.Closing():
		t.Fatal("closing before Close")
	default:
	}
	p.Close()
	p.Close() // a second Close does nothing
	<-p.Closing()
	if _, err := http.Get(p.APIOrigin()); err == nil {
		t.Error("the API still answers after Close")
	}
}

func TestPairOnIPv6(t *testing.T) {
	l, err := net.Listen("tcp", "[::1]:0")
	if err != nil {
		// Containers are often run with IPv6 switched off; the IPv4 tests above cover the rest.
		t.Skipf("this machine has no IPv6 loopback (::1), which is the case this test is about: %v", err)
	}
	_ = l.Close()
	p, err := ListenPair("[::1]:0", answer(""), answer(""))
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	p.Start()
	if !strings.HasPrefix(p.StorageOrigin(), "http://[::1]:") {
		t.Errorf("the storage is on %s, not the API's host", p.StorageOrigin())
	}
}

func TestClock(t *testing.T) {
	var mu sync.Mutex
	base := time.Date(2025, 1, 2, 3, 4, 5, 0, time.UTC)
	c := NewClock(&mu, func() time.Time { return base })
	if !c.Now().Equal(base) {
		t.Errorf("now %v", c.Now())
	}
	c.Advance(time.Hour)
	c.Advance(time.Minute)
	mu.Lock()
	got := c.NowLocked()
	mu.Unlock()
	if want := base.Add(time.Hour + time.Minute); !got.Equal(want) || !c.Now().Equal(want) {
		t.Errorf("now %v, want %v", got, want)
	}
	if d := time.Since(NewClock(&mu, nil).Now()); d < 0 || d > time.Minute {
		t.Errorf("a nil base is %v from time.Now", d)
	}
}

type record struct {
	route string
	n     int
}

func TestRecorder(t *testing.T) {
	r := NewRecorder(func(rec record) string { return rec.route })
	if r.List() != nil {
		t.Error("an empty recorder lists something")
	}
	var wg sync.WaitGroup
	for i := range 20 {
		wg.Go(func() { r.Add(record{route: []string{"a", "b"}[i%2], n: i}) })
	}
	wg.Wait()
	if got := len(r.List()); got != 20 {
		t.Errorf("%d records", got)
	}
	if got := r.List("a"); len(got) != 10 || got[0].route != "a" {
		t.Errorf("route a: %v", got)
	}
	if got := r.List("a", "b"); len(got) != 20 {
		t.Errorf("routes a and b: %d", len(got))
	}
	if got := r.List("c"); got != nil {
		t.Errorf("route c: %v", got)
	}
	list := r.List()
	list[0].route = "changed"
	if r.List()[0].route == "changed" {
		t.Error("List shares the recorder's slice")
	}
}

func TestStatusWriter(t *testing.T) {
	rr := httptest.NewRecorder()
	sw := NewStatusWriter(rr)
	if sw.Status != 200 {
		t.Errorf("starts at %d", sw.Status)
	}
	_, _ = sw.Write([]byte("x"))
	if sw.Status != 200 {
		t.Errorf("a plain write: %d", sw.Status)
	}
	sw = NewStatusWriter(httptest.NewRecorder())
	sw.WriteHeader(http.StatusTeapot)
	if sw.Status != http.StatusTeapot {
		t.Errorf("status %d", sw.Status)
	}
	if err := http.NewResponseController(NewStatusWriter(rr)).Flush(); err != nil || !rr.Flushed {
		t.Errorf("flush through the wrapper: %v", err)
	}
}

func TestDiscard(t *testing.T) {
	w := Discard()
	w.Header().Set("X", "1")
	w.WriteHeader(500)
	if n, err := w.Write([]byte("abc")); n != 3 || err != nil {
		t.Errorf("write %d, %v", n, err)
	}
	if Discard().Header().Get("X") != "" {
		t.Error("two discards share their headers")
	}
}

func TestFaultQueue(t *testing.T) {
	var q FaultQueue[string]
	if _, ok := q.Take("a"); ok {
		t.Fatal("an empty queue has a fault")
	}
	q.Add("a", 0, "a once")
	q.Add("", 2, "any twice")
	q.Add("b", -1, "b always")
	take := func(route string) string {
		f, ok := q.Take(route)
		if !ok {
			return "none"
		}
		return f
	}
	for i, want := range []struct{ route, fault string }{
		{"b", "any twice"}, // the first that matches, in order
		{"a", "a once"},
		{"a", "any twice"},
		{"a", "none"},
		{"b", "b always"},
		{"b", "b always"},
		{"b", "b always"},
	} {
		if got := take(want.route); got != want.fault {
			t.Errorf("take %d (%s): %q, want %q", i, want.route, got, want.fault)
		}
	}
	q.Clear()
	if got := take("b"); got != "none" {
		t.Errorf("after Clear: %q", got)
	}
}

func TestDelay(t *testing.T) {
	r := httptest.NewRequest(http.MethodPost, "/", strings.NewReader("body"))
	if !Delay(r, time.Millisecond, 1<<20, nil) {
		t.Error("the delay did not pass")
	}
	if b, _ := io.ReadAll(r.Body); string(b) != "body" {
		t.Errorf("the body after the delay: %q", b)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if Delay(httptest.NewRequest(http.MethodGet, "/", nil).WithContext(ctx), time.Hour, 1<<20, nil) {
		t.Error("a client that gave up waited the whole delay")
	}
	closing := make(chan struct{})
	close(closing)
	if Delay(httptest.NewRequest(http.MethodGet, "/", nil), time.Hour, 1<<20, closing) {
		t.Error("closing did not end the delay")
	}
}

func TestStall(t *testing.T) {
	closing := make(chan struct{})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Length", "10")
		_, _ = io.WriteString(w, "head")
		Stall(w, r, closing)
	}))
	defer srv.Close()
	resp, err := http.Get(srv.URL)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	head := make([]byte, 4)
	if _, err := io.ReadFull(resp.Body, head); err != nil || string(head) != "head" {
		t.Fatalf("read %q, %v", head, err)
	}
	close(closing) // the handler returns; the body ends short
	if _, err := io.ReadAll(resp.Body); !errors.Is(err, io.ErrUnexpectedEOF) {
		t.Errorf("the rest: %v", err)
	}
}

func TestWriteFault(t *testing.T) {
	rr := httptest.NewRecorder()
	WriteFault(rr, 429, "30", "text/html", "<html>")
	if rr.Code != 429 || rr.Header().Get("Retry-After") != "30" || rr.Header().Get("Content-Type") != "text/html" || rr.Body.String() != "<html>" {
		t.Errorf("%d %v %q", rr.Code, rr.Header(), rr.Body)
	}
	rr = httptest.NewRecorder()
	WriteFault(rr, 200, "", "", "{cut")
	if _, ok := rr.Header()["Retry-After"]; ok || rr.Body.String() != "{cut" {
		t.Errorf("%v %q", rr.Header(), rr.Body)
	}
}

func TestSigner(t *testing.T) {
	s := NewSigner()
	sig := s.Sign("/path", "123")
	// The same HMAC the fakes computed before they shared it: the parts joined by newlines.
	mac := hmac.New(sha256.New, s.key)
	mac.Write([]byte("/path\n123"))
	if want := hex.EncodeToString(mac.Sum(nil)); sig != want {
		t.Errorf("signature %s, want %s", sig, want)
	}
	if !s.Verify(sig, "/path", "123") {
		t.Error("its own signature does not verify")
	}
	for _, parts := range [][]string{{"/path", "124"}, {"/other", "123"}, {"/path", "123", ""}, {"/path"}, {}} {
		if s.Verify(sig, parts...) {
			t.Errorf("verifies for %q", parts)
		}
	}
	if NewSigner().Sign("/path", "123") == sig {
		t.Error("two signers share a key")
	}
}

func TestExpiry(t *testing.T) {
	at := time.Unix(1700000000, 0)
	if Expires(at) != "1700000000" {
		t.Errorf("Expires %s", Expires(at))
	}
	if Expired("1700000000", at.Add(-time.Second)) || !Expired("1700000000", at) || !Expired("nonsense", at) {
		t.Error("wrong expiry")
	}
}

func TestWriteS3Error(t *testing.T) {
	rr := httptest.NewRecorder()
	WriteS3Error(rr, http.StatusForbidden, "AccessDenied", `<a & "b">`)
	want := "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Error><Code>AccessDenied</Code><Message>&lt;a &amp; &#34;b&#34;&gt;</Message></Error>\n"
	if rr.Code != 403 || rr.Header().Get("Content-Type") != "application/xml" || rr.Body.String() != want {
		t.Errorf("%d %s %q", rr.Code, rr.Header().Get("Content-Type"), rr.Body)
	}
}

func TestWriteObject(t *testing.T) {
	for _, method := range []string{http.MethodGet, http.MethodHead} {
		rr := httptest.NewRecorder()
		WriteObject(rr, httptest.NewRequest(method, "/", nil), "model/gltf-binary", []byte("glTF"))
		want := "glTF"
		if method == http.MethodHead {
			want = ""
		}
		if rr.Code != 200 || rr.Header().Get("Content-Length") != "4" || rr.Header().Get("Content-Type") != "model/gltf-binary" || rr.Body.String() != want {
			t.Errorf("%s: %d %v %q", method, rr.Code, rr.Header(), rr.Body)
		}
	}
}

func TestRandomHex(t *testing.T) {
	for _, n := range []int{0, 1, 7, 32} {
		h := RandomHex(n)
		if _, err := hex.DecodeString(h + strings.Repeat("0", n%2)); len(h) != n || err != nil {
			t.Errorf("RandomHex(%d) = %q", n, h)
		}
	}
	if a, b := RandomHex(32), RandomHex(32); a == b {
		t.Error("the same twice")
	}
}

type rec struct {
	route, fields string
	status        int
}

// router is a Router with one POST route, "make", whose fault (when set) answers 503, and which
// keeps what it recorded.
func router(fault bool) (*Router[rec], *[]rec) {
	var kept []rec
	return &Router[rec]{
		Find: func(name string) (Route[rec], bool) {
			if name != "make" {
				return Route[rec]{}, false
			}
			return Route[rec]{Method: http.MethodPost, Handle: func(w http.ResponseWriter, _ *http.Request, r *rec) {
				r.fields = "filled"
				w.WriteHeader(http.StatusCreated)
			}}, true
		},
		Refuse: func(w http.ResponseWriter, status int, msg string) { http.Error(w, "refused: "+msg, status) },
		Fault: func(w *StatusWriter, _ *http.Request, _ string, _ http.HandlerFunc) bool {
			if fault {
				w.WriteHeader(http.StatusServiceUnavailable)
			}
			return fault
		},
		Record: func(r *rec, status int) {
			r.status = status
			kept = append(kept, *r)
		},
	}, &kept
}

func TestRouter(t *testing.T) {
	for _, tc := range []struct {
		name, method string
		fault        bool
		status       int
		body, allow  string
		fields       string
	}{
		{"make", http.MethodPost, false, 201, "", "", "filled"},
		{"make", http.MethodGet, false, 405, "refused: Method not allowed\n", "POST", ""},
		{"make", http.MethodPost, true, 503, "", "", ""},
		{"nothing", http.MethodPost, true, 404, "refused: Not found\n", "", ""}, // no fault for an unknown route
	} {
		rt, kept := router(tc.fault)
		rr := httptest.NewRecorder()
		rt.Serve(rr, httptest.NewRequest(tc.method, "/"+tc.name, nil), tc.name, &rec{route: tc.name})
		if rr.Code != tc.status || rr.Body.String() != tc.body || rr.Header().Get("Allow") != tc.allow {
			t.Errorf("%s %s: %d %q, Allow %q", tc.method, tc.name, rr.Code, rr.Body, rr.Header().Get("Allow"))
		}
		if len(*kept) != 1 || (*kept)[0] != (rec{route: tc.name, fields: tc.fields, status: tc.status}) {
			t.Errorf("%s %s: recorded %+v", tc.method, tc.name, *kept)
		}
	}

	rt, kept := router(false)
	rr := httptest.NewRecorder()
	rt.Answer(rr, httptest.NewRequest(http.MethodGet, "/file", nil), "storage", &rec{route: "storage"},
		func(w http.ResponseWriter, _ *http.Request) { w.WriteHeader(http.StatusNotFound) })
	if rr.Code != 404 || len(*kept) != 1 || (*kept)[0].status != 404 {
		t.Errorf("Answer: %d, recorded %+v", rr.Code, *kept)
	}
}

type closer struct{ closed bool }

func (c *closer) Close() { c.closed = true }

func TestForTest(t *testing.T) {
	var c *closer
	t.Run("sub", func(t *testing.T) {
		c = ForTest(t, func() (*closer, error) { return &closer{}, nil })
		if c.closed {
			t.Error("closed at once")
		}
	})
	if !c.closed {
		t.Error("not closed when the test ended")
	}
}

// errorTB is a testing.TB that keeps what Error is told.
type errorTB struct {
	testing.TB
	errs []string
}

func (e *errorTB) Error(args ...any) {
	for _, a := range args {
		e.errs = append(e.errs, a.(string))
	}
}

func TestOutsideBasePath(t *testing.T) {
	r := httptest.NewRequest(http.MethodPost, "/rodin", nil)
	want := "fake: POST /rodin is outside the base path /api/v2: the client dropped the endpoint's path"
	if got := OutsideBasePath(nil, "fake", r, "/api/v2"); got != want {
		t.Errorf("%q", got)
	}
	tb := &errorTB{TB: t}
	if OutsideBasePath(tb, "fake", r, "/api/v2"); len(tb.errs) != 1 || tb.errs[0] != want {
		t.Errorf("the test was told %q", tb.errs)
	}
}

func TestDemoFlags(t *testing.T) {
	var errs bytes.Buffer
	fs, addr := DemoFlags("fakething", &errs)
	if *addr != "127.0.0.1:0" {
		t.Errorf("-addr defaults to %q", *addr)
	}
	if err := fs.Parse([]string{"-addr", "[::1]:8080"}); err != nil || *addr != "[::1]:8080" {
		t.Errorf("%v, %q", err, *addr)
	}
	if err := fs.Parse([]string{"-nope"}); err == nil || !strings.Contains(errs.String(), "flag provided but not defined") {
		t.Errorf("an unknown flag: %v, %s", err, errs.String())
	}
}

func TestCheckLoopback(t *testing.T) {
	for _, addr := range []string{"127.0.0.1:0", "[::1]:80", "localhost:8080", "LOCALHOST:1"} {
		var errs bytes.Buffer
		if !CheckLoopback(&errs, "fakething", addr) || errs.Len() != 0 {
			t.Errorf("%s refused: %s", addr, errs.String())
		}
	}
	for _, addr := range []string{"0.0.0.0:0", "192.0.2.1:80", "localhost", "a.localhost:80", ":8080"} {
		var errs bytes.Buffer
		if CheckLoopback(&errs, "fakething", addr) || errs.String() != "fakething: "+addr+" is not a loopback address (127.0.0.1:PORT, [::1]:PORT, localhost:PORT)\n" {
			t.Errorf("%s taken: %q", addr, errs.String())
		}
	}
}
