package server

import (
	"bytes"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/kiln3d/kiln/providers/providertest"
)

// FuzzSubmission sends arbitrary bodies to POST /api/v1/jobs: every answer is a 202 with a job or
// a JSON error with a code, and nothing panics.
func FuzzSubmission(f *testing.F) {
	e := newTestEnv(f, Options{MaxUpload: 1 << 20, Burst: 1 << 30, Rate: 1 << 30}, func(p *providertest.Fake) { p.Gate = make(chan struct{}) })
	key := e.key(ScopeJobsWrite)
	good, ctype := form{images: []string{e.image("a.png")}, fields: [][2]string{{"provider", "fake"}, {"view", "front"}}}.encode(f)
	f.Add(good.Bytes(), ctype)
	f.Add([]byte("prompt=a+chair&provider=fake"), "application/x-www-form-urlencoded")
	f.Add([]byte("--b\r\nContent-Disposition: form-data; name=\"image\"; filename=\"x.png\"\r\n\r\n\x89PNG\r\n\x1a\n\r\n--b--\r\n"), "multipart/form-data; boundary=b")
	f.Add([]byte("--b\r\nContent-Disposition: form-data; name=\"option.\"\r\n\r\nx\r\n--b--\r\n"), "multipart/form-data; boundary=b")
	h := e.s.Handler()
	f.Fuzz(func(t *testing.T, body []byte, contentType string) {
		req := httptest.NewRequest("POST", "/api/v1/jobs", bytes.NewReader(body))
		req.Header.Set("Content-Type", contentType)
		req.Header.Set("x-api-key", key)
		w := httptest.NewRecorder()
		h.ServeHTTP(w, req)
		var answer struct {
			ID    string
			Error *struct{ Code, Message string }
		}
		if err := json.Unmarshal(w.Body.Bytes(), &answer); err != nil {
			t.Fatalf("%d, not JSON: %q", w.Code, w.Body.Bytes())
		}
		switch {
		case w.Code == http.StatusAccepted && answer.ID != "":
		case w.Code >= 400 && answer.Error != nil && answer.Error.Code != "" && answer.Error.Message != "":
		default:
			t.Fatalf("%d %s", w.Code, w.Body.Bytes())
		}
	})
}
