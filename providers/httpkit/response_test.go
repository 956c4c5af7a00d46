package httpkit

import (
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/kiln3d/kiln/providers"
	"github.com/kiln3d/kiln/providers/providertest"
)

var svc = Service{Name: "svc", Title: "Svc"}

func answer(status int, header http.Header, body string) *http.Response {
	if header == nil {
		header = http.Header{}
	}
	return &http.Response{StatusCode: status, Header: header, Body: io.NopCloser(strings.NewReader(body))}
}

func TestCheckResponse(t *testing.T) {
	now := time.Date(2025, 1, 2, 3, 4, 5, 0, time.UTC)
	html := http.Header{"Content-Type": {"text/html"}}
	for _, c := range []struct {
		status int
		header http.Header
		body   string
		kind   error
		msg    string
		retry  time.Duration
	}{
		{200, nil, "", nil, "", 0},
		{400, nil, `{"message":"bad polycount"}`, providers.ErrInvalidInput, "bad polycount", 0},
		{401, nil, `{"error":"expired"}`, providers.ErrUnauthorized, "expired", 0},
		{402, nil, `{"message":"no credits"}`, providers.ErrOutOfCredits, "no credits", 0},
		{404, nil, "", providers.ErrNotFound, "Not Found", 0},
		{429, http.Header{"Retry-After": {"30"}}, `{"message":"slow down"}`, providers.ErrRateLimited, "slow down", 30 * time.Second},
		{429, http.Header{"Retry-After": {"Thu, 02 Jan 2025 03:05:05 GMT"}}, "<h1>Too Many</h1>", providers.ErrRateLimited, "too many requests: Too Many", time.Minute},
		{503, http.Header{"Retry-After": {"5"}}, "", providers.ErrServer, "Service Unavailable", 5 * time.Second},
		{500, http.Header{"Retry-After": {"5"}}, "{}", providers.ErrServer, "Internal Server Error", 0},
		{599, nil, "", providers.ErrServer, "Svc gave no reason", 0},
		{502, html, "<html><title>502 Bad Gateway</title><body>nginx</body></html>", providers.ErrServer,
			`Svc sent an answer that is not Svc's API (text/html): "502 Bad Gateway nginx"`, 0},
		{404, html, "<h1>Not Found</h1>", providers.ErrServer, `Svc sent an answer that is not Svc's API (text/html): "Not Found"`, 0},
		{302, nil, "", providers.ErrServer, "Found", 0},
		{400, nil, `{"message":"evil\n\u001b[31mred"}`, providers.ErrInvalidInput, `evil\n\x1b[31mred`, 0},
	} {
		err := svc.CheckResponse("op", answer(c.status, c.header, c.body), now)
		if c.kind == nil {
			if err != nil {
				t.Errorf("%d: %v", c.status, err)
			}
			continue
		}
		api := providertest.APIError(t, err)
		if !errors.Is(err, c.kind) || api.Message != c.msg || api.Status != c.status || api.Provider != "svc" || api.Op != "op" {
			t.Errorf("%d %q: got %#v, want %v %q", c.status, c.body, api, c.kind, c.msg)
		}
		if api.RetryAfter != c.retry {
			t.Errorf("%d: RetryAfter %v, want %v", c.status, api.RetryAfter, c.retry)
		}
	}
}

func TestCheckResponseRateLimit(t *testing.T) {
	h := http.Header{"X-Ratelimit-Limit": {"100"}, "X-Ratelimit-Remaining": {"0"}, "X-Ratelimit-Reset": {"42"}}
	api := providertest.APIError(t, svc.CheckResponse("op", answer(429, h, ""), time.Now()))
	if api.RateLimit == nil || *api.RateLimit != (providers.RateLimit{Limit: 100, Remaining: 0, Reset: 42 * time.Second}) {
		t.Errorf("rate limit %+v", api.RateLimit)
	}
	if api.RetryAfter != 42*time.Second {
		t.Errorf("a spent quota without Retry-After waits for its reset: %v", api.RetryAfter)
	}
}

func TestServiceMessageExtractor(t *testing.T) {
	s := Service{Name: "svc", Title: "Svc", Message: func(b []byte) (string, bool) {
		return "own: " + string(b), strings.HasPrefix(string(b), "E")
	}}
	if api := providertest.APIError(t, s.CheckResponse("op", answer(500, nil, "E42"), time.Now())); api.Message != "own: E42" {
		t.Errorf("got %q", api.Message)
	}
}

func TestDecode(t *testing.T) {
	ctx := context.Background()
	s := Service{Name: "svc", Title: "Svc", MaxAnswer: 16, Failed: func(b []byte) (string, bool) {
		return "failed inside", strings.Contains(string(b), `"error"`)
	}}
	var out struct{ A int }
	if err := s.Decode(ctx, "op", answer(200, nil, `{"A": 7}`), &out); err != nil || out.A != 7 {
		t.Fatalf("%v %+v", err, out)
	}
	for body, want := range map[string]string{
		`{"A": 1, "B": "a long answer"}`: "the answer is longer than 16 bytes",
		`{"A": `:                         "Svc sent broken JSON (unexpected end of JSON input)",
		`{"A": "x"}`:                     "Svc sent JSON of an unexpected shape",
		`{"s":"error"}`:                  "failed inside",
	} {
		err := s.Decode(ctx, "op", answer(200, nil, body), &out)
		if api := providertest.APIError(t, err); !errors.Is(err, providers.ErrServer) || !strings.Contains(api.Message, want) {
			t.Errorf("%s: got %v, want %q", body, err, want)
		}
	}
	if err := s.Decode(ctx, "op", answer(200, nil, "anything"), nil); err != nil {
		t.Errorf("nil out: %v", err)
	}
}

func TestNetworkError(t *testing.T) {
	closed := providertest.ClosedAddr(t)
	_, err := http.Get("http://" + closed + "/x?devID=dev-123&token=abc")
	got := svc.NetworkError(context.Background(), "op", err)
	api := providertest.APIError(t, got)
	if !errors.Is(got, providers.ErrNetwork) || !strings.Contains(api.Message, "connection refused") ||
		strings.Contains(got.Error(), "dev-123") || strings.Contains(got.Error(), "/x") {
		t.Errorf("refused: %v", got)
	}

	slow := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { <-r.Context().Done() }))
	defer slow.Close()
	_, err = (&http.Client{Timeout: 20 * time.Millisecond}).Get(slow.URL)
	if got := svc.NetworkError(context.Background(), "op", err); !errors.Is(got, providers.ErrNetwork) ||
		!strings.Contains(got.Error(), "no answer in time") {
		t.Errorf("timeout: %v", got)
	}

	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if got := svc.NetworkError(ctx, "op", err); !errors.Is(got, context.Canceled) || errors.Is(got, providers.ErrNetwork) {
		t.Errorf("a cancelled context must win: %v", got)
	}
	input := &providers.InputError{File: "a.png", Reason: "vanished"}
	if got := svc.NetworkError(context.Background(), "op", input); got != input { //nolint:errorlint // the very same error is the point
		t.Errorf("an input error is returned as it is: %v", got)
	}
}

func TestExcerpt(t *testing.T) {
	if got := Excerpt([]byte("<p>a\n\x1b[31m b</p>\t")); got != "a [31m b" {
		t.Errorf("%q", got)
	}
	if got := Excerpt([]byte(strings.Repeat("é", 300))); len([]rune(got)) != 121 || !strings.HasSuffix(got, "…") {
		t.Errorf("%q", got)
	}
}
