package app

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"time"

	"github.com/kiln3d/kiln/providers"
	"github.com/kiln3d/kiln/providers/httpkit"
)

// progressSaveEvery bounds how often progress alone is written to the store; state changes are
// always written at once.
const progressSaveEvery = 500 * time.Millisecond

// errLeftUnconfirmed ends a run that left its job unconfirmed, waiting for the artist: there is
// nothing more to record.
var errLeftUnconfirmed = errors.New("left unconfirmed")

// run takes job id through its provider until it finishes, fails, is cancelled, or the queue
// closes (then it stays as it is, to be resumed).
func (q *Queue) run(ctx context.Context, id string) {
	j, err := q.store.Get(ctx, id)
	if err != nil || j.State.Finished() {
		return
	}
	r := &runner{q: q, ctx: ctx, job: j}
	switch j.Kind {
	case KindGenerate:
		r.err = r.run()
	case KindPublish:
		r.err = r.publish()
	default:
		r.err = fmt.Errorf("this Kiln does not know jobs of kind %q (a newer Kiln made it, or the job database was changed)",
			providers.Printable(string(j.Kind)))
	}
	r.finish()
}

// runner holds one job while a worker runs it; only that worker touches it.
type runner struct {
	q        *Queue
	ctx      context.Context
	job      Job
	err      error
	lastSave time.Time
	// phase is the last progress phase reported, for the crash points.
	phase providers.Phase
	// startMessage is what the job says once it runs, when "Started" would hide something the
	// artist should read (that a retry collects, not resends).
	startMessage string
}

func (r *runner) run() (err error) {
	j := &r.job
	if _, err := r.q.reg.Get(j.Provider); err != nil {
		return fmt.Errorf("this Kiln has no %q provider", j.Provider)
	}
	// Every call of the job goes out with its own credential.
	p, err := r.q.keys.Bind(r.ctx, j.Provider, j.Credential)
	if err != nil {
		return &credentialError{err}
	}
	defer func() {
		if v := recover(); v != nil {
			err = recovered(j.Provider, v)
		}
	}()
	caps := p.Capabilities()
	if j.Started.IsZero() {
		j.Started = time.Now()
	}
	if j.State == Queued && j.Message != "" {
		r.startMessage = j.Message // Retry's word on what it does
	}
	if j.Remote.ID == "" {
		if (j.State == Submitting || j.State == Unconfirmed) && !caps.Offline && !caps.Idempotent {
			// A submission whose answer never came back: Kiln died while it was in flight.
			// Sending it again could charge the artist twice; look for it instead. (A provider
			// that honours the job's idempotency key is simply sent it again.)
			if err := r.reconcile(r.ctx, p, nil); err != nil {
				return err
			}
		} else if err := r.submit(p); err != nil {
			return err
		}
	}
	if err := r.move(Running, cmp.Or(r.startMessage, "Started")); err != nil {
		return err
	}
	crashPoint("running")
	files, err := r.collect(p)
	if err != nil {
		return err
	}
	if err := r.ctx.Err(); err != nil {
		return err
	}
	asset, err := r.q.lib.Add(*j, r.q.layout.work(j.ID), files)
	if err != nil {
		return r.accepted(p, err)
	}
	crashPoint("filed")
	j.AssetID, j.Triangles = asset.ID, asset.Triangles
	j.Files = j.Files[:0]
	for _, f := range asset.Files {
		j.Files = append(j.Files, filepath.Join(asset.Dir, f.Path))
	}
	// The job's inputs now live with the asset; point the request at them. The provider may
	// still hold the old slice, so it gets a new one.
	j.Request.Images = slices.Clone(j.Request.Images)
	for i := range j.Request.Images {
		if i < len(asset.Inputs) {
			img := &j.Request.Images[i]
			img.Path = filepath.Join(asset.Dir, asset.Inputs[i].Path)
			if c := asset.CutOutOf(asset.Inputs[i].Path); c != "" {
				img.Mask = filepath.Join(asset.Dir, c)
			}
		}
	}
	if err := j.moveTo(Done, time.Now()); err != nil {
		return err
	}
	j.Progress, j.Message = 1, fmt.Sprintf("%d triangles", asset.Triangles)
	if err := r.save(); err != nil {
		return err
	}
	// Only once the job is saved as done is its folder redundant; cleanup removes it if a crash
	// comes first.
	os.RemoveAll(r.q.layout.jobDir(j.ID))
	r.q.emit(*j)
	return nil
}

// submit records that the job is being sent, then sends it. The ledger says submitting before
// a billable request leaves, so that a crash in flight is never taken for "not sent".
func (r *runner) submit(p providers.Provider) error {
	j := &r.job
	caps := p.Capabilities()
	if caps.Idempotent && j.Request.IdempotencyKey == "" {
		// Saved with the job (by the move below) before the request leaves, so that whatever
		// happens in flight the same submission can be sent again under the same key.
		j.Request.IdempotencyKey = newIdempotencyKey()
	}
	j.Submitted = time.Now()
	if err := r.move(Submitting, "Sending to "+caps.Title); err != nil {
		return err
	}
	crashPoint("submitting")
	remote, err := p.Submit(r.ctx, j.Request)
	crashPoint("submitted")
	if err != nil && caps.Idempotent {
		remote, err = r.resend(p, err)
	}
	if err == nil {
		j.Remote = remote
		return nil
	}
	kind := KindOf(err)
	if caps.Idempotent {
		// Sent again it could not make a second job: no need to ask the artist. The job fails
		// with the reason; Retry sends it again under the same key.
		return err
	}
	switch {
	case caps.Offline || kind.refused() || kind == FailInternal || kind == FailNotFound ||
		errors.Is(err, providers.ErrNotSent):
		// Nothing left this computer, or the provider turned the work down: nothing charged.
		return err
	case errors.Is(context.Cause(r.ctx), errQueueClosed):
		// Kiln is quitting: the job stays submitting, and the next start looks for it.
		return err
	}
	// A network failure, a server error after the request was written, or a cancellation in
	// flight: the provider may have the work.
	rctx := r.ctx
	if r.ctx.Err() != nil {
		var cancel context.CancelFunc
		rctx, cancel = context.WithTimeout(context.WithoutCancel(r.ctx), 30*time.Second)
		defer cancel()
	}
	if rerr := r.reconcile(rctx, p, err); rerr != nil {
		return rerr
	}
	if r.ctx.Err() != nil {
		// The artist cancelled, but the provider had the work: keep its id, so Retry collects it.
		return r.ctx.Err()
	}
	return nil
}

// resend sends a submission that failed in flight (err) again under its idempotency key, with
// growing pauses, while the failure is one that may pass (network, server, rate limit).
func (r *runner) resend(p providers.Provider, err error) (providers.Remote, error) {
	j := &r.job
	title := p.Capabilities().Title
	wait := r.q.opts.CollectBackoff
	for try := 0; try < r.q.opts.CollectRetries && KindOf(err).transient() && r.ctx.Err() == nil; try++ {
		var api *providers.APIError
		if errors.As(err, &api) && api.RetryAfter > wait {
			wait = api.RetryAfter
		}
		j.Message = fmt.Sprintf("Sending to %s again in %s, under the same idempotency key (%s)",
			title, wait.Round(time.Second), providers.Printable(err.Error()))
		_ = r.saveAndEmit()
		if serr := httpkit.Sleep(r.ctx, wait); serr != nil {
			return providers.Remote{}, err
		}
		wait = min(2*wait, 5*time.Minute)
		var remote providers.Remote
		if remote, err = p.Submit(r.ctx, j.Request); err == nil {
			return remote, nil
		}
	}
	return providers.Remote{}, err
}

// reconcile decides what became of a submission whose answer never came back (cause, or a crash
// when nil). It asks the provider's own list when the provider has one: found, the job runs on
// with the provider's id; otherwise the job is left unconfirmed for the artist to decide, and
// errLeftUnconfirmed returned.
func (r *runner) reconcile(ctx context.Context, p providers.Provider, cause error) error {
	j := &r.job
	title := p.Capabilities().Title
	why := "Kiln stopped while sending it"
	if cause != nil {
		why = "its answer never came back (" + cause.Error() + ")"
		j.Error, j.ErrorKind = cause.Error(), KindOf(cause)
	}
	// The job stays where it is while Kiln looks: unconfirmed always means "the artist decides".
	j.Message = fmt.Sprintf("Checking whether %s received this job: %s", title, why)
	_ = r.saveAndEmit()

	msg := fmt.Sprintf("This job may have reached %s: %s. Check your %s account, then Submit again or Mark as failed",
		title, why, title)
	if rec, ok := p.(providers.Reconciler); ok {
		since := j.Submitted
		if since.IsZero() {
			since = j.Updated
		}
		taken, err := r.q.store.RemoteIDs(ctx, j.Provider, j.ID)
		remote, found := providers.Remote{}, false
		if err == nil {
			remote, found, err = rec.FindSubmitted(ctx, j.Request, since, time.Now(), taken)
		}
		switch {
		case err == nil && found:
			j.Remote, j.Error, j.ErrorKind = remote, "", ""
			r.startMessage = fmt.Sprintf("%s had received it (%s): collecting it, not sending it again", title, remote.ID)
			j.Message = r.startMessage
			return r.saveAndEmit()
		case err == nil:
			msg = fmt.Sprintf("%s's list of jobs does not show this one, so it probably did not arrive (%s). Submit again, or Mark as failed",
				title, why)
		default:
			msg = fmt.Sprintf("This job may have reached %s: %s, and Kiln could not look in %s's list (%v). Check your account, then Submit again or Mark as failed",
				title, why, title, err)
		}
	}
	if j.State != Unconfirmed {
		if err := j.moveTo(Unconfirmed, time.Now()); err != nil {
			return err
		}
	}
	j.Message = msg
	_ = r.saveAndEmit()
	return errLeftUnconfirmed
}

// collect waits for the provider's work and downloads it. A cloud job's transient failure
// (network, server, rate limit) does not end it: the provider has the work, so Kiln keeps
// checking, with growing pauses, before it gives up and says the work may still finish.
func (r *runner) collect(p providers.Provider) ([]providers.File, error) {
	j := &r.job
	caps := p.Capabilities()
	work := r.q.layout.work(j.ID)
	wait := r.q.opts.CollectBackoff
	for try := 0; ; try++ {
		if err := os.MkdirAll(work, 0o755); err != nil {
			return nil, fmt.Errorf("prepare job folder: %w", err)
		}
		files, err := p.Collect(r.ctx, j.Request, j.Remote, work, r.report)
		if err == nil || r.ctx.Err() != nil {
			return files, err
		}
		kind := KindOf(err)
		if caps.Offline || !kind.transient() || try >= r.q.opts.CollectRetries {
			return nil, r.accepted(p, err)
		}
		var api *providers.APIError
		if errors.As(err, &api) && api.RetryAfter > wait {
			wait = api.RetryAfter
		}
		j.Message = fmt.Sprintf("%s accepted this job (%s) and it may still finish; checking again in %s (%s)",
			caps.Title, j.Remote.ID, wait.Round(time.Second), providers.Printable(err.Error()))
		_ = r.saveAndEmit()
		if err := httpkit.Sleep(r.ctx, wait); err != nil {
			return nil, err
		}
		wait = min(2*wait, 5*time.Minute)
	}
}

// credentialError is a job's failure to get its credential: it counts as a refused key, which
// the artist fixes in Settings before Retry.
type credentialError struct{ err error }

func (e *credentialError) Error() string { return e.err.Error() }
func (e *credentialError) Unwrap() error { return e.err }

// Is makes errors.Is(err, providers.ErrUnauthorized) true.
func (e *credentialError) Is(target error) bool { return target == providers.ErrUnauthorized }

// acceptedError is a cloud job's failure after the provider accepted the work: the artist must
// know the provider has it (and may charge for it), and that Retry collects it again.
type acceptedError struct {
	title, id string
	err       error
}

func (e *acceptedError) Error() string {
	if errors.Is(e.err, providers.ErrGenerationFailed) {
		return fmt.Sprintf("%s accepted this job (%s) but could not finish it: %v", e.title, e.id, e.err)
	}
	return fmt.Sprintf("%s accepted this job (%s) and it may still finish there: %v. Retry collects it without sending it again",
		e.title, e.id, e.err)
}

func (e *acceptedError) Unwrap() error { return e.err }

// accepted wraps a failure after submission with what the artist must know about it.
func (r *runner) accepted(p providers.Provider, err error) error {
	caps := p.Capabilities()
	if caps.Offline || r.job.Remote.ID == "" || errors.Is(err, context.Canceled) {
		return err
	}
	return &acceptedError{title: caps.Title, id: r.job.Remote.ID, err: err}
}

// maxNotes bounds a job's notes: a provider that repeats itself cannot fill the database.
const maxNotes = 32

// report receives the provider's progress.
func (r *runner) report(p providers.Progress) {
	if p.Phase != r.phase {
		r.phase = p.Phase
		switch p.Phase {
		case providers.PhaseDownloading:
			crashPoint("downloading")
		case providers.PhaseUploading:
			crashPoint("uploading")
		default:
			crashPoint("polling")
		}
	}
	state := Running
	if p.Phase == providers.PhaseDownloading {
		state = Downloading
	}
	now := time.Now()
	changed := state != r.job.State
	if changed && r.job.moveTo(state, now) != nil {
		return
	}
	r.job.Progress = min(1, p.Fraction)
	if p.Message != "" {
		r.job.Message = p.Message
	}
	if n := providers.Printable(p.Note); n != "" && !slices.Contains(r.job.Notes, n) && len(r.job.Notes) < maxNotes {
		r.job.Notes = append(r.job.Notes, n)
		changed = true // saved at once: a note is kept, not shown in passing
	}
	r.job.Updated = now
	if changed || now.Sub(r.lastSave) >= progressSaveEvery {
		_ = r.save()
	}
	r.q.emit(r.job)
}

// move changes state, saves and tells subscribers.
func (r *runner) move(s State, message string) error {
	if err := r.job.moveTo(s, time.Now()); err != nil {
		return err
	}
	r.job.Message = message
	return r.saveAndEmit()
}

func (r *runner) saveAndEmit() error {
	if err := r.save(); err != nil {
		return err
	}
	r.q.emit(r.job)
	return nil
}

func (r *runner) save() error {
	r.lastSave = time.Now()
	// A save must land even when the job's context was just cancelled.
	return r.q.store.Update(context.WithoutCancel(r.ctx), r.job)
}

// finish records how run ended.
func (r *runner) finish() {
	if r.err == nil || errors.Is(r.err, errLeftUnconfirmed) {
		return
	}
	switch cause := context.Cause(r.ctx); {
	case errors.Is(cause, errQueueClosed):
		// Kiln is quitting: keep the job as it is, to be resumed next time.
		_ = r.save()
		return
	case errors.Is(cause, errByArtist):
		r.job.Error, r.job.ErrorKind = "", FailCancelled
		msg := "Cancelled"
		switch {
		case r.job.Kind == KindPublish && len(r.job.Remote.State) > 0:
			msg = "Cancelled in Kiln; what was already uploaded stays in " + r.title() + ": Retry follows it without uploading again"
		case r.job.Remote.ID != "" && !r.offline():
			msg = fmt.Sprintf("Cancelled in Kiln; the provider has it as %s and may still finish it: Retry collects it", r.job.Remote.ID)
		}
		_ = r.move(Cancelled, msg)
		return
	}
	r.job.Error, r.job.ErrorKind = r.err.Error(), KindOf(r.err)
	_ = r.move(Failed, "")
}

// title is the job's provider or target as the artist reads it.
func (r *runner) title() string {
	if svc, err := r.q.reg.Service(r.job.Provider); err == nil {
		return svc.Title
	}
	return r.job.Provider
}

func (r *runner) offline() bool {
	p, err := r.q.reg.Get(r.job.Provider)
	return err == nil && p.Capabilities().Offline
}
