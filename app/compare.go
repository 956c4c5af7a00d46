package app

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"
	"time"

	"github.com/kiln3d/kiln/providers"
)

// A comparison sends one set of references (the images, the prompt and the real size) to 2 to 4
// variants at once: several providers, or one provider with several settings. It is a batch
// whose jobs have Job.Compare set: the queue runs, charges, resumes and cancels them as it does
// a batch's, each once. Each model is named after the references and its variant ("vase (Local
// 2,000)"), and its asset carries the tag CompareTag(batch), so that the artist finds the group
// in the Library after a restart, or without the job ledger. Keep files the chosen one.

// MinCompare and MaxCompare bound how many models one comparison makes: fewer than two is not a
// comparison, and more than four no longer fits side by side.
const (
	MinCompare = 2
	MaxCompare = 4
)

// ErrNotCompared is returned by Keep for a model that was not made in a comparison.
var ErrNotCompared = errors.New("not made in a comparison")

// Variant is what one model of a comparison does differently: its provider and credential, its
// polycount and its provider's options. The references are the comparison's.
type Variant struct {
	Provider string
	// Credential names the provider's credential ("" for its default).
	Credential string
	// Polycount is asked of the provider (0: the provider's default); it is clamped to the
	// range the options allow, as for any job.
	Polycount int
	// Options are the provider's own options for this model; ProjectID its project, if any.
	Options   map[string]string
	ProjectID string
}

// PlanCompare works out each model of a comparison as Plan works out one job: req holds the
// references (images, prompt, size), and each variant's provider, polycount, options and project
// replace req's; a provider that takes no views is sent the images without them. withBalance asks each paid account's balance (network calls: off the UI thread).
// The plans come back in the order of the variants; the first failure stops it, naming the variant.
func (k *Kiln) PlanCompare(ctx context.Context, req providers.Request, variants []Variant, withBalance bool) ([]Plan, error) {
	if n := len(variants); n < MinCompare || n > MaxCompare {
		return nil, fmt.Errorf("%d models: a comparison makes %d to %d", n, MinCompare, MaxCompare)
	}
	plans := make([]Plan, len(variants))
	for i, v := range variants {
		one := req
		one.Images = slices.Clone(req.Images)
		one.Polycount, one.Options, one.ProjectID = v.Polycount, maps.Clone(v.Options), v.ProjectID
		one.Model, one.IdempotencyKey = "", ""
		if p, err := k.Providers.Get(v.Provider); err == nil && !p.Capabilities().Views {
			for j := range one.Images {
				one.Images[j].View = "" // the views are a hint for the providers that take them
			}
		}
		plan, err := k.Plan(ctx, v.Provider, v.Credential, one, withBalance)
		if err != nil {
			return nil, fmt.Errorf("model %d of the comparison (%s): %w", i+1, v.Provider, err)
		}
		plans[i] = plan
	}
	return plans, nil
}

// SubmitCompare submits the planned models of one comparison (PlanCompare) as one batch, and
// returns the jobs in the order of the plans. Every plan must send the same references. Every
// request is checked and every credential resolved before any job is saved, so a bad file or a
// missing key fails the whole comparison; it is submitted whole or not at all.
func (q *Queue) SubmitCompare(ctx context.Context, plans []Plan) ([]Job, error) {
	if n := len(plans); n < MinCompare || n > MaxCompare {
		return nil, fmt.Errorf("%d models: a comparison makes %d to %d", n, MinCompare, MaxCompare)
	}
	first := plans[0].Request
	labels := make([]string, len(plans))
	for i, plan := range plans {
		r := plan.Request
		if !sameReferences(first, r) {
			return nil, fmt.Errorf("model %d of the comparison is sent other references than the first: a comparison sends one set", i+1)
		}
		if r.Model != "" {
			return nil, errors.New("a comparison makes models from references; it does not paint a model")
		}
		p, err := q.reg.Get(plan.Provider)
		if err != nil {
			return nil, err
		}
		if err := CheckRequest(p, r); err != nil {
			return nil, fmt.Errorf("model %d of the comparison (%s): %w", i+1, p.Capabilities().Title, err)
		}
		if plans[i].Credential, err = q.keys.Resolve(ctx, plan.Provider, plan.Credential); err != nil {
			return nil, err
		}
		labels[i] = ShortTitle(p.Capabilities().Title) + " " + Thousands(r.Polycount)
	}
	// Two comparisons of the same references submitted at once must not both take a name.
	q.naming.Lock()
	defer q.naming.Unlock()
	taken, err := q.takenNames(ctx)
	if err != nil {
		return nil, fmt.Errorf("name the comparison's models: %w", err)
	}
	base := Job{Request: first, Sources: imagePaths(first.Images)}.Name()
	names := compareNames(base, labels, taken)
	start := time.Now()
	batch := newID("compare-" + start.UTC().Format("20060102-150405"))
	jobs := make([]Job, 0, len(plans))
	for i, plan := range plans {
		created := start.Add(time.Duration(i) * time.Millisecond) // listed in the order of the plans
		opts := []SubmitOption{WithCredential(plan.Credential), inComparison(batch, names[i], created)}
		if plan.Price != nil {
			opts = append(opts, WithCost(plan.Price.Credits))
		}
		j, err := q.add(ctx, plan.Provider, plan.Request, opts...)
		if err != nil {
			for _, queued := range jobs {
				_ = q.Cancel(queued.ID)
			}
			return nil, err
		}
		jobs = append(jobs, j)
	}
	return jobs, nil
}

// SubmitCompare plans and submits a comparison (PlanCompare, then Queue.SubmitCompare), without
// asking the balances.
func (k *Kiln) SubmitCompare(ctx context.Context, req providers.Request, variants []Variant) ([]Job, error) {
	plans, err := k.PlanCompare(ctx, req, variants, false)
	if err != nil {
		return nil, err
	}
	return k.Jobs.SubmitCompare(ctx, plans)
}

// inComparison puts a job in comparison batch, its model called name, created at the given time.
func inComparison(batch, name string, created time.Time) SubmitOption {
	return func(j *Job) { j.Batch, j.Compare, j.AssetName, j.Created = batch, true, name, created }
}

// sameReferences reports whether a and b send the same references: images, prompt and the size
// the artist gave. The images' views may differ: a provider that takes none is sent the images
// without them; so may the default size, which only a provider that makes models to size is sent.
func sameReferences(a, b providers.Request) bool {
	return slices.Equal(imagePaths(a.Images), imagePaths(b.Images)) &&
		strings.TrimSpace(a.Prompt) == strings.TrimSpace(b.Prompt) && givenSize(a) == givenSize(b)
}

// givenSize is the size the artist gave, zero when the request has the default.
func givenSize(r providers.Request) providers.Dimensions {
	if r.Size.Default {
		return providers.Dimensions{}
	}
	return r.Size
}

func imagePaths(images []providers.Image) []string {
	out := make([]string, len(images))
	for i, img := range images {
		out[i] = img.Path
	}
	return out
}

// compareNames names a comparison's models: the references' name with the variant's label, "vase
// (Local 2,000)", numbered when that name is taken (lower case) or two variants read the same
// ("vase (Local 2,000) 2").
func compareNames(base string, labels []string, taken map[string]bool) []string {
	names := make([]string, len(labels))
	for i, l := range labels {
		names[i] = numberedName(fmt.Sprintf("%s (%s)", base, l), " ", func(n string) bool { return taken[strings.ToLower(n)] })
		taken[strings.ToLower(names[i])] = true
	}
	return names
}

// ShortTitle is a provider's title without its parenthesis: "Local" for "Local (offline)", short
// enough for a model's name or a column's heading.
func ShortTitle(title string) string {
	if i := strings.Index(title, " ("); i > 0 {
		return title[:i]
	}
	return title
}

// CompareTag is the tag a comparison's models carry in the library: "compare:" and the random
// part of its batch's id, short and unique. A tag rather than a field of the sidecar because it is
// what the artist searches and filters the Library by, and removes when done with the group.
func CompareTag(batch string) string {
	return "compare:" + batch[strings.LastIndexByte(batch, '-')+1:]
}

// Keep files the model of asset id, made in a comparison, as the one to use: it takes the name a
// single job on the references would have given it ("vase") and leaves the group (its tag is
// removed), while the comparison's other models stay in the library under their own names with
// the group's tag, for the artist to look at again or trash. A model kept before in the same
// comparison goes back to the group, and to its own name unless the artist renamed it.
func (k *Kiln) Keep(ctx context.Context, id string) (Asset, error) {
	a, err := k.Library.Get(id)
	if err != nil {
		return Asset{}, err
	}
	if err := a.Err(); err != nil {
		return Asset{}, err
	}
	j, err := k.Jobs.Job(ctx, a.JobID)
	switch {
	case errors.Is(err, ErrNoJob) || (err == nil && !j.Compare):
		return Asset{}, fmt.Errorf("keep %s: %w", providers.Printable(a.Name), ErrNotCompared)
	case err != nil:
		return Asset{}, err
	}
	group, err := k.Jobs.Batch(ctx, j.Batch)
	if err != nil {
		return Asset{}, err
	}
	tag := CompareTag(j.Batch)
	single := j
	single.AssetName = ""
	name := single.Name()
	for _, g := range group {
		if g.AssetID == "" || g.AssetID == id {
			continue
		}
		m, err := k.Library.Get(g.AssetID)
		if errors.Is(err, ErrNoAsset) || (err == nil && m.Err() != nil) {
			continue // trashed or damaged: nothing to put back
		}
		if err != nil {
			return Asset{}, err
		}
		if hasTag(m.Tags, tag) {
			continue
		}
		if _, err := k.Library.Tag([]string{m.ID}, []string{tag}, nil); err != nil {
			return Asset{}, fmt.Errorf("put %s back in its comparison: %w", providers.Printable(m.Name), err)
		}
		if m.Name == name && g.AssetName != "" {
			if _, err := k.Library.Rename(m.ID, g.AssetName); err != nil {
				return Asset{}, err
			}
		}
	}
	if _, err := k.Library.Tag([]string{id}, nil, []string{tag}); err != nil {
		return Asset{}, fmt.Errorf("keep %s: %w", providers.Printable(a.Name), err)
	}
	return k.Library.Rename(id, name)
}

// hasTag reports whether tags holds tag, in any case.
func hasTag(tags []string, tag string) bool {
	return slices.ContainsFunc(tags, func(t string) bool { return strings.EqualFold(t, tag) })
}

// ModelStats are what a comparison sets side by side for one model.
type ModelStats struct {
	Asset Asset
	// Provider is the provider's title ("Local", "Hyper3D Rodin"), or its name when Kiln no longer
	// has it; Asked the polycount asked for (0: unknown).
	Provider string
	Asked    int
	// Triangles counts what is drawn, as an engine does.
	Triangles int
	// Textures counts the model's images; Largest is the largest one's width and height.
	Textures int
	Largest  [2]int
	// SizeCM is the model's width, height and depth in centimetres.
	SizeCM [3]float64
	// FileBytes is the model's size on disk, its external files included.
	FileBytes int64
	// Free says the provider charges nothing (it runs on this machine); otherwise Cost is what
	// its published prices said the job cost, in its credits, and 0 when unknown.
	Free bool
	Cost float64
	// Took is how long the job took from its submission to its model in the library; 0 when the
	// model was not made by a job here (added from disk).
	Took time.Duration
	// Group is the comparison the model was made in (a batch id), or "" for any other model:
	// only a comparison's model can be kept.
	Group string
}

// CompareStats measures the library's models ids for a comparison, in their order: 2 to 4 sound,
// downloaded models. It reads each model (the model check), so it runs off the UI thread.
func (k *Kiln) CompareStats(ctx context.Context, ids []string) ([]ModelStats, error) {
	if n := len(ids); n < MinCompare || n > MaxCompare {
		return nil, fmt.Errorf("%d models: compare %d to %d", n, MinCompare, MaxCompare)
	}
	out := make([]ModelStats, len(ids))
	for i, id := range ids {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		if slices.Contains(ids[:i], id) {
			return nil, errors.New("a model is compared with itself: pick different models")
		}
		a, err := k.Library.Get(id)
		if err != nil {
			return nil, err
		}
		if out[i], err = k.modelStats(ctx, a); err != nil {
			return nil, err
		}
	}
	return out, nil
}

func (k *Kiln) modelStats(ctx context.Context, a Asset) (ModelStats, error) {
	if err := a.Err(); err != nil {
		return ModelStats{}, err
	}
	if !a.Downloaded() {
		return ModelStats{}, fmt.Errorf("%s has no model downloaded yet: download it first", providers.Printable(a.Name))
	}
	rep, err := CheckModel(a.ModelPath())
	if err != nil {
		return ModelStats{}, fmt.Errorf("%s: %w", providers.Printable(a.Name), err)
	}
	s := ModelStats{Asset: a, Provider: a.Provider, Asked: a.Parameters.Polycount, Triangles: rep.DrawnTriangles,
		Textures: len(rep.Textures), SizeCM: rep.SizeCM(), Cost: a.Parameters.Cost}
	if p, err := k.Providers.Get(a.Provider); err == nil {
		caps := p.Capabilities()
		s.Provider, s.Free = caps.Title, caps.Offline
	}
	for _, t := range rep.Textures {
		if t.Width*t.Height > s.Largest[0]*s.Largest[1] {
			s.Largest = [2]int{t.Width, t.Height}
		}
	}
	for _, f := range a.Files {
		if f.Role != providers.RolePreview {
			s.FileBytes += f.Bytes
		}
	}
	if a.JobID != "" && !a.Created.IsZero() && a.Finished.After(a.Created) {
		s.Took = a.Finished.Sub(a.Created)
	}
	if j, err := k.Jobs.Job(ctx, a.JobID); err == nil && j.Compare {
		s.Group = j.Batch
	}
	return s, nil
}

// Kept reports whether the model is its comparison's kept one (Keep took it out of the group).
func (s ModelStats) Kept() bool {
	return s.Group != "" && !hasTag(s.Asset.Tags, CompareTag(s.Group))
}

// StatLine is one line of a model's stats: what it measures and its value, as the artist reads it.
type StatLine struct{ Label, Value string }

// Lines are the stats in the order every model of a comparison shows them, so that the values
// line up side by side: triangles, textures, size, file size, cost, time taken.
func (s ModelStats) Lines() []StatLine {
	tri := Thousands(s.Triangles)
	if s.Asked > 0 {
		tri += " (asked " + Thousands(s.Asked) + ")"
	}
	tex := "none"
	if s.Textures > 0 {
		tex = fmt.Sprintf("%d, largest %d×%d", s.Textures, s.Largest[0], s.Largest[1])
	}
	cost := "unknown"
	switch {
	case s.Free:
		cost = "free"
	case s.Cost > 0:
		cost = credits(s.Cost)
	}
	took := "—"
	if s.Took > 0 {
		took = ElapsedText(s.Took)
	}
	return []StatLine{
		{"Provider", s.Provider},
		{"Triangles", tri},
		{"Textures", tex},
		{"Size", fmt.Sprintf("%.1f × %.1f × %.1f cm", s.SizeCM[0], s.SizeCM[1], s.SizeCM[2])},
		{"File", ByteSize(s.FileBytes)},
		{"Cost", cost},
		{"Time", took},
	}
}
