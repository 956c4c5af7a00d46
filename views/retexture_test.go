package views

import (
	"context"
	"image"
	"image/png"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"fyne.io/fyne/v2/test"

	"github.com/kiln3d/kiln/app"
	"github.com/kiln3d/kiln/providers"
	"github.com/kiln3d/kiln/providers/providertest"
)

func TestTextureAnAssetFromTheLibrary(t *testing.T) {
	fake := providertest.NewFake("painter")
	fake.Caps.Retexture = &providers.Retexture{Title: "Texture with Painter", Options: []providers.Option{
		{Key: "material", Label: "Material", Choices: []providers.Choice{{Value: "PBR"}, {Value: "Shaded"}}}}}
	src := t.TempDir()
	ref := writeImage(t, src, "brick.png")
	u, ui := harness(t, fakeDialogs{open: []string{ref}}, providertest.NewFake("plain"), fake)
	u.create.providerSel.SetSelected("Fake painter")
	u.create.addPaths([]string{writeImage(t, src, "pot.png")})
	ui.until(t, "the image", func() bool { return !u.create.submit.Disabled() })
	test.Tap(u.create.submit)
	ui.until(t, "the model", func() bool { return len(u.library.entries) == 1 })
	u.selectTab("Library")
	row := selectAsset(t, u, ui, func(e app.Entry) bool { return e.Usable() })
	if len(row.texture) != 1 || row.texture[0].Disabled() || row.texture[0].Text != "Texture with Painter…" {
		t.Errorf("action %q", row.texture[0].Text)
	}
	origin := row.asset.ID
	test.Tap(row.texture[0])
	ok := overlayButton(t, u, "Texture")
	if !ok.Disabled() {
		t.Error("Texture is enabled before an image is chosen")
	}
	test.Tap(overlayButton(t, u, "Choose image…"))
	ui.until(t, "the image to be chosen", func() bool { return !ok.Disabled() })
	for _, e := range overlayEntries(u) {
		if e.MultiLine {
			e.SetText("weathered red brick")
		}
	}
	fake.Gate = make(chan struct{}) // the texturing job waits, so that what the library says meanwhile can be read
	test.Tap(ok)
	ui.until(t, "the texturing job", func() bool { return len(fake.Requests()) == 2 })
	req := fake.Requests()[1]
	if req.Model == "" || len(req.Images) != 1 || req.Prompt != "weathered red brick" {
		t.Errorf("request model %q, %d images, prompt %q", req.Model, len(req.Images), req.Prompt)
	}
	ui.until(t, "the job in the list", func() bool { return len(u.jobs.jobs) == 2 })
	if j := u.jobs.jobs[0]; j.Origin != origin || j.Request.Model == "" {
		t.Errorf("job origin %q model %q, want origin %q", j.Origin, j.Request.Model, origin)
	}
	if !strings.Contains(u.library.status.Text, "Fake painter paints") {
		t.Errorf("library status %q", u.library.status.Text)
	}
	close(fake.Gate)
	ui.until(t, "the textured model", func() bool {
		for _, a := range u.library.entries {
			if a.DerivedFrom == origin {
				return true
			}
		}
		return false
	})
}

// previewer is a provider that sends its own picture of the model, as Rodin does.
type previewer struct{ *providertest.Fake }

func (p previewer) Collect(ctx context.Context, req providers.Request, r providers.Remote, dir string,
	report func(providers.Progress)) ([]providers.File, error) {
	files, err := p.Fake.Collect(ctx, req, r, dir, report)
	if err != nil {
		return nil, err
	}
	img := image.NewNRGBA(image.Rect(0, 0, 10, 50))
	f, err := os.Create(filepath.Join(dir, "preview.png"))
	if err != nil {
		return nil, err
	}
	defer f.Close()
	if err := png.Encode(f, img); err != nil {
		return nil, err
	}
	return append(files, providers.File{Path: "preview.png", Format: "png", Role: providers.RolePreview}), nil
}

// Without a rendering of the model (no renderer here), the row shows the provider's picture of
// it rather than the reference image.
func TestLibraryShowsTheProvidersPreview(t *testing.T) {
	u, ui := harness(t, nil, previewer{providertest.NewFake("cloud")})
	u.create.addPaths([]string{writeImage(t, t.TempDir(), "pot.png")}) // 40×30
	ui.until(t, "the image", func() bool { return !u.create.submit.Disabled() })
	test.Tap(u.create.submit)
	ui.until(t, "the model", func() bool { return len(u.library.entries) == 1 })
	u.selectTab("Library")
	var row *assetTile
	ui.until(t, "the tile", func() bool {
		for _, o := range test.LaidOutObjects(u.library.grid) {
			if r, ok := o.(*assetTile); ok && r.entry.ID != "" {
				row = r
				return true
			}
		}
		return false
	})
	ui.until(t, "the preview as thumbnail", func() bool { return row.thumb.Image != nil })
	if b := row.thumb.Image.Bounds(); b.Dx() != 10 || b.Dy() != 50 {
		t.Errorf("thumbnail %v, want the 10×50 preview", b)
	}
}
