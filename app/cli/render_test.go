package cli

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/qmuntal/gltf"
	"github.com/qmuntal/gltf/modeler"

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
	rec := &renderRecorder{}
	run := rec.run
	out := filepath.Join(dir, "shot.png")
	for _, m := range preview.Modes() {
		if s, e := run(model, "--out", out, "--mode", m.String()); s != 0 || rec.got == nil || rec.got.Mode != m {
			t.Errorf("--mode %s: %d %q %+v", m, s, e, rec.got)
		}
	}
	if s, e := run(model, "--out", out); s != 0 || rec.got.Light != preview.Environment || rec.got.Env != "" ||
		rec.got.Exposure != 0 || rec.got.ToneMap != preview.ACES || rec.got.Transparent {
		t.Errorf("defaults: %d %q %+v", s, e, rec.got)
	}
	if s, e := run(model, "--out", out, "--light", "studio", "--exposure", "-1.5", "--tonemap", "neutral", "--transparent"); s != 0 ||
		rec.got.Light != preview.Studio || rec.got.Exposure != -1.5 || rec.got.ToneMap != preview.Neutral || !rec.got.Transparent {
		t.Errorf("studio, -1.5 EV, neutral, transparent: %d %q %+v", s, e, rec.got)
	}
	if s, e := run(model, "--out", out, "--env", hdr, "--tonemap", "linear"); s != 0 || rec.got.Env != hdr ||
		rec.got.Light != preview.Environment || rec.got.ToneMap != preview.Linear {
		t.Errorf("--env: %d %q %+v", s, e, rec.got)
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
		if s == 0 || !strings.Contains(e, c.want) || rec.got != nil {
			t.Errorf("%v: %d %q (renderer called: %v), want %q", c.args, s, e, rec.got != nil, c.want)
		}
	}
	if s, e := run(model); s == 0 || !strings.Contains(e, "--tonemap aces|neutral|linear") || !strings.Contains(e, "normals|uv|basecolor") {
		t.Errorf("usage does not list the new flags: %q", e)
	}
}

// TestRenderClip: --clip takes an animation's name (any case) or number and --time its moment;
// a clip the model lacks is refused naming those it has, before the renderer is called.
func TestRenderClip(t *testing.T) {
	dir := t.TempDir()
	model := filepath.Join(dir, "spin.glb")
	writeSpinning(t, model, "Spin", "Wave")
	still := filepath.Join(dir, "still.glb")
	if err := providertest.WriteTetrahedron(still); err != nil {
		t.Fatal(err)
	}
	rec := &renderRecorder{}
	run := rec.run
	out := filepath.Join(dir, "shot.png")
	if s, e := run(model, "--out", out); s != 0 || rec.got.Clip != 0 || rec.got.Time != 0 {
		t.Errorf("no clip: %d %q %+v", s, e, rec.got)
	}
	if s, e := run(model, "--out", out, "--clip", "wave", "--time", "0.25"); s != 0 || rec.got.Clip != 2 || rec.got.Time != 0.25 {
		t.Errorf("--clip wave: %d %q %+v", s, e, rec.got)
	}
	if s, e := run(model, "--out", out, "--clip", "1"); s != 0 || rec.got.Clip != 1 {
		t.Errorf("--clip 1: %d %q %+v", s, e, rec.got)
	}
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{model, "--clip", "Run"}, `"Run": spin.glb has no such animation; it has 2: Spin, Wave`},
		{[]string{model, "--clip", "3"}, "has no such animation"},
		{[]string{model, "--time", "1"}, "name it with --clip"},
		{[]string{model, "--clip", "Spin", "--time", "-1"}, "give seconds from 0"},
		{[]string{still, "--clip", "Spin"}, "still.glb has no animations"},
	} {
		s, e := run(append(c.args, "--out", out)...)
		if s != 1 || !strings.Contains(e, c.want) || rec.got != nil {
			t.Errorf("%v: %d %q (renderer called: %v), want %q", c.args, s, e, rec.got != nil, c.want)
		}
	}
}

// writeSpinning writes a triangle whose node each named clip turns about y.
func writeSpinning(t *testing.T, path string, clips ...string) {
	t.Helper()
	doc := gltf.NewDocument()
	pos := modeler.WritePosition(doc, [][3]float32{{0, 0, 0}, {1, 0, 0}, {0, 1, 0}})
	doc.Meshes = []*gltf.Mesh{{Primitives: []*gltf.Primitive{{Attributes: gltf.PrimitiveAttributes{gltf.POSITION: pos}}}}}
	doc.Nodes = []*gltf.Node{{Mesh: gltf.Index(0)}}
	doc.Scenes[0].Nodes = []int{0}
	times := modeler.WriteAccessor(doc, gltf.TargetNone, []float32{0, 1})
	doc.Accessors[times].Min, doc.Accessors[times].Max = []float64{0}, []float64{1}
	turns := modeler.WriteAccessor(doc, gltf.TargetNone, [][4]float32{{0, 0, 0, 1}, {0, 0.7071068, 0, 0.7071068}})
	for _, name := range clips {
		doc.Animations = append(doc.Animations, &gltf.Animation{Name: name,
			Samplers: []*gltf.AnimationSampler{{Input: times, Output: turns}},
			Channels: []*gltf.AnimationChannel{{Sampler: 0, Target: gltf.AnimationChannelTarget{Node: gltf.Index(0), Path: gltf.TRSRotation}}}})
	}
	if err := gltf.SaveBinary(doc, path); err != nil {
		t.Fatal(err)
	}
}

// renderRecorder runs kiln render with a renderer that records its request in got (nil when the
// command never called it) and writes a stand-in picture.
type renderRecorder struct{ got *RenderRequest }

func (r *renderRecorder) run(args ...string) (int, string) {
	r.got = nil
	var out, errOut bytes.Buffer
	env := Env{Stdout: &out, Stderr: &errOut, Render: func(_ context.Context, req RenderRequest) error {
		r.got = &req
		return os.WriteFile(req.Out, []byte("png"), 0o644)
	}}
	return Run(context.Background(), append([]string{"render"}, args...), env), errOut.String()
}
