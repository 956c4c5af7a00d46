package app

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/kiln3d/kiln/providers"
	"github.com/kiln3d/kiln/providers/providertest"
)

// A corrected cut-out travels with its image: the job keeps a copy, the provider is sent it, the
// library files it beside the image, and what the provider said about the model stays with both.
func TestCutOutAndNotesAreKept(t *testing.T) {
	home, src := t.TempDir(), t.TempDir()
	fake := providertest.NewFake("fake")
	fake.Steps = 3
	fake.Note = "Shape: Turned, because the outline is mirror-symmetric"
	k := openKiln(t, home, QueueOptions{}, fake)
	defer k.Close()
	ctx := context.Background()

	img := writePNG(t, src, "vase.png")
	other := writePNG(t, src, "vase left.png")
	mask := writePNG(t, src, "my mask.png")
	req := request(img, other)
	req.Images[0].Mask = mask
	j, err := k.Jobs.Submit(ctx, "fake", req)
	if err != nil {
		t.Fatal(err)
	}
	done := wait(t, k, j.ID)
	if done.State != Done {
		t.Fatalf("job ended %s: %s", done.State, done.Error)
	}
	sent := fake.Requests()[0].Images
	if filepath.Base(sent[0].Mask) != "vase"+MaskSuffix || sent[1].Mask != "" {
		t.Fatalf("the provider was sent %+v", sent)
	}
	if filepath.Dir(sent[0].Mask) != filepath.Dir(sent[0].Path) {
		t.Errorf("the cut-out %s is not kept with the job's inputs %s", sent[0].Mask, sent[0].Path)
	}
	// Said three times, kept once.
	if !slices.Equal(done.Notes, []string{fake.Note}) {
		t.Errorf("job notes %q", done.Notes)
	}
	stored, err := k.Jobs.Job(ctx, j.ID)
	if err != nil || !slices.Equal(stored.Notes, done.Notes) {
		t.Errorf("stored notes %q (%v)", stored.Notes, err)
	}

	a, err := k.Library.Get(done.AssetID)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(a.Made, done.Notes) {
		t.Errorf("asset's notes %q", a.Made)
	}
	if len(a.Inputs) != 3 || len(a.Images()) != 2 || a.Inputs[2].Role != RoleCutOut {
		t.Fatalf("inputs %+v", a.Inputs)
	}
	c := a.CutOutOf(a.Inputs[0].Path)
	if c == "" || a.CutOutOf(a.Inputs[1].Path) != "" {
		t.Fatalf("cut-outs: %q for the first image, %q for the second", c, a.CutOutOf(a.Inputs[1].Path))
	}
	want, _ := os.ReadFile(mask)
	if got, err := os.ReadFile(filepath.Join(a.Dir, c)); err != nil || string(got) != string(want) {
		t.Errorf("the library's cut-out differs from the artist's (%v)", err)
	}
	// The done job's request points at the library's copies, cut-out included, so that a retry
	// sends the same.
	if done.Request.Images[0].Mask != filepath.Join(a.Dir, c) || done.Request.Images[0].Path != filepath.Join(a.Dir, a.Inputs[0].Path) {
		t.Errorf("done request images %+v", done.Request.Images)
	}
	// The sidecar, read afresh, says the same.
	again, err := k.Library.Get(a.ID)
	if err != nil || again.CutOutOf(a.Inputs[0].Path) != c || !slices.Equal(again.Made, a.Made) {
		t.Errorf("reread asset: %+v (%v)", again, err)
	}
}

// A cut-out that is not an image is refused before anything is saved.
func TestDamagedCutOutIsRefused(t *testing.T) {
	home, src := t.TempDir(), t.TempDir()
	k := openKiln(t, home, QueueOptions{}, providertest.NewFake("fake"))
	defer k.Close()
	bad := filepath.Join(src, "mask.png")
	if err := os.WriteFile(bad, []byte("not a png"), 0o644); err != nil {
		t.Fatal(err)
	}
	req := request(writePNG(t, src, "vase.png"))
	req.Images[0].Mask = bad
	_, err := k.Jobs.Submit(context.Background(), "fake", req)
	if ie, ok := errors.AsType[*providers.InputError](err); !ok || ie.File != bad {
		t.Fatalf("a damaged cut-out: %v", err)
	}
	if jobs, _ := k.Jobs.Jobs(context.Background()); len(jobs) != 0 {
		t.Errorf("%d jobs saved", len(jobs))
	}
}

// Plan gives a request without a size the default height from Settings, and says the size and
// shape a provider that can foresee its model will make.
func TestPlanForesees(t *testing.T) {
	home, src := t.TempDir(), t.TempDir()
	fake := providertest.NewFake("fake")
	fake.Caps.Dimensions = true
	reg := mustRegistry(t, foreseer{fake})
	k, err := Open(Options{Home: home, Providers: reg})
	if err != nil {
		t.Fatal(err)
	}
	defer k.Close()
	if err := k.Settings.SetHeightCM(30); err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	plan, err := k.Plan(ctx, "fake", "", request(writePNG(t, src, "vase.png")), false)
	if err != nil {
		t.Fatal(err)
	}
	if plan.Request.Size != (providers.Dimensions{HeightCM: 30, Default: true}) {
		t.Errorf("planned size %+v", plan.Request.Size)
	}
	want := []string{"Size: 15 × 30 × 15 cm (W × H × D), 30 cm tall by default: change it in Settings", "Shape: Turned"}
	if got := plan.Outlook(); !slices.Equal(got, want) {
		t.Errorf("outlook %q, want %q", got, want)
	}
	// A size the artist gives is sent as given; a refusal comes back as the provider's.
	req := request(writePNG(t, src, "vase.png"))
	req.Size = providers.Dimensions{HeightCM: 7.25}
	plan, err = k.Plan(ctx, "fake", "", req, false)
	if err != nil || plan.Request.Size != req.Size || plan.Outlook()[0] != "Size: 3.6 × 7.3 × 3.6 cm (W × H × D)" {
		t.Errorf("given size: %+v %q (%v)", plan.Request.Size, plan.Outlook(), err)
	}
	req.Size = providers.Dimensions{HeightCM: 10, WidthCM: 50}
	if _, err := k.Plan(ctx, "fake", "", req, false); err == nil || !strings.Contains(err.Error(), "proportions") {
		t.Errorf("a size at odds: %v", err)
	}
}

// foreseer is a fake provider that foresees a model half as wide as tall.
type foreseer struct{ *providertest.Fake }

func (foreseer) Foresee(_ context.Context, req providers.Request) (providers.Foresight, error) {
	h := req.Size.HeightCM
	if req.Size.WidthCM > 0 && req.Size.WidthCM != h/2 {
		return providers.Foresight{}, &providers.InputError{Reason: "the width does not match the image's proportions"}
	}
	return providers.Foresight{Size: providers.Dimensions{WidthCM: h / 2, HeightCM: h, DepthCM: h / 2}, Notes: []string{"Shape: Turned"}}, nil
}
