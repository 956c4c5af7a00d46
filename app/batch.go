package app

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"
	"unicode"

	"github.com/kiln3d/kiln/providers"
)

// A batch is a set of jobs submitted together, one per image, each with the same provider,
// credential, polycount, options and size: a folder of different objects made into one model
// each. Its jobs run in the queue like any other, under its limits, and share Job.Batch.

// MaxBatch bounds how many models one batch makes, and how many images a folder gives.
const MaxBatch = 200

// ErrEmptyBatch is returned for a batch without images.
var ErrEmptyBatch = errors.New("a batch needs at least one image")

// SubmitEach submits one job per image of req, each with req's other settings (polycount,
// options, size, prompt, project), as one batch, and returns the jobs in the order of the images.
// Views are dropped: each image shows an object of its own. Every image is checked and the
// credential resolved before any job is saved, so a bad file fails the whole batch with a
// *providers.InputError naming it. Each model is named after its image's file, never taking a
// name that a library asset, an unfinished job or another model of the batch has: "vase",
// "vase-2", "vase-3"…
func (q *Queue) SubmitEach(ctx context.Context, provider string, req providers.Request, opts ...SubmitOption) ([]Job, error) {
	p, err := q.reg.Get(provider)
	if err != nil {
		return nil, err
	}
	switch n := len(req.Images); {
	case n == 0:
		return nil, ErrEmptyBatch
	case n > MaxBatch:
		return nil, fmt.Errorf("%d images: one batch makes at most %d models", n, MaxBatch)
	}
	singles := make([]providers.Request, len(req.Images))
	for i, img := range req.Images {
		one := req
		one.Images = []providers.Image{{Path: img.Path, Mask: img.Mask}}
		if err := CheckRequest(p, one); err != nil {
			return nil, err
		}
		singles[i] = one
	}
	var probe Job
	for _, o := range opts {
		o(&probe)
	}
	credential, err := q.keys.Resolve(ctx, provider, probe.Credential)
	if err != nil {
		return nil, err
	}
	opts = slices.Concat(opts, []SubmitOption{WithCredential(credential)})

	// Two batches submitted at once in this process must not both take "vase".
	q.naming.Lock()
	defer q.naming.Unlock()
	names, err := q.batchNames(ctx, req.Images)
	if err != nil {
		return nil, err
	}
	start := time.Now()
	batch := newID("batch-" + start.UTC().Format("20060102-150405"))
	jobs := make([]Job, 0, len(singles))
	for i, one := range singles {
		// Creation times a millisecond apart keep the batch listed in the order of its images.
		created := start.Add(time.Duration(i) * time.Millisecond)
		j, err := q.add(ctx, provider, one, slices.Concat(opts, []SubmitOption{inBatch(batch, names[i], created)})...)
		if err != nil {
			// A batch is submitted whole or not at all: what was queued already is cancelled.
			for _, queued := range jobs {
				_ = q.Cancel(queued.ID)
			}
			return nil, err
		}
		jobs = append(jobs, j)
	}
	return jobs, nil
}

// inBatch puts a job in batch, its model called name, created at the given time.
func inBatch(batch, name string, created time.Time) SubmitOption {
	return func(j *Job) { j.Batch, j.AssetName, j.Created = batch, name, created }
}

// batchNames names a batch's models after their images: each file's name without its extension,
// then "-2", "-3"… when the library, an unfinished job or an earlier image of the batch has it
// (in any case: a name names one asset on the command line, whatever its case).
func (q *Queue) batchNames(ctx context.Context, images []providers.Image) ([]string, error) {
	taken, err := q.takenNames(ctx)
	if err != nil {
		return nil, fmt.Errorf("name the batch's models: %w", err)
	}
	names := make([]string, len(images))
	for i, img := range images {
		names[i] = numberedName(modelName(img.Path), "-", func(n string) bool { return taken[strings.ToLower(n)] })
		taken[strings.ToLower(names[i])] = true
	}
	return names, nil
}

// takenNames are the names, in lower case, that the library's assets and the unfinished jobs'
// models have. The caller holds q.naming.
func (q *Queue) takenNames(ctx context.Context) (map[string]bool, error) {
	taken := map[string]bool{}
	entries, err := q.lib.Find(ctx, LibraryQuery{})
	if err != nil {
		return nil, err
	}
	for _, e := range entries {
		taken[strings.ToLower(e.Name)] = true
	}
	unfinished, err := q.store.Unfinished(ctx)
	if err != nil {
		return nil, err
	}
	for _, j := range unfinished {
		if j.Kind == KindGenerate {
			taken[strings.ToLower(j.Name())] = true
		}
	}
	return taken, nil
}

// modelName is the name a model made from the image at path takes: the file's name without its
// extension, or "model" when that leaves nothing.
func modelName(path string) string {
	if name := strings.TrimSpace(baseName(path)); name != "" {
		return name
	}
	return "model"
}

// numberedName returns name, or name-2, name-3… (with sep between, "-" here), whichever taken
// does not report as used.
func numberedName(name, sep string, taken func(string) bool) string {
	if !taken(name) {
		return name
	}
	for i := 2; ; i++ {
		if n := fmt.Sprintf("%s%s%d", name, sep, i); !taken(n) {
			return n
		}
	}
}

// Batch returns the jobs of batch id in the order of their images.
func (q *Queue) Batch(ctx context.Context, id string) ([]Job, error) { return q.store.Batch(ctx, id) }

// CancelBatch cancels every unfinished job of batch id: the queued ones never start, the running
// ones are interrupted.
func (q *Queue) CancelBatch(ctx context.Context, id string) error {
	jobs, err := q.store.Batch(ctx, id)
	if err != nil {
		return err
	}
	if len(jobs) == 0 {
		return fmt.Errorf("batch %s: %w", id, ErrNoJob)
	}
	live := map[string]bool{}
	for _, j := range jobs {
		if !j.State.Finished() {
			live[j.ID] = true
		}
	}
	// The queued ones are held back first, all at once, so that a worker that a cancelled job
	// frees does not start the next one of the batch meanwhile.
	q.mu.Lock()
	q.pending = slices.DeleteFunc(q.pending, func(p pendingJob) bool { return live[p.id] })
	q.mu.Unlock()
	var errs []error
	for _, j := range jobs {
		if live[j.ID] {
			errs = append(errs, q.Cancel(j.ID))
		}
	}
	return errors.Join(errs...)
}

// BatchProgress sums up a batch's jobs.
type BatchProgress struct {
	// Compare says that the batch is a comparison (SubmitCompare).
	Compare bool
	// Jobs counts the batch's jobs; Done, Failed and Cancelled those that ended so.
	Jobs, Done, Failed, Cancelled int
	// Share is how much of the batch's work is behind it, 0 to 1: the mean of its jobs' shares
	// (Job.Share), a job that failed or was cancelled counting as over.
	Share float64
}

// SummarizeBatch sums up the jobs of one batch.
func SummarizeBatch(jobs []Job) BatchProgress {
	b := BatchProgress{Jobs: len(jobs)}
	if len(jobs) == 0 {
		return b
	}
	b.Compare = jobs[0].Compare
	var sum float64
	for _, j := range jobs {
		switch j.State {
		case Done:
			b.Done++
		case Failed:
			b.Failed++
		case Cancelled:
			b.Cancelled++
		}
		if j.State.Finished() {
			sum++
		} else {
			sum += j.Share()
		}
	}
	b.Share = sum / float64(len(jobs))
	return b
}

// Finished reports whether every job of the batch has ended.
func (b BatchProgress) Finished() bool { return b.Done+b.Failed+b.Cancelled == b.Jobs }

// String says it in a line: "Batch of 3 · 1 done · 0 failed" ("Comparison of 3 · …"), with the
// cancelled ones when any.
func (b BatchProgress) String() string {
	what := "Batch"
	if b.Compare {
		what = "Comparison"
	}
	s := fmt.Sprintf("%s of %d · %d done · %d failed", what, b.Jobs, b.Done, b.Failed)
	if b.Cancelled > 0 {
		s += fmt.Sprintf(" · %d cancelled", b.Cancelled)
	}
	return s
}

// PlanEach works out a batch as Plan works out one job: the plan of a request for the first image
// alone (the polycount clamped, the credential, the price of one model), with Models set to how
// many there will be and the request holding every image, without views, for SubmitEach.
func (k *Kiln) PlanEach(ctx context.Context, provider, credential string, req providers.Request, withBalance bool) (Plan, error) {
	if len(req.Images) == 0 {
		return Plan{}, ErrEmptyBatch
	}
	images := make([]providers.Image, len(req.Images))
	for i, img := range req.Images {
		images[i] = providers.Image{Path: img.Path, Mask: img.Mask} // each its own object: no view, its cut-out kept
	}
	one := req
	one.Images = images[:1]
	plan, err := k.Plan(ctx, provider, credential, one, withBalance)
	plan.Request.Images, plan.Models = images, len(images)
	return plan, err
}

// imageExtensions are the image files a folder gives, by extension.
var imageExtensions = []string{".png", ".jpg", ".jpeg", ".webp"}

// IsImageName reports whether a file's name is that of an image Kiln reads (PNG, JPEG, WebP).
func IsImageName(name string) bool {
	return slices.Contains(imageExtensions, strings.ToLower(filepath.Ext(name)))
}

// FolderImages lists the images in folder dir, by name, without looking in its sub-folders and
// skipping hidden files: at most MaxBatch of them, with how many there are in all. Each is a
// file named like an image; what it holds is checked when it is used.
func FolderImages(dir string) (images []string, total int, err error) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil, 0, fmt.Errorf("cannot read the folder %s: %w", filepath.Base(dir), err)
	}
	for _, e := range entries { // sorted by name
		if strings.HasPrefix(e.Name(), ".") || !IsImageName(e.Name()) || e.IsDir() {
			continue
		}
		path := filepath.Join(dir, e.Name())
		if e.Type()&os.ModeSymlink != 0 {
			if st, err := os.Stat(path); err != nil || st.IsDir() {
				continue
			}
		}
		if total++; total <= MaxBatch {
			images = append(images, path)
		}
	}
	return images, total, nil
}

// BatchImages turns paths (images, and folders of them) into the images of a batch, in order,
// each once: a folder gives its images as FolderImages lists them. More than MaxBatch images, or a
// folder without any, is an error.
func BatchImages(paths []string) ([]string, error) {
	var out []string
	add := func(p string) {
		if !slices.Contains(out, p) {
			out = append(out, p)
		}
	}
	for _, p := range paths {
		abs, err := filepath.Abs(p)
		if err != nil {
			return nil, err
		}
		st, err := os.Stat(abs)
		if err != nil || !st.IsDir() {
			add(abs) // a missing or unreadable file is named when it is checked
			continue
		}
		images, total, err := FolderImages(abs)
		switch {
		case err != nil:
			return nil, err
		case total == 0:
			return nil, fmt.Errorf("the folder %s holds no PNG, JPEG or WebP images", p)
		case total > MaxBatch:
			return nil, fmt.Errorf("the folder %s holds %d images: one batch makes at most %d models", p, total, MaxBatch)
		}
		for _, img := range images {
			add(img)
		}
	}
	if len(out) > MaxBatch {
		return nil, fmt.Errorf("%d images: one batch makes at most %d models", len(out), MaxBatch)
	}
	return out, nil
}

// LooksLikeSeparateObjects reports whether images, by their file names, show different objects
// (mug.png, chair.png) rather than views of one object (mug_front.png, mug_left.png; front.png,
// back.png; IMG_0041.jpg, IMG_0042.jpg). It takes two names without a view word that differ in
// more than numbers, separators and case to make different objects: a name with a view word is
// one view of an object, and a single image is one object.
func LooksLikeSeparateObjects(images []string) bool {
	first, seen := "", false
	for _, img := range images {
		key, view := objectKey(img)
		switch {
		case view:
		case !seen:
			first, seen = key, true
		case key != first:
			return true
		}
	}
	return false
}

// viewWords are the words that say where the camera stood rather than what it looked at.
var viewWords = []string{
	providers.ViewFront, providers.ViewBack, providers.ViewLeft, providers.ViewRight, providers.ViewTop,
	"bottom", "side", "view", "views", "angle", "iso", "persp", "perspective", "rear", "above", "below",
}

// objectKey is what a file's name says of the object it shows: its words (split at anything
// but a letter, and where a lower-case letter meets a capital), in lower case, without the view
// words and numbers; view says whether it had a view word.
func objectKey(path string) (key string, view bool) {
	var words []string
	var word []rune
	flush := func() {
		switch w := strings.ToLower(string(word)); {
		case slices.Contains(viewWords, w):
			view = true
		case w != "":
			words = append(words, w)
		}
		word = word[:0]
	}
	prevLower := false
	for _, r := range baseName(path) {
		switch {
		case !unicode.IsLetter(r):
			flush()
			prevLower = false
			continue
		case unicode.IsUpper(r) && prevLower:
			flush()
		}
		word = append(word, r)
		prevLower = unicode.IsLower(r)
	}
	flush()
	return strings.Join(words, " "), view
}
