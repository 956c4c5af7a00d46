package jobsapi

import (
	"context"
	"strings"
	"testing"

	"github.com/kiln3d/kiln/providers"
	"github.com/kiln3d/kiln/providers/httpkit"
	"github.com/kiln3d/kiln/providers/providertest"
)

// closedAddr is a loopback address nothing listens on.
func closedAddr(t *testing.T) string { return providertest.ClosedAddr(t) }

// TestKeyNeverShows drives every call through failures whose answers quote the API key (a server
// or proxy that echoes what it was sent) and checks that no error and no log line holds it.
func TestKeyNeverShows(t *testing.T) {
	h := setup(t)
	key := h.fake.Key
	ctx := context.Background()
	var errs []error
	keep := func(_ any, err error) {
		if err != nil {
			errs = append(errs, err)
		}
	}
	collect := func(r providers.Remote) (any, error) {
		files, _, _, err := h.collect(h.p, r)
		return files, err
	}
	echo := func(status int, code string) fault {
		return fault{Status: status, Code: code, Message: "bad key " + key + " (x-api-key: " + key + ")"}
	}
	for _, f := range []fault{echo(400, "invalid_request"), echo(401, "unauthorized"), echo(403, "missing_scope"),
		echo(409, "idempotency_conflict"), echo(429, "rate_limited"), echo(500, "internal"),
		{Status: 502, Body: "<h1>Bad gateway</h1><p>x-api-key: " + key + "</p>"},
		{Status: 202, Body: `{"id": "` + key}} {
		h.fake.Inject(routeSubmit, 1, f)
		keep(h.p.Submit(ctx, h.request()))
	}
	h.fake.Inject(routeList, 1, echo(401, "unauthorized"))
	keep(nil, h.p.TestKey(ctx, h.secrets))
	h.fake.Inject(routeList, 1, echo(403, "missing_scope"))
	keep(nil, h.p.TestKey(ctx, h.secrets))

	remote := h.submit()
	h.fake.Inject(routeJob, -1, echo(500, "internal"))
	keep(collect(remote))
	h.fake.ClearFaults()
	h.fake.Inject(routeJob, -1, echo(404, "not_found"))
	keep(collect(remote))
	h.fake.ClearFaults()
	h.fake.Inject(routeFile, -1, echo(500, "internal"))
	keep(collect(remote))
	h.fake.ClearFaults()
	h.fake.Inject(routeFile, -1, fault{Status: 200, Body: "not a model, key " + key})
	keep(collect(remote))
	h.fake.ClearFaults()
	h.fake.Outcome, h.fake.Failure = StatusFailed, Failure{Code: "provider_failed", Message: "key " + key + " refused upstream"}
	keep(collect(h.submit()))

	keep(nil, h.p.TestKey(ctx, keyOf(key+"\x01")))
	p, err := New(Config{Endpoint: "http://" + closedAddr(t), Secrets: h.secrets, Config: httpkit.Config{Log: h.cfg.Log}})
	if err != nil {
		t.Fatal(err)
	}
	keep(p.Submit(ctx, h.request()))

	if len(errs) < 17 {
		t.Errorf("only %d errors: the faults did not all bite", len(errs))
	}
	for _, err := range errs {
		if strings.Contains(err.Error(), key) || strings.Contains(err.Error(), key[:20]) {
			t.Errorf("an error shows the key: %v", err)
		}
	}
	log := h.log.String()
	if strings.Contains(log, key) || strings.Contains(log, key[:20]) {
		t.Errorf("the log shows the key:\n%s", log)
	}
	if !strings.Contains(log, "jobsapi refused") {
		t.Errorf("the log holds no refusal: the test logged nothing worth reading:\n%s", log)
	}
}
