package cli

import (
	"context"
	"fmt"
	"strconv"
	"strings"

	"github.com/kiln3d/kiln/app"
	"github.com/kiln3d/kiln/providers"
)

// providerFlags collects --provider NAME, or NAME:POLYCOUNT; given 2 to 4 times, the references go
// to each as one comparison.
type providerFlags []string

func (p *providerFlags) String() string { return strings.Join(*p, ",") }

func (p *providerFlags) Set(s string) error {
	if strings.TrimSpace(s) == "" {
		return fmt.Errorf("want a provider's name, e.g. local, or local:2000")
	}
	*p = append(*p, s)
	return nil
}

// variants reads the providers given as a comparison's models; polycount is --polycount, for
// those given without one.
func (p providerFlags) variants(polycount int) ([]app.Variant, error) {
	out := make([]app.Variant, len(p))
	for i, s := range p {
		name, n, ok := strings.Cut(s, ":")
		out[i] = app.Variant{Provider: strings.TrimSpace(name), Polycount: polycount}
		if !ok {
			continue
		}
		v, err := strconv.Atoi(strings.TrimSpace(n))
		if err != nil || v <= 0 {
			return nil, fmt.Errorf("--provider %s: the polycount after the colon must be a whole number above 0", providers.Printable(s))
		}
		out[i].Polycount = v
	}
	return out, nil
}

// compareUsage says what is wrong with the arguments of a comparison (--provider given several
// times), or returns "".
func compareUsage(n int, each, force bool, endpoint, key, project string, options map[string]string, quality string, testRun bool) string {
	switch {
	case n > app.MaxCompare:
		return fmt.Sprintf("--provider given %d times: a comparison makes %d to %d models", n, app.MinCompare, app.MaxCompare)
	case each:
		return "--each makes one model per image, a comparison several models of the same images: leave out --each or give --provider once"
	case force:
		return "a comparison never replaces a file (a name already taken in --out is saved as NAME-2.glb): leave out --force"
	case endpoint != "" || key != "" || project != "" || len(options) > 0 || quality != "" || testRun:
		return "--endpoint, --key, --project, --option, --quality and --test are one provider's: leave them out when comparing providers"
	}
	return ""
}

// generateCompare plans and submits the references of req to each variant as one comparison, waits
// for the models, saves each into the folder out and prints them as generateEach does. The models
// are in the library, tagged with the group, for the window's Compare tab.
func generateCompare(ctx context.Context, k *app.Kiln, env Env, req providers.Request, variants []app.Variant, out string, asJSON bool) int {
	plans, err := k.PlanCompare(ctx, req, variants, true)
	if err != nil {
		return fail(env, "%v", err)
	}
	for _, plan := range plans {
		p, err := k.Providers.Get(plan.Provider)
		if err != nil {
			return fail(env, "%v", err)
		}
		printPlan(env, p.Capabilities(), plan)
	}
	bar, unsubscribe := watchJobs(k, env)
	defer unsubscribe()
	jobs, err := k.Jobs.SubmitCompare(ctx, plans)
	switch {
	case err != nil && ctx.Err() != nil:
		bar.say("kiln: cancelled")
		return exitCancelled
	case err != nil:
		return fail(env, "%v", err)
	}
	bar.say("kiln: a comparison of %s (tagged %s in the library)", app.Plural(len(jobs), "model"), app.CompareTag(jobs[0].Batch))
	return saveModels(ctx, k, env, bar, jobs, out, asJSON)
}

// offlineLimits runs the jobs of each offline provider among variants one at a time: the offline
// generator uses every core.
func offlineLimits(reg *providers.Registry, variants []app.Variant) map[string]int {
	limits := map[string]int{}
	for _, v := range variants {
		if p, err := reg.Get(v.Provider); err == nil && p.Capabilities().Offline {
			limits[v.Provider] = 1
		}
	}
	return limits
}
