package rodintest

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"image/color"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"sync"
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

func TestStatusProgression(t *testing.T) {
	c := newClient(t, Options{}) // 2 s generation: each job has a 1 s slot
	id, key := c.submitted(field("prompt", "a lamp"))
	steps := []struct {
		after time.Duration
		want  []string
		files []string
	}{
		{0, []string{"Waiting", "Waiting"}, nil},
		{400 * time.Millisecond, []string{"Generating", "Waiting"}, nil},
		{600 * time.Millisecond, []string{"Done", "Waiting"}, []string{PreviewName}},
		{400 * time.Millisecond, []string{"Done", "Generating"}, []string{PreviewName}},
		{600 * time.Millisecond, []string{"Done", "Done"}, []string{"base_basic_pbr.glb", TextureName, PreviewName}},
	}
	for i, st := range steps {
		c.s.Advance(st.after)
		if got := c.statuses(key); !slices.Equal(got, st.want) {
			t.Errorf("step %d: %v, want %v", i, got, st.want)
		}
		if names, _ := c.listed(id); !slices.Equal(names, st.files) {
			t.Errorf("step %d: listed %v, want %v", i, names, st.files)
		}
	}
	// Form-encoded works too.
	body, ct := formBody(url.Values{"subscription_key": {key}})
	if a := c.do(http.MethodPost, RouteStatus, body, ct); a.status != http.StatusCreated || len(a.json["jobs"].([]any)) != 2 {
		t.Errorf("form-encoded: %d %s", a.status, a.raw)
	}
	for what, v := range map[string]any{"unknown key": map[string]string{"subscription_key": "nope"}, "no key": map[string]string{}} {
		a := c.postJSON(RouteStatus, v)
		if (what == "unknown key" && (a.status != 404 || a.str("error") != MsgNoSubscription)) || (what == "no key" && a.status != 400) {
			t.Errorf("%s: %d %s", what, a.status, a.raw)
		}
	}
}

func TestFailedAndCanceled(t *testing.T) {
	c := newClient(t, Options{})
	if err := c.s.FailNext(StatusFailed); err != nil {
		t.Fatal(err)
	}
	failed, fkey := c.submitted(field("prompt", "a"))
	ok, okKey := c.submitted(field("prompt", "b"))
	canceled, ckey := c.submitted(field("prompt", "c"))
	if err := c.s.SetOutcome(canceled, StatusCanceled); err != nil {
		t.Fatal(err)
	}
	c.s.Advance(time.Hour)
	for key, want := range map[string][]string{fkey: {"Done", "Failed"}, okKey: {"Done", "Done"}, ckey: {"Done", "Canceled"}} {
		if got := c.statuses(key); !slices.Equal(got, want) {
			t.Errorf("%v, want %v", got, want)
		}
	}
	for _, id := range []string{failed, canceled} {
		if names, _ := c.listed(id); !slices.Equal(names, []string{PreviewName}) {
			t.Errorf("a task that did not finish lists %v", names)
		}
	}
	if names, _ := c.listed(ok); len(names) != 3 {
		t.Errorf("the task between them lists %v", names)
	}
	if err := c.s.SetOutcome(failed, "Exploded"); err == nil {
		t.Error("SetOutcome took an unknown status")
	}
	if err := c.s.SetOutcome("no-such-task", StatusFailed); err == nil {
		t.Error("SetOutcome took an unknown task")
	}
	if err := c.s.SetOutcome(failed, ""); err != nil || !slices.Equal(c.statuses(fkey), []string{"Done", "Done"}) {
		t.Errorf("outcome reset: %v", err)
	}
}

func TestDownloadLinksExpire(t *testing.T) {
	c := newClient(t, Options{})
	id := c.finished()
	names, links := c.listed(id)
	glb := linkNamed(t, names, links, "base_basic_pbr.glb")
	if !strings.HasPrefix(glb, c.s.StorageURL+"/") {
		t.Errorf("link %s is not on the storage %s", glb, c.s.StorageURL)
	}
	a := get(t, glb)
	if a.status != 200 || !bytes.HasPrefix(a.raw, []byte("glTF")) || a.header.Get("Content-Type") != "model/gltf-binary" {
		t.Fatalf("%d %q", a.status, a.raw[:min(20, len(a.raw))])
	}
	// Tampered with.
	if a := get(t, strings.Replace(glb, "Signature=", "Signature=0", 1)); a.status != 403 || !strings.Contains(string(a.raw), "SignatureDoesNotMatch") {
		t.Errorf("tampered: %d %s", a.status, a.raw)
	}
	// With the API key, as a leaking client would send it.
	req, _ := http.NewRequest(http.MethodGet, glb, nil)
	req.Header.Set("Authorization", "Bearer "+c.s.Key)
	if a := c.send(req); a.status != 400 || !strings.Contains(string(a.raw), "Only one auth mechanism") {
		t.Errorf("with Authorization: %d %s", a.status, a.raw)
	}
	c.s.Advance(10 * time.Minute)
	a = get(t, glb)
	if a.status != 403 || !strings.Contains(string(a.raw), "<Code>AccessDenied</Code><Message>Request has expired</Message>") ||
		a.header.Get("Content-Type") != "application/xml" {
		t.Errorf("expired: %d %s", a.status, a.raw)
	}
	names, links = c.listed(id)
	if fresh := linkNamed(t, names, links, "base_basic_pbr.glb"); fresh == glb || get(t, fresh).status != 200 {
		t.Errorf("a new /download did not give a fresh working link: %s", fresh)
	}
	// Even at the same moment, each /download issues new links.
	if _, again := c.listed(id); again[0] == links[0] || get(t, again[0]).status != 200 {
		t.Errorf("the same link twice: %s", again[0])
	}
	// A job uuid is not a task uuid.
	job := c.s.Tasks()[0].Jobs[0].UUID
	if a := c.postJSON(RouteDownload, map[string]string{"task_uuid": job}); a.status != 404 || a.str("error") != MsgNoTask {
		t.Errorf("job uuid: %d %s", a.status, a.raw)
	}
	if a := c.postJSON(RouteDownload, map[string]string{}); a.status != 400 {
		t.Errorf("no task_uuid: %d %s", a.status, a.raw)
	}
}

func TestNotAuthenticated(t *testing.T) {
	c := newClient(t, Options{})
	id, key := c.submitted(field("prompt", "a"))
	second := c.s.AddKey("laptop")
	calls := func() []answer {
		return []answer{
			c.post(RouteSubmit, field("prompt", "b")),
			c.postJSON(RouteStatus, map[string]string{"subscription_key": key}),
			c.postJSON(RouteDownload, map[string]string{"task_uuid": id}),
			c.do(http.MethodGet, RouteBalance, nil, ""),
			c.post(RouteTextureOnly),
		}
	}
	for _, k := range []string{"", "rk_wrong", c.s.Key} {
		c.key = k
		if k == c.s.Key {
			c.s.Revoke(k)
		}
		for i, a := range calls() {
			if a.status != http.StatusUnauthorized || a.str("error") != MsgNotAuthenticated || a.str("message") != MsgNotAuthenticated {
				t.Errorf("key %q, call %d: %d %s", k, i, a.status, a.raw)
			}
		}
	}
	// Other schemes than Bearer are refused; the scheme's case is not significant.
	c.key = second
	req, _ := http.NewRequest(http.MethodGet, c.s.URL+"/"+RouteBalance, nil)
	req.Header.Set("Authorization", "Token "+second)
	if a := c.send(req); a.status != 401 {
		t.Errorf("Token scheme: %d", a.status)
	}
	req.Header.Set("Authorization", "bearer "+second)
	if a := c.send(req); a.status != http.StatusCreated {
		t.Errorf("bearer in lower case: %d %s", a.status, a.raw)
	}
	if keys := c.s.Keys(); !slices.Equal(keys, []string{second}) {
		t.Errorf("keys %v", keys)
	}
	if len(c.s.Tasks()) != 1 {
		t.Errorf("refused calls created tasks")
	}
}

func TestBalanceAndCosts(t *testing.T) {
	c := newClient(t, Options{})
	balance := func() any {
		a := c.do(http.MethodGet, RouteBalance, nil, "")
		if a.status != http.StatusCreated {
			t.Fatalf("%d %s", a.status, a.raw)
		}
		return a.json["balance"]
	}
	if b := balance(); b != 25.0 {
		t.Errorf("balance %v", b)
	}
	img := file("images", "a.png", pngOf(red))
	c.submitted(img, field("tier", "Gen-2.5-Extreme-High"), field("addons", "HighPack")) // 1 + 1
	c.submitted(img, field("tier", "Gen-2.5-Low"))                                       // 0.5
	c.submitted(img, field("tier", "Sketch"))                                            // 0.5
	c.s.Advance(time.Hour)
	if a := c.post(RouteTextureOnly, file("image", "a.png", pngOf(red)), file("model", "m.glb", c.glb())); a.status != 201 { // 0.5
		t.Fatalf("%d %s", a.status, a.raw)
	}
	if b := balance(); b != 21.5 || c.s.Balance() != 21.5 {
		t.Errorf("balance %v after 3.5 credits", b)
	}
	var costs []float64
	for _, task := range c.s.Tasks() {
		costs = append(costs, task.Cost)
	}
	if !slices.Equal(costs, []float64{2, 0.5, 0.5, 0.5}) {
		t.Errorf("costs %v", costs)
	}
}

// glb downloads a finished task's model, for the texture-only route to take.
func (c *client) glb() []byte {
	c.t.Helper()
	id := c.s.Tasks()[0].UUID
	names, links := c.listed(id)
	return get(c.t, linkNamed(c.t, names, links, "base_basic_pbr.glb")).raw
}

func TestInsufficientFunds(t *testing.T) {
	c := newClient(t, Options{})
	c.s.SetBalance(1.5)
	a := c.post(RouteSubmit, field("prompt", "a"), field("tier", "Gen-2.5-Extreme-High"), field("addons", "HighPack"))
	if a.status != http.StatusPaymentRequired || a.str("error") != MsgInsufficientFunds || a.str("uuid") != "" {
		t.Errorf("%d %s", a.status, a.raw)
	}
	if len(c.s.Tasks()) != 0 || c.s.Balance() != 1.5 {
		t.Errorf("refused, yet %d tasks and balance %v", len(c.s.Tasks()), c.s.Balance())
	}
	// What the balance can pay goes through, to the last half credit.
	c.submitted(field("prompt", "a"), field("tier", "Gen-2.5-Extreme-High"))
	c.submitted(field("prompt", "a"))
	if b := c.s.Balance(); b != 0 {
		t.Errorf("balance %v", b)
	}
	if a := c.post(RouteSubmit, field("prompt", "a")); a.status != 402 {
		t.Errorf("at 0: %d %s", a.status, a.raw)
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
type tb struct {
	testing.TB
	mu   sync.Mutex
	errs []string
}

func (r *tb) Error(args ...any) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.errs = append(r.errs, fmt.Sprint(args...))
}

func TestBasePathGuard(t *testing.T) {
	rec := &tb{TB: t}
	s := New(rec)
	if !strings.HasSuffix(s.URL, TestBasePath) {
		t.Fatalf("URL %s", s.URL)
	}
	origin := strings.TrimSuffix(s.URL, TestBasePath)
	for _, u := range []string{origin + "/api/v2/check_balance", origin + "/check_balance", origin + "/rodin-base/check_balance"} {
		req, _ := http.NewRequest(http.MethodGet, u, nil)
		req.Header.Set("Authorization", "Bearer "+s.Key)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != 404 {
			t.Errorf("%s: %d", u, resp.StatusCode)
		}
	}
	rec.mu.Lock()
	defer rec.mu.Unlock()
	if len(rec.errs) != 3 || !strings.Contains(rec.errs[0], "outside the base path") {
		t.Errorf("reported %q", rec.errs)
	}
	// Unknown routes and wrong methods inside the base path are plain refusals.
	c := &client{t: t, s: s, key: s.Key}
	for _, route := range []string{"rodin/v3", "/rodin", ""} {
		if a := c.do(http.MethodGet, route, nil, ""); a.status != 404 || a.str("error") != "Not found" {
			t.Errorf("unknown route %q: %d %s", route, a.status, a.raw)
		}
	}
	if a := c.send(mustRequest(t, http.MethodGet, s.URL)); a.status != 404 || a.str("error") != "Not found" {
		t.Errorf("the base path itself: %d %s", a.status, a.raw)
	}
	if a := c.do(http.MethodGet, RouteSubmit, nil, ""); a.status != 405 || a.header.Get("Allow") != "POST" {
		t.Errorf("GET /rodin: %d %v", a.status, a.header)
	}
	if a := c.do(http.MethodPost, RouteBalance, nil, ""); a.status != 405 {
		t.Errorf("POST /check_balance: %d", a.status)
	}
}

func mustRequest(t *testing.T, method, u string) *http.Request {
	t.Helper()
	req, err := http.NewRequest(method, u, nil)
	if err != nil {
		t.Fatal(err)
	}
	return req
}

func TestNullError(t *testing.T) {
	c := newClient(t, Options{NullError: true})
	a := c.post(RouteSubmit, field("prompt", "a"))
	if v, ok := a.json["error"]; a.status != 201 || !ok || v != nil {
		t.Errorf("%d %s", a.status, a.raw)
	}
}

func TestOptions(t *testing.T) {
	if _, err := Start(Options{BasePath: "api/v2"}); err == nil {
		t.Error("a base path without a leading / was taken")
	}
	s, err := Start(Options{Keys: []string{"rk_one", "rk_two"}, Balance: 3})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if !strings.HasSuffix(s.URL, DefaultBasePath) || s.Key != "rk_one" || !slices.Equal(s.Keys(), []string{"rk_one", "rk_two"}) || s.Balance() != 3 {
		t.Errorf("started %s %s %v %v", s.URL, s.Key, s.Keys(), s.Balance())
	}
	if d := New(t); !strings.HasPrefix(d.Key, "rk_") || len(d.Key) != 43 {
		t.Errorf("default key %q", d.Key)
	}
}
