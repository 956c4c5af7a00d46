package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"image"
	"image/color"
	"image/png"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/kiln3d/kiln/app"
	"github.com/kiln3d/kiln/providers"
	"github.com/kiln3d/kiln/providers/providertest"
)

type run struct {
	status         int
	stdout, stderr string
}

// kiln runs the CLI against a data directory served by the given fakes.
func kiln(t *testing.T, ctx context.Context, home string, fakes []*providertest.Fake, args ...string) run {
	t.Helper()
	ps := make([]providers.Provider, len(fakes))
	for i, f := range fakes {
		ps[i] = f
	}
	reg, err := providers.NewRegistry(ps...)
	if err != nil {
		t.Fatal(err)
	}
	var out, errOut bytes.Buffer
	env := Env{Stdout: &out, Stderr: &errOut, Open: func(q app.QueueOptions) (*app.Kiln, error) {
		return app.Open(app.Options{Home: home, Providers: reg, Queue: q})
	}}
	status := Run(ctx, args, env)
	return run{status, out.String(), errOut.String()}
}

func writePNG(t *testing.T, dir, name string) string {
	t.Helper()
	img := image.NewNRGBA(image.Rect(0, 0, 16, 16))
	for i := range img.Pix {
		img.Pix[i] = 0
	}
	for y := 4; y < 12; y++ {
		for x := 4; x < 12; x++ {
			img.Set(x, y, color.NRGBA{10, 200, 30, 255})
		}
	}
	p := filepath.Join(dir, name)
	f, _ := os.Create(p)
	defer f.Close()
	png.Encode(f, img)
	return p
}

func TestGeneratePrintsTheSavedPath(t *testing.T) {
	home, src, out := t.TempDir(), t.TempDir(), t.TempDir()
	img := writePNG(t, src, "crate.png")
	r := kiln(t, context.Background(), home, []*providertest.Fake{providertest.NewFake("local")}, "generate", img, "--out", out)
	if r.status != 0 {
		t.Fatalf("status %d, stderr %q", r.status, r.stderr)
	}
	want := filepath.Join(out, "crate.glb")
	if strings.TrimSpace(r.stdout) != want {
		t.Errorf("stdout = %q, want the saved path %q", r.stdout, want)
	}
	if _, err := os.Stat(want); err != nil {
		t.Error(err)
	}
	// Not a terminal: progress comes as plain lines.
	if !strings.Contains(r.stderr, "running") || strings.Contains(r.stderr, "\r") {
		t.Errorf("progress on stderr = %q", r.stderr)
	}
}

func TestGenerateJSON(t *testing.T) {
	home, src, out := t.TempDir(), t.TempDir(), t.TempDir()
	img := writePNG(t, src, "crate.png")
	dest := filepath.Join(out, "named.glb")
	r := kiln(t, context.Background(), home, []*providertest.Fake{providertest.NewFake("local"), providertest.NewFake("other")},
		"generate", "--provider", "other", "--polycount", "500", "--json", "--out", dest, img)
	if r.status != 0 {
		t.Fatalf("status %d, stderr %q", r.status, r.stderr)
	}
	var res generateResult
	if err := json.Unmarshal([]byte(r.stdout), &res); err != nil {
		t.Fatalf("stdout is not one JSON object: %q", r.stdout)
	}
	if res.Provider != "other" || res.Status != "done" || res.Triangles != 4 || len(res.Files) != 1 || res.Files[0] != dest || res.Job == "" {
		t.Errorf("result = %+v", res)
	}
	jobs := kiln(t, context.Background(), home, []*providertest.Fake{providertest.NewFake("local")}, "jobs", "--json")
	var list []jobJSON
	if err := json.Unmarshal([]byte(jobs.stdout), &list); err != nil || len(list) != 1 {
		t.Fatalf("jobs --json = %q (%v)", jobs.stdout, err)
	}
	if list[0].ID != res.Job || list[0].State != "done" || list[0].Polycount != 500 || list[0].Name != "crate" {
		t.Errorf("job listed as %+v", list[0])
	}
	lib := kiln(t, context.Background(), home, []*providertest.Fake{providertest.NewFake("local")}, "library", "--json")
	var assets []assetJSON
	if err := json.Unmarshal([]byte(lib.stdout), &assets); err != nil || len(assets) != 1 || assets[0].Triangles != 4 {
		t.Fatalf("library --json = %q (%v)", lib.stdout, err)
	}
	if _, err := os.Stat(assets[0].Model); err != nil {
		t.Errorf("library model: %v", err)
	}
	plain := kiln(t, context.Background(), home, []*providertest.Fake{providertest.NewFake("local")}, "jobs")
	if !strings.Contains(plain.stdout, res.Job) || !strings.Contains(plain.stdout, "done") {
		t.Errorf("jobs table = %q", plain.stdout)
	}
}

func TestGenerateFailuresAreOneLine(t *testing.T) {
	home, src := t.TempDir(), t.TempDir()
	notImage := filepath.Join(src, "notes.png")
	os.WriteFile(notImage, []byte("%PDF-1.7 not really"), 0o644)
	broken := providertest.NewFake("local")
	broken.Caps.Offline = true // it stands for the offline generator
	broken.CollectErr = errors.New("local: no object found (the image is fully transparent)")
	cases := []struct {
		args   []string
		status int
		want   string
	}{
		{[]string{"generate", notImage}, 1, "kiln: notes.png: is a PDF document, not a PNG, JPEG or WebP image"},
		{[]string{"generate", writePNG(t, src, "a.png")}, 1, "kiln: generation failed: local: no object found"},
		{[]string{"generate"}, 2, "give at least one image"},
		{[]string{"generate", "--polycount", "lots", "x.png"}, 2, "invalid value"},
		{[]string{"generate", "--out", "model.fbx", writePNG(t, src, "b.png")}, 1, "Kiln saves .glb models"},
		{[]string{"generate", "--provider", "nope", writePNG(t, src, "c.png")}, 1, `unknown provider "nope"`},
		{[]string{"frobnicate"}, 2, `no such command "frobnicate"`},
	}
	for _, c := range cases {
		r := kiln(t, context.Background(), home, []*providertest.Fake{broken}, c.args...)
		lines := strings.Split(strings.TrimSpace(r.stderr), "\n")
		last := lines[len(lines)-1]
		if r.status != c.status || !strings.Contains(last, c.want) {
			t.Errorf("%v: status %d, last stderr line %q; want %d and %q", c.args, r.status, last, c.status, c.want)
		}
		if strings.Contains(r.stderr, "goroutine") || strings.Contains(r.stderr, "panic") {
			t.Errorf("%v: a trace reached stderr: %q", c.args, r.stderr)
		}
	}
}

func TestGenerateCancelledByInterrupt(t *testing.T) {
	fake := providertest.NewFake("local")
	fake.Gate = make(chan struct{})
	ctx, cancel := context.WithCancel(context.Background())
	go func() {
		fake.Gate <- struct{}{} // let one step through, then interrupt
		time.Sleep(20 * time.Millisecond)
		cancel()
	}()
	home := t.TempDir()
	r := kiln(t, ctx, home, []*providertest.Fake{fake}, "generate", writePNG(t, t.TempDir(), "a.png"))
	if r.status != 130 || !strings.Contains(r.stderr, "kiln: cancelled") {
		t.Fatalf("status %d stderr %q", r.status, r.stderr)
	}
	jobs := kiln(t, context.Background(), home, []*providertest.Fake{providertest.NewFake("local")}, "jobs", "--json")
	if !strings.Contains(jobs.stdout, `"state": "cancelled"`) {
		t.Errorf("the interrupted job is not recorded as cancelled: %s", jobs.stdout)
	}
}

func TestVersionAndHelp(t *testing.T) {
	r := kiln(t, context.Background(), t.TempDir(), []*providertest.Fake{providertest.NewFake("local")}, "version")
	if r.status != 0 || !strings.HasPrefix(r.stdout, "kiln ") {
		t.Errorf("version: %d %q", r.status, r.stdout)
	}
	h := kiln(t, context.Background(), t.TempDir(), []*providertest.Fake{providertest.NewFake("local")}, "help")
	for _, want := range []string{"kiln generate", "kiln jobs", "kiln library", "kiln version", "KILN_HOME"} {
		if !strings.Contains(h.stdout, want) {
			t.Errorf("help lacks %q", want)
		}
	}
	if !IsCommand("generate") || IsCommand("apricot.png") {
		t.Error("IsCommand")
	}
}

func TestProgressOnATerminalIsOneRedrawnLine(t *testing.T) {
	reg, _ := providers.NewRegistry(providertest.NewFake("local"))
	home := t.TempDir()
	var out, errOut bytes.Buffer
	env := Env{Stdout: &out, Stderr: &errOut, Terminal: true, Open: func(q app.QueueOptions) (*app.Kiln, error) {
		return app.Open(app.Options{Home: home, Providers: reg, Queue: q})
	}}
	if status := Run(context.Background(), []string{"generate", "--out", t.TempDir(), writePNG(t, t.TempDir(), "a.png")}, env); status != 0 {
		t.Fatalf("status %d: %s", status, errOut.String())
	}
	s := errOut.String()
	if !strings.Contains(s, "\r\033[K[") || strings.Count(s, "\n") != 1 || !strings.HasSuffix(s, "\n") {
		t.Errorf("terminal progress = %q, want redraws of one line, ended once", s)
	}
}

func TestGenerateViewsSizeAndOptions(t *testing.T) {
	fake := providertest.NewFake("local")
	fake.Caps.Views, fake.Caps.Dimensions = true, true
	fake.Caps.Options = []providers.Option{{Key: "objects", Label: "Separate objects",
		Choices: []providers.Choice{{Value: "all"}, {Value: "largest"}}}}
	src := t.TempDir()
	front, side := writePNG(t, src, "a.png"), writePNG(t, src, "b.png")
	top := writePNG(t, src, "mug_top.png")
	r := kiln(t, context.Background(), t.TempDir(), []*providertest.Fake{fake}, "generate", "--out", t.TempDir(),
		"--view", "front="+front, "--view", "LEFT="+side, top, "--height-cm", "12.5", "--option", "objects=largest")
	if r.status != 0 {
		t.Fatalf("status %d: %s", r.status, r.stderr)
	}
	reqs := fake.Requests()
	if len(reqs) != 1 {
		t.Fatalf("%d submissions", len(reqs))
	}
	req := reqs[0]
	var got []string
	for _, img := range req.Images {
		got = append(got, filepath.Base(img.Path)+":"+img.View)
	}
	if strings.Join(got, " ") != "a.png:front b.png:left mug_top.png:top" {
		t.Errorf("images reached the provider as %v", got)
	}
	if req.Size.HeightCM != 12.5 || req.Options["objects"] != "largest" {
		t.Errorf("size %+v options %v", req.Size, req.Options)
	}

	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"--view", "side=" + front}, `"side" is not a view`},
		{[]string{"--view", front}, "want VIEW=IMAGE"},
		{[]string{"--view", "front=" + front, "--view", "front=" + side}, "two images are tagged front"},
		{[]string{"--option", "objects=some", front}, `"some" is not one of all, largest`},
		{[]string{"--height-cm", "-4", front}, "a height of -4 cm"},
	} {
		r := kiln(t, context.Background(), t.TempDir(), []*providertest.Fake{fake}, append([]string{"generate"}, c.args...)...)
		if r.status == 0 || !strings.Contains(r.stderr, c.want) {
			t.Errorf("%v: status %d stderr %q, want %q", c.args, r.status, r.stderr, c.want)
		}
	}

	plain := providertest.NewFake("local") // no views, no dimensions
	r = kiln(t, context.Background(), t.TempDir(), []*providertest.Fake{plain}, "generate", "--height-cm", "10", front)
	if r.status == 0 || !strings.Contains(r.stderr, "does not take real dimensions") {
		t.Errorf("dimensions to a provider without them: %d %q", r.status, r.stderr)
	}
	r = kiln(t, context.Background(), t.TempDir(), []*providertest.Fake{plain}, "generate", "--out", t.TempDir(), top)
	if r.status != 0 || plain.Requests()[0].Images[0].View != "" {
		t.Errorf("a guessed view reached a provider without views: %+v", plain.Requests())
	}
}

func TestRenderCommand(t *testing.T) {
	model := filepath.Join(t.TempDir(), "m.glb")
	if err := providertest.WriteTetrahedron(model); err != nil {
		t.Fatal(err)
	}
	var got RenderRequest
	run := func(args ...string) (int, string, string) {
		var out, errOut bytes.Buffer
		env := Env{Stdout: &out, Stderr: &errOut, Render: func(_ context.Context, r RenderRequest) error {
			got = r
			return os.WriteFile(r.Out, []byte("png"), 0o644)
		}}
		return Run(context.Background(), append([]string{"render"}, args...), env), out.String(), errOut.String()
	}
	out := filepath.Join(t.TempDir(), "shot.png")
	if s, stdout, e := run(model, "--out", out, "--size", "256", "--view", "top", "--mode", "clay", "--background", "light"); s != 0 || strings.TrimSpace(stdout) != out {
		t.Fatalf("render: %d %q %q", s, stdout, e)
	}
	if got.Size != 256 || got.View != "top" || got.Mode.String() != "clay" || got.Background.String() != "light" {
		t.Errorf("request %+v", got)
	}
	if run(model, "--out", out); got.View != "" {
		t.Errorf("iso is the default perspective view, got %q", got.View)
	}
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{model}, "usage: kiln render"},
		{[]string{model, "--out", "x.jpg"}, "writes PNG images"},
		{[]string{model, "--out", out, "--view", "side"}, `unknown view "side"`},
		{[]string{model, "--out", out, "--mode", "toon"}, `unknown mode "toon"`},
		{[]string{model, "--out", out, "--size", "9000"}, "give 16 to 4096 pixels"},
		{[]string{"missing.glb", "--out", out}, "missing.glb: the model cannot be read"},
	} {
		if s, _, e := run(c.args...); s == 0 || !strings.Contains(e, c.want) {
			t.Errorf("%v: %d %q, want %q", c.args, s, e, c.want)
		}
	}
}

func TestSimplifyCommand(t *testing.T) {
	dir := t.TempDir()
	in := filepath.Join(dir, "ball.glb")
	if err := providertest.WriteSphere(in, 30, 40); err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(dir, "small.glb")
	r := kiln(t, context.Background(), t.TempDir(), []*providertest.Fake{providertest.NewFake("local")}, "simplify", in, "--polycount", "300", "--out", out)
	if r.status != 0 || strings.TrimSpace(r.stdout) != out || !strings.Contains(r.stderr, "2320 → ") {
		t.Fatalf("simplify: %d %q %q", r.status, r.stdout, r.stderr)
	}
	info, err := app.ReadModelInfo(out)
	if err != nil || info.Triangles < 285 || info.Triangles > 315 {
		t.Errorf("output: %+v %v", info, err)
	}
	for _, args := range [][]string{
		{"simplify", in, "--out", out},
		{"simplify", in, "--polycount", "300"},
		{"simplify", filepath.Join(dir, "text.glb"), "--polycount", "300", "--out", out},
	} {
		if args[1] == filepath.Join(dir, "text.glb") {
			os.WriteFile(args[1], []byte("hello"), 0o644)
		}
		if r := kiln(t, context.Background(), t.TempDir(), []*providertest.Fake{providertest.NewFake("local")}, args...); r.status == 0 {
			t.Errorf("%v succeeded", args)
		}
	}
}
