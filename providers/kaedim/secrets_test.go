package kaedim

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/kiln3d/kiln/providers"
	"github.com/kiln3d/kiln/providers/kaedim/kaedimtest"
	"github.com/kiln3d/kiln/providers/providertest"
)

// TestSecretsNeverLeak drives the provider through every kind of failure, some with a server that
// echoes the credentials back, and looks for the API key, the refresh token and every JWT the fake
// issued in each error's text and in every log line.
func TestSecretsNeverLeak(t *testing.T) {
	h := setup(t, nil)
	ctx := context.Background()
	a := h.fake.Account
	var errs []error
	keep := func(err error) {
		if err == nil {
			t.Error("a failure scenario did not fail")
			return
		}
		errs = append(errs, err)
	}

	remote := h.submit()
	jwt := h.fake.JWTs()[0]
	echo := fmt.Sprintf("key %s token %s jwt %s", a.APIKey, a.RefreshToken, jwt)
	for _, f := range []kaedimtest.Fault{
		{Route: "fetchProjects", Status: 500, Message: echo},
		{Route: "fetchProjects", Status: 400, Message: "Request failed", Cause: echo},
		{Route: "fetchProjects", Status: 502, ContentType: "text/html", Body: "<p>" + echo + "</p>"},
		{Route: "fetchProjects", Status: 200, Body: `{"status":"success","message":[{"` + echo},
		{Route: "fetchProjects", Status: 429, RetryAfter: "1", Body: echo},
		{Route: "fetchProjects", Status: 401, Message: "Invalid token " + jwt, Times: 2},
	} {
		h.fake.Inject(f)
		_, err := h.p.Projects(ctx)
		keep(err)
		h.fake.Inject(f)
		keep(h.p.Test(ctx))
		f.Route = "fetchRequest"
		h.fake.Inject(f)
		_, _, err = h.collect(h.p, providers.Remote{ID: "missing-request"})
		keep(err)
	}
	h.fake.Inject(kaedimtest.Fault{Route: "download", Status: 403, Body: "<Error>" + echo + "</Error>", Times: 10})
	_, _, err := h.collect(h.p, remote)
	keep(err)
	dismissed := h.submit()
	_ = h.fake.Dismiss(dismissed.ID, "rejected: "+echo)
	_, _, err = h.collect(h.p, dismissed)
	keep(err)
	for _, c := range []Credentials{
		{DevID: a.DevID, APIKey: a.APIKey + "x", RefreshToken: a.RefreshToken},
		{DevID: a.DevID, APIKey: a.APIKey, RefreshToken: a.RefreshToken + "x"},
		{DevID: "nobody", APIKey: a.APIKey, RefreshToken: a.RefreshToken},
	} {
		h.secrets.SetCredentials(c)
		_, err := h.p.Submit(ctx, h.request())
		keep(err)
		keep(h.p.Test(ctx))
	}
	h.secrets.SetCredentials(Credentials{DevID: a.DevID, APIKey: a.APIKey, RefreshToken: a.RefreshToken})
	closed := providertest.ClosedAddr(t)
	_ = h.p.SetEndpoint("http://" + closed)
	_, err = h.p.FetchAll(ctx, time.Time{}, time.Time{})
	keep(err)

	secrets := append([]string{a.APIKey, a.RefreshToken}, h.fake.JWTs()...)
	for _, err := range errs {
		for _, text := range []string{err.Error(), fmt.Sprintf("%+v", err), fmt.Sprintf("%#v", err)} {
			for _, s := range secrets {
				if strings.Contains(text, s) {
					t.Errorf("an error holds a secret: %s", text)
				}
			}
		}
	}
	logs := h.log.String()
	for _, line := range strings.Split(logs, "\n") {
		for _, s := range secrets {
			if strings.Contains(line, s) {
				t.Errorf("a log line holds a secret: %s", line)
			}
		}
	}
	// The search looked at something: the log has a line per request, and errors quote Kaedim.
	if n := strings.Count(logs, "route=fetchProjects"); n < 6 {
		t.Errorf("only %d log lines for fetchProjects:\n%s", n, logs)
	}
	if !strings.Contains(errs[0].Error(), "[redacted]") {
		t.Errorf("the echoed message was not kept, redacted: %v", errs[0])
	}
}

func TestCredentialsPrintHidden(t *testing.T) {
	c := Credentials{DevID: "dev-42", APIKey: "kd-secret-key", RefreshToken: "rt-secret-token", StudioID: "studio-1"}
	var logged bytes.Buffer
	slog.New(slog.NewJSONHandler(&logged, nil)).Info("creds", "c", c)
	data, _ := json.Marshal(struct{ C fmt.Stringer }{c})
	outputs := []string{fmt.Sprint(c), fmt.Sprintf("%+v", c), fmt.Sprintf("%#v", c), fmt.Sprintf("%d", c),
		fmt.Sprintf("%x", c), fmt.Sprintf("%q", c), fmt.Sprintf("%v", &c), logged.String(), c.String()}
	for _, out := range outputs {
		if strings.Contains(out, "secret") {
			t.Errorf("printed with the secrets: %s", out)
		}
	}
	if !strings.Contains(c.String(), "dev-42") || !strings.Contains(c.String(), "APIKey: (hidden)") {
		t.Errorf("String() = %s", c)
	}
	_ = data
}
