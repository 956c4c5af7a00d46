package rodintest

import (
	"bytes"
	"encoding/json"
	"image"
	"image/color"
	"image/jpeg"
	"image/png"
	"io"
	"mime/multipart"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"
)

// client speaks to a fake over plain net/http, the way the documentation's samples do.
type client struct {
	t   *testing.T
	s   *Server
	key string
}

func newClient(t *testing.T, o Options) *client {
	t.Helper()
	if o.BasePath == "" {
		o.BasePath = TestBasePath
	}
	if o.Now == nil {
		// A clock that stands still: only Advance moves it, so statuses are exact.
		at := time.Date(2025, 6, 1, 12, 0, 0, 0, time.UTC)
		o.Now = func() time.Time { return at }
	}
	s := NewWith(t, o)
	return &client{t: t, s: s, key: s.Key}
}

// answer is a reply: its status, headers, body, and the body as JSON when it is.
type answer struct {
	status int
	header http.Header
	raw    []byte
	json   map[string]any
}

// str is a string member of the JSON body.
func (a answer) str(key string) string { s, _ := a.json[key].(string); return s }

func (c *client) do(method, route string, body io.Reader, ct string) answer {
	c.t.Helper()
	req, err := http.NewRequest(method, c.s.URL+"/"+route, body)
	if err != nil {
		c.t.Fatal(err)
	}
	if ct != "" {
		req.Header.Set("Content-Type", ct)
	}
	if c.key != "" {
		req.Header.Set("Authorization", "Bearer "+c.key)
	}
	return c.send(req)
}

func (c *client) send(req *http.Request) answer {
	c.t.Helper()
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		c.t.Fatal(err)
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(resp.Body)
	if err != nil {
		c.t.Fatal(err)
	}
	a := answer{status: resp.StatusCode, header: resp.Header, raw: data}
	_ = json.Unmarshal(data, &a.json)
	return a
}

func (c *client) postJSON(route string, v any) answer {
	c.t.Helper()
	data, _ := json.Marshal(v)
	return c.do(http.MethodPost, route, bytes.NewReader(data), "application/json")
}

// part is one multipart part: a text field, or a file when name is set.
type part struct {
	field, name, value string
	data               []byte
}

func field(name, value string) part { return part{field: name, value: value} }

func file(fieldName, name string, data []byte) part {
	return part{field: fieldName, name: name, data: data}
}

// multipartBody writes parts in order.
func multipartBody(parts ...part) (*bytes.Buffer, string) {
	var b bytes.Buffer
	mw := multipart.NewWriter(&b)
	for _, p := range parts {
		if p.name == "" {
			_ = mw.WriteField(p.field, p.value)
			continue
		}
		w, _ := mw.CreateFormFile(p.field, p.name)
		_, _ = w.Write(p.data)
	}
	_ = mw.Close()
	return &b, mw.FormDataContentType()
}

func (c *client) post(route string, parts ...part) answer {
	c.t.Helper()
	body, ct := multipartBody(parts...)
	return c.do(http.MethodPost, route, body, ct)
}

// submitted submits parts to /rodin and returns the task uuid and subscription key.
func (c *client) submitted(parts ...part) (string, string) {
	c.t.Helper()
	a := c.post(RouteSubmit, parts...)
	if a.status != http.StatusCreated {
		c.t.Fatalf("/rodin: %d %s", a.status, a.raw)
	}
	jobs, _ := a.json["jobs"].(map[string]any)
	key, _ := jobs["subscription_key"].(string)
	return a.str("uuid"), key
}

// statuses asks /status and returns the jobs' statuses in order.
func (c *client) statuses(key string) []string {
	c.t.Helper()
	a := c.postJSON(RouteStatus, map[string]string{"subscription_key": key})
	if a.status != http.StatusCreated {
		c.t.Fatalf("/status: %d %s", a.status, a.raw)
	}
	var out []string
	for _, j := range a.json["jobs"].([]any) {
		out = append(out, j.(map[string]any)["status"].(string))
	}
	return out
}

// listed asks /download and returns the list's names and links.
func (c *client) listed(taskUUID string) (names, links []string) {
	c.t.Helper()
	a := c.postJSON(RouteDownload, map[string]string{"task_uuid": taskUUID})
	if a.status != http.StatusCreated {
		c.t.Fatalf("/download: %d %s", a.status, a.raw)
	}
	for _, f := range a.json["list"].([]any) {
		m := f.(map[string]any)
		names, links = append(names, m["name"].(string)), append(links, m["url"].(string))
	}
	return names, links
}

// get fetches a link with no credentials, as a download should.
func get(t *testing.T, link string) answer {
	t.Helper()
	resp, err := http.Get(link)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	data, _ := io.ReadAll(resp.Body)
	return answer{status: resp.StatusCode, header: resp.Header, raw: data}
}

// pngOf is a small PNG of one colour.
func pngOf(c color.Color) []byte {
	img := image.NewNRGBA(image.Rect(0, 0, 8, 6))
	for y := range 6 {
		for x := range 8 {
			img.Set(x, y, c)
		}
	}
	var b bytes.Buffer
	_ = png.Encode(&b, img)
	return b.Bytes()
}

func jpegOf(c color.Color) []byte {
	img := image.NewRGBA(image.Rect(0, 0, 8, 8))
	for i := 0; i < len(img.Pix); i += 4 {
		r, g, b, _ := c.RGBA()
		img.Pix[i], img.Pix[i+1], img.Pix[i+2], img.Pix[i+3] = uint8(r>>8), uint8(g>>8), uint8(b>>8), 255
	}
	var b bytes.Buffer
	_ = jpeg.Encode(&b, img, nil)
	return b.Bytes()
}

var red = color.NRGBA{R: 220, G: 30, B: 30, A: 255}

// finished submits one image, moves the clock past the generation and returns the task uuid.
func (c *client) finished(parts ...part) string {
	c.t.Helper()
	if len(parts) == 0 {
		parts = []part{file("images", "chair.png", pngOf(red)), field("tier", "Gen-2.5-Medium")}
	}
	id, _ := c.submitted(parts...)
	c.s.Advance(c.s.opts.Generation)
	return id
}

// linkNamed returns the link listed under name.
func linkNamed(t *testing.T, names, links []string, name string) string {
	t.Helper()
	for i, n := range names {
		if n == name {
			return links[i]
		}
	}
	t.Fatalf("no %s in %v", name, names)
	return ""
}

func formBody(v url.Values) (io.Reader, string) {
	return strings.NewReader(v.Encode()), "application/x-www-form-urlencoded"
}
