package server

import (
	"bytes"
	"encoding/binary"
	"hash/crc32"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// pngClaiming is a PNG whose header claims w×h pixels: a decompression bomb's shape.
func pngClaiming(t testing.TB, w, h uint32) string {
	t.Helper()
	var b bytes.Buffer
	b.WriteString("\x89PNG\r\n\x1a\n")
	ihdr := make([]byte, 13)
	binary.BigEndian.PutUint32(ihdr[0:], w)
	binary.BigEndian.PutUint32(ihdr[4:], h)
	ihdr[8], ihdr[9] = 8, 6
	chunk := func(typ string, data []byte) {
		_ = binary.Write(&b, binary.BigEndian, uint32(len(data)))
		b.WriteString(typ)
		b.Write(data)
		_ = binary.Write(&b, binary.BigEndian, crc32.ChecksumIEEE(append([]byte(typ), data...)))
	}
	chunk("IHDR", ihdr)
	chunk("IDAT", make([]byte, 64))
	chunk("IEND", nil)
	path := filepath.Join(t.TempDir(), "bomb.png")
	if err := os.WriteFile(path, b.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

func TestHostileSubmissions(t *testing.T) {
	e := newTestEnv(t, Options{MaxUpload: 256 << 10, Burst: 1000})
	key := e.key(ScopeJobsRead, ScopeJobsWrite)
	img := e.image("ok.png")
	dir := t.TempDir()
	corrupt := filepath.Join(dir, "corrupt.png")
	if err := os.WriteFile(corrupt, []byte("\x89PNG\r\n\x1a\nthis is not the rest of a png"), 0o644); err != nil {
		t.Fatal(err)
	}
	text := filepath.Join(dir, "notes.png")
	if err := os.WriteFile(text, []byte("just some text"), 0o644); err != nil {
		t.Fatal(err)
	}
	huge := filepath.Join(dir, "huge.png")
	if err := os.WriteFile(huge, append([]byte("\x89PNG\r\n\x1a\n"), make([]byte, 300<<10)...), 0o644); err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name   string
		f      form
		status int
		code   string
		says   string
	}{
		{"corrupt image", form{images: []string{corrupt}}, 400, CodeInvalidImage, "corrupt.png"},
		{"not an image", form{images: []string{text}}, 400, CodeInvalidImage, "notes.png"},
		{"bomb", form{images: []string{pngClaiming(t, 200000, 200000)}}, 400, CodeInvalidImage, "bomb.png"},
		{"too large", form{images: []string{huge}}, 413, CodePayloadTooLarge, "(256 KiB)"},
		{"no image", form{fields: [][2]string{{"polycount", "500"}}}, 400, CodeInvalidRequest, "image"},
		{"prompt to a provider without prompts", form{fields: [][2]string{{"prompt", "a red chair"}}}, 400, CodeInvalidRequest, "prompt"},
		{"unknown provider", form{images: []string{img}, fields: [][2]string{{"provider", "meshy"}}}, 400, CodeUnknownProvider, "meshy"},
		{"unknown field", form{images: []string{img}, fields: [][2]string{{"polycuont", "500"}}}, 400, CodeInvalidRequest, "polycuont"},
		{"bad polycount", form{images: []string{img}, fields: [][2]string{{"polycount", "lots"}}}, 400, CodeInvalidRequest, "polycount"},
		{"polycount out of range", form{images: []string{img}, fields: [][2]string{{"polycount", "3"}}}, 400, CodeInvalidRequest, "olycount"},
		{"bad size", form{images: []string{img}, fields: [][2]string{{"height_cm", "-4"}}}, 400, CodeInvalidRequest, "height_cm"},
		{"bad view", form{images: []string{img}, fields: [][2]string{{"view", "underneath"}}}, 400, CodeInvalidRequest, "underneath"},
		{"more views than images", form{images: []string{img}, fields: [][2]string{{"view", "front"}, {"view", "left"}}}, 400, CodeInvalidRequest, "views"},
		{"webhook over http", form{images: []string{img}, fields: [][2]string{{"webhookUrl", "http://example.com/hook"}}}, 400, CodeInvalidWebhookURL, "https"},
		{"webhook not a URL", form{images: []string{img}, fields: [][2]string{{"webhookUrl", "hook"}}}, 400, CodeInvalidWebhookURL, "URL"},
		{"webhook with a password", form{images: []string{img}, fields: [][2]string{{"webhookUrl", "https://u:p@example.com/"}}}, 400, CodeInvalidWebhookURL, "password"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			resp, body := e.post("/api/v1/jobs", key, c.f)
			if resp.StatusCode != c.status || errCode(t, body) != c.code || !strings.Contains(string(body), c.says) {
				t.Fatalf("%s %s; want %d %s saying %q", resp.Status, body, c.status, c.code, c.says)
			}
		})
	}
	// Other bodies and routes.
	resp, body := e.do("POST", "/api/v1/jobs", key, strings.NewReader(`{"prompt":"a chair"}`), "application/json")
	if resp.StatusCode != http.StatusUnsupportedMediaType || errCode(t, body) != CodeUnsupportedMediaType {
		t.Errorf("JSON body: %s %s", resp.Status, body)
	}
	resp, body = e.do("POST", "/api/v1/jobs", key, strings.NewReader("--x\r\nbroken"), "multipart/form-data; boundary=x")
	if resp.StatusCode != http.StatusBadRequest || errCode(t, body) != CodeInvalidRequest {
		t.Errorf("a broken multipart body: %s %s", resp.Status, body)
	}
	resp, body = e.do("PUT", "/api/v1/jobs", key, nil, "")
	if resp.StatusCode != http.StatusMethodNotAllowed || errCode(t, body) != CodeMethodNotAllowed || resp.Header.Get("Allow") != "GET, POST" {
		t.Errorf("PUT /jobs: %s %v %s", resp.Status, resp.Header, body)
	}
	resp, body = e.do("GET", "/api/v2/jobs", key, nil, "")
	if resp.StatusCode != http.StatusNotFound || errCode(t, body) != CodeNotFound {
		t.Errorf("GET /api/v2/jobs: %s %s", resp.Status, body)
	}
	if jobs := mustJobs(t, e.k); len(jobs) != 0 {
		t.Errorf("%d jobs made from refused submissions", len(jobs))
	}
	// Nothing of the refused uploads is left behind.
	left, _ := filepath.Glob(filepath.Join(e.home, "jobs", "upload-*"))
	if len(left) != 0 {
		t.Errorf("uploads left behind: %v", left)
	}
}
