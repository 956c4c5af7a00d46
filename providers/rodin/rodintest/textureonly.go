package rodintest

import (
	"bytes"
	"math"
	"net/http"
	"strconv"
	"strings"
)

// priceTextureOnly is what a texture-only task costs: the documentation publishes no price, so
// 0.5 credit is the fake's choice.
const priceTextureOnly = 0.5

// textureOnly: POST multipart/form-data with image (one file), model (a glb), prompt, seed,
// reference_scale, geometry_file_format, material (PBR or Shaded) and resolution (Basic or High).
// Answered like /rodin; the task has one job, and its model is the fake's own, textured with the
// image (the uploaded model is checked, not used).
func (s *Server) textureOnly(w http.ResponseWriter, r *http.Request, rec *Received) {
	s.startTask(w, r, rec, newTextureTask, 1)
}

func newTextureTask(f *form) (*task, error) {
	v := f.fields
	if err := checkSingles(v); err != nil {
		return nil, err
	}
	t := &task{kind: KindTextureOnly, fields: cloneValues(v), extent: [3]float32{1, 1, 1}, cost: priceTextureOnly,
		prompt: v.Get("prompt")}
	if err := checkFileFields(f, "image", "model"); err != nil {
		return nil, err
	}
	images, models := f.filesIn("image"), f.filesIn("model")
	if len(images) != 1 {
		return nil, badf("image must be exactly one uploaded file, not %d", len(images))
	}
	if err := checkImage(images[0], "image"); err != nil {
		return nil, err
	}
	t.images, t.texture = []string{images[0].name}, images[0].data
	if len(models) != 1 {
		return nil, badf("model must be exactly one uploaded file, not %d", len(models))
	}
	if !bytes.HasPrefix(models[0].data, []byte("glTF")) {
		return nil, badf("model (%q) is not a binary glTF (.glb): it does not start with \"glTF\"", models[0].name)
	}
	if strings.TrimSpace(t.prompt) == "" {
		t.prompt = DerivedPrompt
	}
	var err error
	if t.format, err = oneOf(v, "geometry_file_format", formats, "glb"); err != nil {
		return nil, err
	}
	if t.material, err = oneOf(v, "material", []string{"PBR", "Shaded"}, "PBR"); err != nil {
		return nil, err
	}
	if t.resolution, err = oneOf(v, "resolution", []string{"Basic", "High"}, "Basic"); err != nil {
		return nil, err
	}
	if _, err := intField(v, "seed", 0, 65535); err != nil {
		return nil, err
	}
	if x, ok := v["reference_scale"]; ok {
		n, err := strconv.ParseFloat(x[0], 64)
		if err != nil || !(n > 0) || math.IsInf(n, 0) {
			return nil, badf("reference_scale must be a positive number, not %q", x[0])
		}
	}
	return t, nil
}
