package cli

import (
	"context"
	"flag"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/kiln3d/kiln/preview"
	"github.com/kiln3d/kiln/preview/inspect"
	"github.com/kiln3d/kiln/providers"
)

// RenderRequest is one picture `kiln render` asks of the renderer main provides.
type RenderRequest struct {
	Model, Out string
	Size       int
	View       preview.Preset // "" for the three-quarter perspective view
	Mode       preview.Mode
	Background preview.Background
	Grid       bool
	// Light is what lights the model: Kiln's studio environment, Env (an equirectangular
	// Radiance .hdr) when not "", or the studio lights. Exposure is in stops.
	Light       preview.Lighting
	Env         string
	Exposure    float64
	ToneMap     preview.ToneMap
	Transparent bool
	// Clip poses the model Time seconds into its animation number Clip (1-based, of
	// inspect.Report.Animations); 0 is the rest pose the file gives.
	Clip int
	Time float64
}

func render(ctx context.Context, args []string, env Env) int {
	fs := flag.NewFlagSet("render", flag.ContinueOnError)
	out := fs.String("out", "", "the PNG to write")
	size := fs.Int("size", 512, "the image's side in pixels (16 to 4096)")
	view := fs.String("view", "iso", "front, back, left, right, top or iso")
	mode := fs.String("mode", "shaded", "shaded, clay, wireframe, or a debug view: normals, uv, basecolor, roughness, metallic, occlusion")
	bg := fs.String("background", "dark", "dark or light")
	grid := fs.Bool("grid", false, "draw the ground grid")
	light := fs.String("light", "environment", "environment (image-based, from --env or Kiln's studio HDR) or studio (three lights)")
	envFile := fs.String("env", "", "an equirectangular Radiance .hdr to light with (implies --light environment)")
	exposure := fs.Float64("exposure", 0, "exposure in stops: +1 is twice as bright (-10 to 10)")
	tonemap := fs.String("tonemap", "aces", "aces, neutral (Khronos PBR Neutral) or linear")
	transparent := fs.Bool("transparent", false, "leave the background (and grid) out: transparent pixels")
	clip := fs.String("clip", "", "pose the model in one of its animations: its name, or its number (1 for the first)")
	at := fs.Float64("time", 0, "seconds into --clip")
	rest, ok := parse(fs, args, env)
	if !ok || len(rest) != 1 || *out == "" {
		return usageOr(env, ok, "usage: kiln render MODEL --out PNG [--size 512] [--view front|back|left|right|top|iso]\n"+
			"  [--mode shaded|clay|wireframe|normals|uv|basecolor|roughness|metallic|occlusion] [--background dark|light] [--grid]\n"+
			"  [--light environment|studio] [--env FILE.hdr] [--exposure EV] [--tonemap aces|neutral|linear] [--transparent]\n"+
			"  [--clip NAME|N [--time SECONDS]]")
	}
	req := RenderRequest{Model: rest[0], Out: *out, Size: *size, Grid: *grid, Env: *envFile, Exposure: *exposure,
		Transparent: *transparent}
	var err error
	if req.Light, err = preview.ParseLighting(*light); err != nil {
		return fail(env, "--light: %v", err)
	}
	if req.Env != "" {
		if req.Light == preview.Studio {
			return fail(env, "--env lights with an environment: it cannot go with --light studio")
		}
		if !strings.EqualFold(filepath.Ext(req.Env), ".hdr") {
			return fail(env, "--env %s: give an equirectangular Radiance .hdr picture", req.Env)
		}
		if st, err := os.Stat(req.Env); err != nil || !st.Mode().IsRegular() {
			return fail(env, "--env %s: the environment cannot be read (not a regular file)", req.Env)
		}
	}
	if math.IsNaN(req.Exposure) || req.Exposure < -10 || req.Exposure > 10 {
		return fail(env, "--exposure %v: give -10 to 10 stops", *exposure)
	}
	if req.ToneMap, err = preview.ParseToneMap(*tonemap); err != nil {
		return fail(env, "--tonemap: %v", err)
	}
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
	if math.IsNaN(*at) || math.IsInf(*at, 0) || *at < 0 {
		return fail(env, "--time %v: give seconds from 0", *at)
	}
	if *clip == "" && *at != 0 {
		return fail(env, "--time poses an animation: name it with --clip")
	}
	if *clip != "" {
		if req.Clip, err = pickClip(req.Model, *clip); err != nil {
			return fail(env, "--clip: %v", err)
		}
		req.Time = *at
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

// pickClip finds the animation a --clip names, by name (any case) or by number from 1, in the
// model's own list, and returns its number; the model is checked first, as the render will.
func pickClip(model, name string) (int, error) {
	_, rep, err := inspect.Load(model)
	if err != nil {
		return 0, err
	}
	names := make([]string, len(rep.Animations))
	for i, a := range rep.Animations {
		names[i] = providers.Printable(a.Name)
		if strings.EqualFold(a.Name, name) {
			return i + 1, nil
		}
	}
	if n, err := strconv.Atoi(name); err == nil && n >= 1 && n <= len(names) {
		return n, nil
	}
	if len(names) == 0 {
		return 0, fmt.Errorf("%q: %s has no animations", providers.Printable(name), filepath.Base(model))
	}
	return 0, fmt.Errorf("%q: %s has no such animation; it has %d: %s (or give a number from 1 to %d)",
		providers.Printable(name), filepath.Base(model), len(names), strings.Join(names, ", "), len(names))
}
