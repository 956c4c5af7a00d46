package main

import (
	"database/sql"
	"encoding/json"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	_ "modernc.org/sqlite"

	"github.com/kiln3d/kiln/app"
	"github.com/kiln3d/kiln/providers/kaedim/kaedimtest"
)

// The crash points, in the order a job meets them (see app.CrashEnv).
var crashPoints = []string{"submitting", "submitted", "running", "polling", "downloading", "filed"}

// TestCrashRecovery kills the built binary with SIGKILL at each step of a job, for the offline
// generator and for Kaedim, starts it again, and checks the ledger's promises: nothing lost
// (the job finishes, its model is in the library once), nothing charged twice (one /process), the
// database intact, no half-written file left in the library.
func TestCrashRecovery(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and kills the binary many times")
	}
	bin := buildKiln(t)
	image := filepath.Join("assets", "samples", "lifebuoy.png")

	t.Run("local", func(t *testing.T) {
		for _, point := range crashPoints {
			if point == "downloading" {
				continue // the offline generator downloads nothing
			}
			t.Run(point, func(t *testing.T) {
				home := t.TempDir()
				crashed := kilnEnv(t, bin, home, []string{app.CrashEnv + "=" + point},
					"generate", "--polycount", "2000", "--out", t.TempDir(), image)
				if crashed.code != -1 {
					t.Fatalf("kiln did not die at %s: exit %d, stderr %q", point, crashed.code, crashed.stderr)
				}
				checkLedger(t, home, 1)
				checkInterrupted(t, bin, home, nil)
				resumed := kiln(t, bin, home, "resume", "--json")
				if resumed.code != 0 {
					t.Fatalf("resume after a crash at %s: exit %d\n%s", point, resumed.code, resumed.stderr)
				}
				checkFinished(t, bin, home, nil)
			})
		}
	})

	t.Run("kaedim", func(t *testing.T) {
		for _, point := range append([]string{"in flight"}, crashPoints...) {
			t.Run(strings.ReplaceAll(point, " ", "-"), func(t *testing.T) {
				// One account per artist: a fresh fake, as a fresh data directory.
				srv := kaedimtest.NewWith(t, kaedimtest.Options{BasePath: "/kd", Generation: 700 * time.Millisecond})
				acct := srv.Account
				env := []string{"KILN_KAEDIM_DEV_ID=" + acct.DevID, "KILN_KAEDIM_API_KEY=" + acct.APIKey,
					"KILN_KAEDIM_REFRESH_TOKEN=" + acct.RefreshToken, "DBUS_SESSION_BUS_ADDRESS=unix:path=/nonexistent",
					"KILN_KAEDIM_ENDPOINT=" + srv.URL}
				home := t.TempDir()
				cmd := exec.Command(bin, "generate", "--provider", "kaedim", "--test", "--polycount", "5000",
					"--out", t.TempDir(), image)
				cmd.Env = append(os.Environ(), append(env, "KILN_HOME="+home, "DISPLAY=", "WAYLAND_DISPLAY=")...)
				before := len(srv.Requests())
				if point == "in flight" {
					// /process is held open; Kiln is killed while it waits for the answer.
					srv.Inject(kaedimtest.Fault{Route: "process", Latency: 5 * time.Second})
					if err := cmd.Start(); err != nil {
						t.Fatal(err)
					}
					waitForState(t, home, "submitting")
					time.Sleep(300 * time.Millisecond)
					_ = cmd.Process.Signal(syscall.SIGKILL)
					_ = cmd.Wait()
				} else {
					cmd.Env = append(cmd.Env, app.CrashEnv+"="+point)
					out, err := cmd.CombinedOutput()
					if ee, ok := errors.AsType[*exec.ExitError](err); !ok || ee.ExitCode() != -1 {
						t.Fatalf("kiln did not die at %s: %v\n%s", point, err, out)
					}
				}
				checkLedger(t, home, 1)
				checkInterrupted(t, bin, home, env)
				resumed := kilnEnv(t, bin, home, env, "resume", "--json")
				sent := len(srv.Requests()) - before // requests Kaedim took, and would charge
				switch point {
				case "in flight", "submitting":
					// The request never reached Kaedim (held and dropped, or never sent): the
					// job is unconfirmed, the artist told to check, and nothing sent again.
					if resumed.code != 1 || !strings.Contains(resumed.stderr, "unconfirmed") || sent != 0 {
						t.Fatalf("resume: exit %d, %d sent, stderr %q", resumed.code, sent, resumed.stderr)
					}
					var jobs []struct{ ID, State string }
					json.Unmarshal([]byte(resumed.stdout), &jobs)
					if len(jobs) != 1 || jobs[0].State != "unconfirmed" {
						t.Fatalf("resumed jobs: %s", resumed.stdout)
					}
					again := kilnEnv(t, bin, home, env, "jobs", "submit-again", jobs[0].ID)
					if again.code != 0 {
						t.Fatalf("submit-again: exit %d %q", again.code, again.stderr)
					}
				default:
					if resumed.code != 0 {
						t.Fatalf("resume after a crash at %s: exit %d\n%s", point, resumed.code, resumed.stderr)
					}
				}
				_ = sent
				if sent := len(srv.Requests()) - before; sent != 1 {
					t.Errorf("a crash at %s: %d submissions reached Kaedim, want exactly 1", point, sent)
				}
				checkFinished(t, bin, home, env)
			})
		}
	})
}

// checkInterrupted checks that kiln jobs shows the killed process's job as interrupted at once,
// without waiting for its lease to run out.
func checkInterrupted(t *testing.T, bin, home string, env []string) {
	t.Helper()
	r := kilnEnv(t, bin, home, env, "jobs", "--json")
	var js []struct{ Interrupted bool }
	if err := json.Unmarshal([]byte(r.stdout), &js); err != nil || len(js) != 1 || !js[0].Interrupted {
		t.Errorf("kiln jobs after the crash: %s %s", r.stdout, r.stderr)
	}
}

// checkLedger opens the crashed process's database: intact, and holding the jobs it should.
func checkLedger(t *testing.T, home string, jobs int) {
	t.Helper()
	db, err := sql.Open("sqlite", filepath.Join(home, "kiln.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var ok string
	if err := db.QueryRow(`PRAGMA integrity_check`).Scan(&ok); err != nil || ok != "ok" {
		t.Fatalf("integrity_check: %q %v", ok, err)
	}
	var n int
	if err := db.QueryRow(`SELECT count(*) FROM jobs`).Scan(&n); err != nil || n != jobs {
		t.Fatalf("%d jobs in the ledger after the crash, want %d (%v)", n, jobs, err)
	}
}

// checkFinished checks that the one job is done, its model is in the library exactly once and
// whole, and nothing half-written is left in the library's folder.
func checkFinished(t *testing.T, bin, home string, env []string) {
	t.Helper()
	checkLedger(t, home, 1)
	jobs := kilnEnv(t, bin, home, env, "jobs", "--json")
	var js []struct{ State, Error string }
	if err := json.Unmarshal([]byte(jobs.stdout), &js); err != nil || len(js) != 1 || js[0].State != "done" {
		t.Fatalf("jobs after resume: %s %s", jobs.stdout, jobs.stderr)
	}
	lib := kilnEnv(t, bin, home, env, "library", "--json")
	var assets []struct {
		Model   string
		Damaged string
	}
	if err := json.Unmarshal([]byte(lib.stdout), &assets); err != nil || len(assets) != 1 || assets[0].Damaged != "" {
		t.Fatalf("library after resume: %s %s", lib.stdout, lib.stderr)
	}
	entries, _ := os.ReadDir(filepath.Join(home, "library"))
	for _, e := range entries {
		if strings.HasPrefix(e.Name(), ".") {
			t.Errorf("left in the library: %s", e.Name())
		}
	}
	filepath.WalkDir(filepath.Join(home, "library"), func(p string, d os.DirEntry, err error) error {
		if err == nil && strings.HasPrefix(d.Name(), ".partial-") {
			t.Errorf("a partial file is left: %s", p)
		}
		return nil
	})
}

// waitForState polls the ledger until its one job is in state.
func waitForState(t *testing.T, home, state string) {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for time.Now().Before(deadline) {
		if db, err := sql.Open("sqlite", filepath.Join(home, "kiln.db")+"?_pragma=busy_timeout(2000)"); err == nil {
			var s string
			err := db.QueryRow(`SELECT state FROM jobs`).Scan(&s)
			db.Close()
			if err == nil && s == state {
				return
			}
		}
		time.Sleep(20 * time.Millisecond)
	}
	t.Fatalf("the job never reached %s", state)
}
