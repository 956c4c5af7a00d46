package app

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/zalando/go-keyring"

	"github.com/kiln3d/kiln/providers"
	"github.com/kiln3d/kiln/providers/providertest"
)

// tiered is a paid provider whose polycount range follows a tier option and which takes prompts
// and texturing requests, the way Rodin does.
func tiered() *providertest.Account {
	a := providertest.NewAccount("paid", map[string]float64{"key-rich-0123456789": 12.5, "key-poor-0123456789": 0.5})
	a.Cost = 1.5
	a.Caps.Prompt = true
	a.Caps.Options = []providers.Option{{Key: "tier", Label: "Tier", Choices: []providers.Choice{
		{Value: "small", Label: "Small"}, {Value: "large", Label: "Large"}}}}
	a.Caps.PolycountRanges = []providers.PolycountRange{
		{When: providers.Condition{"tier": {"small"}}, Range: providers.Range{Min: 500, Max: 50000, Default: 10000}, Note: "Small: 500 to 50,000"},
	}
	a.Caps.Retexture = &providers.Retexture{Title: "Texture", Options: []providers.Option{{Key: "seed", Label: "Seed", Number: &providers.Range{Max: 65535}}}}
	return a
}

func openPaid(t *testing.T, a *providertest.Account) *Kiln {
	t.Helper()
	keyring.MockInit()
	k, err := Open(Options{Home: t.TempDir(), Providers: mustRegistry(t, providertest.NewFake("free"), a),
		Getenv: func(string) string { return "" }})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = k.Close() })
	return k
}

func TestPlanClampsThePolycountToTheOptionsRangeAndSaysSo(t *testing.T) {
	k := openPaid(t, tiered())
	ctx := context.Background()
	if _, err := k.Keys.Add(ctx, "paid", "Rich", map[string]string{"api_key": "key-rich-0123456789"}); err != nil {
		t.Fatal(err)
	}
	img := writePNG(t, t.TempDir(), "a.png")
	plan, err := k.Plan(ctx, "paid", "", request(img), false)
	if err != nil {
		t.Fatal(err)
	}
	if plan.Request.Polycount != 1000 || len(plan.Notes) != 0 || plan.Polycount.Max != 50000 {
		t.Errorf("a polycount inside the range: %+v", plan)
	}
	req := request(img)
	req.Polycount = 80000
	plan, _ = k.Plan(ctx, "paid", "", req, false)
	if plan.Request.Polycount != 50000 || len(plan.Notes) != 1 || !strings.Contains(plan.Notes[0], "Small: 500 to 50,000") ||
		!strings.Contains(plan.Notes[0], "80000") {
		t.Errorf("a polycount above the tier's range: %d, notes %q", plan.Request.Polycount, plan.Notes)
	}
	req.Options = map[string]string{"tier": "large"}
	if plan, _ = k.Plan(ctx, "paid", "", req, false); plan.Request.Polycount != 80000 || len(plan.Notes) != 0 {
		t.Errorf("another tier's range: %d %q", plan.Request.Polycount, plan.Notes)
	}
	req.Polycount = 0
	if plan, _ = k.Plan(ctx, "paid", "", request(img), false); plan.Request.Polycount != 1000 {
		t.Errorf("no polycount given: %d", plan.Request.Polycount)
	}
	zero := request(img)
	zero.Polycount = 0
	if plan, _ = k.Plan(ctx, "paid", "", zero, false); plan.Request.Polycount != 10000 || len(plan.Notes) != 0 {
		t.Errorf("no polycount given: %d %q, want the tier's default", plan.Request.Polycount, plan.Notes)
	}
}

func TestPlanPricesTheJobAgainstTheBalanceOfItsCredential(t *testing.T) {
	a := tiered()
	k := openPaid(t, a)
	ctx := context.Background()
	img := writePNG(t, t.TempDir(), "a.png")
	if _, err := k.Plan(ctx, "paid", "", request(img), true); !errors.Is(err, ErrNoCredential) {
		t.Fatalf("no credential: %v", err)
	}
	for _, c := range [][2]string{{"Rich", "key-rich-0123456789"}, {"Poor", "key-poor-0123456789"}} { // Rich first: the default
		if _, err := k.Keys.Add(ctx, "paid", c[0], map[string]string{"api_key": c[1]}); err != nil {
			t.Fatal(err)
		}
	}
	plan, err := k.Plan(ctx, "paid", "Poor", request(img), true)
	if err != nil {
		t.Fatal(err)
	}
	if plan.Credential != "Poor" || plan.Price == nil || plan.Price.Credits != 1.5 || plan.Balance == nil || *plan.Balance != 0.5 || !plan.Short() {
		t.Fatalf("the poor account's plan: %+v", plan)
	}
	if s := plan.Summary(); !strings.Contains(s, "Cost 1.5 credits") || !strings.Contains(s, "only 0.5 credits") {
		t.Errorf("summary %q", s)
	}
	a.Cost = 1
	if plan, _ = k.Plan(ctx, "paid", "Poor", request(img), true); plan.Summary() != "Cost 1 credit; the balance is only 0.5 credits: top up before submitting" {
		t.Errorf("summary %q", plan.Summary())
	}
	a.Cost = 1.5
	plan, _ = k.Plan(ctx, "paid", "", request(img), true) // the default: the first added
	if plan.Credential != "Rich" || plan.Short() || !strings.Contains(plan.Summary(), "balance 12.5 credits") {
		t.Errorf("the rich account's plan: %+v %q", plan, plan.Summary())
	}
	if plan, _ = k.Plan(ctx, "paid", "", request(img), false); plan.Balance != nil || plan.Price == nil {
		t.Errorf("without the balance: %+v", plan)
	}
	a.BalanceErr = errors.New("the network is down")
	plan, err = k.Plan(ctx, "paid", "", request(img), true)
	if err != nil || plan.BalanceError == "" || !strings.Contains(plan.Summary(), "could not be checked (the network is down)") {
		t.Errorf("a failed balance check: %v %+v", err, plan)
	}
	if plan, _ = k.Plan(ctx, "free", "", request(img), true); plan.Price != nil || plan.Summary() != "" || plan.Credential != "" {
		t.Errorf("a free provider's plan: %+v", plan)
	}
	// The job goes out with the planned credential, and records it and the cost.
	j, err := k.Jobs.Submit(ctx, "paid", plan.Request, WithCredential("Poor"), WithCost(1.5))
	if err != nil {
		t.Fatal(err)
	}
	if done := wait(t, k, j.ID); done.State != Done || done.Credential != "Poor" || done.Cost != 1.5 {
		t.Fatalf("job: %+v", done)
	}
	if used := a.KeysUsed(); len(used) != 1 || used[0] != "key-poor-0123456789" {
		t.Errorf("keys used: %v", used)
	}
	asset, _ := k.Library.Get(j.ID)
	if asset.Credential != "Poor" || asset.Parameters.Cost != 1.5 {
		t.Errorf("the asset records credential %q and cost %v", asset.Credential, asset.Parameters.Cost)
	}
}

// A prompt alone makes a job (text-to-3D) named after its first words; a texturing job paints a
// library model and files a new asset that records what it came from, leaving the original as
// it was.
func TestPromptAndTexturingJobs(t *testing.T) {
	k := openPaid(t, tiered())
	ctx := context.Background()
	if _, err := k.Keys.Add(ctx, "paid", "Rich", map[string]string{"api_key": "key-rich-0123456789"}); err != nil {
		t.Fatal(err)
	}
	text := providers.Request{Polycount: 2000, Prompt: "a weathered wooden rowing boat with two oars resting inside"}
	j, err := k.Jobs.Submit(ctx, "paid", text)
	if err != nil {
		t.Fatal(err)
	}
	made := wait(t, k, j.ID)
	if made.State != Done || made.Name() != "a weathered wooden rowing boat with two…" {
		t.Fatalf("text-to-3D job %s %q: %s", made.State, made.Name(), made.Error)
	}
	if _, err := k.Jobs.Submit(ctx, "free", text); !errors.Is(err, providers.ErrInvalidInput) {
		t.Errorf("a prompt to a provider without prompts: %v", err)
	}

	img := writePNG(t, t.TempDir(), "bark.png")
	req, err := k.RetextureRequest(made.AssetID, img, "oak bark", map[string]string{"seed": "42"})
	if err != nil {
		t.Fatal(err)
	}
	original, _ := k.Library.Get(made.AssetID)
	before, _ := os.ReadFile(original.ModelPath())
	tj, err := k.Jobs.Submit(ctx, "paid", req, OnAsset(made.AssetID))
	if err != nil {
		t.Fatal(err)
	}
	if tj.Request.Model == original.ModelPath() || !strings.HasPrefix(tj.Request.Model, k.Home) {
		t.Errorf("the model to texture was not copied into the job: %s", tj.Request.Model)
	}
	painted := wait(t, k, tj.ID)
	if painted.State != Done || painted.Origin != made.AssetID {
		t.Fatalf("texturing job %s origin %q: %s", painted.State, painted.Origin, painted.Error)
	}
	asset, _ := k.Library.Get(painted.AssetID)
	if asset.DerivedFrom == nil || asset.DerivedFrom.Asset != made.AssetID || asset.DerivedFrom.Operation != "texture" {
		t.Errorf("the textured asset records %+v", asset.DerivedFrom)
	}
	if after, _ := os.ReadFile(original.ModelPath()); string(after) != string(before) {
		t.Error("the original model changed")
	}
	if _, err := k.RetextureRequest("nope", img, "", nil); !errors.Is(err, ErrNoAsset) {
		t.Errorf("an unknown asset: %v", err)
	}
	bad := req
	bad.Options = map[string]string{"seed": "70000"}
	if _, err := k.Jobs.Submit(ctx, "paid", bad, OnAsset(made.AssetID)); !errors.Is(err, providers.ErrInvalidInput) {
		t.Errorf("a seed out of range: %v", err)
	}
	broken := filepath.Join(t.TempDir(), "broken.glb")
	if err := os.WriteFile(broken, []byte("glTF but not really"), 0o644); err != nil {
		t.Fatal(err)
	}
	bad = req
	bad.Model = broken
	if _, err := k.Jobs.Submit(ctx, "paid", bad); !errors.Is(err, providers.ErrInvalidInput) || !strings.Contains(err.Error(), "broken.glb") {
		t.Errorf("a damaged model to texture: %v", err)
	}
}
