package cli

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/kiln3d/kiln/preview"
	"github.com/kiln3d/kiln/providers/fsguard/fsguardtest"
	"github.com/kiln3d/kiln/providers/providertest"
)

// TestRenderLookFlags: every mode, the lighting, environment, exposure, tone mapping and
// transparency reach the renderer as asked, and bad values are refused before it is called.
func TestRenderLookFlags(t *testing.T) {
	dir := t.TempDir()
	model := filepath.Join(dir, "m.glb")
	if err := providertest.WriteTetrahedron(model); err != nil {
		t.Fatal(err)
	}
	hdr := filepath.Join(dir, "sky.hdr")
	if err := os.WriteFile(hdr, []byte("#?RADIANCE\n\n-Y 8 +X 16\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	var got *RenderRequest
	run := func(args ...string) (int, string) {
		got = nil
		var out, errOut bytes.Buffer
		env := Env{Stdout: &out, Stderr: &errOut, Render: func(_ context.Context, r RenderRequest) error {
			got = &r
			return os.WriteFile(r.Out, []byte("png"), 0o644)
		}}
		return Run(context.Background(), append([]string{"render"}, args...), env), errOut.String()
	}
	out := filepath.Join(dir, "shot.png")
	for _, m := range preview.Modes() {
		if s, e := run(model, "--out", out, "--mode", m.String()); s != 0 || got == nil || got.Mode != m {
			t.Errorf("--mode %s: %d %q %+v", m, s, e, got)
		}
	}
	if s, e := run(model, "--out", out); s != 0 || got.Light != preview.Environment || got.Env != "" ||
		got.Exposure != 0 || got.ToneMap != preview.ACES || got.Transparent {
		t.Errorf("defaults: %d %q %+v", s, e, got)
	}
	if s, e := run(model, "--out", out, "--light", "studio", "--exposure", "-1.5", "--tonemap", "neutral", "--transparent"); s != 0 ||
		got.Light != preview.Studio || got.Exposure != -1.5 || got.ToneMap != preview.Neutral || !got.Transparent {
		t.Errorf("studio, -1.5 EV, neutral, transparent: %d %q %+v", s, e, got)
	}
	if s, e := run(model, "--out", out, "--env", hdr, "--tonemap", "linear"); s != 0 || got.Env != hdr ||
		got.Light != preview.Environment || got.ToneMap != preview.Linear {
		t.Errorf("--env: %d %q %+v", s, e, got)
	}
	fifo := filepath.Join(dir, "pipe.hdr")
	fsguardtest.MkFIFO(t, fifo)
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"--light", "sun"}, `unknown lighting "sun"`},
		{[]string{"--tonemap", "filmic"}, `unknown tone mapping "filmic"`},
		{[]string{"--exposure", "12"}, "give -10 to 10 stops"},
		{[]string{"--exposure", "NaN"}, "give -10 to 10 stops"},
		{[]string{"--env", filepath.Join(dir, "none.hdr")}, "the environment cannot be read"},
		{[]string{"--env", fifo}, "the environment cannot be read"},
		{[]string{"--env", model}, "give an equirectangular Radiance .hdr"},
		{[]string{"--env", hdr, "--light", "studio"}, "cannot go with --light studio"},
	} {
		s, e := run(append([]string{model, "--out", out}, c.args...)...)
		if s == 0 || !strings.Contains(e, c.want) || got != nil {
			t.Errorf("%v: %d %q (renderer called: %v), want %q", c.args, s, e, got != nil, c.want)
		}
	}
	if s, e := run(model); s == 0 || !strings.Contains(e, "--tonemap aces|neutral|linear") || !strings.Contains(e, "normals|uv|basecolor") {
		t.Errorf("usage does not list the new flags: %q", e)
	}
}
