package cli

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/kiln3d/kiln/providers/fsguard/fsguardtest"
	"github.com/kiln3d/kiln/providers/providertest"
)

// TestViewCommand: `kiln view MODEL` hands the window the model's absolute path, and refuses
// what it cannot open with one line and exit 1 before any window opens.
func TestViewCommand(t *testing.T) {
	dir := t.TempDir()
	model := filepath.Join(dir, "knight.glb")
	if err := providertest.WriteTetrahedron(model); err != nil {
		t.Fatal(err)
	}
	var opened []string
	window := func(m string) int {
		opened = append(opened, m)
		return 0
	}
	run := func(args ...string) (int, string) {
		var out, errOut bytes.Buffer
		env := Env{Stdout: &out, Stderr: &errOut, Window: window}
		return Run(context.Background(), append([]string{"view"}, args...), env), errOut.String()
	}

	t.Chdir(dir)
	if s, e := run("knight.glb"); s != exitOK || e != "" {
		t.Fatalf("view: %d %q", s, e)
	}
	if len(opened) != 1 || opened[0] != model {
		t.Fatalf("window opened on %q, want the absolute %q", opened, model)
	}

	fifo := filepath.Join(dir, "pipe.glb")
	fsguardtest.MkFIFO(t, fifo)
	if err := os.Mkdir(filepath.Join(dir, "folder.glb"), 0o755); err != nil {
		t.Fatal(err)
	}
	image := filepath.Join(dir, "ref.png")
	if err := os.WriteFile(image, []byte("png"), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		args   []string
		status int
		want   string
	}{
		{nil, exitUsage, "usage: kiln view MODEL"},
		{[]string{model, model}, exitUsage, "usage: kiln view MODEL"},
		{[]string{"missing.glb"}, exitFailed, "missing.glb: no such file"},
		{[]string{"folder.glb"}, exitFailed, "is a folder, not a file"},
		{[]string{fifo}, exitFailed, "is a named pipe (FIFO), not a file"},
		{[]string{image}, exitFailed, "not a glTF model"},
		{[]string{"--size", "3", model}, exitUsage, ""},
	} {
		s, e := run(c.args...)
		if s != c.status || !strings.Contains(e, c.want) {
			t.Errorf("view %q: status %d, stderr %q; want %d and %q", c.args, s, e, c.status, c.want)
		}
		if c.status == exitFailed && strings.Count(strings.TrimSpace(e), "\n") != 0 {
			t.Errorf("view %q: more than one line: %q", c.args, e)
		}
	}
	if len(opened) != 1 {
		t.Errorf("a window opened for a refused model: %q", opened)
	}

	// The window's own exit status is the command's.
	window = func(string) int { return 1 }
	if s, _ := run(model); s != 1 {
		t.Errorf("status %d when the window failed", s)
	}
	// A build without a window says so.
	var errOut bytes.Buffer
	if s := Run(context.Background(), []string{"view", model}, Env{Stdout: &errOut, Stderr: &errOut}); s != exitFailed ||
		!strings.Contains(errOut.String(), "no window") {
		t.Errorf("without a window: %d %q", s, errOut.String())
	}
}

func TestViewIsACommandInHelp(t *testing.T) {
	if !IsCommand("view") || IsUnknownCommand("view") {
		t.Error("view is not a command")
	}
	var out bytes.Buffer
	Run(context.Background(), []string{"help"}, Env{Stdout: &out, Stderr: &out})
	if !strings.Contains(out.String(), "kiln view MODEL") {
		t.Errorf("help does not list view:\n%s", out.String())
	}
}
