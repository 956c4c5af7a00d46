package main

import (
	"encoding/json"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/kiln3d/kiln/app"
	"github.com/kiln3d/kiln/providers/modeltest"
	"github.com/kiln3d/kiln/providers/rodin/rodintest"
)

// rodinEnv points the binary at the fake Rodin with its key in the environment and no keychain.
func rodinEnv(srv *rodintest.Server) []string {
	return []string{"KILN_RODIN_API_KEY=" + srv.Key, "KILN_RODIN_ENDPOINT=" + srv.URL,
		"DBUS_SESSION_BUS_ADDRESS=unix:path=/nonexistent"}
}

// TestRodinEndToEnd runs whole Rodin jobs through the built binary against the fake Rodin: an
// image job with options, a text-to-3D job and a texturing job, with the plan (the polycount
// clamped to the tier's range, the cost and the balance) on stderr and in --json. Then it looks
// for the API key everywhere Kiln wrote or printed: it must not be there.
func TestRodinEndToEnd(t *testing.T) {
	srv := rodintest.NewWith(t, rodintest.Options{BasePath: "/rodin-base/api/v2", Generation: 400 * time.Millisecond, Balance: 10})
	bin := buildKiln(t)
	home, out := t.TempDir(), t.TempDir()
	env := rodinEnv(srv)
	var printed strings.Builder
	run := func(args ...string) result {
		t.Helper()
		r := kilnEnv(t, bin, home, env, args...)
		printed.WriteString(r.stdout + r.stderr)
		return r
	}

	if r := run("keys", "test", "rodin"); r.code != 0 || !strings.HasPrefix(r.stdout, "OK") {
		t.Errorf("keys test against the fake: %d %q %q", r.code, r.stdout, r.stderr)
	}
	var infos []struct {
		Name    string
		KeySet  bool `json:"key_set"`
		Prompt  bool
		Options []struct{ Key string }
	}
	if r := run("providers", "--json"); r.code != 0 || json.Unmarshal([]byte(r.stdout), &infos) != nil {
		t.Fatalf("kiln providers --json: %d %q %q", r.code, r.stdout, r.stderr)
	}
	var rodinInfo bool
	for _, p := range infos {
		if p.Name == "rodin" {
			rodinInfo = p.KeySet && p.Prompt && len(p.Options) >= 8
		}
	}
	if !rodinInfo {
		t.Errorf("kiln providers does not describe Rodin with its key, prompt and options: %+v", infos)
	}

	// An image job on Gen-2.5 Quad asks for more faces than the tier allows: clamped, and said.
	r := run("generate", "--provider", "rodin", "--option", "tier=Gen-2.5-High", "--option", "mesh_mode=Quad",
		"--option", "highpack=on", "--option", "seed=7", "--polycount", "80000", "--height-cm", "40",
		"--json", "--out", out, filepath.Join("assets", "samples", "vase.png"))
	if r.code != 0 {
		t.Fatalf("generate on rodin: exit %d, stderr %q", r.code, r.stderr)
	}
	var res struct {
		Status string
		Files  []string
		Plan   struct {
			Notes   []string
			Price   struct{ Credits float64 }
			Balance *float64
		}
	}
	if err := json.Unmarshal([]byte(r.stdout), &res); err != nil || res.Status != "done" || len(res.Files) != 1 {
		t.Fatalf("result %q: %v", r.stdout, err)
	}
	modeltest.Validate(t, res.Files[0])
	if len(res.Plan.Notes) != 1 || !strings.Contains(res.Plan.Notes[0], "50000 will be asked for") ||
		res.Plan.Price.Credits != 1.5 || res.Plan.Balance == nil || *res.Plan.Balance != 10 {
		t.Errorf("plan %+v", res.Plan)
	}
	if !strings.Contains(r.stderr, "50000 will be asked for") || !strings.Contains(r.stderr, "Cost 1.5 credits; balance 10 credits") {
		t.Errorf("stderr does not say what was adjusted and what it costs: %q", r.stderr)
	}
	if n := srv.Count(rodintest.RouteSubmit); n != 1 {
		t.Fatalf("%d submissions, want 1", n)
	}
	f := srv.Received(rodintest.RouteSubmit)[0].Fields
	if f.Get("tier") != "Gen-2.5-High" || f.Get("mesh_mode") != "Quad" || f.Get("quality_override") != "50000" ||
		f.Get("height") != "40" || f.Get("seed") != "7" || f.Get("addons") != "HighPack" || f.Get("geometry_file_format") != "glb" {
		t.Errorf("submitted fields %v", f)
	}
	if b := srv.Balance(); b != 8.5 {
		t.Errorf("balance after the job: %v, want 8.5", b)
	}
	var jobs []struct {
		ID, State, Credential string
		AssetID               string `json:"asset_id"`
	}
	if r := run("library", "--json"); r.code != 0 || !strings.Contains(r.stdout, "preview.webp") {
		t.Errorf("the library does not keep Rodin's preview: %d %q", r.code, r.stdout)
	}

	// Text-to-3D: a prompt alone.
	r = run("generate", "--provider", "rodin", "--prompt", "a brass ship's lantern", "--json", "--out", out)
	if r.code != 0 || !strings.Contains(r.stdout, `"status":"done"`) {
		t.Fatalf("text-to-3D: exit %d %q %q", r.code, r.stdout, r.stderr)
	}
	sub := srv.Received(rodintest.RouteSubmit)[1]
	if sub.Fields.Get("prompt") != "a brass ship's lantern" || len(fileParts(sub)) != 0 {
		t.Errorf("text-to-3D sent %v with %d files", sub.Fields, len(fileParts(sub)))
	}

	// Texture the first model: a new asset that records what it came from.
	lib := run("jobs", "--json")
	if err := json.Unmarshal([]byte(lib.stdout), &jobs); err != nil || len(jobs) != 2 {
		t.Fatalf("jobs: %q %v", lib.stdout, err)
	}
	first := jobs[len(jobs)-1]
	if first.Credential != app.EnvCredentialName {
		t.Errorf("the job records credential %q, want %q", first.Credential, app.EnvCredentialName)
	}
	r = run("retexture", first.AssetID, filepath.Join("assets", "samples", "mushroom.png"), "--prompt", "glazed ceramic",
		"--option", "material=Shaded", "--json", "--out", out)
	if r.code != 0 {
		t.Fatalf("retexture: exit %d %q", r.code, r.stderr)
	}
	tex := srv.Received(rodintest.RouteTextureOnly)
	if len(tex) != 1 || tex[0].Fields.Get("material") != "Shaded" || tex[0].Fields.Get("prompt") != "glazed ceramic" {
		t.Fatalf("texture-only requests: %+v", tex)
	}

	checkNoSecrets(t, home, printed.String(), srv.Key)
}

func fileParts(r rodintest.Received) []rodintest.Part {
	var files []rodintest.Part
	for _, p := range r.Parts {
		if p.FileName != "" {
			files = append(files, p)
		}
	}
	return files
}

// TestRodinRestartMidJob kills Kiln while it polls Rodin and while its submission is in flight.
// After the first, kiln resume polls the same task and finishes it with exactly one /rodin; after
// the second, Rodin has no list to look in, so the job waits for the artist, and nothing is sent
// again until they say so.
func TestRodinRestartMidJob(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and kills the binary")
	}
	bin := buildKiln(t)
	image := filepath.Join("assets", "samples", "lifebuoy.png")
	for _, point := range []string{"polling", "downloading", "in flight"} {
		t.Run(strings.ReplaceAll(point, " ", "-"), func(t *testing.T) {
			srv := rodintest.NewWith(t, rodintest.Options{BasePath: "/r/api/v2", Generation: 700 * time.Millisecond})
			env := rodinEnv(srv)
			home := t.TempDir()
			cmd := exec.Command(bin, "generate", "--provider", "rodin", "--out", t.TempDir(), image)
			cmd.Env = append(os.Environ(), append(env, "KILN_HOME="+home, "DISPLAY=", "WAYLAND_DISPLAY=")...)
			if point == "in flight" {
				srv.Inject(rodintest.Slow(rodintest.RouteSubmit, 5*time.Second))
				if err := cmd.Start(); err != nil {
					t.Fatal(err)
				}
				waitForState(t, home, "submitting")
				time.Sleep(300 * time.Millisecond)
				_ = cmd.Process.Kill()
				_ = cmd.Wait()
			} else {
				cmd.Env = append(cmd.Env, app.CrashEnv+"="+point)
				out, err := cmd.CombinedOutput()
				if ee, ok := errors.AsType[*exec.ExitError](err); !ok || ee.ExitCode() != -1 {
					t.Fatalf("kiln did not die at %s: %v\n%s", point, err, out)
				}
			}
			resumed := kilnEnv(t, bin, home, env, "resume", "--json")
			if point == "in flight" {
				if resumed.code != 1 || !strings.Contains(resumed.stderr, "unconfirmed") {
					t.Fatalf("resume after a kill in flight: exit %d %q", resumed.code, resumed.stderr)
				}
				if n := srv.Count(rodintest.RouteSubmit); n > 1 {
					t.Fatalf("%d submissions after the kill, want at most 1", n)
				}
				return
			}
			if resumed.code != 0 {
				t.Fatalf("resume after a crash at %s: exit %d\n%s", point, resumed.code, resumed.stderr)
			}
			if n := srv.Count(rodintest.RouteSubmit); n != 1 {
				t.Errorf("a crash at %s: %d submissions reached Rodin, want exactly 1", point, n)
			}
			checkFinished(t, bin, home, env)
		})
	}
}
