package app

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"net/url"
	"os"
	"path/filepath"
	"strings"

	"github.com/kiln3d/kiln/providers"
)

// The sidecar is input like any other file on disk: a sync tool, a careless edit, a shared folder
// or an attacker may have written it. Nothing it says is used before it is checked here: every
// path must stay inside the asset's folder (a model path of "../../../../etc/passwd" would
// otherwise be printed, previewed and copied out), the model must be the one that was saved, and
// the id must be the folder's.

// maxSidecar bounds how much of an asset.json is read: a real one is a few kilobytes.
const maxSidecar = 4 << 20

// read loads the asset in folder dir. A problem with the asset does not fail the read: the asset
// comes back with Damaged saying what is wrong, so that it can be listed and named. The error is
// only for a folder that cannot be looked at (it wraps fs.ErrNotExist when there is none).
func (l *Library) read(dir string) (Asset, error) { return l.readAs(dir, filepath.Base(dir)) }

// readAs is read of the folder dir that holds asset id under another name (its place in the
// trash).
func (l *Library) readAs(dir, id string) (Asset, error) {
	st, err := os.Lstat(dir)
	if err != nil {
		return Asset{}, fmt.Errorf("library asset %s: %w", providers.Printable(id), err)
	}
	var a Asset
	reason := "the asset is a link or a file, not a folder"
	if st.IsDir() {
		a, reason = l.checkAs(dir, id)
	}
	a.Dir = dir
	if reason != "" {
		a.Damaged = reason
		a.ID = id // the folder is what the artist can find and fix
	}
	if strings.TrimSpace(a.Name) == "" {
		a.Name = a.ID
	}
	return a, nil
}

// Reasons quote or escape what came from the file (%q, providers.Printable), so that they are
// safe to print as they are.

// checkAs reads and verifies the sidecar and files of asset id in folder dir (its own, or its
// place in the trash). It returns the asset and why it is damaged, or "". Whatever does not pass
// is taken out of the asset: an unsafe path is never returned.
func (l *Library) checkAs(dir, id string) (Asset, string) {
	data, reason := readSidecar(dir)
	if reason != "" {
		return Asset{ID: id}, reason
	}
	var a Asset
	if err := json.Unmarshal(data, &a); err != nil {
		return Asset{ID: id}, fmt.Sprintf("%s cannot be read: %v", sidecarName, err)
	}
	a.Damaged = "" // the verdict is ours, never the file's
	if reason := checkRecords(a); reason != "" {
		a.Files, a.Inputs = nil, nil
		return a, reason
	}
	root, err := filepath.EvalSymlinks(dir)
	if err != nil {
		a.Files, a.Inputs = nil, nil
		return a, fmt.Sprintf("the folder cannot be read: %v", err)
	}
	// Every record is located before any other verdict: whatever else is wrong with the asset,
	// a path that leads out of the folder is never returned.
	records := append(append([]FileRecord{}, a.Files...), a.Inputs...)
	found := make([]string, len(records))
	first := ""
	for i, rec := range records {
		real, reason := locate(dir, root, rec)
		if reason == escapes {
			a.Files, a.Inputs = nil, nil
			return a, providers.Printable(rec.Path) + reason
		}
		found[i] = real
		if reason != "" && first == "" {
			first = providers.Printable(rec.Path) + reason
		}
	}
	if reason := checkRemote(a); reason != "" {
		a.Remote = nil
		return a, reason
	}
	if reason := checkPublished(a); reason != "" {
		a.Published = nil
		return a, reason
	}
	if reason := checkWords(a); reason != "" {
		a.Tags, a.Notes = nil, ""
		return a, reason
	}
	if a.ID != id {
		return a, fmt.Sprintf("its id %q is not its folder's name", a.ID)
	}
	if len(a.Files) == 0 && a.Remote == nil {
		return a, sidecarName + " lists no model"
	}
	if first == "" && len(a.Files) > 0 { // the model; inputs are not hashed
		if reason := l.verify(found[0], a.Files[0]); reason != "" {
			first = providers.Printable(a.Files[0].Path) + reason
		}
	}
	return a, first
}

// readSidecar reads dir's asset.json if it is a regular file of a sane size.
func readSidecar(dir string) ([]byte, string) {
	path := filepath.Join(dir, sidecarName)
	st, err := os.Lstat(path)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return nil, sidecarName + " is missing"
	case err != nil:
		return nil, fmt.Sprintf("%s cannot be read: %v", sidecarName, err)
	case !st.Mode().IsRegular():
		return nil, sidecarName + " is not a regular file"
	case st.Size() > maxSidecar:
		return nil, fmt.Sprintf("%s is too large (%d bytes)", sidecarName, st.Size())
	}
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Sprintf("%s cannot be read: %v", sidecarName, err)
	}
	return data, ""
}

// checkRecords checks what can be checked of the file records without the disk: every path is
// relative, clean and inside the folder, and sizes and hashes are well formed.
func checkRecords(a Asset) string {
	for i, rec := range append(append([]FileRecord{}, a.Files...), a.Inputs...) {
		p := providers.Printable(rec.Path)
		switch {
		case rec.Path == "":
			return "a file in " + sidecarName + " has no path"
		case !filepath.IsLocal(rec.Path) || filepath.Clean(rec.Path) != rec.Path || strings.ContainsRune(rec.Path, 0):
			return fmt.Sprintf("the path %q in %s leads out of the asset folder", rec.Path, sidecarName)
		case rec.Bytes < 0:
			return fmt.Sprintf("%s has a negative size in %s", p, sidecarName)
		case i < len(a.Files) && !isSHA256(rec.SHA256):
			return fmt.Sprintf("%s has no valid SHA-256 in %s", p, sidecarName)
		}
	}
	return ""
}

// checkRemote checks a remote asset's reference: the provider is the asset's, the job has an id
// and the asset's id was made from them, and the image addresses are web addresses.
func checkRemote(a Asset) string {
	r := a.Remote
	if r == nil {
		return ""
	}
	switch {
	case r.Provider == "" || r.Provider != a.Provider:
		return fmt.Sprintf("its remote provider %q is not its provider %q", r.Provider, a.Provider)
	case r.ID == "" || len(r.ID) > 1024:
		return "its remote job id is empty or too long"
	case a.ID != remoteAssetID(r.Provider, r.ID):
		return fmt.Sprintf("its id %q does not match its remote job %q", a.ID, r.ID)
	}
	for _, u := range r.ImageURLs {
		if p, err := url.Parse(u); err != nil || (p.Scheme != "https" && p.Scheme != "http") {
			return fmt.Sprintf("the image address %q is not a web address", u)
		}
	}
	return ""
}

// escapes is locate's reason for a file that resolves outside the folder.
const escapes = " leads out of the asset folder"

// locate finds rec on disk: it must exist, be a regular file, and, links followed, still be
// inside root, the asset folder's real path. It returns the real path, or a reason that follows
// the file's name.
func locate(dir, root string, rec FileRecord) (string, string) {
	real, err := filepath.EvalSymlinks(filepath.Join(dir, rec.Path))
	if errors.Is(err, fs.ErrNotExist) {
		return "", " is missing"
	}
	if err != nil {
		return "", fmt.Sprintf(" cannot be read: %v", err)
	}
	if rel, err := filepath.Rel(root, real); err != nil || !filepath.IsLocal(rel) {
		return "", escapes
	}
	st, err := os.Stat(real)
	switch {
	case err != nil:
		return "", fmt.Sprintf(" cannot be read: %v", err)
	case !st.Mode().IsRegular():
		return "", " is not a regular file"
	case st.Size() != rec.Bytes:
		return "", fmt.Sprintf(" was changed after it was saved (it has %d bytes, not %d)", st.Size(), rec.Bytes)
	}
	return real, ""
}

// verify checks the model at path against its record's SHA-256 (hashing it only when it changed
// since it was last hashed).
func (l *Library) verify(path string, rec FileRecord) string {
	sum, err := l.hashes.sum(path)
	if err != nil {
		return fmt.Sprintf(" cannot be read: %v", err)
	}
	if !strings.EqualFold(sum, rec.SHA256) {
		return " was changed after it was saved (its SHA-256 no longer matches)"
	}
	return ""
}

func isSHA256(s string) bool {
	return len(s) == 64 && strings.Trim(strings.ToLower(s), "0123456789abcdef") == ""
}
