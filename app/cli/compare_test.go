package cli

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/kiln3d/kiln/providers"
	"github.com/kiln3d/kiln/providers/local"
	"github.com/kiln3d/kiln/providers/providertest"
)

// `kiln generate --provider A --provider B:N IMAGE` sends the image to each as one comparison and
// saves each model into --out, named after the image and its provider and polycount.
func TestGenerateComparesProviders(t *testing.T) {
	reg, err := providers.NewRegistry(local.New(), providertest.NewFake("fake"))
	if err != nil {
		t.Fatal(err)
	}
	home, src, out := t.TempDir(), t.TempDir(), t.TempDir()
	img := writePNG(t, src, "crate.png")
	r := kilnOn(t, context.Background(), home, reg, "generate", "--provider", "local:600", "--provider", "local",
		"--provider", "fake:300", "--polycount", "900", "--json", "--out", out, img)
	if r.status != 0 {
		t.Fatalf("status %d, stderr %q", r.status, r.stderr)
	}
	var res []generateResult
	if err := json.Unmarshal([]byte(r.stdout), &res); err != nil || len(res) != 3 {
		t.Fatalf("stdout %q (%v)", r.stdout, err)
	}
	var names []string
	for _, x := range res {
		if x.Status != "done" || len(x.Files) != 1 || x.Batch == "" || x.Batch != res[0].Batch {
			t.Errorf("result %+v", x)
			continue
		}
		names = append(names, filepath.Base(x.Files[0]))
		if _, err := os.Stat(x.Files[0]); err != nil {
			t.Error(err)
		}
	}
	want := []string{"crate (Local 600).glb", "crate (Local 900).glb", "crate (Fake fake 300).glb"}
	if !slices.Equal(names, want) {
		t.Errorf("saved %v, want %v", names, want)
	}
	if res[0].Triangles != 600 || res[1].Triangles != 900 || res[2].Triangles != 4 {
		t.Errorf("triangles %d, %d, %d", res[0].Triangles, res[1].Triangles, res[2].Triangles)
	}
	if !strings.Contains(r.stderr, "a comparison of 3 models (tagged compare:") || !strings.Contains(r.stderr, "Comparison of 3 · 3 done · 0 failed") {
		t.Errorf("stderr %q", r.stderr)
	}
}

// What a comparison cannot be is said before anything is opened or sent.
func TestGenerateCompareUsage(t *testing.T) {
	home, src := t.TempDir(), t.TempDir()
	img := writePNG(t, src, "crate.png")
	fakes := []*providertest.Fake{providertest.NewFake("a"), providertest.NewFake("b")}
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"--provider", "a", "--provider", "b", "--each"}, "leave out --each"},
		{[]string{"--provider", "a", "--provider", "b", "--option", "x=y"}, "one provider's"},
		{[]string{"--provider", "a", "--provider", "b", "--force"}, "never replaces a file"},
		{[]string{"--provider", "a", "--provider", "b", "--provider", "a", "--provider", "b", "--provider", "a"}, "2 to 4 models"},
		{[]string{"--provider", "a:lots", "--provider", "b"}, "whole number"},
		{[]string{"--provider", "a", "--provider", "b", "--out", filepath.Join(src, "x.glb")}, "give a folder"},
	} {
		r := kiln(t, context.Background(), home, fakes, append(append([]string{"generate"}, c.args...), img)...)
		if r.status == 0 || !strings.Contains(r.stderr, c.want) {
			t.Errorf("%v: status %d, stderr %q; want %q", c.args, r.status, r.stderr, c.want)
		}
	}
	if fakes[0].Submits()+fakes[1].Submits() != 0 {
		t.Error("a refused comparison sent work")
	}
}
