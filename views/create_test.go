package views

import (
	"context"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"
	"github.com/zalando/go-keyring"

	"github.com/kiln3d/kiln/app"
	"github.com/kiln3d/kiln/providers"
	"github.com/kiln3d/kiln/providers/providertest"
)

// tierCaps are capabilities shaped like Rodin's: tiers, a mesh mode whose default follows the
// tier, an option that applies to one tier only, a seed, polycount ranges by mesh mode, a prompt.
func tierCaps(c *providers.Capabilities) {
	c.Prompt = true
	c.Polycount = providers.Range{Min: 500, Max: 1000000, Default: 10000}
	c.Options = []providers.Option{
		{Key: "tier", Label: "Tier", Choices: []providers.Choice{{Value: "medium"}, {Value: "high"}, {Value: "sketch"}}},
		{Key: "mesh", Label: "Mesh", Choices: []providers.Choice{{Value: "quad"}, {Value: "raw"}},
			Defaults: []providers.ConditionalDefault{{When: providers.Condition{"tier": {"medium", "high"}}, Value: "raw"}}},
		{Key: "detail", Label: "Detail", Choices: []providers.Choice{{Value: "off"}, {Value: "on"}},
			When: providers.Condition{"tier": {"high"}}, Help: "More detail, for the high tier only."},
		{Key: "seed", Label: "Seed", Number: &providers.Range{Min: 0, Max: 65535}},
	}
	c.PolycountRanges = []providers.PolycountRange{
		{When: providers.Condition{"mesh": {"quad"}}, Range: providers.Range{Min: 1000, Max: 50000, Default: 20000}, Note: "Quad: 1,000 to 50,000 faces"},
		{When: providers.Condition{"mesh": {"raw"}}, Range: providers.Range{Min: 500, Max: 1000000, Default: 200000}, Note: "Raw: 500 to 1,000,000 triangles"},
	}
}

// newPriced is a paid provider called cloud shaped like Rodin (tierCaps): its high tier costs
// 1.5 credits, the others 0.5, and each key's account has its balance.
func newPriced(balances map[string]float64) *providertest.Account {
	a := providertest.NewAccount("cloud", balances)
	tierCaps(&a.Caps)
	a.PriceOf = func(req providers.Request) float64 {
		if req.Option(a.Caps, "tier") == "high" {
			return 1.5
		}
		return 0.5
	}
	return a
}

func addKey(t *testing.T, u *UI, name, key string) {
	t.Helper()
	if _, err := u.k.Keys.Add(context.Background(), "cloud", name, map[string]string{"api_key": key}); err != nil {
		t.Fatal(err)
	}
}

func TestPromptAloneSubmitsTextTo3D(t *testing.T) {
	plain, texter := providertest.NewFake("plain"), providertest.NewFake("texter")
	texter.Caps.Prompt = true
	u, ui := harness(t, nil, plain, texter)
	c := u.create
	if c.promptRow.visible() {
		t.Error("the prompt shows for a provider without prompts")
	}
	if !strings.Contains(c.hint.Text, "Add a reference image: drop it here") {
		t.Errorf("hint %q", c.hint.Text)
	}
	c.providerSel.SetSelected("Fake texter")
	if !c.promptRow.visible() || !c.submit.Disabled() || !strings.Contains(c.hint.Text, "or describe the object in the prompt") {
		t.Fatalf("prompt shown %v, submit disabled %v, hint %q", c.promptRow.visible(), c.submit.Disabled(), c.hint.Text)
	}
	test.Type(c.prompt, "a red enamel teapot")
	if c.submit.Disabled() || c.hint.Text != "Ready: your prompt to Fake texter for a model of 1000 triangles." {
		t.Fatalf("submit disabled %v, hint %q", c.submit.Disabled(), c.hint.Text)
	}
	if c.cost.label.Visible() {
		t.Errorf("a provider without prices shows a cost: %q", c.cost.label.Text)
	}
	test.Tap(c.submit)
	ui.until(t, "the submission", func() bool { return len(texter.Requests()) == 1 })
	req := texter.Requests()[0]
	if req.Prompt != "a red enamel teapot" || len(req.Images) != 0 {
		t.Errorf("request prompt %q, %d images", req.Prompt, len(req.Images))
	}
	ui.until(t, "the job row", func() bool { return len(rows(u)) == 1 })
	if name := rows(u)[0].name.Text; name != "a red enamel teapot" {
		t.Errorf("job named %q", name)
	}

	// A provider without prompts does not get the prompt typed for another.
	c.providerSel.SetSelected("Fake plain")
	c.addPaths([]string{writeImage(t, t.TempDir(), "pot.png")})
	ui.until(t, "the image", func() bool { return !c.submit.Disabled() })
	test.Tap(c.submit)
	ui.until(t, "the second submission", func() bool { return len(plain.Requests()) == 1 })
	if p := plain.Requests()[0].Prompt; p != "" {
		t.Errorf("plain provider got the prompt %q", p)
	}
}

func TestCredentialPickerChoosesTheAccount(t *testing.T) {
	keyring.MockInit()
	cloud := newPriced(map[string]float64{"sk-personal-0123456789": 12, "sk-studio-0123456789": 3})
	u, ui := harness(t, nil, providertest.NewFake("local"), cloud)
	c := u.create
	c.cost.delay = time.Millisecond
	c.providerSel.SetSelected("Fake cloud")
	addKey(t, u, "Personal", "sk-personal-0123456789")
	c.refresh()
	ui.until(t, "one key read", func() bool { return len(c.account.names) == 1 })
	if c.account.row.visible() || c.account.chosen() != "" {
		t.Error("the account picker shows with one key")
	}
	addKey(t, u, "Studio", "sk-studio-0123456789")
	c.refresh()
	ui.until(t, "the account picker", func() bool { return c.account.row.visible() })
	if c.account.sel.Selected != "Personal" {
		t.Errorf("picker starts on %q, want the default Personal", c.account.sel.Selected)
	}
	ui.until(t, "Personal's balance", func() bool { return strings.Contains(c.cost.label.Text, "balance 12 credits") })
	c.account.sel.SetSelected("Studio")
	ui.until(t, "Studio's balance", func() bool { return strings.Contains(c.cost.label.Text, "balance 3 credits") })

	c.addPaths([]string{writeImage(t, t.TempDir(), "pot.png")})
	ui.until(t, "the image", func() bool { return !c.submit.Disabled() })
	test.Tap(c.submit)
	ui.until(t, "the job", func() bool { return len(u.jobs.jobs) == 1 })
	if j := u.jobs.jobs[0]; j.Credential != "Studio" || j.Cost != 0.5 {
		t.Errorf("job credential %q cost %v, want Studio and 0.5", j.Credential, j.Cost)
	}

	// The environment's credential comes first and is picked.
	t.Setenv("KILN_CLOUD_API_KEY", "sk-env-000000000000")
	c.refresh()
	ui.until(t, "the environment's credential", func() bool { return len(c.account.names) == 3 })
	if c.account.sel.Selected != "Studio" {
		t.Errorf("the artist's choice was lost: %q", c.account.sel.Selected)
	}
	c.account.sel.ClearSelected()
	c.refresh()
	ui.until(t, "a choice", func() bool { return c.account.sel.Selected != "" })
	if c.account.sel.Selected != app.EnvCredentialName {
		t.Errorf("picker starts on %q, want the environment's", c.account.sel.Selected)
	}
}

func TestOptionsFollowEachOtherAndThePolycountRange(t *testing.T) {
	fake := providertest.NewFake("tiers")
	tierCaps(&fake.Caps)
	u, ui := harness(t, nil, fake)
	c, e := u.create, u.create.extras
	// Medium makes raw triangles unless asked: the raw range, and its default for a value the
	// artist never chose.
	if got := e.field("mesh").sel.Selected; got != "raw" {
		t.Errorf("mesh shows %q, want the tier's default raw", got)
	}
	if c.polycount.value() != 200000 || c.rangeNote.Text != "Raw: 500 to 1,000,000 triangles" || !c.rangeNote.Visible() {
		t.Errorf("polycount %d, range note %q", c.polycount.value(), c.rangeNote.Text)
	}
	if e.field("detail").row.visible() {
		t.Error("detail shows for the medium tier")
	}
	// Sketch makes quads: the untouched mesh and polycount follow, without a word.
	e.field("tier").sel.SetSelected("sketch")
	if got := e.field("mesh").sel.Selected; got != "quad" {
		t.Errorf("mesh shows %q for sketch, want quad", got)
	}
	if c.polycount.value() != 20000 || c.clampNote.Visible() {
		t.Errorf("polycount %d, clamp note %q", c.polycount.value(), c.clampNote.Text)
	}

	// A value the artist chose is kept while it fits, and clamped and said when it does not.
	e.field("mesh").sel.SetSelected("raw")
	test.Type(c.polycount.entry, "") // focus
	c.polycount.entry.SetText("80000")
	if c.polycount.value() != 80000 {
		t.Fatalf("typed 80000, got %d", c.polycount.value())
	}
	e.field("mesh").sel.SetSelected("quad")
	if c.polycount.value() != 50000 || c.polycount.entry.Text != "50000" {
		t.Errorf("quad: polycount %d (entry %q), want 50000", c.polycount.value(), c.polycount.entry.Text)
	}
	if !c.clampNote.Visible() || c.clampNote.Text != "80,000 is more than these options allow: 50,000 will be asked for." ||
		c.rangeNote.Text != "Quad: 1,000 to 50,000 faces" {
		t.Errorf("clamp note %q, range note %q", c.clampNote.Text, c.rangeNote.Text)
	}
	// A range that allows the artist's value again gives it back.
	e.field("mesh").sel.SetSelected("raw")
	if c.polycount.value() != 80000 || c.clampNote.Visible() {
		t.Errorf("raw again: polycount %d, clamp note %q", c.polycount.value(), c.clampNote.Text)
	}
	e.field("mesh").sel.SetSelected("quad")
	if c.polycount.value() != 50000 || !c.clampNote.Visible() {
		t.Errorf("quad again: polycount %d, clamp note shown %v", c.polycount.value(), c.clampNote.Visible())
	}
	c.polycount.entry.SetText("30000")
	if c.clampNote.Visible() {
		t.Error("the clamp note stays after the artist typed a value")
	}

	// An option that applies to one tier shows for it only, and is sent only then.
	e.field("tier").sel.SetSelected("high")
	if !e.field("detail").row.visible() || !e.field("detail").row.label.Visible() {
		t.Fatal("detail hidden for the high tier")
	}
	e.field("detail").sel.SetSelected("on")
	if v := e.values(); v["detail"] != "on" {
		t.Errorf("values %v", v)
	}
	e.field("tier").sel.SetSelected("medium")
	if e.field("detail").row.visible() {
		t.Error("detail still shown for the medium tier")
	}

	// A number: empty is the provider's choice; anything but a whole number in range blocks.
	c.addPaths([]string{writeImage(t, t.TempDir(), "pot.png")})
	ui.until(t, "the image", func() bool { ok, _, _ := c.inputs.usable(); return len(ok) == 1 })
	seed := e.field("seed").entry
	if seed.PlaceHolder != "random (0 to 65,535)" {
		t.Errorf("seed placeholder %q", seed.PlaceHolder)
	}
	seed.SetText("abc")
	if !c.submit.Disabled() || c.hint.Text != "Seed must be a whole number from 0 to 65535, or left empty." {
		t.Errorf("bad seed: hint %q", c.hint.Text)
	}
	seed.SetText("70000")
	if !c.submit.Disabled() {
		t.Error("a seed out of range is accepted")
	}
	seed.SetText("42")
	if c.submit.Disabled() {
		t.Fatalf("Submit disabled: %q", c.hint.Text)
	}
	test.Tap(c.submit)
	ui.until(t, "the submission", func() bool { return len(fake.Requests()) == 1 })
	req := fake.Requests()[0]
	if _, sent := req.Options["detail"]; sent || req.Options["seed"] != "42" || req.Options["tier"] != "medium" ||
		req.Options["mesh"] != "quad" || req.Polycount != 30000 {
		t.Errorf("request options %v polycount %d", req.Options, req.Polycount)
	}
}

func TestCostLineShowsThePlanAndAShortBalance(t *testing.T) {
	keyring.MockInit()
	cloud := newPriced(map[string]float64{"sk-personal-0123456789": 1})
	u, ui := harness(t, nil, providertest.NewFake("local"), cloud)
	c := u.create
	c.cost.delay = time.Millisecond
	if c.cost.label.Visible() {
		t.Errorf("the local provider shows a cost: %q", c.cost.label.Text)
	}
	c.providerSel.SetSelected("Fake cloud")
	ui.until(t, "the missing key said", func() bool {
		return c.cost.label.Visible() && strings.Contains(c.cost.label.Text, "needs a key: add one in Settings")
	})

	// The plan asks the account's balance: the window goes on while it waits.
	cloud.BalanceGate = make(chan struct{})
	addKey(t, u, "Personal", "sk-personal-0123456789")
	c.refresh()
	ui.until(t, "the balance to be asked", func() bool { return cloud.BalanceCalls() == 1 })
	c.prompt.SetText("a lamp") // the UI thread is free while Balance waits
	ui.pump(t, 50*time.Millisecond)
	if c.cost.label.Text != "Working out the cost…" {
		t.Errorf("while waiting: %q", c.cost.label.Text)
	}
	close(cloud.BalanceGate)
	ui.until(t, "the cost", func() bool { return c.cost.label.Text == "Cost 0.5 credits; balance 1 credit" })
	if c.cost.label.Importance == widget.DangerImportance {
		t.Error("an affordable job is shown as a danger")
	}
	u.create.extras.field("tier").sel.SetSelected("high")
	ui.until(t, "the short balance", func() bool { return strings.Contains(c.cost.label.Text, "Cost 1.5 credits") })
	if !strings.Contains(c.cost.label.Text, "the balance is only 1 credit: top up") || c.cost.label.Importance != widget.DangerImportance {
		t.Errorf("short: %q (importance %v)", c.cost.label.Text, c.cost.label.Importance)
	}
	if n := cloud.BalanceCalls(); n > 2 {
		t.Errorf("the balance was asked %d times for one account", n)
	}
}
