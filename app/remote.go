package app

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"time"

	"github.com/kiln3d/kiln/providers"
)

// unsafeID matches characters a provider's id may hold that a folder name should not.
var unsafeID = regexp.MustCompile(`[^A-Za-z0-9._-]+`)

func remoteAssetID(provider, id string) string {
	return provider + "-" + unsafeID.ReplaceAllString(id, "_")
}

// ImportRemote files a provider's jobs in the library as remote assets, to be downloaded later.
// A job already filed is updated (its status), never duplicated; a downloaded one is left as it
// is. It returns how many assets were new.
func (l *Library) ImportRemote(provider string, items []providers.RemoteAsset) (int, error) {
	added := 0
	for _, it := range items {
		id := remoteAssetID(provider, it.ID)
		ref := &RemoteRef{Provider: provider, ID: it.ID, Status: it.Status, Ready: it.Ready, ImageURLs: it.ImageURLs}
		if a, err := l.Get(id); err == nil {
			if a.Downloaded() || a.Damaged != "" {
				continue // a damaged sidecar is the artist's to look at, never rewritten
			}
			a.Remote = ref
			if err := l.saveSidecar(a); err != nil {
				return added, err
			}
			continue
		}
		name := it.Name
		if name == "" {
			name = it.ID
		}
		a := Asset{ID: id, Name: name, Provider: provider, RemoteID: it.ID, Created: it.Created,
			Finished: it.Created, Parameters: Parameters{Polycount: it.Polycount}, Remote: ref, KilnVersion: Version}
		if err := l.create(id, func(dir string) error { return l.writeSidecar(dir, a) }); err != nil {
			return added, err
		}
		added++
	}
	return added, nil
}

// create makes the asset folder id complete or not at all: fill writes into a temporary folder
// that is then renamed into place.
func (l *Library) create(id string, fill func(dir string) error) error {
	tmp, err := tempDir(l.dir, incomingPrefix)
	if err != nil {
		return fmt.Errorf("add to library: %w", err)
	}
	if err := fill(tmp); err != nil {
		os.RemoveAll(tmp)
		return err
	}
	if err := os.Rename(tmp, filepath.Join(l.dir, id)); err != nil {
		os.RemoveAll(tmp)
		return fmt.Errorf("add to library: %w", err)
	}
	syncDir(l.dir)
	l.index(id)
	return nil
}

// saveSidecar rewrites an existing asset's sidecar and its row in the index.
func (l *Library) saveSidecar(a Asset) error {
	if err := l.writeSidecar(a.Dir, a); err != nil {
		return err
	}
	l.index(a.ID)
	return nil
}

// writeSidecar writes a's sidecar into dir (a folder being filled, or the asset's own).
func (l *Library) writeSidecar(dir string, a Asset) error {
	a.Damaged = "" // a verdict of this run, not provenance
	return WriteFileAtomic(filepath.Join(dir, sidecarName), 0o644, func(w io.Writer) error {
		enc := json.NewEncoder(w)
		enc.SetIndent("", "  ")
		return enc.Encode(a)
	})
}

// Import lists a provider's jobs between since and until and files them in the library.
func (k *Kiln) Import(ctx context.Context, provider string, since, until time.Time) (found, added int, err error) {
	imp, err := k.importer(provider)
	if err != nil {
		return 0, 0, err
	}
	items, err := imp.ListRemote(ctx, since, until)
	if err != nil {
		return 0, 0, err
	}
	added, err = k.Library.ImportRemote(provider, items)
	return len(items), added, err
}

// Download fetches a remote asset's model into its library folder. The sidecar is rewritten last,
// so an interrupted download leaves the asset as it was.
func (k *Kiln) Download(ctx context.Context, assetID string, report func(providers.Progress)) (Asset, error) {
	a, err := k.Library.Get(assetID)
	if err != nil {
		return Asset{}, err
	}
	if err := a.Err(); err != nil {
		return Asset{}, err
	}
	if a.Downloaded() {
		return a, nil
	}
	if a.Remote == nil {
		return Asset{}, fmt.Errorf("asset %s has no remote model to download", a.Name)
	}
	if !a.Remote.Ready {
		return Asset{}, fmt.Errorf("%s: the %s job is %s: there is no model to download yet", a.Name, a.Remote.Provider, a.Remote.Status)
	}
	imp, err := k.importer(a.Remote.Provider)
	if err != nil {
		return Asset{}, err
	}
	removeStale(a.Dir, downloadPrefix, time.Now())
	work, err := tempDir(a.Dir, downloadPrefix)
	if err != nil {
		return Asset{}, fmt.Errorf("download %s: %w", a.Name, err)
	}
	defer os.RemoveAll(work)
	if report == nil {
		report = func(providers.Progress) {}
	}
	files, err := imp.Download(ctx, a.Remote.ID, work, report)
	if err != nil {
		return Asset{}, err
	}
	if len(files) == 0 {
		return Asset{}, fmt.Errorf("download %s: the provider returned no files", a.Name)
	}
	info, err := ReadModelInfo(filepath.Join(work, files[0].Path))
	if err != nil {
		return Asset{}, fmt.Errorf("the %s provider returned a model Kiln cannot read: %w", a.Remote.Provider, err)
	}
	used := map[string]bool{sidecarName: true, "inputs": true}
	for i, f := range files {
		name := filepath.Base(f.Path)
		if i == 0 {
			name = SafeFileName(a.Name) + filepath.Ext(f.Path)
		}
		name = uniqueName(name, func(n string) bool { return used[n] })
		used[name] = true
		rec, err := storeInto(filepath.Join(work, f.Path), a.Dir, name, true)
		if err != nil {
			return Asset{}, fmt.Errorf("download %s: %w", a.Name, err)
		}
		rec.Format = f.Format
		a.Files = append(a.Files, rec)
	}
	a.Triangles, a.Finished = info.Triangles, time.Now()
	if err := k.Library.saveSidecar(a); err != nil {
		return Asset{}, err
	}
	return a, nil
}

func (k *Kiln) importer(provider string) (providers.Importer, error) {
	p, err := k.Providers.Get(provider)
	if err != nil {
		return nil, err
	}
	imp, ok := p.(providers.Importer)
	if !ok {
		return nil, fmt.Errorf("%s cannot list an account's jobs", p.Capabilities().Title)
	}
	return imp, nil
}

// DayRange reads the first and last day of an import (YYYY-MM-DD, in local time; empty for an
// open end) and returns the range Import takes: from the first day's start to the end of the
// last day.
func DayRange(first, last string) (since, until time.Time, err error) {
	day := func(s string) (time.Time, error) {
		s = strings.TrimSpace(s)
		if s == "" {
			return time.Time{}, nil
		}
		t, err := time.ParseInLocation("2006-01-02", s, time.Local)
		if err != nil {
			return time.Time{}, fmt.Errorf("%q is not a date like 2026-03-31", s)
		}
		return t, nil
	}
	since, err1 := day(first)
	until, err2 := day(last)
	if err := errors.Join(err1, err2); err != nil {
		return time.Time{}, time.Time{}, err
	}
	if !until.IsZero() {
		until = until.AddDate(0, 0, 1) // the whole last day
	}
	return since, until, nil
}
