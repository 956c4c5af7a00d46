package cli

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/kiln3d/kiln/app"
	"github.com/kiln3d/kiln/providers"
)

// generateResult is what --json prints: one object, or with --each an array of them, one per
// model in the order of the images.
type generateResult struct {
	Job string `json:"job"`
	// Name is the model's name in the library; Batch and Source are set with --each: the batch's
	// id and the image the model was made from.
	Name      string   `json:"name,omitempty"`
	Batch     string   `json:"batch,omitempty"`
	Source    string   `json:"source,omitempty"`
	Provider  string   `json:"provider"`
	Status    string   `json:"status"`
	Files     []string `json:"files"`
	Triangles int      `json:"triangles"`
	Error     string   `json:"error,omitempty"`
	// Kind is the failure's stable code (app.FailureKind); Explanation says it in plain words.
	Kind        string `json:"kind,omitempty"`
	Explanation string `json:"explanation,omitempty"`
	// RemoteID is the provider's id for the work, when it accepted it.
	RemoteID string `json:"remote_id,omitempty"`
	// Plan is what was sent: notes on what was changed, the cost and the balance.
	Plan *app.Plan `json:"plan,omitempty"`
}

func generate(ctx context.Context, args []string, env Env) int {
	fs := flag.NewFlagSet("generate", flag.ContinueOnError)
	var provs providerFlags
	fs.Var(&provs, "provider", "provider to use (default: the first one, local); given 2 to 4 times, NAME or NAME:POLYCOUNT, the images go to each as one comparison")
	polycount := fs.Int("polycount", 0, "triangles wanted (default: the provider's default)")
	project := fs.String("project", "", "project ID to file the job under")
	endpoint := fs.String("endpoint", "", "the provider's address for this run (https, or http on loopback)")
	out := fs.String("out", ".", "where to save the model: a file path or a folder (with --each, a folder)")
	asJSON := fs.Bool("json", false, "print one JSON object instead of the saved path (with --each, an array of them)")
	each := fs.Bool("each", false, "one model per image (the images inside a FOLDER too), in one batch, each named after its image")
	force := fs.Bool("force", false, "replace the --out file if it exists (without it, Kiln never overwrites a file)")
	var size providers.Dimensions
	fs.Float64Var(&size.HeightCM, "height-cm", 0, "real height of the model in centimetres")
	fs.Float64Var(&size.WidthCM, "width-cm", 0, "real width in centimetres (with --height-cm)")
	fs.Float64Var(&size.DepthCM, "depth-cm", 0, "real depth in centimetres (with --height-cm)")
	var views viewFlags
	fs.Var(&views, "view", "an image and the view it shows, VIEW=IMAGE (front, back, left, right, top); repeatable")
	options := keyValues{}
	fs.Var(options, "option", "a provider option, KEY=VALUE; repeatable")
	key := fs.String("key", "", "the provider credential to use, by name (default: the environment's, else the default one)")
	prompt := fs.String("prompt", "", "describe the object in words, for providers that take a prompt (Rodin: with no image, text-to-3D)")
	quality := fs.String("quality", "", "level of quality, for providers that have one (Kaedim: standard, high, ultra)")
	testRun := fs.Bool("test", false, "a test request, not charged, for providers that have one (Kaedim)")
	var crops cropFlags
	fs.Var(&crops, "crop", "X,Y,W,H (one image) or VIEW=X,Y,W,H (VIEW: the image's view or file name): a rectangle around the object, which Kiln cuts out (GrabCut) and sends as the image's mask; repeatable")
	positional, ok := parse(fs, args, env)
	if !ok {
		return exitUsage
	}
	variants, err := provs.variants(*polycount)
	if err != nil {
		fmt.Fprintln(env.Stderr, "kiln generate: "+err.Error())
		return exitUsage
	}
	comparing := len(variants) > 1
	if comparing {
		if problem := compareUsage(len(provs), *each, *force, *endpoint, *key, *project, options, *quality, *testRun); problem != "" {
			fmt.Fprintln(env.Stderr, "kiln generate: "+problem)
			return exitUsage
		}
	}
	if *each {
		if problem := eachUsage(positional, views, *force); problem != "" {
			fmt.Fprintln(env.Stderr, "kiln generate: "+problem)
			return exitUsage
		}
		var err error
		if positional, err = app.BatchImages(positional); err != nil {
			return fail(env, "%v", err)
		}
	}
	// Images named with --view come first, in their order, then the others, their view guessed
	// from the file name ("chair_left.png").
	images := append([]providers.Image(nil), views...)
	for _, path := range positional {
		images = append(images, providers.Image{Path: path, View: providers.GuessView(path)})
	}
	if len(images) == 0 && strings.TrimSpace(*prompt) == "" {
		fmt.Fprintln(env.Stderr, "kiln generate: give at least one image (kiln generate IMAGE... or --view front=IMAGE), or --prompt TEXT")
		return exitUsage
	}
	if ext := strings.ToLower(filepath.Ext(*out)); ext != "" && (ext != ".glb" || *each || comparing) {
		if st, err := os.Stat(*out); err != nil || !st.IsDir() {
			switch {
			case *each:
				return fail(env, "--out %s: --each saves one model per image: give a folder", *out)
			case comparing:
				return fail(env, "--out %s: a comparison saves one model per provider: give a folder", *out)
			}
			return fail(env, "--out %s: Kiln saves .glb models; name the file .glb or give a folder", *out)
		}
	}
	if !*each {
		for _, path := range positional {
			if st, err := os.Stat(path); err == nil && st.IsDir() {
				return fail(env, "%s is a folder: give --each for one model per image in it", path)
			}
		}
	}

	// A one-off run works on its own job only: unfinished jobs of the window are left to it.
	k, err := env.Open(app.QueueOptions{Workers: 1})
	if err != nil {
		return fail(env, "%v", err)
	}
	defer func() { // the Kiln open when the command ends
		if k != nil {
			k.Close()
		}
	}()
	if err := applyCrops(ctx, k, env, crops, images, *each); err != nil {
		return fail(env, "%v", err)
	}
	if comparing {
		// The models of a comparison run side by side, the offline generator's one at a time.
		limits := offlineLimits(k.Providers, variants)
		k.Close()
		if k, err = env.Open(app.QueueOptions{Workers: app.MaxCompare, Limits: limits}); err != nil {
			return fail(env, "%v", err)
		}
		req := providers.Request{Images: images, Size: size, Prompt: *prompt}
		return generateCompare(ctx, k, env, req, variants, *out, *asJSON)
	}
	p := k.Providers.Default()
	if len(variants) == 1 {
		if p, err = k.Providers.Get(variants[0].Provider); err != nil {
			return fail(env, "%v", err)
		}
		*polycount = variants[0].Polycount // NAME:POLYCOUNT, as a comparison's
	}
	if *each && !p.Capabilities().Offline {
		// A cloud provider's jobs mostly wait on its servers: a batch runs several at once. (The
		// offline generator uses every core: one at a time.)
		k.Close()
		if k, err = env.Open(app.QueueOptions{Workers: batchWorkers}); err != nil {
			return fail(env, "%v", err)
		}
		if p, err = k.Providers.Get(p.Capabilities().Name); err != nil {
			return fail(env, "%v", err)
		}
	}
	if err := setEndpoint(k, p.Capabilities().Name, *endpoint); err != nil {
		return fail(env, "%v", err)
	}
	caps := p.Capabilities()
	req := providers.Request{Polycount: *polycount, ProjectID: *project, Images: images, Size: size, Prompt: *prompt}
	if *quality != "" {
		options["quality"] = *quality
	}
	if *testRun {
		options["test"] = "on"
	}
	if len(options) > 0 {
		req.Options = options
	}
	if !caps.Views {
		for i := range req.Images {
			req.Images[i].View = "" // a name's guess means nothing to a provider without views
		}
		if len(views) > 0 {
			return fail(env, "%s does not take views; give the images without --view", caps.Title)
		}
	}
	if !caps.Dimensions && size != (providers.Dimensions{}) {
		return fail(env, "%s does not take real dimensions; leave out --height-cm, --width-cm and --depth-cm", caps.Title)
	}

	if *each {
		return generateEach(ctx, k, env, caps, *key, req, *out, *asJSON)
	}
	plan, err := planJob(ctx, k, env, caps, *key, req)
	if err != nil {
		return fail(env, "%v", err)
	}
	bar, unsubscribe := watchJobs(k, env)
	defer unsubscribe()
	job, err := k.Jobs.Submit(ctx, caps.Name, plan.Request, submitOptions(plan)...)
	if err != nil {
		return fail(env, "%v", err)
	}
	return finishJob(ctx, k, env, bar, job, caps, *out, *force, *asJSON, &plan)
}

// planJob works out what the job will be (the polycount in the range its options allow, the
// credential, the cost and the balance) and says on stderr what an artist must know before it is
// sent: what was changed, what it costs, and whether the balance is short.
func planJob(ctx context.Context, k *app.Kiln, env Env, caps providers.Capabilities, key string, req providers.Request) (app.Plan, error) {
	plan, err := k.Plan(ctx, caps.Name, key, req, true)
	if err != nil {
		return plan, err
	}
	printPlan(env, caps, plan)
	return plan, nil
}

// printPlan says on stderr what was changed, what the job (or batch) costs, and whether the
// balance is short.
func printPlan(env Env, caps providers.Capabilities, plan app.Plan) {
	for _, n := range append(plan.Notes, plan.Outlook()...) {
		fmt.Fprintln(env.Stderr, "kiln: "+providers.Printable(n))
	}
	if s := plan.Summary(); s != "" {
		fmt.Fprintf(env.Stderr, "kiln: %s: %s\n", caps.Title, providers.Printable(s))
	}
}

// submitOptions are the queue's options for a planned job.
func submitOptions(plan app.Plan) []app.SubmitOption {
	opts := []app.SubmitOption{app.WithCredential(plan.Credential)}
	if plan.Price != nil {
		opts = append(opts, app.WithCost(plan.Price.Credits))
	}
	return opts
}

// finishJob waits for a submitted job (its progress shown on bar), saves its model to out and
// prints the outcome; it returns the exit status.
func finishJob(ctx context.Context, k *app.Kiln, env Env, bar *progress, job app.Job, caps providers.Capabilities, out string, force, asJSON bool, plan *app.Plan) int {
	done, err := waitOrCancel(ctx, k, job.ID)
	bar.end()
	if err != nil {
		return fail(env, "%v", err)
	}
	res := generateResult{Job: done.ID, Provider: done.Provider, Status: string(done.State), Files: []string{}, Triangles: done.Triangles}
	status := exitOK
	switch done.State {
	case app.Done:
		saved, err := app.Export(done.Files[0], out, force)
		if err != nil {
			return fail(env, "the model is in the library (%s) but could not be saved: %v", done.Files[0], err)
		}
		if abs, err := filepath.Abs(saved); err == nil {
			saved = abs
		}
		res.Files = append(res.Files, saved)
	case app.Cancelled:
		fmt.Fprintln(env.Stderr, "kiln: cancelled")
		status = exitCancelled
	case app.Unconfirmed:
		res.Error = done.Message
		status = fail(env, "%s (then: kiln jobs submit-again %s, or kiln jobs mark-failed %s)", done.Message, done.ID, done.ID)
	default:
		res.Error, res.Kind = done.Error, string(done.ErrorKind)
		res.Explanation = done.Explain(caps.Title)
		status = fail(env, "generation failed: %s", res.Explanation)
	}
	res.RemoteID, res.Plan = done.Remote.ID, plan
	if asJSON {
		enc := json.NewEncoder(env.Stdout)
		enc.SetEscapeHTML(false)
		if err := enc.Encode(res); err != nil {
			return fail(env, "%v", err)
		}
	} else if status == exitOK {
		fmt.Fprintln(env.Stdout, res.Files[0])
	}
	return status
}

// setEndpoint points the provider or target called name at endpoint for this run, when one is
// given.
func setEndpoint(k *app.Kiln, name, endpoint string) error {
	if endpoint == "" {
		return nil
	}
	if err := k.SetEndpointForRun(name, endpoint); err != nil {
		return fmt.Errorf("--endpoint: %w", err)
	}
	return nil
}

// waitOrCancel waits for the job; when ctx ends first (Ctrl-C) it cancels the job and waits for
// the cancellation to land.
func waitOrCancel(ctx context.Context, k *app.Kiln, id string) (app.Job, error) {
	j, err := k.Jobs.Wait(ctx, id)
	if ctx.Err() == nil {
		return j, err
	}
	if err := k.Jobs.Cancel(id); err != nil {
		return app.Job{}, err
	}
	wctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	return k.Jobs.Wait(wctx, id)
}

// viewFlags collects --view VIEW=IMAGE.
type viewFlags []providers.Image

func (v *viewFlags) String() string { return "" }

func (v *viewFlags) Set(s string) error {
	view, path, ok := strings.Cut(s, "=")
	view = strings.ToLower(strings.TrimSpace(view))
	if !ok || path == "" {
		return fmt.Errorf("want VIEW=IMAGE, e.g. front=chair.png")
	}
	if !providers.IsView(view) {
		return fmt.Errorf("%q is not a view (use %s)", view, strings.Join(providers.Views, ", "))
	}
	*v = append(*v, providers.Image{Path: path, View: view})
	return nil
}

// keyValues collects --option KEY=VALUE.
type keyValues map[string]string

func (kv keyValues) String() string { return "" }

func (kv keyValues) Set(s string) error {
	k, v, ok := strings.Cut(s, "=")
	if !ok || k == "" {
		return fmt.Errorf("want KEY=VALUE, e.g. objects=largest")
	}
	kv[k] = v
	return nil
}
