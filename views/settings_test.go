package views

import (
	"context"
	"errors"
	"strings"
	"sync"
	"testing"

	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"
	"github.com/zalando/go-keyring"

	"github.com/kiln3d/kiln/providers"
	"github.com/kiln3d/kiln/providers/providertest"
)

// cloud is a fake provider with a key, a key test and an address.
type cloud struct {
	*providertest.Fake
	mu       sync.Mutex
	endpoint string
}

func newCloud() *cloud {
	f := providertest.NewFake("cloud")
	f.Caps.NeedsKey = true
	f.Caps.KeyFields = []providers.KeyField{{Key: "dev_id", Label: "Developer ID"}, {Key: "api_key", Label: "API key", Secret: true}}
	return &cloud{Fake: f, endpoint: "https://api.example.com"}
}

func (c *cloud) TestKey(ctx context.Context, s providers.Secrets) error {
	f, err := s.Fields(ctx)
	if err != nil {
		return err
	}
	if f["api_key"] != "sk-right-key-0123456789" {
		return &providers.APIError{Provider: "cloud", Op: "test", Status: 401, Message: "Invalid API key", Kind: providers.ErrUnauthorized}
	}
	return nil
}

func (c *cloud) Endpoint() string {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.endpoint
}
func (c *cloud) DefaultEndpoint() string { return "https://api.example.com" }
func (c *cloud) SetEndpoint(u string) error {
	if u == "" {
		u = c.DefaultEndpoint()
	}
	if strings.HasPrefix(u, "http://") && !strings.HasPrefix(u, "http://127.0.0.1") {
		return errors.New("plain http only for loopback")
	}
	c.mu.Lock()
	c.endpoint = u
	c.mu.Unlock()
	return nil
}

// overlayButton finds a button by its text in the window's top overlay (a dialog).
func overlayButton(t *testing.T, u *UI, text string) *widget.Button {
	t.Helper()
	for _, o := range test.LaidOutObjects(u.win.Canvas().Overlays().Top()) {
		if b, ok := o.(*widget.Button); ok && b.Text == text {
			return b
		}
	}
	t.Fatalf("no %q button in the dialog", text)
	return nil
}

func overlayEntries(u *UI) []*widget.Entry {
	var out []*widget.Entry
	for _, o := range test.LaidOutObjects(u.win.Canvas().Overlays().Top()) {
		if e, ok := o.(*widget.Entry); ok {
			out = append(out, e)
		}
	}
	return out
}

func TestSettingsKeys(t *testing.T) {
	keyring.MockInit()
	c := newCloud()
	u, ui := harness(t, nil, providertest.NewFake("local"), c)
	u.selectTab("Settings")
	ui.until(t, "the empty list", func() bool { return strings.Contains(u.settings.status.Text, "No keys yet") })

	// Add a key through the dialog: provider, name, developer id, secret.
	test.Tap(u.settings.addKey)
	entries := overlayEntries(u)
	if len(entries) != 3 {
		t.Fatalf("the add dialog has %d entries, want name, developer ID and API key", len(entries))
	}
	if !entries[2].Password {
		t.Error("the API key is typed in the clear")
	}
	entries[0].SetText("Personal")
	entries[1].SetText("dev-1")
	entries[2].SetText("sk-wrong-key-0000000000")
	test.Tap(overlayButton(t, u, "Add"))
	ui.until(t, "the key to be listed", func() bool { return len(u.settings.keys) == 1 })
	row := func() *keyRow {
		for _, o := range test.LaidOutObjects(u.settings.list) {
			if r, ok := o.(*keyRow); ok && r.cred.Name != "" {
				return r
			}
		}
		return nil
	}
	ui.until(t, "the row", func() bool { return row() != nil })
	if txt := row().title.Text + row().detail.Text; strings.Contains(txt, "0000000000") || !strings.Contains(txt, "sk-wr…") {
		t.Errorf("row shows %q: only the prefix may show", txt)
	}

	test.Tap(row().test)
	ui.until(t, "the test result", func() bool { return len(u.settings.keys) == 1 && u.settings.keys[0].LastTest != "" })
	if !strings.HasPrefix(u.settings.keys[0].LastTest, "Refused") {
		t.Errorf("last test: %q", u.settings.keys[0].LastTest)
	}
	ui.until(t, "the row to show the result", func() bool { return strings.Contains(row().detail.Text, "Refused") })

	// Remove asks first.
	test.Tap(row().remove)
	test.Tap(overlayButton(t, u, "Yes"))
	ui.until(t, "the key to go", func() bool { return len(u.settings.keys) == 0 })
	if _, err := keyring.Get("kiln:cloud", "Personal"); !errors.Is(err, keyring.ErrNotFound) {
		t.Errorf("the secret is still in the keychain: %v", err)
	}

	// The address: plain http to a remote host is refused; loopback is taken and remembered.
	entry := u.settings.endpoints["cloud"]
	entry.SetText("http://api.example.com")
	u.settings.saveEndpoint("cloud", entry)
	ui.until(t, "the refusal", func() bool { return u.win.Canvas().Overlays().Top() != nil })
	if c.Endpoint() != "https://api.example.com" {
		t.Errorf("endpoint changed to %s", c.endpoint)
	}
	u.win.Canvas().Overlays().Remove(u.win.Canvas().Overlays().Top())
	entry.SetText("http://127.0.0.1:8080")
	u.settings.saveEndpoint("cloud", entry)
	ui.until(t, "the new address", func() bool { return c.Endpoint() == "http://127.0.0.1:8080" })
	if u.k.Settings.Endpoint("cloud") != "http://127.0.0.1:8080" {
		t.Errorf("address not remembered: %q", u.k.Settings.Endpoint("cloud"))
	}
}
