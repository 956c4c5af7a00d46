package rodintest

import (
	"encoding/json"
	"fmt"
	"math"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
)

// The values the documentation lists for the submit fields.
var (
	gen1Tiers      = []string{"Sketch", "Regular", "Detail", "Smooth"}
	gen25Tiers     = []string{"Gen-2.5-Extreme-Low", "Gen-2.5-Low", "Gen-2.5-Medium", "Gen-2.5-High", "Gen-2.5-Extreme-High"}
	tiers          = slices.Concat(gen1Tiers, []string{"Gen-2"}, gen25Tiers)
	formats        = []string{"glb", "usdz", "fbx", "obj", "stl"}
	materials      = []string{"PBR", "Shaded", "All", "None"}
	qualities      = []string{"high", "medium", "low", "extra-low"}
	meshModes      = []string{"Quad", "Raw"}
	conditionModes = []string{"concat", "fuse"}
	textureModes   = []string{"legacy", "extreme-low", "low", "medium", "high"}
	instructModes  = []string{"faithful", "creative"}
	addonNames     = []string{"HighPack"}
	// booleans are sent as the strings "true" and "false", and nothing else. TApose is how the
	// Gen-2.5 page spells TAPose; the fake accepts both spellings.
	booleans = []string{"mesh_simplify", "mesh_smooth", "use_hyper", "hd_texture", "texture_delight", "is_micro",
		"TAPose", "TApose", "preview_render", "use_original_alpha"}
	// repeated are the fields that may come more than once; any other comes at most once.
	repeated = []string{"images", "bbox_condition", "addons"}
)

// The credit prices. The documentation publishes Gen-2.5's (0.5, Extreme-High 1.0, HighPack +1);
// the other tiers' 0.5 is the fake's choice.
const (
	priceTask        = 0.5
	priceExtremeHigh = 1.0
	priceHighPack    = 1.0
)

// maxImages is the documented limit of images per task.
const maxImages = 5

// DerivedPrompt is the prompt the fake answers for a task submitted without one: the real service
// describes the image; the fake does not look.
const DerivedPrompt = "An object, as shown in the reference image"

// MsgInsufficientFunds is the "error" of a submission the balance cannot pay for. The word is
// unverified in the documentation; its status, 402, is the fake's choice.
const MsgInsufficientFunds = "INSUFFICIENT_FUND"

// badRequest is a refusal of a submission's fields, answered 400 with its words.
type badRequest string

func (e badRequest) Error() string { return string(e) }

func badf(format string, args ...any) badRequest { return badRequest(fmt.Sprintf(format, args...)) }

// submit: POST multipart/form-data with the fields the documentation's "Submit fields" list. 201 with the task; 400 naming the first field that is wrong;
// INSUFFICIENT_FUND when the balance cannot pay.
func (s *Server) submit(w http.ResponseWriter, r *http.Request, rec *Received) {
	s.startTask(w, r, rec, newTask, 2) // the fake's choice: a geometry job, then a texture job
}

// startTask reads a multipart submission, makes its task with parse and, when the balance pays
// for it, starts it with that many jobs: what /rodin and /rodin_texture_only share.
func (s *Server) startTask(w http.ResponseWriter, r *http.Request, rec *Received, parse func(*form) (*task, error), jobs int) {
	f, err := readMultipart(w, r, rec)
	s.mu.Lock()
	defer s.mu.Unlock()
	if !s.authorize(w, r) {
		return
	}
	if err != nil {
		writeError(w, http.StatusBadRequest, err.Error())
		return
	}
	t, err := parse(f)
	if err != nil {
		writeError(w, http.StatusBadRequest, err.Error())
		return
	}
	if status := faultOf(r).noFunds; status != 0 {
		s.insufficient(w, status, t.cost)
		return
	}
	if s.balance < t.cost {
		s.insufficient(w, http.StatusPaymentRequired, t.cost)
		return
	}
	s.addTask(t, jobs)
	s.submitted(w, t)
}

// insufficient answers INSUFFICIENT_FUND with status. The caller holds s.mu.
func (s *Server) insufficient(w http.ResponseWriter, status int, cost float64) {
	writeJSON(w, status, map[string]string{"error": MsgInsufficientFunds,
		"message": fmt.Sprintf("Insufficient funds: the task costs %g credits and the balance is %g", cost, s.balance)})
}

// newTask checks a submission's fields and files and makes its task, or says what is wrong.
func newTask(f *form) (*task, error) {
	v := f.fields
	if err := checkSingles(v); err != nil {
		return nil, err
	}
	t := &task{kind: KindGenerate, fields: cloneValues(v), extent: [3]float32{1, 1, 1}}
	if err := checkFileFields(f, "images"); err != nil {
		return nil, err
	}
	if len(v["images"]) > 0 {
		return nil, badf("images must be uploaded files, not text fields")
	}
	images := f.filesIn("images")
	if len(images) > maxImages {
		return nil, badf("%d images: at most %d are accepted", len(images), maxImages)
	}
	for i, img := range images {
		if err := checkImage(img, fmt.Sprintf("images[%d]", i)); err != nil {
			return nil, err
		}
		t.images = append(t.images, img.name)
	}
	if len(images) > 0 {
		t.texture = images[0].data // the documentation: the first image drives the material
	}
	t.prompt = v.Get("prompt")
	if strings.TrimSpace(t.prompt) == "" {
		if len(images) == 0 {
			return nil, badf("prompt is required when no images are given")
		}
		t.prompt = DerivedPrompt
	}
	var err error
	// The getting-started page says the default tier is Sketch, the specification Regular: the
	// fake follows the specification.
	if t.tier, err = oneOf(v, "tier", tiers, "Regular"); err != nil {
		return nil, err
	}
	gen1, gen25 := slices.Contains(gen1Tiers, t.tier), slices.Contains(gen25Tiers, t.tier)
	defMode := "Quad"
	if gen25 {
		defMode = "Raw"
	}
	if t.meshMode, err = oneOf(v, "mesh_mode", meshModes, defMode); err != nil {
		return nil, err
	}
	if t.format, err = oneOf(v, "geometry_file_format", formats, "glb"); err != nil {
		return nil, err
	}
	if t.material, err = oneOf(v, "material", materials, "PBR"); err != nil {
		return nil, err
	}
	if t.quality, err = oneOf(v, "quality", qualities, "medium"); err != nil {
		return nil, err
	}
	// Values of fields the tier ignores are still checked: a client that sends them sends them
	// to every tier.
	for _, c := range []struct {
		field string
		from  []string
	}{{"condition_mode", conditionModes}, {"texture_mode", textureModes}, {"geometry_instruct_mode", instructModes}} {
		if _, err := oneOf(v, c.field, c.from, ""); err != nil {
			return nil, err
		}
	}
	for _, b := range booleans {
		if x, ok := v[b]; ok && x[0] != "true" && x[0] != "false" {
			return nil, badf("%s must be \"true\" or \"false\", not %q", b, x[0])
		}
	}
	if _, err := intField(v, "seed", 0, 65535); err != nil {
		return nil, err
	}
	if t.qualityOverride, err = qualityOverride(v, t.tier, t.meshMode); err != nil {
		return nil, err
	}
	for _, a := range v["addons"] {
		if !slices.Contains(addonNames, a) {
			return nil, badf("addons: unknown add-on %q (expected %s)", a, strings.Join(addonNames, ", "))
		}
		if !slices.Contains(t.addons, a) {
			t.addons = append(t.addons, a)
		}
	}
	if gen1 && t.meshMode == "Raw" {
		// The documentation: for Gen-1 Raw, quality is forced to medium and addons to none.
		t.quality, t.addons = "medium", nil
	}
	bbox, err := bboxCondition(v["bbox_condition"])
	if err != nil {
		return nil, err
	}
	if bbox != nil {
		top := max(bbox[0], bbox[1], bbox[2])
		t.extent = [3]float32{float32(bbox[0] / top), float32(bbox[1] / top), float32(bbox[2] / top)}
	}
	if h, ok := v["height"]; ok {
		cm, err := strconv.ParseFloat(h[0], 64)
		if err != nil || !(cm > 0) || math.IsInf(cm, 0) {
			return nil, badf("height must be a positive number of centimetres, not %q", h[0])
		}
		if gen25 {
			k := float32(cm/100) / t.extent[1]
			t.extent = [3]float32{t.extent[0] * k, t.extent[1] * k, t.extent[2] * k}
		}
	}
	t.cost = priceTask
	if t.tier == "Gen-2.5-Extreme-High" {
		t.cost = priceExtremeHigh
	}
	if slices.Contains(t.addons, "HighPack") {
		t.cost += priceHighPack
	}
	return t, nil
}

// checkFileFields refuses a file in a field the route does not take. The documentation is silent;
// the fake's choice is to refuse rather than ignore, so that a file sent as "image" to /rodin (or
// "images[]") is not silently dropped.
func checkFileFields(f *form, fields ...string) error {
	for _, u := range f.files {
		if !slices.Contains(fields, u.field) {
			return badf("unexpected file field %q (%q): files go in %s", u.field, u.name, strings.Join(fields, " and "))
		}
	}
	return nil
}

// checkSingles refuses a field that should come once but came more often.
func checkSingles(v url.Values) error {
	for k, vs := range v {
		if len(vs) > 1 && !slices.Contains(repeated, k) {
			return badf("%s was sent %d times; it takes one value", k, len(vs))
		}
	}
	return nil
}

// oneOf reads a field that takes one of values, or def when it is absent. The match is exact:
// the documentation spells each value in one case.
func oneOf(v url.Values, field string, values []string, def string) (string, error) {
	x, ok := v[field]
	if !ok {
		return def, nil
	}
	if !slices.Contains(values, x[0]) {
		return "", badf("%s must be one of %s, not %q", field, strings.Join(values, ", "), x[0])
	}
	return x[0], nil
}

// intField reads an optional integer field within lo..hi; 0 when absent.
func intField(v url.Values, field string, lo, hi int) (int, error) {
	x, ok := v[field]
	if !ok {
		return 0, nil
	}
	n, err := strconv.Atoi(x[0])
	if err != nil || n < lo || n > hi {
		return 0, badf("%s must be an integer from %d to %d, not %q", field, lo, hi, x[0])
	}
	return n, nil
}

// qualityOverride checks the face count against the tier's and mesh mode's range: Gen-2.5's are
// documented (Raw 500..1,000,000, Quad 1,000..50,000, Extreme-High 20,000..2,000,000), the others
// come from a third-party client's tests (Gen-2 Quad up to 200,000, Raw up to 1,000,000, Gen-1
// 2,000..200,000, Sketch ignores it); Gen-2's lower bounds are the fake's choice, Gen-2.5's.
func qualityOverride(v url.Values, tier, mode string) (int, error) {
	if _, ok := v["quality_override"]; !ok || tier == "Sketch" {
		return 0, nil
	}
	lo, hi := 2000, 200000 // Gen-1
	switch {
	case tier == "Gen-2.5-Extreme-High":
		lo, hi = 20000, 2000000
	case mode == "Raw" && (tier == "Gen-2" || slices.Contains(gen25Tiers, tier)):
		lo, hi = 500, 1000000
	case tier == "Gen-2":
		lo = 1000
	case slices.Contains(gen25Tiers, tier):
		lo, hi = 1000, 50000
	}
	n, err := intField(v, "quality_override", lo, hi)
	if err != nil {
		return 0, badf("%s for %s with mesh_mode %s", err, tier, mode)
	}
	return n, nil
}

// bboxCondition reads [Width, Height, Length] from one field holding a JSON array, or from three
// repeated fields: the documentation's clients send one or the other. Each must be a positive
// number (the fake's choice).
func bboxCondition(vs []string) ([]float64, error) {
	const want = "bbox_condition must be [Width, Height, Length]: one field holding a JSON array of three positive numbers, or three fields holding one each"
	var nums []float64
	switch len(vs) {
	case 0:
		return nil, nil
	case 1:
		dec := json.NewDecoder(strings.NewReader(vs[0]))
		if err := dec.Decode(&nums); err != nil || dec.More() {
			return nil, badf("%s; got %q", want, vs[0])
		}
	case 3:
		for _, x := range vs {
			n, err := strconv.ParseFloat(strings.TrimSpace(x), 64)
			if err != nil {
				return nil, badf("%s; got %q", want, x)
			}
			nums = append(nums, n)
		}
	default:
		return nil, badf("%s; got %d fields", want, len(vs))
	}
	if len(nums) != 3 {
		return nil, badf("%s; got %d numbers", want, len(nums))
	}
	for _, n := range nums {
		if !(n > 0) || math.IsInf(n, 0) {
			return nil, badf("%s; got %v", want, nums)
		}
	}
	return nums, nil
}

// checkImage refuses a file that is not a PNG, JPEG or WebP image by its content, whatever its
// name or declared type.
func checkImage(u upload, what string) error {
	switch ct := http.DetectContentType(u.data); ct {
	case "image/png", "image/jpeg", "image/webp":
		return nil
	default:
		return badf("%s (%q) is not a PNG, JPEG or WebP image: its content reads as %s", what, u.name, ct)
	}
}
