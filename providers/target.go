package providers

import (
	"context"
	"encoding/json"
)

// Target is a place finished models are published to, for others to view and share (3dverse):
// where a Provider brings a model into Kiln, a Target takes one out.
//
// A publication crosses a target in one call, Publish, which the caller may make again with the
// handle Publish last saved: after a restart, a network failure or a retry. Publish never sends
// the same file twice for one publication: given a handle that says an upload left, it follows
// that upload, or finds what it made, instead of sending it again.
//
// Methods are called from worker goroutines, never from the UI thread, and may run concurrently.
// Every method honours ctx. Errors wrap the sentinels of this package (ErrUnauthorized,
// ErrForbidden, ErrInvalidInput, ErrGenerationFailed, ...) so that callers can explain them; their
// text never contains a credential.
type Target interface {
	// Describe says what the target is and takes. It does no I/O and cannot fail.
	Describe() TargetInfo

	// Folders lists the folders a model can be published into, in the service's order.
	Folders(ctx context.Context) ([]Folder, error)

	// CreateFolder makes a folder called name and returns it.
	CreateFolder(ctx context.Context, name string) (Folder, error)

	// Publish uploads pub's files into pub.Folder and follows what the service does with them
	// until it has finished, reporting progress on Publish's goroutine (report must not block).
	// h is the handle of an earlier call for the same publication, or nil the first time.
	// Publish calls save with a new handle before each step that must not be repeated (an upload
	// leaving) and once the step's outcome is known (the upload's id); when save fails, Publish
	// stops at once with its error. The caller keeps the last handle saved and gives it to the
	// next Publish of the same publication.
	Publish(ctx context.Context, pub Publication, h json.RawMessage, save func(json.RawMessage) error,
		report func(Progress)) (Published, error)
}

// TargetInfo describes a target to the views and to the core.
type TargetInfo struct {
	// Name is the stable registry key stored with every publication ("3dverse").
	Name string
	// Title is what an artist reads ("3dverse").
	Title string
	// KeyFields lists what a credential holds; a target with none needs no key.
	KeyFields []KeyField
	// Formats are the model formats the target takes, in lower case ("glb", "gltf").
	Formats []string
	// Help says in a sentence what publishing there gives the artist.
	Help string
}

// Service is what the keychain, the settings and the environment know of the provider or
// target called Name.
func (t TargetInfo) Service() Service {
	return Service{Name: t.Name, Title: t.Title, NeedsKey: len(t.KeyFields) > 0, KeyFields: t.KeyFields}
}

// KeyedTarget is implemented by targets that need a credential: WithSecrets returns the target
// acting with s, sharing everything else (its address, HTTP client and session caches). The value
// returned implements the same optional interfaces (KeyTester, Endpointed) as t.
type KeyedTarget interface {
	WithSecrets(s Secrets) Target
}

// Folder is a place on a target that holds published models.
type Folder struct {
	ID   string `json:"id"`
	Name string `json:"name"`
}

// Publication is one model to publish.
type Publication struct {
	// Folder is where it goes; its ID is required, its Name is for messages.
	Folder Folder `json:"folder"`
	// Name is what the artist calls the model; the target names the upload after it.
	Name string `json:"name"`
	// Files are local paths: the model first (a .glb, or a .gltf followed by the buffers and
	// images it refers to, which are uploaded with it).
	Files []string `json:"files"`
}

// Published is what a publication made on the target.
type Published struct {
	// UploadID is the target's id of the upload that made the assets.
	UploadID string `json:"upload_id,omitempty"`
	// Assets are the assets the target made from the files: one source file may make several.
	Assets []PublishedAsset `json:"assets"`
	// Note says anything the artist should know about how it ended ("found after a restart").
	Note string `json:"note,omitempty"`
}

// PublishedAsset is one asset a target made.
type PublishedAsset struct {
	ID   string `json:"id"`
	Type string `json:"type,omitempty"`
	Name string `json:"name,omitempty"`
	// Link is where the asset can be seen, when the target has an address for it; else "".
	Link string `json:"link,omitempty"`
	// Pipeline names what the target ran to make it ("mesh conversion").
	Pipeline string `json:"pipeline,omitempty"`
}

// PhaseUploading is the part of a Publish that sends the files; PhaseRunning follows, while the
// target processes them.
const PhaseUploading Phase = "uploading"

// Service is what Kiln's credentials and settings know of a provider or a target: its name, the
// title an artist reads, and what its credential holds.
type Service struct {
	Name, Title string
	NeedsKey    bool
	KeyFields   []KeyField
}

// Service is what the keychain, the settings and the environment know of the provider.
func (c Capabilities) Service() Service {
	return Service{Name: c.Name, Title: c.Title, NeedsKey: c.NeedsKey, KeyFields: c.KeyFields}
}
