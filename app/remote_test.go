package app

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/kiln3d/kiln/providers"
	"github.com/kiln3d/kiln/providers/providertest"
)

// importing is a provider whose account holds jobs made elsewhere.
type importing struct {
	*providertest.Fake
	items     []providers.RemoteAsset
	downloads int
}

func (p *importing) ListRemote(_ context.Context, since, until time.Time) ([]providers.RemoteAsset, error) {
	var out []providers.RemoteAsset
	for _, it := range p.items {
		if (since.IsZero() || !it.Created.Before(since)) && (until.IsZero() || it.Created.Before(until)) {
			out = append(out, it)
		}
	}
	return out, nil
}

func (p *importing) Download(_ context.Context, id, dir string, report func(providers.Progress)) ([]providers.File, error) {
	p.downloads++
	report(providers.Progress{Phase: providers.PhaseDownloading, Fraction: 1})
	return []providers.File{{Path: "m.glb", Format: "glb"}}, providertest.WriteTetrahedron(filepath.Join(dir, "m.glb"))
}

func TestImportAndDownloadRemoteAssets(t *testing.T) {
	day := time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC)
	p := &importing{Fake: providertest.NewFake("cloud"), items: []providers.RemoteAsset{
		{ID: "req/1", Name: "chair", Created: day, Status: "completed", Ready: true, Polycount: 5000},
		{ID: "req-2", Created: day.AddDate(0, 0, 10), Status: "processing"},
		{ID: "req-3", Created: day.AddDate(0, 1, 0), Status: "completed", Ready: true},
	}}
	k, err := Open(Options{Home: t.TempDir(), Providers: mustRegistry(t, providertest.NewFake("local"), p)})
	if err != nil {
		t.Fatal(err)
	}
	defer k.Close()
	ctx := context.Background()
	found, added, err := k.Import(ctx, "cloud", day, day.AddDate(0, 0, 20))
	if err != nil || found != 2 || added != 2 {
		t.Fatalf("import: %d found, %d added, %v", found, added, err)
	}
	list, err := k.Library.List()
	if err != nil || len(list) != 2 {
		t.Fatalf("library: %d, %v", len(list), err)
	}
	chair, err := k.Library.Get("cloud-req_1")
	if err != nil || chair.Downloaded() || chair.Remote.ID != "req/1" || chair.Name != "chair" || chair.ModelPath() != "" {
		t.Fatalf("remote asset: %+v %v", chair, err)
	}
	// Importing again adds nothing and updates the status.
	p.items[1].Status, p.items[1].Ready = "completed", true
	if _, added, _ := k.Import(ctx, "cloud", time.Time{}, time.Time{}); added != 1 {
		t.Errorf("second import added %d, want only the newer job", added)
	}
	if a, _ := k.Library.Get("cloud-req-2"); !a.Remote.Ready || a.Remote.Status != "completed" {
		t.Errorf("status not updated: %+v", a.Remote)
	}

	got, err := k.Download(ctx, "cloud-req_1", nil)
	if err != nil {
		t.Fatal(err)
	}
	if !got.Downloaded() || got.Triangles != 4 || filepath.Base(got.ModelPath()) != "chair.glb" {
		t.Errorf("downloaded: %+v", got)
	}
	if _, err := os.Stat(got.ModelPath()); err != nil {
		t.Error(err)
	}
	if again, _ := k.Download(ctx, "cloud-req_1", nil); again.ModelPath() != got.ModelPath() || p.downloads != 1 {
		t.Errorf("a second download fetched again (%d downloads)", p.downloads)
	}
	p.items[0].Status = "dismissed"
	if _, added, _ := k.Import(ctx, "cloud", time.Time{}, time.Time{}); added != 0 {
		t.Error("re-import duplicated")
	}
	if a, _ := k.Library.Get("cloud-req_1"); !a.Downloaded() {
		t.Error("re-import undid a download")
	}
	if _, _, err := k.Import(ctx, "local", time.Time{}, time.Time{}); err == nil || !strings.Contains(err.Error(), "cannot list") {
		t.Errorf("import from a provider without accounts: %v", err)
	}
}

func TestDownloadBeforeTheModelExists(t *testing.T) {
	p := &importing{Fake: providertest.NewFake("cloud"), items: []providers.RemoteAsset{{ID: "r", Status: "processing"}}}
	k, err := Open(Options{Home: t.TempDir(), Providers: mustRegistry(t, providertest.NewFake("local"), p)})
	if err != nil {
		t.Fatal(err)
	}
	defer k.Close()
	if _, _, err := k.Import(context.Background(), "cloud", time.Time{}, time.Time{}); err != nil {
		t.Fatal(err)
	}
	if _, err := k.Download(context.Background(), "cloud-r", nil); err == nil || !strings.Contains(err.Error(), "is processing: there is no model to download yet") {
		t.Errorf("download of a running job: %v", err)
	}
}
