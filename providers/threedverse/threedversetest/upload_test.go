package threedversetest

import (
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"
)

// TestUploadToSuccess follows an upload through every status, step by step of the fake's clock.
func TestUploadToSuccess(t *testing.T) {
	w := setup(t, Options{})
	s := w.s
	id := w.upload(t, file("files", "chair.glb", glb), file("files", "chair_albedo.PNG", "png"), file("files", "chair.bin", "bin"))

	if got := s.Uploads(); len(got) != 1 || got[0].TaskID != id || got[0].FolderID != w.folder || got[0].UserID != w.user ||
		!slices.Equal(got[0].Files, []string{"chair.glb", "chair_albedo.PNG", "chair.bin"}) || got[0].Bytes != int64(len(glb)+6) {
		t.Errorf("Uploads %+v", got)
	}
	// The assets exist at once.
	assets := s.Assets(w.folder)
	if len(assets) != 2 || assets[0].Type != "scene" || assets[0].Name != "chair" || assets[1].Type != "texture" || assets[1].Name != "chair_albedo" {
		t.Fatalf("Assets %+v", assets)
	}
	if got := s.Assets(""); len(got) != 2 || s.Assets("other") != nil {
		t.Errorf("Assets of every folder %d, of another %v", len(got), s.Assets("other"))
	}
	listed := call(t, s, http.MethodGet, "/folders/"+w.folder+"/assets", tok(w.token), nil).list(t)
	if len(listed) != 2 || listed[0]["asset_id"] != assets[0].ID || listed[0]["asset_type"] != "scene" || listed[0]["name"] != "chair" ||
		listed[0]["source_file_id"] != assets[0].SourceFileID || listed[0]["created_at"] == nil {
		t.Errorf("folder assets %v", listed)
	}

	type want struct {
		status      string
		min, max    float64 // the task's progress
		conv        string
		cmin, cmax  float64
		advanceThen time.Duration
	}
	for i, st := range []want{
		{StatusWaiting, 0, 0, StatusPending, 0, 0, step / 2},
		{StatusWaiting, 0, 0, StatusPending, 0, 0, step / 2},
		{StatusDownloading, 25, 25, StatusPending, 0, 0, step / 2},
		{StatusDownloading, 37, 38, StatusPending, 0, 0, step / 2},
		{StatusPending, 50, 50, StatusPending, 0, 0, step},
		{StatusConverting, 75, 75, StatusConverting, 10, 10, step / 2},
		{StatusConverting, 87, 88, StatusConverting, 55, 55, step / 2},
		{StatusSuccess, 100, 100, StatusSuccess, 100, 100, time.Hour},
		{StatusSuccess, 100, 100, StatusSuccess, 100, 100, 0},
	} {
		task := w.task(t, id)
		p, _ := task["progress"].(float64)
		if task["status"] != st.status || p < st.min || p > st.max {
			t.Errorf("step %d: %s %v, want %s %v..%v", i, task["status"], p, st.status, st.min, st.max)
		}
		convs := conversions(task)
		if len(convs) != 2 {
			t.Fatalf("step %d: conversions %v", i, task["conversion_tasks"])
		}
		for _, c := range convs {
			cp, _ := c["progress"].(float64)
			if c["status"] != st.conv || cp < st.cmin || cp > st.cmax {
				t.Errorf("step %d: conversion %s %v, want %s %v..%v", i, c["status"], cp, st.conv, st.cmin, st.cmax)
			}
		}
		if i == 0 {
			if task["upload_task_id"] != id || task["folder_id"] != w.folder || task["uploaded_by"] != w.user || task["message"] != nil {
				t.Errorf("task %v", task)
			}
			if _, err := time.Parse(time.RFC3339, task["uploaded_at"].(string)); err != nil {
				t.Errorf("uploaded_at: %v", err)
			}
			for j, c := range convs {
				if c["asset_id"] != assets[j].ID || c["source_file_id"] != assets[j].SourceFileID || c["conversion_pipeline"] != assets[j].Type {
					t.Errorf("conversion %d: %v", j, c)
				}
			}
			if convs[0]["source_file_name"] != "chair.glb" || convs[1]["source_file_name"] != "chair_albedo.PNG" {
				t.Errorf("conversion names %v", convs)
			}
		}
		s.Clock().Advance(st.advanceThen)
	}

	// What the client asks once the task succeeded.
	for _, a := range assets {
		l := call(t, s, http.MethodGet, "/source-files/"+a.SourceFileID+"/assets", tok(w.token), nil).list(t)
		if len(l) != 1 || l[0]["asset_id"] != a.ID || l[0]["asset_type"] != a.Type || l[0]["name"] != a.Name {
			t.Errorf("source file assets %v", l)
		}
		d := call(t, s, http.MethodGet, "/assets/"+a.Type+"/"+a.ID+"/description", tok(w.token), nil).obj(t)
		if d["asset_id"] != a.ID || d["asset_type"] != a.Type || d["name"] != a.Name || d["source_file_id"] != a.SourceFileID || d["created_at"] == nil {
			t.Errorf("description %v", d)
		}
	}
	name, data, ok := s.SourceFile(assets[0].SourceFileID)
	if !ok || name != "chair.glb" || string(data) != glb {
		t.Errorf("SourceFile: %v %q %q", ok, name, data)
	}
	if _, _, ok := s.SourceFile("nope"); ok {
		t.Error("SourceFile of nothing")
	}
	call(t, s, http.MethodGet, "/assets/texture/"+assets[0].ID+"/description", tok(w.token), nil).refused(t, "another type", 404, "not_found", "texture "+assets[0].ID+" not found")
	call(t, s, http.MethodGet, "/source-files/nope/assets", tok(w.token), nil).refused(t, "unknown", 404, "not_found", "source file nope not found")
	call(t, s, http.MethodGet, "/upload-tasks/nope", tok(w.token), nil).refused(t, "unknown", 404, "not_found", "upload task nope not found")

	// Another user without access to the folder sees none of it.
	other := s.UserToken(s.RegisterUser("other"), AccessManage, time.Hour)
	for _, path := range []string{"/upload-tasks/" + id, "/source-files/" + assets[0].SourceFileID + "/assets", "/assets/scene/" + assets[0].ID + "/description"} {
		call(t, s, http.MethodGet, path, tok(other), nil).refused(t, path, 403, "forbidden", "has no access")
	}
}

func TestUploadFields(t *testing.T) {
	w := setup(t, Options{})
	path := "/folders/" + w.folder + "/source-files"
	for _, c := range []struct {
		what  string
		parts []part
		files []string
	}{
		{"file", []part{file("file", "a.glb", glb)}, []string{"a.glb"}},
		{"files", []part{file("files", "a.glb", glb)}, []string{"a.glb"}},
		{"several in file", []part{file("file", "a.gltf", `{"asset":{"version":"2.0"}}`), file("file", "a.bin", "bin")}, []string{"a.gltf", "a.bin"}},
		{"both fields", []part{file("file", "a.glb", glb), file("files", "b.png", "png")}, []string{"a.glb", "b.png"}},
		{"others ignored", []part{file("model", "x.glb", glb), {"name", "", "x"}, file("files", "a.glb", glb)}, []string{"a.glb"}},
	} {
		a := call(t, w.s, http.MethodPost, path, tok(w.token), multipartBody(t, c.parts...))
		ups := w.s.Uploads()
		if a.status != 202 || !slices.Equal(ups[len(ups)-1].Files, c.files) {
			t.Errorf("%s: %d %s, %+v", c.what, a.status, a.raw, ups[len(ups)-1])
		}
	}
	n := len(w.s.Uploads())
	call(t, w.s, http.MethodPost, path, tok(w.token), multipartBody(t, file("model", "x.glb", glb), part{"file", "", "text"})).
		refused(t, "no file field", 400, "bad_request", MsgNoFile)
	call(t, w.s, http.MethodPost, path, tok(w.token), multipartBody(t)).refused(t, "no parts", 400, "bad_request", MsgNoFile)
	call(t, w.s, http.MethodPost, path, tok(w.token), `{"file":"a.glb"}`).refused(t, "JSON", 400, "bad_request", "must be multipart/form-data")
	call(t, w.s, http.MethodPost, "/folders/nope/source-files", tok(w.token), multipartBody(t, file("file", "a.glb", glb))).
		refused(t, "unknown folder", 404, "not_found", "folder nope not found")
	if len(w.s.Uploads()) != n {
		t.Error("a refused upload was filed")
	}
	// Cut off in the middle.
	f := multipartBody(t, file("file", "a.glb", glb))
	f.buf.Truncate(f.buf.Len() - 10)
	call(t, w.s, http.MethodPost, path, tok(w.token), f).refused(t, "cut off", 400, "bad_request", "unreadable multipart")
}

func TestUploadTooLarge(t *testing.T) {
	w := setup(t, Options{maxUpload: 64 << 10}) // the 512 MiB cap, made small
	if New(t, Options{}).maxUpload != 512<<20 {
		t.Error("the cap is not 512 MiB")
	}
	path := "/folders/" + w.folder + "/source-files"
	big := strings.Repeat("x", 64<<10)
	call(t, w.s, http.MethodPost, path, tok(w.token), multipartBody(t, file("file", "a.glb", "glTF"+big))).
		refused(t, "too large", 413, "payload_too_large", "larger than 65536 bytes")
	call(t, w.s, http.MethodPost, path, tok(w.token), multipartBody(t, file("other", "a.glb", big))).
		refused(t, "too large, in an ignored field", 413, "payload_too_large", "larger than")
	if a := call(t, w.s, http.MethodPost, path, tok(w.token), multipartBody(t, file("file", "a.glb", "glTF"+big[:60<<10]))); a.status != 202 {
		t.Errorf("under the cap: %d %s", a.status, a.raw)
	}
	// A refusal before the body is read still reaches a client sending a large one.
	other := w.s.CreateFolder("not granted").ID
	call(t, w.s, http.MethodPost, "/folders/"+other+"/source-files", tok(w.token), multipartBody(t, file("file", "a.glb", "glTF"+big[:60<<10]))).
		refused(t, "no grant", 403, "forbidden", "no write access")
}

func TestRejected(t *testing.T) {
	w := setup(t, Options{})
	for _, c := range []struct {
		what  string
		parts []part
		why   string
	}{
		{"not binary glTF", []part{file("files", "chair.glb", "PK\x03\x04zip")}, `chair.glb is not a binary glTF file: it does not start with "glTF"`},
		{"gltf without asset", []part{file("files", "chair.gltf", `{"scenes":[]}`)}, `chair.gltf is not a glTF file`},
		{"gltf not JSON", []part{file("files", "chair.gltf", `glTF`)}, `chair.gltf is not a glTF file`},
		{"no model", []part{file("files", "wood.png", "png"), file("files", "x.bin", "b")}, "no model among wood.png, x.bin"},
		{"an empty model", []part{file("files", "chair.obj", "")}, "chair.obj is empty"},
	} {
		id := w.upload(t, c.parts...)
		if task := w.task(t, id); task["status"] != StatusWaiting {
			t.Errorf("%s: first %v", c.what, task)
		}
		w.s.Clock().Advance(step)
		task := w.task(t, id)
		msg, _ := task["message"].(string)
		if task["status"] != StatusRejected || !strings.Contains(msg, c.why) || len(conversions(task)) != 0 {
			t.Errorf("%s: %v", c.what, task)
		}
	}
	if a := w.s.Assets(w.folder); len(a) != 0 {
		t.Errorf("rejected uploads made assets %+v", a)
	}

	w.s.RejectNextUpload("the file is infected")
	id := w.upload(t, file("files", "chair.glb", glb))
	next := w.upload(t, file("files", "chair.glb", glb))
	w.s.Clock().Advance(step)
	if task := w.task(t, id); task["status"] != StatusRejected || task["message"] != "the file is infected" {
		t.Errorf("RejectNextUpload: %v", task)
	}
	if task := w.task(t, next); task["status"] != StatusDownloading {
		t.Errorf("the upload after it: %v", task)
	}
	w.s.RejectNextUpload("")
	id = w.upload(t, file("files", "chair.glb", glb))
	w.s.Clock().Advance(time.Hour)
	if task := w.task(t, id); task["status"] != StatusRejected || task["message"] == "" {
		t.Errorf("RejectNextUpload without a reason: %v", task)
	}
	if n := len(w.s.Uploads()); n != 8 {
		t.Errorf("%d uploads", n)
	}
}

func TestFailedConversion(t *testing.T) {
	w := setup(t, Options{})
	w.s.FailNextConversion("scene")
	failed := w.upload(t, file("files", "wood.png", "png"), file("files", "chair.glb", glb), file("files", "table.glb", glb))
	ok := w.upload(t, file("files", "chair.glb", glb))
	w.s.Clock().Advance(3 * step)
	task := w.task(t, failed)
	if task["status"] != StatusConverting {
		t.Errorf("before its end: %v", task)
	}
	w.s.Clock().Advance(step)
	task = w.task(t, failed)
	convs := conversions(task)
	if task["status"] != StatusError || len(convs) != 3 {
		t.Fatalf("failed: %v", task)
	}
	for i, want := range []struct{ name, pipeline, status string }{
		{"wood.png", "texture", StatusSuccess},
		{"chair.glb", "scene", StatusError},
		{"table.glb", "scene", StatusSuccess},
	} {
		if c := convs[i]; c["source_file_name"] != want.name || c["conversion_pipeline"] != want.pipeline || c["status"] != want.status {
			t.Errorf("conversion %d: %v", i, c)
		}
	}
	if task := w.task(t, ok); task["status"] != StatusSuccess {
		t.Errorf("the upload after it: %v", task)
	}

	// The pipeline's name is the one given; a rejected upload does not take the failure.
	w.s.FailNextConversion("scene-v2")
	w.s.RejectNextUpload("no")
	rejected := w.upload(t, file("files", "chair.glb", glb))
	id := w.upload(t, file("files", "chair.glb", glb))
	w.s.Clock().Advance(time.Hour)
	if task := w.task(t, rejected); task["status"] != StatusRejected {
		t.Errorf("rejected: %v", task)
	}
	task = w.task(t, id)
	if c := conversions(task); task["status"] != StatusError || len(c) != 1 || c[0]["conversion_pipeline"] != "scene-v2" || c[0]["status"] != StatusError {
		t.Errorf("scene-v2: %v", task)
	}
}

func TestAssetsByType(t *testing.T) {
	w := setup(t, Options{AssetsByType: true})
	w.upload(t, file("files", "chair.glb", glb), file("files", "wood.png", "png"), file("files", "oak.jpg", "jpg"))
	var byType map[string][]map[string]any
	a := call(t, w.s, http.MethodGet, "/folders/"+w.folder+"/assets", tok(w.token), nil)
	if err := json.Unmarshal(a.raw, &byType); err != nil {
		t.Fatalf("%s: %v", a.raw, err)
	}
	if len(byType) != 2 || len(byType["scenes"]) != 1 || len(byType["textures"]) != 2 || byType["textures"][1]["name"] != "oak" {
		t.Errorf("by type %s", a.raw)
	}
}

// TestTimeRuns shows the real time moving tasks on too, as in a demo.
func TestTimeRuns(t *testing.T) {
	w := setup(t, Options{Step: time.Millisecond})
	id := w.upload(t, file("files", "chair.glb", glb))
	deadline := time.Now().Add(5 * time.Second)
	for w.task(t, id)["status"] != StatusSuccess {
		if time.Now().After(deadline) {
			t.Fatalf("still %v", w.task(t, id))
		}
		time.Sleep(2 * time.Millisecond)
	}
	if s := New(t, Options{}); s.step != DefaultStep {
		t.Errorf("default step %v", s.step)
	}
}

// TestConcurrent uploads and polls from many goroutines at once, for the race detector.
func TestConcurrent(t *testing.T) {
	w := setup(t, Options{})
	var wg sync.WaitGroup
	for i := range 8 {
		wg.Go(func() {
			id := w.upload(t, file("files", fmt.Sprintf("m%d.glb", i), glb))
			for range 5 {
				w.task(t, id)
				w.s.Clock().Advance(step)
			}
			call(t, w.s, http.MethodGet, "/folders", key(w.key), nil)
			w.s.Requests()
			w.s.Assets(w.folder)
		})
	}
	wg.Wait()
	if n := len(w.s.Uploads()); n != 8 {
		t.Errorf("%d uploads", n)
	}
	for _, u := range w.s.Uploads() {
		if task := w.task(t, u.TaskID); task["status"] != StatusSuccess {
			t.Errorf("%s: %v", u.Files, task)
		}
	}
}
