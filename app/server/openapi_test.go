package server

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"maps"
	"mime"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/santhosh-tekuri/jsonschema/v6"

	"github.com/kiln3d/kiln/providers"
	"github.com/kiln3d/kiln/providers/jobsapi"
	"github.com/kiln3d/kiln/providers/modeltest"
	"github.com/kiln3d/kiln/providers/providertest"
)

// contractURL is where the tests' schema compiler keeps openapi.json; the name is never fetched.
const contractURL = "https://kiln.invalid/openapi.json"

// contract is openapi.json as the tests read it: the document, a compiler of the schemas in it,
// and which answers (operation and status) the test has seen.
type contract struct {
	t       testing.TB
	doc     map[string]any
	c       *jsonschema.Compiler
	schemas map[string]*jsonschema.Schema
	seen    map[string]map[string]bool // "METHOD /path" → status → seen
}

func loadContract(t testing.TB) *contract {
	t.Helper()
	raw, err := jsonschema.UnmarshalJSON(bytes.NewReader(openapiJSON))
	if err != nil {
		t.Fatalf("openapi.json is not JSON: %v", err)
	}
	c := jsonschema.NewCompiler()
	c.DefaultDraft(jsonschema.Draft2020)
	c.AssertFormat()
	if err := c.AddResource(contractURL, raw); err != nil {
		t.Fatal(err)
	}
	return &contract{t: t, doc: raw.(map[string]any), c: c, schemas: map[string]*jsonschema.Schema{}, seen: map[string]map[string]bool{}}
}

// pointer makes a JSON pointer fragment of tokens.
func pointer(tokens ...string) string {
	var b strings.Builder
	b.WriteString("#")
	for _, tok := range tokens {
		b.WriteString("/" + strings.ReplaceAll(strings.ReplaceAll(tok, "~", "~0"), "/", "~1"))
	}
	return b.String()
}

// at returns what the local JSON pointer ptr ("#/a/b") names in the document.
func (c *contract) at(ptr string) any {
	c.t.Helper()
	var v any = c.doc
	for _, tok := range strings.Split(strings.TrimPrefix(ptr, "#/"), "/") {
		tok = strings.ReplaceAll(strings.ReplaceAll(tok, "~1", "/"), "~0", "~")
		m, ok := v.(map[string]any)
		if !ok {
			c.t.Fatalf("openapi.json has nothing at %s", ptr)
		}
		if v, ok = m[tok]; !ok {
			c.t.Fatalf("openapi.json has nothing at %s", ptr)
		}
	}
	return v
}

// follow returns the object at ptr, following $refs, and the pointer it was found at.
func (c *contract) follow(ptr string) (map[string]any, string) {
	c.t.Helper()
	for range 10 {
		m, ok := c.at(ptr).(map[string]any)
		if !ok {
			c.t.Fatalf("openapi.json: %s is not an object", ptr)
		}
		r, ok := m["$ref"].(string)
		if !ok {
			return m, ptr
		}
		ptr = r
	}
	c.t.Fatalf("openapi.json: $refs from %s go round", ptr)
	return nil, ""
}

// schema compiles the schema at ptr.
func (c *contract) schema(ptr string) *jsonschema.Schema {
	c.t.Helper()
	if s, ok := c.schemas[ptr]; ok {
		return s
	}
	s, err := c.c.Compile(contractURL + ptr)
	if err != nil {
		c.t.Fatalf("compile %s: %v", ptr, err)
	}
	c.schemas[ptr] = s
	return s
}

// operations lists the document's operations as "METHOD /path", each with its pointer.
func (c *contract) operations() map[string]string {
	ops := map[string]string{}
	for path, item := range c.doc["paths"].(map[string]any) {
		for method := range item.(map[string]any) {
			switch method {
			case "get", "put", "post", "delete", "patch", "head", "options", "trace":
				ops[strings.ToUpper(method)+" "+path] = pointer("paths", path, method)
			}
		}
	}
	return ops
}

// check holds one real answer of op to the document: its status is one op lists, and the
// answer has the headers and the body that status documents. It returns the decoded body.
func (c *contract) check(op string, resp *http.Response, body []byte) any {
	c.t.Helper()
	ptr, ok := c.operations()[op]
	if !ok {
		c.t.Fatalf("openapi.json has no operation %s", op)
	}
	status := strconv.Itoa(resp.StatusCode)
	responses := c.at(ptr + "/responses").(map[string]any)
	key := status
	if _, ok := responses[key]; !ok {
		key = status[:1] + "XX"
	}
	if _, ok := responses[key]; !ok {
		c.t.Errorf("%s answered %s, which openapi.json does not list for it: %s", op, resp.Status, body)
		return nil
	}
	if c.seen[op] == nil {
		c.seen[op] = map[string]bool{}
	}
	c.seen[op][status] = true
	return c.checkResponse(op+" "+status, ptr+"/responses/"+key, resp, body)
}

// checkResponse holds an answer to the response object at ptr.
func (c *contract) checkResponse(what, ptr string, resp *http.Response, body []byte) any {
	c.t.Helper()
	r, ptr := c.follow(ptr)
	headers, _ := r["headers"].(map[string]any)
	for name := range headers {
		h, hptr := c.follow(ptr + pointer("headers", name)[1:])
		got := resp.Header.Get(name)
		if got == "" {
			if h["required"] == true {
				c.t.Errorf("%s: no %s header, which openapi.json says it always has", what, name)
			}
			continue
		}
		var v any = got
		if s, _ := h["schema"].(map[string]any); s["type"] == "integer" {
			v = json.Number(got)
			if _, err := strconv.Atoi(got); err != nil {
				c.t.Errorf("%s: header %s is %q, not a whole number", what, name, got)
				continue
			}
		}
		if err := c.schema(hptr + "/schema").Validate(v); err != nil {
			c.t.Errorf("%s: header %s %q: %v", what, name, got, err)
		}
	}
	content, _ := r["content"].(map[string]any)
	if len(content) == 0 {
		if len(body) > 0 {
			c.t.Errorf("%s: openapi.json documents no body, but there is one: %.200s", what, body)
		}
		return nil
	}
	mt, _, err := mime.ParseMediaType(resp.Header.Get("Content-Type"))
	if err != nil {
		c.t.Errorf("%s: Content-Type %q: %v", what, resp.Header.Get("Content-Type"), err)
		return nil
	}
	key := ""
	for _, k := range []string{mt, strings.Split(mt, "/")[0] + "/*", "*/*"} {
		if _, ok := content[k]; ok {
			key = k
			break
		}
	}
	if key == "" {
		c.t.Errorf("%s: Content-Type %s, which openapi.json does not list (%v)", what, mt, slices.Sorted(maps.Keys(content)))
		return nil
	}
	if mt != "application/json" {
		return nil
	}
	v, err := jsonschema.UnmarshalJSON(bytes.NewReader(body))
	if err != nil {
		c.t.Errorf("%s: the body is not JSON: %v: %.200s", what, err, body)
		return nil
	}
	sptr := ptr + pointer("content", key, "schema")[1:]
	if err := c.schema(sptr).Validate(v); err != nil {
		c.t.Errorf("%s: the body does not match %s: %v\n%s", what, c.describe(sptr), err, body)
	}
	return v
}

// describe names the schema at ptr: the component it refers to, when it does.
func (c *contract) describe(ptr string) string {
	if m, ok := c.at(ptr).(map[string]any); ok {
		if r, ok := m["$ref"].(string); ok {
			return r
		}
	}
	return ptr
}

// TestOpenAPIRoutes checks that the document has exactly the server's routes, each with the
// scope the server demands, and that every authenticated answer documents the rate-limit headers.
func TestOpenAPIRoutes(t *testing.T) {
	c := loadContract(t)
	if c.doc["openapi"] != "3.1.0" {
		t.Errorf("openapi is %v, not 3.1.0", c.doc["openapi"])
	}
	s := &Server{}
	routes := s.Routes()
	ops := c.operations()
	for _, r := range routes {
		if _, ok := ops[r]; !ok {
			t.Errorf("the server answers %s, which openapi.json does not describe", r)
		}
	}
	for op := range ops {
		if !slices.Contains(routes, op) {
			t.Errorf("openapi.json describes %s, which the server does not answer", op)
		}
	}
	for _, rt := range s.table() {
		op := rt.method + " " + rt.pattern
		ptr, ok := ops[op]
		if !ok {
			continue
		}
		o := c.at(ptr).(map[string]any)
		security, ok := o["security"].([]any)
		if !ok {
			t.Errorf("%s: no security of its own", op)
		}
		scope, _ := o["x-required-scope"].(string)
		desc, _ := o["description"].(string)
		switch {
		case rt.scope == "" && (len(security) != 0 || scope != ""):
			t.Errorf("%s needs no key, but openapi.json asks for %v (x-required-scope %q)", op, security, scope)
		case rt.scope != "" && len(security) == 0:
			t.Errorf("%s needs a key, but openapi.json asks for none", op)
		case scope != string(rt.scope):
			t.Errorf("%s needs the scope %q, but its x-required-scope is %q", op, rt.scope, scope)
		case rt.scope != "" && !strings.Contains(desc, "Requires the scope `"+string(rt.scope)+"`"):
			t.Errorf("%s: the description does not say it requires the scope %s", op, rt.scope)
		}
		for status := range o["responses"].(map[string]any) {
			r, _ := c.follow(ptr + pointer("responses", status)[1:])
			headers, _ := r["headers"].(map[string]any)
			if rt.scope != "" {
				for _, h := range []string{"x-ratelimit-limit", "x-ratelimit-remaining", "x-ratelimit-reset"} {
					if headers[h] == nil {
						t.Errorf("%s %s: no %s header documented", op, status, h)
					}
				}
			}
			if (status == "201" || status == "202") && headers["Location"] == nil {
				t.Errorf("%s %s: no Location header documented", op, status)
			}
		}
	}
}

// TestOpenAPIEnums checks the document's lists of codes, statuses, scopes and views against the
// server's own.
func TestOpenAPIEnums(t *testing.T) {
	c := loadContract(t)
	enum := func(name string) []string {
		var out []string
		for _, v := range c.at(pointer("components", "schemas", name, "enum")).([]any) {
			out = append(out, v.(string))
		}
		return out
	}
	same := func(what string, doc, code []string) {
		t.Helper()
		slices.Sort(doc)
		slices.Sort(code)
		if !slices.Equal(doc, code) {
			t.Errorf("%s: openapi.json lists %v, the server %v", what, doc, code)
		}
	}
	same("error codes", enum("ErrorCode"), constants(t, "api.go", "Code", ""))
	same("failure kinds", enum("FailureKind"), append(constants(t, "../failure.go", "", "FailureKind"), "failed"))
	same("job statuses", enum("JobStatus"), []string{jobsapi.StatusQueued, jobsapi.StatusRunning, jobsapi.StatusDone, jobsapi.StatusFailed, jobsapi.StatusCancelled})
	var scopes []string
	for _, s := range Scopes {
		scopes = append(scopes, string(s))
	}
	same("scopes", enum("Scope"), scopes)
	var views []string
	for _, v := range c.at(pointer("components", "schemas", "SubmissionFields", "properties", "view", "items", "enum")).([]any) {
		views = append(views, v.(string))
	}
	same("views", views, append(slices.Clone(providers.Views), ""))
}

// constants reads the string constants of a Go file whose names start with prefix or whose type
// is typ.
func constants(t *testing.T, file, prefix, typ string) []string {
	t.Helper()
	f, err := parser.ParseFile(token.NewFileSet(), file, nil, 0)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, d := range f.Decls {
		g, ok := d.(*ast.GenDecl)
		if !ok || g.Tok != token.CONST {
			continue
		}
		for _, spec := range g.Specs {
			vs := spec.(*ast.ValueSpec)
			typed := false
			if id, ok := vs.Type.(*ast.Ident); ok && typ != "" && id.Name == typ {
				typed = true
			}
			for i, name := range vs.Names {
				wanted := typed || (prefix != "" && strings.HasPrefix(name.Name, prefix))
				if i >= len(vs.Values) || !wanted {
					continue
				}
				if lit, ok := vs.Values[i].(*ast.BasicLit); ok && lit.Kind == token.STRING {
					v, _ := strconv.Unquote(lit.Value)
					out = append(out, v)
				}
			}
		}
	}
	if len(out) == 0 {
		t.Fatalf("no constants found in %s", file)
	}
	return out
}

// TestOpenAPIAnswers makes, for every operation, a real request for each status the document
// lists (but 500) and holds each answer to the document: status, headers and body.
func TestOpenAPIAnswers(t *testing.T) {
	start := time.Now()
	c := loadContract(t)
	e := newTestEnv(t, Options{Rate: 1000, Burst: 1000}, func(f *providertest.Fake) {
		f.Gate = make(chan struct{})
		f.Steps = 1
		f.Caps.Prompt = true
		f.CollectErr = fmt.Errorf("fake: %w", providers.ErrGenerationFailed)
	})
	gateOpen := false
	openGate := func() {
		if !gateOpen {
			gateOpen = true
			close(e.fake.Gate)
		}
	}
	t.Cleanup(openGate)
	ctx := context.Background()
	newKey := func(scopes ...Scope) NewKey {
		k, err := e.s.Keys.Create(ctx, "openapi test", scopes)
		if err != nil {
			t.Fatal(err)
		}
		return k
	}
	all := newKey(ScopeJobsRead, ScopeJobsWrite, ScopeKeysAdmin)
	other := newKey(ScopeJobsRead, ScopeJobsWrite)

	// expect holds an answer to the document, failing when its status is not the one the
	// request was made to get, and returns the JSON object of its body.
	expect := func(op string, want int, resp *http.Response, body []byte) map[string]any {
		t.Helper()
		if resp.StatusCode != want {
			t.Errorf("%s: %s, want %d: %s", op, resp.Status, want, body)
		}
		m, _ := c.check(op, resp, body).(map[string]any)
		return m
	}
	do := func(method, path, secret string, body []byte, ctype string, header ...string) (*http.Response, []byte) {
		t.Helper()
		return e.do(method, path, secret, bytes.NewReader(body), ctype, header...)
	}
	img := e.image("mug.png")
	local := form{fields: [][2]string{{"polycount", "600"}}, images: []string{img}}
	fake := form{fields: [][2]string{{"provider", "fake"}}, images: []string{img}}

	// The public routes.
	resp, body := do("GET", "/", "", nil, "")
	expect("GET /", 200, resp, body)
	resp, body = do("GET", "/api/v1/openapi", "", nil, "")
	expect("GET /api/v1/openapi", 200, resp, body)
	if !bytes.Equal(body, openapiJSON) {
		t.Error("GET /api/v1/openapi is not openapi.json")
	}
	resp, body = do("GET", "/api/v1/postman", "", nil, "")
	expect("GET /api/v1/postman", 200, resp, body)

	// 401 and 403 for every operation that needs a key; 401 with a bearer token too.
	for _, rt := range e.s.table() {
		if rt.scope == "" {
			continue
		}
		op := rt.method + " " + rt.pattern
		path := strings.NewReplacer("{id}", "x", "{name}", "x").Replace(rt.pattern)
		resp, body := do(rt.method, path, "", nil, "")
		expect(op, 401, resp, body)
		resp, body = do(rt.method, path, "", nil, "", "Authorization", "Bearer kiln_00000000_"+strings.Repeat("A", 43))
		expect(op, 401, resp, body)
		var lacking []Scope
		for _, s := range Scopes {
			if s != rt.scope {
				lacking = append(lacking, s)
			}
		}
		resp, body = do(rt.method, path, newKey(lacking...).Secret, nil, "")
		if expect(op, 403, resp, body) != nil && errCode(t, body) != CodeMissingScope {
			t.Errorf("%s without its scope: %s", op, body)
		}
	}

	// Providers, with a bearer token.
	resp, body = do("GET", "/api/v1/providers", "", nil, "", "Authorization", "Bearer "+all.Secret)
	expect("GET /api/v1/providers", 200, resp, body)

	// Submissions.
	const submitOp, processOp = "POST /api/v1/jobs", "POST /api/v1/process"
	resp, body = e.post("/api/v1/jobs", all.Secret, local)
	done := expect(submitOp, 202, resp, body)
	doneID, _ := done["id"].(string)
	if loc := resp.Header.Get("Location"); loc != "/api/v1/jobs/"+doneID {
		t.Errorf("Location %q for job %s", loc, doneID)
	}
	// Before the fake's jobs, which hold both workers until the gate opens.
	resp, body = e.post("/api/v1/process", all.Secret, form{fields: [][2]string{{"polycount", "600"}, {"timeout", "60"}}, images: []string{img}})
	if j := expect(processOp, 200, resp, body); j["status"] != jobsapi.StatusDone {
		t.Errorf("POST /process: %s", body)
	}
	resp, body = e.post("/api/v1/jobs", all.Secret, fake, "Idempotency-Key", "once")
	running := expect(submitOp, 202, resp, body)
	runningID, _ := running["id"].(string)
	resp, body = e.post("/api/v1/jobs", all.Secret, fake, "Idempotency-Key", "once")
	if again := expect(submitOp, 202, resp, body); again["id"] != runningID || resp.Header.Get("Idempotent-Replayed") != "true" {
		t.Errorf("sent again: %s (Idempotent-Replayed %q), first %s", body, resp.Header.Get("Idempotent-Replayed"), runningID)
	}
	prompt := url.Values{"provider": {"fake"}, "prompt": {"a mug"}}.Encode()
	resp, body = do("POST", "/api/v1/jobs", all.Secret, []byte(prompt), "application/x-www-form-urlencoded")
	expect(submitOp, 202, resp, body)
	resp, body = e.post("/api/v1/process", all.Secret, form{fields: [][2]string{{"provider", "fake"}, {"timeout", "1"}}, images: []string{img}})
	waited := expect(processOp, 202, resp, body)
	failingID, _ := waited["id"].(string)

	// Refused submissions, to both routes.
	notImage := filepath.Join(t.TempDir(), "notes.png")
	if err := os.WriteFile(notImage, []byte("not a picture"), 0o600); err != nil {
		t.Fatal(err)
	}
	for _, r := range []struct {
		op, path string
		status   int
		code     string
		f        form
		header   []string
	}{
		{submitOp, "/api/v1/jobs", 400, CodeInvalidRequest, form{fields: [][2]string{{"colour", "red"}}, images: []string{img}}, nil},
		{submitOp, "/api/v1/jobs", 400, CodeUnknownProvider, form{fields: [][2]string{{"provider", "nobody"}}, images: []string{img}}, nil},
		{submitOp, "/api/v1/jobs", 400, CodeInvalidImage, form{images: []string{notImage}}, nil},
		{submitOp, "/api/v1/jobs", 400, CodeInvalidWebhookURL, form{fields: [][2]string{{"webhookUrl", "http://example.com/hook"}}, images: []string{img}}, nil},
		{submitOp, "/api/v1/jobs", 400, CodeInvalidRequest, local, []string{"Idempotency-Key", "two words"}},
		{submitOp, "/api/v1/jobs", 409, CodeIdempotencyConflict, local, []string{"Idempotency-Key", "once"}},
		{processOp, "/api/v1/process", 400, CodeInvalidRequest, form{fields: [][2]string{{"timeout", "0"}}, images: []string{img}}, nil},
		{processOp, "/api/v1/process", 400, CodeInvalidImage, form{images: []string{notImage}}, nil},
	} {
		resp, body := e.post(r.path, all.Secret, r.f, r.header...)
		if expect(r.op, r.status, resp, body) != nil && errCode(t, body) != r.code {
			t.Errorf("%s: %s, want %s", r.op, body, r.code)
		}
	}
	resp, body = e.post("/api/v1/process", all.Secret, form{fields: [][2]string{{"provider", "fake"}, {"timeout", "1"}}, images: []string{img}}, "Idempotency-Key", "p")
	expect(processOp, 202, resp, body)
	resp, body = e.post("/api/v1/process", all.Secret, local, "Idempotency-Key", "p")
	if expect(processOp, 409, resp, body) != nil && errCode(t, body) != CodeIdempotencyConflict {
		t.Errorf("POST /process with a used Idempotency-Key: %s", body)
	}
	for _, r := range []struct{ op, path, idem string }{{submitOp, "/api/v1/jobs", "busy"}, {processOp, "/api/v1/process", "process:busy"}} {
		// A request with this Idempotency-Key is being answered: claim it as that request would.
		b, ctype := local.encode(t)
		req := httptest.NewRequest("POST", r.path, b)
		req.Header.Set("Content-Type", ctype)
		sub, err := e.s.readSubmission(httptest.NewRecorder(), req)
		if err != nil {
			t.Fatal(err)
		}
		os.RemoveAll(sub.dir)
		if first, err := e.s.idem.begin(ctx, all.ID, r.idem, sub.hash); first != nil || err != nil {
			t.Fatalf("claim %s: %v %v", r.idem, first, err)
		}
		resp, body := e.post(r.path, all.Secret, local, "Idempotency-Key", "busy")
		if expect(r.op, 409, resp, body) != nil && errCode(t, body) != CodeIdempotencyInProgress {
			t.Errorf("%s while the first is answered: %s", r.op, body)
		}
	}
	for _, path := range []string{"/api/v1/jobs", "/api/v1/process"} {
		resp, body := do("POST", path, all.Secret, []byte("a mug"), "text/plain")
		expect("POST "+path, 415, resp, body)
	}

	// Jobs: lists, one, cancel, files.
	if _, err := e.k.Jobs.Wait(ctx, doneID); err != nil {
		t.Fatal(err)
	}
	resp, body = do("GET", "/api/v1/jobs", all.Secret, nil, "")
	expect("GET /api/v1/jobs", 200, resp, body)
	resp, body = do("GET", "/api/v1/jobs?limit=1", all.Secret, nil, "")
	page := expect("GET /api/v1/jobs", 200, resp, body)
	if page["next_cursor"] == nil {
		t.Errorf("GET /api/v1/jobs?limit=1: no next_cursor: %s", body)
	} else {
		resp, body = do("GET", "/api/v1/jobs?limit=1&cursor="+url.QueryEscape(page["next_cursor"].(string)), all.Secret, nil, "")
		expect("GET /api/v1/jobs", 200, resp, body)
	}
	resp, body = do("GET", "/api/v1/jobs?limit=0", all.Secret, nil, "")
	expect("GET /api/v1/jobs", 400, resp, body)

	resp, body = do("GET", "/api/v1/jobs/"+doneID, all.Secret, nil, "")
	job := expect("GET /api/v1/jobs/{id}", 200, resp, body)
	resp, body = do("GET", "/api/v1/jobs/"+doneID, other.Secret, nil, "")
	expect("GET /api/v1/jobs/{id}", 404, resp, body)
	resp, body = do("DELETE", "/api/v1/jobs/"+runningID, all.Secret, nil, "")
	if j := expect("DELETE /api/v1/jobs/{id}", 200, resp, body); j["status"] != jobsapi.StatusCancelled {
		t.Errorf("DELETE a running job: %s", body)
	}
	resp, body = do("DELETE", "/api/v1/jobs/"+doneID, all.Secret, nil, "")
	expect("DELETE /api/v1/jobs/{id}", 409, resp, body)
	resp, body = do("DELETE", "/api/v1/jobs/nope", all.Secret, nil, "")
	expect("DELETE /api/v1/jobs/{id}", 404, resp, body)

	const fileOp = "GET /api/v1/jobs/{id}/files/{name}"
	files, _ := job["files"].([]any)
	if len(files) == 0 {
		t.Fatalf("a done job without files: %v", job)
	}
	for _, f := range files {
		u, _ := f.(map[string]any)["url"].(string)
		resp, body = do("GET", strings.TrimPrefix(u, e.ts.URL), all.Secret, nil, "")
		expect(fileOp, 200, resp, body)
	}
	model := strings.TrimPrefix(files[0].(map[string]any)["url"].(string), e.ts.URL)
	for _, r := range []struct {
		status int
		header []string
	}{
		{206, []string{"Range", "bytes=0-9"}},
		{304, []string{"If-Modified-Since", time.Now().Add(time.Hour).UTC().Format(http.TimeFormat)}},
		{412, []string{"If-Unmodified-Since", time.Now().Add(-24 * time.Hour).UTC().Format(http.TimeFormat)}},
		{416, []string{"Range", "bytes=1000000000-"}},
	} {
		resp, body = do("GET", model, all.Secret, nil, "", r.header...)
		expect(fileOp, r.status, resp, body)
	}
	resp, body = do("GET", "/api/v1/jobs/"+doneID+"/files/nope.glb", all.Secret, nil, "")
	expect(fileOp, 404, resp, body)
	resp, body = do("GET", "/api/v1/jobs/"+runningID+"/files/model.glb", all.Secret, nil, "")
	expect(fileOp, 404, resp, body)

	// A failed job (the fake fails once let through).
	openGate()
	if _, err := e.k.Jobs.Wait(ctx, failingID); err != nil {
		t.Fatal(err)
	}
	resp, body = do("GET", "/api/v1/jobs/"+failingID, all.Secret, nil, "")
	if j := expect("GET /api/v1/jobs/{id}", 200, resp, body); j["status"] != jobsapi.StatusFailed {
		t.Errorf("the fake's job: %s", body)
	}

	// Keys.
	resp, body = do("GET", "/api/v1/keys", all.Secret, nil, "")
	expect("GET /api/v1/keys", 200, resp, body)
	resp, body = do("POST", "/api/v1/keys", all.Secret, []byte(`{"name": "ci", "scopes": ["jobs:read"]}`), "application/json")
	made := expect("POST /api/v1/keys", 201, resp, body)
	madeID, _ := made["id"].(string)
	if loc := resp.Header.Get("Location"); loc != "/api/v1/keys/"+madeID {
		t.Errorf("Location %q for key %s", loc, madeID)
	}
	resp, body = do("POST", "/api/v1/keys", all.Secret, []byte(`{"name": "ci", "scopes": ["everything"]}`), "application/json")
	expect("POST /api/v1/keys", 400, resp, body)
	resp, body = do("POST", "/api/v1/keys", all.Secret, []byte(`name=ci`), "application/x-www-form-urlencoded")
	expect("POST /api/v1/keys", 415, resp, body)
	resp, body = do("DELETE", "/api/v1/keys/"+madeID, all.Secret, nil, "")
	if k := expect("DELETE /api/v1/keys/{id}", 200, resp, body); k["status"] != "revoked" {
		t.Errorf("DELETE a key: %s", body)
	}
	resp, body = do("DELETE", "/api/v1/keys/00000000", all.Secret, nil, "")
	expect("DELETE /api/v1/keys/{id}", 404, resp, body)
	resp, body = do("GET", "/api/v1/keys", made["secret"].(string), nil, "")
	expect("GET /api/v1/keys", 401, resp, body)

	// Paths the API does not have, and methods its paths do not answer.
	resp, body = do("GET", "/api/v1/nothing", all.Secret, nil, "")
	if resp.StatusCode != 404 {
		t.Errorf("GET /api/v1/nothing: %s", resp.Status)
	}
	c.checkResponse("GET /api/v1/nothing", pointer("components", "responses", "NotFoundAnywhere"), resp, body)
	for path, item := range c.doc["paths"].(map[string]any) {
		var methods []string
		for _, m := range []string{"GET", "POST", "DELETE"} {
			if item.(map[string]any)[strings.ToLower(m)] != nil {
				methods = append(methods, m)
			}
		}
		resp, body := do("PUT", strings.NewReplacer("{id}", "x", "{name}", "x").Replace(path), all.Secret, nil, "")
		if resp.StatusCode != 405 || resp.Header.Get("Allow") != strings.Join(methods, ", ") {
			t.Errorf("PUT %s: %s, Allow %q (openapi.json has %v)", path, resp.Status, resp.Header.Get("Allow"), methods)
		}
		c.checkResponse("PUT "+path, pointer("components", "responses", "MethodNotAllowed"), resp, body)
	}

	// A tight server: small uploads, two requests per key, a provider without its credential.
	tight := newTestEnv(t, Options{MaxUpload: 8 << 10, Rate: 0.001, Burst: 2}, func(f *providertest.Fake) { f.Caps.NeedsKey = true })
	tightKey := func() string {
		k, err := tight.s.Keys.Create(ctx, "tight", Scopes)
		if err != nil {
			t.Fatal(err)
		}
		return k.Secret
	}
	resp, body = tight.do("GET", "/api/v1/providers", tightKey(), nil, "")
	expect("GET /api/v1/providers", 200, resp, body)
	for _, path := range []string{"/api/v1/jobs", "/api/v1/process"} {
		resp, body := tight.post(path, tightKey(), fake)
		if expect("POST "+path, 409, resp, body) != nil && errCode(t, body) != CodeProviderNotReady {
			t.Errorf("POST %s to a provider without its credential: %s", path, body)
		}
		resp, body = tight.post(path, tightKey(), form{fields: [][2]string{{"prompt", strings.Repeat("a mug ", 2000)}}, images: []string{img}})
		expect("POST "+path, 413, resp, body)
	}
	for _, rt := range tight.s.table() {
		if rt.scope == "" {
			continue
		}
		op, path := rt.method+" "+rt.pattern, strings.NewReplacer("{id}", "x", "{name}", "x").Replace(rt.pattern)
		key := tightKey()
		for range 2 {
			tight.do(rt.method, path, key, nil, "")
		}
		resp, body := tight.do(rt.method, path, key, nil, "")
		expect(op, 429, resp, body)
	}
	for range 2 {
		tight.do("GET", "/api/v1/keys", "", nil, "")
	}
	resp, body = tight.do("GET", "/api/v1/keys", "", nil, "")
	expect("GET /api/v1/keys", 429, resp, body)

	// Draining: submissions are refused.
	e.s.Drain()
	for _, path := range []string{"/api/v1/jobs", "/api/v1/process"} {
		resp, body := e.post(path, all.Secret, local)
		expect("POST "+path, 503, resp, body)
	}

	// Every status the document lists was answered (but 500, which no well server gives).
	for op, ptr := range c.operations() {
		for status := range c.at(ptr + "/responses").(map[string]any) {
			if status != "500" && !c.seen[op][status] {
				t.Errorf("%s: openapi.json lists %s, which the test never got", op, status)
			}
		}
	}
	t.Logf("%d operations checked in %s", len(c.seen), time.Since(start).Round(time.Millisecond))
}

// TestPostmanCollection checks that GET /api/v1/postman is a v2.1 collection with one request
// per operation of the document, each with its method, path, key header and body.
func TestPostmanCollection(t *testing.T) {
	c := loadContract(t)
	e := newTestEnv(t, Options{})
	resp, body := e.do("GET", "/api/v1/postman", "", nil, "")
	if resp.StatusCode != 200 || resp.Header.Get("Content-Type") != "application/json" {
		t.Fatalf("GET /api/v1/postman: %s %s", resp.Status, resp.Header.Get("Content-Type"))
	}
	var col struct {
		Info struct{ Name, Schema string }
		Item []struct {
			Name string
			Item []struct {
				Name    string
				Request struct {
					Method string
					Header []struct{ Key, Value string }
					URL    struct {
						Raw      string
						Host     []string
						Path     []string
						Variable []struct{ Key string }
					}
					Body *struct {
						Mode     string
						Raw      string
						Formdata []struct{ Key, Type string }
					}
				}
			}
		}
		Variable []struct{ Key, Value string }
	}
	if err := json.Unmarshal(body, &col); err != nil {
		t.Fatal(err)
	}
	if col.Info.Schema != postmanSchema || col.Info.Name != "Kiln jobs API" {
		t.Errorf("info: %+v", col.Info)
	}
	vars := map[string]string{}
	for _, v := range col.Variable {
		vars[v.Key] = v.Value
	}
	if vars["baseUrl"] != e.ts.URL {
		t.Errorf("baseUrl %q, want %q", vars["baseUrl"], e.ts.URL)
	}
	if _, ok := vars["apiKey"]; !ok {
		t.Error("no apiKey variable")
	}
	ops := c.operations()
	seen := map[string]bool{}
	for _, folder := range col.Item {
		for _, it := range folder.Item {
			r := it.Request
			path := "/" + strings.Join(r.URL.Path, "/")
			for _, v := range r.URL.Variable {
				path = strings.Replace(path, ":"+v.Key, "{"+v.Key+"}", 1)
			}
			op := r.Method + " " + path
			ptr, ok := ops[op]
			if !ok {
				t.Errorf("%q: %s is not an operation of openapi.json", it.Name, op)
				continue
			}
			if seen[op] {
				t.Errorf("%s twice", op)
			}
			seen[op] = true
			o := c.at(ptr).(map[string]any)
			if tags := o["tags"].([]any); folder.Name != tags[0] {
				t.Errorf("%s in folder %s, tagged %v", op, folder.Name, tags)
			}
			if r.URL.Raw != "{{baseUrl}}/"+strings.Join(r.URL.Path, "/") || !slices.Equal(r.URL.Host, []string{"{{baseUrl}}"}) {
				t.Errorf("%s: url %q host %v", op, r.URL.Raw, r.URL.Host)
			}
			keyed := slices.ContainsFunc(r.Header, func(h struct{ Key, Value string }) bool {
				return h.Key == "x-api-key" && h.Value == "{{apiKey}}"
			})
			if secured := len(o["security"].([]any)) > 0; keyed != secured {
				t.Errorf("%s: x-api-key header %v, security %v", op, keyed, o["security"])
			}
			content, _ := c.at(ptr).(map[string]any)["requestBody"].(map[string]any)
			switch {
			case content == nil:
				if r.Body != nil {
					t.Errorf("%s has a body", op)
				}
			case content["content"].(map[string]any)["multipart/form-data"] != nil:
				if r.Body == nil || r.Body.Mode != "formdata" || !slices.ContainsFunc(r.Body.Formdata, func(f struct{ Key, Type string }) bool {
					return f.Key == "image" && f.Type == "file"
				}) {
					t.Errorf("%s: not a form with an image file: %+v", op, r.Body)
				}
			default:
				if r.Body == nil || r.Body.Mode != "raw" {
					t.Fatalf("%s: no raw body", op)
				}
				v, err := jsonschema.UnmarshalJSON(strings.NewReader(r.Body.Raw))
				if err != nil {
					t.Fatalf("%s: body %q: %v", op, r.Body.Raw, err)
				}
				if err := c.schema(pointer("paths", path, "post", "requestBody", "content", "application/json", "schema")).Validate(v); err != nil {
					t.Errorf("%s: the example body does not match: %v", op, err)
				}
			}
		}
	}
	for op := range ops {
		if !seen[op] {
			t.Errorf("the collection has no request for %s", op)
		}
	}
	if len(seen) != len(ops) {
		t.Errorf("%d requests for %d operations", len(seen), len(ops))
	}
}

// TestOpenAPIValidator runs a standard validator (@apidevtools/swagger-parser) over the document,
// and over a broken copy, which it must refuse.
func TestOpenAPIValidator(t *testing.T) {
	dir := modeltest.ToolsDir(t, filepath.Join("node_modules", "@apidevtools", "swagger-parser"))
	if dir == "" {
		return
	}
	node := modeltest.Node(t)
	if node == "" {
		return
	}
	validate := func(file string) (string, error) {
		cmd := exec.Command(node, filepath.Join("testdata", "openapi-validate.cjs"), file)
		cmd.Env = append(os.Environ(), "NODE_PATH="+filepath.Join(dir, "node_modules"))
		out, err := cmd.CombinedOutput()
		return string(out), err
	}
	if out, err := validate("openapi.json"); err != nil {
		t.Fatalf("swagger-parser refuses openapi.json: %v\n%s", err, out)
	}
	broken := filepath.Join(t.TempDir(), "openapi.json")
	data := bytes.Replace(openapiJSON, []byte(`"#/components/schemas/Job"`), []byte(`"#/components/schemas/Jobb"`), 1)
	if err := os.WriteFile(broken, data, 0o600); err != nil {
		t.Fatal(err)
	}
	if out, err := validate(broken); err == nil {
		t.Fatalf("swagger-parser accepts a document with a dangling $ref: %s", out)
	}
}
