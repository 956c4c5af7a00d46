package app

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"time"

	"github.com/kiln3d/kiln/providers"
)

// progressSaveEvery bounds how often progress alone is written to the store; state changes are
// always written at once.
const progressSaveEvery = 500 * time.Millisecond

// run takes job id through its provider until it finishes, fails, is cancelled, or the queue
// closes (then it stays as it is, to be resumed).
func (q *Queue) run(ctx context.Context, id string) {
	j, err := q.store.Get(ctx, id)
	if err != nil || j.State.Finished() {
		return
	}
	r := &runner{q: q, ctx: ctx, job: j}
	r.err = r.run()
	r.finish()
}

// runner holds one job while a worker runs it; only that worker touches it.
type runner struct {
	q        *Queue
	ctx      context.Context
	job      Job
	err      error
	lastSave time.Time
}

func (r *runner) run() (err error) {
	j := &r.job
	p, err := r.q.reg.Get(j.Provider)
	if err != nil {
		return fmt.Errorf("this Kiln has no %q provider", j.Provider)
	}
	defer func() {
		if v := recover(); v != nil {
			err = recovered(j.Provider, v)
		}
	}()
	if j.Started.IsZero() {
		j.Started = time.Now()
	}
	if j.Remote.ID == "" {
		if err := r.move(Submitting, "Sending to "+p.Capabilities().Title); err != nil {
			return err
		}
		remote, err := p.Submit(r.ctx, j.Request)
		if err != nil {
			return err
		}
		j.Remote = remote
	}
	if err := r.move(Running, "Started"); err != nil {
		return err
	}
	work := r.q.layout.work(j.ID)
	if err := os.MkdirAll(work, 0o755); err != nil {
		return fmt.Errorf("prepare job folder: %w", err)
	}
	files, err := p.Collect(r.ctx, j.Request, j.Remote, work, r.report)
	if err != nil {
		return err
	}
	if err := r.ctx.Err(); err != nil {
		return err
	}
	asset, err := r.q.lib.Add(*j, work, files)
	if err != nil {
		return err
	}
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
			j.Request.Images[i].Path = filepath.Join(asset.Dir, asset.Inputs[i].Path)
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

// report receives the provider's progress.
func (r *runner) report(p providers.Progress) {
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
	if r.err == nil {
		return
	}
	switch cause := context.Cause(r.ctx); {
	case errors.Is(cause, errQueueClosed):
		// Kiln is quitting: keep the job as it is, to be resumed next time.
		_ = r.save()
		return
	case errors.Is(cause, errByArtist):
		r.job.Error = ""
		_ = r.move(Cancelled, "Cancelled")
		return
	}
	r.job.Error = r.err.Error()
	_ = r.move(Failed, "")
}
