package app

import (
	"context"
	"errors"
	"github.com/kiln3d/kiln/providers"
	"math"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/kiln3d/kiln/providers/providertest"
)

func TestLibraryListsDamagedAssetsAndKeepsTheRest(t *testing.T) {
	fake := providertest.NewFake("fake")
	k := openKiln(t, t.TempDir(), QueueOptions{}, fake)
	defer k.Close()
	src := t.TempDir()
	var ids []string
	for _, n := range []string{"a.png", "b.png"} {
		j, _ := k.Jobs.Submit(context.Background(), "fake", request(writePNG(t, src, n)))
		ids = append(ids, wait(t, k, j.ID).AssetID)
	}
	os.WriteFile(filepath.Join(k.Library.Dir(), ids[0], sidecarName), []byte("{truncated"), 0o644)

	list, err := k.Library.List()
	if len(list) != 2 {
		t.Fatalf("list = %d assets", len(list))
	}
	for _, a := range list {
		if damaged := a.ID == ids[0]; damaged != (a.Damaged != "") || (damaged && a.ModelPath() != "") {
			t.Errorf("%s: damaged %q, model %q", a.ID, a.Damaged, a.ModelPath())
		}
	}
	if !errors.Is(err, ErrDamaged) || !strings.Contains(err.Error(), ids[0]+": asset.json cannot be read") {
		t.Errorf("damaged sidecar not reported: %v", err)
	}
	for _, id := range []string{"", "../etc", ".incoming-x", "nope"} {
		if _, err := k.Library.Get(id); !errors.Is(err, ErrNoAsset) {
			t.Errorf("Get(%q) = %v, want ErrNoAsset", id, err)
		}
	}
	// Adding the job again does not overwrite the damaged folder.
	if _, err := k.Library.Add(Job{ID: ids[0]}, t.TempDir(), nil); !errors.Is(err, ErrDamaged) {
		t.Errorf("Add over a damaged asset: %v", err)
	}
}

func TestDefaultHome(t *testing.T) {
	t.Setenv(HomeEnv, "/tmp/kiln-home")
	if h, _ := DefaultHome(); h != "/tmp/kiln-home" {
		t.Errorf("with KILN_HOME: %s", h)
	}
	t.Setenv(HomeEnv, "")
	t.Setenv("XDG_DATA_HOME", "/xdg")
	if h, _ := DefaultHome(); h != "/xdg/kiln" {
		t.Errorf("with XDG_DATA_HOME: %s", h)
	}
	t.Setenv("XDG_DATA_HOME", "")
	t.Setenv("HOME", "/home/artist")
	if h, _ := DefaultHome(); h != "/home/artist/.local/share/kiln" {
		t.Errorf("default: %s", h)
	}
}

func TestReadModelInfoRefusesNonModels(t *testing.T) {
	dir := t.TempDir()
	for name, data := range map[string]string{
		"text.glb":      "hello",
		"truncated.glb": "glTF\x02\x00\x00\x00\xff\xff\x00\x00",
		"empty.glb":     "",
	} {
		p := filepath.Join(dir, name)
		os.WriteFile(p, []byte(data), 0o644)
		if _, err := ReadModelInfo(p); !IsModelError(err) || !errors.Is(err, providers.ErrDamagedResult) || !strings.HasPrefix(err.Error(), name+": ") {
			t.Errorf("%s: %v", name, err)
		}
	}
}

func TestSettingsRememberAndSurviveDamage(t *testing.T) {
	path := filepath.Join(t.TempDir(), "settings.json")
	s := loadSettings(path)
	if err := s.Remember("local", 12000); err != nil {
		t.Fatal(err)
	}
	again := loadSettings(path)
	if again.Provider() != "local" || again.Polycount("local") != 12000 || again.Polycount("kaedim") != 0 {
		t.Errorf("reloaded settings: %q %d", again.Provider(), again.Polycount("local"))
	}
	os.WriteFile(path, []byte("{{{"), 0o644)
	if d := loadSettings(path); d.Provider() != "" {
		t.Errorf("damaged settings gave %q", d.Provider())
	}
}

func TestSettingsDefaultHeight(t *testing.T) {
	path := filepath.Join(t.TempDir(), "settings.json")
	s := loadSettings(path)
	if h := s.HeightCM(); h != 100 {
		t.Errorf("fresh default height %g cm, want 100", h)
	}
	for _, bad := range []float64{0, -5, 0.01, 1e6, math.NaN(), math.Inf(1)} {
		if err := s.SetHeightCM(bad); err == nil {
			t.Errorf("height %g accepted", bad)
		}
	}
	if err := s.SetHeightCM(30); err != nil {
		t.Fatal(err)
	}
	if h := loadSettings(path).HeightCM(); h != 30 {
		t.Errorf("reloaded default height %g, want 30", h)
	}
	// A hand-edited file out of range falls back to the default.
	os.WriteFile(path, []byte(`{"height_cm": -3}`), 0o644)
	if h := loadSettings(path).HeightCM(); h != 100 {
		t.Errorf("tampered default height %g, want 100", h)
	}
}

func TestThumbnailFitsAndKeepsAspect(t *testing.T) {
	dir := t.TempDir()
	src := writePNG(t, dir, "disc.png") // 32×32
	img, err := Thumbnail(src, 8)
	if err != nil {
		t.Fatal(err)
	}
	if b := img.Bounds(); b.Dx() != 8 || b.Dy() != 8 {
		t.Errorf("thumbnail is %v", b)
	}
	// The disc's centre stays opaque and its corner transparent.
	if _, _, _, a := img.At(4, 4).RGBA(); a < 0xf000 {
		t.Errorf("centre alpha %x", a)
	}
	if _, _, _, a := img.At(0, 0).RGBA(); a != 0 {
		t.Errorf("corner alpha %x", a)
	}
	bad := filepath.Join(dir, "bad.png")
	os.WriteFile(bad, []byte("\x89PNG\r\n\x1a\n garbage"), 0o644)
	if _, err := Thumbnail(bad, 8); err == nil || !strings.Contains(err.Error(), "bad.png: the PNG file is damaged") {
		t.Errorf("damaged file: %v", err)
	}
}

func TestModelThumbnailIsRenderedOnceAndCached(t *testing.T) {
	var calls atomic.Int32
	render := func(_ context.Context, model, out string) error {
		calls.Add(1)
		if _, err := os.Stat(model); err != nil {
			return err
		}
		return os.WriteFile(out, []byte("png"), 0o644)
	}
	reg := mustRegistry(t, providertest.NewFake("fake"))
	k, err := Open(Options{Home: t.TempDir(), Providers: reg, RenderThumbnail: render})
	if err != nil {
		t.Fatal(err)
	}
	defer k.Close()
	j, _ := k.Jobs.Submit(context.Background(), "fake", request(writePNG(t, t.TempDir(), "a.png")))
	done := wait(t, k, j.ID)
	var wg sync.WaitGroup
	paths := make([]string, 4)
	for i := range paths {
		wg.Go(func() {
			p, err := k.ModelThumbnail(context.Background(), done.AssetID)
			if err != nil {
				t.Error(err)
			}
			paths[i] = p
		})
	}
	wg.Wait()
	if calls.Load() != 1 || paths[0] == "" || paths[0] != paths[3] || !strings.HasPrefix(paths[0], filepath.Join(k.Home, "cache")) {
		t.Errorf("%d renders for 4 concurrent asks, paths %v", calls.Load(), paths)
	}
	noRenderer, _ := Open(Options{Home: t.TempDir(), Providers: reg})
	defer noRenderer.Close()
	if _, err := noRenderer.ModelThumbnail(context.Background(), "x"); !errors.Is(err, ErrNoRenderer) {
		t.Errorf("without a renderer: %v", err)
	}
}
