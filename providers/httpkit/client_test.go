package httpkit

import (
	"context"
	"errors"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
)

// dialLog is a transport that records every address it dials.
type dialLog struct {
	mu    sync.Mutex
	addrs []string
}

func (d *dialLog) client() *http.Client {
	t := &http.Transport{DialContext: func(ctx context.Context, network, addr string) (net.Conn, error) {
		d.mu.Lock()
		d.addrs = append(d.addrs, addr)
		d.mu.Unlock()
		return (&net.Dialer{}).DialContext(ctx, network, addr)
	}}
	return &http.Client{Transport: t}
}

func (d *dialLog) dialed(addr string) bool {
	d.mu.Lock()
	defer d.mu.Unlock()
	for _, a := range d.addrs {
		if a == addr {
			return true
		}
	}
	return false
}

func redirectTo(target string) *httptest.Server {
	return httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, target, http.StatusFound)
	}))
}

// TestRedirectToRemotePlainHTTP: a loopback endpoint may speak plain http, but a redirect from it
// to plain http on another computer is refused before anything is dialled.
func TestRedirectToRemotePlainHTTP(t *testing.T) {
	srv := redirectTo("http://203.0.113.5/model.glb")
	defer srv.Close()
	var log dialLog
	c := NewClient(log.client())
	resp, err := c.Get(srv.URL + "/model.glb")
	if err == nil {
		resp.Body.Close()
		t.Fatal("the redirect was followed")
	}
	var re *RedirectError
	if !errors.As(err, &re) || !strings.Contains(re.Reason, "plain http") {
		t.Errorf("got %v, want a RedirectError about plain http", err)
	}
	if log.dialed("203.0.113.5:80") {
		t.Error("the client connected to the remote plain-http address")
	}
}

// TestRedirectDowngrade: https never leads down to http, not even to this computer.
func TestRedirectDowngrade(t *testing.T) {
	plain := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		t.Error("the downgraded redirect reached the plain server")
	}))
	defer plain.Close()
	tlsSrv := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, plain.URL+"/x", http.StatusFound)
	}))
	defer tlsSrv.Close()
	resp, err := NewClient(tlsSrv.Client()).Get(tlsSrv.URL)
	if err == nil {
		resp.Body.Close()
		t.Fatal("followed https → http")
	}
	if !strings.Contains(err.Error(), "from https down to plain http") {
		t.Errorf("got %v", err)
	}
}

// TestCrossHostRedirectDropsCredentials: every credential header stays behind once a redirect
// leaves the first host (another port counts), and stays dropped when the chain comes back.
func TestCrossHostRedirectDropsCredentials(t *testing.T) {
	creds := []string{"Authorization", "Cookie", "X-API-Key", "Refresh-Token", "Proxy-Authorization"}
	var mu sync.Mutex
	seen := map[string][]string{} // path → credential headers received
	var first, other *httptest.Server
	record := func(r *http.Request) {
		mu.Lock()
		defer mu.Unlock()
		for _, h := range creds {
			if r.Header.Get(h) != "" {
				seen[r.URL.Path] = append(seen[r.URL.Path], h)
			}
		}
		seen[r.URL.Path] = append(seen[r.URL.Path], "visited")
	}
	first = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		record(r)
		switch r.URL.Path {
		case "/start":
			http.Redirect(w, r, "/same-host", http.StatusTemporaryRedirect)
		case "/same-host":
			http.Redirect(w, r, other.URL+"/other", http.StatusTemporaryRedirect)
		}
	}))
	defer first.Close()
	other = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		record(r)
		http.Redirect(w, r, first.URL+"/back", http.StatusTemporaryRedirect)
	}))
	defer other.Close()
	req, _ := http.NewRequest(http.MethodGet, first.URL+"/start", nil)
	for _, h := range creds {
		req.Header.Set(h, "secret-"+h)
	}
	resp, err := NewClient(nil, "X-API-Key", "refresh-token").Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	mu.Lock()
	defer mu.Unlock()
	if got := strings.Join(seen["/same-host"], ","); got != strings.Join(creds, ",")+",visited" {
		t.Errorf("the same host lost credentials: %s", got)
	}
	for _, path := range []string{"/other", "/back"} {
		if got := strings.Join(seen[path], ","); got != "visited" {
			t.Errorf("%s received %s", path, got)
		}
	}
}

func TestRedirectLimit(t *testing.T) {
	var srv *httptest.Server
	srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, srv.URL+r.URL.Path+"x", http.StatusFound)
	}))
	defer srv.Close()
	_, err := NewClient(nil).Get(srv.URL + "/")
	if err == nil || !strings.Contains(err.Error(), "stopped after 10 redirects") {
		t.Errorf("got %v", err)
	}
	s := Service{Name: "svc", Title: "Svc"}
	if err := s.NetworkError(context.Background(), "get", err); !strings.Contains(err.Error(), "refused a redirect") {
		t.Errorf("classified as %v", err)
	}
}

func TestRedirectWithPasswordRefused(t *testing.T) {
	srv := redirectTo("http://user:hunter2@127.0.0.1:1/")
	defer srv.Close()
	_, err := NewClient(nil).Get(srv.URL)
	if err == nil || !strings.Contains(err.Error(), "user name or password") {
		t.Errorf("got %v", err)
	}
}

// TestOwnCheckRedirectStillRuns: a caller's own policy runs after the rule.
func TestOwnCheckRedirectStillRuns(t *testing.T) {
	srv := redirectTo("/elsewhere")
	defer srv.Close()
	mine := errors.New("mine")
	c := NewClient(&http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return mine }})
	if _, err := c.Get(srv.URL); !errors.Is(err, mine) {
		t.Errorf("got %v", err)
	}
}
