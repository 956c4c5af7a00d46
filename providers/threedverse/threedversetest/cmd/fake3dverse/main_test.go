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

// call sends one API call with a credential header and decodes the JSON answer.
func call(t *testing.T, method, url, header, value, ct string, body io.Reader) (int, any) {
	t.Helper()
	req, _ := http.NewRequest(method, url, body)
	req.Header.Set(header, value)
	if ct != "" {
		req.Header.Set("Content-Type", ct)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var out any
	_ = json.NewDecoder(resp.Body).Decode(&out)
	return resp.StatusCode, out
}

// TestDemo runs the command and publishes a model through its API with the key it printed, as
// the docs' flow goes: register a user, make its token, grant it the folder, upload, follow.
func TestDemo(t *testing.T) {
	var d demo
	if err := json.Unmarshal([]byte(start(t, 1, "-step", "10ms")[0]), &d); err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(d.URL, "http://127.0.0.1:") || !strings.HasSuffix(d.URL, "/app/v1") || d.APIKey == "" || d.FolderID == "" {
		t.Fatalf("printed %+v", d)
	}
	const js = "application/json"
	status, out := call(t, http.MethodPost, d.URL+"/users", "api_key", d.APIKey, js, strings.NewReader(`{"username":"kiln"}`))
	user, _ := out.(map[string]any)["user_id"].(string)
	if status != 201 || user == "" {
		t.Fatalf("register: %d %v", status, out)
	}
	status, out = call(t, http.MethodPost, d.URL+"/users/"+user+"/tokens", "api_key", d.APIKey, js, strings.NewReader(`{"scope":"write","ttl":"1h"}`))
	token, _ := out.(map[string]any)["user_token"].(string)
	if status != 201 || token == "" {
		t.Fatalf("token: %d %v", status, out)
	}
	if status, out = call(t, http.MethodPut, d.URL+"/folders/"+d.FolderID+"/access/users/"+user, "api_key", d.APIKey, js, strings.NewReader(`{"access":"write"}`)); status != 204 {
		t.Fatalf("grant: %d %v", status, out)
	}
	var b bytes.Buffer
	mw := multipart.NewWriter(&b)
	fw, _ := mw.CreateFormFile("files", "chair.glb")
	_, _ = io.WriteString(fw, "glTF\x02\x00\x00\x00")
	_ = mw.Close()
	status, out = call(t, http.MethodPost, d.URL+"/folders/"+d.FolderID+"/source-files", "user_token", token, mw.FormDataContentType(), &b)
	task, _ := out.(map[string]any)["upload_task_id"].(string)
	if status != 202 || task == "" {
		t.Fatalf("upload: %d %v", status, out)
	}
	for deadline := time.Now().Add(5 * time.Second); ; time.Sleep(10 * time.Millisecond) {
		_, out = call(t, http.MethodGet, d.URL+"/upload-tasks/"+task, "user_token", token, "", nil)
		if out.(map[string]any)["status"] == "success" {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("still %v", out)
		}
	}
	_, out = call(t, http.MethodGet, d.URL+"/folders/"+d.FolderID+"/assets", "user_token", token, "", nil)
	if l, _ := out.([]any); len(l) != 1 || l[0].(map[string]any)["name"] != "chair" {
		t.Errorf("assets %v", out)
	}
}

// TestShell sources the -shell lines in a shell and lists folders with what it read.
func TestShell(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("the -shell lines are for a POSIX shell, which Windows does not have")
	}
	sh, err := exec.LookPath("sh")
	if err != nil {
		t.Fatalf("a unix system without sh: %v", err)
	}
	lines := start(t, 2, "-shell")
	if !strings.HasPrefix(lines[0], "export KILN_3DVERSE_ENDPOINT=") || !strings.HasPrefix(lines[1], "export KILN_3DVERSE_API_KEY=") {
		t.Fatalf("printed %q", lines)
	}
	env := filepath.Join(t.TempDir(), "3dverse.env")
	_ = os.WriteFile(env, []byte(strings.Join(lines, "\n")+"\n"), 0o600)
	got, err := exec.Command(sh, "-c", `. "$1" && printf '%s\n%s\n' "$KILN_3DVERSE_ENDPOINT" "$KILN_3DVERSE_API_KEY"`, "sh", env).Output()
	if err != nil {
		t.Fatal(err)
	}
	vars := strings.Split(strings.TrimSpace(string(got)), "\n")
	if len(vars) != 2 || !strings.HasPrefix(vars[0], "http://127.0.0.1:") || !strings.HasSuffix(vars[0], "/app/v1") || vars[1] == "" {
		t.Fatalf("the shell read %q", vars)
	}
	status, out := call(t, http.MethodGet, vars[0]+"/folders?offset=0&limit=10", "api_key", vars[1], "", nil)
	if l, _ := out.([]any); status != 200 || len(l) != 1 || l[0].(map[string]any)["name"] != "Kiln demo" {
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
		{[]string{"-step", "0s"}, "must be more than 0"},
		{[]string{"-step", "soon"}, "invalid value"},
		{[]string{"stray"}, "unexpected arguments"},
		{[]string{"-nope"}, "flag provided but not defined"},
	} {
		var errs bytes.Buffer
		if status := run(tc.args, io.Discard, &errs, nil); status == 0 || !strings.Contains(errs.String(), tc.want) {
			t.Errorf("%v: status %d, %s", tc.args, status, errs.String())
		}
	}
}
