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

// generateResult is what --json prints.
type generateResult struct {
	Job       string   `json:"job"`
	Provider  string   `json:"provider"`
	Status    string   `json:"status"`
	Files     []string `json:"files"`
	Triangles int      `json:"triangles"`
	Error     string   `json:"error,omitempty"`
}

func generate(ctx context.Context, args []string, env Env) int {
	fs := flag.NewFlagSet("generate", flag.ContinueOnError)
	provider := fs.String("provider", "", "provider to use (default: the first one, local)")
	polycount := fs.Int("polycount", 0, "triangles wanted (default: the provider's default)")
	project := fs.String("project", "", "project ID to file the job under")
	out := fs.String("out", ".", "where to save the model: a file path or a folder")
	asJSON := fs.Bool("json", false, "print one JSON object instead of the saved path")
	images, ok := parse(fs, args, env)
	if !ok {
		return exitUsage
	}
	if len(images) == 0 {
		fmt.Fprintln(env.Stderr, "kiln generate: give at least one image (kiln generate IMAGE...)")
		return exitUsage
	}
	if ext := strings.ToLower(filepath.Ext(*out)); ext != "" && ext != ".glb" {
		if st, err := os.Stat(*out); err != nil || !st.IsDir() {
			return fail(env, "--out %s: Kiln saves .glb models; name the file .glb or give a folder", *out)
		}
	}

	// A one-off run works on its own job only: unfinished jobs of the window are left to it.
	k, err := env.Open(app.QueueOptions{Workers: 1})
	if err != nil {
		return fail(env, "%v", err)
	}
	defer k.Close()
	p := k.Providers.Default()
	if *provider != "" {
		if p, err = k.Providers.Get(*provider); err != nil {
			return fail(env, "%v", err)
		}
	}
	caps := p.Capabilities()
	req := providers.Request{Polycount: *polycount, ProjectID: *project}
	if req.Polycount == 0 {
		req.Polycount = caps.Polycount.Default
	}
	for _, img := range images {
		req.Images = append(req.Images, providers.Image{Path: img})
	}

	bar := newProgress(env)
	unsubscribe := k.Jobs.Subscribe(func(e app.Event) { bar.show(e.Job) })
	defer unsubscribe()
	job, err := k.Jobs.Submit(ctx, caps.Name, req)
	if err != nil {
		return fail(env, "%v", err)
	}

	done, err := waitOrCancel(ctx, k, job.ID)
	bar.end()
	if err != nil {
		return fail(env, "%v", err)
	}
	res := generateResult{Job: done.ID, Provider: done.Provider, Status: string(done.State), Files: []string{}, Triangles: done.Triangles}
	status := exitOK
	switch done.State {
	case app.Done:
		saved, err := app.Export(done.Files[0], *out)
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
	default:
		res.Error = done.Error
		status = fail(env, "generation failed: %s", done.Error)
	}
	if *asJSON {
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
