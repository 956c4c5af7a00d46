package cli

import (
	"cmp"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/kiln3d/kiln/app"
	"github.com/kiln3d/kiln/providers"
)

// exportResult is what `kiln export --json` prints per asset.
type exportResult struct {
	Asset  string   `json:"asset"`
	Name   string   `json:"name"`
	Status string   `json:"status"` // exported, failed
	Files  []string `json:"files,omitempty"`
	// Fixed lists the assets the fixes made on the way, the exported one last.
	Fixed     []string    `json:"fixed,omitempty"`
	Preflight []app.Check `json:"preflight,omitempty"`
	Error     string      `json:"error,omitempty"`
}

const exportUsage = "usage: kiln export ASSET... --preset " + "godot|unity|unreal|blender" +
	" [--format glb|gltf|obj] [--max-texture N] [--polycount N] [--out DIR] [--fix] [--force] [--json]"

// export exports library assets for an engine: the pre-flight first (a failed line stops that
// asset, unless --fix applies the fixes, each making a new library asset), then the model in
// the preset's format and conventions with its NAME.kiln.json beside it.
func export(ctx context.Context, args []string, env Env) int {
	fs := flag.NewFlagSet("export", flag.ContinueOnError)
	preset := fs.String("preset", "", "the engine: "+strings.Join(app.PresetNames(), ", "))
	format := fs.String("format", "", "glb, gltf (with its .bin and textures) or obj (with its .mtl and textures); default: the preset's")
	maxTexture := fs.Int("max-texture", 0, "the largest texture side, in pixels (default: the preset's)")
	polycount := fs.Int("polycount", 0, "the triangle budget, counting what the engine draws (default: none)")
	out := fs.String("out", ".", "the folder to export into")
	fix := fs.Bool("fix", false, "apply the fixes of the pre-flight's failed lines (each makes a new library asset) and export the fixed model")
	force := fs.Bool("force", false, "replace files that exist (without it, Kiln never overwrites a file)")
	asJSON := fs.Bool("json", false, "print a JSON array, one object per asset")
	rest, ok := parse(fs, args, env)
	if !ok || len(rest) == 0 || *preset == "" {
		return usageOr(env, ok, exportUsage)
	}
	opt := app.ExportOptions{Preset: *preset, Polycount: *polycount, MaxTexture: *maxTexture, Out: *out, Force: *force}
	if *format != "" {
		f, err := app.ParseFormat(*format)
		if err != nil {
			return fail(env, "%v", err)
		}
		opt.Format = f
	}
	p, err := app.FindPreset(*preset)
	if err != nil {
		return fail(env, "%v", err)
	}
	if !*asJSON {
		fmt.Fprintln(env.Stderr, p.Summary(cmp.Or(opt.Format, p.Formats[0])))
	}
	k, err := env.Open(app.QueueOptions{Workers: 1})
	if err != nil {
		return fail(env, "%v", err)
	}
	defer k.Close()
	entries, status := resolveAll(ctx, k, rest, env)
	if status != exitOK {
		return status
	}
	var results []exportResult
	failed := false
	for _, e := range entries {
		r := exportAsset(ctx, k, e, opt, *fix, env)
		if ctx.Err() != nil {
			fmt.Fprintln(env.Stderr, "kiln: cancelled")
			return exitCancelled
		}
		if r.Status != "exported" {
			failed = true
		}
		results = append(results, r)
		if !*asJSON {
			printExport(env, r)
		}
	}
	if *asJSON {
		printJSON(env, results)
	}
	if failed {
		return exitFailed
	}
	return exitOK
}

// exportAsset exports one asset, applying the fixes first when asked.
func exportAsset(ctx context.Context, k *app.Kiln, e app.Entry, opt app.ExportOptions, fix bool, env Env) exportResult {
	r := exportResult{Asset: e.ID, Name: e.Name}
	id := e.ID
	if fix {
		// Each fix makes a new asset; the next line is judged on it. A fix changes one thing,
		// so a few rounds settle it; the limit only guards against a fix that does not hold.
		for round := 0; round < 6; round++ {
			pf, err := k.CheckAsset(ctx, id, opt)
			if err != nil {
				r.Status, r.Error = "failed", err.Error()
				return r
			}
			// The failed lines' fixes only: a warning's fix (powers of two, the pivot in the
			// library) is the artist's call, and the export goes ahead without it.
			var fixes []app.Fix
			for _, c := range pf.Failed() {
				if c.Fix != nil && (c.Fix.Kind != app.FixRescale || c.Fix.HeightCM > 0) {
					fixes = append(fixes, *c.Fix)
				}
			}
			if len(fixes) == 0 {
				break
			}
			fmt.Fprintf(env.Stderr, "Fixing %s: %s\n", providers.Printable(e.Name), fixes[0].Label)
			a, err := k.Fix(ctx, id, fixes[0], nil)
			if err != nil {
				r.Status, r.Error = "failed", err.Error()
				return r
			}
			id = a.ID
			r.Fixed = append(r.Fixed, a.ID)
		}
	}
	done, err := k.Export(ctx, []string{id}, opt, nil)
	var pe *app.PreflightError
	switch {
	case errors.As(err, &pe):
		r.Status, r.Preflight = "failed", pe.Checks
		r.Error = pe.Error()
	case err != nil:
		r.Status, r.Error = "failed", err.Error()
	default:
		r.Status, r.Files, r.Preflight = "exported", done[0].Files, done[0].Preflight
	}
	return r
}

func printExport(env Env, r exportResult) {
	if r.Status == "exported" {
		abs, _ := filepath.Abs(r.Files[0])
		fmt.Fprintf(env.Stdout, "%s\n", abs)
		for _, c := range r.Preflight {
			if c.Verdict == app.Warn {
				fmt.Fprintf(env.Stderr, "  warn  %s: %s\n", c.Title, providers.Printable(c.Detail))
			}
		}
		return
	}
	if len(r.Preflight) > 0 {
		fail(env, "%s is not ready for export:", named(r.Name, r.Asset))
		printChecks(env.Stderr, r.Preflight)
		if hasFix(r.Preflight) {
			fmt.Fprintln(env.Stderr, "  (kiln export --fix applies the fixes, each as a new library asset)")
		}
		return
	}
	fail(env, "%s", r.Error)
}

func hasFix(checks []app.Check) bool {
	for _, c := range checks {
		if c.Fix != nil {
			return true
		}
	}
	return false
}

// printChecks writes a checklist, one line per check: its verdict, its title, what was found,
// and the fix when there is one.
func printChecks(w io.Writer, checks []app.Check) {
	for _, c := range checks {
		line := fmt.Sprintf("  %-4s  %-10s %s", c.Verdict, c.Title, providers.Printable(c.Detail))
		if c.Fix != nil && c.Verdict != app.Pass {
			line += " [fix: " + c.Fix.Label + "]"
		}
		fmt.Fprintln(w, line)
	}
}

// check prints the export pre-flight of a model file (or a library asset): kiln check MODEL
// [--preset P]. The exit status is 1 when a line fails.
func check(ctx context.Context, args []string, env Env) int {
	fs := flag.NewFlagSet("check", flag.ContinueOnError)
	preset := fs.String("preset", "blender", "the engine to judge for: "+strings.Join(app.PresetNames(), ", "))
	format := fs.String("format", "", "the format it will be exported in (default: the preset's)")
	maxTexture := fs.Int("max-texture", 0, "the largest texture side, in pixels (default: the preset's)")
	polycount := fs.Int("polycount", 0, "the triangle budget, counting what the engine draws (default: none)")
	heightCM := fs.Float64("height-cm", 0, "the height the object should have, in centimetres")
	asJSON := fs.Bool("json", false, "print the checklist as JSON")
	rest, ok := parse(fs, args, env)
	if !ok || len(rest) != 1 {
		return usageOr(env, ok, "usage: kiln check MODEL [--preset godot|unity|unreal|blender] [--format F] [--max-texture N] [--polycount N] [--height-cm H] [--json]")
	}
	p, err := app.FindPreset(*preset)
	if err != nil {
		return fail(env, "%v", err)
	}
	opt := app.CheckOptions{Preset: p, Format: p.Formats[0], MaxTexture: *maxTexture, Polycount: *polycount, HeightCM: *heightCM}
	if *format != "" {
		if opt.Format, err = app.ParseFormat(*format); err != nil {
			return fail(env, "%v", err)
		}
	}
	var pf app.Preflight
	if st, statErr := os.Stat(rest[0]); statErr == nil || app.IsModelFile(rest[0]) {
		if statErr == nil && st.IsDir() {
			return fail(env, "%s is a folder: name a .glb or .gltf model", rest[0])
		}
		pf, err = app.CheckFile(ctx, rest[0], opt)
	} else {
		// Not a file: an asset of the library, by id or name.
		k, openErr := env.Open(app.QueueOptions{Workers: 1})
		if openErr != nil {
			return fail(env, "%v", openErr)
		}
		defer k.Close()
		e, resErr := k.Library.Resolve(ctx, rest[0])
		if resErr != nil {
			return fail(env, "%s is not a model file, nor an asset of the library: %v", rest[0], statErr)
		}
		pf, err = k.CheckAsset(ctx, e.ID, app.ExportOptions{Preset: p.Name, Format: opt.Format, Polycount: *polycount, MaxTexture: *maxTexture})
	}
	if err != nil {
		return fail(env, "%v", err)
	}
	if *asJSON {
		printJSON(env, pf)
	} else {
		printChecks(env.Stdout, pf.Checks)
	}
	if !pf.OK() {
		return exitFailed
	}
	return exitOK
}
