package threedversetest

import (
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"
)

func TestURLAndLoopback(t *testing.T) {
	s := New(t, Options{})
	if !strings.HasPrefix(s.URL(), "http://127.0.0.1:") || !strings.HasSuffix(s.URL(), "/app/v1") {
		t.Errorf("URL %s", s.URL())
	}
	for _, addr := range []string{"0.0.0.0:0", "192.0.2.1:80", ":0", "nonsense"} {
		if srv, err := Start(Options{Addr: addr}); err == nil {
			srv.Close()
			t.Errorf("listened on %s", addr)
		}
	}
	srv, err := Start(Options{Addr: "localhost:0"})
	if err != nil {
		t.Fatal(err)
	}
	srv.Close()
	srv.Close() // a second Close does nothing
}

func TestAuthHeaders(t *testing.T) {
	w := setup(t, Options{})
	s := w.s
	for _, c := range []struct {
		what  string
		cred  cred
		route string
	}{
		{"api_key", cred{"api_key", w.key}, "/users"},
		{"API_KEY", cred{"API_KEY", w.key}, "/users"},
		{"Api-Key is another header", cred{"Api-Key", w.key}, ""},
		{"user_token", cred{"user_token", w.token}, "/folders/" + w.folder + "/assets"},
		{"User_Token", cred{"User_Token", w.token}, "/folders/" + w.folder + "/assets"},
	} {
		path := c.route
		if path == "" {
			call(t, s, http.MethodGet, "/users", c.cred, nil).refused(t, c.what, 401, "unauthorized", MsgNoCredentials)
			continue
		}
		if a := call(t, s, http.MethodGet, path, c.cred, nil); a.status != 200 {
			t.Errorf("%s: %d %s", c.what, a.status, a.raw)
		}
	}
	call(t, s, http.MethodGet, "/folders", noCred, nil).refused(t, "no credentials", 401, "unauthorized", MsgNoCredentials)
	call(t, s, http.MethodGet, "/folders", key(" "), nil).refused(t, "a blank key", 401, "unauthorized", MsgNoCredentials)
	call(t, s, http.MethodGet, "/folders", key("nope"), nil).refused(t, "unknown key", 401, "unauthorized", MsgUnknownKey)
	call(t, s, http.MethodGet, "/folders", tok("nope"), nil).refused(t, "unknown token", 401, "unauthorized", MsgUnknownToken)

	// Both at once.
	req, _ := http.NewRequest(http.MethodGet, s.URL()+"/folders", nil)
	req.Header.Set("api_key", w.key)
	req.Header.Set("user_token", w.token)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 400 {
		t.Errorf("both credentials: %d", resp.StatusCode)
	}
	if got := s.Requests(RouteFoldersList); got[len(got)-1].Auth != "api_key+user_token" {
		t.Errorf("recorded auth %q", got[len(got)-1].Auth)
	}
}

// TestWhoCallsWhat sends every route the credential it does not take.
func TestWhoCallsWhat(t *testing.T) {
	w := setup(t, Options{})
	assetCalls := []struct{ method, path string }{
		{http.MethodGet, "/folders/" + w.folder + "/assets"},
		{http.MethodPost, "/folders/" + w.folder + "/source-files"},
		{http.MethodGet, "/upload-tasks/x"},
		{http.MethodGet, "/source-files/x/assets"},
		{http.MethodGet, "/assets/scene/x/description"},
	}
	for _, c := range assetCalls {
		call(t, w.s, c.method, c.path, key(w.key), nil).refused(t, c.path+" with the API key", 403, "forbidden", MsgOnlyUsers)
	}
	appCalls := []struct{ method, path, body string }{
		{http.MethodPost, "/users", `{"username":"x"}`},
		{http.MethodGet, "/users", ""},
		{http.MethodPost, "/users/" + w.user + "/tokens", `{"scope":"write","ttl":"1h"}`},
		{http.MethodPut, "/folders/" + w.folder + "/access/users/" + w.user, `{"access":"manage"}`},
		{http.MethodPut, "/folders/" + w.folder + "/access/groups/g", `{"access":"manage"}`},
	}
	for _, c := range appCalls {
		var body any
		if c.body != "" {
			body = c.body
		}
		call(t, w.s, c.method, c.path, tok(w.token), body).refused(t, c.path+" with a user token", 403, "forbidden", MsgOnlyAPIKey)
	}
	// Folders take either.
	for _, c := range []cred{key(w.key), tok(w.token)} {
		if a := call(t, w.s, http.MethodGet, "/folders", c, nil); a.status != 200 || len(a.list(t)) != 1 {
			t.Errorf("folders with %s: %d %s", c.header, a.status, a.raw)
		}
		if a := call(t, w.s, http.MethodGet, "/folders/"+w.folder, c, nil); a.status != 200 {
			t.Errorf("a folder with %s: %d %s", c.header, a.status, a.raw)
		}
	}
}

func TestKeyScopes(t *testing.T) {
	w := setup(t, Options{})
	s := w.s
	usersOnly := s.AddAPIKey(KeyOptions{Scopes: []string{ScopeUsers}})
	foldersOnly := s.AddAPIKey(KeyOptions{Scopes: []string{ScopeFolders}})
	none := s.AddAPIKey(KeyOptions{Scopes: []string{}})
	lacks := func(scope string) string { return fmt.Sprintf("the API key lacks the scope %q", scope) }

	call(t, s, http.MethodPost, "/folders", key(usersOnly), `{"name":"a"}`).refused(t, "create folder", 403, "forbidden", lacks("folders"))
	call(t, s, http.MethodPut, "/folders/"+w.folder+"/access/users/"+w.user, key(usersOnly), `{"access":"read"}`).
		refused(t, "grant", 403, "forbidden", lacks("folders"))
	if a := call(t, s, http.MethodPost, "/users", key(usersOnly), `{"username":"other"}`); a.status != 201 {
		t.Errorf("register with the users scope: %d %s", a.status, a.raw)
	}

	call(t, s, http.MethodPost, "/users", key(foldersOnly), `{"username":"b"}`).refused(t, "register", 403, "forbidden", lacks("users"))
	call(t, s, http.MethodGet, "/users", key(foldersOnly), nil).refused(t, "list users", 403, "forbidden", lacks("users"))
	call(t, s, http.MethodPost, "/users/"+w.user+"/tokens", key(foldersOnly), `{"scope":"write","ttl":"1h"}`).
		refused(t, "token", 403, "forbidden", lacks("users"))
	if a := call(t, s, http.MethodPost, "/folders", key(foldersOnly), `{"name":"made"}`); a.status != 201 {
		t.Errorf("create with the folders scope: %d %s", a.status, a.raw)
	}

	// A key without scopes still reads folders.
	if a := call(t, s, http.MethodGet, "/folders?offset=0&limit=1", key(none), nil); a.status != 200 {
		t.Errorf("list folders with no scope: %d %s", a.status, a.raw)
	}
	call(t, s, http.MethodPost, "/users", key(none), `{"username":"c"}`).refused(t, "no scope", 403, "forbidden", lacks("users"))

	// Expiry, on the fake's clock.
	soon := s.AddAPIKey(KeyOptions{Expires: s.Clock().Now().Add(time.Hour)})
	if a := call(t, s, http.MethodGet, "/users", key(soon), nil); a.status != 200 {
		t.Errorf("before expiry: %d %s", a.status, a.raw)
	}
	s.Clock().Advance(time.Hour)
	call(t, s, http.MethodGet, "/users", key(soon), nil).refused(t, "expired key", 401, "unauthorized", MsgKeyExpired)
	if a := call(t, s, http.MethodGet, "/users", key(w.key), nil); a.status != 200 {
		t.Errorf("a key without expiry: %d %s", a.status, a.raw)
	}

	func() {
		defer func() {
			if recover() == nil {
				t.Error("AddAPIKey took an unknown scope")
			}
		}()
		s.AddAPIKey(KeyOptions{Scopes: []string{"user"}})
	}()
}

func TestUsersAndTokens(t *testing.T) {
	s := New(t, Options{})
	k := s.AddAPIKey(KeyOptions{})
	a := call(t, s, http.MethodPost, "/users", key(k), `{"username":"kiln"}`)
	u := a.obj(t)
	id, _ := u["user_id"].(string)
	if a.status != 201 || id == "" || u["username"] != "kiln" {
		t.Fatalf("register: %d %s", a.status, a.raw)
	}
	if _, err := time.Parse(time.RFC3339, u["registered_at"].(string)); err != nil {
		t.Errorf("registered_at: %v", err)
	}
	call(t, s, http.MethodPost, "/users", key(k), `{"username":"kiln"}`).refused(t, "taken", 409, "conflict", `username "kiln" is already registered`)
	if s.RegisterUser("kiln") != id {
		t.Error("RegisterUser of a registered name gave another id")
	}
	other := s.RegisterUser("other")
	if got := s.Users(); len(got) != 2 || got[0] != (User{ID: id, Username: "kiln"}) || got[1].ID != other {
		t.Errorf("Users %+v", got)
	}
	if l := call(t, s, http.MethodGet, "/users", key(k), nil).list(t); len(l) != 2 || l[0]["user_id"] != id || l[1]["username"] != "other" {
		t.Errorf("list %v", l)
	}
	for _, body := range []string{`{}`, `{"username":""}`, `{"username":"  "}`} {
		call(t, s, http.MethodPost, "/users", key(k), body).refused(t, body, 400, "bad_request", "username is required")
	}
	call(t, s, http.MethodPost, "/users", key(k), `{"username":3}`).refused(t, "a number", 400, "bad_request", `"username" must be a string`)

	// Tokens.
	now := s.Clock().Now()
	a = call(t, s, http.MethodPost, "/users/"+id+"/tokens", key(k), `{"scope":"write","ttl":"2h"}`)
	tk := a.obj(t)
	token, _ := tk["user_token"].(string)
	if a.status != 201 || token == "" || tk["expires_in"] != 7200.0 {
		t.Fatalf("token: %d %s", a.status, a.raw)
	}
	if on := int64(tk["expires_on"].(float64)); on < now.Add(2*time.Hour).Unix() || on > now.Add(2*time.Hour+time.Minute).Unix() {
		t.Errorf("expires_on %d, now %d", on, now.Unix())
	}
	if a := call(t, s, http.MethodGet, "/folders", tok(token), nil); a.status != 200 {
		t.Errorf("the new token: %d %s", a.status, a.raw)
	}
	for _, ttl := range []string{"30s", "1m", "1h", "7d", "3650d"} {
		if a := call(t, s, http.MethodPost, "/users/"+id+"/tokens", key(k), `{"scope":"read","ttl":"`+ttl+`"}`); a.status != 201 {
			t.Errorf("ttl %s: %d %s", ttl, a.status, a.raw)
		}
	}
	for _, ttl := range []string{"", "1", "h", "0h", "01h", "1.5h", "1H", "1w", "-1h", " 1h", "3651d", "99999999999999999999s"} {
		body := `{"scope":"read","ttl":"` + ttl + `"}`
		if a := call(t, s, http.MethodPost, "/users/"+id+"/tokens", key(k), body); a.status != 400 || !strings.Contains(string(a.raw), "ttl") {
			t.Errorf("ttl %q: %d %s", ttl, a.status, a.raw)
		}
	}
	call(t, s, http.MethodPost, "/users/"+id+"/tokens", key(k), `{"ttl":"1h"}`).refused(t, "no scope", 400, "bad_request", "scope must be")
	call(t, s, http.MethodPost, "/users/"+id+"/tokens", key(k), `{"scope":"admin","ttl":"1h"}`).refused(t, "bad scope", 400, "bad_request", `not "admin"`)
	call(t, s, http.MethodPost, "/users/nobody/tokens", key(k), `{"scope":"read","ttl":"1h"}`).refused(t, "unknown user", 404, "not_found", "user nobody not found")
}

func TestMalformedBodies(t *testing.T) {
	w := setup(t, Options{})
	for _, c := range []struct{ body, words string }{
		{``, "the body is empty"},
		{`{"username":`, "malformed JSON"},
		{`["kiln"]`, "must be a JSON object"},
		{`"kiln"`, "must be a JSON object"},
		{`{"username":"a"} {}`, "something follows"},
		{`{"username":"a",}`, "malformed JSON"},
	} {
		call(t, w.s, http.MethodPost, "/users", key(w.key), c.body).refused(t, c.body, 400, "bad_request", c.words)
	}
	req, _ := http.NewRequest(http.MethodPost, w.s.URL()+"/folders", strings.NewReader("name=x"))
	req.Header.Set("api_key", w.key)
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 400 {
		t.Errorf("a form-encoded body: %d", resp.StatusCode)
	}
	big := `{"name":"` + strings.Repeat("a", maxJSONBody) + `"}`
	call(t, w.s, http.MethodPost, "/folders", key(w.key), big).refused(t, "too large", 413, "payload_too_large", "larger than")
	// No Content-Type at all is read as JSON.
	req, _ = http.NewRequest(http.MethodPost, w.s.URL()+"/folders", strings.NewReader(`{"name":"bare"}`))
	req.Header.Set("api_key", w.key)
	if resp, err = http.DefaultClient.Do(req); err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 201 {
		t.Errorf("JSON without a Content-Type: %d", resp.StatusCode)
	}
	// Authentication comes before the body.
	call(t, w.s, http.MethodPost, "/users", noCred, `{nonsense`).refused(t, "no key, bad body", 401, "unauthorized", MsgNoCredentials)
}

func TestTokenExpiry(t *testing.T) {
	w := setup(t, Options{})
	s := w.s
	short := s.UserToken(w.user, AccessWrite, time.Minute)
	path := "/folders/" + w.folder + "/assets"
	s.Clock().Advance(59 * time.Second)
	if a := call(t, s, http.MethodGet, path, tok(short), nil); a.status != 200 {
		t.Errorf("before expiry: %d %s", a.status, a.raw)
	}
	s.Clock().Advance(time.Second)
	call(t, s, http.MethodGet, path, tok(short), nil).refused(t, "expired", 401, "token_expired", MsgTokenExpired)
	// Expired, a token is refused everywhere, even where it would be the wrong credential.
	call(t, s, http.MethodGet, "/users", tok(short), nil).refused(t, "expired, wrong route", 401, "token_expired", MsgTokenExpired)
	call(t, s, http.MethodGet, path, tok(s.UserToken(w.user, AccessRead, 0)), nil).refused(t, "a ttl of 0", 401, "token_expired", MsgTokenExpired)

	// ExpireTokens: those issued so far expire now, those made after work.
	a := call(t, s, http.MethodPost, "/users/"+w.user+"/tokens", key(w.key), `{"scope":"write","ttl":"1d"}`)
	made, _ := a.obj(t)["user_token"].(string)
	s.ExpireTokens()
	for _, old := range []string{w.token, made} {
		call(t, s, http.MethodGet, path, tok(old), nil).refused(t, "ExpireTokens", 401, "token_expired", MsgTokenExpired)
	}
	fresh := s.UserToken(w.user, AccessWrite, time.Hour)
	if a := call(t, s, http.MethodGet, path, tok(fresh), nil); a.status != 200 {
		t.Errorf("a token made after ExpireTokens: %d %s", a.status, a.raw)
	}
	if got := s.Secrets(); len(got) != 6 || got[0] != w.key || got[1] != w.token || got[2] != short || got[4] != made || got[5] != fresh {
		t.Errorf("Secrets %q", got)
	}

	for what, f := range map[string]func(){
		"an unknown user":  func() { s.UserToken("nobody", AccessRead, time.Hour) },
		"an unknown scope": func() { s.UserToken(w.user, "admin", time.Hour) },
	} {
		func() {
			defer func() {
				if recover() == nil {
					t.Errorf("UserToken took %s", what)
				}
			}()
			f()
		}()
	}
}

func TestPathsAndMethods(t *testing.T) {
	w := setup(t, Options{})
	call(t, w.s, http.MethodGet, "/nothing", key(w.key), nil).refused(t, "unknown path", 404, "not_found", "no such API path: GET /app/v1/nothing")
	call(t, w.s, http.MethodGet, "/folders//assets", tok(w.token), nil).refused(t, "an empty id", 404, "not_found", "no such API path")
	call(t, w.s, http.MethodGet, "", key(w.key), nil).refused(t, "the base", 404, "not_found", "no such API path")
	a := call(t, w.s, http.MethodDelete, "/users", key(w.key), nil)
	a.refused(t, "DELETE /users", 405, "method_not_allowed", "this path takes")
	if a.header.Get("Allow") != "POST, GET" {
		t.Errorf("Allow %q", a.header.Get("Allow"))
	}
	if a := call(t, w.s, http.MethodPost, "/upload-tasks/x", tok(w.token), nil); a.status != 405 || a.header.Get("Allow") != "GET" {
		t.Errorf("POST an upload task: %d %v", a.status, a.header)
	}
	if got := w.s.Requests(""); len(got) != 5 || got[0].Path != "/nothing" || got[0].Status != 404 || got[3].Status != 405 {
		t.Errorf("recorded %+v", got)
	}

	// Outside the base path (a client that dropped the endpoint's path): 404, and a test fails.
	s, err := Start(Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	outside := strings.TrimSuffix(s.URL(), BasePath) + "/folders"
	resp, err := http.Get(outside)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if got := s.Requests(); resp.StatusCode != 404 || len(got) != 1 || got[0].Path != "/folders" || got[0].Route != "" {
		t.Errorf("outside the base path: %d, %+v", resp.StatusCode, got)
	}
}

func TestRecording(t *testing.T) {
	w := setup(t, Options{})
	s := w.s
	call(t, s, http.MethodPost, "/users/"+w.user+"/tokens", key(w.key), `{"scope":"write","ttl":"1h"}`)
	call(t, s, http.MethodGet, "/folders?offset=0&limit=100", tok(w.token), nil)
	w.upload(t, part{"note", "", "hello"}, file("files", "chair.glb", glb), file("files", "chair.png", "png"), file("other", "x.bin", "x"))
	call(t, s, http.MethodGet, "/folders", noCred, nil)

	got := s.Requests()
	if len(got) != 4 {
		t.Fatalf("%d requests: %+v", len(got), got)
	}
	want := []Request{
		{Route: RouteUsersToken, Method: "POST", Path: "/users/" + w.user + "/tokens", Auth: "api_key", Status: 201, Fields: []string{"scope", "ttl"}},
		{Route: RouteFoldersList, Method: "GET", Path: "/folders", Query: "offset=0&limit=100", Auth: "user_token", Status: 200},
		{Route: RouteUpload, Method: "POST", Path: "/folders/" + w.folder + "/source-files", Auth: "user_token", Status: 202,
			Fields: []string{"note", "files", "files", "other"}, Files: []string{"chair.glb", "chair.png"}},
		{Route: RouteFoldersList, Method: "GET", Path: "/folders", Auth: "", Status: 401},
	}
	for i := range want {
		if fmt.Sprintf("%+v", got[i]) != fmt.Sprintf("%+v", want[i]) {
			t.Errorf("request %d:\n got %+v\nwant %+v", i, got[i], want[i])
		}
	}
	if l := s.Requests(RouteUpload, RouteUsersToken); len(l) != 2 || l[0].Route != RouteUsersToken {
		t.Errorf("by route: %+v", l)
	}
	if l := s.Requests(RouteAssetDescription); l != nil {
		t.Errorf("a route never called: %+v", l)
	}
	// No secret anywhere in the record.
	record := fmt.Sprintf("%+v", got)
	secrets := s.Secrets()
	if len(secrets) != 3 {
		t.Errorf("secrets %d", len(secrets))
	}
	for _, secret := range secrets {
		if strings.Contains(record, secret) {
			t.Errorf("the record holds a secret: %s", record)
		}
	}
}
