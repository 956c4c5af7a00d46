package app

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/kiln3d/kiln/providers"
)

// State is where a job is in its life.
type State string

// A job moves queued → submitting → running → downloading → done, and from any unfinished state
// to failed or cancelled. Failed and cancelled jobs can be retried, which queues them again.
//
// Submitting is written to the ledger before a billable request leaves. When its answer never
// comes back (Kiln was killed, the network failed, the server failed after reading it) the job
// becomes unconfirmed: the provider may have the work and may charge for it, so Kiln never sends it
// again on its own. It looks for the work in the provider's own list (then the job runs on), or
// leaves the choice to the artist: submit again, or mark it as failed.
const (
	Queued      State = "queued"
	Submitting  State = "submitting"
	Unconfirmed State = "unconfirmed"
	Running     State = "running"
	Downloading State = "downloading"
	Done        State = "done"
	Failed      State = "failed"
	Cancelled   State = "cancelled"
)

// transitions lists, for each state, the states a job may move to next.
var transitions = map[State][]State{
	Queued:      {Submitting, Running, Failed, Cancelled},
	Submitting:  {Running, Unconfirmed, Failed, Cancelled},
	Unconfirmed: {Running, Queued, Failed, Cancelled},
	Running:     {Downloading, Done, Failed, Cancelled},
	Downloading: {Running, Done, Failed, Cancelled},
	Failed:      {Queued},
	Cancelled:   {Queued},
	Done:        nil,
}

// Finished reports whether the job has stopped for good: done, failed or cancelled.
func (s State) Finished() bool { return s == Done || s == Failed || s == Cancelled }

// CanMoveTo reports whether the state machine allows s → next. An unfinished job may stay where
// it is (a progress update, or resuming after a restart).
func (s State) CanMoveTo(next State) bool {
	if s == next {
		return !s.Finished()
	}
	return slices.Contains(transitions[s], next)
}

// Kind says what a job does.
type Kind string

// The kinds of job. Both run in the same queue, under the same ledger, leases and states.
const (
	// KindGenerate asks a provider for a model; it is the zero value.
	KindGenerate Kind = ""
	// KindPublish uploads a library model to a target (3dverse) and follows it there.
	KindPublish Kind = "publish"
)

// PublishSpec is what a publishing job publishes, and where.
type PublishSpec struct {
	// Name is the asset's name, as the artist reads it.
	Name string `json:"name"`
	// Folder is where it goes; an empty ID means the folder called Name, found or created when
	// the job runs (and its ID then kept here).
	Folder providers.Folder `json:"folder"`
	// Replace says that this publication replaces the asset's earlier ones on the target (they
	// are kept in its provenance, marked replaced); otherwise it is added beside them.
	Replace bool `json:"replace,omitempty"`
}

// Job is one request to a provider, or one publication to a target, and everything Kiln knows
// about it.
type Job struct {
	ID string
	// Kind is what the job does: generate (the zero value) or publish.
	Kind Kind
	// Provider names the provider, or for a publishing job the target.
	Provider string
	// Credential names the provider credential the job runs with ("environment" for the
	// KILN_<PROVIDER>_* variables); empty for a provider that needs none.
	Credential string
	// Origin is the library asset the job works on (the model a texturing job paints, the model
	// a publishing job publishes), or empty.
	Origin string
	// Publish says what a publishing job publishes where; nil for any other job.
	Publish *PublishSpec
	// Cost is what the provider's published prices say the job costs, in its credits; 0 when
	// unknown or free.
	Cost float64
	// Request is what was asked; its image paths point at the job's own copies of the inputs.
	Request providers.Request
	// Sources are the paths the artist picked, in the order of Request.Images.
	Sources []string
	// Batch names the batch the job was submitted in (one model per image, submitted together,
	// or one set of references sent to several providers: a comparison), or is empty for a job
	// submitted alone.
	Batch string
	// Compare says that the job's batch is a comparison (SubmitCompare): its models are the same
	// object made by several providers or settings, for the artist to keep one.
	Compare bool
	// AssetName is the name chosen for the job's model when it was submitted (a batch's models
	// are named after their images, each name unused); empty lets Name decide.
	AssetName string

	State State
	// Progress is the share of the current phase done, 0 to 1, or negative when unknown.
	Progress float64
	// Message says what the provider is doing; for a failed job, Error says why it failed, in
	// the provider's own words, and ErrorKind what kind of failure it was.
	Message   string
	Error     string
	ErrorKind FailureKind

	// Notes are what the provider said about how it made the model (providers.Progress.Note): the
	// local provider's shape and why, a back mirrored from the front. The model's asset keeps them
	// (Asset.Made).
	Notes []string

	// Remote is the provider's handle on submitted work, kept so a restart resumes it.
	Remote providers.Remote
	// AssetID names the library asset a finished job produced; Files are its files, the model first.
	AssetID   string
	Files     []string
	Triangles int

	Created, Updated  time.Time
	Started, Finished time.Time
	// Submitted is when the billable request last left for the provider; zero before.
	Submitted time.Time
	// Attempt counts submissions: 1 for the first, +1 for each retry.
	Attempt int
	// LeaseUntil is when the lease of the process working on the job runs out, and owner names
	// that process; both are read from the store, never written through Update.
	LeaseUntil time.Time
	owner      string
}

// Interrupted reports whether the job is unfinished but no live process works on it: the window
// or the command that ran it crashed or quit. The window resumes such jobs, and so does
// `kiln resume`. An unconfirmed job is waiting for the artist, not interrupted.
func (j Job) Interrupted(now time.Time) bool {
	return !j.State.Finished() && j.State != Unconfirmed && (j.LeaseUntil.Before(now) || ownerDead(j.owner))
}

// Name is a short label for the job, and the name its model takes in the library: the name
// chosen at submission, the first source image's file name, the prompt's first words, or the
// name of the model a publishing job publishes.
func (j Job) Name() string {
	switch {
	case j.Publish != nil && j.Publish.Name != "":
		return j.Publish.Name
	case j.AssetName != "":
		return j.AssetName
	case len(j.Sources) > 0:
		return baseName(j.Sources[0])
	case strings.TrimSpace(j.Request.Prompt) != "":
		return promptName(j.Request.Prompt)
	}
	return j.ID
}

// promptName makes a short label of a prompt: its first words, up to about 40 characters.
func promptName(prompt string) string {
	var name string
	for _, w := range strings.Fields(prompt) {
		if name != "" && len(name)+1+len(w) > 40 {
			return name + "…"
		}
		name = strings.TrimSpace(name + " " + w)
	}
	if len(name) > 40 {
		return string([]rune(name)[:40]) + "…"
	}
	return name
}

// Elapsed is how long the job has been worked on: until it finished, or until now.
func (j Job) Elapsed(now time.Time) time.Duration {
	if j.Started.IsZero() {
		return 0
	}
	end := now
	if !j.Finished.IsZero() {
		end = j.Finished
	}
	return max(0, end.Sub(j.Started))
}

// ElapsedText writes a job's time as the Jobs list and a comparison show it: "0.25 s", "4.2 s",
// "1:15", "1:02:03"; "" for none.
func ElapsedText(d time.Duration) string {
	if d <= 0 {
		return ""
	}
	switch {
	case d < time.Second:
		return fmt.Sprintf("%.2f s", d.Seconds())
	case d < 10*time.Second:
		return fmt.Sprintf("%.1f s", d.Seconds())
	}
	d = d.Round(time.Second)
	if d < time.Hour {
		return fmt.Sprintf("%d:%02d", int(d.Minutes()), int(d.Seconds())%60)
	}
	return fmt.Sprintf("%d:%02d:%02d", int(d.Hours()), int(d.Minutes())%60, int(d.Seconds())%60)
}

// Share is how much of the whole job is done, 0 to 1: running fills most of it and downloading
// the rest, so that it never runs backwards between phases. A job that failed or was cancelled
// has done nothing.
func (j Job) Share() float64 {
	p := max(0, min(1, j.Progress))
	switch j.State {
	case Submitting:
		return 0.02
	case Running:
		return 0.05 + 0.85*p
	case Downloading:
		return 0.9 + 0.1*p
	case Done:
		return 1
	}
	return 0
}

// clone returns a copy that shares no slices or maps with j.
func (j Job) clone() Job {
	j.Request.Images = slices.Clone(j.Request.Images)
	if j.Request.Options != nil {
		opts := make(map[string]string, len(j.Request.Options))
		for k, v := range j.Request.Options {
			opts[k] = v
		}
		j.Request.Options = opts
	}
	j.Sources = slices.Clone(j.Sources)
	j.Files = slices.Clone(j.Files)
	j.Notes = slices.Clone(j.Notes)
	j.Remote.State = slices.Clone(j.Remote.State)
	if j.Publish != nil {
		spec := *j.Publish
		j.Publish = &spec
	}
	return j
}

// moveTo changes the job's state when the state machine allows it.
func (j *Job) moveTo(next State, now time.Time) error {
	if !j.State.CanMoveTo(next) {
		return fmt.Errorf("job %s: cannot go from %s to %s", j.ID, j.State, next)
	}
	if j.State != next {
		j.Progress = 0
		j.Message = ""
	}
	j.State = next
	j.Updated = now
	if next.Finished() {
		j.Finished = now
	}
	return nil
}
