package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"io"
	"mime/multipart"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/kiln3d/kiln/providers/modeltest"
)

// servedKiln is a `kiln serve` process.
type servedKiln struct {
	cmd  *exec.Cmd
	url  string
	log  *strings.Builder
	done chan error
}

var listening = regexp.MustCompile(`listening on (http://[0-9.:]+) `)

// startServe starts `kiln serve` on a free loopback port and waits until it listens.
func startServe(t *testing.T, bin, home string, env []string, args ...string) *servedKiln {
	t.Helper()
	cmd := exec.Command(bin, append([]string{"serve", "--addr", "127.0.0.1:0"}, args...)...)
	cmd.Env = append(serverEnv(home), env...)
	stderr, err := cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	s := &servedKiln{cmd: cmd, log: &strings.Builder{}, done: make(chan error, 1)}
	found := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(stderr)
		for sc.Scan() {
			s.log.WriteString(sc.Text() + "\n")
			if m := listening.FindStringSubmatch(sc.Text()); m != nil {
				found <- m[1]
			}
		}
		s.done <- cmd.Wait()
	}()
	select {
	case s.url = <-found:
	case <-time.After(30 * time.Second):
		_ = cmd.Process.Kill()
		t.Fatalf("kiln serve did not start listening")
	}
	t.Cleanup(func() { _ = cmd.Process.Kill() })
	return s
}

// stop sends SIGTERM and returns the exit status and how long it took.
func (s *servedKiln) stop(t *testing.T) (int, time.Duration) {
	t.Helper()
	start := time.Now()
	_ = s.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-s.done:
	case <-time.After(20 * time.Second):
		t.Fatal("kiln serve did not stop within 20 s of SIGTERM")
	}
	return s.cmd.ProcessState.ExitCode(), time.Since(start)
}

func serverEnv(home string) []string {
	return append(kilnEnvBase(home), "KILN_SERVE_SIGNING_SECRET=end-to-end-signing-secret-0123456789",
		"DBUS_SESSION_BUS_ADDRESS=unix:path=/nonexistent")
}

func kilnEnvBase(home string) []string {
	return []string{"KILN_HOME=" + home, "DISPLAY=", "WAYLAND_DISPLAY=", "LANG=C.UTF-8"}
}

func getJSON(t *testing.T, url, key string, out any) int {
	t.Helper()
	req, _ := http.NewRequest("GET", url, nil)
	req.Header.Set("Authorization", "Bearer "+key)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	data, _ := io.ReadAll(resp.Body)
	if out != nil && resp.StatusCode == 200 {
		if err := json.Unmarshal(data, out); err != nil {
			t.Fatalf("%s: %v", data, err)
		}
	}
	return resp.StatusCode
}

// TestServeEndToEnd runs `kiln serve` as a studio would: refused on the network without keys or
// TLS; keys made and revoked from the command line while it runs; a desktop Kiln making a model
// through it with the Kiln server provider; SIGTERM draining it; a restart finishing what was
// left. Then it looks for the keys' secrets everywhere Kiln wrote or logged.
func TestServeEndToEnd(t *testing.T) {
	bin := buildKiln(t)
	home := t.TempDir()
	serve := func(args ...string) result { t.Helper(); return kilnEnv(t, bin, home, serverEnv(home)[1:], args...) }

	if r := serve("serve", "--addr", "0.0.0.0:0"); r.code != 1 || !strings.Contains(r.stderr, "no API key exists") {
		t.Errorf("serving the network without keys: %d %q", r.code, r.stderr)
	}
	var admin struct {
		ID, Name, Prefix, Secret string
		Scopes                   []string
		WebhookSecret            string `json:"webhook_secret"`
	}
	r := serve("serve", "keys", "create", "--name", "admin", "--scopes", "keys:admin,jobs:read,jobs:write", "--json")
	if r.code != 0 || json.Unmarshal([]byte(r.stdout), &admin) != nil || !strings.HasPrefix(admin.Secret, admin.Prefix+"_") ||
		len(admin.Scopes) != 3 || !strings.HasPrefix(admin.WebhookSecret, "whsec_") || admin.ID == "" {
		t.Fatalf("keys create: %d %q %q", r.code, r.stdout, r.stderr)
	}
	if r := serve("serve", "--addr", "0.0.0.0:0"); r.code != 1 || !strings.Contains(r.stderr, "without TLS") {
		t.Errorf("serving the network over plain http: %d %q", r.code, r.stderr)
	}

	srv := startServe(t, bin, home, nil)
	// A key made while the server runs works at once.
	var desk struct{ Prefix, Secret string }
	r = serve("serve", "keys", "create", "--name", "desk", "--json")
	if r.code != 0 || json.Unmarshal([]byte(r.stdout), &desk) != nil {
		t.Fatalf("keys create while serving: %d %q", r.code, r.stderr)
	}
	if code := getJSON(t, srv.url+"/api/v1/jobs", desk.Secret, nil); code != 200 {
		t.Fatalf("a fresh key: %d", code)
	}

	// A desktop Kiln makes a model through the server.
	deskHome, out := t.TempDir(), t.TempDir()
	deskEnv := []string{"KILN_JOBSAPI_KEY=" + desk.Secret, "KILN_JOBSAPI_ENDPOINT=" + srv.url, "DBUS_SESSION_BUS_ADDRESS=unix:path=/nonexistent"}
	var printed strings.Builder
	r = kilnEnv(t, bin, deskHome, deskEnv, "keys", "test", "jobsapi")
	printed.WriteString(r.stdout + r.stderr)
	if r.code != 0 {
		t.Errorf("keys test jobsapi: %d %q", r.code, r.stderr)
	}
	r = kilnEnv(t, bin, deskHome, deskEnv, "generate", "--provider", "jobsapi", "--polycount", "3000", "--json", "--out", out,
		filepath.Join("assets", "samples", "vase.png"))
	printed.WriteString(r.stdout + r.stderr)
	var res struct {
		Status    string
		Triangles int
		Files     []string
	}
	if r.code != 0 || json.Unmarshal([]byte(r.stdout), &res) != nil || res.Status != "done" || len(res.Files) == 0 {
		t.Fatalf("generate through the server: %d %q %q", r.code, r.stdout, r.stderr)
	}
	modeltest.Validate(t, res.Files[0])
	var list struct {
		Jobs []struct{ ID, Status string }
	}
	if getJSON(t, srv.url+"/api/v1/jobs", desk.Secret, &list); len(list.Jobs) != 1 || list.Jobs[0].Status != "done" {
		t.Fatalf("the desk key's jobs: %+v", list)
	}

	// Revoked from the command line: refused at once.
	if r := serve("serve", "keys", "revoke", desk.Prefix); r.code != 0 {
		t.Fatalf("revoke: %d %q", r.code, r.stderr)
	}
	if code := getJSON(t, srv.url+"/api/v1/jobs", desk.Secret, nil); code != 401 {
		t.Errorf("a revoked key: %d, want 401", code)
	}
	r = serve("serve", "keys", "list")
	if r.code != 0 || !strings.Contains(r.stdout, "KEY PREFIX") || !regexp.MustCompile(desk.Prefix+`\s+desk\s.*revoked`).MatchString(r.stdout) {
		t.Errorf("keys list: %q", r.stdout)
	}

	// A big job, then SIGTERM: the server drains promptly, and the next one finishes the job.
	job := postJob(t, srv.url, admin.Secret, filepath.Join("assets", "samples", "vase.png"), "150000")
	var before struct{ Status string }
	getJSON(t, srv.url+"/api/v1/jobs/"+job, admin.Secret, &before)
	t.Logf("the job was %s at SIGTERM", before.Status)
	code, took := srv.stop(t)
	if code != 0 || took > 10*time.Second {
		t.Errorf("SIGTERM: exit %d after %s\n%s", code, took, srv.log)
	}
	srv2 := startServe(t, bin, home, nil)
	deadline := time.Now().Add(2 * time.Minute)
	for {
		var j struct{ Status, Message string }
		if getJSON(t, srv2.url+"/api/v1/jobs/"+job, admin.Secret, &j); j.Status == "done" {
			break
		} else if j.Status == "failed" || time.Now().After(deadline) {
			t.Fatalf("the job left at SIGTERM: %+v\n%s", j, srv2.log)
		}
		time.Sleep(100 * time.Millisecond)
	}
	srv2.stop(t)
	printed.WriteString(srv.log.String() + srv2.log.String())
	checkNoSecrets(t, home, printed.String(), admin.Secret, desk.Secret, admin.WebhookSecret)
	checkNoSecrets(t, deskHome, "", desk.Secret)
}

// postJob submits image to the server and returns the job's id.
func postJob(t *testing.T, url, key, image, polycount string) string {
	t.Helper()
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	_ = mw.WriteField("polycount", polycount)
	w, _ := mw.CreateFormFile("image", filepath.Base(image))
	data, err := os.ReadFile(image)
	if err != nil {
		t.Fatal(err)
	}
	_, _ = w.Write(data)
	_ = mw.Close()
	req, _ := http.NewRequest("POST", url+"/api/v1/jobs", &body)
	req.Header.Set("x-api-key", key)
	req.Header.Set("Content-Type", mw.FormDataContentType())
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var j struct{ ID, Status string }
	if err := json.NewDecoder(resp.Body).Decode(&j); err != nil || resp.StatusCode != 202 || j.Status != "queued" {
		t.Fatalf("POST /api/v1/jobs: %s %v %+v", resp.Status, err, j)
	}
	return j.ID
}
