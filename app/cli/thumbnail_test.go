package cli

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/kiln3d/kiln/preview"
	"github.com/kiln3d/kiln/providers/providertest"
)

// TestThumbnailCommand: `kiln thumbnail IN OUT SIZE` as a file manager runs it (positional
// arguments, an OUT without an extension), silent on success, and one line on stderr with a
// non-zero status for everything else.
func TestThumbnailCommand(t *testing.T) {
	model := filepath.Join(t.TempDir(), "m.glb")
	if err := providertest.WriteTetrahedron(model); err != nil {
		t.Fatal(err)
	}
	var got RenderRequest
	render := func(_ context.Context, r RenderRequest) error {
		got = r
		return os.WriteFile(r.Out, []byte("png"), 0o600)
	}
	run := func(ctx context.Context, render func(context.Context, RenderRequest) error, args ...string) (int, string, string) {
		var out, errOut bytes.Buffer
		env := Env{Stdout: &out, Stderr: &errOut, Render: render}
		return Run(ctx, append([]string{"thumbnail"}, args...), env), out.String(), errOut.String()
	}

	out := filepath.Join(t.TempDir(), "gnome-thumbnail-XYZ123") // no .png: thumbnailers get such names
	if s, stdout, e := run(context.Background(), render, model, out, "256"); s != 0 || stdout != "" || e != "" {
		t.Fatalf("thumbnail: %d %q %q", s, stdout, e)
	}
	want := RenderRequest{Model: model, Out: out, Size: 256, View: "", Mode: preview.Shaded, Background: preview.Dark}
	if got != want {
		t.Errorf("request %+v, want %+v (the render's default view)", got, want)
	}
	if _, err := os.Stat(out); err != nil {
		t.Errorf("no thumbnail at OUT: %v", err)
	}

	dir := t.TempDir()
	damaged := func(context.Context, RenderRequest) error {
		return errors.New("g3n: load: not a glTF model\n(second line)")
	}
	for _, c := range []struct {
		args   []string
		render func(context.Context, RenderRequest) error
		status int
		want   string
	}{
		{[]string{model, out}, render, exitUsage, "usage: kiln thumbnail MODEL OUT SIZE"},
		{[]string{model, out, "256", "extra"}, render, exitUsage, "usage: kiln thumbnail"},
		{[]string{model, out, "big"}, render, exitFailed, `thumbnail size "big": give 16 to 1024 pixels`},
		{[]string{model, out, "8"}, render, exitFailed, "give 16 to 1024 pixels"},
		{[]string{model, out, "2048"}, render, exitFailed, "give 16 to 1024 pixels"},
		{[]string{model, out, "128", "--timeout", "0s"}, render, exitFailed, "--timeout 0s: give a positive duration"},
		{[]string{filepath.Join(dir, "missing.glb"), out, "128"}, render, exitFailed, "missing.glb: the model cannot be read"},
		{[]string{dir, out, "128"}, render, exitFailed, "the model is a folder"},
		{[]string{model, out, "128"}, nil, exitFailed, "no renderer"},
		{[]string{model, out, "128"}, damaged, exitFailed, "kiln: no thumbnail: g3n: load: not a glTF model"},
	} {
		s, stdout, e := run(context.Background(), c.render, c.args...)
		if s != c.status || stdout != "" || !strings.Contains(e, c.want) || strings.Count(e, "\n") != 1 {
			t.Errorf("%v: %d %q %q, want status %d and one line with %q", c.args, s, stdout, e, c.status, c.want)
		}
	}
}

// TestThumbnailGivesUp: a renderer that never answers (not even to its context) cannot hold the
// file manager's thumbnailer: the command gives up at its timeout and writes nothing.
func TestThumbnailGivesUp(t *testing.T) {
	model := filepath.Join(t.TempDir(), "m.glb")
	if err := providertest.WriteTetrahedron(model); err != nil {
		t.Fatal(err)
	}
	release := make(chan struct{})
	defer close(release)
	stuck := func(context.Context, RenderRequest) error { <-release; return nil }
	out := filepath.Join(t.TempDir(), "thumb")
	var stdout, stderr bytes.Buffer
	start := time.Now()
	s := Run(context.Background(), []string{"thumbnail", "--timeout", "200ms", model, out, "128"},
		Env{Stdout: &stdout, Stderr: &stderr, Render: stuck})
	if s != exitFailed || !strings.Contains(stderr.String(), "no thumbnail after 200ms (gave up)") {
		t.Errorf("stuck renderer: %d %q", s, stderr.String())
	}
	if d := time.Since(start); d > 5*time.Second {
		t.Errorf("gave up after %s", d)
	}
	if _, err := os.Stat(out); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("OUT written by a thumbnail that gave up: %v", err)
	}

	// Ctrl-C (or the file manager's SIGTERM) cancels it as any other command.
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	stderr.Reset()
	waits := func(ctx context.Context, _ RenderRequest) error { <-ctx.Done(); return ctx.Err() }
	if s := Run(ctx, []string{"thumbnail", model, out, "128"}, Env{Stdout: &stdout, Stderr: &stderr, Render: waits}); s != exitCancelled || stderr.String() != "kiln: cancelled\n" {
		t.Errorf("cancelled: %d %q", s, stderr.String())
	}
}
