package app

import (
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/kiln3d/kiln/providers"
	"github.com/kiln3d/kiln/providers/httpkit"
)

// Publication is one publishing of an asset to a target, as the asset's provenance records it.
type Publication struct {
	// Target names the target ("3dverse"); Credential the credential it ran with (never a
	// secret).
	Target     string `json:"target"`
	Credential string `json:"credential,omitempty"`
	// Folder is where on the target it went.
	Folder providers.Folder `json:"folder"`
	// UploadID and Assets are what the target made of it.
	UploadID string                     `json:"upload_id,omitempty"`
	Assets   []providers.PublishedAsset `json:"assets"`
	// JobID is the publishing job; Published is when it ended.
	JobID     string    `json:"job_id"`
	Published time.Time `json:"published"`
	// Note is the target's word on how it ended ("found after a restart"), if any.
	Note string `json:"note,omitempty"`
	// ReplacedBy names the publishing job that replaced this one; empty while it is current.
	ReplacedBy string `json:"replaced_by,omitempty"`
}

// Current reports whether the publication has not been replaced by a later one.
func (p Publication) Current() bool { return p.ReplacedBy == "" }

// PublishedTo returns the asset's current publications to target ("" for every target), oldest
// first.
func (a Asset) PublishedTo(target string) []Publication {
	var out []Publication
	for _, p := range a.Published {
		if p.Current() && (target == "" || p.Target == target) {
			out = append(out, p)
		}
	}
	return out
}

// checkPublished checks the publications an asset's sidecar records: each names its target and
// job, and each asset made has an id of sane length. It returns why they cannot be trusted, or "".
func checkPublished(a Asset) string {
	for _, p := range a.Published {
		switch {
		case p.Target == "" || len(p.Target) > 64:
			return "a publication in " + sidecarName + " names no target"
		case p.JobID == "" || len(p.JobID) > 256 || len(p.Folder.ID) > 1024 || len(p.UploadID) > 1024:
			return fmt.Sprintf("a publication to %s in %s has no job or an id too long", providers.Printable(p.Target), sidecarName)
		}
		for _, pa := range p.Assets {
			if pa.ID == "" || len(pa.ID) > 1024 {
				return fmt.Sprintf("a publication to %s in %s lists an asset without a sane id", providers.Printable(p.Target), sidecarName)
			}
		}
	}
	return ""
}

// RecordPublished adds pub to asset id's provenance; with replace, the asset's current
// publications to the same target are marked replaced by it (they stay in the record). The
// sidecar is rewritten atomically under the asset's lock (lockAsset), and a publication of the
// same job is recorded once.
func (l *Library) RecordPublished(id string, pub Publication, replace bool) (Asset, error) {
	return l.update(id, "record the publication of", func(a *Asset) error {
		if slices.ContainsFunc(a.Published, func(p Publication) bool { return p.JobID == pub.JobID }) {
			return nil // recorded before the process that published it stopped
		}
		if replace {
			for i := range a.Published {
				if a.Published[i].Target == pub.Target && a.Published[i].Current() {
					a.Published[i].ReplacedBy = pub.JobID
				}
			}
		}
		a.Published = append(a.Published, pub)
		return nil
	})
}

// publishFiles lists what publishing a's model uploads: the model, and for a .gltf the buffers
// and images it names by relative address, each of which must be a file inside the asset's
// folder.
func publishFiles(a Asset) ([]string, error) {
	model := a.ModelPath()
	if model == "" {
		return nil, fmt.Errorf("%s has no model on this computer to publish (download it first)", a.Name)
	}
	files, err := modelFiles(model, a.Dir)
	if err != nil {
		return nil, fmt.Errorf("publish %s: %w", a.Name, err)
	}
	return files, nil
}

// modelFiles lists the files a model is made of: the model, and for a .gltf the buffers and
// images it names by relative address, each of which must be a file inside the folder root.
func modelFiles(model, root string) ([]string, error) {
	if !strings.EqualFold(filepath.Ext(model), ".gltf") {
		return []string{model}, nil
	}
	data, err := readCapped(model, maxGLTFJSON)
	if err != nil {
		return nil, err
	}
	var doc struct {
		Buffers []struct{ URI string } `json:"buffers"`
		Images  []struct{ URI string } `json:"images"`
	}
	if err := json.Unmarshal(data, &doc); err != nil {
		return nil, fmt.Errorf("%s is not glTF JSON: %w", filepath.Base(model), err)
	}
	var uris []string
	for _, b := range doc.Buffers {
		uris = append(uris, b.URI)
	}
	for _, im := range doc.Images {
		uris = append(uris, im.URI)
	}
	files := []string{model}
	realRoot, err := filepath.EvalSymlinks(root)
	if err != nil {
		return nil, err
	}
	for _, u := range uris {
		if u == "" || strings.HasPrefix(u, "data:") {
			continue // embedded in the .gltf itself
		}
		rel, err := url.PathUnescape(u)
		if err != nil || !filepath.IsLocal(filepath.FromSlash(rel)) {
			return nil, fmt.Errorf("%s refers to %q, which is not a file beside it", filepath.Base(model), u)
		}
		path := filepath.Join(filepath.Dir(model), filepath.FromSlash(rel))
		real, err := filepath.EvalSymlinks(path)
		if err != nil {
			return nil, fmt.Errorf("%s refers to %s, which is missing", filepath.Base(model), rel)
		}
		if inside, err := filepath.Rel(realRoot, real); err != nil || !filepath.IsLocal(inside) {
			return nil, fmt.Errorf("%s refers to %s, which leads out of its folder", filepath.Base(model), rel)
		}
		if !slices.Contains(files, path) {
			files = append(files, path)
		}
	}
	return files, nil
}

// maxGLTFJSON bounds the .gltf read to find its files: the JSON of a real one is well under it.
const maxGLTFJSON = 64 << 20

// readCapped reads a regular file of at most limit bytes.
func readCapped(path string, limit int64) ([]byte, error) {
	st, err := os.Stat(path)
	switch {
	case err != nil:
		return nil, err
	case !st.Mode().IsRegular():
		return nil, fmt.Errorf("%s is not a regular file", filepath.Base(path))
	case st.Size() > limit:
		return nil, fmt.Errorf("%s is larger than %d MiB", filepath.Base(path), limit>>20)
	}
	return os.ReadFile(path)
}

// ErrPublishedBefore is returned by Queue.Publish when the asset is already published to the
// target and the caller said neither replace nor add: the artist decides.
var ErrPublishedBefore = errors.New("published before")

// PublishMode says what a publication does with the asset's earlier ones on the same target.
type PublishMode int

// The modes: ask (refuse with ErrPublishedBefore when there are earlier ones), replace them, or
// add beside them.
const (
	PublishAsk PublishMode = iota
	PublishReplace
	PublishAdd
)

// Publish queues the publication of library asset assetID to target, into folder (by ID, or by
// Name: found or made when the job runs). An asset already published there is refused with an
// error wrapping ErrPublishedBefore, saying where and when, unless mode says replace or add.
func (q *Queue) Publish(ctx context.Context, target, assetID string, folder providers.Folder, mode PublishMode, opts ...SubmitOption) (Job, error) {
	t, err := q.reg.Target(target)
	if err != nil {
		return Job{}, err
	}
	info := t.Describe()
	folder.ID, folder.Name = strings.TrimSpace(folder.ID), strings.TrimSpace(folder.Name)
	if folder.ID == "" && folder.Name == "" {
		return Job{}, &providers.InputError{Reason: "pick or name a folder to publish into"}
	}
	a, err := q.lib.Get(assetID)
	if err != nil {
		return Job{}, err
	}
	if err := a.Err(); err != nil {
		return Job{}, err
	}
	files, err := publishFiles(a)
	if err != nil {
		return Job{}, err
	}
	format := strings.TrimPrefix(strings.ToLower(filepath.Ext(files[0])), ".")
	if !slices.Contains(info.Formats, format) {
		return Job{}, &providers.InputError{File: files[0], Reason: fmt.Sprintf("%s takes %s models, not .%s",
			info.Title, strings.Join(info.Formats, " or "), format)}
	}
	if before := a.PublishedTo(target); len(before) > 0 && mode == PublishAsk {
		last := before[len(before)-1]
		return Job{}, fmt.Errorf("%s was published to %s before, into %s on %s: replace it or add another: %w",
			a.Name, info.Title, folderLabel(last.Folder), last.Published.Local().Format("2 Jan 2006 15:04"), ErrPublishedBefore)
	}
	now := time.Now()
	j := Job{ID: newID(now.UTC().Format("20060102-150405")), Kind: KindPublish, Provider: target, State: Queued,
		Created: now, Updated: now, Attempt: 1, Origin: a.ID, Sources: []string{files[0]},
		Publish: &PublishSpec{Name: a.Name, Folder: folder, Replace: mode == PublishReplace}}
	for _, o := range opts {
		o(&j)
	}
	if j.Credential, err = q.keys.Resolve(ctx, target, j.Credential); err != nil {
		return Job{}, err
	}
	q.mu.Lock()
	closed := q.closed
	q.mu.Unlock()
	if closed {
		return Job{}, ErrClosed
	}
	if err := q.store.Insert(ctx, j, q.owner, now.Add(q.opts.Lease)); err != nil {
		return Job{}, err
	}
	q.emit(j)
	q.enqueue(j)
	return j.clone(), nil
}

// folderLabel names a folder for a message.
func folderLabel(f providers.Folder) string {
	if f.Name != "" {
		return fmt.Sprintf("the folder %q", f.Name)
	}
	return "the folder " + f.ID
}

// publish takes a publishing job to its target: it finds or makes the folder, then publishes the
// asset's files, keeping the target's handle in the job (Remote.State) at every step it saves, so
// that a restart or a retry follows the same upload instead of sending it again. A transient
// failure once the upload has left is tried again with growing pauses, like a cloud job's Collect.
func (r *runner) publish() (err error) {
	j := &r.job
	if j.Publish == nil {
		return errors.New("this publishing job says nothing of what to publish (the job database was changed)")
	}
	if _, err := r.q.reg.Target(j.Provider); err != nil {
		return fmt.Errorf("this Kiln does not publish to %q", providers.Printable(j.Provider))
	}
	// The publication's calls go out with its own credential.
	t, err := r.q.keys.BindTarget(r.ctx, j.Provider, j.Credential)
	if err != nil {
		return &credentialError{err}
	}
	defer func() {
		if v := recover(); v != nil {
			err = recovered(j.Provider, v)
		}
	}()
	info := t.Describe()
	if j.Started.IsZero() {
		j.Started = time.Now()
	}
	a, err := r.q.lib.Get(j.Origin)
	if err != nil {
		return fmt.Errorf("publish: %w", err)
	}
	if err := a.Err(); err != nil {
		return fmt.Errorf("publish: %w", err)
	}
	files, err := publishFiles(a)
	if err != nil {
		return err
	}
	if j.State == Queued && j.Message != "" {
		r.startMessage = j.Message // Retry's word on what it does
	}
	if err := r.move(Running, cmp.Or(r.startMessage, "Publishing to "+info.Title)); err != nil {
		return err
	}
	spec := j.Publish
	if spec.Folder.ID == "" {
		if spec.Folder, err = findOrMakeFolder(r.ctx, t, spec.Folder.Name); err != nil {
			return err
		}
		if err := r.saveAndEmit(); err != nil {
			return err
		}
	}
	pub := providers.Publication{Folder: spec.Folder, Name: a.Name, Files: files}
	save := func(h json.RawMessage) error {
		j.Remote.State = slices.Clone(h)
		return r.save()
	}
	wait := r.q.opts.CollectBackoff
	var done providers.Published
	for try := 0; ; try++ {
		done, err = t.Publish(r.ctx, pub, j.Remote.State, save, r.report)
		if err == nil || r.ctx.Err() != nil || !KindOf(err).transient() || try >= r.q.opts.CollectRetries {
			break
		}
		var api *providers.APIError
		if errors.As(err, &api) && api.RetryAfter > wait {
			wait = api.RetryAfter
		}
		j.Message = fmt.Sprintf("%s did not answer properly; trying again in %s, without uploading again (%s)",
			info.Title, wait.Round(time.Second), providers.Printable(err.Error()))
		_ = r.saveAndEmit()
		if err := httpkit.Sleep(r.ctx, wait); err != nil {
			return err
		}
		wait = min(2*wait, 5*time.Minute)
	}
	if err != nil {
		return err
	}
	if err := r.ctx.Err(); err != nil {
		return err
	}
	j.Remote.ID = done.UploadID
	record := Publication{Target: j.Provider, Credential: j.Credential, Folder: spec.Folder, UploadID: done.UploadID,
		Assets: done.Assets, JobID: j.ID, Published: time.Now(), Note: done.Note}
	if _, err := r.q.lib.RecordPublished(a.ID, record, spec.Replace); err != nil {
		return err
	}
	crashPoint("filed")
	j.AssetID = a.ID
	j.Files = slices.Clone(files[:1])
	if err := j.moveTo(Done, time.Now()); err != nil {
		return err
	}
	j.Progress = 1
	j.Message = fmt.Sprintf("Published to %s: %s in %s", info.Title, Plural(len(done.Assets), "asset"), folderLabel(spec.Folder))
	if done.Note != "" {
		j.Message += " (" + providers.Printable(done.Note) + ")"
	}
	if err := r.save(); err != nil {
		return err
	}
	r.q.emit(*j)
	return nil
}

// Plural writes a count with its noun: "1 asset", "3 assets".
func Plural(n int, what string) string {
	if n == 1 {
		return "1 " + what
	}
	return fmt.Sprintf("%d %ss", n, what)
}

// findOrMakeFolder returns the target's folder called name, making it when there is none. Looked
// for first, so that a job that made it and then stopped does not make a second.
func findOrMakeFolder(ctx context.Context, t providers.Target, name string) (providers.Folder, error) {
	folders, err := t.Folders(ctx)
	if err != nil {
		return providers.Folder{}, err
	}
	for _, f := range folders {
		if f.Name == name {
			return f, nil
		}
	}
	return t.CreateFolder(ctx, name)
}

// Folders lists the folders of target a model can be published into, with the credential called
// credential ("" for the default one).
func (k *Kiln) Folders(ctx context.Context, target, credential string) ([]providers.Folder, error) {
	t, err := k.Keys.BindTarget(ctx, target, credential)
	if err != nil {
		return nil, err
	}
	return t.Folders(ctx)
}

// CreateFolder makes a folder called name on target.
func (k *Kiln) CreateFolder(ctx context.Context, target, credential, name string) (providers.Folder, error) {
	name = strings.TrimSpace(name)
	if name == "" {
		return providers.Folder{}, &providers.InputError{Reason: "give the folder a name"}
	}
	t, err := k.Keys.BindTarget(ctx, target, credential)
	if err != nil {
		return providers.Folder{}, err
	}
	return t.CreateFolder(ctx, name)
}
