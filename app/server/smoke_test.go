package server

import (
	"net/http"
	"strings"
	"testing"

	"github.com/kiln3d/kiln/providers/jobsapi"
)

func TestSubmitAndCollect(t *testing.T) {
	e := newTestEnv(t, Options{})
	key := e.key(ScopeJobsRead, ScopeJobsWrite)
	j := e.submit(key, form{fields: [][2]string{{"polycount", "600"}}, images: []string{e.image("mug.png")}})
	if j.Status != jobsapi.StatusQueued || j.Provider != "local" || !strings.HasSuffix(j.URL, "/api/v1/jobs/"+j.ID) {
		t.Fatalf("submitted: %+v", j)
	}
	done := e.wait(key, j.ID)
	if done.Status != jobsapi.StatusDone || done.Triangles != 600 || len(done.Files) == 0 || done.Files[0].Format != "glb" {
		t.Fatalf("finished: %+v", done)
	}
	resp, body := e.do("GET", strings.TrimPrefix(done.Files[0].URL, e.ts.URL), key, nil, "")
	if resp.StatusCode != http.StatusOK || resp.Header.Get("Content-Type") != "model/gltf-binary" || int64(len(body)) != done.Files[0].Size {
		t.Fatalf("file: %s %s, %d bytes (listed %d)", resp.Status, resp.Header.Get("Content-Type"), len(body), done.Files[0].Size)
	}
}
