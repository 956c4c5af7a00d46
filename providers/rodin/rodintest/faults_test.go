package rodintest

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"os"
	"strings"
	"testing"
	"time"
)

func TestRateLimitedThenServed(t *testing.T) {
	c := newClient(t, Options{})
	c.s.Inject(RateLimited(RouteStatus, "7"))
	_, key := c.submitted(field("prompt", "a"))
	a := c.postJSON(RouteStatus, map[string]string{"subscription_key": key})
	if a.status != http.StatusTooManyRequests || a.header.Get("Retry-After") != "7" || a.str("error") != "Too Many Requests" {
		t.Errorf("%d %v %s", a.status, a.header, a.raw)
	}
	if got := c.statuses(key); len(got) != 2 {
		t.Errorf("after the fault: %v", got)
	}
	if n := c.s.Count(RouteStatus); n != 2 {
		t.Errorf("%d /status recorded", n)
	}
}

func TestServerErrorsAndBodies(t *testing.T) {
	c := newClient(t, Options{})
	c.s.Inject(ServerError(RouteBalance, 503), HTMLPage(RouteBalance, 502), MalformedJSON(RouteBalance),
		Fault{Route: RouteBalance, Status: 500, Message: "Internal error, try later"})
	get := func() answer { return c.do(http.MethodGet, RouteBalance, nil, "") }
	if a := get(); a.status != 503 || a.str("error") != "Service Unavailable" {
		t.Errorf("503: %d %s", a.status, a.raw)
	}
	if a := get(); a.status != 502 || a.header.Get("Content-Type") != "text/html" || !strings.Contains(string(a.raw), "<h1>502 Bad Gateway</h1>") {
		t.Errorf("HTML: %d %s", a.status, a.raw)
	}
	a := get()
	var v any
	if a.status != http.StatusCreated || json.Unmarshal(a.raw, &v) == nil {
		t.Errorf("malformed JSON: %d %s", a.status, a.raw)
	}
	if a := get(); a.status != 500 || a.str("message") != "Internal error, try later" {
		t.Errorf("message: %d %s", a.status, a.raw)
	}
	if a := get(); a.status != http.StatusCreated || a.json["balance"] != 25.0 {
		t.Errorf("after the faults: %d %s", a.status, a.raw)
	}
}

func TestFaultTimesAndAnyRoute(t *testing.T) {
	c := newClient(t, Options{})
	c.s.Inject(Fault{Status: 500, Times: 2}) // any route
	if a := c.do(http.MethodGet, RouteBalance, nil, ""); a.status != 500 {
		t.Errorf("first: %d", a.status)
	}
	if a := c.post(RouteSubmit, field("prompt", "a")); a.status != 500 {
		t.Errorf("second: %d", a.status)
	}
	if a := c.post(RouteSubmit, field("prompt", "a")); a.status != 201 {
		t.Errorf("third: %d", a.status)
	}
	c.s.Inject(Fault{Route: RouteBalance, Status: 503, Times: -1})
	for range 3 {
		if a := c.do(http.MethodGet, RouteBalance, nil, ""); a.status != 503 {
			t.Errorf("forever: %d", a.status)
		}
	}
	c.s.ClearFaults()
	if a := c.do(http.MethodGet, RouteBalance, nil, ""); a.status != 201 {
		t.Errorf("cleared: %d", a.status)
	}
}

func TestLatency(t *testing.T) {
	c := newClient(t, Options{})
	c.s.Inject(Slow(RouteBalance, 50*time.Millisecond))
	start := time.Now()
	if a := c.do(http.MethodGet, RouteBalance, nil, ""); a.status != 201 || time.Since(start) < 50*time.Millisecond {
		t.Errorf("%d after %v", a.status, time.Since(start))
	}
	// A client that gives up does not wait for the fault.
	c.s.Inject(Slow(RouteBalance, time.Minute))
	req, _ := http.NewRequest(http.MethodGet, c.s.URL+"/"+RouteBalance, nil)
	req.Header.Set("Authorization", "Bearer "+c.s.Key)
	_, err := (&http.Client{Timeout: 50 * time.Millisecond}).Do(req)
	if !errors.Is(err, os.ErrDeadlineExceeded) && (err == nil || !strings.Contains(err.Error(), "Timeout")) {
		t.Errorf("slow answer: %v", err)
	}
}

func TestStalls(t *testing.T) {
	c := newClient(t, Options{})
	id := c.finished()
	names, links := c.listed(id)
	glb := linkNamed(t, names, links, "base_basic_pbr.glb")
	impatient := &http.Client{Timeout: 200 * time.Millisecond}

	c.s.Inject(StalledDownload())
	resp, err := impatient.Get(glb)
	if err != nil {
		t.Fatal(err)
	}
	data, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	if err == nil || len(data) != 20 || int(resp.ContentLength) <= len(data) || !bytes.HasPrefix(data, []byte("glTF")) {
		t.Errorf("download: read %d of %d bytes, then %v", len(data), resp.ContentLength, err)
	}

	c.s.Inject(StalledBody(RouteDownload))
	body := strings.NewReader(`{"task_uuid": "` + id + `"}`)
	req, _ := http.NewRequest(http.MethodPost, c.s.URL+"/"+RouteDownload, body)
	req.Header.Set("Authorization", "Bearer "+c.s.Key)
	req.Header.Set("Content-Type", "application/json")
	resp, err = impatient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	data, err = io.ReadAll(resp.Body)
	resp.Body.Close()
	if err == nil || resp.StatusCode != 201 || !bytes.HasPrefix(data, []byte(`{"error":"OK"`)) {
		t.Errorf("/download: %d, read %q, then %v", resp.StatusCode, data, err)
	}
}

func TestAcceptedThenFailed(t *testing.T) {
	c := newClient(t, Options{})
	c.s.Inject(AcceptedThenFailed())
	a := c.post(RouteSubmit, field("prompt", "a"), field("tier", "Gen-2.5-Extreme-High"))
	if a.status != http.StatusBadGateway || a.str("uuid") != "" {
		t.Errorf("%d %s", a.status, a.raw)
	}
	tasks := c.s.Tasks()
	if len(tasks) != 1 || tasks[0].Tier != "Gen-2.5-Extreme-High" || c.s.Balance() != 24 {
		t.Errorf("the work was not taken: %d tasks, balance %v", len(tasks), c.s.Balance())
	}
	if rec := c.s.Received(RouteSubmit); len(rec) != 1 || rec[0].Status != 502 || rec[0].Fields.Get("prompt") != "a" {
		t.Errorf("recorded %+v", rec)
	}
}

func TestNoFunds(t *testing.T) {
	c := newClient(t, Options{})
	c.s.Inject(NoFunds(0), NoFunds(http.StatusCreated), Fault{Route: RouteTextureOnly, Mode: InsufficientFunds, Status: 403})
	a := c.post(RouteSubmit, field("prompt", "a"))
	if a.status != 402 || a.str("error") != MsgInsufficientFunds {
		t.Errorf("402: %d %s", a.status, a.raw)
	}
	// A 2xx that is a refusal: only the "error" field says so.
	a = c.post(RouteSubmit, field("prompt", "a"))
	if a.status != 201 || a.str("error") != MsgInsufficientFunds || a.str("uuid") != "" {
		t.Errorf("201: %d %s", a.status, a.raw)
	}
	// The fault answers only what passes the checks.
	if a := c.post(RouteSubmit, field("tier", "Gen-2")); a.status != 400 {
		t.Errorf("%d %s", a.status, a.raw)
	}
	c.finished()
	model := c.glb()
	if a := c.post(RouteTextureOnly, file("image", "a.png", pngOf(red)), file("model", "m.glb", model)); a.status != 403 || a.str("error") != MsgInsufficientFunds {
		t.Errorf("texture only: %d %s", a.status, a.raw)
	}
	if n := len(c.s.Tasks()); n != 1 || c.s.Balance() != 24.5 {
		t.Errorf("%d tasks, balance %v", n, c.s.Balance())
	}
}

func TestHostileAndExpiredLists(t *testing.T) {
	c := newClient(t, Options{})
	id := c.finished()
	c.s.Inject(HostileFileNames(), ExpiredDownloadLinks())
	names, links := c.listed(id)
	want := HostileListNames()
	if strings.Join(names, "|") != strings.Join(want, "|") {
		t.Fatalf("listed %q", names)
	}
	for i, link := range links {
		a := get(t, link)
		wantType := "model/gltf-binary"
		if strings.HasSuffix(names[i], ".webp") {
			wantType = "image/webp"
		}
		if a.status != 200 || a.header.Get("Content-Type") != wantType {
			t.Errorf("%q: %d %s", names[i], a.status, a.header.Get("Content-Type"))
		}
	}
	names, links = c.listed(id)
	if len(names) != 3 || names[0] != "base_basic_pbr.glb" {
		t.Errorf("expired list names %v", names)
	}
	for _, link := range links {
		if a := get(t, link); a.status != 403 || !strings.Contains(string(a.raw), "Request has expired") {
			t.Errorf("expired link: %d %s", a.status, a.raw)
		}
	}
	if names, links := c.listed(id); len(names) != 3 || get(t, links[0]).status != 200 {
		t.Errorf("after the faults: %v", names)
	}
}
