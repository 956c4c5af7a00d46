package kaedim

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/kiln3d/kiln/providers"
	"github.com/kiln3d/kiln/providers/httpkit"
)

// cannedAnswer is a transport that answers every API route with one status and body, and
// refreshJWT with a JWT, so that Kaedim's parsing sees exactly what the fuzzer made.
type cannedAnswer struct {
	status int
	body   []byte
}

func (c cannedAnswer) RoundTrip(r *http.Request) (*http.Response, error) {
	if r.Body != nil {
		_, _ = io.Copy(io.Discard, r.Body)
		_ = r.Body.Close()
	}
	status, body := c.status, c.body
	if strings.HasSuffix(r.URL.Path, "/refreshJWT") {
		status, body = http.StatusOK, []byte(`{"status":"success","jwt":"eyJfuzz.jwt.token"}`)
	}
	return &http.Response{StatusCode: status, Status: strconv.Itoa(status) + " " + http.StatusText(status),
		Header: http.Header{"Content-Type": {"application/json"}}, Body: io.NopCloser(bytes.NewReader(body)),
		ContentLength: int64(len(body)), Request: r}, nil
}

// FuzzResponse feeds arbitrary statuses and bodies through Kaedim's answer parsing (fetchRequest,
// fetchAll, fetchProjects, refusals): nothing panics, and every error is a *providers.APIError
// of Kaedim with a message, printable as it is.
func FuzzResponse(f *testing.F) {
	for _, seed := range []struct {
		route  uint8
		status int
		body   string
	}{
		{0, 200, `{"requestID":"81a","createdAt":"2023-05-01T10:00:00.000Z","image":["https://s/a.png"],"image_tags":[],` +
			`"iterations":[{"createdAt":"2023-05-01T10:00:00.000Z","iterationID":"0","results":{"glb":"https://s/m.glb"},` +
			`"status":"completed","userID":"u","email":"e","loq":"standard","dismissedReason":null,"editDescription":null,"texturingMethod":null}]}`},
		{0, 200, `{"requestID":"81a","iterations":[{"status":"dismissed","dismissedReason":"Too complex"}]}`},
		{0, 200, `{"status":"success","request":{}}`},
		{1, 200, `{"assets":[{"requestID":"81a","createdAt":"1700000000000","image":["https://s/a.png"],"polycount":"20000","iterations":[]}]}`},
		{1, 200, `{"assets":[{"requestID":7,"polycount":20000,"image":[1]}]}`},
		{2, 200, `{"status":"success","message":[{"projectID":"p1","name":"Sandbox","studioID":null}]}`},
		{2, 200, `{"status":"success","message":"Sandbox"}`},
		{0, 200, `{"status":"error","message":"Something broke"}`},
		{0, 400, `{"status":"error","message":"Request failed due to missing images","cause":{"code":3}}`},
		{0, 401, `{"status":"error","message":"Invalid token"}`},
		{1, 429, `Too many requests`},
		{2, 502, `<html><head><title>502 Bad Gateway</title></head><body>nginx</body></html>`},
		{0, 404, ``},
		{1, 200, `{"assets":[{"requestID":"x","iterations":[{"results":{"glb":5}}]}`},
		{0, 200, "{\"requestID\":\"\\u001b[31m\\n\",\"iterations\":[{\"status\":\"\\u202e\"}]}"},
	} {
		f.Add(seed.route, seed.status, []byte(seed.body))
	}
	f.Fuzz(func(t *testing.T, route uint8, status int, body []byte) {
		status = 100 + (status%500+500)%500
		secrets := NewMemorySecrets(Credentials{DevID: "dev-fuzz", APIKey: "key-fuzz", RefreshToken: "rt-fuzz"})
		_ = secrets.SaveJWT(context.Background(), "eyJfuzz.jwt.token", time.Now().Add(time.Hour))
		p, err := New(Config{Endpoint: "https://kaedim.invalid", Secrets: secrets,
			Config: httpkit.Config{HTTP: &http.Client{Transport: cannedAnswer{status: status, body: body}}}})
		if err != nil {
			t.Fatal(err)
		}
		ctx := context.Background()
		creds, _ := loadCredentials(ctx, secrets)
		switch route % 3 {
		case 0:
			a, err := p.main.fetchRequest(ctx, creds, "81a", "")
			check(t, err)
			if err == nil {
				_, _ = a.Latest()
				_, _ = a.Finished()
				if _, err := glbLink("op", a); err != nil {
					check(t, err)
				}
			}
		case 1:
			_, err := p.ListRemote(ctx, time.Time{}, time.Time{})
			check(t, err)
		case 2:
			_, err := p.Projects(ctx)
			check(t, err)
		}
	})
}

func check(t *testing.T, err error) {
	t.Helper()
	if err == nil {
		return
	}
	var api *providers.APIError
	if !errors.As(err, &api) {
		t.Fatalf("%v (%T) is not a *providers.APIError", err, err)
	}
	if api.Provider != Name || strings.TrimSpace(api.Message) == "" || api.Kind == nil {
		t.Fatalf("an error without a message or kind: %#v", api)
	}
	if text := err.Error(); providers.Printable(text) != text {
		t.Fatalf("the error's text holds what a terminal would act on: %q", text)
	}
}
