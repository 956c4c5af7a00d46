package main

import (
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/kiln3d/kiln/app"
	"github.com/kiln3d/kiln/providers/threedverse/threedversetest"
)

// TestPublishTo3dverseEndToEnd publishes a library model through the built binary to the fake
// 3dverse: the key test, a publication followed to its converted assets and recorded in the
// library, a second one refused without --replace or --add, a user token that expires in the
// middle of a conversion (renewed from the API key, nothing uploaded again), and a crash in the
// middle of a conversion (kiln resume follows the same upload, never sends it again). Then it
// looks for the API key and every user token everywhere Kiln wrote or printed.
func TestPublishTo3dverseEndToEnd(t *testing.T) {
	srv := threedversetest.New(t, threedversetest.Options{Step: 300 * time.Millisecond})
	key := srv.AddAPIKey(threedversetest.KeyOptions{})
	bin := buildKiln(t)
	home := t.TempDir()
	env := []string{"KILN_3DVERSE_API_KEY=" + key, "KILN_3DVERSE_ENDPOINT=" + srv.URL(),
		"DBUS_SESSION_BUS_ADDRESS=unix:path=/nonexistent"}
	var printed strings.Builder
	run := func(extra []string, args ...string) result {
		t.Helper()
		r := kilnEnv(t, bin, home, append(append([]string{}, env...), extra...), args...)
		printed.WriteString(r.stdout + r.stderr)
		return r
	}

	if r := run(nil, "generate", "--polycount", "1000", "--out", t.TempDir(), filepath.Join("assets", "samples", "lifebuoy.png")); r.code != 0 {
		t.Fatalf("generate: %d %s", r.code, r.stderr)
	}
	var assets []struct {
		ID        string
		Published []app.Publication
	}
	library := func() {
		t.Helper()
		r := run(nil, "library", "--json")
		if r.code != 0 || json.Unmarshal([]byte(r.stdout), &assets) != nil || len(assets) != 1 {
			t.Fatalf("library: %d %q", r.code, r.stdout)
		}
	}
	library()
	asset := assets[0].ID

	if r := run(nil, "keys", "test", "3dverse"); r.code != 0 || !strings.HasPrefix(r.stdout, "OK") {
		t.Errorf("keys test against the fake: %d %q %q", r.code, r.stdout, r.stderr)
	}

	// A publication, followed to its converted assets.
	r := run(nil, "publish", "3dverse", asset, "--folder", "Props", "--json")
	var res struct {
		Status string
		Folder struct{ ID, Name string }
		Assets []struct{ ID, Type string }
	}
	if r.code != 0 || json.Unmarshal([]byte(r.stdout), &res) != nil {
		t.Fatalf("publish: %d %q %q", r.code, r.stdout, r.stderr)
	}
	if res.Status != "done" || res.Folder.Name != "Props" || len(res.Assets) != 1 || res.Assets[0].Type != "scene" {
		t.Fatalf("publish result %+v", res)
	}
	ups := srv.Uploads()
	if len(ups) != 1 || ups[0].FolderID != res.Folder.ID || len(ups[0].Files) != 1 || !strings.HasSuffix(ups[0].Files[0], ".glb") {
		t.Fatalf("uploads %+v", ups)
	}
	if made := srv.Assets(res.Folder.ID); len(made) != 1 || made[0].ID != res.Assets[0].ID {
		t.Errorf("3dverse holds %+v, Kiln recorded %+v", made, res.Assets)
	}
	library()
	if p := assets[0].Published; len(p) != 1 || p[0].Target != "3dverse" || p[0].Folder.Name != "Props" ||
		p[0].Assets[0].ID != res.Assets[0].ID || p[0].Published.IsZero() {
		t.Errorf("provenance %+v", p)
	}
	if r := run(nil, "publish", "3dverse", "--folders"); r.code != 0 || !strings.Contains(r.stdout, "Props") {
		t.Errorf("folders: %d %q", r.code, r.stdout)
	}

	// Published before: not again without a choice.
	if r := run(nil, "publish", "3dverse", asset, "--folder", "Props"); r.code != 1 ||
		!strings.Contains(r.stderr, "published to 3dverse before") || !strings.Contains(r.stderr, "--replace or --add") {
		t.Errorf("publishing again without a choice: %d %q", r.code, r.stderr)
	}

	// The user token expires while 3dverse converts: renewed once from the API key, nothing
	// uploaded again. (Each run makes its first token: an environment credential's token lives
	// in the process's memory only.)
	cmd := exec.Command(bin, "publish", "3dverse", asset, "--folder", "Props", "--add", "--json")
	cmd.Env = append(os.Environ(), append([]string{"KILN_HOME=" + home, "DISPLAY="}, env...)...)
	var out, errOut strings.Builder
	cmd.Stdout, cmd.Stderr = &out, &errOut
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(30 * time.Second)
	for len(srv.Uploads()) < 2 && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
	tokens := len(srv.Requests(threedversetest.RouteUsersToken))
	srv.ExpireTokens()
	if err := cmd.Wait(); err != nil {
		t.Fatalf("publish with a token expiring: %v\n%s", err, errOut.String())
	}
	printed.WriteString(out.String() + errOut.String())
	if !strings.Contains(out.String(), `"status": "done"`) {
		t.Errorf("publish with a token expiring: %s", out.String())
	}
	if n := len(srv.Uploads()); n != 2 {
		t.Errorf("%d uploads after the token expired mid-publish, want 2", n)
	}
	if n := len(srv.Requests(threedversetest.RouteUsersToken)); n != tokens+1 {
		t.Errorf("%d new user tokens, want exactly one renewal", n-tokens)
	}

	// Killed in the middle of the conversion: resume follows the same upload.
	crashed := run([]string{app.CrashEnv + "=polling"}, "publish", "3dverse", asset, "--folder", "Props", "--add")
	if crashed.code != -1 {
		t.Fatalf("kiln did not die while polling: exit %d, stderr %q", crashed.code, crashed.stderr)
	}
	if n := len(srv.Uploads()); n != 3 {
		t.Fatalf("%d uploads before the resume, want 3", n)
	}
	resumed := run(nil, "resume", "--json")
	if resumed.code != 0 || !strings.Contains(resumed.stdout, `"done"`) {
		t.Fatalf("resume: %d %q %q", resumed.code, resumed.stdout, resumed.stderr)
	}
	if n := len(srv.Uploads()); n != 3 {
		t.Errorf("%d uploads after the resume: the crash made Kiln upload again", n)
	}
	library()
	if n := len(assets[0].Published); n != 3 {
		t.Errorf("%d publications recorded, want 3", n)
	}
	checkNoSecrets(t, home, printed.String(), append(srv.Secrets(), key)...)
}
