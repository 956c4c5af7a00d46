package kaedim

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/kiln3d/kiln/providers"
)

func TestFetchAllAndDownload(t *testing.T) {
	h := setup(t, nil)
	ctx := context.Background()
	day := func(t time.Time) time.Time { return t.UTC().Truncate(24 * time.Hour) }
	old := h.submit() // two days before the others
	h.fake.Advance(48 * time.Hour)
	done := h.submit()
	gone := h.submit()
	pending := h.submit()
	_ = h.fake.SetStatus(done.ID, "completed", "")
	_ = h.fake.Dismiss(gone.ID, "Inappropriate content")
	_ = h.fake.SetStatus(pending.ID, "new", "")
	today := day(h.fake.Now())

	all, err := h.p.FetchAll(ctx, time.Time{}, time.Time{})
	if err != nil {
		t.Fatal(err)
	}
	if len(all) != 4 {
		t.Fatalf("%d assets without dates, want 4", len(all))
	}
	recent, err := h.p.FetchAll(ctx, today, today)
	if err != nil {
		t.Fatal(err)
	}
	byID := map[string]RemoteAsset{}
	for _, a := range recent {
		byID[a.RequestID] = a
	}
	if len(recent) != 3 || byID[old.ID].RequestID != "" {
		t.Fatalf("today's assets: %d, including the old one: %v", len(recent), byID[old.ID].RequestID != "")
	}
	a := byID[done.ID]
	it, ok := a.Finished()
	if a.Polycount != 20000 || len(a.Images) != 1 || a.Created.IsZero() || !ok || it.ID != "0" || it.LoQ != "standard" ||
		it.Results["glb"] == "" || it.Results["fbx"] == "" {
		t.Errorf("asset read as %+v", a)
	}
	if it, _ := byID[gone.ID].Latest(); !it.Dismissed() || it.DismissedReason != "Inappropriate content" {
		t.Errorf("dismissed asset read as %+v", it)
	}
	if it, _ := byID[pending.ID].Latest(); it.Status != "new" || len(it.Results) != 0 {
		t.Errorf("pending asset read as %+v", it)
	}

	// Later, when the links listed have long expired, Download fetches fresh ones.
	h.fake.Advance(3 * time.Hour)
	dir := t.TempDir()
	files, err := h.p.Download(ctx, done.ID, dir, nil)
	if err != nil {
		t.Fatal(err)
	}
	if data, err := os.ReadFile(filepath.Join(dir, files[0].Path)); err != nil || string(data[:4]) != "glTF" {
		t.Errorf("downloaded model: %v", err)
	}
	if _, err := h.p.Download(ctx, gone.ID, t.TempDir(), nil); !errors.Is(err, providers.ErrGenerationFailed) {
		t.Errorf("download of a dismissed request: %v", err)
	}
	if _, err := h.p.Download(ctx, pending.ID, t.TempDir(), nil); !errors.Is(err, providers.ErrNotFound) {
		t.Errorf("download of a pending request: %v", err)
	}
}

// TestDownloadTakesTheNewestFinishedIteration: an edit request in progress leaves the last
// finished model downloadable.
func TestDownloadTakesTheNewestFinishedIteration(t *testing.T) {
	h := setup(t, nil)
	r := h.submit()
	_ = h.fake.SetStatus(r.ID, "completed", "")
	_ = h.fake.Iterate(r.ID)
	_ = h.fake.SetStatus(r.ID, "new", "")
	if _, err := h.p.Download(context.Background(), r.ID, t.TempDir(), nil); err != nil {
		t.Fatal(err)
	}
	got := h.fake.Received("download")
	if len(got) != 1 || filepath.Dir(got[0].Path) != "/"+r.ID+"/0" {
		t.Errorf("downloaded %v, want iteration 0's model", got)
	}
}

// The provider files into the library through providers.Importer.
var _ providers.Importer = (*Provider)(nil)

func TestListRemoteForTheLibrary(t *testing.T) {
	h := setup(t, nil)
	done, pending := h.submit(), h.submit()
	_ = h.fake.SetStatus(done.ID, "completed", "")
	_ = h.fake.SetStatus(pending.ID, "new", "")
	list, err := h.p.ListRemote(context.Background(), time.Time{}, time.Time{})
	if err != nil {
		t.Fatal(err)
	}
	byID := map[string]providers.RemoteAsset{}
	for _, r := range list {
		byID[r.ID] = r
	}
	if r := byID[done.ID]; !r.Ready || r.Status != "completed" || r.Name == "" || r.Name == done.ID || r.Created.IsZero() || len(r.ImageURLs) != 1 {
		t.Errorf("finished request listed as %+v", r)
	}
	if r := byID[pending.ID]; r.Ready || r.Status != "new" {
		t.Errorf("pending request listed as %+v", r)
	}
}
