package providertest

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"sync"

	"github.com/kiln3d/kiln/providers"
)

// FakeTarget is an in-memory providers.Target for the core's tests: it keeps folders, counts
// uploads, and follows the contract on handles (an upload whose id was saved is never sent
// again). Hold, when set, keeps every Publish waiting after its upload until a value arrives or
// ctx ends, so that a test can cancel, close or restart in the middle of a conversion.
type FakeTarget struct {
	Info providers.TargetInfo
	// Hold, when not nil, is received from once per Publish, after the upload.
	Hold chan struct{}

	mu      sync.Mutex
	folders []providers.Folder
	uploads []FakeUpload
	fails   []error
}

// FakeUpload is one upload a FakeTarget received.
type FakeUpload struct {
	ID     string
	Folder string
	Files  []string
	// tag is the publication's mark, which finds the upload when its answer was lost.
	tag string
}

// fakeHandle is a FakeTarget's handle on a publication: the mark its upload carries once it has
// left (the way a real target finds an upload by what it made), then the upload's id.
type fakeHandle struct {
	Uploading string `json:"uploading,omitempty"`
	Upload    string `json:"upload,omitempty"`
}

// NewFakeTarget returns a target called name that takes glb and glTF models.
func NewFakeTarget(name string) *FakeTarget {
	return &FakeTarget{Info: providers.TargetInfo{Name: name, Title: "Fake " + name, Formats: []string{"glb", "gltf"},
		Help: "Publishes nowhere: a test's target."}}
}

// Describe returns Info.
func (f *FakeTarget) Describe() providers.TargetInfo { return f.Info }

// Folders lists the folders made so far.
func (f *FakeTarget) Folders(context.Context) ([]providers.Folder, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	return slices.Clone(f.folders), nil
}

// CreateFolder makes a folder.
func (f *FakeTarget) CreateFolder(_ context.Context, name string) (providers.Folder, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	folder := providers.Folder{ID: fmt.Sprintf("folder-%d", len(f.folders)+1), Name: name}
	f.folders = append(f.folders, folder)
	return folder, nil
}

// FailNext makes the next Publish calls fail with errs, one each, after their upload.
func (f *FakeTarget) FailNext(errs ...error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.fails = append(f.fails, errs...)
}

// Uploads returns the uploads received, in order.
func (f *FakeTarget) Uploads() []FakeUpload {
	f.mu.Lock()
	defer f.mu.Unlock()
	return slices.Clone(f.uploads)
}

// Publish uploads pub's files (unless h says they were) and returns one asset per upload.
func (f *FakeTarget) Publish(ctx context.Context, pub providers.Publication, h json.RawMessage,
	save func(json.RawMessage) error, report func(providers.Progress)) (providers.Published, error) {
	if err := ctx.Err(); err != nil {
		return providers.Published{}, fmt.Errorf("fake target: %w", err)
	}
	var hd fakeHandle
	if len(h) > 0 {
		if err := json.Unmarshal(h, &hd); err != nil {
			return providers.Published{}, fmt.Errorf("a damaged handle: %w", err)
		}
	}
	if hd.Upload == "" && hd.Uploading != "" {
		// The upload left but its answer was lost: find it by its mark.
		f.mu.Lock()
		for _, up := range f.uploads {
			if up.tag == hd.Uploading {
				hd.Upload = up.ID
			}
		}
		f.mu.Unlock()
	}
	if hd.Upload == "" {
		for _, p := range pub.Files {
			if st, err := os.Stat(p); err != nil || !st.Mode().IsRegular() {
				return providers.Published{}, &providers.InputError{File: p, Reason: "is not a file that can be uploaded"}
			}
		}
		f.mu.Lock()
		hd.Uploading = fmt.Sprintf("%p-%d", f, len(f.uploads)+1)
		f.mu.Unlock()
		if err := saveHandle(save, hd); err != nil {
			return providers.Published{}, err
		}
		report(providers.Progress{Phase: providers.PhaseUploading, Fraction: 0, Message: "Uploading " + filepath.Base(pub.Files[0])})
		f.mu.Lock()
		up := FakeUpload{ID: fmt.Sprintf("upload-%d", len(f.uploads)+1), Folder: pub.Folder.ID, tag: hd.Uploading}
		for _, p := range pub.Files {
			up.Files = append(up.Files, filepath.Base(p))
		}
		f.uploads = append(f.uploads, up)
		f.mu.Unlock()
		hd = fakeHandle{Upload: up.ID}
		if err := saveHandle(save, hd); err != nil {
			return providers.Published{}, err
		}
	}
	report(providers.Progress{Phase: providers.PhaseRunning, Fraction: 0.5, Message: "Converting " + pub.Name})
	if f.Hold != nil {
		select {
		case <-f.Hold:
		case <-ctx.Done():
		}
	}
	if err := ctx.Err(); err != nil {
		return providers.Published{}, fmt.Errorf("fake target: %w", err)
	}
	f.mu.Lock()
	var fail error
	if len(f.fails) > 0 {
		fail, f.fails = f.fails[0], f.fails[1:]
	}
	f.mu.Unlock()
	if fail != nil {
		return providers.Published{}, fail
	}
	return providers.Published{UploadID: hd.Upload, Assets: []providers.PublishedAsset{
		{ID: "asset-" + hd.Upload, Type: "scene", Name: pub.Name, Pipeline: "scene"}}}, nil
}

func saveHandle(save func(json.RawMessage) error, h fakeHandle) error {
	data, err := json.Marshal(h)
	if err != nil {
		return err
	}
	return save(data)
}
