package rodintest

import (
	"bytes"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"
)

func TestStatusProgression(t *testing.T) {
	c := newClient(t, Options{}) // 2 s generation: each job has a 1 s slot
	id, key := c.submitted(field("prompt", "a lamp"))
	steps := []struct {
		after time.Duration
		want  []string
		files []string
	}{
		{0, []string{"Waiting", "Waiting"}, nil},
		{400 * time.Millisecond, []string{"Generating", "Waiting"}, nil},
		{600 * time.Millisecond, []string{"Done", "Waiting"}, []string{PreviewName}},
		{400 * time.Millisecond, []string{"Done", "Generating"}, []string{PreviewName}},
		{600 * time.Millisecond, []string{"Done", "Done"}, []string{"base_basic_pbr.glb", TextureName, PreviewName}},
	}
	for i, st := range steps {
		c.s.Advance(st.after)
		if got := c.statuses(key); !slices.Equal(got, st.want) {
			t.Errorf("step %d: %v, want %v", i, got, st.want)
		}
		if names, _ := c.listed(id); !slices.Equal(names, st.files) {
			t.Errorf("step %d: listed %v, want %v", i, names, st.files)
		}
	}
	// Form-encoded works too.
	body, ct := formBody(url.Values{"subscription_key": {key}})
	if a := c.do(http.MethodPost, RouteStatus, body, ct); a.status != http.StatusCreated || len(a.json["jobs"].([]any)) != 2 {
		t.Errorf("form-encoded: %d %s", a.status, a.raw)
	}
	for what, v := range map[string]any{"unknown key": map[string]string{"subscription_key": "nope"}, "no key": map[string]string{}} {
		a := c.postJSON(RouteStatus, v)
		if (what == "unknown key" && (a.status != 404 || a.str("error") != MsgNoSubscription)) || (what == "no key" && a.status != 400) {
			t.Errorf("%s: %d %s", what, a.status, a.raw)
		}
	}
}

func TestFailedAndCanceled(t *testing.T) {
	c := newClient(t, Options{})
	if err := c.s.FailNext(StatusFailed); err != nil {
		t.Fatal(err)
	}
	failed, fkey := c.submitted(field("prompt", "a"))
	ok, okKey := c.submitted(field("prompt", "b"))
	canceled, ckey := c.submitted(field("prompt", "c"))
	if err := c.s.SetOutcome(canceled, StatusCanceled); err != nil {
		t.Fatal(err)
	}
	c.s.Advance(time.Hour)
	for key, want := range map[string][]string{fkey: {"Done", "Failed"}, okKey: {"Done", "Done"}, ckey: {"Done", "Canceled"}} {
		if got := c.statuses(key); !slices.Equal(got, want) {
			t.Errorf("%v, want %v", got, want)
		}
	}
	for _, id := range []string{failed, canceled} {
		if names, _ := c.listed(id); !slices.Equal(names, []string{PreviewName}) {
			t.Errorf("a task that did not finish lists %v", names)
		}
	}
	if names, _ := c.listed(ok); len(names) != 3 {
		t.Errorf("the task between them lists %v", names)
	}
	if err := c.s.SetOutcome(failed, "Exploded"); err == nil {
		t.Error("SetOutcome took an unknown status")
	}
	if err := c.s.SetOutcome("no-such-task", StatusFailed); err == nil {
		t.Error("SetOutcome took an unknown task")
	}
	if err := c.s.SetOutcome(failed, ""); err != nil || !slices.Equal(c.statuses(fkey), []string{"Done", "Done"}) {
		t.Errorf("outcome reset: %v", err)
	}
}

func TestDownloadLinksExpire(t *testing.T) {
	c := newClient(t, Options{})
	id := c.finished()
	names, links := c.listed(id)
	glb := linkNamed(t, names, links, "base_basic_pbr.glb")
	if !strings.HasPrefix(glb, c.s.StorageURL+"/") {
		t.Errorf("link %s is not on the storage %s", glb, c.s.StorageURL)
	}
	a := get(t, glb)
	if a.status != 200 || !bytes.HasPrefix(a.raw, []byte("glTF")) || a.header.Get("Content-Type") != "model/gltf-binary" {
		t.Fatalf("%d %q", a.status, a.raw[:min(20, len(a.raw))])
	}
	// Tampered with.
	if a := get(t, strings.Replace(glb, "Signature=", "Signature=0", 1)); a.status != 403 || !strings.Contains(string(a.raw), "SignatureDoesNotMatch") {
		t.Errorf("tampered: %d %s", a.status, a.raw)
	}
	// With the API key, as a leaking client would send it.
	req, _ := http.NewRequest(http.MethodGet, glb, nil)
	req.Header.Set("Authorization", "Bearer "+c.s.Key)
	if a := c.send(req); a.status != 400 || !strings.Contains(string(a.raw), "Only one auth mechanism") {
		t.Errorf("with Authorization: %d %s", a.status, a.raw)
	}
	c.s.Advance(10 * time.Minute)
	a = get(t, glb)
	if a.status != 403 || !strings.Contains(string(a.raw), "<Code>AccessDenied</Code><Message>Request has expired</Message>") ||
		a.header.Get("Content-Type") != "application/xml" {
		t.Errorf("expired: %d %s", a.status, a.raw)
	}
	names, links = c.listed(id)
	if fresh := linkNamed(t, names, links, "base_basic_pbr.glb"); fresh == glb || get(t, fresh).status != 200 {
		t.Errorf("a new /download did not give a fresh working link: %s", fresh)
	}
	// Even at the same moment, each /download issues new links.
	if _, again := c.listed(id); again[0] == links[0] || get(t, again[0]).status != 200 {
		t.Errorf("the same link twice: %s", again[0])
	}
	// A job uuid is not a task uuid.
	job := c.s.Tasks()[0].Jobs[0].UUID
	if a := c.postJSON(RouteDownload, map[string]string{"task_uuid": job}); a.status != 404 || a.str("error") != MsgNoTask {
		t.Errorf("job uuid: %d %s", a.status, a.raw)
	}
	if a := c.postJSON(RouteDownload, map[string]string{}); a.status != 400 {
		t.Errorf("no task_uuid: %d %s", a.status, a.raw)
	}
}

func TestNotAuthenticated(t *testing.T) {
	c := newClient(t, Options{})
	id, key := c.submitted(field("prompt", "a"))
	second := c.s.AddKey("laptop")
	calls := func() []answer {
		return []answer{
			c.post(RouteSubmit, field("prompt", "b")),
			c.postJSON(RouteStatus, map[string]string{"subscription_key": key}),
			c.postJSON(RouteDownload, map[string]string{"task_uuid": id}),
			c.do(http.MethodGet, RouteBalance, nil, ""),
			c.post(RouteTextureOnly),
		}
	}
	for _, k := range []string{"", "rk_wrong", c.s.Key} {
		c.key = k
		if k == c.s.Key {
			c.s.Revoke(k)
		}
		for i, a := range calls() {
			if a.status != http.StatusUnauthorized || a.str("error") != MsgNotAuthenticated || a.str("message") != MsgNotAuthenticated {
				t.Errorf("key %q, call %d: %d %s", k, i, a.status, a.raw)
			}
		}
	}
	// Other schemes than Bearer are refused; the scheme's case is not significant.
	c.key = second
	req, _ := http.NewRequest(http.MethodGet, c.s.URL+"/"+RouteBalance, nil)
	req.Header.Set("Authorization", "Token "+second)
	if a := c.send(req); a.status != 401 {
		t.Errorf("Token scheme: %d", a.status)
	}
	req.Header.Set("Authorization", "bearer "+second)
	if a := c.send(req); a.status != http.StatusCreated {
		t.Errorf("bearer in lower case: %d %s", a.status, a.raw)
	}
	if keys := c.s.Keys(); !slices.Equal(keys, []string{second}) {
		t.Errorf("keys %v", keys)
	}
	if len(c.s.Tasks()) != 1 {
		t.Errorf("refused calls created tasks")
	}
}

func TestBalanceAndCosts(t *testing.T) {
	c := newClient(t, Options{})
	balance := func() any {
		a := c.do(http.MethodGet, RouteBalance, nil, "")
		if a.status != http.StatusCreated {
			t.Fatalf("%d %s", a.status, a.raw)
		}
		return a.json["balance"]
	}
	if b := balance(); b != 25.0 {
		t.Errorf("balance %v", b)
	}
	img := file("images", "a.png", pngOf(red))
	c.submitted(img, field("tier", "Gen-2.5-Extreme-High"), field("addons", "HighPack")) // 1 + 1
	c.submitted(img, field("tier", "Gen-2.5-Low"))                                       // 0.5
	c.submitted(img, field("tier", "Sketch"))                                            // 0.5
	c.s.Advance(time.Hour)
	if a := c.post(RouteTextureOnly, file("image", "a.png", pngOf(red)), file("model", "m.glb", c.glb())); a.status != 201 { // 0.5
		t.Fatalf("%d %s", a.status, a.raw)
	}
	if b := balance(); b != 21.5 || c.s.Balance() != 21.5 {
		t.Errorf("balance %v after 3.5 credits", b)
	}
	var costs []float64
	for _, task := range c.s.Tasks() {
		costs = append(costs, task.Cost)
	}
	if !slices.Equal(costs, []float64{2, 0.5, 0.5, 0.5}) {
		t.Errorf("costs %v", costs)
	}
}

// glb downloads a finished task's model, for the texture-only route to take.

func (c *client) glb() []byte {
	c.t.Helper()
	id := c.s.Tasks()[0].UUID
	names, links := c.listed(id)
	return get(c.t, linkNamed(c.t, names, links, "base_basic_pbr.glb")).raw
}

func TestInsufficientFunds(t *testing.T) {
	c := newClient(t, Options{})
	c.s.SetBalance(1.5)
	a := c.post(RouteSubmit, field("prompt", "a"), field("tier", "Gen-2.5-Extreme-High"), field("addons", "HighPack"))
	if a.status != http.StatusPaymentRequired || a.str("error") != MsgInsufficientFunds || a.str("uuid") != "" {
		t.Errorf("%d %s", a.status, a.raw)
	}
	if len(c.s.Tasks()) != 0 || c.s.Balance() != 1.5 {
		t.Errorf("refused, yet %d tasks and balance %v", len(c.s.Tasks()), c.s.Balance())
	}
	// What the balance can pay goes through, to the last half credit.
	c.submitted(field("prompt", "a"), field("tier", "Gen-2.5-Extreme-High"))
	c.submitted(field("prompt", "a"))
	if b := c.s.Balance(); b != 0 {
		t.Errorf("balance %v", b)
	}
	if a := c.post(RouteSubmit, field("prompt", "a")); a.status != 402 {
		t.Errorf("at 0: %d %s", a.status, a.raw)
	}
}

type tb struct {
	testing.TB
	mu   sync.Mutex
	errs []string
}

func (r *tb) Error(args ...any) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.errs = append(r.errs, fmt.Sprint(args...))
}

func TestBasePathGuard(t *testing.T) {
	rec := &tb{TB: t}
	s := New(rec)
	if !strings.HasSuffix(s.URL, TestBasePath) {
		t.Fatalf("URL %s", s.URL)
	}
	origin := strings.TrimSuffix(s.URL, TestBasePath)
	for _, u := range []string{origin + "/api/v2/check_balance", origin + "/check_balance", origin + "/rodin-base/check_balance"} {
		req, _ := http.NewRequest(http.MethodGet, u, nil)
		req.Header.Set("Authorization", "Bearer "+s.Key)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != 404 {
			t.Errorf("%s: %d", u, resp.StatusCode)
		}
	}
	rec.mu.Lock()
	defer rec.mu.Unlock()
	if len(rec.errs) != 3 || !strings.Contains(rec.errs[0], "outside the base path") {
		t.Errorf("reported %q", rec.errs)
	}
	// Unknown routes and wrong methods inside the base path are plain refusals.
	c := &client{t: t, s: s, key: s.Key}
	for _, route := range []string{"rodin/v3", "/rodin", ""} {
		if a := c.do(http.MethodGet, route, nil, ""); a.status != 404 || a.str("error") != "Not found" {
			t.Errorf("unknown route %q: %d %s", route, a.status, a.raw)
		}
	}
	if a := c.send(mustRequest(t, http.MethodGet, s.URL)); a.status != 404 || a.str("error") != "Not found" {
		t.Errorf("the base path itself: %d %s", a.status, a.raw)
	}
	if a := c.do(http.MethodGet, RouteSubmit, nil, ""); a.status != 405 || a.header.Get("Allow") != "POST" {
		t.Errorf("GET /rodin: %d %v", a.status, a.header)
	}
	if a := c.do(http.MethodPost, RouteBalance, nil, ""); a.status != 405 {
		t.Errorf("POST /check_balance: %d", a.status)
	}
}

func mustRequest(t *testing.T, method, u string) *http.Request {
	t.Helper()
	req, err := http.NewRequest(method, u, nil)
	if err != nil {
		t.Fatal(err)
	}
	return req
}

func TestNullError(t *testing.T) {
	c := newClient(t, Options{NullError: true})
	a := c.post(RouteSubmit, field("prompt", "a"))
	if v, ok := a.json["error"]; a.status != 201 || !ok || v != nil {
		t.Errorf("%d %s", a.status, a.raw)
	}
}

func TestOptions(t *testing.T) {
	if _, err := Start(Options{BasePath: "api/v2"}); err == nil {
		t.Error("a base path without a leading / was taken")
	}
	s, err := Start(Options{Keys: []string{"rk_one", "rk_two"}, Balance: 3})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if !strings.HasSuffix(s.URL, DefaultBasePath) || s.Key != "rk_one" || !slices.Equal(s.Keys(), []string{"rk_one", "rk_two"}) || s.Balance() != 3 {
		t.Errorf("started %s %s %v %v", s.URL, s.Key, s.Keys(), s.Balance())
	}
	if d := New(t); !strings.HasPrefix(d.Key, "rk_") || len(d.Key) != 43 {
		t.Errorf("default key %q", d.Key)
	}
}
