package cli

import (
	"context"
	"strings"
	"testing"

	"github.com/kiln3d/kiln/providers/providertest"
)

func TestServeUsage(t *testing.T) {
	home := t.TempDir()
	fakes := []*providertest.Fake{providertest.NewFake("local")}
	for _, c := range []struct {
		args []string
		says string
	}{
		{[]string{"serve", "--workers", "0"}, "--workers"},
		{[]string{"serve", "--tls-cert", "c.pem"}, "--tls-key"},
		{[]string{"serve", "--addr", "3000"}, "host:port"},
		{[]string{"serve", "extra"}, "no arguments"},
		{[]string{"serve", "keys"}, "create, list or revoke"},
		{[]string{"serve", "keys", "rotate"}, "unknown command"},
		{[]string{"serve", "keys", "create"}, "--name"},
		{[]string{"serve", "keys", "create", "--name", "ci", "--scopes", "jobs:all"}, "no such scope"},
		{[]string{"serve", "keys", "revoke"}, "usage"},
	} {
		r := kiln(t, context.Background(), home, fakes, c.args...)
		if r.status != exitUsage || !strings.Contains(r.stderr, c.says) {
			t.Errorf("kiln %s: %d %q, want a usage error saying %q", strings.Join(c.args, " "), r.status, r.stderr, c.says)
		}
	}
	// Revoking a key that does not exist is a plain failure, not a usage error.
	if r := kiln(t, context.Background(), home, fakes, "serve", "keys", "revoke", "kiln_00000000"); r.status != exitFailed || !strings.Contains(r.stderr, "no such API key") {
		t.Errorf("revoke an unknown key: %d %q", r.status, r.stderr)
	}
}
