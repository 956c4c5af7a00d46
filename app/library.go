package app

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/kiln3d/kiln/providers"
)

// ErrNoAsset is returned for an asset id the library does not hold.
var ErrNoAsset = errors.New("no such asset")

// ErrDamaged is wrapped by the errors about damaged assets (see Asset.Damaged).
var ErrDamaged = errors.New("damaged asset")

// sidecarName is the provenance file kept beside every asset's files.
const sidecarName = "asset.json"

// Library is the artist's local collection of finished models: one folder per asset holding the
// model, the input images and a sidecar JSON of provenance. The folders are the source of truth,
// so the library survives the loss of the job database.
type Library struct {
	dir    string
	idx    *index
	hashes hashCache
	// edit serialises the changes to existing sidecars (a publication recorded) within this
	// process; each is written atomically.
	edit sync.Mutex
}

// Asset is one model in the library, as its sidecar describes it.
type Asset struct {
	ID       string `json:"id"`
	Name     string `json:"name"`
	Provider string `json:"provider"`
	// Credential names the provider credential the job ran with (never a secret).
	Credential string `json:"credential,omitempty"`
	JobID      string `json:"job_id"`
	RemoteID   string `json:"remote_id,omitempty"`
	// Parameters are the request's settings, without the image paths (see Inputs).
	Parameters Parameters `json:"parameters"`
	Created    time.Time  `json:"created"`
	Finished   time.Time  `json:"finished"`
	Triangles  int        `json:"triangles"`
	// Files are the results, the model first; paths are relative to the asset's folder.
	Files       []FileRecord `json:"files"`
	Inputs      []FileRecord `json:"inputs"`
	KilnVersion string       `json:"kiln_version"`
	// Remote is set for an asset imported from a provider's account: until it is downloaded it
	// has no files, only this reference.
	Remote *RemoteRef `json:"remote,omitempty"`
	// DerivedFrom names the asset this one was made from (a reduced copy), with how.
	DerivedFrom *Derivation `json:"derived_from,omitempty"`
	// Published records where the model was published (3dverse), oldest first.
	Published []Publication `json:"published,omitempty"`
	// Made says what the provider decided while making the model and why (the local provider's
	// shape, a back mirrored from the front): the job's notes.
	Made []string `json:"made,omitempty"`
	// Tags and Notes are the artist's own words about the asset.
	Tags  []string `json:"tags,omitempty"`
	Notes string   `json:"notes,omitempty"`

	// Dir is the asset's folder; it is not stored.
	Dir string `json:"-"`
	// Damaged says why the asset cannot be used ("model.glb is missing"), or is empty. It is the
	// library's verdict when it reads the folder, never taken from the sidecar; a damaged asset
	// keeps no file whose path is unsafe.
	Damaged string `json:"damaged,omitempty"`
}

// Parameters are a request's settings as the sidecar records them.
type Parameters struct {
	Polycount int               `json:"polycount"`
	ProjectID string            `json:"project_id,omitempty"`
	Options   map[string]string `json:"options,omitempty"`
	// Prompt is the text the object was described with.
	Prompt string `json:"prompt,omitempty"`
	// Size is the real size asked for.
	Size providers.Dimensions `json:"size,omitzero"`
	// Cost is what the provider's published prices said the job cost, in its credits.
	Cost float64 `json:"cost,omitempty"`
}

// FileRecord identifies one stored file.
type FileRecord struct {
	Path   string `json:"path"`
	Format string `json:"format,omitempty"`
	Bytes  int64  `json:"bytes"`
	SHA256 string `json:"sha256"`
	// Source is where an input image came from on the artist's disk.
	Source string `json:"source,omitempty"`
	// View names where the camera stood for an input image.
	View string `json:"view,omitempty"`
	// Role says what a result is beyond the model (providers.RolePreview: the provider's picture),
	// or that an input is the cut-out of another (RoleCutOut).
	Role string `json:"role,omitempty"`
	// Of is, for a cut-out, the path of the input image it cuts out.
	Of string `json:"of,omitempty"`
}

// RoleCutOut marks an input that is the cut-out the artist corrected for one of the images
// (providers.Image.Mask). Cut-outs come after every image in Asset.Inputs.
const RoleCutOut = "cutout"

// RemoteRef is a provider's job filed in the library.
type RemoteRef struct {
	Provider  string   `json:"provider"`
	ID        string   `json:"id"`
	Status    string   `json:"status"`
	Ready     bool     `json:"ready"`
	ImageURLs []string `json:"image_urls,omitempty"`
}

// Derivation records how an asset was made from another.
type Derivation struct {
	Asset string `json:"asset"`
	// Operation is how: "reduce", "texture", "duplicate", or an export fix ("downscale",
	// "recentre", "rescale").
	Operation string `json:"operation"`
	Polycount int    `json:"polycount,omitempty"`
	// MaxTexture, Pivot and HeightCM are what an export fix brought the model to.
	MaxTexture int     `json:"max_texture,omitempty"`
	Pivot      Pivot   `json:"pivot,omitempty"`
	HeightCM   float64 `json:"height_cm,omitempty"`
}

// PreviewPath is the path of the provider's own picture of the model (providers.RolePreview), or
// "" when it sent none.
func (a Asset) PreviewPath() string {
	for _, f := range a.Files[min(1, len(a.Files)):] {
		if f.Role == providers.RolePreview && filepath.IsLocal(f.Path) {
			return filepath.Join(a.Dir, f.Path)
		}
	}
	return ""
}

// Downloaded reports whether the asset's model is on disk (always, but for remote assets not
// yet downloaded).
func (a Asset) Downloaded() bool { return len(a.Files) > 0 }

// ModelPath is the path of the asset's model, inside its folder.
func (a Asset) ModelPath() string {
	// The library never returns an unsafe path; this guards Assets made elsewhere.
	if len(a.Files) == 0 || !filepath.IsLocal(a.Files[0].Path) {
		return ""
	}
	return filepath.Join(a.Dir, a.Files[0].Path)
}

// Err is nil for a sound asset, and for a damaged one an error naming its folder and the reason,
// for the operations that refuse it. It wraps ErrDamaged.
func (a Asset) Err() error {
	if a.Damaged == "" {
		return nil
	}
	return fmt.Errorf("%w %s: %s", ErrDamaged, providers.Printable(a.ID), a.Damaged)
}

// OpenLibrary opens the library folder dir, creating it if needed, with its index in db (nil: an
// index in memory, for this process only), and clears what Adds of dead processes left behind.
func OpenLibrary(dir string, db *sql.DB) (*Library, error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, fmt.Errorf("open library: %w", err)
	}
	if db == nil {
		var err error
		if db, err = memoryDatabase(); err != nil {
			return nil, fmt.Errorf("open library: %w", err)
		}
	}
	abs, err := filepath.Abs(dir)
	if err != nil {
		return nil, fmt.Errorf("open library: %w", err)
	}
	idx, err := openIndex(db, abs)
	if err != nil {
		return nil, fmt.Errorf("open the library index: %w", err)
	}
	l := &Library{dir: dir, idx: idx}
	removeStale(dir, incomingPrefix, time.Now())
	return l, nil
}

// memoryDatabase is a private SQLite database in memory.
func memoryDatabase() (*sql.DB, error) {
	db, err := sql.Open("sqlite", "file:"+newID("library")+"?mode=memory&cache=shared")
	if err != nil {
		return nil, err
	}
	db.SetMaxOpenConns(1) // one connection keeps the database alive and avoids shared-cache locks
	return db, nil
}

// Dir is the library's folder.
func (l *Library) Dir() string { return l.dir }

// Add files a finished job's results: it moves the files from workDir and the job's inputs into a
// new asset folder, checks that the model is a readable glTF, and records provenance. The folder
// appears complete or not at all. Adding the same job twice returns the asset already there.
func (l *Library) Add(j Job, workDir string, results []providers.File) (Asset, error) {
	final := filepath.Join(l.dir, j.ID)
	if a, err := l.read(final); err == nil {
		return a, a.Err() // a damaged folder is the artist's to look at, never overwritten
	}
	if len(results) == 0 {
		return Asset{}, fmt.Errorf("the provider returned no files")
	}
	var a Asset
	err := l.create(j.ID, func(dir string) error {
		var err error
		a, err = l.fill(dir, j, workDir, results)
		return err
	})
	if err != nil {
		return Asset{}, err
	}
	a.Dir = final
	return a, nil
}

func (l *Library) fill(dir string, j Job, workDir string, results []providers.File) (Asset, error) {
	a := Asset{
		ID: j.ID, Name: j.Name(), Provider: j.Provider, Credential: j.Credential, JobID: j.ID, RemoteID: j.Remote.ID,
		Parameters: Parameters{Polycount: j.Request.Polycount, ProjectID: j.Request.ProjectID, Options: j.Request.Options,
			Prompt: j.Request.Prompt, Size: j.Request.Size, Cost: j.Cost},
		Created:     j.Created,
		Finished:    time.Now(),
		KilnVersion: Version,
		Made:        j.Notes,
	}
	if j.Compare && j.Batch != "" {
		a.Tags = []string{CompareTag(j.Batch)} // the group, found again in the Library (see Keep)
	}
	used := map[string]bool{sidecarName: true, "inputs": true}
	for i, f := range results {
		name := filepath.Base(f.Path)
		if i == 0 {
			// The model carries the artist's name for it, so that it reads well once exported.
			name = SafeFileName(a.Name) + strings.ToLower(filepath.Ext(f.Path))
		}
		name = uniqueName(name, func(n string) bool { return used[n] })
		used[name] = true
		rec, err := storeInto(filepath.Join(workDir, f.Path), dir, name, true)
		if err != nil {
			return a, fmt.Errorf("add to library: %w", err)
		}
		rec.Format, rec.Role = f.Format, f.Role
		a.Files = append(a.Files, rec)
	}
	if j.Origin != "" {
		// A texturing job paints another asset's model: the new asset says which.
		a.DerivedFrom = &Derivation{Asset: j.Origin, Operation: "texture"}
		a.Parameters.Polycount = 0
	}
	info, err := ReadModelInfo(filepath.Join(dir, a.Files[0].Path))
	if err != nil {
		return a, fmt.Errorf("the %s provider returned a model Kiln cannot read: %w", j.Provider, err)
	}
	a.Triangles = info.Triangles

	if err := os.Mkdir(filepath.Join(dir, "inputs"), 0o755); err != nil {
		return a, fmt.Errorf("add to library: %w", err)
	}
	for i, img := range j.Request.Images {
		// Inputs are copied, not moved: if this Add fails, a retry still has them.
		rec, err := storeInto(img.Path, filepath.Join(dir, "inputs"), filepath.Base(img.Path), false)
		if err != nil {
			return a, fmt.Errorf("add to library: input image: %w", err)
		}
		rec.Path = filepath.Join("inputs", rec.Path)
		rec.View = img.View
		if i < len(j.Sources) {
			rec.Source = j.Sources[i]
		}
		a.Inputs = append(a.Inputs, rec)
	}
	for i, img := range j.Request.Images {
		if img.Mask == "" {
			continue
		}
		rec, err := storeInto(img.Mask, filepath.Join(dir, "inputs"), filepath.Base(img.Mask), false)
		if err != nil {
			return a, fmt.Errorf("add to library: cut-out: %w", err)
		}
		rec.Path, rec.Role, rec.View, rec.Of = filepath.Join("inputs", rec.Path), RoleCutOut, img.View, a.Inputs[i].Path
		a.Inputs = append(a.Inputs, rec)
	}
	return a, l.writeSidecar(dir, a)
}

// CutOutOf is the path of the cut-out kept for the asset's input image at path (relative to the
// asset's folder, as FileRecord.Path), or "" when the object was found automatically.
func (a Asset) CutOutOf(path string) string {
	for _, in := range a.Inputs {
		if in.Role == RoleCutOut && in.Of == path {
			return in.Path
		}
	}
	return ""
}

// Images are the asset's input images, without their cut-outs.
func (a Asset) Images() []FileRecord {
	var out []FileRecord
	for _, in := range a.Inputs {
		if in.Role != RoleCutOut {
			out = append(out, in)
		}
	}
	return out
}

// storeInto moves or copies src to dir/name (copying when a rename is impossible) and records it.
func storeInto(src, dir, name string, move bool) (FileRecord, error) {
	dst := filepath.Join(dir, name)
	if !move || os.Rename(src, dst) != nil {
		if err := CopyFileAtomic(src, dst); err != nil {
			return FileRecord{}, err
		}
	}
	sum, n, err := hashFile(dst)
	if err != nil {
		return FileRecord{}, err
	}
	return FileRecord{Path: name, Bytes: n, SHA256: sum}, nil
}

// List returns every asset, newest first, damaged ones included (see Asset.Damaged): one
// damaged folder never hides the rest. The error, if any, names every damaged folder and why.
// It takes in what changed on disk first (Refresh).
func (l *Library) List() ([]Asset, error) {
	ctx := context.Background()
	if err := l.Refresh(ctx); err != nil {
		return nil, fmt.Errorf("list library: %w", err)
	}
	assets, err := l.FindAssets(ctx, LibraryQuery{})
	if err != nil {
		return nil, fmt.Errorf("list library: %w", err)
	}
	var errs []error
	for _, a := range assets {
		errs = append(errs, a.Err())
	}
	return assets, errors.Join(errs...)
}

// Get returns one asset; a damaged one comes back with Damaged set, and no error.
func (l *Library) Get(id string) (Asset, error) {
	if id == "" || strings.ContainsAny(id, `/\`) || strings.HasPrefix(id, ".") || !filepath.IsLocal(id) {
		return Asset{}, fmt.Errorf("asset %q: %w", id, ErrNoAsset)
	}
	a, err := l.read(filepath.Join(l.dir, id))
	if errors.Is(err, fs.ErrNotExist) {
		return Asset{}, fmt.Errorf("asset %q: %w", id, ErrNoAsset)
	}
	return a, err
}

// SafeFileName turns an artist's name into a portable file name.
func SafeFileName(name string) string {
	name = strings.Map(func(r rune) rune {
		if strings.ContainsRune(`/\:*?"<>|`, r) || r < 32 {
			return '_'
		}
		return r
	}, strings.TrimSpace(name))
	if name == "" || name == "." || name == ".." {
		return "model"
	}
	return name
}
