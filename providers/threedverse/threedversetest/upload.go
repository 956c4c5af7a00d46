package threedversetest

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"path"
	"slices"
	"strings"
)

// The file fields an upload's parts may come in: the docs' typings do not name the field, so the
// fake takes both that clients use. Parts in other fields, and parts without a file name, are read
// and ignored.
const (
	FieldFile  = "file"
	FieldFiles = "files"
)

// The extensions the fake converts: a model (one of them is required) becomes a scene, an image
// a texture; anything else (.bin, .mtl) is kept as a source file and converted by none.
var (
	modelExts = []string{".glb", ".gltf", ".fbx", ".obj", ".stl", ".ply", ".usd", ".usdz"}
	imageExts = []string{".png", ".jpg", ".jpeg", ".webp", ".ktx2"}
)

// The conversion pipelines, which are also the types of the assets they make.
const (
	PipelineScene   = "scene"
	PipelineTexture = "texture"
)

// pipelineOf is the pipeline that converts a file called name; "" for none.
func pipelineOf(name string) string {
	ext := strings.ToLower(path.Ext(name))
	switch {
	case slices.Contains(modelExts, ext):
		return PipelineScene
	case slices.Contains(imageExts, ext):
		return PipelineTexture
	}
	return ""
}

// assetName is the name of the asset a file makes: its name without its extension.
func assetName(file string) string { return strings.TrimSuffix(file, path.Ext(file)) }

// filePart is one file of an upload.
type filePart struct {
	name string
	data []byte
}

// sourceFile is an uploaded file, kept whole.
type sourceFile struct {
	id, folderID, taskID, name string
	data                       []byte
}

// Upload is an upload the fake answered with an upload task, for tests to assert on: rejected
// ones included (they got their task too).
type Upload struct {
	// TaskID is the upload_task_id.
	TaskID string
	// FolderID is the folder uploaded to.
	FolderID string
	// UserID is the user whose token uploaded.
	UserID string
	// Files are the file parts' names, in the order sent.
	Files []string
	// Bytes is the size of all the files together.
	Bytes int64
}

// Uploads lists the uploads answered with an upload task, oldest first.
func (s *Server) Uploads() []Upload {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]Upload, 0, len(s.taskOrder))
	for _, id := range s.taskOrder {
		t := s.tasks[id]
		out = append(out, Upload{TaskID: t.id, FolderID: t.folderID, UserID: t.userID, Files: slices.Clone(t.files), Bytes: t.bytes})
	}
	return out
}

// SourceFile returns the name and the bytes of the source file id, as uploaded; false when the
// fake has none (a rejected upload keeps no source files).
func (s *Server) SourceFile(id string) (name string, data []byte, ok bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	sf := s.sourceFiles[id]
	if sf == nil {
		return "", nil, false
	}
	return sf.name, slices.Clone(sf.data), true
}

// RejectNextUpload makes the next upload end rejected, with reason as its task's message ("" means
// a reason of the fake's), whatever its files.
func (s *Server) RejectNextUpload(reason string) {
	if reason == "" {
		reason = "the upload was rejected"
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.rejectNext = &reason
}

// FailNextConversion makes the first model conversion of the next upload that is not rejected
// end in error, its conversion_pipeline reading pipeline ("" means PipelineScene), and so the
// whole upload task.
func (s *Server) FailNextConversion(pipeline string) {
	if pipeline == "" {
		pipeline = PipelineScene
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.failNext = &pipeline
}

// upload: POST /folders/{folder_id}/source-files, multipart/form-data with one or more files in
// the field "file" or "files", with the token of a user of scope write or manage who has write
// access to the folder. 202 {"upload_task_id"}; the task then advances with the fake's clock.
func (s *Server) upload(w http.ResponseWriter, r *http.Request, rec *Request, p params) {
	s.mu.Lock()
	c, f, err := s.admitUpload(r, p["folder_id"])
	s.mu.Unlock()
	var files []filePart
	if err == nil {
		files, err = readUpload(w, r, rec, s.maxUpload)
	}
	if err == nil && len(files) == 0 {
		err = badRequest(MsgNoFile)
	}
	if err != nil {
		// What is left of the body is read first, so that the client, still sending, gets the
		// refusal rather than a connection reset.
		_, _ = io.Copy(io.Discard, io.LimitReader(r.Body, s.maxUpload))
		writeError(w, err)
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	t := s.addUpload(c.token.userID, f, files)
	writeJSON(w, http.StatusAccepted, map[string]string{"upload_task_id": t.id})
}

// admitUpload checks who uploads where, before the body is read. The caller holds s.mu.
func (s *Server) admitUpload(r *http.Request, folderID string) (*caller, *folder, error) {
	c, err := s.authenticate(r, userOnly)
	if err != nil {
		return nil, nil, err
	}
	f := s.folders[folderID]
	if f == nil {
		return nil, nil, notFound("folder %s not found", folderID)
	}
	if rank(c.token.scope) < rank(AccessWrite) {
		return nil, nil, forbidden("the user token's scope %q does not allow uploads", c.token.scope)
	}
	if s.accessOf(c.token.userID, f) < rank(AccessWrite) {
		return nil, nil, forbidden("user %s has no write access to folder %s", c.token.userID, f.id)
	}
	return c, f, nil
}

// readUpload reads a multipart/form-data body part by part, keeping the files in the fields
// "file" and "files" and recording every part's field name in rec.Fields and those files' names
// in rec.Files. The body may hold limit bytes.
func readUpload(w http.ResponseWriter, r *http.Request, rec *Request, limit int64) ([]filePart, error) {
	ct, params, err := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if err != nil || ct != "multipart/form-data" || params["boundary"] == "" {
		return nil, badRequest("the body must be multipart/form-data with a boundary, not %q", r.Header.Get("Content-Type"))
	}
	r.Body = http.MaxBytesReader(w, r.Body, limit)
	mr, err := r.MultipartReader()
	if err != nil {
		return nil, badRequest("unreadable multipart body: %v", err)
	}
	var files []filePart
	for n := 0; ; n++ {
		part, err := mr.NextPart()
		if errors.Is(err, io.EOF) {
			return files, nil
		}
		if err != nil {
			return nil, uploadErr(err, limit, fmt.Sprintf("unreadable multipart body after %d parts", n))
		}
		if n == maxParts {
			return nil, badRequest("more than %d multipart parts", maxParts)
		}
		field := part.FormName()
		rec.Fields = append(rec.Fields, field)
		// Parts in other fields, and text fields (no file name) in these, are read and ignored.
		if name := part.FileName(); name == "" || (field != FieldFile && field != FieldFiles) {
			_, err = io.Copy(io.Discard, part)
		} else {
			var data []byte
			data, err = io.ReadAll(part)
			files = append(files, filePart{name: name, data: data})
			rec.Files = append(rec.Files, name)
		}
		_ = part.Close()
		if err != nil {
			return nil, uploadErr(err, limit, fmt.Sprintf("unreadable multipart part %q", field))
		}
	}
}

// uploadErr is the refusal of an upload that could not be read: 413 past limit, else 400.
func uploadErr(err error, limit int64, what string) error {
	if e := new(apiError); errors.As(err, &e) {
		return e
	}
	if tooLarge := new(http.MaxBytesError); errors.As(err, &tooLarge) {
		return apiErr(http.StatusRequestEntityTooLarge, codeTooLarge, "the upload is larger than %d bytes", limit)
	}
	return badRequest("%s: %v", what, err)
}

// checkFiles says why 3dverse would reject an upload of files, "" when it would take it: a model
// must be there, a .glb must be binary glTF, a .gltf glTF JSON, and no model may be empty.
func checkFiles(files []filePart) string {
	var names []string
	hasModel := false
	for _, f := range files {
		names = append(names, f.name)
		if pipelineOf(f.name) != PipelineScene {
			continue
		}
		hasModel = true
		switch ext := strings.ToLower(path.Ext(f.name)); {
		case len(f.data) == 0:
			return f.name + " is empty"
		case ext == ".glb" && !bytes.HasPrefix(f.data, []byte("glTF")):
			return f.name + ` is not a binary glTF file: it does not start with "glTF"`
		case ext == ".gltf" && !isGLTFJSON(f.data):
			return f.name + ` is not a glTF file: it is not JSON with an "asset" object`
		}
	}
	if !hasModel {
		return fmt.Sprintf("no model among %s: send a %s file", strings.Join(names, ", "), strings.Join(modelExts, ", "))
	}
	return ""
}

// isGLTFJSON says whether data is a JSON object with an "asset" object, as every glTF has.
func isGLTFJSON(data []byte) bool {
	var doc map[string]json.RawMessage
	if json.Unmarshal(data, &doc) != nil {
		return false
	}
	asset := bytes.TrimSpace(doc["asset"])
	return len(asset) > 0 && asset[0] == '{'
}

// addUpload files an upload of files by userID into f, with its task: rejected when checkFiles
// or RejectNextUpload says so, else with its source files, one conversion and one asset for each
// model and image. The caller holds s.mu.
func (s *Server) addUpload(userID string, f *folder, files []filePart) *uploadTask {
	t := &uploadTask{id: newID(), folderID: f.id, userID: userID, at: s.now()}
	for _, fp := range files {
		t.files = append(t.files, fp.name)
		t.bytes += int64(len(fp.data))
	}
	s.tasks[t.id] = t
	s.taskOrder = append(s.taskOrder, t.id)
	t.rejected = checkFiles(files)
	if s.rejectNext != nil {
		t.rejected, s.rejectNext = *s.rejectNext, nil
	}
	if t.rejected != "" {
		return t
	}
	fail := s.failNext
	s.failNext = nil
	for _, fp := range files {
		sf := &sourceFile{id: newID(), folderID: f.id, taskID: t.id, name: fp.name, data: fp.data}
		s.sourceFiles[sf.id] = sf
		pipeline := pipelineOf(fp.name)
		if pipeline == "" {
			continue
		}
		a := &asset{id: newID(), typ: pipeline, name: assetName(fp.name), folderID: f.id, sourceFileID: sf.id, created: t.at}
		s.assets[a.id] = a
		s.assetOrder = append(s.assetOrder, a.id)
		conv := &conversion{assetID: a.id, sourceFileID: sf.id, sourceFileName: fp.name, pipeline: pipeline}
		if fail != nil && pipeline == PipelineScene {
			conv.pipeline, conv.fails, fail = *fail, true, nil
		}
		t.convs = append(t.convs, conv)
	}
	return t
}
