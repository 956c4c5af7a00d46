package threedverse

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/kiln3d/kiln/providers"
	"github.com/kiln3d/kiln/providers/modeltest"
	"github.com/kiln3d/kiln/providers/threedverse/threedversetest"
)

// TestPublish follows one publication with an API key into an app folder: Kiln's user is
// registered and given write access, the handle is saved before and after the upload, progress is
// reported in both phases, and the assets come back with their types and pipeline.
func TestPublish(t *testing.T) {
	h := setup(t, threedversetest.Options{})
	r := publish(context.Background(), h.bound, h.publication(model(t, "chair.glb")), nil, nil)
	if r.err != nil {
		t.Fatal(r.err)
	}
	ups := h.fake.Uploads()
	if len(ups) != 1 || !slices.Equal(ups[0].Files, []string{"Chair.glb"}) {
		t.Fatalf("uploads %+v: want one of Chair.glb, named after the publication", ups)
	}
	if len(r.got.Assets) != 1 || r.got.UploadID != ups[0].TaskID {
		t.Fatalf("published %+v", r.got)
	}
	a := r.got.Assets[0]
	if a.Type != "scene" || a.Name != "Chair" || a.Pipeline != "scene" || a.ID != h.fake.Assets(h.folder.ID)[0].ID {
		t.Errorf("asset %+v", a)
	}
	if len(r.handles) != 2 {
		t.Fatalf("%d handles saved, want 2", len(r.handles))
	}
	first, err := readHandle(r.handles[0])
	if err != nil || !first.Uploading || first.UploadID != "" || first.Model != "Chair.glb" || first.Folder != h.folder.ID || first.Granted == "" {
		t.Errorf("the handle saved before the upload: %s (%v)", r.handles[0], err)
	}
	if st := r.state(t); st.UploadID != ups[0].TaskID {
		t.Errorf("the handle saved after the upload: %s", r.last())
	}
	users := h.fake.Users()
	if len(users) != 1 || users[0].Username != "kiln" || ups[0].UserID != users[0].ID {
		t.Errorf("users %+v, uploaded by %s: want Kiln's", users, ups[0].UserID)
	}
	if n := h.requests(threedversetest.RouteFoldersGrant); n != 1 {
		t.Errorf("%d grants, want 1", n)
	}
	var uploading, running, converting bool
	for _, p := range r.reports {
		switch p.Phase {
		case providers.PhaseUploading:
			uploading = true
		case providers.PhaseRunning:
			running = true
			converting = converting || strings.HasPrefix(p.Message, "Converting Chair.glb (scene) ")
		}
		if p.Fraction < 0 || p.Fraction > 1 || p.Message == "" {
			t.Errorf("report %+v", p)
		}
	}
	if !uploading || !running || !converting {
		t.Errorf("reports %+v: want the upload, the conversion named with its pipeline", r.reports)
	}
	for _, req := range h.fake.Requests() {
		if strings.Contains(req.Auth, "+") {
			t.Errorf("%s %s sent both credentials", req.Method, req.Path)
		}
	}
	// Publishing again from the handle, after the grant: no upload, no grant, the same asset.
	again := publish(context.Background(), h.bound, h.publication(model(t, "chair.glb")), r.last(), nil)
	if again.err != nil || len(again.got.Assets) != 1 || again.got.Assets[0].ID != a.ID {
		t.Errorf("again: %+v, %v", again.got, again.err)
	}
	if h.uploads() != 1 || h.requests(threedversetest.RouteFoldersGrant) != 1 || len(again.handles) != 0 {
		t.Errorf("again: %d uploads, %d grants, %d handles saved", h.uploads(), h.requests(threedversetest.RouteFoldersGrant), len(again.handles))
	}
}

// TestUserOnceTokenReused: Kiln's user is registered once and found afterwards, and its token is
// kept with the credential and reused, by this Target and a new one, until a minute before it
// expires.
func TestUserOnceTokenReused(t *testing.T) {
	h := setup(t, threedversetest.Options{})
	ctx := context.Background()
	if _, err := h.bound.CreateFolder(ctx, "First"); err != nil {
		t.Fatal(err)
	}
	token, expires, _ := h.secrets.Token(ctx)
	if token == "" || expires.Sub(h.fake.Clock().Now()) < 59*time.Minute {
		t.Fatalf("the token kept expires at %v: want an hour from now", expires)
	}
	// A new Target (a restart) with the same credential reuses the token: no user lookup.
	fresh, err := New(h.cfg)
	if err != nil {
		t.Fatal(err)
	}
	bound := fresh.WithSecrets(h.secrets)
	if _, err := bound.CreateFolder(ctx, "Second"); err != nil {
		t.Fatal(err)
	}
	if n, l := h.requests(threedversetest.RouteUsersToken), h.requests(threedversetest.RouteUsersList); n != 1 || l != 1 {
		t.Errorf("%d tokens made, %d user lists: want the first token reused", n, l)
	}
	// Within a minute of its expiry, a new one is made, for the same user.
	h.fake.Clock().Advance(59*time.Minute + 30*time.Second)
	if _, err := bound.CreateFolder(ctx, "Third"); err != nil {
		t.Fatal(err)
	}
	renewed, _, _ := h.secrets.Token(ctx)
	if n := h.requests(threedversetest.RouteUsersToken); n != 2 || renewed == token {
		t.Errorf("%d tokens made: want a new one near the expiry", n)
	}
	if n := h.requests(threedversetest.RouteUsersRegister); n != 1 || len(h.fake.Users()) != 1 {
		t.Errorf("%d registrations, users %+v: want one", n, h.fake.Users())
	}
	for _, r := range h.fake.Requests(threedversetest.RouteUsersToken) {
		if !slices.Equal(r.Fields, []string{"scope", "ttl"}) {
			t.Errorf("token request fields %v", r.Fields)
		}
	}
}

// TestUserFoundOrRaced: a user registered beforehand (by the console, another Kiln) is found; a
// registration that races another gets 409 and finds it then.
func TestUserFoundOrRaced(t *testing.T) {
	h := setup(t, threedversetest.Options{}, func(c *Config) { c.Username = "studio-kiln" })
	id := h.fake.RegisterUser("studio-kiln")
	if _, err := h.bound.CreateFolder(context.Background(), "Mine"); err != nil {
		t.Fatal(err)
	}
	if h.requests(threedversetest.RouteUsersRegister) != 0 || len(h.fake.Users()) != 1 {
		t.Errorf("the user was registered again: %+v", h.fake.Users())
	}
	if got := h.fake.Requests(threedversetest.RouteUsersToken); len(got) != 1 || !strings.Contains(got[0].Path, id) {
		t.Errorf("token requests %+v: want one for %s", got, id)
	}

	h = setup(t, threedversetest.Options{})
	id = h.fake.RegisterUser("kiln")
	// The first list misses it (registered meanwhile): the registration's 409 sends Kiln to look again.
	h.fake.Fail(threedversetest.RouteUsersList, 1, threedversetest.Fault{Status: 200, Body: "[]"})
	if _, err := h.bound.CreateFolder(context.Background(), "Mine"); err != nil {
		t.Fatal(err)
	}
	if got := h.fake.Requests(threedversetest.RouteUsersRegister); len(got) != 1 || got[0].Status != 409 {
		t.Errorf("registrations %+v: want one refused", got)
	}
	if got := h.fake.Requests(threedversetest.RouteUsersToken); len(got) != 1 || !strings.Contains(got[0].Path, id) {
		t.Errorf("token requests %+v: want one for %s", got, id)
	}
}

// TestTokenExpiresMidPublish: a user token that lapses during the conversion is replaced once
// and the poll sent again; the publication ends well without a second upload.
func TestTokenExpiresMidPublish(t *testing.T) {
	h := setup(t, threedversetest.Options{Step: 50 * time.Millisecond})
	expired := false
	r := &run{}
	r.onReport = func(p providers.Progress) {
		if p.Phase == providers.PhaseRunning && !expired {
			expired = true
			h.fake.ExpireTokens()
		}
	}
	publish(context.Background(), h.bound, h.publication(model(t, "chair.glb")), nil, r)
	if r.err != nil {
		t.Fatal(r.err)
	}
	if !expired {
		t.Fatal("the conversion was never reported")
	}
	if n := h.requests(threedversetest.RouteUsersToken); n != 2 {
		t.Errorf("%d tokens made, want 2", n)
	}
	refused := 0
	for _, req := range h.fake.Requests(threedversetest.RouteUploadTask) {
		if req.Status == 401 {
			refused++
		}
	}
	if refused != 1 || h.uploads() != 1 || len(r.got.Assets) != 1 {
		t.Errorf("%d polls refused, %d uploads, %d assets: want 1, 1, 1", refused, h.uploads(), len(r.got.Assets))
	}
	h.noSecret()
}

// TestUploadSentAgainAfter401 refuses the upload's token once: the upload goes again with a new
// token, its body rebuilt from the files, and is received once, whole.
func TestUploadSentAgainAfter401(t *testing.T) {
	h := setup(t, threedversetest.Options{})
	file := modeltest.WriteFile(t, t.TempDir(), "big.glb", append(glb(), make([]byte, 3<<20)...))
	h.fake.Fail(threedversetest.RouteUpload, 1, threedversetest.Fault{Status: 401})
	r := publish(context.Background(), h.bound, h.publication(file), nil, nil)
	if r.err != nil {
		t.Fatal(r.err)
	}
	st, _ := os.Stat(file)
	if ups := h.fake.Uploads(); len(ups) != 1 || ups[0].Bytes != st.Size() {
		t.Errorf("uploads %+v: want one of %d bytes", ups, st.Size())
	}
	if n := h.requests(threedversetest.RouteUpload); n != 2 {
		t.Errorf("%d upload requests, want 2", n)
	}
	// A second refusal is the credential's problem, not the token's.
	h.fake.Fail(threedversetest.RouteUpload, 2, threedversetest.Fault{Status: 401})
	r = publish(context.Background(), h.bound, h.publication(file), nil, nil)
	if !errors.Is(r.err, providers.ErrUnauthorized) || !strings.Contains(r.err.Error(), "just made") {
		t.Errorf("two refusals: %v, want ErrUnauthorized", r.err)
	}
	var last float64
	for _, p := range publish(context.Background(), h.bound, h.publication(file), nil, nil).reports {
		if p.Phase == providers.PhaseUploading {
			if p.Fraction < last {
				t.Errorf("the upload's progress went back from %v to %v", last, p.Fraction)
			}
			last = p.Fraction
		}
	}
	if last != 1 {
		t.Errorf("the upload's progress ended at %v", last)
	}
}

// TestPastedToken: a folder the token's user has no access to is a clear ErrForbidden, before
// anything is uploaded; an expired token says to paste a new one.
func TestPastedToken(t *testing.T) {
	h := setup(t, threedversetest.Options{})
	user := h.fake.RegisterUser("artist")
	token := h.fake.UserToken(user, threedversetest.AccessWrite, time.Hour)
	tg := h.tg.WithSecrets(tokenOf(token))
	r := publish(context.Background(), tg, h.publication(model(t, "chair.glb")), nil, nil)
	if !errors.Is(r.err, providers.ErrForbidden) || !strings.Contains(r.err.Error(), "ask the folder's owner") {
		t.Errorf("no grant: %v, want ErrForbidden saying what to do", r.err)
	}
	if h.uploads() != 0 || len(r.handles) != 0 {
		t.Errorf("%d uploads, %d handles", h.uploads(), len(r.handles))
	}
	// Read access lets it look, not upload.
	h.fake.Grant(h.folder.ID, user, threedversetest.AccessRead)
	r = publish(context.Background(), tg, h.publication(model(t, "chair.glb")), nil, nil)
	if !errors.Is(r.err, providers.ErrForbidden) || !strings.Contains(r.err.Error(), "no write access") || h.uploads() != 0 {
		t.Errorf("read access: %v, %d uploads", r.err, h.uploads())
	}
	h.fake.ExpireTokens()
	r = publish(context.Background(), tg, h.publication(model(t, "chair.glb")), r.last(), nil)
	if !errors.Is(r.err, providers.ErrUnauthorized) || !strings.Contains(r.err.Error(), "paste a new one") {
		t.Errorf("an expired token: %v", r.err)
	}
	if n := h.requests(threedversetest.RouteUsersToken); n != 0 {
		t.Errorf("%d tokens made without an API key", n)
	}
	h.noSecret(r.err)
}

// TestKeyWithoutFolderScope: a key that may not grant access leaves Kiln's user without it; the
// refusal says why and what to do.
func TestKeyWithoutFolderScope(t *testing.T) {
	h := setup(t, threedversetest.Options{})
	key := h.fake.AddAPIKey(threedversetest.KeyOptions{Scopes: []string{threedversetest.ScopeUsers}})
	r := publish(context.Background(), h.tg.WithSecrets(keyOf(key)), h.publication(model(t, "chair.glb")), nil, nil)
	if !errors.Is(r.err, providers.ErrForbidden) || !strings.Contains(r.err.Error(), `"folders" scope`) {
		t.Errorf("%v, want ErrForbidden naming the folders scope", r.err)
	}
	if h.uploads() != 0 {
		t.Errorf("%d uploads", h.uploads())
	}
}

// TestRejected: an upload 3dverse rejects is ErrInvalidInput in its words.
func TestRejected(t *testing.T) {
	h := setup(t, threedversetest.Options{})
	h.fake.RejectNextUpload("the model has no mesh")
	r := publish(context.Background(), h.bound, h.publication(model(t, "chair.glb")), nil, nil)
	if !errors.Is(r.err, providers.ErrInvalidInput) || r.err.Error() != apiError(t, r.err).Error() ||
		!strings.Contains(r.err.Error(), "3dverse rejected the upload of Chair.glb: the model has no mesh") {
		t.Errorf("%v", r.err)
	}
}

// TestConversionFailed: a failed conversion is ErrGenerationFailed naming the pipeline and the
// file.
func TestConversionFailed(t *testing.T) {
	h := setup(t, threedversetest.Options{})
	h.fake.FailNextConversion("scene-hq")
	r := publish(context.Background(), h.bound, h.publication(model(t, "chair.glb")), nil, nil)
	if !errors.Is(r.err, providers.ErrGenerationFailed) ||
		!strings.Contains(r.err.Error(), `the conversion of Chair.glb failed in 3dverse's "scene-hq" pipeline`) {
		t.Errorf("%v", r.err)
	}
}

// TestRestartMidConversion stops Kiln during the conversion; a new Target given the handle
// follows the same upload.
func TestRestartMidConversion(t *testing.T) {
	h := setup(t, threedversetest.Options{Step: time.Hour})
	ctx, cancel := context.WithCancel(context.Background())
	r := &run{onReport: func(p providers.Progress) {
		if p.Phase == providers.PhaseRunning {
			cancel()
		}
	}}
	publish(ctx, h.bound, h.publication(model(t, "chair.glb")), nil, r)
	if !errors.Is(r.err, context.Canceled) || r.state(t).UploadID == "" {
		t.Fatalf("%v, handle %s", r.err, r.last())
	}
	h.fake.Clock().Advance(5 * time.Hour)
	fresh, err := New(h.cfg)
	if err != nil {
		t.Fatal(err)
	}
	again := publish(context.Background(), fresh.WithSecrets(h.secrets), h.publication(model(t, "chair.glb")), r.last(), nil)
	if again.err != nil || len(again.got.Assets) != 1 || h.uploads() != 1 {
		t.Errorf("%+v, %v, %d uploads", again.got, again.err, h.uploads())
	}
}

// TestTransientPolls: a 500, a 429 and a dropped connection while the task is followed are
// returned as transient errors at once; Publish again from the handle follows the same upload. The 429's
// Retry-After holds the next call.
func TestTransientPolls(t *testing.T) {
	for what, f := range map[string]threedversetest.Fault{
		"500":  {Status: 500},
		"429":  {Status: 429, RetryAfter: "7"},
		"drop": {Drop: true},
	} {
		t.Run(what, func(t *testing.T) {
			h := setup(t, threedversetest.Options{})
			// Every poll meets it: net/http sends a GET again by itself after a connection it
			// reused was dropped.
			h.fake.Fail(threedversetest.RouteUploadTask, -1, f)
			r := publish(context.Background(), h.bound, h.publication(model(t, "chair.glb")), nil, nil)
			if !providers.Transient(r.err) || r.state(t).UploadID == "" {
				t.Fatalf("%v: want a transient error, and the upload's id saved", r.err)
			}
			h.fake.ClearFaults()
			again := publish(context.Background(), h.bound, h.publication(model(t, "chair.glb")), r.last(), nil)
			if again.err != nil || len(again.got.Assets) != 1 || h.uploads() != 1 {
				t.Errorf("again: %+v, %v, %d uploads", again.got, again.err, h.uploads())
			}
			if what == "429" {
				if api := apiError(t, r.err); api.RetryAfter != 7*time.Second {
					t.Errorf("retry after %v", api.RetryAfter)
				}
				if !slices.ContainsFunc(h.sleeper.Slept(), func(d time.Duration) bool { return d > 6*time.Second && d <= 7*time.Second }) {
					t.Errorf("waits %v: the next call did not wait out the Retry-After", h.sleeper.Slept())
				}
			}
		})
	}
}

// TestAnswerLost: an upload 3dverse made whose answer was lost is found in the folder and
// adopted; one it never made is sent again, once.
func TestAnswerLost(t *testing.T) {
	for _, byType := range []bool{false, true} {
		h := setup(t, threedversetest.Options{AssetsByType: byType})
		// Another Chair in the folder beforehand is not the upload's.
		other := publish(context.Background(), h.bound, h.publication(model(t, "chair.glb")), nil, nil)
		if other.err != nil {
			t.Fatal(other.err)
		}
		h.fake.Fail(threedversetest.RouteUpload, 1, threedversetest.Fault{Drop: true})
		r := publish(context.Background(), h.bound, h.publication(model(t, "chair.glb")), nil, nil)
		if !errors.Is(r.err, providers.ErrNetwork) || !r.state(t).Uploading || r.state(t).UploadID != "" || h.uploads() != 2 {
			t.Fatalf("%v, handle %s, %d uploads", r.err, r.last(), h.uploads())
		}
		again := publish(context.Background(), h.bound, h.publication(model(t, "chair.glb")), r.last(), nil)
		if again.err != nil || len(again.got.Assets) != 1 || again.got.Note == "" || h.uploads() != 2 {
			t.Fatalf("adopting: %+v, %v, %d uploads", again.got, again.err, h.uploads())
		}
		want := h.fake.Assets(h.folder.ID)[1]
		if a := again.got.Assets[0]; a.ID != want.ID || a.Type != "scene" || a.ID == other.got.Assets[0].ID {
			t.Errorf("adopted %+v, want %+v", a, want)
		}
	}

	h := setup(t, threedversetest.Options{})
	h.fake.Fail(threedversetest.RouteUpload, 1, threedversetest.Fault{Status: 502, Body: "<h1>Bad gateway</h1>"})
	r := publish(context.Background(), h.bound, h.publication(model(t, "chair.glb")), nil, nil)
	if !errors.Is(r.err, providers.ErrServer) || h.uploads() != 0 {
		t.Fatalf("%v, %d uploads", r.err, h.uploads())
	}
	again := publish(context.Background(), h.bound, h.publication(model(t, "chair.glb")), r.last(), nil)
	if again.err != nil || again.got.Note != "" || len(again.got.Assets) != 1 || h.uploads() != 1 {
		t.Errorf("sending again: %+v, %v, %d uploads", again.got, again.err, h.uploads())
	}
}

// TestSaveFails: a save that fails stops Publish with its error before anything more is sent.
func TestSaveFails(t *testing.T) {
	h := setup(t, threedversetest.Options{})
	disk := errors.New("disk full")
	r := &run{failSave: func(int) error { return disk }}
	publish(context.Background(), h.bound, h.publication(model(t, "chair.glb")), nil, r)
	if !errors.Is(r.err, disk) || h.uploads() != 0 {
		t.Errorf("%v, %d uploads", r.err, h.uploads())
	}
}

// TestGLTF uploads a .gltf with its buffer and a texture in a subfolder: they go in one upload,
// the texture under its path relative to the model, and make a scene and a texture.
func TestGLTF(t *testing.T) {
	h := setup(t, threedversetest.Options{})
	dir := t.TempDir()
	gltf := modeltest.WriteFile(t, dir, "chair.gltf", []byte(`{"asset":{"version":"2.0"},"buffers":[{"uri":"chair.bin","byteLength":4}]}`))
	bin := modeltest.WriteFile(t, dir, "chair.bin", []byte{0, 0, 0, 0})
	if err := os.Mkdir(filepath.Join(dir, "textures"), 0o755); err != nil {
		t.Fatal(err)
	}
	png := modeltest.WriteImage(t, filepath.Join(dir, "textures"), "wood.png", modeltest.Pattern(1))
	pub := h.publication(gltf)
	pub.Files = append(pub.Files, bin, png, bin)
	r := publish(context.Background(), h.bound, pub, nil, nil)
	if r.err != nil {
		t.Fatal(r.err)
	}
	ups := h.fake.Uploads()
	if len(ups) != 1 || len(ups[0].Files) != 3 || ups[0].Files[0] != "Chair.gltf" || ups[0].Files[1] != "chair.bin" {
		t.Fatalf("uploads %+v", ups)
	}
	if fields := h.fake.Requests(threedversetest.RouteUpload)[0].Fields; !slices.Equal(fields, []string{"files", "files", "files"}) {
		t.Errorf("fields %v", fields)
	}
	types := []string{}
	for _, a := range r.got.Assets {
		types = append(types, a.Type+":"+a.Pipeline)
	}
	if !slices.Equal(types, []string{"scene:scene", "texture:texture"}) {
		t.Errorf("assets %+v", r.got.Assets)
	}
}

// TestCancelPromptly cancels a Publish waiting on a slow answer: it returns at once.
func TestCancelPromptly(t *testing.T) {
	h := setup(t, threedversetest.Options{})
	h.fake.Fail(threedversetest.RouteFoldersAssets, 1, threedversetest.Fault{Delay: time.Minute})
	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	start := time.Now()
	r := publish(ctx, h.bound, h.publication(model(t, "chair.glb")), nil, nil)
	if !errors.Is(r.err, context.DeadlineExceeded) || time.Since(start) > 2*time.Second {
		t.Errorf("%v after %v", r.err, time.Since(start))
	}
}
