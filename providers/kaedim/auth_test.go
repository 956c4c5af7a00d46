package kaedim

import (
	"context"
	"errors"
	"net/http"
	"sync"
	"testing"
	"time"

	"github.com/kiln3d/kiln/providers"
	"github.com/kiln3d/kiln/providers/kaedim/kaedimtest"
	"github.com/kiln3d/kiln/providers/providertest"
)

func TestJWTIsKeptAndReused(t *testing.T) {
	h := setup(t, nil)
	ctx := context.Background()
	before := h.clock.Now()
	for range 3 {
		if _, err := h.p.Projects(ctx); err != nil {
			t.Fatal(err)
		}
	}
	if n := h.fake.Count("refreshJWT"); n != 1 {
		t.Errorf("%d refreshes for 3 calls, want 1", n)
	}
	token, expires, _ := h.secrets.JWT(ctx)
	if token != h.fake.JWTs()[0] {
		t.Error("the JWT was not saved through Secrets")
	}
	if d := expires.Sub(before); d < 12*time.Hour || d > 12*time.Hour+time.Minute {
		t.Errorf("saved expiry is %v after the refresh, want 12 h", d)
	}
	// A restart takes the stored JWT instead of refreshing.
	if _, err := h.again().Projects(ctx); err != nil {
		t.Fatal(err)
	}
	if n := h.fake.Count("refreshJWT"); n != 1 {
		t.Errorf("a restarted provider refreshed: %d refreshes", n)
	}
}

func TestJWTIsReplacedShortlyBeforeItExpires(t *testing.T) {
	h := setup(t, nil)
	ctx := context.Background()
	if _, err := h.p.Projects(ctx); err != nil {
		t.Fatal(err)
	}
	h.clock.Advance(11*time.Hour + 55*time.Minute)
	if _, err := h.p.Projects(ctx); err != nil {
		t.Fatal(err)
	}
	if n := h.fake.Count("refreshJWT"); n != 2 {
		t.Errorf("%d refreshes, want 2: the JWT had 5 minutes left", n)
	}
	for _, rec := range h.fake.Received() {
		if rec.Status == http.StatusUnauthorized {
			t.Errorf("a %s was refused: the JWT should have been replaced before it expired", rec.Route)
		}
	}
}

// TestJWTExpiresMidJob: Kaedim's clock runs 13 hours past the JWT while Kiln believes it valid.
// The poll gets a 401, refreshes once, and the job goes on.
func TestJWTExpiresMidJob(t *testing.T) {
	h := setup(t, nil)
	remote := h.submit()
	h.fake.Advance(13 * time.Hour)
	if _, _, err := h.collect(h.p, remote); err != nil {
		t.Fatal(err)
	}
	if n := h.fake.Count("refreshJWT"); n != 2 {
		t.Errorf("%d refreshes, want 2 (the first, and one after the 401)", n)
	}
	refused := 0
	for _, rec := range h.fake.Received("fetchRequest") {
		if rec.Status == http.StatusUnauthorized {
			refused++
		}
	}
	if refused != 1 {
		t.Errorf("%d polls refused, want 1", refused)
	}
	if h.fake.Count("process") != 1 {
		t.Error("the job was submitted again")
	}
}

// TestConcurrentJobsShareOneRefresh: jobs that all meet a dead JWT at once refresh it once. Two
// refreshes would break each other, since each invalidates the JWT before it.
func TestConcurrentJobsShareOneRefresh(t *testing.T) {
	h := setup(t, nil)
	const jobs = 6
	remotes := make([]providers.Remote, jobs)
	for i := range remotes {
		remotes[i] = h.submit()
	}
	h.fake.ExpireJWTs()
	var wg sync.WaitGroup
	errs := make([]error, jobs)
	for i := range remotes {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, _, errs[i] = h.collect(h.p, remotes[i])
		}()
	}
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			t.Errorf("job %d: %v", i, err)
		}
	}
	if n := h.fake.Count("refreshJWT"); n != 2 {
		t.Errorf("%d refreshes, want 2: the first, and one shared by %d jobs", n, jobs)
	}
}

func TestFirstCallsShareOneRefresh(t *testing.T) {
	h := setup(t, nil)
	var wg sync.WaitGroup
	for range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if _, err := h.p.Projects(context.Background()); err != nil {
				t.Error(err)
			}
		}()
	}
	wg.Wait()
	if n := h.fake.Count("refreshJWT"); n != 1 {
		t.Errorf("%d refreshes for 8 concurrent first calls, want 1", n)
	}
}

// TestRefusedJWTIsRefreshedOnce: a stored JWT Kaedim no longer takes is replaced and the call
// sent again, once; a JWT refused even fresh gives up with ErrUnauthorized.
func TestRefusedJWTIsRefreshedOnce(t *testing.T) {
	h := setup(t, nil)
	ctx := context.Background()
	_ = h.secrets.SaveJWT(ctx, "eyJstale.jwt.from-yesterday", h.clock.Now().Add(time.Hour))
	if _, err := h.p.Projects(ctx); err != nil {
		t.Fatal(err)
	}
	if r, p := h.fake.Count("refreshJWT"), h.fake.Count("fetchProjects"); r != 1 || p != 2 {
		t.Errorf("%d refreshes and %d calls, want 1 and 2", r, p)
	}
	h.fake.Inject(kaedimtest.Fault{Route: "fetchProjects", Status: http.StatusUnauthorized, Message: "Invalid token", Times: 5})
	_, err := h.p.Projects(ctx)
	if api := providertest.APIError(t, err); !errors.Is(err, providers.ErrUnauthorized) || api.Message != "Invalid token" {
		t.Errorf("got %v, want ErrUnauthorized with Kaedim's message", err)
	}
	if r, p := h.fake.Count("refreshJWT"), h.fake.Count("fetchProjects"); r != 2 || p != 4 {
		t.Errorf("%d refreshes and %d calls, want 2 and 4: one retry, no loop", r, p)
	}
}

func TestWrongAPIKey(t *testing.T) {
	h := setup(t, nil)
	ctx := context.Background()
	if _, err := h.p.Projects(ctx); err != nil { // a JWT that works, with a key that is about to change
		t.Fatal(err)
	}
	a := h.fake.Account
	h.secrets.SetCredentials(Credentials{DevID: a.DevID, APIKey: "kd-revoked-key", RefreshToken: a.RefreshToken})
	_ = h.secrets.SaveJWT(ctx, h.fake.JWTs()[0], h.clock.Now().Add(time.Hour))
	_, err := h.p.Submit(ctx, h.request())
	api := providertest.APIError(t, err)
	if !errors.Is(err, providers.ErrUnauthorized) || api.Status != http.StatusUnauthorized || api.Message != "Invalid API key" {
		t.Errorf("got %v, want ErrUnauthorized 401 \"Invalid API key\"", err)
	}
	if n := h.fake.Count("refreshJWT"); n != 2 {
		t.Errorf("%d refreshes, want 2 (the one refresh after the 401)", n)
	}
	if n := len(h.fake.Requests()); n != 0 {
		t.Errorf("%d requests made", n)
	}
}

func TestWrongRefreshToken(t *testing.T) {
	h := setup(t, nil)
	a := h.fake.Account
	h.secrets.SetCredentials(Credentials{DevID: a.DevID, APIKey: a.APIKey, RefreshToken: "rt-wrong-token"})
	_, err := h.p.Projects(context.Background())
	api := providertest.APIError(t, err)
	want := "Request failed, please check your api-key and refresh-token and try again: the refresh token does not match the API key"
	if !errors.Is(err, providers.ErrUnauthorized) || api.Status != http.StatusBadRequest || api.Message != want {
		t.Errorf("got %v, want ErrUnauthorized carrying Kaedim's 400", err)
	}
}

func TestUnknownDevID(t *testing.T) {
	h := setup(t, nil)
	a := h.fake.Account
	h.secrets.SetCredentials(Credentials{DevID: "nobody", APIKey: a.APIKey, RefreshToken: a.RefreshToken})
	_, err := h.p.Projects(context.Background())
	if api := providertest.APIError(t, err); !errors.Is(err, providers.ErrNotFound) || api.Status != 404 || api.Message != "User does not exist" {
		t.Errorf("got %v, want ErrNotFound \"User does not exist\"", err)
	}
}

func TestMissingCredentials(t *testing.T) {
	for name, c := range map[string]Credentials{
		"no key":        {DevID: "d", RefreshToken: "r"},
		"no dev id":     {APIKey: "k", RefreshToken: "r"},
		"no refresh":    {DevID: "d", APIKey: "k"},
		"line break":    {DevID: "d", APIKey: "k\nk", RefreshToken: "r"},
		"inner space":   {DevID: "d", APIKey: "k", RefreshToken: "r r"},
		"studio breaks": {DevID: "d", APIKey: "k", RefreshToken: "r", StudioID: "s\x00"},
	} {
		h := setup(t, nil)
		h.secrets.SetCredentials(c)
		_, err := h.p.Projects(context.Background())
		var ce *CredentialsError
		if !errors.As(err, &ce) || !errors.Is(err, providers.ErrUnauthorized) {
			t.Errorf("%s: %v, want a CredentialsError", name, err)
		}
		if len(h.fake.Received()) != 0 {
			t.Errorf("%s: a request was sent", name)
		}
	}
	// Surrounding whitespace, as pasted, is not a problem.
	h := setup(t, nil)
	a := h.fake.Account
	h.secrets.SetCredentials(Credentials{DevID: " " + a.DevID, APIKey: a.APIKey + "\n", RefreshToken: "\t" + a.RefreshToken})
	if _, err := h.p.Projects(context.Background()); err != nil {
		t.Errorf("pasted credentials: %v", err)
	}
	p, _ := New(Config{Endpoint: h.fake.URL})
	if _, err := p.Projects(context.Background()); !errors.Is(err, providers.ErrUnauthorized) {
		t.Errorf("no Secrets: %v", err)
	}
}
