package app

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"runtime/debug"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/kiln3d/kiln/providers"
	"github.com/kiln3d/kiln/providers/imageio"
)

// Errors the queue returns to its callers.
var (
	ErrClosed      = errors.New("the job queue is closed")
	ErrNotRetry    = errors.New("only failed or cancelled jobs can be retried")
	ErrNotUnsure   = errors.New("only an unconfirmed job can be submitted again or marked as failed")
	ErrOtherKiln   = errors.New("another Kiln window or command is working on this job")
	errByArtist    = errors.New("cancelled")
	errQueueClosed = errors.New("Kiln is closing")
)

// Event tells subscribers that a job changed. Job is a snapshot the subscriber may keep.
type Event struct {
	Job Job
}

// QueueOptions tune a Queue.
type QueueOptions struct {
	// Workers bounds how many jobs run at once; 0 means 2.
	Workers int
	// Resume makes the queue take over unfinished jobs whose process has gone (crashed, or quit
	// while they ran): at start and then every lease period. The window resumes; a one-off
	// command does not.
	Resume bool
	// Lease is how long a job stays reserved to this process without renewal; 0 means 30 s.
	Lease time.Duration
	// Limits bounds the jobs of one provider that run at once (the offline generator uses
	// every core, so one at a time; a cloud job mostly waits). Providers not named share Workers.
	Limits map[string]int
	// CollectRetries is how many more times a cloud job's Collect is tried after a network,
	// server or rate-limit failure, the provider having accepted the work; 0 means 4, negative
	// none. CollectBackoff is the first pause between tries, doubling each time; 0 means 15 s.
	CollectRetries int
	CollectBackoff time.Duration
}

// pendingJob is a queued job's id and provider, enough to pick the next one to run.
type pendingJob struct{ id, provider string }

// Queue runs jobs on bounded workers. Every job is written to the store before anyone hears of
// it, so after a crash it resumes where it was: a job that had reached its provider is collected
// again, never submitted twice.
//
// All methods are safe for concurrent use and never block on a provider; subscribers are called on
// the queue's goroutines and must return quickly.
type Queue struct {
	store   *Store
	lib     *Library
	reg     *providers.Registry
	keys    *Credentials
	layout  layout
	opts    QueueOptions
	owner   string
	ctx     context.Context
	stop    context.CancelCauseFunc
	wg      sync.WaitGroup
	wake    chan struct{}
	mu      sync.Mutex
	pending []pendingJob
	running map[string]context.CancelCauseFunc
	busy    map[string]int // running jobs per provider
	subs    []subscriber   // in the order they subscribed
	nextSub int
	closed  bool
	resumed []Job // taken over at start; set before the workers run, read-only after
	// naming is held while a batch's models are named and saved (SubmitEach).
	naming sync.Mutex
}

func newQueue(store *Store, lib *Library, reg *providers.Registry, keys *Credentials, l layout, opts QueueOptions) *Queue {
	if opts.Workers <= 0 {
		opts.Workers = 2
	}
	if opts.Lease <= 0 {
		opts.Lease = 30 * time.Second
	}
	switch {
	case opts.CollectRetries == 0:
		opts.CollectRetries = 4
	case opts.CollectRetries < 0:
		opts.CollectRetries = 0
	}
	if opts.CollectBackoff <= 0 {
		opts.CollectBackoff = 15 * time.Second
	}
	ctx, stop := context.WithCancelCause(context.Background())
	q := &Queue{
		store: store, lib: lib, reg: reg, keys: keys, layout: l, opts: opts,
		owner: newOwner(), ctx: ctx, stop: stop,
		wake:    make(chan struct{}, 1),
		running: map[string]context.CancelCauseFunc{},
		busy:    map[string]int{},
	}
	if opts.Resume {
		// Taken over before the workers start, so that the caller knows which jobs they are.
		q.resumed = q.claim()
	}
	for range opts.Workers {
		q.wg.Go(q.work)
	}
	q.wg.Go(q.keepLeases)
	return q
}

type subscriber struct {
	id int
	fn func(Event)
}

// Subscribe calls fn after every change to any job, until the returned function is called.
// Subscribers hear of each change in the order they subscribed, so one that subscribed first has
// seen a change before a later one (Wait's, say) acts on it.
func (q *Queue) Subscribe(fn func(Event)) (unsubscribe func()) {
	q.mu.Lock()
	defer q.mu.Unlock()
	id := q.nextSub
	q.nextSub++
	q.subs = append(q.subs, subscriber{id, fn})
	return func() {
		q.mu.Lock()
		q.subs = slices.DeleteFunc(q.subs, func(s subscriber) bool { return s.id == id })
		q.mu.Unlock()
	}
}

func (q *Queue) emit(j Job) {
	q.mu.Lock()
	fns := make([]func(Event), 0, len(q.subs))
	for _, s := range q.subs {
		fns = append(fns, s.fn)
	}
	q.mu.Unlock()
	for _, fn := range fns {
		fn(Event{Job: j.clone()})
	}
}

// SubmitOption sets something about a job beyond its request.
type SubmitOption func(*Job)

// WithCredential runs the job with the provider's credential called name instead of the default.
func WithCredential(name string) SubmitOption { return func(j *Job) { j.Credential = name } }

// OnAsset records that the job works on the library asset id (a texturing job paints its model).
func OnAsset(id string) SubmitOption { return func(j *Job) { j.Origin = id } }

// WithCost records what the provider's published prices say the job costs.
func WithCost(credits float64) SubmitOption { return func(j *Job) { j.Cost = credits } }

// Submit checks req against the provider, resolves the credential it runs with, copies the input
// images into the job's folder, saves the job and queues it. Input problems come back as
// *providers.InputError, and a missing credential as ErrNoCredential, before anything is saved.
func (q *Queue) Submit(ctx context.Context, provider string, req providers.Request, opts ...SubmitOption) (Job, error) {
	p, err := q.reg.Get(provider)
	if err != nil {
		return Job{}, err
	}
	if err := CheckRequest(p, req); err != nil {
		return Job{}, err
	}
	return q.add(ctx, provider, req, opts...)
}

// add makes a job of a checked request: it resolves the credential, copies the inputs into the
// job's folder, saves the job and queues it.
func (q *Queue) add(ctx context.Context, provider string, req providers.Request, opts ...SubmitOption) (Job, error) {
	var err error
	now := time.Now()
	j := Job{ID: newID(now.UTC().Format("20060102-150405")), Provider: provider, State: Queued,
		Created: now, Updated: now, Attempt: 1}
	for _, o := range opts {
		o(&j)
	}
	// The job keeps the credential's name, so that changing the default later does not move a
	// job that is under way to another account.
	if j.Credential, err = q.keys.Resolve(ctx, provider, j.Credential); err != nil {
		return Job{}, err
	}
	j.Request = req
	j.Request.Images, j.Sources, err = q.copyInputs(j.ID, req.Images)
	if err == nil && req.Model != "" {
		j.Request.Model, err = q.copyModel(j.ID, req.Model)
	}
	if err != nil {
		os.RemoveAll(q.layout.jobDir(j.ID))
		return Job{}, err
	}
	q.mu.Lock()
	closed := q.closed
	q.mu.Unlock()
	if closed {
		os.RemoveAll(q.layout.jobDir(j.ID))
		return Job{}, ErrClosed
	}
	if err := q.store.Insert(ctx, j, q.owner, now.Add(q.opts.Lease)); err != nil {
		os.RemoveAll(q.layout.jobDir(j.ID))
		return Job{}, err
	}
	q.emit(j)
	q.enqueue(j)
	return j.clone(), nil
}

// CheckRequest checks req against what p accepts and reads every image's header, so that a bad
// file is named before any work starts.
func CheckRequest(p providers.Provider, req providers.Request) error {
	if err := providers.CheckRequest(p.Capabilities(), req); err != nil {
		return err
	}
	if req.Model != "" {
		if _, err := CheckModel(req.Model); err != nil {
			return &providers.InputError{File: req.Model, Reason: err.Error()}
		}
	}
	for _, img := range req.Images {
		if _, err := imageio.Check(img.Path); err != nil {
			return err
		}
		if img.Mask != "" {
			if _, err := imageio.Check(img.Mask); err != nil {
				return err
			}
		}
	}
	return nil
}

// MaskSuffix ends the name of an input image's cut-out (providers.Image.Mask) where the job and
// the library keep it beside the image: "vase.jpg" has "vase.cutout.png".
const MaskSuffix = ".cutout.png"

// copyInputs copies the artist's images, and the cut-outs they corrected, into the job's folder,
// so the job keeps them whatever happens to the originals.
func (q *Queue) copyInputs(id string, images []providers.Image) ([]providers.Image, []string, error) {
	dir := q.layout.inputs(id)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, nil, fmt.Errorf("prepare job folder: %w", err)
	}
	used := map[string]bool{}
	copies := make([]providers.Image, len(images))
	sources := make([]string, len(images))
	for i, img := range images {
		abs, err := filepath.Abs(img.Path)
		if err != nil {
			return nil, nil, err
		}
		name := uniqueName(filepath.Base(abs), func(n string) bool { return used[n] })
		used[name] = true
		dst := filepath.Join(dir, name)
		if err := CopyFileAtomic(abs, dst); err != nil {
			return nil, nil, &providers.InputError{File: abs, Reason: fmt.Sprintf("cannot be copied (%v)", err)}
		}
		copies[i] = providers.Image{Path: dst, View: img.View}
		sources[i] = abs
		if img.Mask == "" {
			continue
		}
		// The cut-out the artist corrected is an input like the image: the job keeps its own
		// copy, named after the image.
		mabs, err := filepath.Abs(img.Mask)
		if err != nil {
			return nil, nil, err
		}
		mname := uniqueName(strings.TrimSuffix(name, filepath.Ext(name))+MaskSuffix, func(n string) bool { return used[n] })
		used[mname] = true
		copies[i].Mask = filepath.Join(dir, mname)
		if err := CopyFileAtomic(mabs, copies[i].Mask); err != nil {
			return nil, nil, &providers.InputError{File: mabs, Reason: fmt.Sprintf("cannot be copied (%v)", err)}
		}
	}
	return copies, sources, nil
}

// copyModel copies the model a texturing job paints into the job's folder.
func (q *Queue) copyModel(id, model string) (string, error) {
	abs, err := filepath.Abs(model)
	if err != nil {
		return "", err
	}
	dir := q.layout.inputs(id)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return "", fmt.Errorf("prepare job folder: %w", err)
	}
	dst := filepath.Join(dir, "model"+strings.ToLower(filepath.Ext(abs)))
	if err := CopyFileAtomic(abs, dst); err != nil {
		return "", &providers.InputError{File: abs, Reason: fmt.Sprintf("cannot be copied (%v)", err)}
	}
	return dst, nil
}

func (q *Queue) enqueue(j Job) {
	q.mu.Lock()
	q.pending = append(q.pending, pendingJob{j.ID, j.Provider})
	q.mu.Unlock()
	q.signal()
}

// next removes and returns the first pending job whose provider is under its limit.
func (q *Queue) next() (pendingJob, bool) {
	for i, p := range q.pending {
		if limit, ok := q.opts.Limits[p.provider]; ok && q.busy[p.provider] >= limit {
			continue
		}
		q.pending = slices.Delete(q.pending, i, i+1)
		return p, true
	}
	return pendingJob{}, false
}

func (q *Queue) signal() {
	select {
	case q.wake <- struct{}{}:
	default:
	}
}

// work runs queued jobs one at a time until the queue closes.
func (q *Queue) work() {
	for {
		q.mu.Lock()
		var (
			ctx    context.Context
			cancel context.CancelCauseFunc
		)
		job, ok := q.next()
		if ok {
			// Registered before the lock is released, so Cancel can never miss the job between
			// the pending list and the worker.
			ctx, cancel = context.WithCancelCause(q.ctx)
			q.running[job.id] = cancel
			q.busy[job.provider]++
		}
		more := len(q.pending) > 0
		q.mu.Unlock()
		if more && ok {
			q.signal() // the wake channel holds one signal: pass it on for the other workers
		}
		id := job.id
		if !ok {
			select {
			case <-q.wake:
				continue
			case <-q.ctx.Done():
				return
			}
		}
		q.run(ctx, id)
		cancel(nil)
		q.mu.Lock()
		delete(q.running, id)
		q.busy[job.provider]--
		q.mu.Unlock()
		q.signal() // a provider's slot came free: a job held back by its limit may run now
		if q.ctx.Err() != nil {
			return
		}
	}
}

// Cancel stops a job: a queued one never starts, a running one is interrupted.
func (q *Queue) Cancel(id string) error {
	q.mu.Lock()
	if cancel, ok := q.running[id]; ok {
		q.mu.Unlock()
		cancel(errByArtist)
		return nil
	}
	n := len(q.pending)
	q.pending = slices.DeleteFunc(q.pending, func(p pendingJob) bool { return p.id == id })
	wasPending := len(q.pending) < n
	q.mu.Unlock()

	j, err := q.store.Get(q.ctx, id)
	if err != nil {
		return err
	}
	if j.State.Finished() {
		return nil
	}
	if !wasPending {
		now := time.Now()
		ok, err := q.store.Lease(q.ctx, id, q.owner, now, now.Add(q.opts.Lease))
		if err != nil {
			return err
		}
		if !ok {
			return fmt.Errorf("cancel %s: %w", j.Name(), ErrOtherKiln)
		}
	}
	j.Message = ""
	if err := j.moveTo(Cancelled, time.Now()); err != nil {
		return err
	}
	if err := q.store.Update(q.ctx, j); err != nil {
		return err
	}
	q.emit(j)
	return nil
}

// Retry queues a failed or cancelled job again, with the same inputs and parameters. A cloud job
// the provider accepted is collected again, never sent again; it is submitted anew only when the
// provider refused or could not do the work, and the job's message says which it is.
func (q *Queue) Retry(id string) (Job, error) {
	j, err := q.store.Get(q.ctx, id)
	if err != nil {
		return Job{}, err
	}
	if j.State != Failed && j.State != Cancelled {
		if j.State == Unconfirmed {
			return Job{}, fmt.Errorf("retry %s: it may have reached its provider: Submit again or Mark as failed (%w)", j.Name(), ErrNotUnsure)
		}
		return Job{}, fmt.Errorf("retry %s (%s): %w", j.Name(), j.State, ErrNotRetry)
	}
	if j.Kind == KindPublish {
		return q.retryPublish(j)
	}
	p, err := q.reg.Get(j.Provider)
	if err != nil {
		return Job{}, err
	}
	caps := p.Capabilities()
	collectAgain := j.Remote.ID != "" && !caps.Offline && j.ErrorKind != FailProvider && j.ErrorKind != FailNotFound
	message := ""
	switch {
	case collectAgain:
		message = fmt.Sprintf("Collecting %s from %s again: not sent again", j.Remote.ID, caps.Title)
	case j.Remote.ID != "" && !caps.Offline:
		message = fmt.Sprintf("%s could not do the last one (%s): sending it again as a new job", caps.Title, j.Remote.ID)
	}
	return q.requeue(j, "retry", !collectAgain, message)
}

// retryPublish queues a failed or cancelled publication again. What was uploaded is followed
// again, never uploaded again; only when the target turned the upload down, could not convert it
// or no longer knows it does the retry start over with a new upload.
func (q *Queue) retryPublish(j Job) (Job, error) {
	title := j.Provider
	if svc, err := q.reg.Service(j.Provider); err == nil {
		title = svc.Title
	}
	fresh := j.ErrorKind == FailProvider || j.ErrorKind == FailInvalidInput || j.ErrorKind == FailNotFound
	message := ""
	switch {
	case len(j.Remote.State) == 0:
	case fresh:
		message = fmt.Sprintf("%s did not take the last upload: uploading it again", title)
	default:
		message = fmt.Sprintf("Following what was already sent to %s: not uploading again", title)
	}
	return q.requeue(j, "retry", fresh, message)
}

// unconfirmed loads job id for the artist's decision on it, refusing a job that is not
// unconfirmed; action names the decision, with %s for the job's name.
func (q *Queue) unconfirmed(id, action string) (Job, error) {
	j, err := q.store.Get(q.ctx, id)
	if err != nil {
		return Job{}, err
	}
	if j.State != Unconfirmed {
		return Job{}, fmt.Errorf(action+" (%s): %w", j.Name(), j.State, ErrNotUnsure)
	}
	return j, nil
}

// SubmitAgain sends an unconfirmed job again, at the artist's word: they checked their account and
// the provider does not have it (or they accept paying twice).
func (q *Queue) SubmitAgain(id string) (Job, error) {
	j, err := q.unconfirmed(id, "submit %s again")
	if err != nil {
		return Job{}, err
	}
	return q.requeue(j, "submit again", true, "Sending again, as you asked")
}

// MarkFailed ends an unconfirmed job at the artist's word.
func (q *Queue) MarkFailed(id string) (Job, error) {
	j, err := q.unconfirmed(id, "mark %s as failed")
	if err != nil {
		return Job{}, err
	}
	if err := q.lease(j, "mark as failed"); err != nil {
		return Job{}, err
	}
	title := j.Provider
	if p, err := q.reg.Get(j.Provider); err == nil {
		title = p.Capabilities().Title
	}
	if err := j.moveTo(Failed, time.Now()); err != nil {
		return Job{}, err
	}
	j.ErrorKind, j.Error = FailUnconfirmed, FailUnconfirmed.Explain(title)
	if err := q.store.Update(q.ctx, j); err != nil {
		return Job{}, err
	}
	q.emit(j)
	return j.clone(), nil
}

// lease takes job j for this process, or says another Kiln is working on it. A job this queue is
// still running or about to run (an unconfirmed one being looked for again) is not taken twice.
func (q *Queue) lease(j Job, what string) error {
	busy := func() bool {
		q.mu.Lock()
		defer q.mu.Unlock()
		_, running := q.running[j.ID]
		return running || slices.ContainsFunc(q.pending, func(p pendingJob) bool { return p.id == j.ID })
	}
	// A run that has just ended is still winding down for a moment; a look that goes on is not.
	for wait := time.Now().Add(2 * time.Second); busy(); time.Sleep(10 * time.Millisecond) {
		if time.Now().After(wait) {
			return fmt.Errorf("%s %s: Kiln is still checking on this job; try again in a moment", what, j.Name())
		}
	}
	now := time.Now()
	ok, err := q.store.Lease(q.ctx, j.ID, q.owner, now, now.Add(q.opts.Lease))
	if err != nil {
		return err
	}
	if !ok {
		return fmt.Errorf("%s %s: %w", what, j.Name(), ErrOtherKiln)
	}
	return nil
}

// requeue queues j again; fresh forgets the provider's id so that the work is submitted anew.
func (q *Queue) requeue(j Job, what string, fresh bool, message string) (Job, error) {
	for _, img := range j.Request.Images {
		if _, err := os.Stat(img.Path); err != nil {
			return Job{}, fmt.Errorf("%s %s: its copy of %s is gone from the data folder; submit the images again",
				what, j.Name(), filepath.Base(img.Path))
		}
	}
	if err := q.lease(j, what); err != nil {
		return Job{}, err
	}
	if err := j.moveTo(Queued, time.Now()); err != nil {
		return Job{}, err
	}
	j.Message, j.Error, j.ErrorKind = message, "", ""
	if fresh {
		if j.Remote.ID != "" {
			// The provider had the last one and could not do it: this is a new job, so a
			// provider that honours idempotency keys must not answer with the old one.
			j.Request.IdempotencyKey = ""
		}
		j.Remote, j.Attempt, j.Submitted = providers.Remote{}, j.Attempt+1, time.Time{}
	}
	j.Started, j.Finished = time.Time{}, time.Time{}
	os.RemoveAll(q.layout.work(j.ID))
	if err := q.store.Update(q.ctx, j); err != nil {
		return Job{}, err
	}
	q.emit(j)
	q.enqueue(j)
	return j.clone(), nil
}

// Jobs returns every job, newest first.
func (q *Queue) Jobs(ctx context.Context) ([]Job, error) { return q.store.List(ctx) }

// Job returns one job.
func (q *Queue) Job(ctx context.Context, id string) (Job, error) { return q.store.Get(ctx, id) }

// Wait blocks until job id has finished (done, failed or cancelled), or is unconfirmed and waits
// for the artist's word, and returns it.
func (q *Queue) Wait(ctx context.Context, id string) (Job, error) {
	finished := make(chan Job, 1)
	unsubscribe := q.Subscribe(func(e Event) {
		if e.Job.ID == id && (e.Job.State.Finished() || e.Job.State == Unconfirmed) {
			select {
			case finished <- e.Job:
			default:
			}
		}
	})
	defer unsubscribe()
	if j, err := q.store.Get(ctx, id); err != nil || j.State.Finished() || j.State == Unconfirmed {
		return j, err
	}
	select {
	case j := <-finished:
		return j, nil
	case <-ctx.Done():
		return Job{}, ctx.Err()
	case <-q.ctx.Done():
		return Job{}, ErrClosed
	}
}

// Close stops the workers. Jobs they were running stay unfinished in the store, with their
// leases released, and the next Kiln to start resumes them.
func (q *Queue) Close() {
	q.mu.Lock()
	if q.closed {
		q.mu.Unlock()
		return
	}
	q.closed = true
	q.mu.Unlock()
	q.stop(errQueueClosed)
	q.wg.Wait()
	_ = q.store.Release(context.Background(), q.owner)
}

// removeLeftovers deletes job folders that a crash left behind: those of finished jobs, and old
// ones the database does not know (a Submit interrupted before it saved the job).
func (q *Queue) removeLeftovers() {
	dir := q.layout.jobs()
	entries, _ := os.ReadDir(dir)
	for _, e := range entries {
		j, err := q.store.Get(q.ctx, e.Name())
		info, ierr := e.Info()
		stale := ierr == nil && time.Since(info.ModTime()) > time.Hour
		if (err == nil && j.State == Done) || (errors.Is(err, ErrNoJob) && stale) {
			os.RemoveAll(filepath.Join(dir, e.Name()))
		}
	}
}

// keepLeases renews this process's leases and, when resuming, takes over orphaned jobs.
func (q *Queue) keepLeases() {
	period := q.opts.Lease / 3
	if q.opts.Resume {
		q.removeLeftovers() // clutter only: off the start-up path
	}
	t := time.NewTicker(period)
	defer t.Stop()
	for {
		select {
		case <-q.ctx.Done():
			return
		case <-t.C:
			_ = q.store.Renew(q.ctx, q.owner, time.Now().Add(q.opts.Lease))
			if q.opts.Resume {
				q.claim()
			}
		}
	}
}

func (q *Queue) claim() []Job {
	now := time.Now()
	jobs, err := q.store.Claim(q.ctx, q.owner, now, now.Add(q.opts.Lease))
	if err != nil {
		return nil
	}
	for _, j := range jobs {
		q.enqueue(j)
	}
	return jobs
}

// Resumed returns the jobs this queue took over when it started (with QueueOptions.Resume): those
// a crashed or closed Kiln left unfinished.
func (q *Queue) Resumed() []Job {
	out := make([]Job, len(q.resumed))
	for i, j := range q.resumed {
		out[i] = j.clone()
	}
	return out
}

// newIdempotencyKey makes a key no other submission shares: 128 random bits.
func newIdempotencyKey() string {
	b := make([]byte, 16)
	_, _ = rand.Read(b)
	return "kiln-" + hex.EncodeToString(b)
}

func newID(prefix string) string {
	var b [4]byte
	_, _ = rand.Read(b[:])
	return prefix + "-" + hex.EncodeToString(b[:])
}

// recovered turns a provider's panic into an ordinary failure: a bug in one provider must not
// take the artist's other jobs, or the window, down with it.
func recovered(provider string, r any) error {
	slog.Error("provider panicked", "provider", provider, "panic", r, "stack", string(debug.Stack()))
	return fmt.Errorf("internal error in the %s provider: %v", provider, r)
}
