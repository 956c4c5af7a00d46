package threedversetest

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"mime/multipart"
	"net/http"
	"strings"
	"testing"
	"time"
)

// step is the tests' Step: long enough that the real time a test takes never moves a task on, so
// that only Clock().Advance does.
const step = time.Minute

// cred is a credential header and its value; the zero cred sends none.
type cred struct{ header, value string }

func key(v string) cred { return cred{HeaderAPIKey, v} }
func tok(v string) cred { return cred{HeaderUserToken, v} }

var noCred cred

// answer is what the fake answered.
type answer struct {
	status int
	header http.Header
	raw    []byte
}

// obj decodes the answer as a JSON object.
func (a answer) obj(t *testing.T) map[string]any {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal(a.raw, &m); err != nil {
		t.Fatalf("%d %s: not a JSON object: %v", a.status, a.raw, err)
	}
	return m
}

// list decodes the answer as a JSON array of objects.
func (a answer) list(t *testing.T) []map[string]any {
	t.Helper()
	var l []map[string]any
	if err := json.Unmarshal(a.raw, &l); err != nil {
		t.Fatalf("%d %s: not a JSON array: %v", a.status, a.raw, err)
	}
	return l
}

// refused checks that the answer is the refusal status with errorCode code and a message holding
// words, in the API's error shape.
func (a answer) refused(t *testing.T, what string, status int, code, words string) {
	t.Helper()
	var e ErrorBody
	if err := json.Unmarshal(a.raw, &e); err != nil || a.status != status || e.Status != status || e.ErrorCode != code ||
		!strings.Contains(e.Message, words) || a.header.Get("Content-Type") != "application/json" {
		t.Errorf("%s: %d %s, want %d %s %q", what, a.status, a.raw, status, code, words)
	}
}

// call sends one request to the fake, below its URL; body is a JSON string, a *form, or nil.
func call(t *testing.T, s *Server, method, path string, c cred, body any) answer {
	t.Helper()
	return callCtx(context.Background(), t, s, method, path, c, body)
}

func callCtx(ctx context.Context, t *testing.T, s *Server, method, path string, c cred, body any) answer {
	t.Helper()
	var r io.Reader
	ct := ""
	switch b := body.(type) {
	case string:
		r, ct = strings.NewReader(b), "application/json"
	case *form:
		r, ct = bytes.NewReader(b.buf.Bytes()), b.ct
	}
	req, err := http.NewRequestWithContext(ctx, method, s.URL()+path, r)
	if err != nil {
		t.Fatal(err)
	}
	if ct != "" {
		req.Header.Set("Content-Type", ct)
	}
	if c.header != "" {
		req.Header[c.header] = []string{c.value} // as sent, not canonicalized
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return answer{status: -1, raw: []byte(err.Error())}
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	return answer{status: resp.StatusCode, header: resp.Header, raw: raw}
}

// form is a multipart/form-data body.
type form struct {
	buf bytes.Buffer
	ct  string
}

// part is one multipart part: a file when name is not "".
type part struct{ field, name, data string }

func file(field, name, data string) part { return part{field, name, data} }

func multipartBody(t *testing.T, parts ...part) *form {
	t.Helper()
	f := &form{}
	mw := multipart.NewWriter(&f.buf)
	for _, p := range parts {
		var err error
		if p.name == "" {
			err = mw.WriteField(p.field, p.data)
		} else {
			var w io.Writer
			if w, err = mw.CreateFormFile(p.field, p.name); err == nil {
				_, err = io.WriteString(w, p.data)
			}
		}
		if err != nil {
			t.Fatal(err)
		}
	}
	if err := mw.Close(); err != nil {
		t.Fatal(err)
	}
	f.ct = mw.FormDataContentType()
	return f
}

// glb is the start of a binary glTF: enough for the fake.
const glb = "glTF\x02\x00\x00\x00 a model"

// world is a fake with the app's key, its user "kiln" with a write token, and a folder the user
// may write to.
type world struct {
	s      *Server
	key    string
	user   string
	token  string
	folder string
}

func setup(t *testing.T, opts Options) world {
	t.Helper()
	if opts.Step == 0 {
		opts.Step = step
	}
	s := New(t, opts)
	w := world{s: s, key: s.AddAPIKey(KeyOptions{}), user: s.RegisterUser("kiln")}
	w.token = s.UserToken(w.user, AccessWrite, 30*24*time.Hour) // longer than any test advances the clock
	w.folder = s.CreateFolder("Publications").ID
	s.Grant(w.folder, w.user, AccessWrite)
	return w
}

// upload posts parts to the world's folder with its token and returns the upload task's id.
func (w world) upload(t *testing.T, parts ...part) string {
	t.Helper()
	a := call(t, w.s, http.MethodPost, "/folders/"+w.folder+"/source-files", tok(w.token), multipartBody(t, parts...))
	if a.status != http.StatusAccepted {
		t.Fatalf("upload: %d %s", a.status, a.raw)
	}
	id, _ := a.obj(t)["upload_task_id"].(string)
	if id == "" {
		t.Fatalf("upload: no upload_task_id in %s", a.raw)
	}
	return id
}

// task polls the upload task id.
func (w world) task(t *testing.T, id string) map[string]any {
	t.Helper()
	a := call(t, w.s, http.MethodGet, "/upload-tasks/"+id, tok(w.token), nil)
	if a.status != http.StatusOK {
		t.Fatalf("upload task: %d %s", a.status, a.raw)
	}
	return a.obj(t)
}

// conversions are a task's conversion tasks.
func conversions(task map[string]any) []map[string]any {
	var out []map[string]any
	list, _ := task["conversion_tasks"].([]any)
	for _, c := range list {
		m, _ := c.(map[string]any)
		out = append(out, m)
	}
	return out
}
