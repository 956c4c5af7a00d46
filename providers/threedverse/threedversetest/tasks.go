package threedversetest

import (
	"net/http"
	"time"
)

// The statuses of an upload task, as the docs list them; a conversion task takes StatusPending,
// StatusConverting, StatusError and StatusSuccess.
const (
	StatusWaiting     = "waiting"
	StatusDownloading = "downloading"
	StatusPending     = "pending"
	StatusConverting  = "converting"
	StatusError       = "error"
	StatusSuccess     = "success"
	StatusRejected    = "rejected"
)

// uploadTask is an upload and what the fake does with it.
type uploadTask struct {
	id, folderID, userID string
	at                   time.Time // when it was uploaded, on the fake's clock
	files                []string
	bytes                int64
	rejected             string // why it is rejected; "" when it is not
	convs                []*conversion
}

// conversion is one conversion task of an upload: one source file into one asset.
type conversion struct {
	assetID, sourceFileID, sourceFileName, pipeline string
	fails                                           bool // FailNextConversion's: it ends in error
}

// conversionJSON is a conversion task as the API writes it.
type conversionJSON struct {
	AssetID            string `json:"asset_id"`
	SourceFileID       string `json:"source_file_id"`
	SourceFileName     string `json:"source_file_name"`
	ConversionPipeline string `json:"conversion_pipeline"`
	Progress           int    `json:"progress"`
	Status             string `json:"status"`
}

// taskJSON is an upload task as the API writes it.
type taskJSON struct {
	UploadTaskID    string           `json:"upload_task_id"`
	FolderID        string           `json:"folder_id"`
	UploadedAt      string           `json:"uploaded_at"`
	UploadedBy      string           `json:"uploaded_by"`
	Progress        int              `json:"progress"`
	Status          string           `json:"status"`
	Message         string           `json:"message,omitempty"` // why it was rejected or failed
	ConversionTasks []conversionJSON `json:"conversion_tasks"`
}

// state is t at now. Each Step of the fake's clock moves the task one status on: waiting,
// downloading, pending, converting, then success (or error when a conversion fails); a rejected
// upload waits one Step, then is rejected. Progress is a percentage that rises within each step;
// the fake's choice is to have it never take a value in (0, 1], which a client reading both
// fractions and percentages could not tell apart: 0 while waiting, then 25 to 99, and 100 once the
// task is over, whatever its end. Conversion tasks are pending until the task converts, then
// converting from 10 to 99, then success (100) or error (stopped at 50).
func (t *uploadTask) state(now time.Time, step time.Duration) taskJSON {
	j := taskJSON{UploadTaskID: t.id, FolderID: t.folderID, UploadedAt: stamp(t.at), UploadedBy: t.userID,
		ConversionTasks: []conversionJSON{}}
	elapsed := max(now.Sub(t.at), 0)
	k := int(min(elapsed/step, 4))
	within := float64(elapsed%step) / float64(step) // how far into its step, 0 to 1
	if t.rejected != "" {
		j.Status = StatusWaiting
		if k > 0 {
			j.Status, j.Progress, j.Message = StatusRejected, 100, t.rejected
		}
		return j
	}
	failed := false
	for _, c := range t.convs {
		cj := conversionJSON{AssetID: c.assetID, SourceFileID: c.sourceFileID, SourceFileName: c.sourceFileName,
			ConversionPipeline: c.pipeline, Status: StatusPending}
		switch {
		case k == 3:
			cj.Status, cj.Progress = StatusConverting, min(10+int(90*within), 99)
		case k == 4 && c.fails:
			cj.Status, cj.Progress = StatusError, 50
			failed = true
			if j.Message == "" {
				j.Message = "the conversion of " + c.sourceFileName + " failed in the \"" + c.pipeline + "\" pipeline"
			}
		case k == 4:
			cj.Status, cj.Progress = StatusSuccess, 100
		}
		j.ConversionTasks = append(j.ConversionTasks, cj)
	}
	switch k {
	case 0:
		j.Status = StatusWaiting
	case 4:
		j.Status, j.Progress = StatusSuccess, 100
		if failed {
			j.Status = StatusError
		}
	default:
		j.Status = []string{StatusWaiting, StatusDownloading, StatusPending, StatusConverting}[k]
		j.Progress = min(25*k+int(25*within), 99)
	}
	return j
}

// uploadTaskStatus: GET /upload-tasks/{upload_task_id}, with the token of the uploader or of a
// user with access to the folder. 200 the task as it is now.
func (s *Server) uploadTaskStatus(w http.ResponseWriter, r *http.Request, _ *Request, p params) {
	s.mu.Lock()
	defer s.mu.Unlock()
	c, err := s.authenticate(r, userOnly)
	if err != nil {
		writeError(w, err)
		return
	}
	t := s.tasks[p["upload_task_id"]]
	if t == nil {
		writeError(w, notFound("upload task %s not found", p["upload_task_id"]))
		return
	}
	if t.userID != c.token.userID {
		if err := s.canRead(c, s.folders[t.folderID]); err != nil {
			writeError(w, err)
			return
		}
	}
	writeJSON(w, http.StatusOK, t.state(s.now(), s.step))
}

// asset is an asset a conversion makes. It exists from the moment its upload is accepted.
type asset struct {
	id, typ, name, folderID, sourceFileID string
	created                               time.Time
}

// Asset is an asset, for tests to assert on.
type Asset struct {
	// ID is the asset_id.
	ID string
	// Type is the asset_type: PipelineScene for a model, PipelineTexture for an image.
	Type string
	// Name is the file's name without its extension.
	Name string
	// FolderID is the folder it is in.
	FolderID string
	// SourceFileID is the source file it was made from.
	SourceFileID string
}

// Assets lists the assets in the folder folderID, oldest first; "" lists every folder's.
func (s *Server) Assets(folderID string) []Asset {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []Asset
	for _, id := range s.assetOrder {
		if a := s.assets[id]; folderID == "" || a.folderID == folderID {
			out = append(out, Asset{ID: a.id, Type: a.typ, Name: a.name, FolderID: a.folderID, SourceFileID: a.sourceFileID})
		}
	}
	return out
}

// assetJSON is an asset as the API lists it; a source file's list leaves out the times and the
// source file.
type assetJSON struct {
	AssetID      string `json:"asset_id"`
	AssetType    string `json:"asset_type"`
	Name         string `json:"name"`
	CreatedAt    string `json:"created_at,omitempty"`
	SourceFileID string `json:"source_file_id,omitempty"`
}

func (a *asset) json() assetJSON {
	return assetJSON{AssetID: a.id, AssetType: a.typ, Name: a.name, CreatedAt: stamp(a.created), SourceFileID: a.sourceFileID}
}

// folderAssets: GET /folders/{folder_id}/assets, with the token of a user with access. 200 the
// folder's assets, oldest first: an array, or with Options.AssetsByType an object of arrays keyed
// by type in the plural ({"scenes": [...], "textures": [...]}).
func (s *Server) folderAssets(w http.ResponseWriter, r *http.Request, _ *Request, p params) {
	s.mu.Lock()
	defer s.mu.Unlock()
	c, err := s.authenticate(r, userOnly)
	var f *folder
	if err == nil {
		f, err = s.folderOf(c, p["folder_id"])
	}
	if err != nil {
		writeError(w, err)
		return
	}
	list := []assetJSON{}
	byType := map[string][]assetJSON{}
	for _, id := range s.assetOrder {
		if a := s.assets[id]; a.folderID == f.id {
			list = append(list, a.json())
			byType[a.typ+"s"] = append(byType[a.typ+"s"], a.json())
		}
	}
	if s.assetsByType {
		writeJSON(w, http.StatusOK, byType)
		return
	}
	writeJSON(w, http.StatusOK, list)
}

// sourceFileAssets: GET /source-files/{source_file_id}/assets, with the token of a user with
// access to its folder. 200 [{"asset_id", "asset_type", "name"}]: none for a file no pipeline
// converts.
func (s *Server) sourceFileAssets(w http.ResponseWriter, r *http.Request, _ *Request, p params) {
	s.mu.Lock()
	defer s.mu.Unlock()
	c, err := s.authenticate(r, userOnly)
	if err != nil {
		writeError(w, err)
		return
	}
	sf := s.sourceFiles[p["source_file_id"]]
	if sf == nil {
		writeError(w, notFound("source file %s not found", p["source_file_id"]))
		return
	}
	if err := s.canRead(c, s.folders[sf.folderID]); err != nil {
		writeError(w, err)
		return
	}
	out := []assetJSON{}
	for _, id := range s.assetOrder {
		if a := s.assets[id]; a.sourceFileID == sf.id {
			out = append(out, assetJSON{AssetID: a.id, AssetType: a.typ, Name: a.name})
		}
	}
	writeJSON(w, http.StatusOK, out)
}

// assetDescription: GET /assets/{asset_type}/{asset_id}/description, with the token of a user
// with access to its folder. 200 {"asset_id", "asset_type", "name", "source_file_id",
// "created_at"}; 404 for an asset of another type.
func (s *Server) assetDescription(w http.ResponseWriter, r *http.Request, _ *Request, p params) {
	s.mu.Lock()
	defer s.mu.Unlock()
	c, err := s.authenticate(r, userOnly)
	if err != nil {
		writeError(w, err)
		return
	}
	a := s.assets[p["asset_id"]]
	if a == nil || a.typ != p["asset_type"] {
		writeError(w, notFound("%s %s not found", p["asset_type"], p["asset_id"]))
		return
	}
	if err := s.canRead(c, s.folders[a.folderID]); err != nil {
		writeError(w, err)
		return
	}
	writeJSON(w, http.StatusOK, a.json())
}
