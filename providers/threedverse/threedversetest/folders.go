package threedversetest

import (
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// folder is a folder of the app's, and who may use it.
type folder struct {
	id, name  string
	parent    string // "" at the top
	createdBy string // the user whose token created it; "" for the app (console or API key)
	created   time.Time
	children  []string
	access    map[string]string // user id → AccessRead, AccessWrite or AccessManage
}

// Folder is a folder, for tests to use and assert on.
type Folder struct {
	// ID is the folder_id.
	ID string
	// Name is the folder's name.
	Name string
	// CreatedBy is the user_id of the user whose token created it; "" for the app's folders
	// (made in the console, by CreateFolder, or with an API key).
	CreatedBy string
}

// CreateFolder makes a top-level folder as the console does: the app's, and nobody has access to
// it until Grant (or PUT /folders/{id}/access/users/{user_id}) gives it.
func (s *Server) CreateFolder(name string) Folder {
	s.mu.Lock()
	defer s.mu.Unlock()
	f := s.addFolder(name, "", "")
	return Folder{ID: f.id, Name: f.name}
}

// Grant gives the user userID access (AccessRead, AccessWrite or AccessManage) to the folder
// folderID and the folders below it, as PUT /folders/{id}/access/users/{user_id} does. It panics
// on an unknown folder, user or access: a mistake in a test.
func (s *Server) Grant(folderID, userID, access string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	f := s.folders[folderID]
	switch {
	case f == nil:
		panic(fmt.Sprintf("threedversetest: Grant: no folder %q", folderID))
	case s.users[userID] == nil:
		panic(fmt.Sprintf("threedversetest: Grant: no user %q", userID))
	case rank(access) == 0:
		panic(fmt.Sprintf("threedversetest: Grant: access %q is not read, write or manage", access))
	}
	f.access[userID] = access
}

// addFolder makes a folder. The caller holds s.mu.
func (s *Server) addFolder(name, parent, createdBy string) *folder {
	f := &folder{id: newID(), name: name, parent: parent, createdBy: createdBy, created: s.now(), access: map[string]string{}}
	s.folders[f.id] = f
	s.folderOrder = append(s.folderOrder, f.id)
	if p := s.folders[parent]; p != nil {
		p.children = append(p.children, f.id)
	}
	return f
}

// accessOf is the rank of userID's access to f: the best granted on f or on a folder above it
// (the fake's choice: access to a folder reaches the folders inside it). The caller holds s.mu.
func (s *Server) accessOf(userID string, f *folder) int {
	best := 0
	for ; f != nil; f = s.folders[f.parent] {
		best = max(best, rank(f.access[userID]))
	}
	return best
}

// canRead refuses a user without access to f; the app reads every folder. The caller holds s.mu.
func (s *Server) canRead(c *caller, f *folder) error {
	if c.isApp() || s.accessOf(c.token.userID, f) >= rank(AccessRead) {
		return nil
	}
	return forbidden("user %s has no access to folder %s", c.token.userID, f.id)
}

// folderJSON is a folder as the API writes it.
type folderJSON struct {
	FolderID        string       `json:"folder_id"`
	ParentFolderID  *string      `json:"parent_folder_id"` // null at the top
	Name            string       `json:"name"`
	CreatedAt       string       `json:"created_at"`
	CreatedBy       *string      `json:"created_by"` // null for the app's folders
	Subfolders      []folderJSON `json:"subfolders"`
	SourceFileCount int          `json:"source_file_count"`
	AssetCount      int          `json:"asset_count"`
}

// describe writes f and the folders inside it. The caller holds s.mu.
func (s *Server) describe(f *folder) folderJSON {
	j := folderJSON{FolderID: f.id, Name: f.name, CreatedAt: stamp(f.created), Subfolders: []folderJSON{}}
	if f.parent != "" {
		j.ParentFolderID = &f.parent
	}
	if f.createdBy != "" {
		j.CreatedBy = &f.createdBy
	}
	for _, id := range f.children {
		j.Subfolders = append(j.Subfolders, s.describe(s.folders[id]))
	}
	for _, sf := range s.sourceFiles {
		if sf.folderID == f.id {
			j.SourceFileCount++
		}
	}
	for _, a := range s.assets {
		if a.folderID == f.id {
			j.AssetCount++
		}
	}
	return j
}

// The pages of folders.list: ?offset=0&limit=10 as the docs' sample asks. A missing limit means
// the sample's 10 and one over maxLimit is refused rather than cut short (the fake's choice: a
// client that pages "until a short page" would stop early on a page cut short).
const (
	defaultLimit = 10
	maxLimit     = 100
)

// pageOf reads the offset and limit of q.
func pageOf(q url.Values) (offset, limit int, err error) {
	offset, limit = 0, defaultLimit
	if v := q.Get("offset"); v != "" {
		if offset, err = strconv.Atoi(v); err != nil || offset < 0 {
			return 0, 0, badRequest("offset must be a whole number, 0 or more, not %q", v)
		}
	}
	if v := q.Get("limit"); v != "" {
		if limit, err = strconv.Atoi(v); err != nil || limit < 1 || limit > maxLimit {
			return 0, 0, badRequest("limit must be a whole number from 1 to %d, not %q", maxLimit, v)
		}
	}
	return offset, limit, nil
}

// listFolders: GET /folders?offset=&limit=, with an API key (every folder) or a user token (the
// folders the user has access to). 200 a page of folders, oldest first; subfolders are listed
// both in their parent and on their own.
func (s *Server) listFolders(w http.ResponseWriter, r *http.Request, _ *Request, _ params) {
	s.mu.Lock()
	defer s.mu.Unlock()
	c, err := s.authenticate(r, either)
	if err != nil {
		writeError(w, err)
		return
	}
	offset, limit, err := pageOf(r.URL.Query())
	if err != nil {
		writeError(w, err)
		return
	}
	out := []folderJSON{}
	seen := 0
	for _, id := range s.folderOrder {
		f := s.folders[id]
		if s.canRead(c, f) != nil {
			continue
		}
		if seen >= offset && len(out) < limit {
			out = append(out, s.describe(f))
		}
		seen++
	}
	writeJSON(w, http.StatusOK, out)
}

// folderSpec is a folder to create: its name and the folders inside it.
type folderSpec struct {
	Name       string       `json:"name"`
	Subfolders []folderSpec `json:"subfolders"`
}

// check refuses a folder or subfolder without a name.
func (f *folderSpec) check(what string) error {
	if strings.TrimSpace(f.Name) == "" {
		return badRequest("%s has no name", what)
	}
	for i := range f.Subfolders {
		if err := f.Subfolders[i].check("a subfolder of " + strconv.Quote(f.Name)); err != nil {
			return err
		}
	}
	return nil
}

// createFolder: POST /folders {"name", "subfolders": [{"name", "subfolders"}...]}, with an API key
// of scope "folders" (the app's folder: nobody has access until granted) or a user token of
// scope write or manage (the user's: it gets manage on it). 201 the folder.
func (s *Server) createFolder(w http.ResponseWriter, r *http.Request, rec *Request, _ params) {
	body, bodyErr := readJSON(w, r, rec)
	s.mu.Lock()
	defer s.mu.Unlock()
	f, err := s.newFolder(r, body, bodyErr)
	if err != nil {
		writeError(w, err)
		return
	}
	writeJSON(w, http.StatusCreated, s.describe(f))
}

func (s *Server) newFolder(r *http.Request, body jsonBody, bodyErr error) (*folder, error) {
	c, err := s.authenticate(r, either)
	if err != nil {
		return nil, err
	}
	if err := needScope(c, ScopeFolders); err != nil {
		return nil, err
	}
	// The fake's choice: making folders is writing, which a read-only token may not.
	if !c.isApp() && rank(c.token.scope) < rank(AccessWrite) {
		return nil, forbidden("the user token's scope %q does not allow creating folders", c.token.scope)
	}
	if bodyErr != nil {
		return nil, bodyErr
	}
	name, err := body.str("name")
	if err != nil {
		return nil, err
	}
	spec := folderSpec{Name: name}
	if err := body.decode("subfolders", &spec.Subfolders); err != nil {
		return nil, err
	}
	if err := spec.check("the folder"); err != nil {
		return nil, err
	}
	by := ""
	if !c.isApp() {
		by = c.token.userID
	}
	f := s.addTree(spec, "", by)
	if by != "" {
		f.access[by] = AccessManage
	}
	return f, nil
}

// addTree makes the folder spec and the folders inside it. The caller holds s.mu.
func (s *Server) addTree(spec folderSpec, parent, by string) *folder {
	f := s.addFolder(spec.Name, parent, by)
	for _, sub := range spec.Subfolders {
		s.addTree(sub, f.id, by)
	}
	return f
}

// folderOf returns the folder id, or the refusal: 404 when there is none, 403 when c may not
// read it. The caller holds s.mu.
func (s *Server) folderOf(c *caller, id string) (*folder, error) {
	f := s.folders[id]
	if f == nil {
		return nil, notFound("folder %s not found", id)
	}
	if err := s.canRead(c, f); err != nil {
		return nil, err
	}
	return f, nil
}

// getFolder: GET /folders/{folder_id}, with an API key or the token of a user with access. 200
// the folder.
func (s *Server) getFolder(w http.ResponseWriter, r *http.Request, _ *Request, p params) {
	s.mu.Lock()
	defer s.mu.Unlock()
	c, err := s.authenticate(r, either)
	var f *folder
	if err == nil {
		f, err = s.folderOf(c, p["folder_id"])
	}
	if err != nil {
		writeError(w, err)
		return
	}
	writeJSON(w, http.StatusOK, s.describe(f))
}

// grantAccess: PUT /folders/{folder_id}/access/{users|groups}/{member_id} {"access"}, with an API
// key of scope "folders". 204. The fake has no groups: every group is unknown (404).
func (s *Server) grantAccess(w http.ResponseWriter, r *http.Request, rec *Request, p params) {
	body, bodyErr := readJSON(w, r, rec)
	s.mu.Lock()
	defer s.mu.Unlock()
	if err := s.grant(r, p, body, bodyErr); err != nil {
		writeError(w, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

func (s *Server) grant(r *http.Request, p params, body jsonBody, bodyErr error) error {
	c, err := s.authenticate(r, keyOnly)
	if err != nil {
		return err
	}
	if err := needScope(c, ScopeFolders); err != nil {
		return err
	}
	f := s.folders[p["folder_id"]]
	if f == nil {
		return notFound("folder %s not found", p["folder_id"])
	}
	if t := p["member_type"]; t != "users" && t != "groups" {
		return notFound(`no such member type %q: "users" or "groups"`, t)
	}
	if bodyErr != nil {
		return bodyErr
	}
	access, err := body.str("access")
	if err != nil {
		return err
	}
	if rank(access) == 0 {
		return badRequest(`access must be "read", "write" or "manage", not %q`, access)
	}
	id := p["member_id"]
	if p["member_type"] == "groups" {
		return notFound("group %s not found", id)
	}
	if s.users[id] == nil {
		return notFound("user %s not found", id)
	}
	f.access[id] = access
	return nil
}
