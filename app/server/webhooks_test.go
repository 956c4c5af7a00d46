package server

import (
	"context"
	"crypto/hmac"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/kiln3d/kiln/providers/jobsapi"
	"github.com/kiln3d/kiln/providers/providertest"
)

// hookReceiver records webhooks, failing the first fail of them with a 500.
type hookReceiver struct {
	*httptest.Server
	mu    sync.Mutex
	fail  int
	tries int
	got   []receivedHook
}

type receivedHook struct {
	header http.Header
	body   []byte
}

func newHookReceiver(t *testing.T, fail int) *hookReceiver {
	h := &hookReceiver{fail: fail}
	h.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		h.mu.Lock()
		defer h.mu.Unlock()
		h.tries++
		if h.tries <= h.fail {
			http.Error(w, "not now", http.StatusInternalServerError)
			return
		}
		h.got = append(h.got, receivedHook{r.Header.Clone(), body})
	}))
	t.Cleanup(h.Close)
	return h
}

func (h *hookReceiver) received() []receivedHook {
	h.mu.Lock()
	defer h.mu.Unlock()
	return append([]receivedHook(nil), h.got...)
}

// verify checks a webhook's kiln-signature with secret, as a receiver would.
func verify(t *testing.T, secret string, h receivedHook) {
	t.Helper()
	sig := h.header.Get("kiln-signature")
	ts, v1, ok := strings.Cut(strings.TrimPrefix(sig, "t="), ",v1=")
	sec, err := strconv.ParseInt(ts, 10, 64)
	if !ok || err != nil || time.Since(time.Unix(sec, 0)) > time.Minute {
		t.Fatalf("kiln-signature %q", sig)
	}
	want := Sign(secret, time.Unix(sec, 0), h.body)
	if !hmac.Equal([]byte(sig), []byte(want)) || len(v1) != 64 {
		t.Fatalf("the signature does not match the body: %q", sig)
	}
	if Sign("whsec_another", time.Unix(sec, 0), h.body) == sig {
		t.Fatal("another secret makes the same signature")
	}
}

func TestWebhookDeliveredSignedAndRetried(t *testing.T) {
	e := newTestEnv(t, Options{WebhookBackoff: 10 * time.Millisecond})
	recv := newHookReceiver(t, 2)
	made, err := e.s.Keys.Create(context.Background(), "shop", []Scope{ScopeJobsRead, ScopeJobsWrite})
	if err != nil {
		t.Fatal(err)
	}
	j := e.submit(made.Secret, form{images: []string{e.image("a.png")}, fields: [][2]string{{"polycount", "500"}, {"webhookUrl", recv.URL + "/kiln"}}})
	waitFor(t, func() bool { return len(recv.received()) == 1 })
	h := recv.received()[0]
	verify(t, made.WebhookSecret, h)
	var body WebhookBody
	if err := json.Unmarshal(h.body, &body); err != nil {
		t.Fatal(err)
	}
	if body.Event != "job.done" || body.Job.ID != j.ID || body.Job.Status != jobsapi.StatusDone || len(body.Job.Files) == 0 ||
		!strings.HasPrefix(body.Job.Files[0].URL, e.ts.URL+"/api/v1/jobs/"+j.ID+"/files/") {
		t.Fatalf("webhook body: %s", h.body)
	}
	if h.header.Get("kiln-event") != "job.done" || h.header.Get("kiln-delivery") == "" || h.header.Get("Content-Type") != "application/json" {
		t.Errorf("webhook headers: %v", h.header)
	}
	recv.mu.Lock()
	tries := recv.tries
	recv.mu.Unlock()
	if tries != 3 {
		t.Errorf("%d tries for a hook refused twice", tries)
	}
	time.Sleep(100 * time.Millisecond)
	if n := len(recv.received()); n != 1 {
		t.Errorf("delivered %d times", n)
	}
}

func TestWebhookOnFailureGivesUp(t *testing.T) {
	e := newTestEnv(t, Options{WebhookBackoff: 5 * time.Millisecond, WebhookAttempts: 3}, func(f *providertest.Fake) { f.Garbage = true })
	recv := newHookReceiver(t, 1000)
	key := e.key(ScopeJobsRead, ScopeJobsWrite)
	j := e.submit(key, form{images: []string{e.image("a.png")}, fields: [][2]string{{"provider", "fake"}, {"webhookUrl", recv.URL}}})
	if got := e.wait(key, j.ID); got.Status != jobsapi.StatusFailed {
		t.Fatalf("job: %+v", got)
	}
	waitFor(t, func() bool {
		var state string
		var attempts int
		err := e.s.db.QueryRow(`SELECT state, attempts FROM api_webhooks WHERE job_id = ?`, j.ID).Scan(&state, &attempts)
		return err == nil && state == hookFailed && attempts == 3
	})
	recv.mu.Lock()
	defer recv.mu.Unlock()
	if recv.tries != 3 {
		t.Errorf("%d tries, want 3", recv.tries)
	}
}

// TestWebhookAfterRestart: a webhook still due when the server stopped is delivered by the next.
func TestWebhookAfterRestart(t *testing.T) {
	home := t.TempDir()
	recv := newHookReceiver(t, 1)
	e := startTestEnv(t, home, Options{WebhookBackoff: time.Hour})
	key := e.key(ScopeJobsRead, ScopeJobsWrite)
	j := e.submit(key, form{images: []string{e.image("a.png")}, fields: [][2]string{{"polycount", "500"}, {"webhookUrl", recv.URL}}})
	e.wait(key, j.ID)
	waitFor(t, func() bool { recv.mu.Lock(); defer recv.mu.Unlock(); return recv.tries == 1 })
	e.stop()
	// The next try was due in an hour; a server started then makes it.
	if _, err := e.s.db.Exec(`SELECT 1`); err == nil {
		t.Fatal("the stopped server's database is still open")
	}
	e2 := startTestEnv(t, home, Options{})
	if _, err := e2.s.db.Exec(`UPDATE api_webhooks SET next = 0`); err != nil {
		t.Fatal(err)
	}
	select {
	case e2.s.hooks.wake <- struct{}{}:
	default: // already woken
	}
	waitFor(t, func() bool { return len(recv.received()) == 1 })
	var body WebhookBody
	if err := json.Unmarshal(recv.received()[0].body, &body); err != nil || body.Job.ID != j.ID {
		t.Fatalf("after the restart: %s %v", recv.received()[0].body, err)
	}
}

// TestWebhookAddressCheckedAgain: an address tampered with in the database is refused when the
// webhook is sent, not only when the job was submitted.
func TestWebhookAddressCheckedAgain(t *testing.T) {
	e := newTestEnv(t, Options{WebhookBackoff: 5 * time.Millisecond, WebhookAttempts: 2}, func(f *providertest.Fake) { f.Gate = make(chan struct{}) })
	recv := newHookReceiver(t, 0)
	key := e.key(ScopeJobsRead, ScopeJobsWrite)
	j := e.submit(key, form{images: []string{e.image("a.png")}, fields: [][2]string{{"provider", "fake"}, {"webhookUrl", recv.URL}}})
	if _, err := e.s.db.Exec(`UPDATE api_jobs SET webhook = 'http://169.254.169.254/latest' WHERE job_id = ?`, j.ID); err != nil {
		t.Fatal(err)
	}
	close(e.fake.Gate)
	e.wait(key, j.ID)
	waitFor(t, func() bool {
		var state, last string
		err := e.s.db.QueryRow(`SELECT state, last_error FROM api_webhooks WHERE job_id = ?`, j.ID).Scan(&state, &last)
		return err == nil && state == hookFailed && strings.Contains(last, "loopback")
	})
	if n := len(recv.received()); n != 0 {
		t.Errorf("%d deliveries", n)
	}
}
