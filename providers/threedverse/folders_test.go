package threedverse

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"github.com/kiln3d/kiln/providers"
	"github.com/kiln3d/kiln/providers/threedverse/threedversetest"
)

// TestFolders pages through more folders than one page holds: the API key sees the app's, a
// pasted token its user's.
func TestFolders(t *testing.T) {
	h := setup(t, threedversetest.Options{})
	for i := range 230 {
		h.fake.CreateFolder(fmt.Sprintf("Folder %03d", i))
	}
	ctx := context.Background()
	list, err := h.bound.Folders(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(list) != 231 || list[0] != h.folder || list[230].Name != "Folder 229" {
		t.Errorf("%d folders, first %+v", len(list), list[0])
	}
	if n := h.requests(threedversetest.RouteFoldersList); n != 3 {
		t.Errorf("%d pages asked for, want 3", n)
	}
	for _, r := range h.fake.Requests(threedversetest.RouteFoldersList) {
		if r.Auth != threedversetest.HeaderAPIKey {
			t.Errorf("listed with %q", r.Auth)
		}
	}
	user := h.fake.RegisterUser("artist")
	h.fake.Grant(h.folder.ID, user, threedversetest.AccessRead)
	mine, err := h.tg.WithSecrets(tokenOf(h.fake.UserToken(user, threedversetest.AccessRead, 1<<40))).Folders(ctx)
	if err != nil || len(mine) != 1 || mine[0] != h.folder {
		t.Errorf("the user's folders: %+v, %v", mine, err)
	}
	if _, err := h.tg.Folders(ctx); !errors.Is(err, providers.ErrUnauthorized) {
		t.Errorf("no credential: %v", err)
	}
}

// TestCreateFolder makes the folder with Kiln's user token, so that the user manages it and no
// grant is needed to publish there.
func TestCreateFolder(t *testing.T) {
	h := setup(t, threedversetest.Options{})
	ctx := context.Background()
	f, err := h.bound.CreateFolder(ctx, "  Props  ")
	if err != nil || f.Name != "Props" || f.ID == "" {
		t.Fatalf("%+v, %v", f, err)
	}
	if got := h.fake.Requests(threedversetest.RouteFoldersCreate); len(got) != 1 || got[0].Auth != threedversetest.HeaderUserToken {
		t.Errorf("requests %+v", got)
	}
	pub := h.publication(model(t, "chair.glb"))
	pub.Folder = f
	if r := publish(ctx, h.bound, pub, nil, nil); r.err != nil || h.requests(threedversetest.RouteFoldersGrant) != 0 {
		t.Errorf("publishing into Kiln's own folder: %v, %d grants", r.err, h.requests(threedversetest.RouteFoldersGrant))
	}
	for _, bad := range []string{"", "   ", "tab\there", strings.Repeat("x", 201)} {
		if _, err := h.bound.CreateFolder(ctx, bad); !errors.Is(err, providers.ErrInvalidInput) {
			t.Errorf("CreateFolder(%q): %v", bad, err)
		}
	}
	pub.Folder = providers.Folder{ID: "no-such-folder", Name: "Gone"}
	if r := publish(ctx, h.bound, pub, nil, nil); !errors.Is(r.err, providers.ErrNotFound) || !strings.Contains(r.err.Error(), "pick another") {
		t.Errorf("a folder that is gone: %v", r.err)
	}
}

// TestConcurrent publishes from two goroutines with one fresh credential: one user, one token.
func TestConcurrent(t *testing.T) {
	h := setup(t, threedversetest.Options{})
	var wg sync.WaitGroup
	errs := make([]error, 4)
	for i := range errs {
		wg.Go(func() {
			errs[i] = publish(context.Background(), h.bound, h.publication(model(t, "chair.glb")), nil, nil).err
		})
	}
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			t.Error(err)
		}
	}
	if len(h.fake.Users()) != 1 || h.requests(threedversetest.RouteUsersToken) != 1 || h.uploads() != 4 {
		t.Errorf("%d users, %d tokens, %d uploads", len(h.fake.Users()), h.requests(threedversetest.RouteUsersToken), h.uploads())
	}
}

// TestRedirectDropsCredentials: a redirect to another host never carries the API key.
func TestRedirectDropsCredentials(t *testing.T) {
	var mu sync.Mutex
	var got []string
	other := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		got = append(got, r.Header.Get(headerAPIKey)+r.Header.Get(headerUserToken))
		mu.Unlock()
		_, _ = w.Write([]byte("[]"))
	}))
	defer other.Close()
	origin := httptest.NewServer(http.RedirectHandler(other.URL+"/app/v1/folders", http.StatusTemporaryRedirect))
	defer origin.Close()
	tg, err := New(Config{Endpoint: origin.URL + "/app/v1"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := tg.WithSecrets(keyOf("secret-key-123")).Folders(context.Background()); err != nil {
		t.Fatal(err)
	}
	mu.Lock()
	defer mu.Unlock()
	if len(got) != 1 || got[0] != "" {
		t.Errorf("the other host got credentials %q", got)
	}
}
