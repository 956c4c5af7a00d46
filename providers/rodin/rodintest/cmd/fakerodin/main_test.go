package main

import (
	"bytes"
	"encoding/json"
	"io"
	"mime/multipart"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/kiln3d/kiln/providers/providertest/fakehttp"
)

// start runs the command as a demo would (fakehttp.StartDemo).
func start(t *testing.T, lines int, args ...string) []string {
	t.Helper()
	return fakehttp.StartDemo(t, run, lines, args...)
}

// call sends one API call with the key and decodes the JSON answer.
func call(t *testing.T, method, url, key, ct string, body io.Reader) (int, map[string]any) {
	t.Helper()
	req, _ := http.NewRequest(method, url, body)
	req.Header.Set("Authorization", "Bearer "+key)
	if ct != "" {
		req.Header.Set("Content-Type", ct)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var out map[string]any
	_ = json.NewDecoder(resp.Body).Decode(&out)
	return resp.StatusCode, out
}

// TestDemo runs the command and makes a model through its API with the key it printed, over
// plain HTTP: submit, poll, download.
func TestDemo(t *testing.T) {
	var d demo
	if err := json.Unmarshal([]byte(start(t, 1, "-generation", "60ms", "-balance", "3")[0]), &d); err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(d.URL, "http://127.0.0.1:") || !strings.HasSuffix(d.URL, "/api/v2") || !strings.HasPrefix(d.APIKey, "rk_") || d.Balance != 3 {
		t.Fatalf("printed %+v", d)
	}
	var b bytes.Buffer
	mw := multipart.NewWriter(&b)
	_ = mw.WriteField("prompt", "a teapot")
	_ = mw.WriteField("tier", "Gen-2.5-Low")
	_ = mw.Close()
	status, out := call(t, http.MethodPost, d.URL+"/rodin", d.APIKey, mw.FormDataContentType(), &b)
	if status != 201 {
		t.Fatalf("/rodin: %d %v", status, out)
	}
	task, key := out["uuid"].(string), out["jobs"].(map[string]any)["subscription_key"].(string)
	for deadline := time.Now().Add(5 * time.Second); ; time.Sleep(20 * time.Millisecond) {
		_, out = call(t, http.MethodPost, d.URL+"/status", d.APIKey, "application/json", strings.NewReader(`{"subscription_key":"`+key+`"}`))
		jobs, _ := out["jobs"].([]any)
		if len(jobs) == 2 && jobs[1].(map[string]any)["status"] == "Done" {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("still %v", out)
		}
	}
	_, out = call(t, http.MethodPost, d.URL+"/download", d.APIKey, "application/json", strings.NewReader(`{"task_uuid":"`+out["jobs"].([]any)[0].(map[string]any)["uuid"].(string)+`"}`))
	if out["error"] != "Task not found" {
		t.Errorf("a job uuid downloads: %v", out)
	}
	_, out = call(t, http.MethodPost, d.URL+"/download", d.APIKey, "application/json", strings.NewReader(`{"task_uuid":"`+task+`"}`))
	list, _ := out["list"].([]any)
	if len(list) == 0 || list[0].(map[string]any)["name"] != "base_basic_pbr.glb" {
		t.Fatalf("listed %v", out)
	}
	resp, err := http.Get(list[0].(map[string]any)["url"].(string))
	if err != nil {
		t.Fatal(err)
	}
	model, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 || !bytes.HasPrefix(model, []byte("glTF")) || !strings.HasPrefix(resp.Request.URL.String(), d.StorageURL) {
		t.Errorf("model: %d, %d bytes", resp.StatusCode, len(model))
	}
	_, out = call(t, http.MethodGet, d.URL+"/check_balance", d.APIKey, "", nil)
	if out["balance"] != 2.5 {
		t.Errorf("balance %v", out)
	}
}

// TestShell sources the -shell lines in a shell, with a base path that would expand unquoted.
func TestShell(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("the -shell lines are for a POSIX shell, which Windows does not have")
	}
	sh, err := exec.LookPath("sh")
	if err != nil {
		t.Fatalf("a unix system without sh: %v", err)
	}
	lines := start(t, 2, "-shell", "-base", "/$HOME/it's")
	if !strings.HasPrefix(lines[0], "export KILN_RODIN_ENDPOINT=") || !strings.HasPrefix(lines[1], "export KILN_RODIN_API_KEY=") {
		t.Fatalf("printed %q", lines)
	}
	env := filepath.Join(t.TempDir(), "rodin.env")
	_ = os.WriteFile(env, []byte(strings.Join(lines, "\n")+"\n"), 0o600)
	got, err := exec.Command(sh, "-c", `. "$1" && printf '%s\n%s\n' "$KILN_RODIN_ENDPOINT" "$KILN_RODIN_API_KEY"`, "sh", env).Output()
	if err != nil {
		t.Fatal(err)
	}
	vars := strings.Split(strings.TrimSpace(string(got)), "\n")
	if len(vars) != 2 || !strings.HasPrefix(vars[0], "http://127.0.0.1:") || !strings.HasSuffix(vars[0], "/$HOME/it's") || !strings.HasPrefix(vars[1], "rk_") {
		t.Fatalf("the shell read %q", vars)
	}
	if status, out := call(t, http.MethodGet, vars[0]+"/check_balance", vars[1], "", nil); status != 201 || out["balance"] != 25.0 {
		t.Errorf("%d %v", status, out)
	}
}

func TestRefusals(t *testing.T) {
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"-addr", "0.0.0.0:0"}, "not a loopback address"},
		{[]string{"-addr", "192.0.2.1:80"}, "not a loopback address"},
		{[]string{"-balance", "-1"}, "cannot be negative"},
		{[]string{"-base", "api/v2"}, "must start with /"},
		{[]string{"stray"}, "unexpected arguments"},
		{[]string{"-nope"}, "flag provided but not defined"},
	} {
		var errs bytes.Buffer
		if status := run(tc.args, io.Discard, &errs, nil); status == 0 || !strings.Contains(errs.String(), tc.want) {
			t.Errorf("%v: status %d, %s", tc.args, status, errs.String())
		}
	}
}
