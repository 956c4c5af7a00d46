package rodin

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"os"
	"slices"
	"strings"
	"testing"

	"github.com/kiln3d/kiln/providers"
	"github.com/kiln3d/kiln/providers/rodin/rodintest"
)

func sha(t *testing.T, path string) string {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	sum := sha256.Sum256(data)
	return hex.EncodeToString(sum[:])
}

// TestSubmitKeepsTheImagesOrder: every image goes in its own "images" part, in the artist's order,
// under its own base name.
func TestSubmitKeepsTheImagesOrder(t *testing.T) {
	h := setup(t, nil)
	paths := []string{writePNG(t, "front.png", 1), writeJPEG(t, "side view.jpg"), writePNG(t, "back.png", 2)}
	req := providers.Request{Polycount: 20000}
	for _, p := range paths {
		req.Images = append(req.Images, providers.Image{Path: p})
	}
	remote := h.submit(req)
	got := h.lastSubmit().Files("images")
	if len(got) != len(paths) {
		t.Fatalf("%d images sent, want %d", len(got), len(paths))
	}
	for i, p := range paths {
		if got[i].SHA256 != sha(t, p) {
			t.Errorf("image %d is not %s", i, p)
		}
	}
	names := []string{got[0].FileName, got[1].FileName, got[2].FileName}
	if want := []string{"front.png", "side view.jpg", "back.png"}; !slices.Equal(names, want) {
		t.Errorf("file names %q, want %q", names, want)
	}
	if got[1].ContentType != "image/jpeg" {
		t.Errorf("the JPEG went as %q", got[1].ContentType)
	}
	task, ok := h.fake.Task(remote.ID)
	if !ok || task.SubscriptionKey == "" {
		t.Fatalf("the fake has no task %s", remote.ID)
	}
	if f := h.lastSubmit().Fields; f.Get("condition_mode") != "concat" {
		t.Errorf("condition_mode %q with three images, want concat", f.Get("condition_mode"))
	}
}

// TestSubmitPromptOnly: text-to-3D sends the prompt and no image.
func TestSubmitPromptOnly(t *testing.T) {
	h := setup(t, nil)
	remote := h.submit(providers.Request{Prompt: "  a brass oil lamp  ", Polycount: 20000})
	rec := h.lastSubmit()
	if n := len(rec.Files()); n != 0 {
		t.Errorf("%d files sent with a prompt alone", n)
	}
	if p := rec.Fields.Get("prompt"); p != "a brass oil lamp" {
		t.Errorf("prompt %q", p)
	}
	if task, _ := h.fake.Task(remote.ID); task.Prompt != "a brass oil lamp" {
		t.Errorf("the task's prompt is %q", task.Prompt)
	}
}

// TestSubmitFields: what each tier sends, defaults included.
func TestSubmitFields(t *testing.T) {
	h := setup(t, nil)
	type want map[string]string // "" means "absent"
	for name, c := range map[string]struct {
		options []string
		poly    int
		size    providers.Dimensions
		want    want
	}{
		"defaults": {poly: 20000, want: want{"tier": DefaultTier, "mesh_mode": "Raw", "quality_override": "20000", "material": "PBR",
			"geometry_file_format": "glb", "TAPose": "false", "hd_texture": "false", "texture_delight": "false",
			"seed": "", "condition_mode": "", "addons": "", "texture_mode": "", "geometry_instruct_mode": "", "height": "", "bbox_condition": ""}},
		"Gen-2 quads": {options: []string{OptionTier, TierGen2}, poly: 8000, want: want{"tier": "Gen-2", "mesh_mode": "Quad",
			"quality_override": "8000", "hd_texture": "", "texture_delight": "", "texture_mode": ""}},
		"Gen-1 Detail":  {options: []string{OptionTier, TierDetail}, poly: 4000, want: want{"tier": "Detail", "mesh_mode": "Quad"}},
		"Gen-2.5 quads": {options: []string{OptionMeshMode, "Quad"}, poly: 50000, want: want{"mesh_mode": "Quad", "quality_override": "50000"}},
		"switches on": {options: []string{OptionTAPose, on, OptionHDTexture, on, OptionTextureDelight, on, OptionHighPack, on},
			poly: 20000, want: want{"TAPose": "true", "hd_texture": "true", "texture_delight": "true", "addons": "HighPack"}},
		"Gen-2.5 settings": {options: []string{OptionTextureMode, "high", OptionGeometryInstruct, "creative", OptionSeed, "42", OptionMaterial, "Shaded"},
			poly: 20000, want: want{"texture_mode": "high", "geometry_instruct_mode": "creative", "seed": "42", "material": "Shaded"}},
		"seed 0": {options: []string{OptionSeed, "0"}, poly: 20000, want: want{"seed": "0"}},
		"Gen-1 raw drops HighPack": {options: []string{OptionTier, TierRegular, OptionMeshMode, "Raw", OptionHighPack, on}, poly: 4000,
			want: want{"addons": "", "mesh_mode": "Raw"}},
		"Gen-2.5 height": {poly: 20000, size: providers.Dimensions{HeightCM: 180.5, WidthCM: 40},
			want: want{"height": "180.5", "bbox_condition": ""}},
		"Gen-2 box": {options: []string{OptionTier, TierGen2}, poly: 20000, size: providers.Dimensions{WidthCM: 50, HeightCM: 180, DepthCM: 30.5},
			want: want{"bbox_condition": "[50,180,30.5]", "height": ""}},
	} {
		t.Run(name, func(t *testing.T) {
			req := h.request(c.options...)
			req.Polycount, req.Size = c.poly, c.size
			h.submit(req)
			f := h.lastSubmit().Fields
			for field, v := range c.want {
				if v == "" {
					if _, ok := f[field]; ok {
						t.Errorf("%s sent (%q), want it left out", field, f[field])
					}
					continue
				}
				if got := f[field]; len(got) != 1 || got[0] != v {
					t.Errorf("%s = %q, want %q", field, got, v)
				}
			}
		})
	}
}

// TestSubmitConditionMode: sent only with several images, where it matters.
func TestSubmitConditionMode(t *testing.T) {
	h := setup(t, nil)
	req := h.request(OptionConditionMode, "fuse")
	h.submit(req)
	if _, ok := h.lastSubmit().Fields["condition_mode"]; ok {
		t.Error("condition_mode sent with one image")
	}
	req.Images = append(req.Images, providers.Image{Path: writePNG(t, "b.png", 3)})
	h.submit(req)
	if got := h.lastSubmit().Fields.Get("condition_mode"); got != "fuse" {
		t.Errorf("condition_mode %q, want fuse", got)
	}
}

// TestHighPackIsCharged: the fake charges what Price says.
func TestHighPackIsCharged(t *testing.T) {
	h := setup(t, nil)
	req := h.request(OptionTier, TierExtremeHigh, OptionHighPack, on)
	req.Polycount = 300000
	remote := h.submit(req)
	task, _ := h.fake.Task(remote.ID)
	price, err := h.p.Price(req)
	if err != nil {
		t.Fatal(err)
	}
	if task.Cost != 2 || price.Credits != 2 || !slices.Contains(task.Addons, "HighPack") {
		t.Errorf("charged %v, priced %v, add-ons %q; want 2 credits and HighPack", task.Cost, price.Credits, task.Addons)
	}
}

// TestSubmitRefusals: requests refused before anything is sent.
func TestSubmitRefusals(t *testing.T) {
	h := setup(t, nil)
	for name, c := range map[string]struct {
		options []string
		poly    int
		size    providers.Dimensions
		says    string
	}{
		"HD texture on Gen-1":       {options: []string{OptionTier, TierSmooth, OptionHDTexture, on}, poly: 4000, says: "HD texture applies only when Tier is"},
		"delight on Gen-2":          {options: []string{OptionTier, TierGen2, OptionTextureDelight, off}, poly: 4000, says: "applies only when"},
		"Gen-2.5 quads above 50k":   {options: []string{OptionMeshMode, "Quad"}, poly: 60000, says: "Gen-2.5 Quad: 1,000 to 50,000 faces"},
		"Extreme-High below 20k":    {options: []string{OptionTier, TierExtremeHigh}, poly: 10000, says: "20,000 to 2,000,000"},
		"Gen-1 below 2k":            {options: []string{OptionTier, TierRegular}, poly: 1000, says: "Gen-1: 2,000 to 200,000"},
		"Gen-2.5 raw above 1M":      {poly: 1000001, says: "500 to 1,000,000"},
		"unknown tier":              {options: []string{OptionTier, "Gen-9"}, poly: 20000, says: "not one of"},
		"seed out of range":         {options: []string{OptionSeed, "65536"}, poly: 20000, says: "Seed must be a whole number from 0 to 65535"},
		"seed not a number":         {options: []string{OptionSeed, "lucky"}, poly: 20000, says: "Seed"},
		"part of a box on Gen-2":    {options: []string{OptionTier, TierGen2}, poly: 20000, size: providers.Dimensions{HeightCM: 180}, says: "give all three, or pick a Gen-2.5 tier"},
		"two sides of a box, Gen-1": {options: []string{OptionTier, TierDetail}, poly: 4000, size: providers.Dimensions{HeightCM: 1, WidthCM: 2}, says: "width, height and depth together"},
		"unknown option":            {options: []string{"quality", "high"}, poly: 20000, says: "no option"},
	} {
		t.Run(name, func(t *testing.T) {
			req := h.request(c.options...)
			req.Polycount, req.Size = c.poly, c.size
			_, err := h.p.Submit(context.Background(), req)
			if !errors.Is(err, providers.ErrInvalidInput) || !strings.Contains(err.Error(), c.says) {
				t.Errorf("got %v, want ErrInvalidInput saying %q", err, c.says)
			}
		})
	}
	if n := h.fake.Count(rodintest.RouteSubmit); n != 0 {
		t.Errorf("%d refused requests reached Rodin", n)
	}
}

// TestMeshModeDefaults: Raw for Gen-2.5, Quad for the others, as Rodin's own defaults.
func TestMeshModeDefaults(t *testing.T) {
	caps := setup(t, nil).p.Capabilities()
	for tier, want := range map[string]string{TierMedium: "Raw", TierExtremeHigh: "Raw", TierGen2: "Quad", TierSketch: "Quad", TierSmooth: "Quad"} {
		req := providers.Request{Options: map[string]string{OptionTier: tier}}
		if got := req.Option(caps, OptionMeshMode); got != want {
			t.Errorf("%s: mesh mode %q, want %q", tier, got, want)
		}
		if r := caps.PolycountFor(req); r.Note == "" || r.Default < r.Min || r.Default > r.Max {
			t.Errorf("%s: polycount range %+v", tier, r)
		}
	}
}
