package app

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/kiln3d/kiln/providers"
	"github.com/kiln3d/kiln/providers/providertest"
)

// openPublishing opens a Kiln on home with a fake provider and the fake target tg, and files one
// finished model in its library; it returns the Kiln and the asset's id.
func openPublishing(t *testing.T, home string, tg *providertest.FakeTarget, opts QueueOptions) (*Kiln, string) {
	t.Helper()
	fake := providertest.NewFake("fake")
	fake.Caps.Offline = true
	reg := mustRegistry(t, fake)
	if err := reg.AddTargets(tg); err != nil {
		t.Fatal(err)
	}
	k, err := Open(Options{Home: home, Providers: reg, Queue: opts})
	if err != nil {
		t.Fatal(err)
	}
	assets, _ := k.Library.List()
	if len(assets) > 0 {
		return k, assets[0].ID
	}
	j, err := k.Jobs.Submit(context.Background(), "fake", request(writePNG(t, t.TempDir(), "chair.png")))
	if err != nil {
		t.Fatal(err)
	}
	if done := wait(t, k, j.ID); done.State != Done {
		t.Fatalf("the model was not made: %s %s", done.State, done.Error)
	}
	return k, j.ID
}

func TestPublishRecordsProvenanceAndAsksBeforePublishingAgain(t *testing.T) {
	tg := providertest.NewFakeTarget("verse")
	k, asset := openPublishing(t, t.TempDir(), tg, QueueOptions{})
	defer k.Close()
	ctx := context.Background()

	var rec recorder
	defer k.Jobs.Subscribe(rec.add)()
	j, err := k.Jobs.Publish(ctx, "verse", asset, providers.Folder{Name: "Props"}, PublishAsk)
	if err != nil {
		t.Fatal(err)
	}
	if j.Kind != KindPublish || j.Name() != "chair" {
		t.Errorf("job kind %q, name %q", j.Kind, j.Name())
	}
	done := wait(t, k, j.ID)
	if done.State != Done {
		t.Fatalf("publish ended %s: %s", done.State, done.Error)
	}
	if got := rec.states(j.ID); strings.Join(stateNames(got), ",") != "queued,running,done" {
		t.Errorf("states %v", got)
	}
	if !strings.Contains(done.Message, "1 asset") || !strings.Contains(done.Message, "Props") {
		t.Errorf("message %q should say what was made where", done.Message)
	}
	folders, _ := tg.Folders(ctx)
	if len(folders) != 1 || folders[0].Name != "Props" {
		t.Fatalf("folders %+v: the named folder should have been made once", folders)
	}
	if done.Publish.Folder.ID != folders[0].ID {
		t.Errorf("the job keeps folder %+v, want %+v", done.Publish.Folder, folders[0])
	}
	a, err := k.Library.Get(asset)
	if err != nil {
		t.Fatal(err)
	}
	pubs := a.PublishedTo("verse")
	if len(pubs) != 1 || pubs[0].Assets[0].ID != "asset-upload-1" || pubs[0].Folder.Name != "Props" ||
		pubs[0].JobID != j.ID || pubs[0].Published.IsZero() {
		t.Fatalf("provenance %+v", a.Published)
	}
	// The provenance is in the sidecar, read back from disk.
	lib, _ := OpenLibrary(k.Library.Dir(), nil)
	if again, _ := lib.Get(asset); len(again.Published) != 1 || again.Damaged != "" {
		t.Fatalf("read back: %+v damaged %q", again.Published, again.Damaged)
	}

	// Publishing again asks: replace or add.
	_, err = k.Jobs.Publish(ctx, "verse", asset, providers.Folder{Name: "Props"}, PublishAsk)
	if !errors.Is(err, ErrPublishedBefore) || !strings.Contains(err.Error(), `"Props"`) {
		t.Fatalf("publishing again without a choice: %v", err)
	}
	// Add keeps both; the existing folder is found, not made again.
	add, err := k.Jobs.Publish(ctx, "verse", asset, providers.Folder{Name: "Props"}, PublishAdd)
	if err != nil {
		t.Fatal(err)
	}
	wait(t, k, add.ID)
	a, _ = k.Library.Get(asset)
	if len(a.PublishedTo("verse")) != 2 {
		t.Fatalf("after add: %+v", a.Published)
	}
	if folders, _ := tg.Folders(ctx); len(folders) != 1 {
		t.Errorf("folders %+v: Props was made twice", folders)
	}
	// Replace marks both earlier ones replaced, and keeps them in the record.
	repl, err := k.Jobs.Publish(ctx, "verse", asset, providers.Folder{ID: folders[0].ID}, PublishReplace)
	if err != nil {
		t.Fatal(err)
	}
	wait(t, k, repl.ID)
	a, _ = k.Library.Get(asset)
	current := a.PublishedTo("verse")
	if len(a.Published) != 3 || len(current) != 1 || current[0].JobID != repl.ID {
		t.Fatalf("after replace: %+v", a.Published)
	}
	if n := len(tg.Uploads()); n != 3 {
		t.Errorf("%d uploads for three publications", n)
	}
}

func stateNames(states []State) []string {
	out := make([]string, len(states))
	for i, s := range states {
		out[i] = string(s)
	}
	return out
}

func TestPublishRefusesWhatCannotBePublished(t *testing.T) {
	tg := providertest.NewFakeTarget("verse")
	tg.Info.Formats = []string{"fbx"}
	k, asset := openPublishing(t, t.TempDir(), tg, QueueOptions{})
	defer k.Close()
	ctx := context.Background()
	for name, c := range map[string]struct {
		target, asset string
		folder        providers.Folder
		want          string
	}{
		"unknown target":  {"nowhere", asset, providers.Folder{Name: "x"}, `unknown target "nowhere"`},
		"unknown asset":   {"verse", "nope", providers.Folder{Name: "x"}, "no such asset"},
		"no folder":       {"verse", asset, providers.Folder{Name: "  "}, "pick or name a folder"},
		"format it lacks": {"verse", asset, providers.Folder{Name: "x"}, "takes fbx models, not .glb"},
	} {
		if _, err := k.Jobs.Publish(ctx, c.target, c.asset, c.folder, PublishAsk); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: %v, want %q", name, err, c.want)
		}
	}
	if jobs, _ := k.Jobs.Jobs(ctx); len(jobs) != 1 {
		t.Errorf("%d jobs: a refused publication must leave none", len(jobs))
	}
	// A model changed on disk after it was filed is refused by name, before anything is queued.
	tg.Info.Formats = []string{"glb"}
	a, _ := k.Library.Get(asset)
	if err := os.WriteFile(a.ModelPath(), []byte("glTF tampered"), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := k.Jobs.Publish(ctx, "verse", asset, providers.Folder{Name: "x"}, PublishAsk); !errors.Is(err, ErrDamaged) {
		t.Errorf("a tampered model: %v", err)
	}
	if len(tg.Uploads()) != 0 {
		t.Error("something was uploaded")
	}
}

func TestPublishCancelAndRetryFollowTheUploadAlreadySent(t *testing.T) {
	tg := providertest.NewFakeTarget("verse")
	tg.Hold = make(chan struct{})
	k, asset := openPublishing(t, t.TempDir(), tg, QueueOptions{})
	defer k.Close()
	ctx := context.Background()
	j, err := k.Jobs.Publish(ctx, "verse", asset, providers.Folder{Name: "Props"}, PublishAsk)
	if err != nil {
		t.Fatal(err)
	}
	waitFor(t, "the upload", func() bool { return len(tg.Uploads()) == 1 })
	waitFor(t, "the handle saved", func() bool {
		got, _ := k.Jobs.Job(ctx, j.ID)
		return strings.Contains(string(got.Remote.State), "upload-1")
	})
	if err := k.Jobs.Cancel(j.ID); err != nil {
		t.Fatal(err)
	}
	cancelled := wait(t, k, j.ID)
	if cancelled.State != Cancelled || !strings.Contains(cancelled.Message, "without uploading again") {
		t.Fatalf("cancelled: %s %q", cancelled.State, cancelled.Message)
	}
	if _, err := k.Jobs.Retry(j.ID); err != nil {
		t.Fatal(err)
	}
	close(tg.Hold)
	done := wait(t, k, j.ID)
	if done.State != Done {
		t.Fatalf("retry: %s %s", done.State, done.Error)
	}
	if n := len(tg.Uploads()); n != 1 {
		t.Errorf("%d uploads: the retry uploaded again instead of following the first", n)
	}
	// A conversion the target could not do is uploaded anew on retry.
	tg.FailNext(&providers.APIError{Provider: "verse", Op: "convert", Kind: providers.ErrGenerationFailed,
		Message: `the conversion failed in the "scene" pipeline`})
	again, err := k.Jobs.Publish(ctx, "verse", asset, providers.Folder{Name: "Props"}, PublishAdd)
	if err != nil {
		t.Fatal(err)
	}
	failed := wait(t, k, again.ID)
	if failed.State != Failed || failed.ErrorKind != FailProvider || !strings.Contains(failed.Error, `"scene" pipeline`) {
		t.Fatalf("failed conversion: %s %s %q", failed.State, failed.ErrorKind, failed.Error)
	}
	if a, _ := k.Library.Get(asset); len(a.Published) != 1 {
		t.Errorf("a failed publication was recorded: %+v", a.Published)
	}
	retried, err := k.Jobs.Retry(again.ID)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(retried.Message, "uploading it again") {
		t.Errorf("retry message %q", retried.Message)
	}
	if done := wait(t, k, again.ID); done.State != Done {
		t.Fatalf("retry of the failed conversion: %s %s", done.State, done.Error)
	}
	if n := len(tg.Uploads()); n != 3 {
		t.Errorf("%d uploads, want 3 (1 + the failed one + its retry)", n)
	}
}

func TestPublishTransientFailureIsTriedAgainWithoutUploading(t *testing.T) {
	tg := providertest.NewFakeTarget("verse")
	k, asset := openPublishing(t, t.TempDir(), tg, QueueOptions{CollectBackoff: time.Millisecond})
	defer k.Close()
	tg.FailNext(&providers.APIError{Provider: "verse", Op: "follow the upload", Status: 503, Kind: providers.ErrServer, Message: "busy"})
	j, err := k.Jobs.Publish(context.Background(), "verse", asset, providers.Folder{Name: "Props"}, PublishAsk)
	if err != nil {
		t.Fatal(err)
	}
	if done := wait(t, k, j.ID); done.State != Done {
		t.Fatalf("%s %s", done.State, done.Error)
	}
	if n := len(tg.Uploads()); n != 1 {
		t.Errorf("%d uploads after a transient failure", n)
	}
}

func TestPublishSurvivesARestartMidConversion(t *testing.T) {
	home := t.TempDir()
	tg := providertest.NewFakeTarget("verse")
	tg.Hold = make(chan struct{})
	k, asset := openPublishing(t, home, tg, QueueOptions{Lease: 200 * time.Millisecond})
	j, err := k.Jobs.Publish(context.Background(), "verse", asset, providers.Folder{Name: "Props"}, PublishAsk)
	if err != nil {
		t.Fatal(err)
	}
	waitFor(t, "the handle saved", func() bool {
		got, _ := k.Jobs.Job(context.Background(), j.ID)
		return strings.Contains(string(got.Remote.State), "upload-1")
	})
	k.Close() // the job stays running, to be resumed

	close(tg.Hold)
	k2, _ := openPublishing(t, home, tg, QueueOptions{Resume: true, Lease: 200 * time.Millisecond})
	defer k2.Close()
	if resumed := k2.Jobs.Resumed(); len(resumed) != 1 || resumed[0].ID != j.ID {
		t.Fatalf("resumed %+v", resumed)
	}
	if done := wait(t, k2, j.ID); done.State != Done {
		t.Fatalf("%s %s", done.State, done.Error)
	}
	if n := len(tg.Uploads()); n != 1 {
		t.Errorf("%d uploads: the restart uploaded again", n)
	}
}

func TestPublishJobsFromATamperedLedgerFailClearly(t *testing.T) {
	tg := providertest.NewFakeTarget("verse")
	k, asset := openPublishing(t, t.TempDir(), tg, QueueOptions{})
	defer k.Close()
	ctx := context.Background()
	for name, c := range map[string]struct {
		kind    Kind
		target  string
		publish *PublishSpec
		want    string
	}{
		"no spec":        {KindPublish, "verse", nil, "says nothing of what to publish"},
		"unknown kind":   {Kind("teleport"), "verse", nil, `does not know jobs of kind "teleport"`},
		"unknown target": {KindPublish, "nowhere", &PublishSpec{Name: "x", Folder: providers.Folder{Name: "x"}}, `does not publish to "nowhere"`},
	} {
		now := time.Now()
		j := Job{ID: newID("t"), Kind: c.kind, Provider: c.target, Origin: asset, Publish: c.publish, State: Queued,
			Created: now, Updated: now}
		if err := k.store.Insert(ctx, j, k.Jobs.owner, now.Add(time.Minute)); err != nil {
			t.Fatal(err)
		}
		k.Jobs.enqueue(j)
		if done := wait(t, k, j.ID); done.State != Failed || !strings.Contains(done.Error, c.want) {
			t.Errorf("%s: %s %q, want %q", name, done.State, done.Error, c.want)
		}
	}
}

func TestTamperedPublicationMarksTheAssetDamaged(t *testing.T) {
	tg := providertest.NewFakeTarget("verse")
	k, asset := openPublishing(t, t.TempDir(), tg, QueueOptions{})
	defer k.Close()
	a, _ := k.Library.Get(asset)
	var side map[string]any
	path := filepath.Join(a.Dir, sidecarName)
	data, _ := os.ReadFile(path)
	if err := json.Unmarshal(data, &side); err != nil {
		t.Fatal(err)
	}
	side["published"] = []map[string]any{{"target": "verse", "job_id": "j", "assets": []map[string]any{{"id": ""}}}}
	data, _ = json.Marshal(side)
	if err := os.WriteFile(path, data, 0o644); err != nil {
		t.Fatal(err)
	}
	got, _ := k.Library.Get(asset)
	if !strings.Contains(got.Damaged, "without a sane id") || got.Published != nil {
		t.Errorf("damaged %q, published %+v", got.Damaged, got.Published)
	}
}

func TestPublishFilesOfAGLTFAreItsBuffersAndImages(t *testing.T) {
	dir := t.TempDir()
	write := func(name, data string) {
		t.Helper()
		p := filepath.Join(dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(data), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	gltf := func(uris ...string) {
		t.Helper()
		doc := map[string]any{"asset": map[string]any{"version": "2.0"}}
		var buffers, images []map[string]any
		for _, u := range uris {
			if strings.HasSuffix(u, ".bin") {
				buffers = append(buffers, map[string]any{"uri": u, "byteLength": 4})
			} else {
				images = append(images, map[string]any{"uri": u})
			}
		}
		doc["buffers"], doc["images"] = buffers, images
		data, _ := json.Marshal(doc)
		write("chair.gltf", string(data))
	}
	write("chair.bin", "1234")
	write("textures/wood grain.png", "png")
	a := Asset{Name: "chair", Dir: dir, Files: []FileRecord{{Path: "chair.gltf"}}}

	gltf("chair.bin", "textures/wood%20grain.png", "chair.bin", "data:image/png;base64,AAAA")
	files, err := publishFiles(a)
	if err != nil {
		t.Fatal(err)
	}
	want := []string{filepath.Join(dir, "chair.gltf"), filepath.Join(dir, "chair.bin"), filepath.Join(dir, "textures", "wood grain.png")}
	if strings.Join(files, "|") != strings.Join(want, "|") {
		t.Errorf("files %q, want %q", files, want)
	}
	for uri, reason := range map[string]string{
		"../../etc/passwd": "not a file beside it",
		"/etc/passwd":      "not a file beside it",
		"missing.png":      "which is missing",
	} {
		gltf("chair.bin", uri)
		if _, err := publishFiles(a); err == nil || !strings.Contains(err.Error(), reason) {
			t.Errorf("%s: %v, want %q", uri, err, reason)
		}
	}
	// A link inside the folder that leads out of it is refused too.
	if err := os.Symlink("/etc/hostname", filepath.Join(dir, "out.png")); err != nil {
		t.Fatal(err)
	}
	gltf("out.png")
	if _, err := publishFiles(a); err == nil || !strings.Contains(err.Error(), "leads out of its folder") {
		t.Errorf("a link out of the folder: %v", err)
	}
}

func TestPublicationsRecordedAtOnceByTwoKilnsAreAllKept(t *testing.T) {
	tg := providertest.NewFakeTarget("verse")
	k, asset := openPublishing(t, t.TempDir(), tg, QueueOptions{})
	defer k.Close()
	var wg sync.WaitGroup
	for i := range 12 {
		// Each its own Library, as two processes would have.
		lib, err := OpenLibrary(k.Library.Dir(), nil)
		if err != nil {
			t.Fatal(err)
		}
		wg.Go(func() {
			pub := Publication{Target: "verse", JobID: fmt.Sprintf("job-%d", i), Published: time.Now(),
				Assets: []providers.PublishedAsset{{ID: fmt.Sprintf("a-%d", i)}}}
			if _, err := lib.RecordPublished(asset, pub, false); err != nil {
				t.Error(err)
			}
		})
	}
	wg.Wait()
	a, _ := k.Library.Get(asset)
	if len(a.Published) != 12 || a.Damaged != "" {
		t.Errorf("%d publications kept of 12 (damaged %q)", len(a.Published), a.Damaged)
	}
}
