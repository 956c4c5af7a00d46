package threedverse

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"path"
	"path/filepath"
	"slices"
	"strings"

	"github.com/kiln3d/kiln/providers"
	"github.com/kiln3d/kiln/providers/httpkit"
)

// handle is a publication's state, which Publish saves before each step that must not be
// repeated and once its outcome is known, and reads back when called again. Its JSON is Kiln's
// own: the core stores it as it is.
type handle struct {
	// Folder is the folder's id.
	Folder string `json:"folder_id"`
	// Model is the name the model was uploaded under ("Chair.glb"): 3dverse names the assets it
	// makes from it after it, without the extension.
	Model string `json:"model,omitempty"`
	// Granted is the user Kiln gave write access to the folder, with the API key.
	Granted string `json:"granted_user_id,omitempty"`
	// Before are the ids of the folder's assets named like the model before the upload left:
	// those not among them afterwards are the upload's.
	Before []string `json:"before,omitempty"`
	// Uploading says that the upload left, or may have: it is never sent again without looking
	// for what it made first.
	Uploading bool `json:"uploading,omitempty"`
	// UploadID is the upload task's id, once 3dverse has answered the upload.
	UploadID string `json:"upload_task_id,omitempty"`
}

// readHandle reads the handle h; nil or empty is a new publication.
func readHandle(h json.RawMessage) (handle, error) {
	var st handle
	if len(bytes.TrimSpace(h)) == 0 || bytes.Equal(bytes.TrimSpace(h), []byte("null")) {
		return st, nil
	}
	if err := json.Unmarshal(h, &st); err != nil {
		return handle{}, fmt.Errorf("%s: the publication's saved state cannot be read (%w): publish the model again as a new publication", Name, err)
	}
	return st, nil
}

// publication is one call of Publish.
type publication struct {
	t      *Target
	ss     *session
	pub    providers.Publication
	st     handle
	save   func(json.RawMessage) error
	report func(providers.Progress)
}

// Publish uploads pub's files into pub.Folder and follows 3dverse's conversion of them until it
// has ended (providers.Target). With the handle h of an earlier call it resumes: it follows the
// upload the handle names, or, when the upload left but its answer never came, adopts the assets
// it finds in the folder named after the model (and uploads again only when it finds none).
//
// A file Kiln cannot publish is a *providers.InputError naming it, found before anything is sent;
// an upload 3dverse rejects is an error of kind providers.ErrInvalidInput, a conversion that failed
// one of kind providers.ErrGenerationFailed naming the pipeline and the file. A network failure, a
// rate limit or a failing server is returned as it is (providers.Transient): the core calls
// Publish again with the last handle saved.
func (t *Target) Publish(ctx context.Context, pub providers.Publication, h json.RawMessage, save func(json.RawMessage) error,
	report func(providers.Progress)) (providers.Published, error) {
	op := "publish"
	if len(pub.Files) > 0 {
		op = "publish " + providers.Printable(filepath.Base(pub.Files[0]))
	}
	if err := ctxErr(ctx, op); err != nil {
		return providers.Published{}, err
	}
	if report == nil {
		report = func(providers.Progress) {}
	}
	if save == nil {
		save = func(json.RawMessage) error { return nil }
	}
	if pub.Folder.ID == "" {
		return providers.Published{}, &providers.InputError{Reason: "pick the 3dverse folder to publish to"}
	}
	st, err := readHandle(h)
	if err != nil {
		return providers.Published{}, err
	}
	if st.Folder != "" && st.Folder != pub.Folder.ID {
		return providers.Published{}, fmt.Errorf("%s: %s: the publication's saved state is for another folder: publish the model again as a new publication", Name, op)
	}
	st.Folder = pub.Folder.ID
	var up *upload
	if st.UploadID == "" && !st.Uploading {
		// Every file is checked before anything is sent.
		if up, err = prepare(pub); err != nil {
			return providers.Published{}, err
		}
	}
	c, err := loadCreds(ctx, t.secrets)
	if err != nil {
		return providers.Published{}, err
	}
	p := &publication{t: t, ss: t.session(c), pub: pub, st: st, save: save, report: report}
	res, err := p.run(ctx, up)
	return res, p.ss.scrub(err)
}

// run takes the publication through the steps its handle has not passed: look for a lost
// upload's assets, give Kiln's user access to the folder, upload, follow.
func (p *publication) run(ctx context.Context, up *upload) (providers.Published, error) {
	if p.st.UploadID != "" {
		return p.follow(ctx)
	}
	if p.st.Uploading {
		found, err := p.lost(ctx)
		if err != nil || len(found.Assets) > 0 {
			return found, err
		}
		if up, err = prepare(p.pub); err != nil {
			return providers.Published{}, err
		}
		p.t.Log.LogAttrs(ctx, slog.LevelInfo, "3dverse: an upload that got no answer made nothing; uploading again",
			slog.String("folder", p.st.Folder), slog.String("model", p.st.Model))
	}
	if p.ss.key != "" {
		if err := p.grant(ctx); err != nil {
			return providers.Published{}, err
		}
	}
	before, err := p.named(ctx, stem(up.model))
	if err != nil {
		return providers.Published{}, err
	}
	p.st.Before = make([]string, 0, len(before))
	for _, a := range before {
		p.st.Before = append(p.st.Before, a.AssetID)
	}
	p.st.Model, p.st.Uploading = up.model, true
	if err := p.keep(); err != nil {
		return providers.Published{}, err
	}
	id, err := p.upload(ctx, up)
	if err != nil {
		return providers.Published{}, err
	}
	p.st.UploadID = id
	if err := p.keep(); err != nil {
		return providers.Published{}, err
	}
	return p.follow(ctx)
}

// keep saves the handle as it is now; a failure stops the publication.
func (p *publication) keep() error {
	data, err := json.Marshal(p.st)
	if err != nil {
		return fmt.Errorf("%s: save the publication's state: %w", Name, err)
	}
	if err := p.save(data); err != nil {
		return fmt.Errorf("%s: save the publication's state: %w", Name, err)
	}
	return nil
}

// folderName is the folder as messages name it.
func (p *publication) folderName() string {
	if p.pub.Folder.Name != "" {
		return p.pub.Folder.Name
	}
	return p.st.Folder
}

// lost looks for what an upload made whose answer never came (a restart, a connection cut while
// 3dverse answered): the folder's assets named after the model and not there before it left.
// None means the upload made nothing.
func (p *publication) lost(ctx context.Context) (providers.Published, error) {
	model := p.st.Model
	if model == "" && len(p.pub.Files) > 0 {
		model = modelName(p.pub.Name, p.pub.Files[0], strings.ToLower(filepath.Ext(p.pub.Files[0])))
	}
	named, err := p.named(ctx, stem(model))
	if err != nil {
		return providers.Published{}, err
	}
	var out providers.Published
	for _, a := range named {
		if slices.Contains(p.st.Before, a.AssetID) {
			continue
		}
		out.Assets = append(out.Assets, providers.PublishedAsset{ID: a.AssetID, Type: a.AssetType, Name: providers.Printable(a.Name)})
	}
	if len(out.Assets) > 0 {
		out.Note = "3dverse's answer to the upload was lost; these assets, named after the model, were found in the folder " +
			"afterwards (they may still be converting)"
		p.t.Log.LogAttrs(ctx, slog.LevelInfo, "3dverse: found the assets of an upload whose answer was lost",
			slog.String("folder", p.st.Folder), slog.Int("assets", len(out.Assets)))
	}
	return out, nil
}

// named lists the folder's assets called name (GET /folders/{id}/assets), a model's stem.
func (p *publication) named(ctx context.Context, name string) ([]assetJSON, error) {
	var list assetList
	_, err := p.ss.asUser(ctx, call{op: "list the assets of the folder " + providers.Printable(p.folderName()), method: http.MethodGet,
		route: "folders/" + url.PathEscape(p.st.Folder) + "/assets"}, &list)
	if err != nil {
		return nil, p.ss.forbidden(err, p.folderName())
	}
	var out []assetJSON
	for _, a := range list {
		if a.Name == name && a.AssetID != "" {
			out = append(out, a)
		}
	}
	return out, nil
}

// grant gives Kiln's user write access to the folder with the API key, once per publication
// (PUT /folders/{id}/access/users/{user_id}), unless the user made the folder (and may manage
// it, which a grant of write would take away). A key without the scope to grant is not an error
// yet: the user may have access already, and the upload's refusal says what to do if not.
func (p *publication) grant(ctx context.Context) error {
	id, err := p.ss.user(ctx)
	if err != nil || p.st.Granted == id {
		return err
	}
	op := "give Kiln's 3dverse user write access to the folder " + providers.Printable(p.folderName())
	var folder struct {
		CreatedBy string `json:"created_by"`
	}
	if _, err := p.ss.withKey(ctx, call{op: op, method: http.MethodGet, route: "folders/" + url.PathEscape(p.st.Folder)}, &folder); err != nil {
		if errors.Is(err, providers.ErrNotFound) {
			return notFolder(err)
		}
		return err
	}
	if folder.CreatedBy != id {
		_, err = p.ss.withKey(ctx, call{op: op, method: http.MethodPut,
			route: "folders/" + url.PathEscape(p.st.Folder) + "/access/users/" + url.PathEscape(id), json: map[string]string{"access": "write"}}, nil)
		var api *providers.APIError
		switch {
		case errors.Is(err, providers.ErrForbidden) && errors.As(err, &api):
			p.ss.grantRefused = api.Message
			p.t.Log.LogAttrs(ctx, slog.LevelWarn, "3dverse: the API key may not grant access to the folder; uploading as the user is",
				slog.String("error", err.Error()))
			return nil
		case errors.Is(err, providers.ErrNotFound):
			return notFolder(err)
		case err != nil:
			return err
		}
	}
	p.st.Granted = id
	return nil
}

// notFolder makes a 404 about the folder say so.
func notFolder(err error) error {
	var api *providers.APIError
	if errors.As(err, &api) {
		api.Message += " (the folder is no longer in 3dverse: pick another one)"
	}
	return err
}

// upload sends the files to the folder, POST /folders/{id}/source-files, reporting the bytes sent,
// and returns the upload task's id.
func (p *publication) upload(ctx context.Context, up *upload) (string, error) {
	op := "upload " + providers.Printable(up.model) + " to the folder " + providers.Printable(p.folderName())
	total := up.form.FileBytes()
	what := "Uploading " + providers.Printable(up.model) + " to 3dverse"
	p.report(providers.Progress{Phase: providers.PhaseUploading, Fraction: 0, Message: what})
	lastPercent := 0
	sent := func(n int64) {
		if total <= 0 {
			return
		}
		if percent := int(n * 100 / total); percent != lastPercent {
			lastPercent = percent
			p.report(providers.Progress{Phase: providers.PhaseUploading, Fraction: float64(n) / float64(total), Message: what})
		}
	}
	var out uploadJSON
	status, err := p.ss.asUser(ctx, call{op: op, method: http.MethodPost, route: "folders/" + url.PathEscape(p.st.Folder) + "/source-files",
		form: up.form, sent: sent}, &out)
	if err != nil {
		if errors.Is(err, providers.ErrNotFound) {
			return "", notFolder(err)
		}
		return "", p.ss.forbidden(err, p.folderName())
	}
	if out.UploadTaskID == "" {
		return "", service.Error(op, status, providers.ErrServer, "3dverse took the upload but sent no upload task id")
	}
	p.report(providers.Progress{Phase: providers.PhaseUploading, Fraction: 1, Message: what})
	p.t.Log.LogAttrs(ctx, slog.LevelInfo, "3dverse: uploaded", slog.String("upload", out.UploadTaskID),
		slog.Int("files", up.form.Files()), slog.Int64("bytes", total))
	return out.UploadTaskID, nil
}

// stem is a file name without its extension: what 3dverse names an asset made from it.
func stem(name string) string { return strings.TrimSuffix(name, path.Ext(name)) }

// follow polls the upload task (GET /upload-tasks/{id}) until it has ended, reporting its
// progress, then returns the assets it made. A poll that fails is returned at once: the core calls
// Publish again, which follows the same task.
func (p *publication) follow(ctx context.Context) (providers.Published, error) {
	id := p.st.UploadID
	op := "follow the upload " + providers.Printable(id)
	pace := httpkit.NewBackoff(p.t.Poll)
	last := ""
	for {
		var task taskJSON
		status, err := p.ss.asUser(ctx, call{op: op, method: http.MethodGet, route: "upload-tasks/" + url.PathEscape(id)}, &task)
		switch {
		case ctx.Err() != nil:
			return providers.Published{}, wrapCtx(op, ctx.Err())
		case errors.Is(err, providers.ErrNotFound):
			var api *providers.APIError
			if errors.As(err, &api) {
				api.Message += " (3dverse no longer knows this upload: publish the model again as a new publication)"
			}
			return providers.Published{}, err
		case err != nil:
			return providers.Published{}, err
		case task.Status == "":
			return providers.Published{}, service.Error(op, status, providers.ErrServer, "3dverse answered without the upload's status")
		}
		switch task.Status {
		case statusSuccess:
			if failed := failedConversion(task); failed != nil {
				return providers.Published{}, p.conversionFailed(op, task, failed)
			}
			return p.results(ctx, task)
		case statusRejected:
			why := strings.TrimSpace(task.Message)
			if why == "" {
				why = "it gave no reason"
			}
			return providers.Published{}, service.Error(op, 0, providers.ErrInvalidInput,
				fmt.Sprintf("3dverse rejected the upload of %s: %s", p.modelShown(), why))
		case statusError:
			return providers.Published{}, p.conversionFailed(op, task, failedConversion(task))
		}
		if sig := fmt.Sprintf("%s %.3f %v", task.Status, task.Progress, conversionStates(task)); sig != last {
			pace.Reset() // something moved: the next change may follow soon
			last = sig
		}
		p.report(p.progress(task))
		if err := p.t.Sleep(ctx, pace.Wait()); err != nil {
			return providers.Published{}, wrapCtx(op, err)
		}
	}
}

// modelShown is the model as messages name it: the name it was uploaded under.
func (p *publication) modelShown() string {
	if p.st.Model != "" {
		return providers.Printable(p.st.Model)
	}
	return "the model"
}

// conversionStates is every conversion's status and progress, to tell a change.
func conversionStates(task taskJSON) []string {
	out := make([]string, 0, len(task.ConversionTasks))
	for _, c := range task.ConversionTasks {
		out = append(out, fmt.Sprintf("%s:%.3f", c.Status, c.Progress))
	}
	return out
}

// failedConversion is the task's first failed conversion, or nil.
func failedConversion(task taskJSON) *conversionJSON {
	for i, c := range task.ConversionTasks {
		if c.Status == statusError {
			return &task.ConversionTasks[i]
		}
	}
	return nil
}

// conversionFailed explains a task that ended in error: which file failed in which pipeline,
// when 3dverse says.
func (p *publication) conversionFailed(op string, task taskJSON, c *conversionJSON) error {
	file := p.modelShown()
	msg := fmt.Sprintf("3dverse could not convert %s", file)
	if c != nil {
		if c.SourceFileName != "" {
			file = providers.Printable(c.SourceFileName)
		}
		msg = fmt.Sprintf("the conversion of %s failed", file)
		if c.ConversionPipeline != "" {
			msg += fmt.Sprintf(" in 3dverse's %q pipeline", providers.Printable(c.ConversionPipeline))
		}
	}
	for _, why := range []string{messageOf(c), strings.TrimSpace(task.Message)} {
		if why != "" {
			msg += ": " + why
			break
		}
	}
	return service.Error(op, 0, providers.ErrGenerationFailed, msg)
}

// messageOf is a conversion's own words, or "".
func messageOf(c *conversionJSON) string {
	if c == nil {
		return ""
	}
	return strings.TrimSpace(c.Message)
}

// fraction reads a progress 3dverse writes as a percentage (or, at most 1, as a fraction) as a
// fraction from 0 to 1.
func fraction(v float64) float64 {
	if v != v { // NaN
		return 0
	}
	if v > 1 {
		v /= 100
	}
	return max(0, min(1, v))
}

// progress reports the task's state in an artist's words.
func (p *publication) progress(task taskJSON) providers.Progress {
	model := p.modelShown()
	var msg string
	switch task.Status {
	case statusWaiting:
		msg = "Waiting for 3dverse to take " + model
	case statusDownloading:
		msg = "3dverse is receiving " + model
	case statusPending:
		msg = model + " is waiting for 3dverse's conversion"
	case statusConverting:
		msg = "Converting " + model
		if c := converting(task); c != nil {
			name := model
			if c.SourceFileName != "" {
				name = providers.Printable(c.SourceFileName)
			}
			msg = fmt.Sprintf("Converting %s (%s) %d%%", name, providers.Printable(c.ConversionPipeline), int(fraction(c.Progress)*100))
		}
	default:
		msg = "3dverse: " + httpkit.Shorten(providers.Printable(task.Status), 40)
	}
	return providers.Progress{Phase: providers.PhaseRunning, Fraction: fraction(task.Progress), Message: msg}
}

// converting is the conversion to name in a report: the first still running, else the first.
func converting(task taskJSON) *conversionJSON {
	for i, c := range task.ConversionTasks {
		if c.Status != statusSuccess {
			return &task.ConversionTasks[i]
		}
	}
	if len(task.ConversionTasks) > 0 {
		return &task.ConversionTasks[0]
	}
	return nil
}

// results returns what a finished task made: the assets of every source file it converted (GET
// /source-files/{id}/assets), in the order of its conversions.
func (p *publication) results(ctx context.Context, task taskJSON) (providers.Published, error) {
	out := providers.Published{UploadID: p.st.UploadID}
	seen := map[string]bool{}
	add := func(a providers.PublishedAsset) {
		if a.ID != "" && !seen[a.ID] {
			seen[a.ID] = true
			out.Assets = append(out.Assets, a)
		}
	}
	listed := map[string]bool{}
	for _, c := range task.ConversionTasks {
		if c.SourceFileID == "" || listed[c.SourceFileID] {
			continue
		}
		listed[c.SourceFileID] = true
		var list assetList
		_, err := p.ss.asUser(ctx, call{op: "list the assets made from " + providers.Printable(c.SourceFileName), method: http.MethodGet,
			route: "source-files/" + url.PathEscape(c.SourceFileID) + "/assets"}, &list)
		if err != nil {
			return providers.Published{}, err
		}
		for _, a := range list {
			add(providers.PublishedAsset{ID: a.AssetID, Type: a.AssetType, Name: providers.Printable(a.Name), Pipeline: pipelineOf(task, c, a.AssetID)})
		}
	}
	for _, c := range task.ConversionTasks {
		// A conversion's asset its source file did not list (3dverse still indexing it).
		add(providers.PublishedAsset{ID: c.AssetID, Name: providers.Printable(stem(c.SourceFileName)), Pipeline: providers.Printable(c.ConversionPipeline)})
	}
	if len(out.Assets) == 0 {
		return providers.Published{}, service.Error("follow the upload "+providers.Printable(p.st.UploadID), 0, providers.ErrGenerationFailed,
			fmt.Sprintf("3dverse finished the upload of %s but made no asset from it", p.modelShown()))
	}
	return out, nil
}

// pipelineOf is the pipeline that made the asset id: the conversion that names it, else the
// source file's.
func pipelineOf(task taskJSON, source conversionJSON, id string) string {
	for _, c := range task.ConversionTasks {
		if c.AssetID == id && c.ConversionPipeline != "" {
			return providers.Printable(c.ConversionPipeline)
		}
	}
	return providers.Printable(source.ConversionPipeline)
}
