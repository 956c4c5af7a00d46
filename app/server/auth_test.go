package server

import (
	"bytes"
	"context"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/kiln3d/kiln/app"
)

func TestAuthentication(t *testing.T) {
	e := newTestEnv(t, Options{})
	reader := e.key(ScopeJobsRead)
	other, err := e.s.Keys.Create(context.Background(), "other", []Scope{ScopeJobsRead})
	if err != nil {
		t.Fatal(err)
	}
	forged := other.Prefix() + "_" + strings.Repeat("A", 43) // a real id, a made-up secret
	cases := []struct {
		name   string
		header []string
		status int
		code   string
	}{
		{"no key", nil, 401, CodeUnauthorized},
		{"x-api-key", []string{"x-api-key", reader}, 200, ""},
		{"bearer", []string{"Authorization", "Bearer " + reader}, 200, ""},
		{"bearer, any case", []string{"Authorization", "bearer " + reader}, 200, ""},
		{"basic auth", []string{"Authorization", "Basic " + reader}, 401, CodeUnauthorized},
		{"garbage", []string{"x-api-key", "letmein"}, 401, CodeUnauthorized},
		{"forged secret", []string{"x-api-key", forged}, 401, CodeUnauthorized},
		{"unknown id", []string{"x-api-key", "kiln_00000000_" + strings.Repeat("A", 43)}, 401, CodeUnauthorized},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			resp, body := e.do("GET", "/api/v1/jobs", "", nil, "", c.header...)
			if resp.StatusCode != c.status {
				t.Fatalf("%s: %s %s", c.name, resp.Status, body)
			}
			if c.code != "" {
				if got := errCode(t, body); got != c.code {
					t.Errorf("code %q, want %q", got, c.code)
				}
				if !strings.HasPrefix(resp.Header.Get("WWW-Authenticate"), "Bearer") {
					t.Errorf("a 401 without WWW-Authenticate: %v", resp.Header)
				}
			}
			if resp.Header.Get("Content-Type") != "application/json" {
				t.Errorf("Content-Type %q", resp.Header.Get("Content-Type"))
			}
		})
	}
}

func TestScopes(t *testing.T) {
	e := newTestEnv(t, Options{})
	reader := e.key(ScopeJobsRead)
	writer := e.key(ScopeJobsWrite)
	img := e.image("cup.png")

	resp, body := e.post("/api/v1/jobs", reader, form{images: []string{img}})
	if resp.StatusCode != http.StatusForbidden || errCode(t, body) != CodeMissingScope || !strings.Contains(string(body), "jobs:write") {
		t.Fatalf("a read-only key submitting: %s %s", resp.Status, body)
	}
	j := e.submit(writer, form{images: []string{img}, fields: [][2]string{{"polycount", "500"}}})
	resp, body = e.do("GET", "/api/v1/jobs/"+j.ID, writer, nil, "")
	if resp.StatusCode != http.StatusForbidden || !strings.Contains(string(body), "jobs:read") {
		t.Fatalf("a write-only key reading: %s %s", resp.Status, body)
	}
	for _, path := range []string{"/api/v1/keys"} {
		resp, body = e.do("GET", path, reader, nil, "")
		if resp.StatusCode != http.StatusForbidden || !strings.Contains(string(body), "keys:admin") {
			t.Fatalf("GET %s without keys:admin: %s %s", path, resp.Status, body)
		}
	}
	if n := len(mustJobs(t, e.k)); n != 1 {
		t.Errorf("%d jobs after one accepted submission and one refused", n)
	}
}

// TestRevokedKeyFailsAtOnce revokes a key through a second store on the same database, as
// `kiln serve keys revoke` does while the server runs.
func TestRevokedKeyFailsAtOnce(t *testing.T) {
	e := newTestEnv(t, Options{})
	key := e.key(ScopeJobsRead)
	if resp, body := e.do("GET", "/api/v1/jobs", key, nil, ""); resp.StatusCode != 200 {
		t.Fatalf("before: %s %s", resp.Status, body)
	}
	cli, err := OpenKeys(context.Background(), e.k)
	if err != nil {
		t.Fatal(err)
	}
	defer cli.Close()
	keys, err := cli.List(context.Background())
	if err != nil || len(keys) != 1 {
		t.Fatalf("list: %v %v", keys, err)
	}
	if keys[0].LastUsed.IsZero() {
		t.Error("the key's last use was not recorded")
	}
	if _, err := cli.Revoke(context.Background(), keys[0].Prefix()); err != nil {
		t.Fatal(err)
	}
	resp, body := e.do("GET", "/api/v1/jobs", key, nil, "")
	if resp.StatusCode != http.StatusUnauthorized || !strings.Contains(string(body), "revoked") {
		t.Fatalf("after revoking: %s %s", resp.Status, body)
	}
}

// TestSecretsAreNotKept checks that neither a key's secret nor its webhook secret is anywhere in
// the data directory: only a hash of the secret is.
func TestSecretsAreNotKept(t *testing.T) {
	e := newTestEnv(t, Options{})
	admin := e.key(ScopeKeysAdmin)
	resp, body := e.do("POST", "/api/v1/keys", admin, strings.NewReader(`{"name":"web shop","scopes":["jobs:read","jobs:write"]}`), "application/json")
	if resp.StatusCode != http.StatusCreated {
		t.Fatalf("create: %s %s", resp.Status, body)
	}
	made := decode[KeyJSON](t, body)
	if !strings.HasPrefix(made.Secret, made.Prefix+"_") || !strings.HasPrefix(made.WebhookSecret, "whsec_") || made.Status != "active" {
		t.Fatalf("made: %+v", made)
	}
	_, body = e.do("GET", "/api/v1/keys", admin, nil, "")
	if bytes.Contains(body, []byte(made.Secret)) || bytes.Contains(body, []byte(made.WebhookSecret)) || !bytes.Contains(body, []byte(made.Prefix)) {
		t.Fatalf("the list shows a secret, or not the key: %s", body)
	}
	e.stop() // flush the database
	err := filepath.WalkDir(e.home, func(path string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		data, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		for _, s := range []string{made.Secret, made.Secret[len(made.Prefix)+1:], made.WebhookSecret} {
			if bytes.Contains(data, []byte(s)) {
				t.Errorf("%s holds a secret", path)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

func TestKeyInputs(t *testing.T) {
	e := newTestEnv(t, Options{})
	admin := e.key(ScopeKeysAdmin)
	for _, body := range []string{`{"name":"","scopes":["jobs:read"]}`, `{"name":"x","scopes":[]}`,
		`{"name":"x","scopes":["jobs:everything"]}`, `{"name":"x","scopes":["jobs:read"],"admin":true}`, `not json`} {
		resp, got := e.do("POST", "/api/v1/keys", admin, strings.NewReader(body), "application/json")
		if resp.StatusCode != http.StatusBadRequest || errCode(t, got) != CodeInvalidRequest {
			t.Errorf("%s: %s %s", body, resp.Status, got)
		}
	}
	resp, got := e.do("DELETE", "/api/v1/keys/deadbeef", admin, nil, "")
	if resp.StatusCode != http.StatusNotFound || errCode(t, got) != CodeNotFound {
		t.Errorf("revoke an unknown key: %s %s", resp.Status, got)
	}
}

func mustJobs(t testing.TB, k *app.Kiln) []app.Job {
	t.Helper()
	jobs, err := k.Jobs.Jobs(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return jobs
}
