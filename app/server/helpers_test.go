package server

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/kiln3d/kiln/app"
	"github.com/kiln3d/kiln/providers"
	"github.com/kiln3d/kiln/providers/jobsapi"
	"github.com/kiln3d/kiln/providers/local"
	"github.com/kiln3d/kiln/providers/modeltest"
	"github.com/kiln3d/kiln/providers/providertest"
)

// testSigning is the signing secret test servers derive webhook secrets from.
const testSigning = "test-signing-secret-0123456789abcdef"

// testEnv is a Kiln with the real local generator and a scripted fake ("fake"), served by a
// Server on loopback.
type testEnv struct {
	t    testing.TB
	home string
	k    *app.Kiln
	s    *Server
	ts   *httptest.Server
	fake *providertest.Fake
}

// newTestEnv starts a server on a fresh data directory; tune, when given, adjusts the fake
// provider before the Kiln opens.
func newTestEnv(t testing.TB, o Options, tune ...func(*providertest.Fake)) *testEnv {
	t.Helper()
	return startTestEnv(t, t.TempDir(), o, tune...)
}

// startTestEnv starts a server on home, which may hold a previous server's data.
func startTestEnv(t testing.TB, home string, o Options, tune ...func(*providertest.Fake)) *testEnv {
	t.Helper()
	fake := providertest.NewFake("fake")
	for _, f := range tune {
		f(fake)
	}
	reg, err := providers.NewRegistry(local.New(), fake)
	if err != nil {
		t.Fatal(err)
	}
	k, err := app.Open(app.Options{Home: home, Providers: reg,
		Queue: app.QueueOptions{Workers: 2, Resume: true, CollectBackoff: 10 * time.Millisecond},
		Getenv: func(name string) string {
			if name == app.SigningEnv {
				return testSigning
			}
			return ""
		}})
	if err != nil {
		t.Fatal(err)
	}
	if o.Logger == nil {
		o.Logger = discardLogger()
	}
	if o.Rate == 0 && o.Burst == 0 {
		// The tests poll as fast as they like; those about the rate limit set their own.
		o.Rate, o.Burst = 1<<20, 1<<20
	}
	s, err := New(context.Background(), k, o)
	if err != nil {
		k.Close()
		t.Fatal(err)
	}
	ts := httptest.NewServer(s.Handler())
	e := &testEnv{t: t, home: home, k: k, s: s, ts: ts, fake: fake}
	t.Cleanup(e.stop)
	return e
}

// stop closes the server and the Kiln (again: a no-op).
func (e *testEnv) stop() {
	if e.ts == nil {
		return
	}
	e.ts.Close()
	e.s.Close()
	e.k.Close()
	e.ts = nil
}

// key makes an API key with the given scopes and returns its secret.
func (e *testEnv) key(scopes ...Scope) string {
	e.t.Helper()
	k, err := e.s.Keys.Create(context.Background(), "test", scopes)
	if err != nil {
		e.t.Fatal(err)
	}
	return k.Secret
}

// do sends a request with the key (none when empty) and returns the answer, its body read.
func (e *testEnv) do(method, path, secret string, body io.Reader, contentType string, header ...string) (*http.Response, []byte) {
	e.t.Helper()
	req, err := http.NewRequest(method, e.ts.URL+path, body)
	if err != nil {
		e.t.Fatal(err)
	}
	if secret != "" {
		req.Header.Set("x-api-key", secret)
	}
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	resp, err := e.ts.Client().Do(req)
	if err != nil {
		e.t.Fatal(err)
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(resp.Body)
	if err != nil {
		e.t.Fatal(err)
	}
	return resp, data
}

// form is a multipart body: fields in order, then images (field "image").
type form struct {
	fields [][2]string
	images []string
}

func (f form) encode(t testing.TB) (*bytes.Buffer, string) {
	t.Helper()
	var b bytes.Buffer
	mw := multipart.NewWriter(&b)
	for _, kv := range f.fields {
		if err := mw.WriteField(kv[0], kv[1]); err != nil {
			t.Fatal(err)
		}
	}
	for _, path := range f.images {
		w, err := mw.CreateFormFile("image", filepath.Base(path))
		if err != nil {
			t.Fatal(err)
		}
		data, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		_, _ = w.Write(data)
	}
	if err := mw.Close(); err != nil {
		t.Fatal(err)
	}
	return &b, mw.FormDataContentType()
}

// post sends f to path (a submission route) and returns the answer and its body.
func (e *testEnv) post(path, secret string, f form, header ...string) (*http.Response, []byte) {
	e.t.Helper()
	body, ctype := f.encode(e.t)
	return e.do("POST", path, secret, body, ctype, header...)
}

// submit posts f to /api/v1/jobs, expecting 202, and returns the job.
func (e *testEnv) submit(secret string, f form, header ...string) jobsapi.Job {
	e.t.Helper()
	resp, body := e.post("/api/v1/jobs", secret, f, header...)
	if resp.StatusCode != http.StatusAccepted {
		e.t.Fatalf("POST /api/v1/jobs: %s %s", resp.Status, body)
	}
	return decode[jobsapi.Job](e.t, body)
}

// job reads a job.
func (e *testEnv) job(secret, id string) jobsapi.Job {
	e.t.Helper()
	resp, body := e.do("GET", "/api/v1/jobs/"+id, secret, nil, "")
	if resp.StatusCode != http.StatusOK {
		e.t.Fatalf("GET job %s: %s %s", id, resp.Status, body)
	}
	return decode[jobsapi.Job](e.t, body)
}

// wait polls a job until it ends.
func (e *testEnv) wait(secret, id string) jobsapi.Job {
	e.t.Helper()
	deadline := time.Now().Add(60 * time.Second)
	for {
		j := e.job(secret, id)
		switch j.Status {
		case jobsapi.StatusDone, jobsapi.StatusFailed, jobsapi.StatusCancelled:
			return j
		}
		if time.Now().After(deadline) {
			e.t.Fatalf("job %s still %s after a minute: %s", id, j.Status, j.Message)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// image writes a small PNG the local generator can make a model of.
func (e *testEnv) image(name string) string {
	e.t.Helper()
	return modeltest.WriteImage(e.t, e.t.TempDir(), name, disc(64))
}

func decode[T any](t testing.TB, data []byte) T {
	t.Helper()
	var v T
	if err := json.Unmarshal(data, &v); err != nil {
		t.Fatalf("decode %s: %v", data, err)
	}
	return v
}

// errCode reads an error answer's code, failing the test when the body is not one.
func errCode(t testing.TB, data []byte) string {
	t.Helper()
	var b struct {
		Error *struct{ Code, Message string } `json:"error"`
	}
	if err := json.Unmarshal(data, &b); err != nil || b.Error == nil || b.Error.Code == "" || b.Error.Message == "" {
		t.Fatalf("not an error answer: %s", data)
	}
	return b.Error.Code
}
