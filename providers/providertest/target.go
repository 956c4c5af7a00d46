package providertest

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/kiln3d/kiln/providers"
)

// TargetSuite is what RunTarget needs to know of a target and of the service behind it.
type TargetSuite struct {
	// Model is a .glb the target accepts.
	Model string
	// Uploads says how many uploads the service has received so far (a fake's count). It is
	// required: that no upload is ever sent twice is what the suite is for.
	Uploads func() int
	// Secrets are values that must never appear in an error or in Log: the credential's fields,
	// the session tokens the service issued.
	Secrets []string
	// Log is where the target logs, or nil.
	Log *LogBuffer
	// Folder is where the suite publishes; when its ID is "", the folder the suite creates.
	Folder providers.Folder
}

// promptly bounds how long a cancelled call may take to return.
const promptly = 2 * time.Second

// RunTarget is the conformance suite every publishing target passes: it checks the contract
// written on providers.Target against tg. It creates a folder and publishes o.Model several
// times.
func RunTarget(t *testing.T, tg providers.Target, o TargetSuite) {
	if o.Uploads == nil {
		t.Fatal("TargetSuite.Uploads is required: the suite counts the uploads the service received")
	}
	info := tg.Describe()
	var (
		errsMu sync.Mutex
		errs   []error
	)
	keep := func(err error) {
		if err != nil {
			errsMu.Lock()
			errs = append(errs, err)
			errsMu.Unlock()
		}
	}
	t.Run("Describe", func(t *testing.T) { describeTarget(t, tg, info) })
	folder := o.Folder
	t.Run("Folders", func(t *testing.T) {
		made := foldersRoundTrip(t, tg, keep)
		if folder.ID == "" {
			folder = made
		}
	})
	if folder.ID == "" {
		t.Fatal("no folder to publish to: the round trip failed")
	}
	pub := providers.Publication{Folder: folder, Name: "Kiln conformance", Files: []string{o.Model}}
	t.Run("Publish", func(t *testing.T) { publishThenAgain(t, tg, pub, o, keep) })
	t.Run("ResumeAfterCrash", func(t *testing.T) { resumeAfterCrash(t, tg, pub, o, keep) })
	t.Run("Cancelled", func(t *testing.T) { cancelled(t, tg, pub, o, keep) })
	t.Run("MissingModel", func(t *testing.T) {
		missing := pub
		missing.Files = []string{filepath.Join(t.TempDir(), "missing.glb")}
		before := o.Uploads()
		saved := 0
		_, err := tg.Publish(context.Background(), missing, nil, func(json.RawMessage) error { saved++; return nil }, func(providers.Progress) {})
		keep(err)
		var input *providers.InputError
		if !errors.As(err, &input) || !errors.Is(err, providers.ErrInvalidInput) {
			t.Errorf("a missing model: %v, want a *providers.InputError", err)
		}
		if err != nil && !strings.Contains(err.Error(), "missing.glb") {
			t.Errorf("the refusal does not name the file: %v", err)
		}
		if n := o.Uploads(); n != before {
			t.Errorf("a missing model was uploaded (%d uploads, %d before)", n, before)
		}
		if saved != 0 {
			t.Errorf("a refused publication saved %d handles", saved)
		}
	})
	if e, ok := tg.(providers.Endpointed); ok {
		t.Run("Endpoint", func(t *testing.T) { endpoint(t, e) })
	}
	t.Run("NoSecretShows", func(t *testing.T) {
		errsMu.Lock()
		defer errsMu.Unlock()
		for _, s := range o.Secrets {
			if len(s) < 8 {
				continue // too short to tell from an ordinary word
			}
			for _, err := range errs {
				if strings.Contains(err.Error(), s) {
					t.Errorf("an error shows a secret: %v", err)
				}
			}
			if o.Log != nil && strings.Contains(o.Log.String(), s) {
				t.Errorf("the log shows a secret:\n%s", o.Log.String())
			}
		}
	})
}

// describeTarget checks that the target says what it is and takes, and that one needing a key
// can be given one.
func describeTarget(t *testing.T, tg providers.Target, info providers.TargetInfo) {
	if info.Name == "" || info.Title == "" || strings.TrimSpace(info.Help) == "" {
		t.Errorf("name %q, title %q, help %q: all are needed", info.Name, info.Title, info.Help)
	}
	if len(info.Formats) == 0 {
		t.Error("the target takes no format")
	}
	for _, f := range info.Formats {
		if f == "" || f != strings.ToLower(f) || strings.HasPrefix(f, ".") {
			t.Errorf("format %q: want a lower-case name without a dot (\"glb\")", f)
		}
	}
	if !slices.Contains(info.Formats, "glb") {
		t.Errorf("formats %v: the suite publishes a glb", info.Formats)
	}
	seen := map[string]bool{}
	for _, f := range info.KeyFields {
		if f.Key == "" || f.Label == "" || seen[f.Key] {
			t.Errorf("key field %+v: want a unique key and a label", f)
		}
		seen[f.Key] = true
	}
	if s := info.Service(); s.Name != info.Name || s.NeedsKey != (len(info.KeyFields) > 0) {
		t.Errorf("service %+v does not match %+v", s, info)
	}
	if len(info.KeyFields) == 0 {
		return
	}
	keyed, ok := tg.(providers.KeyedTarget)
	if !ok {
		t.Fatal("the target needs a key but does not implement providers.KeyedTarget: the core cannot give it its credential")
	}
	bound := keyed.WithSecrets(NewSecrets(nil))
	if bound == nil || bound.Describe().Name != info.Name {
		t.Fatal("WithSecrets returned another target")
	}
	for _, iface := range []struct {
		name string
		has  func(any) bool
	}{
		{"providers.KeyTester", func(v any) bool { _, ok := v.(providers.KeyTester); return ok }},
		{"providers.Endpointed", func(v any) bool { _, ok := v.(providers.Endpointed); return ok }},
		{"providers.KeyedTarget", func(v any) bool { _, ok := v.(providers.KeyedTarget); return ok }},
	} {
		if iface.has(tg) != iface.has(bound) {
			t.Errorf("the target and what WithSecrets returns differ on %s", iface.name)
		}
	}
}

// foldersRoundTrip lists the folders, creates one, and finds it in the list; it returns the
// folder made.
func foldersRoundTrip(t *testing.T, tg providers.Target, keep func(error)) providers.Folder {
	ctx := context.Background()
	if _, err := tg.Folders(ctx); err != nil {
		keep(err)
		t.Fatalf("list the folders: %v", err)
	}
	name := fmt.Sprintf("Kiln conformance %s", time.Now().Format("150405.000"))
	made, err := tg.CreateFolder(ctx, name)
	keep(err)
	if err != nil {
		t.Fatalf("create a folder: %v", err)
	}
	if made.ID == "" || made.Name != name {
		t.Errorf("CreateFolder(%q) returned %+v: want an id and the name", name, made)
	}
	list, err := tg.Folders(ctx)
	keep(err)
	if err != nil {
		t.Fatalf("list the folders again: %v", err)
	}
	if !slices.ContainsFunc(list, func(f providers.Folder) bool { return f.ID == made.ID }) {
		t.Errorf("the new folder %+v is not among the %d listed", made, len(list))
	}
	return made
}

// recorder keeps what a Publish saved and reported, and how many uploads the service had
// received at each save.
type recorder struct {
	o TargetSuite
	// fail, when set, is asked at each save whether it fails, and with what.
	fail func(uploads int) error

	mu      sync.Mutex
	handles []json.RawMessage
	at      []int
	reports []providers.Progress
}

func (r *recorder) save(h json.RawMessage) error {
	n := r.o.Uploads()
	if r.fail != nil {
		if err := r.fail(n); err != nil {
			return err
		}
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	r.handles = append(r.handles, slices.Clone(h))
	r.at = append(r.at, n)
	return nil
}

func (r *recorder) report(p providers.Progress) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.reports = append(r.reports, p)
}

// last is the last handle saved, nil when none was.
func (r *recorder) last() json.RawMessage {
	r.mu.Lock()
	defer r.mu.Unlock()
	if len(r.handles) == 0 {
		return nil
	}
	return r.handles[len(r.handles)-1]
}

// check checks the handles and reports of a Publish that ended well.
func (r *recorder) check(t *testing.T, secrets []string) {
	t.Helper()
	r.mu.Lock()
	defer r.mu.Unlock()
	if len(r.reports) == 0 {
		t.Error("Publish reported no progress")
	}
	for _, p := range r.reports {
		if p.Phase != providers.PhaseUploading && p.Phase != providers.PhaseRunning {
			t.Errorf("progress in phase %q: want uploading or running", p.Phase)
		}
		if p.Fraction > 1 {
			t.Errorf("progress fraction %v above 1", p.Fraction)
		}
	}
	for _, h := range r.handles {
		if !json.Valid(h) {
			t.Errorf("a saved handle is not JSON: %q", h)
		}
		for _, s := range secrets {
			if len(s) >= 8 && strings.Contains(string(h), s) {
				t.Errorf("a saved handle holds a secret: %s", h)
			}
		}
	}
}

// assetIDs are the ids of a publication's assets, sorted.
func assetIDs(p providers.Published) []string {
	ids := make([]string, 0, len(p.Assets))
	for _, a := range p.Assets {
		ids = append(ids, a.ID)
	}
	slices.Sort(ids)
	return ids
}

// publishThenAgain publishes the model, checks the handles saved around the upload, then
// publishes again with the last handle, which must send nothing and return the same assets.
func publishThenAgain(t *testing.T, tg providers.Target, pub providers.Publication, o TargetSuite, keep func(error)) {
	ctx := context.Background()
	before := o.Uploads()
	r := &recorder{o: o}
	got, err := tg.Publish(ctx, pub, nil, r.save, r.report)
	keep(err)
	if err != nil {
		t.Fatal(err)
	}
	r.check(t, o.Secrets)
	if len(got.Assets) == 0 {
		t.Fatal("Publish returned no assets")
	}
	for _, a := range got.Assets {
		if a.ID == "" {
			t.Errorf("an asset without an id: %+v", a)
		}
	}
	if len(r.handles) < 2 {
		t.Fatalf("Publish saved %d handles: want one before the upload leaves and one once its id is known", len(r.handles))
	}
	if n := o.Uploads(); n != before+1 {
		t.Errorf("one publication made %d uploads", n-before)
	}
	if r.at[0] != before {
		t.Errorf("the first handle was saved after the upload left: save it before")
	}
	if r.at[len(r.at)-1] != before+1 {
		t.Errorf("the last handle was saved before the upload was received")
	}
	// Again, as after a restart: the same assets, no upload.
	again := &recorder{o: o}
	got2, err := tg.Publish(ctx, pub, r.last(), again.save, again.report)
	keep(err)
	if err != nil {
		t.Fatalf("publishing again with the last handle: %v", err)
	}
	if n := o.Uploads(); n != before+1 {
		t.Errorf("publishing again with the last handle uploaded again (%d uploads)", n-before)
	}
	if a, b := assetIDs(got), assetIDs(got2); !slices.Equal(a, b) {
		t.Errorf("publishing again returned assets %v, the first time %v", b, a)
	}
}

// errCrash stands for a save that fails: the disk full, the process killed.
var errCrash = errors.New("the handle could not be saved (a simulated crash)")

// resumeAfterCrash publishes with a save that fails once the upload has been received, as if
// Kiln stopped between the upload and saving its id, then publishes again with the last handle
// saved: the upload must not be sent again.
func resumeAfterCrash(t *testing.T, tg providers.Target, pub providers.Publication, o TargetSuite, keep func(error)) {
	ctx := context.Background()
	before := o.Uploads()
	r := &recorder{o: o, fail: func(n int) error {
		if n > before {
			return errCrash
		}
		return nil
	}}
	_, err := tg.Publish(ctx, pub, nil, r.save, r.report)
	keep(err)
	if !errors.Is(err, errCrash) {
		t.Fatalf("a save that failed: Publish returned %v, want an error wrapping the save's", err)
	}
	if n := o.Uploads(); n != before+1 {
		t.Fatalf("%d uploads before the failed save, want 1", n-before)
	}
	h := r.last()
	if h == nil {
		t.Fatal("no handle was saved before the upload left")
	}
	again := &recorder{o: o}
	got, err := tg.Publish(ctx, pub, h, again.save, again.report)
	keep(err)
	if err != nil {
		t.Fatalf("publishing again after the crash: %v", err)
	}
	if n := o.Uploads(); n != before+1 {
		t.Errorf("publishing again after the crash uploaded again (%d uploads)", n-before)
	}
	if len(got.Assets) == 0 {
		t.Error("publishing again after the crash found no assets")
	}
}

// cancelled checks that a cancelled Publish returns promptly with an error wrapping
// context.Canceled: cancelled before it starts (nothing uploaded), and while the service
// processes the upload.
func cancelled(t *testing.T, tg providers.Target, pub providers.Publication, o TargetSuite, keep func(error)) {
	before := o.Uploads()
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	start := time.Now()
	_, err := tg.Publish(ctx, pub, nil, func(json.RawMessage) error { return nil }, func(providers.Progress) {})
	keep(err)
	if !errors.Is(err, context.Canceled) {
		t.Errorf("Publish with a cancelled context: %v, want an error wrapping context.Canceled", err)
	}
	if d := time.Since(start); d > promptly {
		t.Errorf("Publish took %v to notice the cancellation", d)
	}
	if n := o.Uploads(); n != before {
		t.Errorf("a cancelled Publish uploaded (%d uploads)", n-before)
	}

	ctx, cancel = context.WithCancel(context.Background())
	defer cancel()
	var (
		mu       sync.Mutex
		cancelAt time.Time
	)
	_, err = tg.Publish(ctx, pub, nil, func(json.RawMessage) error { return nil }, func(p providers.Progress) {
		if p.Phase == providers.PhaseRunning {
			mu.Lock()
			if cancelAt.IsZero() {
				cancelAt = time.Now()
				cancel()
			}
			mu.Unlock()
		}
	})
	keep(err)
	mu.Lock()
	at := cancelAt
	mu.Unlock()
	switch {
	case at.IsZero() && err == nil:
		t.Log("the service finished before Publish reported it running: nothing to cancel")
	case at.IsZero():
		t.Errorf("Publish failed before it reported the service running: %v", err)
	case !errors.Is(err, context.Canceled):
		t.Errorf("Publish cancelled while the service ran: %v, want an error wrapping context.Canceled", err)
	case time.Since(at) > promptly:
		t.Errorf("Publish took %v to notice the cancellation", time.Since(at))
	}
}
