package kaedim

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/kiln3d/kiln/providers"
	"github.com/kiln3d/kiln/providers/kaedim/kaedimtest"
	"github.com/kiln3d/kiln/providers/providertest"
)

// TestDocumentedStatuses: every documented status becomes its kind, with Kaedim's message.
func TestDocumentedStatuses(t *testing.T) {
	for _, c := range []struct {
		status       int
		message      string
		cause        string
		kind         error
		wantMessage  string
		wantRetryFor time.Duration
	}{
		{400, "Request failed due to missing images, please check your payload and headers and try again", "", providers.ErrInvalidInput, "", 0},
		{400, "Asset creation failed", "The request was too complex", providers.ErrInvalidInput, "Asset creation failed: The request was too complex", 0},
		{404, "User does not exist", "", providers.ErrNotFound, "", 0},
		{406, "Invalid level of quality inputed", "", providers.ErrInvalidInput, "", 0},
		{429, "Too many requests", "", providers.ErrRateLimited, "", 30 * time.Second},
		{500, "Internal server error", "", providers.ErrServer, "", 0},
		// A 503's Retry-After says when Kaedim will be back (RFC 9110).
		{503, "Service unavailable", "", providers.ErrServer, "", 30 * time.Second},
	} {
		h := setup(t, nil)
		h.fake.Inject(kaedimtest.Fault{Route: "process", Status: c.status, Message: c.message, Cause: c.cause, RetryAfter: "30"})
		_, err := h.p.Submit(context.Background(), h.request())
		api := providertest.APIError(t, err)
		want := c.wantMessage
		if want == "" {
			want = c.message
		}
		if !errors.Is(err, c.kind) || api.Status != c.status || api.Message != want || api.Provider != Name || api.Op != "process" {
			t.Errorf("%d: got %#v (%v), want kind %v and message %q", c.status, api, err, c.kind, want)
		}
		if api.RetryAfter != c.wantRetryFor {
			t.Errorf("%d: RetryAfter %v, want %v", c.status, api.RetryAfter, c.wantRetryFor)
		}
		// Submit is not retried: Kaedim may have taken the work.
		if n := h.fake.Count("process"); n != 1 {
			t.Errorf("%d: %d /process requests, want 1", c.status, n)
		}
	}
}

// TestBadLoQ: the fake's own 406 for a level of quality it does not know, sent past the client's
// checks by an injected transport.
func TestBadLoQ(t *testing.T) {
	h := setup(t, nil, func(c *Config) {
		c.HTTP = &http.Client{Transport: rewriteForm{"LoQ", "extreme"}}
	})
	_, err := h.p.Submit(context.Background(), h.request())
	if api := providertest.APIError(t, err); !errors.Is(err, providers.ErrInvalidInput) || api.Status != 406 || api.Message != "Invalid level of quality inputed" {
		t.Errorf("got %v, want the documented 406", err)
	}
}

// TestNotTheAPI: answers that are not Kaedim's JSON are ErrServer with an excerpt.
func TestNotTheAPI(t *testing.T) {
	for name, c := range map[string]struct {
		fault kaedimtest.Fault
		want  string
	}{
		"proxy page": {kaedimtest.Fault{Status: 502, ContentType: "text/html",
			Body: "<html><head><title>502 Bad Gateway</title></head><body><h1>502 Bad Gateway</h1><hr>nginx</body></html>"},
			`Kaedim sent an answer that is not Kaedim's API (text/html): "502 Bad Gateway 502 Bad Gateway nginx"`},
		"cut-off success": {kaedimtest.Fault{Status: 200, Body: `{"status":"success","message":[{"projectID":"p1","na`},
			"Kaedim sent broken JSON (unexpected end of JSON input)"},
		"wrong shape": {kaedimtest.Fault{Status: 200, Body: `{"status":"success","message":"Sandbox"}`},
			"Kaedim sent JSON of an unexpected shape"},
		"error in a success": {kaedimtest.Fault{Status: 200, Body: `{"status":"error","message":"Something broke"}`},
			"Something broke"},
		"html 404": {kaedimtest.Fault{Status: 404, ContentType: "text/html", Body: "<h1>Not Found</h1>"},
			`Kaedim sent an answer that is not Kaedim's API (text/html): "Not Found"`},
	} {
		h := setup(t, nil)
		if _, err := h.p.Projects(context.Background()); err != nil { // the JWT first, so the fault hits the call
			t.Fatal(err)
		}
		c.fault.Route = "fetchProjects"
		h.fake.Inject(c.fault)
		_, err := h.p.Projects(context.Background())
		api := providertest.APIError(t, err)
		if !errors.Is(err, providers.ErrServer) || !strings.Contains(api.Message, c.want) {
			t.Errorf("%s: got %v, want ErrServer saying %q", name, err, c.want)
		}
	}
}

func TestNetworkFailure(t *testing.T) {
	addr := providertest.ClosedAddr(t)
	h := setup(t, nil)
	if err := h.p.SetEndpoint("http://" + addr); err != nil {
		t.Fatal(err)
	}
	_, err := h.p.Projects(context.Background())
	if api := providertest.APIError(t, err); !errors.Is(err, providers.ErrNetwork) || !strings.Contains(api.Message, "connection refused") {
		t.Errorf("got %v, want ErrNetwork", err)
	}
}

func TestSlowAnswerIsCancelled(t *testing.T) {
	h := setup(t, nil)
	h.fake.Inject(kaedimtest.Fault{Route: "refreshJWT", Latency: time.Minute})
	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	start := time.Now()
	_, err := h.p.Projects(ctx)
	if !errors.Is(err, context.DeadlineExceeded) || time.Since(start) > 2*time.Second {
		t.Errorf("got %v after %v, want the deadline promptly", err, time.Since(start))
	}
}
