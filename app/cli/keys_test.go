package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/zalando/go-keyring"

	"github.com/kiln3d/kiln/app"
	"github.com/kiln3d/kiln/providers"
	"github.com/kiln3d/kiln/providers/providertest"
)

type keyedFake struct{ *providertest.Fake }

func (keyedFake) TestKey(ctx context.Context, s providers.Secrets) error {
	f, err := s.Fields(ctx)
	if err != nil {
		return err
	}
	if f["api_key"] != "sk-good-0123456789abcdef" {
		return &providers.APIError{Provider: "cloud", Op: "test", Status: 403, Message: "Missing scope: generate", Kind: providers.ErrForbidden}
	}
	return nil
}

func keysEnv(t *testing.T, home string, stdin string, ask func(string, bool) (string, error)) (Env, *bytes.Buffer, *bytes.Buffer) {
	t.Helper()
	fake := providertest.NewFake("cloud")
	fake.Caps.NeedsKey = true
	fake.Caps.KeyFields = []providers.KeyField{{Key: "dev_id", Label: "Developer ID"}, {Key: "api_key", Label: "API key", Secret: true}}
	reg, _ := providers.NewRegistry(providertest.NewFake("local"), keyedFake{fake})
	var out, errOut bytes.Buffer
	return Env{Stdout: &out, Stderr: &errOut, Stdin: strings.NewReader(stdin), Ask: ask,
		Open: func(q app.QueueOptions) (*app.Kiln, error) {
			return app.Open(app.Options{Home: home, Providers: reg, Queue: q, Getenv: func(string) string { return "" }})
		}}, &out, &errOut
}

func TestKeysCommands(t *testing.T) {
	keyring.MockInit()
	home := t.TempDir()
	ctx := context.Background()

	// From stdin, one field per line (a script).
	env, out, errOut := keysEnv(t, home, "dev-1\nsk-good-0123456789abcdef\n", nil)
	if s := Run(ctx, []string{"keys", "add", "cloud", "--name", "Personal"}, env); s != 0 {
		t.Fatalf("add: %d %s", s, errOut)
	}
	if strings.Contains(out.String(), "0123456789abcdef") || !strings.Contains(out.String(), "sk-go…") {
		t.Errorf("add printed %q: only the prefix may show", out)
	}
	// From the terminal: the secret is asked for as a secret.
	var asked []string
	ask := func(label string, secret bool) (string, error) {
		asked = append(asked, label+map[bool]string{true: " (hidden)", false: ""}[secret])
		if secret {
			return "sk-bad-0000000000000000", nil
		}
		return "dev-2", nil
	}
	env, _, errOut = keysEnv(t, home, "", ask)
	if s := Run(ctx, []string{"keys", "add", "cloud", "--name", "Studio"}, env); s != 0 {
		t.Fatalf("add from terminal: %d %s", s, errOut)
	}
	if strings.Join(asked, ",") != "Developer ID,API key (hidden)" {
		t.Errorf("asked %v", asked)
	}

	env, out, _ = keysEnv(t, home, "", nil)
	Run(ctx, []string{"keys", "list", "--json"}, env)
	var creds []app.Credential
	if err := json.Unmarshal(out.Bytes(), &creds); err != nil || len(creds) != 2 {
		t.Fatalf("list --json: %q %v", out, err)
	}
	if strings.Contains(out.String(), "sk-good-0123") || strings.Contains(out.String(), "sk-bad-0000") {
		t.Errorf("list shows a secret: %s", out)
	}

	env, out, errOut = keysEnv(t, home, "", nil)
	if s := Run(ctx, []string{"keys", "test", "cloud"}, env); s != 0 || !strings.HasPrefix(out.String(), "OK: the key works") {
		t.Errorf("test default: %d %q %q", s, out, errOut)
	}
	env, _, errOut = keysEnv(t, home, "", nil)
	if s := Run(ctx, []string{"keys", "test", "cloud", "Studio"}, env); s != 1 ||
		!strings.Contains(errOut.String(), "Missing permission") || !strings.Contains(errOut.String(), "Missing scope: generate") {
		t.Errorf("test wrong key: %d %q", s, errOut)
	}

	env, _, errOut = keysEnv(t, home, "", nil)
	if s := Run(ctx, []string{"keys", "remove", "cloud", "Studio"}, env); s != 1 || !strings.Contains(errOut.String(), "--yes") {
		t.Errorf("remove without confirmation off a terminal: %d %q", s, errOut)
	}
	env, _, _ = keysEnv(t, home, "", func(string, bool) (string, error) { return "n", nil })
	if s := Run(ctx, []string{"keys", "remove", "cloud", "Studio"}, env); s != 1 {
		t.Errorf("remove answered no: %d", s)
	}
	env, _, errOut = keysEnv(t, home, "", func(string, bool) (string, error) { return "y", nil })
	if s := Run(ctx, []string{"keys", "remove", "cloud", "Studio"}, env); s != 0 {
		t.Errorf("remove answered yes: %d %q", s, errOut)
	}
	env, out, _ = keysEnv(t, home, "", nil)
	Run(ctx, []string{"keys", "list"}, env)
	if strings.Contains(out.String(), "Studio") || !strings.Contains(out.String(), "Personal") {
		t.Errorf("list after remove: %q", out)
	}
	env, _, errOut = keysEnv(t, home, "dev\n", nil)
	if s := Run(ctx, []string{"keys", "add", "cloud", "--name", "Short"}, env); s != 1 || !strings.Contains(errOut.String(), "stdin ended before API key") {
		t.Errorf("short stdin: %d %q", s, errOut)
	}
}

type accountFake struct{ *providertest.Fake }

func (accountFake) ListRemote(context.Context, time.Time, time.Time) ([]providers.RemoteAsset, error) {
	return []providers.RemoteAsset{{ID: "r1", Name: "lamp", Status: "completed", Ready: true, Created: time.Now()}}, nil
}

func (accountFake) Download(_ context.Context, _, dir string, _ func(providers.Progress)) ([]providers.File, error) {
	return []providers.File{{Path: "m.glb", Format: "glb"}}, providertest.WriteTetrahedron(filepath.Join(dir, "m.glb"))
}

func TestLibraryImportAndDownload(t *testing.T) {
	home := t.TempDir()
	reg, _ := providers.NewRegistry(providertest.NewFake("local"), accountFake{providertest.NewFake("cloud")})
	run := func(args ...string) (int, string, string) {
		var out, errOut bytes.Buffer
		env := Env{Stdout: &out, Stderr: &errOut, Open: func(q app.QueueOptions) (*app.Kiln, error) {
			return app.Open(app.Options{Home: home, Providers: reg, Queue: q})
		}}
		return Run(context.Background(), args, env), out.String(), errOut.String()
	}
	if s, out, e := run("library", "import", "cloud", "--since", "2020-01-01"); s != 0 || !strings.Contains(out, "1 jobs found on cloud, 1 new") {
		t.Fatalf("import: %d %q %q", s, out, e)
	}
	if _, out, _ := run("library"); !strings.Contains(out, "kiln library download cloud-r1") {
		t.Errorf("list shows %q", out)
	}
	dest := filepath.Join(t.TempDir(), "lamp.glb")
	if s, out, e := run("library", "download", "cloud-r1", "--out", dest); s != 0 || strings.TrimSpace(out) != dest {
		t.Fatalf("download: %d %q %q", s, out, e)
	}
	if s, _, e := run("library", "import", "cloud", "--since", "yesterday"); s == 0 || !strings.Contains(e, `"yesterday" is not a date`) {
		t.Errorf("bad date: %d %q", s, e)
	}
}
