package app_test

import (
	"context"
	"errors"
	"image"
	"image/color"
	"image/png"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/zalando/go-keyring"

	"github.com/kiln3d/kiln/app"
	"github.com/kiln3d/kiln/providers"
	"github.com/kiln3d/kiln/providers/httpkit"
	"github.com/kiln3d/kiln/providers/kaedim"
	"github.com/kiln3d/kiln/providers/kaedim/kaedimtest"
	"github.com/kiln3d/kiln/providers/local"
)

// kaedimKiln opens a Kiln whose Kaedim provider talks to the fake, with the credential stored in
// the (mock) keychain, as the window would.
func kaedimKiln(t *testing.T, home string, fake *kaedimtest.Server, q app.QueueOptions) *app.Kiln {
	t.Helper()
	kd, err := kaedim.New(kaedim.Config{Endpoint: fake.URL,
		Config: httpkit.Config{Poll: kaedim.PollConfig{First: 20 * time.Millisecond, Max: 50 * time.Millisecond, Jitter: -1}}})
	if err != nil {
		t.Fatal(err)
	}
	reg, err := providers.NewRegistry(local.New(), kd)
	if err != nil {
		t.Fatal(err)
	}
	k, err := app.Open(app.Options{Home: home, Providers: reg, Queue: q, Getenv: func(string) string { return "" }})
	if err != nil {
		t.Fatal(err)
	}
	return k
}

func picture(t *testing.T) string {
	t.Helper()
	img := image.NewNRGBA(image.Rect(0, 0, 64, 64))
	for y := 16; y < 48; y++ {
		for x := 16; x < 48; x++ {
			img.Set(x, y, color.NRGBA{180, 40, 40, 255})
		}
	}
	p := filepath.Join(t.TempDir(), "crate.png")
	f, err := os.Create(p)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if err := png.Encode(f, img); err != nil {
		t.Fatal(err)
	}
	return p
}

// A Kaedim job through the queue survives its JWT expiring mid-job and a restart of Kiln while
// it runs: it resumes polling the same request and never submits twice.
func TestKaedimJobThroughTheQueue(t *testing.T) {
	keyring.MockInit()
	fake := kaedimtest.NewWith(t, kaedimtest.Options{BasePath: "/kd", Generation: 600 * time.Millisecond})
	home := t.TempDir()
	k := kaedimKiln(t, home, fake, app.QueueOptions{})
	ctx := context.Background()
	acct := fake.Account
	if _, err := k.Keys.Add(ctx, kaedim.Name, "Studio", map[string]string{
		kaedim.FieldDevID: acct.DevID, kaedim.FieldAPIKey: acct.APIKey, kaedim.FieldRefreshToken: acct.RefreshToken}); err != nil {
		t.Fatal(err)
	}
	seenRunning := make(chan struct{}, 1)
	k.Jobs.Subscribe(func(e app.Event) {
		if e.Job.State == app.Running && e.Job.Remote.ID != "" {
			select {
			case seenRunning <- struct{}{}:
			default:
			}
		}
	})
	j, err := k.Jobs.Submit(ctx, kaedim.Name, providers.Request{Polycount: 20000, Images: []providers.Image{{Path: picture(t)}}})
	if err != nil {
		t.Fatal(err)
	}
	<-seenRunning
	fake.ExpireJWTs() // the JWT dies mid-job: the next poll gets a 401, refreshes once, goes on
	time.Sleep(100 * time.Millisecond)
	if err := k.Close(); err != nil { // Kiln quits while the job runs
		t.Fatal(err)
	}

	k2 := kaedimKiln(t, home, fake, app.QueueOptions{Resume: true})
	defer k2.Close()
	wctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	done, err := k2.Jobs.Wait(wctx, j.ID)
	if err != nil {
		t.Fatal(err)
	}
	if done.State != app.Done || done.Triangles == 0 {
		t.Fatalf("job ended %s: %s", done.State, done.Error)
	}
	if n := fake.Count("process"); n != 1 {
		t.Errorf("%d submissions to /process, want exactly 1", n)
	}
	if fake.Count("refreshJWT") < 2 {
		t.Errorf("the expired JWT was not refreshed (refreshJWT called %d times)", fake.Count("refreshJWT"))
	}
	creds, _ := k2.Keys.List(ctx)
	if len(creds) != 1 || creds[0].LastUsed.IsZero() {
		t.Errorf("the key's use was not recorded: %+v", creds)
	}
}

// Each job runs with the credential it was given: two jobs, two accounts, at the same time. A job
// keeps its credential's name, so that changing the default later does not move it to another
// account, and a job of a provider without a key is refused before anything is saved.
func TestJobsRunWithTheirOwnCredential(t *testing.T) {
	keyring.MockInit()
	fake := kaedimtest.NewWith(t, kaedimtest.Options{BasePath: "/kd", Generation: 300 * time.Millisecond})
	studio := kaedimtest.Account{DevID: "dev-studio", APIKey: "key-studio-0123456789", RefreshToken: "refresh-studio-0123456789"}
	fake.AddAccount(studio)
	k := kaedimKiln(t, t.TempDir(), fake, app.QueueOptions{})
	defer k.Close()
	ctx := context.Background()

	if _, err := k.Jobs.Submit(ctx, kaedim.Name, providers.Request{Polycount: 20000, Images: []providers.Image{{Path: picture(t)}}}); !errors.Is(err, app.ErrNoCredential) ||
		!strings.Contains(err.Error(), "kiln keys add kaedim") {
		t.Fatalf("a job without any credential: %v", err)
	}
	if jobs, _ := k.Jobs.Jobs(ctx); len(jobs) != 0 {
		t.Fatalf("the refused job was saved: %+v", jobs)
	}
	acct := fake.Account
	for _, c := range []struct {
		name string
		a    kaedimtest.Account
	}{{"Personal", acct}, {"Studio", studio}} {
		if _, err := k.Keys.Add(ctx, kaedim.Name, c.name, map[string]string{
			kaedim.FieldDevID: c.a.DevID, kaedim.FieldAPIKey: c.a.APIKey, kaedim.FieldRefreshToken: c.a.RefreshToken}); err != nil {
			t.Fatal(err)
		}
	}
	req := providers.Request{Polycount: 20000, Images: []providers.Image{{Path: picture(t)}}}
	personal, err := k.Jobs.Submit(ctx, kaedim.Name, req)
	if err != nil {
		t.Fatal(err)
	}
	viaStudio, err := k.Jobs.Submit(ctx, kaedim.Name, req, app.WithCredential("Studio"))
	if err != nil {
		t.Fatal(err)
	}
	if personal.Credential != "Personal" || viaStudio.Credential != "Studio" {
		t.Errorf("credentials recorded: %q and %q", personal.Credential, viaStudio.Credential)
	}
	if _, err := k.Jobs.Submit(ctx, kaedim.Name, req, app.WithCredential("Nobody")); !errors.Is(err, app.ErrNoCredential) {
		t.Errorf("an unknown credential: %v", err)
	}
	if _, err := k.Jobs.Submit(ctx, local.Name, req, app.WithCredential("Studio")); err == nil {
		t.Error("a credential for the offline provider was taken")
	}
	// The default changes while both run: neither job moves.
	if err := k.Keys.SetDefault(ctx, kaedim.Name, "Studio"); err != nil {
		t.Fatal(err)
	}
	wctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	for _, j := range []app.Job{personal, viaStudio} {
		done, err := k.Jobs.Wait(wctx, j.ID)
		if err != nil || done.State != app.Done {
			t.Fatalf("job %s: %v %s %s", j.ID, err, done.State, done.Error)
		}
	}
	byDev := map[string]int{}
	for _, r := range fake.Received("process") {
		byDev[r.Fields.Get("devID")]++
	}
	if byDev[acct.DevID] != 1 || byDev[studio.DevID] != 1 {
		t.Errorf("submissions by account: %v, want one each", byDev)
	}
	for _, j := range []app.Job{personal, viaStudio} {
		again, _ := k.Jobs.Job(ctx, j.ID)
		if again.Credential != j.Credential {
			t.Errorf("job %s now says credential %q, was %q", j.ID, again.Credential, j.Credential)
		}
	}
}
