package cli

import (
	"context"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/kiln3d/kiln/preview"
)

// RenderRequest is one picture `kiln render` asks of the renderer main provides.
type RenderRequest struct {
	Model, Out string
	Size       int
	View       preview.Preset // "" for the three-quarter perspective view
	Mode       preview.Mode
	Background preview.Background
	Grid       bool
}

func render(ctx context.Context, args []string, env Env) int {
	fs := flag.NewFlagSet("render", flag.ContinueOnError)
	out := fs.String("out", "", "the PNG to write")
	size := fs.Int("size", 512, "the image's side in pixels (16 to 4096)")
	view := fs.String("view", "iso", "front, back, left, right, top or iso")
	mode := fs.String("mode", "shaded", "shaded, clay or wireframe")
	bg := fs.String("background", "dark", "dark or light")
	grid := fs.Bool("grid", false, "draw the ground grid")
	rest, ok := parse(fs, args, env)
	if !ok || len(rest) != 1 || *out == "" {
		return usageOr(env, ok, "usage: kiln render MODEL --out PNG [--size 512] [--view front|back|left|right|top|iso] [--mode shaded|clay|wireframe]")
	}
	req := RenderRequest{Model: rest[0], Out: *out, Size: *size, Grid: *grid}
	var err error
	if req.View, err = preview.ParsePreset(*view); err != nil {
		return fail(env, "--view: %v", err)
	}
	if req.View == preview.Iso {
		req.View = "" // the default view is the three-quarter one, in perspective
	}
	if req.Mode, err = preview.ParseMode(*mode); err != nil {
		return fail(env, "--mode: %v", err)
	}
	switch *bg {
	case "dark":
	case "light":
		req.Background = preview.Light
	default:
		return fail(env, "--background: %q is not dark or light", *bg)
	}
	if req.Size < 16 || req.Size > 4096 {
		return fail(env, "--size %d: give 16 to 4096 pixels", req.Size)
	}
	if !strings.EqualFold(filepath.Ext(req.Out), ".png") {
		return fail(env, "--out %s: kiln render writes PNG images; name the file .png", req.Out)
	}
	if _, err := os.Stat(req.Model); err != nil {
		return fail(env, "%s: the model cannot be read (%v)", req.Model, err)
	}
	if env.Render == nil {
		return fail(env, "this build of Kiln has no renderer")
	}
	if err := env.Render(ctx, req); err != nil {
		return fail(env, "%v", err)
	}
	abs, err := filepath.Abs(req.Out)
	if err != nil {
		abs = req.Out
	}
	fmt.Fprintln(env.Stdout, abs)
	return exitOK
}
