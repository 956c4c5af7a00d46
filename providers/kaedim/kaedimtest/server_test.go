package kaedimtest

import (
	"bytes"
	"encoding/json"
	"image"
	"image/png"
	"io"
	"mime/multipart"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"
)

// client speaks to a fake over raw HTTP, the way the documentation's samples do.
type client struct {
	t   *testing.T
	s   *Server
	jwt string
}

func (c *client) send(method, route string, query url.Values, header http.Header, body io.Reader, ct string) (int, http.Header, map[string]any) {
	c.t.Helper()
	u := c.s.URL + "/api/v1/" + route
	if query != nil {
		u += "?" + query.Encode()
	}
	req, err := http.NewRequest(method, u, body)
	if err != nil {
		c.t.Fatal(err)
	}
	if ct != "" {
		req.Header.Set("Content-Type", ct)
	}
	req.Header.Set("X-API-Key", c.s.Account.APIKey)
	for k, v := range header {
		req.Header[http.CanonicalHeaderKey(k)] = v
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		c.t.Fatal(err)
	}
	defer resp.Body.Close()
	var out map[string]any
	data, _ := io.ReadAll(resp.Body)
	_ = json.Unmarshal(data, &out)
	return resp.StatusCode, resp.Header, out
}

func (c *client) postJSON(route string, header http.Header, v any) (int, map[string]any) {
	c.t.Helper()
	data, _ := json.Marshal(v)
	status, _, out := c.send(http.MethodPost, route, nil, header, bytes.NewReader(data), "application/json")
	return status, out
}

func (c *client) refresh() string {
	c.t.Helper()
	status, out := c.postJSON("refreshJWT", http.Header{"refresh-token": {c.s.Account.RefreshToken}}, map[string]string{"devID": c.s.Account.DevID})
	if status != http.StatusOK || out["jwt"] == "" {
		c.t.Fatalf("refreshJWT: %d %v", status, out)
	}
	c.jwt = out["jwt"].(string)
	return c.jwt
}

func (c *client) get(route string, q url.Values, auth string) (int, map[string]any) {
	c.t.Helper()
	if q == nil {
		q = url.Values{}
	}
	if q.Get("devID") == "" {
		q.Set("devID", c.s.Account.DevID)
	}
	status, _, out := c.send(http.MethodGet, route, q, http.Header{"Authorization": {auth}}, nil, "")
	return status, out
}

// process posts a multipart form with the fields and n PNGs in image-0, image-1, ...
func (c *client) process(fields map[string]string, n int) (int, map[string]any) {
	c.t.Helper()
	var b bytes.Buffer
	mw := multipart.NewWriter(&b)
	for k, v := range fields {
		_ = mw.WriteField(k, v)
	}
	for i := range n {
		w, _ := mw.CreateFormFile("image-"+string(rune('0'+i)), "img.png")
		_ = png.Encode(w, image.NewGray(image.Rect(0, 0, 4, 4)))
	}
	mw.Close()
	status, _, out := c.send(http.MethodPost, "process", nil, http.Header{"Authorization": {c.jwt}}, &b, mw.FormDataContentType())
	return status, out
}

func newClient(t *testing.T, o Options) *client {
	s := NewWith(t, o)
	return &client{t: t, s: s}
}

func TestAuthorizationForms(t *testing.T) {
	c := newClient(t, Options{BasePath: "/base"})
	jwt := c.refresh()
	for _, auth := range []string{jwt, "Bearer " + jwt, "bearer " + jwt} {
		if status, out := c.get("fetchProjects", nil, auth); status != 200 || out["status"] != "success" {
			t.Errorf("Authorization %.10q...: %d %v", auth, status, out)
		}
	}
	for auth, want := range map[string]string{"": msgNoJWT, "Bearer nope": msgBadJWT} {
		if status, out := c.get("fetchProjects", nil, auth); status != 401 || out["message"] != want {
			t.Errorf("Authorization %q: %d %v", auth, status, out)
		}
	}
	// A refresh invalidates the previous JWT.
	next := c.refresh()
	if status, _ := c.get("fetchProjects", nil, jwt); status != 401 {
		t.Errorf("the replaced JWT still works: %d", status)
	}
	if status, _ := c.get("fetchProjects", nil, next); status != 200 {
		t.Errorf("the new JWT: %d", status)
	}
	// JWTs expire.
	c.s.Advance(12 * time.Hour)
	if status, out := c.get("fetchProjects", nil, next); status != 401 || out["message"] != msgExpiredJWT {
		t.Errorf("a 12-hour-old JWT: %d %v", status, out)
	}
}

func TestRefusals(t *testing.T) {
	c := newClient(t, Options{})
	jwt := c.refresh()
	if status, out := c.get("fetchProjects", url.Values{"devID": {"nobody"}}, jwt); status != 404 || out["message"] != msgNoUser {
		t.Errorf("unknown devID: %d %v", status, out)
	}
	_, _, out := c.send(http.MethodGet, "fetchProjects", url.Values{"devID": {c.s.Account.DevID}},
		http.Header{"X-API-Key": {"wrong"}, "Authorization": {jwt}}, nil, "")
	if out["message"] != msgBadKey {
		t.Errorf("wrong key: %v", out)
	}
	if status, out := c.postJSON("refreshJWT", http.Header{"refresh-token": {"wrong"}}, map[string]string{"devID": c.s.Account.DevID}); status != 400 || out["message"] != msgBadRefresh {
		t.Errorf("wrong refresh token: %d %v", status, out)
	}
	if status, _, out := c.send(http.MethodGet, "fetchAll", url.Values{}, http.Header{"Authorization": {jwt}}, nil, ""); status != 400 || out["message"] != msgNoDevID {
		t.Errorf("no devID: %d %v", status, out)
	}
	if status, _, _ := c.send(http.MethodGet, "process", nil, nil, nil, ""); status != 405 {
		t.Errorf("GET /process: %d", status)
	}
	if status, _, _ := c.send(http.MethodGet, "nothing", nil, nil, nil, ""); status != 404 {
		t.Errorf("unknown route: %d", status)
	}
}

func TestRegisterHook(t *testing.T) {
	c := newClient(t, Options{})
	body := map[string]string{"devID": c.s.Account.DevID, "destination": "https://example.com/hook"}
	status, first := c.postJSON("registerHook", nil, body)
	if status != 201 || first["message"] != "Webhook registered" || first["refreshToken"] != c.s.Account.RefreshToken || first["jwt"] == nil {
		t.Errorf("first registration: %d %v", status, first)
	}
	status, second := c.postJSON("registerHook", nil, body)
	if status != 201 || second["message"] != "Webhook already registered" || second["refreshToken"] != nil || second["jwt"] == first["jwt"] {
		t.Errorf("second registration: %d %v", status, second)
	}
	if status, _ := c.get("fetchProjects", nil, first["jwt"].(string)); status != 401 {
		t.Errorf("the first registration's JWT survived the second: %d", status)
	}
	if status, _ := c.postJSON("registerHook", nil, map[string]string{"devID": c.s.Account.DevID, "destination": "not a url"}); status != 400 {
		t.Errorf("bad destination: %d", status)
	}
}

func TestProcess(t *testing.T) {
	c := newClient(t, Options{Projects: []Project{{ID: "p1", Name: "Sandbox"}}})
	c.refresh()
	dev := c.s.Account.DevID
	for name, tc := range map[string]struct {
		fields map[string]string
		images int
		status int
		says   string
	}{
		"minimal":      {map[string]string{"devID": dev}, 1, 201, msgSent},
		"everything":   {map[string]string{"devID": dev, "LoQ": "ultra", "polycount": "500", "test": "true", "projectID": "p1", "height": "2.5"}, 6, 201, msgSent},
		"urls":         {map[string]string{"devID": dev, "imageUrls": `["https://example.com/a.png","https://example.com/b.png"]`}, 0, 201, msgSent},
		"bad LoQ":      {map[string]string{"devID": dev, "LoQ": "extreme"}, 1, 406, msgBadLoQ},
		"no images":    {map[string]string{"devID": dev}, 0, 400, "missing images"},
		"7 images":     {map[string]string{"devID": dev}, 7, 400, "7 images (at most 6)"},
		"polycount":    {map[string]string{"devID": dev, "polycount": "499"}, 1, 400, "polycount"},
		"project":      {map[string]string{"devID": dev, "projectID": "p9"}, 1, 400, "unknown projectID"},
		"test":         {map[string]string{"devID": dev, "test": "maybe"}, 1, 400, "test being"},
		"studio":       {map[string]string{"devID": dev, "studioID": "other"}, 1, 400, "unknown studioID"},
		"unknown user": {map[string]string{"devID": "nobody"}, 1, 404, msgNoUser},
	} {
		status, out := c.process(tc.fields, tc.images)
		msg, _ := out["message"].(string)
		if status != tc.status || !strings.Contains(msg, tc.says) {
			t.Errorf("%s: %d %v, want %d saying %q", name, status, out, tc.status, tc.says)
		}
		if status == 201 && (out["requestID"] == "" || out["devID"] != dev) {
			t.Errorf("%s: %v", name, out)
		}
	}
	// The documentation's sample: JSON under a multipart Content-Type.
	data, _ := json.Marshal(map[string]any{"devID": dev, "LoQ": "standard", "imageUrls": []string{"https://example.com/1.png"}, "polycount": 20000, "height": 250, "test": true})
	status, _, out := c.send(http.MethodPost, "process", nil, http.Header{"Authorization": {c.jwt}}, bytes.NewReader(data), "multipart/form-data")
	if status != 201 {
		t.Errorf("the documentation's JSON sample: %d %v", status, out)
	}
	rec := c.s.Received("process")
	if last := rec[len(rec)-1]; last.Fields.Get("polycount") != "20000" || last.Fields.Get("height") != "250" || last.Fields.Get("test") != "true" {
		t.Errorf("JSON fields recorded as %v", last.Fields)
	}
}

func TestStatusWalkAndLinks(t *testing.T) {
	c := newClient(t, Options{Generation: 30 * time.Minute, LinkLifetime: time.Hour})
	c.refresh()
	_, out := c.process(map[string]string{"devID": c.s.Account.DevID}, 1)
	id := out["requestID"].(string)
	fetch := func() map[string]any {
		status, out := c.get("fetchRequest", url.Values{"requestID": {id}}, c.jwt)
		if status != 200 {
			t.Fatalf("fetchRequest: %d %v", status, out)
		}
		return out["iterations"].([]any)[0].(map[string]any)
	}
	for _, step := range []struct {
		after  time.Duration
		status string
	}{{0, "new"}, {10 * time.Minute, InProgress}, {20 * time.Minute, "completed"}} {
		c.s.Advance(step.after)
		it := fetch()
		if it["status"] != step.status {
			t.Errorf("after %v: %v, want %s", step.after, it["status"], step.status)
		}
		if (it["results"] != nil) != (step.status == "completed") {
			t.Errorf("%s: results %v", step.status, it["results"])
		}
	}
	glb := fetch()["results"].(map[string]any)["glb"].(string)
	get := func(link string) (int, []byte) {
		resp, err := http.Get(link)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		data, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, data
	}
	if status, data := get(glb); status != 200 || !bytes.HasPrefix(data, []byte("glTF")) {
		t.Errorf("fresh link: %d %.20q", status, data)
	}
	if status, data := get(strings.Replace(glb, "Signature=", "Signature=0", 1)); status != 403 || !bytes.Contains(data, []byte("SignatureDoesNotMatch")) {
		t.Errorf("tampered link: %d %s", status, data)
	}
	c.s.Advance(61 * time.Minute)
	c.refresh()
	if status, data := get(glb); status != 403 || !bytes.Contains(data, []byte("Request has expired")) {
		t.Errorf("expired link: %d %s", status, data)
	}
	if status, _ := get(fetch()["results"].(map[string]any)["glb"].(string)); status != 200 {
		t.Errorf("refetched link: %d", status)
	}
	if err := c.s.Dismiss(id, "Too complex"); err != nil {
		t.Fatal(err)
	}
	if it := fetch(); it["status"] != "dismissed" || it["dismissedReason"] != "Too complex" {
		t.Errorf("dismissed: %v", it)
	}
	if err := c.s.Dismiss("nope", ""); err == nil {
		t.Error("dismissed a request that does not exist")
	}
}

func TestFetchAllDates(t *testing.T) {
	c := newClient(t, Options{Now: func() time.Time { return time.Date(2024, 2, 1, 10, 0, 0, 0, time.UTC) }})
	c.refresh()
	c.process(map[string]string{"devID": c.s.Account.DevID, "polycount": "12000"}, 1)
	c.s.Advance(3 * 24 * time.Hour)
	c.refresh()
	c.process(map[string]string{"devID": c.s.Account.DevID}, 1)
	for q, want := range map[string]int{
		"":                                2,
		"start=02-01-2024&end=02-01-2024": 1,
		"start=2024-02-01&end=2024-02-02": 1,
		"start=02-03-2024":                1,
		"end=01-31-2024":                  0,
	} {
		query, _ := url.ParseQuery(q)
		status, out := c.get("fetchAll", query, c.jwt)
		if status != 200 || len(out["assets"].([]any)) != want {
			t.Errorf("%q: %d, %v; want %d assets", q, status, out, want)
		}
	}
	_, out := c.get("fetchAll", url.Values{"start": {"02-01-2024"}, "end": {"02-01-2024"}}, c.jwt)
	if p := out["assets"].([]any)[0].(map[string]any)["polycount"]; p != "12000" {
		t.Errorf("polycount %#v, want the string \"12000\"", p)
	}
	if status, _ := c.get("fetchAll", url.Values{"start": {"1st of May"}}, c.jwt); status != 400 {
		t.Errorf("unreadable date: %d", status)
	}
}

func TestFaults(t *testing.T) {
	c := newClient(t, Options{})
	jwt := c.refresh()
	c.s.Inject(Fault{Route: "fetchProjects", Status: 429, RetryAfter: "30", Times: 2})
	c.s.Inject(Fault{Route: "fetchProjects", Status: 200, Body: `{"status":"succ`})
	for range 2 {
		status, h, _ := c.send(http.MethodGet, "fetchProjects", url.Values{"devID": {c.s.Account.DevID}}, http.Header{"Authorization": {jwt}}, nil, "")
		if status != 429 || h.Get("Retry-After") != "30" {
			t.Errorf("429: %d, Retry-After %q", status, h.Get("Retry-After"))
		}
	}
	if status, out := c.get("fetchProjects", nil, jwt); status != 200 || out != nil {
		t.Errorf("malformed body parsed: %v", out)
	}
	if status, _ := c.get("fetchProjects", nil, jwt); status != 200 {
		t.Errorf("faults outlived their count: %d", status)
	}
	c.s.Inject(Fault{Latency: 150 * time.Millisecond})
	start := time.Now()
	if status, _ := c.get("fetchProjects", nil, jwt); status != 200 || time.Since(start) < 150*time.Millisecond {
		t.Errorf("latency: %d after %v", status, time.Since(start))
	}
	if n := c.s.Count("fetchProjects"); n != 5 {
		t.Errorf("%d recorded", n)
	}
}

// guardTB records the errors a fake reports instead of failing the test.
type guardTB struct {
	testing.TB
	mu   sync.Mutex
	errs []string
}

func (g *guardTB) Error(args ...any) {
	g.mu.Lock()
	defer g.mu.Unlock()
	for _, a := range args {
		g.errs = append(g.errs, a.(string))
	}
}

func TestBasePathGuard(t *testing.T) {
	g := &guardTB{TB: t}
	s := NewWith(g, Options{BasePath: "/kaedim"})
	resp, err := http.Get(strings.TrimSuffix(s.URL, "/kaedim") + "/api/v1/fetchProjects")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 500 || len(g.errs) != 1 || !strings.Contains(g.errs[0], "outside the base path /kaedim") {
		t.Errorf("a request outside the base path: %d, reported %v", resp.StatusCode, g.errs)
	}
	if _, err := Start(Options{BasePath: "kaedim/"}); err == nil {
		t.Error("a base path without its leading slash was taken")
	}
}
