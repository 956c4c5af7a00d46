package kaedim

import (
	"bytes"
	"context"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/kiln3d/kiln/providers"
	"github.com/kiln3d/kiln/providers/kaedim/kaedimtest"
)

// TestSubmitSendsTheDocumentedForm checks /process as the documentation describes it: multipart
// with image-0, image-1, ... and every field, X-API-Key and the JWT in Authorization.
func TestSubmitSendsTheDocumentedForm(t *testing.T) {
	h := setup(t, &kaedimtest.Options{
		Account:  kaedimtest.Account{DevID: "dev-1", APIKey: "key-0123456789", RefreshToken: "refresh-0123456789", StudioID: "studio-7"},
		Projects: []kaedimtest.Project{{ID: "proj-1", Name: "Sandbox", StudioID: "studio-7"}},
	})
	front, side := writePNG(t, "front.png"), writeJPEG(t, "side view.jpg")
	req := providers.Request{
		Images:    []providers.Image{{Path: front}, {Path: side}},
		Polycount: 12000,
		ProjectID: "proj-1",
		Size:      providers.Dimensions{HeightCM: 250, WidthCM: 80.5},
		Options:   map[string]string{OptionQuality: "high", OptionTest: "on"},
	}
	remote, err := h.p.Submit(context.Background(), req)
	if err != nil {
		t.Fatal(err)
	}
	got := h.fake.Received("process")
	if len(got) != 1 {
		t.Fatalf("%d /process requests, want 1", len(got))
	}
	rec := got[0]
	if rec.Method != http.MethodPost || rec.Path != "/api/v1/process" {
		t.Errorf("%s %s, want POST /api/v1/process", rec.Method, rec.Path)
	}
	if ct := rec.Header.Get("Content-Type"); !strings.HasPrefix(ct, "multipart/form-data; boundary=") {
		t.Errorf("Content-Type %q", ct)
	}
	if rec.Header.Get("X-API-Key") != "key-0123456789" {
		t.Errorf("X-API-Key %q", rec.Header.Get("X-API-Key"))
	}
	if jwts := h.fake.JWTs(); len(jwts) != 1 || rec.Header.Get("Authorization") != jwts[0] {
		t.Errorf("Authorization %q, want the bare JWT of %d issued", rec.Header.Get("Authorization"), len(jwts))
	}
	want := map[string]string{"devID": "dev-1", "LoQ": "high", "polycount": "12000", "test": "true",
		"projectID": "proj-1", "studioID": "studio-7", "height": "250", "width": "80.5"}
	for k, v := range want {
		if rec.Fields[k] == nil || rec.Fields.Get(k) != v || len(rec.Fields[k]) != 1 {
			t.Errorf("field %s = %q, want %q", k, rec.Fields[k], v)
		}
	}
	if len(rec.Fields) != len(want) {
		t.Errorf("fields %v, want exactly %v (no depth: it was not given)", rec.Fields, want)
	}
	if len(rec.Files) != 2 {
		t.Fatalf("%d files, want 2", len(rec.Files))
	}
	for i, w := range []struct{ field, name, ct, path string }{
		{"image-0", "front.png", "image/png", front}, {"image-1", "side view.jpg", "image/jpeg", side},
	} {
		f := rec.Files[i]
		data, _ := os.ReadFile(w.path)
		if f.Field != w.field || f.Name != w.name || f.ContentType != w.ct || !bytes.Equal(f.Data, data) {
			t.Errorf("file %d: %s %q %s (%d bytes), want %s %q %s (%d bytes)", i, f.Field, f.Name, f.ContentType, len(f.Data),
				w.field, w.name, w.ct, len(data))
		}
	}
	reqs := h.fake.Requests()
	if len(reqs) != 1 || reqs[0].ID != remote.ID {
		t.Fatalf("remote %q, fake holds %+v", remote.ID, reqs)
	}
	if r := reqs[0]; r.LoQ != "high" || r.Polycount != 12000 || !r.Test || r.HeightCM != 250 || r.WidthCM != 80.5 || r.DepthCM != 0 || r.Images != 2 {
		t.Errorf("the fake understood %+v", r)
	}
}

func TestSubmitDefaults(t *testing.T) {
	h := setup(t, nil)
	if _, err := h.p.Submit(context.Background(), h.request()); err != nil {
		t.Fatal(err)
	}
	f := h.fake.Received("process")[0].Fields
	if f.Get("LoQ") != "standard" || f.Get("test") != "false" || f.Get("polycount") != "20000" {
		t.Errorf("defaults sent as %v", f)
	}
	for _, k := range []string{"projectID", "studioID", "height", "width", "depth"} {
		if f[k] != nil {
			t.Errorf("field %s sent though not given: %q", k, f[k])
		}
	}
}

// TestRoutesSendTheDocumentedRequests checks the methods, query parameters and headers of every
// other route, and that the storage never sees a credential.
func TestRoutesSendTheDocumentedRequests(t *testing.T) {
	h := setup(t, &kaedimtest.Options{
		Account: kaedimtest.Account{DevID: "dev-2", APIKey: "key-abcdefghij", RefreshToken: "refresh-abcdefghij", StudioID: "studio-9"},
	})
	ctx := context.Background()
	remote := h.submit()
	if _, _, err := h.collect(h.p, remote); err != nil {
		t.Fatal(err)
	}
	if _, err := h.p.Projects(ctx); err != nil {
		t.Fatal(err)
	}
	start := time.Date(2024, 2, 1, 12, 0, 0, 0, time.UTC)
	if _, err := h.p.FetchAll(ctx, start, start.AddDate(0, 0, 13)); err != nil {
		t.Fatal(err)
	}
	jwt := h.fake.JWTs()[0]

	refresh := h.fake.Received("refreshJWT")[0]
	if refresh.Method != http.MethodPost || refresh.Header.Get("X-API-Key") != "key-abcdefghij" ||
		refresh.Header.Get("refresh-token") != "refresh-abcdefghij" || refresh.Fields.Get("devID") != "dev-2" ||
		refresh.Header.Get("Content-Type") != "application/json" || refresh.Header.Get("Authorization") != "" {
		t.Errorf("refreshJWT: %s, headers %v, fields %v", refresh.Method, refresh.Header, refresh.Fields)
	}
	checks := []struct {
		route string
		query map[string]string
	}{
		{"fetchRequest", map[string]string{"devID": "dev-2", "requestID": remote.ID, "studioID": "studio-9"}},
		{"fetchProjects", map[string]string{"devID": "dev-2"}},
		// The parameter table's MM-DD-YYYY.
		{"fetchAll", map[string]string{"devID": "dev-2", "start": "02-01-2024", "end": "02-14-2024", "studioID": "studio-9"}},
	}
	for _, c := range checks {
		for _, rec := range h.fake.Received(c.route) {
			if rec.Method != http.MethodGet || rec.Header.Get("X-API-Key") != "key-abcdefghij" || rec.Header.Get("Authorization") != jwt {
				t.Errorf("%s: %s with X-API-Key %q, Authorization %q", c.route, rec.Method, rec.Header.Get("X-API-Key"), rec.Header.Get("Authorization"))
			}
			if len(rec.Query) != len(c.query) {
				t.Errorf("%s: query %v, want %v", c.route, rec.Query, c.query)
			}
			for k, v := range c.query {
				if rec.Query.Get(k) != v {
					t.Errorf("%s: %s=%q, want %q", c.route, k, rec.Query.Get(k), v)
				}
			}
		}
	}
	downloads := h.fake.Received("download")
	if len(downloads) != 1 || downloads[0].Status != http.StatusOK || !strings.HasSuffix(downloads[0].Path, "/model.glb") {
		t.Fatalf("downloads %+v", downloads)
	}
	for _, name := range []string{"X-API-Key", "Authorization", "refresh-token"} {
		if v := downloads[0].Header.Get(name); v != "" {
			t.Errorf("the storage received %s", name)
		}
	}
}

func TestCollectWritesTheGLB(t *testing.T) {
	h := setup(t, nil)
	files, dir, err := h.collect(h.p, h.submit())
	if err != nil {
		t.Fatal(err)
	}
	if len(files) != 1 || files[0] != (providers.File{Path: ModelFile, Format: "glb"}) {
		t.Fatalf("files %+v", files)
	}
	data, err := os.ReadFile(filepath.Join(dir, ModelFile))
	if err != nil || !bytes.HasPrefix(data, []byte("glTF")) {
		t.Fatalf("model: %v, starts %q", err, data[:min(4, len(data))])
	}
	leftovers, _ := filepath.Glob(filepath.Join(dir, ".partial-*"))
	if len(leftovers) != 0 {
		t.Errorf("partial files left: %v", leftovers)
	}
}
