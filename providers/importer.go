package providers

import (
	"context"
	"time"
)

// RemoteAsset is a job the artist ran on a provider's own site or from another machine, as the
// provider lists it: Kiln can file it in the library and download its model later.
type RemoteAsset struct {
	// ID is the provider's identifier for the job (Kaedim's requestID).
	ID string `json:"id"`
	// Name is a short label: the first image's file name, or the ID.
	Name    string    `json:"name"`
	Created time.Time `json:"created"`
	// Polycount is the triangle count asked for, 0 when unknown.
	Polycount int `json:"polycount,omitempty"`
	// Status is the provider's word for where the job is ("completed", "dismissed", "processing").
	Status string `json:"status"`
	// Ready says a model can be downloaded now.
	Ready bool `json:"ready"`
	// ImageURLs are the reference images as the provider stores them.
	ImageURLs []string `json:"image_urls,omitempty"`
}

// Importer is implemented by providers that can list the account's jobs and download one later.
type Importer interface {
	// ListRemote lists the account's jobs created between since and until (zero: unbounded).
	ListRemote(ctx context.Context, since, until time.Time) ([]RemoteAsset, error)
	// Download writes the model of job id into dir (as Collect does) and returns the files, the
	// model first.
	Download(ctx context.Context, id, dir string, report func(Progress)) ([]File, error)
}

// Reconciler is implemented by providers that can find work a Submit started when its answer never
// came back: Kiln was killed, or the network failed, while the request was in flight. The core then
// never submits again on its own (a second submission is charged twice); it asks the provider.
type Reconciler interface {
	// FindSubmitted looks in the account for work that req started between since and until (the
	// moments the request left and Kiln gave up on it; the provider allows for clocks that
	// disagree). taken lists the ids of work Kiln already follows for other jobs: an identical
	// job sent a moment earlier is not this one. found is false when there is none; an error means
	// the provider could not be asked, and the job stays unconfirmed.
	FindSubmitted(ctx context.Context, req Request, since, until time.Time, taken []string) (r Remote, found bool, err error)
}
