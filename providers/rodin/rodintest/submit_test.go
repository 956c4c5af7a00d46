package rodintest

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"image/color"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"
)

func TestSubmitImagesInOrder(t *testing.T) {
	c := newClient(t, Options{})
	imgs := [][]byte{pngOf(red), jpegOf(color.NRGBA{G: 200, A: 255}), pngOf(color.NRGBA{B: 200, A: 255})}
	a := c.post(RouteSubmit, field("tier", "Gen-2.5-High"), file("images", "front.png", imgs[0]),
		file("images", "side.jpg", imgs[1]), field("material", "PBR"), file("images", "back.png", imgs[2]),
		field("mesh_mode", "Raw"), field("quality_override", "150000"), field("seed", "42"))
	if a.status != http.StatusCreated || a.str("error") != "OK" || a.str("message") != "Submitted." || a.str("prompt") != DerivedPrompt {
		t.Fatalf("%d %s", a.status, a.raw)
	}
	if _, err := time.Parse(time.RFC3339, a.str("submit_time")); err != nil {
		t.Errorf("submit_time: %v", err)
	}
	jobs := a.json["jobs"].(map[string]any)
	if n := len(jobs["uuids"].([]any)); n != 2 {
		t.Errorf("%d jobs", n)
	}
	if key, _ := jobs["subscription_key"].(string); strings.Count(key, ".") != 2 {
		t.Errorf("subscription key %q is not JWT-shaped", key)
	}
	if n := c.s.Count(RouteSubmit); n != 1 {
		t.Errorf("%d /rodin requests", n)
	}
	rec := c.s.Received(RouteSubmit)[0]
	var names []string
	for i, f := range rec.Files("images") {
		names = append(names, f.FileName)
		sum := sha256.Sum256(imgs[i])
		if f.SHA256 != hex.EncodeToString(sum[:]) || f.Size != int64(len(imgs[i])) {
			t.Errorf("image %d recorded as %+v", i, f)
		}
	}
	if !slices.Equal(names, []string{"front.png", "side.jpg", "back.png"}) {
		t.Errorf("images recorded in the order %v", names)
	}
	if rec.Parts[0].Field != "tier" || rec.Parts[3].Field != "material" || rec.Fields.Get("seed") != "42" {
		t.Errorf("parts recorded as %+v", rec.Parts)
	}
	task, ok := c.s.Task(a.str("uuid"))
	if !ok || task.Tier != "Gen-2.5-High" || task.MeshMode != "Raw" || task.QualityOverride != 150000 ||
		!slices.Equal(task.Images, names) || task.Cost != 0.5 || task.Kind != KindGenerate {
		t.Errorf("task %+v", task)
	}
}

func TestSubmitPromptOnlyAndDefaults(t *testing.T) {
	c := newClient(t, Options{})
	a := c.post(RouteSubmit, field("prompt", "a wooden chair"))
	if a.status != http.StatusCreated || a.str("prompt") != "a wooden chair" {
		t.Fatalf("%d %s", a.status, a.raw)
	}
	task := c.s.Tasks()[0]
	// The specification's defaults: Regular (the getting-started page says Sketch), Quad for
	// Gen-1, glb, PBR, medium.
	if task.Tier != "Regular" || task.MeshMode != "Quad" || task.Format != "glb" || task.Material != "PBR" || task.Quality != "medium" {
		t.Errorf("defaults %+v", task)
	}
	if a := c.post(RouteSubmit, field("tier", "Gen-2")); a.status != 400 || !strings.Contains(a.str("error"), "prompt is required") {
		t.Errorf("no prompt, no image: %d %s", a.status, a.raw)
	}
	// Gen-2.5 defaults to Raw.
	c.post(RouteSubmit, field("prompt", "x"), field("tier", "Gen-2.5-Low"))
	if task := c.s.Tasks()[1]; task.MeshMode != "Raw" {
		t.Errorf("Gen-2.5 mesh mode %s", task.MeshMode)
	}
}

func TestSubmitRefusesBadFields(t *testing.T) {
	c := newClient(t, Options{})
	img := file("images", "a.png", pngOf(red))
	six := []part{img, img, img, img, img, img}
	cases := []struct {
		name  string
		parts []part
		want  string
	}{
		{"tier case", []part{img, field("tier", "gen-2")}, `tier must be one of`},
		{"tier unknown", []part{img, field("tier", "Gen-3")}, `"Gen-3"`},
		{"boolean True", []part{img, field("mesh_simplify", "True")}, `mesh_simplify must be "true" or "false"`},
		{"boolean 1", []part{img, field("TAPose", "1")}, `TAPose must be "true" or "false"`},
		{"boolean spelled TApose", []part{img, field("TApose", "yes")}, `TApose must be`},
		{"seed too big", []part{img, field("seed", "65536")}, `seed must be an integer from 0 to 65535`},
		{"seed negative", []part{img, field("seed", "-1")}, `seed must be`},
		{"seed text", []part{img, field("seed", "lucky")}, `seed must be`},
		{"format", []part{img, field("geometry_file_format", "gltf")}, `geometry_file_format must be one of glb, usdz, fbx, obj, stl`},
		{"material", []part{img, field("material", "pbr")}, `material must be one of`},
		{"quality", []part{img, field("quality", "ultra")}, `quality must be one of`},
		{"mesh mode", []part{img, field("mesh_mode", "Tri")}, `mesh_mode must be one of Quad, Raw`},
		{"condition mode", []part{img, field("condition_mode", "mix")}, `condition_mode must be one of concat, fuse`},
		{"texture mode", []part{img, field("texture_mode", "ultra")}, `texture_mode must be one of`},
		{"instruct mode", []part{img, field("geometry_instruct_mode", "wild")}, `geometry_instruct_mode must be one of faithful, creative`},
		{"addon", []part{img, field("addons", "LowPack")}, `unknown add-on "LowPack"`},
		{"height", []part{img, field("height", "-3")}, `height must be a positive number`},
		{"twice", []part{img, field("tier", "Gen-2"), field("tier", "Gen-2")}, `tier was sent 2 times`},
		{"six images", six, `6 images: at most 5`},
		{"not an image", []part{file("images", "a.png", []byte("hello, I am text"))}, `is not a PNG, JPEG or WebP image`},
		{"image as text", []part{field("images", "https://example.com/a.png")}, `images must be uploaded files`},
		{"image field", []part{field("prompt", "a"), file("image", "a.png", pngOf(red))}, `unexpected file field "image" ("a.png"): files go in images`},
		{"images[] field", []part{file("images[]", "a.png", pngOf(red))}, `unexpected file field "images[]"`},
		{"bbox two", []part{img, field("bbox_condition", "1"), field("bbox_condition", "2")}, `got 2 fields`},
		{"bbox csv", []part{img, field("bbox_condition", "1,2,3")}, `bbox_condition must be [Width, Height, Length]`},
		{"bbox four", []part{img, field("bbox_condition", "[1,2,3,4]")}, `got 4 numbers`},
		{"bbox zero", []part{img, field("bbox_condition", "[1,0,3]")}, `bbox_condition must be`},
		{"bbox words", []part{img, field("bbox_condition", "1"), field("bbox_condition", "x"), field("bbox_condition", "3")}, `got "x"`},
	}
	for _, tc := range cases {
		a := c.post(RouteSubmit, tc.parts...)
		if a.status != http.StatusBadRequest || !strings.Contains(a.str("error"), tc.want) {
			t.Errorf("%s: %d %s, want 400 with %q", tc.name, a.status, a.raw, tc.want)
		}
	}
	if n := len(c.s.Tasks()); n != 0 {
		t.Errorf("%d tasks created by refused submissions", n)
	}
	if b := c.s.Balance(); b != 25 {
		t.Errorf("refusals charged: balance %v", b)
	}
	// Not multipart at all.
	if a := c.postJSON(RouteSubmit, map[string]string{"prompt": "x"}); a.status != 400 || !strings.Contains(a.str("error"), "multipart/form-data") {
		t.Errorf("JSON submit: %d %s", a.status, a.raw)
	}
}

func TestQualityOverrideRanges(t *testing.T) {
	c := newClient(t, Options{Balance: 1000})
	cases := []struct {
		tier, mode string
		value      string
		ok         bool
	}{
		{"Gen-2.5-Medium", "Raw", "500", true}, {"Gen-2.5-Medium", "Raw", "499", false},
		{"Gen-2.5-Medium", "Raw", "1000000", true}, {"Gen-2.5-Medium", "Raw", "1000001", false},
		{"Gen-2.5-Low", "Quad", "1000", true}, {"Gen-2.5-Low", "Quad", "999", false},
		{"Gen-2.5-Low", "Quad", "50000", true}, {"Gen-2.5-Low", "Quad", "50001", false},
		{"Gen-2.5-Extreme-High", "Raw", "2000000", true}, {"Gen-2.5-Extreme-High", "Raw", "19999", false},
		{"Gen-2.5-Extreme-High", "Quad", "2000001", false},
		{"Gen-2", "Quad", "200000", true}, {"Gen-2", "Quad", "200001", false},
		{"Gen-2", "Raw", "1000000", true}, {"Gen-2", "Raw", "1000001", false},
		{"Regular", "Quad", "2000", true}, {"Regular", "Quad", "1999", false}, {"Detail", "Raw", "200001", false},
		{"Smooth", "Quad", "200000", true},
		{"Sketch", "Quad", "5", true}, {"Sketch", "Quad", "lots", true}, // Sketch ignores it
		{"Gen-2.5-High", "Raw", "1e5", false}, {"Gen-2.5-High", "Raw", "12.5", false},
	}
	for _, tc := range cases {
		a := c.post(RouteSubmit, field("prompt", "a cup"), field("tier", tc.tier), field("mesh_mode", tc.mode),
			field("quality_override", tc.value))
		if got := a.status == http.StatusCreated; got != tc.ok {
			t.Errorf("%s %s %s: %d %s", tc.tier, tc.mode, tc.value, a.status, a.raw)
		} else if !tc.ok && !strings.Contains(a.str("error"), "quality_override must be an integer") {
			t.Errorf("%s %s %s: %s", tc.tier, tc.mode, tc.value, a.raw)
		}
	}
}

func TestSubmitAcceptsBothBBoxFormsAndBooleans(t *testing.T) {
	c := newClient(t, Options{})
	img := file("images", "a.png", pngOf(red))
	for _, parts := range [][]part{
		{img, field("bbox_condition", "[100, 50, 25]")},
		{img, field("bbox_condition", "100"), field("bbox_condition", "50"), field("bbox_condition", "25")},
		{img, field("bbox_condition", "[1.5,2,3]"), field("TAPose", "true"), field("mesh_smooth", "false"),
			field("hd_texture", "true"), field("texture_delight", "false"), field("is_micro", "true"), field("use_hyper", "true"),
			field("preview_render", "true"), field("use_original_alpha", "false"), field("mesh_simplify", "true"),
			field("condition_mode", "fuse"), field("texture_mode", "extreme-low"), field("geometry_instruct_mode", "creative"),
			field("height", "42.5"), field("tier", "Gen-2.5-Extreme-High"), field("addons", "HighPack"), field("quality", "extra-low")},
	} {
		if a := c.post(RouteSubmit, parts...); a.status != http.StatusCreated {
			t.Errorf("%d %s", a.status, a.raw)
		}
	}
	tasks := c.s.Tasks()
	if len(tasks) != 3 || !slices.Equal(tasks[1].Fields["bbox_condition"], []string{"100", "50", "25"}) ||
		!slices.Equal(tasks[2].Addons, []string{"HighPack"}) {
		t.Errorf("tasks %+v", tasks)
	}
}

func TestGen1RawForcesQualityAndAddons(t *testing.T) {
	c := newClient(t, Options{})
	id, _ := c.submitted(field("prompt", "a cup"), field("tier", "Detail"), field("mesh_mode", "Raw"),
		field("quality", "high"), field("addons", "HighPack"))
	task, _ := c.s.Task(id)
	if task.Quality != "medium" || len(task.Addons) != 0 || task.Cost != 0.5 {
		t.Errorf("Gen-1 Raw: %+v", task)
	}
}

func TestTextureOnly(t *testing.T) {
	c := newClient(t, Options{})
	c.finished()
	model := c.glb()
	img := file("image", "look.jpg", jpegOf(color.NRGBA{R: 10, G: 120, B: 200, A: 255}))
	cases := []struct {
		parts []part
		want  string
	}{
		{[]part{file("model", "m.glb", model)}, "image must be exactly one uploaded file, not 0"},
		{[]part{img, img, file("model", "m.glb", model)}, "image must be exactly one uploaded file, not 2"},
		{[]part{img}, "model must be exactly one uploaded file"},
		{[]part{img, file("model", "m.gltf", []byte(`{"asset":{"version":"2.0"}}`))}, `is not a binary glTF`},
		{[]part{file("image", "x.png", model), file("model", "m.glb", model)}, `is not a PNG, JPEG or WebP`},
		{[]part{img, file("model", "m.glb", model), field("material", "All")}, `material must be one of PBR, Shaded`},
		{[]part{img, file("model", "m.glb", model), field("resolution", "4K")}, `resolution must be one of Basic, High`},
		{[]part{img, file("model", "m.glb", model), field("reference_scale", "0")}, `reference_scale must be a positive number`},
		{[]part{img, file("model", "m.glb", model), field("seed", "70000")}, `seed must be`},
	}
	for _, tc := range cases {
		if a := c.post(RouteTextureOnly, tc.parts...); a.status != 400 || !strings.Contains(a.str("error"), tc.want) {
			t.Errorf("%d %s, want %q", a.status, a.raw, tc.want)
		}
	}
	a := c.post(RouteTextureOnly, img, file("model", "m.glb", model), field("prompt", "blue paint"), field("seed", "7"),
		field("reference_scale", "1.5"), field("material", "Shaded"), field("resolution", "High"))
	if a.status != http.StatusCreated || a.str("prompt") != "blue paint" || len(a.json["jobs"].(map[string]any)["uuids"].([]any)) != 1 {
		t.Fatalf("%d %s", a.status, a.raw)
	}
	id := a.str("uuid")
	if names, _ := c.listed(id); len(names) != 0 {
		t.Errorf("before Done: %v", names)
	}
	c.s.Advance(time.Hour)
	names, links := c.listed(id)
	if !slices.Equal(names, []string{"base_high_shaded.glb", PreviewName}) {
		t.Fatalf("listed %v", names)
	}
	if m := get(t, links[0]); m.status != 200 || !bytes.HasPrefix(m.raw, []byte("glTF")) {
		t.Errorf("model: %d", m.status)
	}
	if task, _ := c.s.Task(id); task.Kind != KindTextureOnly || task.Resolution != "High" || task.Material != "Shaded" {
		t.Errorf("task %+v", task)
	}
}

// tb records the errors the base-path guard reports instead of failing the test.
