package threedverse

import (
	"context"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/kiln3d/kiln/providers"
	"github.com/kiln3d/kiln/providers/httpkit"
	"github.com/kiln3d/kiln/providers/providertest"
	"github.com/kiln3d/kiln/providers/threedverse/threedversetest"
)

// TestSecretsNeverShow drives every call through failures whose answers quote the API key and the
// user token (a server or a proxy that echoes what it was sent), and checks that no error and no
// log line holds either.
func TestSecretsNeverShow(t *testing.T) {
	h := setup(t, threedversetest.Options{})
	ctx := context.Background()
	user := h.fake.RegisterUser(DefaultUsername)
	token := h.fake.UserToken(user, threedversetest.AccessWrite, time.Hour)
	if err := h.secrets.SaveToken(ctx, token, h.fake.Clock().Now().Add(time.Hour)); err != nil {
		t.Fatal(err)
	}
	artist := h.fake.RegisterUser("artist")
	pasted := h.fake.UserToken(artist, threedversetest.AccessWrite, time.Hour)
	h.fake.Grant(h.folder.ID, artist, threedversetest.AccessWrite)
	// Each call's faults quote the credentials it sent: a server echoes what it was sent.
	faults := func(secrets ...string) []threedversetest.Fault {
		echo := strings.Join(secrets, " and ")
		return []threedversetest.Fault{
			{Status: 400, Body: `{"status":400,"errorCode":"bad_request","message":"bad ` + echo + `"}`},
			{Status: 401, Body: `{"status":401,"errorCode":"unauthorized","message":"who is ` + echo + `?"}`},
			{Status: 403, Body: `{"status":403,"errorCode":"forbidden","message":"` + echo + ` may not"}`},
			{Status: 429, Body: `{"status":429,"errorCode":"too_many_requests","message":"slow down, ` + echo + `"}`},
			{Status: 500, Body: `{"status":500,"errorCode":"internal","message":"failed on ` + echo + `"}`},
			{Status: 502, Body: "<h1>Bad gateway</h1><p>headers: " + echo + "</p>"},
			{Status: 0, Body: `{"user_token": 7, "upload_task_id": 7, "asset_id": "` + echo},
		}
	}
	var errs []error
	keep := func(err error) {
		if err != nil {
			errs = append(errs, err)
		}
	}
	keyRoutes := []string{threedversetest.RouteUsersList, threedversetest.RouteUsersToken, threedversetest.RouteFoldersList,
		threedversetest.RouteFoldersGet, threedversetest.RouteFoldersGrant}
	userRoutes := []string{threedversetest.RouteFoldersCreate, threedversetest.RouteFoldersAssets, threedversetest.RouteUpload,
		threedversetest.RouteUploadTask, threedversetest.RouteSourceFileAssets}
	calls := func(tg providers.Target, s providers.Secrets) {
		if kt, ok := tg.(providers.KeyTester); ok {
			keep(kt.TestKey(ctx, s))
		}
		_, err := tg.Folders(ctx)
		keep(err)
		_, err = tg.CreateFolder(ctx, "Leaky")
		keep(err)
		keep(publish(ctx, tg, h.publication(model(t, "chair.glb")), nil, nil).err)
	}
	for _, route := range append(keyRoutes, userRoutes...) {
		echo := []string{h.key}
		if slices.Contains(userRoutes, route) {
			echo = []string{h.key, token}
		}
		for _, f := range faults(echo...) {
			h.fake.ClearFaults()
			h.fake.Fail(route, -1, f)
			if route == threedversetest.RouteUsersToken || route == threedversetest.RouteUsersList {
				_ = h.secrets.SaveToken(ctx, "", time.Time{}) // a token must be made for these to be met
			}
			calls(h.bound, h.secrets)
			_ = h.secrets.SaveToken(ctx, token, h.fake.Clock().Now().Add(time.Hour))
		}
	}
	pasting := providers.Target(h.tg.WithSecrets(tokenOf(pasted)))
	for _, route := range append([]string{threedversetest.RouteFoldersList}, userRoutes...) {
		for _, f := range faults(pasted) {
			h.fake.ClearFaults()
			h.fake.Fail(route, -1, f)
			calls(pasting, tokenOf(pasted))
		}
	}
	h.fake.ClearFaults()
	keep(h.tg.TestKey(ctx, keyOf(h.key+"\x01")))
	keep(h.tg.TestKey(ctx, tokenOf(pasted+" x")))
	closed, err := New(Config{Endpoint: "http://" + providertest.ClosedAddr(t) + "/app/v1", Config: httpkit.Config{Log: h.cfg.Log}})
	if err != nil {
		t.Fatal(err)
	}
	keep(closed.TestKey(ctx, h.secrets))

	if len(errs) < 120 {
		t.Errorf("only %d errors: the faults did not all bite", len(errs))
	}
	h.noSecret(errs...)
	for _, s := range []string{h.key, token, pasted} {
		for _, err := range errs {
			if strings.Contains(err.Error(), s[:12]) {
				t.Errorf("an error shows the start of a secret: %v", err)
			}
		}
	}
	if !strings.Contains(h.log.String(), "3dverse refused") {
		t.Error("the log holds no refusal: the test logged nothing worth reading")
	}
	t.Logf("%d errors", len(errs))
}
