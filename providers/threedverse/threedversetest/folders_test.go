package threedversetest

import (
	"fmt"
	"net/http"
	"testing"
	"time"
)

func TestFolderAccess(t *testing.T) {
	w := setup(t, Options{})
	s := w.s
	uploadTo := func(folder, token string) answer {
		return call(t, s, http.MethodPost, "/folders/"+folder+"/source-files", tok(token), multipartBody(t, file("files", "a.glb", glb)))
	}

	// The app's folder, made with the API key: nobody has access until granted.
	a := call(t, s, http.MethodPost, "/folders", key(w.key), `{"name":"App's","subfolders":[]}`)
	app := a.obj(t)
	appID, _ := app["folder_id"].(string)
	if a.status != 201 || app["name"] != "App's" || app["created_by"] != nil || app["parent_folder_id"] != nil {
		t.Fatalf("create with the key: %d %s", a.status, a.raw)
	}
	call(t, s, http.MethodGet, "/folders/"+appID, tok(w.token), nil).refused(t, "no access", 403, "forbidden", "has no access to folder "+appID)
	call(t, s, http.MethodGet, "/folders/"+appID+"/assets", tok(w.token), nil).refused(t, "no access", 403, "forbidden", "has no access")
	uploadTo(appID, w.token).refused(t, "no grant", 403, "forbidden", fmt.Sprintf("user %s has no write access to folder %s", w.user, appID))
	if l := call(t, s, http.MethodGet, "/folders", tok(w.token), nil).list(t); len(l) != 1 || l[0]["folder_id"] != w.folder {
		t.Errorf("the user lists %v", l)
	}
	if l := call(t, s, http.MethodGet, "/folders", key(w.key), nil).list(t); len(l) != 2 {
		t.Errorf("the app lists %v", l)
	}

	// Read access: the folder shows, uploads are still refused.
	s.Grant(appID, w.user, AccessRead)
	if a := call(t, s, http.MethodGet, "/folders/"+appID, tok(w.token), nil); a.status != 200 {
		t.Errorf("read access: %d %s", a.status, a.raw)
	}
	uploadTo(appID, w.token).refused(t, "read access", 403, "forbidden", "has no write access")

	// Write access, granted over the API.
	if a := call(t, s, http.MethodPut, "/folders/"+appID+"/access/users/"+w.user, key(w.key), `{"access":"write"}`); a.status != 204 || len(a.raw) != 0 {
		t.Fatalf("grant: %d %s", a.status, a.raw)
	}
	if a := uploadTo(appID, w.token); a.status != 202 {
		t.Errorf("after the grant: %d %s", a.status, a.raw)
	}
	// A read-scoped token cannot upload, whatever the grant.
	reader := s.UserToken(w.user, AccessRead, time.Hour)
	uploadTo(appID, reader).refused(t, "read token", 403, "forbidden", `the user token's scope "read" does not allow uploads`)
	call(t, s, http.MethodPost, "/folders", tok(reader), `{"name":"x"}`).refused(t, "read token creates", 403, "forbidden", `scope "read" does not allow creating folders`)
	if a := call(t, s, http.MethodGet, "/folders/"+appID+"/assets", tok(reader), nil); a.status != 200 {
		t.Errorf("a read token reads: %d %s", a.status, a.raw)
	}

	// The grant's refusals.
	grant := func(path, body string) answer { return call(t, s, http.MethodPut, path, key(w.key), body) }
	grant("/folders/nope/access/users/"+w.user, `{"access":"read"}`).refused(t, "unknown folder", 404, "not_found", "folder nope not found")
	grant("/folders/"+appID+"/access/users/nobody", `{"access":"read"}`).refused(t, "unknown user", 404, "not_found", "user nobody not found")
	grant("/folders/"+appID+"/access/groups/g1", `{"access":"read"}`).refused(t, "a group", 404, "not_found", "group g1 not found")
	grant("/folders/"+appID+"/access/robots/r", `{"access":"read"}`).refused(t, "a member type", 404, "not_found", "no such member type")
	grant("/folders/"+appID+"/access/users/"+w.user, `{"access":"owner"}`).refused(t, "bad access", 400, "bad_request", `access must be`)
	grant("/folders/"+appID+"/access/users/"+w.user, `{}`).refused(t, "no access", 400, "bad_request", `access must be`)

	// A folder made with a user token is the user's: manage, subfolders included.
	a = call(t, s, http.MethodPost, "/folders", tok(w.token), `{"name":"Mine","subfolders":[{"name":"Chairs","subfolders":[{"name":"Old"}]},{"name":"Tables"}]}`)
	mine := a.obj(t)
	if a.status != 201 || mine["created_by"] != w.user || mine["name"] != "Mine" {
		t.Fatalf("create with the token: %d %s", a.status, a.raw)
	}
	subs, _ := mine["subfolders"].([]any)
	if len(subs) != 2 || subs[0].(map[string]any)["name"] != "Chairs" || subs[0].(map[string]any)["parent_folder_id"] != mine["folder_id"] ||
		len(subs[0].(map[string]any)["subfolders"].([]any)) != 1 {
		t.Fatalf("subfolders %v", subs)
	}
	chairs, _ := subs[0].(map[string]any)["folder_id"].(string)
	if a := uploadTo(chairs, w.token); a.status != 202 {
		t.Errorf("into the user's subfolder: %d %s", a.status, a.raw)
	}
	other := s.UserToken(s.RegisterUser("other"), AccessManage, time.Hour)
	uploadTo(chairs, other).refused(t, "another user", 403, "forbidden", "has no write access")
	if l := call(t, s, http.MethodGet, "/folders?limit=100", tok(w.token), nil).list(t); len(l) != 6 {
		t.Errorf("the user lists %d folders", len(l))
	}
	if l := call(t, s, http.MethodGet, "/folders", tok(other), nil).list(t); len(l) != 0 {
		t.Errorf("another user lists %v", l)
	}

	call(t, s, http.MethodPost, "/folders", key(w.key), `{"name":""}`).refused(t, "no name", 400, "bad_request", "the folder has no name")
	call(t, s, http.MethodPost, "/folders", key(w.key), `{"subfolders":[]}`).refused(t, "no name", 400, "bad_request", "the folder has no name")
	call(t, s, http.MethodPost, "/folders", key(w.key), `{"name":"a","subfolders":[{"name":""}]}`).refused(t, "a subfolder", 400, "bad_request", `a subfolder of "a" has no name`)
	call(t, s, http.MethodPost, "/folders", key(w.key), `{"name":"a","subfolders":"b"}`).refused(t, "subfolders", 400, "bad_request", `"subfolders" is malformed`)
	call(t, s, http.MethodGet, "/folders/nope", key(w.key), nil).refused(t, "unknown", 404, "not_found", "folder nope not found")

	for what, f := range map[string]func(){
		"an unknown folder": func() { s.Grant("nope", w.user, AccessRead) },
		"an unknown user":   func() { s.Grant(appID, "nobody", AccessRead) },
		"an unknown access": func() { s.Grant(appID, w.user, "owner") },
	} {
		func() {
			defer func() {
				if recover() == nil {
					t.Errorf("Grant took %s", what)
				}
			}()
			f()
		}()
	}
}

func TestFolderJSON(t *testing.T) {
	w := setup(t, Options{})
	w.upload(t, file("files", "chair.glb", glb), file("files", "chair.bin", "bin"), file("files", "wood.png", "png"))
	f := call(t, w.s, http.MethodGet, "/folders/"+w.folder, tok(w.token), nil).obj(t)
	for _, k := range []string{"folder_id", "parent_folder_id", "name", "created_at", "created_by", "subfolders", "source_file_count", "asset_count"} {
		if _, ok := f[k]; !ok {
			t.Errorf("no %s in %v", k, f)
		}
	}
	if f["folder_id"] != w.folder || f["name"] != "Publications" || f["source_file_count"] != 3.0 || f["asset_count"] != 2.0 {
		t.Errorf("folder %v", f)
	}
	if _, err := time.Parse(time.RFC3339, f["created_at"].(string)); err != nil {
		t.Errorf("created_at: %v", err)
	}
}

func TestFolderPages(t *testing.T) {
	w := setup(t, Options{}) // one folder already: "Publications"
	for i := range 24 {
		w.s.CreateFolder(fmt.Sprintf("f%02d", i))
	}
	page := func(query string) []string {
		t.Helper()
		a := call(t, w.s, http.MethodGet, "/folders"+query, key(w.key), nil)
		if a.status != 200 {
			t.Fatalf("%s: %d %s", query, a.status, a.raw)
		}
		var names []string
		for _, f := range a.list(t) {
			names = append(names, f["name"].(string))
		}
		return names
	}
	for _, c := range []struct {
		query       string
		n           int
		first, last string
	}{
		{"?offset=0&limit=10", 10, "Publications", "f08"},
		{"?offset=10&limit=10", 10, "f09", "f18"},
		{"?offset=20&limit=10", 5, "f19", "f23"},
		{"?offset=25&limit=10", 0, "", ""},
		{"?offset=99&limit=10", 0, "", ""},
		{"?offset=0&limit=100", 25, "Publications", "f23"},
		{"?offset=24&limit=1", 1, "f23", "f23"},
		{"", 10, "Publications", "f08"}, // the sample's limit
		{"?offset=3", 10, "f02", "f11"},
	} {
		got := page(c.query)
		if len(got) != c.n || (c.n > 0 && (got[0] != c.first || got[c.n-1] != c.last)) {
			t.Errorf("%s: %v", c.query, got)
		}
	}
	if a := call(t, w.s, http.MethodGet, "/folders?offset=0&limit=10", key(w.key), nil); string(a.raw) == "null\n" {
		t.Error("a page is null")
	}
	if a := call(t, w.s, http.MethodGet, "/folders?offset=30", key(w.key), nil); string(a.raw) != "[]\n" {
		t.Errorf("an empty page: %q", a.raw)
	}
	for _, q := range []string{"?limit=0", "?limit=101", "?limit=x", "?offset=-1", "?offset=1.5"} {
		call(t, w.s, http.MethodGet, "/folders"+q, key(w.key), nil).refused(t, q, 400, "bad_request", "must be a whole number")
	}
	// A user's pages are of the folders it may see.
	for i := range 3 {
		w.s.Grant(w.s.CreateFolder(fmt.Sprintf("g%d", i)).ID, w.user, AccessRead)
	}
	if l := call(t, w.s, http.MethodGet, "/folders?offset=1&limit=2", tok(w.token), nil).list(t); len(l) != 2 || l[0]["name"] != "g0" || l[1]["name"] != "g1" {
		t.Errorf("the user's page %v", l)
	}
}
