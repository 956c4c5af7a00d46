package rodin

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/kiln3d/kiln/providers"
	"github.com/kiln3d/kiln/providers/fsguard"
	"github.com/kiln3d/kiln/providers/httpkit"
	"github.com/kiln3d/kiln/providers/imageio"
)

// The kinds of task, as remoteState.Kind names them.
const (
	kindGenerate = "generate"
	kindTexture  = "texture"
)

// remoteState is what Submit keeps in Remote.State for Collect, which may run after a restart.
type remoteState struct {
	// SubscriptionKey is what /status takes.
	SubscriptionKey string `json:"subscription_key"`
	// Jobs are the task's job uuids, as Submit's answer listed them.
	Jobs []string `json:"jobs,omitempty"`
	// Kind is kindGenerate or kindTexture.
	Kind string `json:"kind"`
}

// submitted is Rodin's answer to /rodin and /rodin_texture_only.
type submitted struct {
	Error json.RawMessage `json:"error"`
	UUID  string          `json:"uuid"`
	Jobs  struct {
		UUIDs           []string `json:"uuids"`
		SubscriptionKey string   `json:"subscription_key"`
	} `json:"jobs"`
}

// maxModelUpload bounds the model a texturing request uploads.
const maxModelUpload = 512 << 20

// Submit checks the request and its files, then starts a Rodin task: POST /rodin with the images
// (or the prompt alone), or, for a request that names a Model, POST /rodin_texture_only with the
// first image and the model. It returns the task uuid, keeping the subscription key for Collect.
//
// A submission is charged: Submit sends it once and never again, whatever the failure. An error
// that wraps providers.ErrNotSent means nothing left this computer.
func (p *Provider) Submit(ctx context.Context, req providers.Request) (providers.Remote, error) {
	caps := p.Capabilities()
	if err := providers.CheckRequest(caps, req); err != nil {
		return providers.Remote{}, err
	}
	var f *httpkit.Form
	var err error
	kind, route, op := kindGenerate, "rodin", "submit the task"
	if req.Model != "" {
		kind, route, op = kindTexture, "rodin_texture_only", "submit the texturing task"
		f, err = textureForm(caps, req)
	} else {
		f, err = generateForm(caps, req)
	}
	if err != nil {
		return providers.Remote{}, err
	}
	if err := ctx.Err(); err != nil {
		return providers.Remote{}, providers.NotSent(fmt.Errorf("rodin: %s: %w", op, err))
	}
	key, err := loadKey(ctx, p.secrets)
	if err != nil {
		return providers.Remote{}, providers.NotSent(err)
	}
	var out submitted
	status, err := p.do(ctx, key, call{op: op, method: http.MethodPost, route: route, form: f}, &out)
	if err != nil {
		return providers.Remote{}, scrub(err, key)
	}
	if out.UUID == "" || out.Jobs.SubscriptionKey == "" {
		return providers.Remote{}, scrub(incomplete(op, status, out.Error, "the task's uuid and subscription key"), key)
	}
	if msg := errorText(out.Error); msg != "" {
		// The task exists, and is charged: it is followed, whatever the words.
		p.Log.Info("rodin accepted the task with an error", "op", op, "task", out.UUID, "error", httpkit.Scrub(providers.Printable(msg), key))
	}
	state, _ := json.Marshal(remoteState{SubscriptionKey: out.Jobs.SubscriptionKey, Jobs: out.Jobs.UUIDs, Kind: kind}) // strings marshal
	return providers.Remote{ID: out.UUID, State: state}, nil
}

// generateForm checks the images and writes the /rodin form.
func generateForm(caps providers.Capabilities, req providers.Request) (*httpkit.Form, error) {
	opt := func(key string) string { return req.Option(caps, key) }
	tier := opt(OptionTier)
	gen25 := isGen25(tier)
	f := httpkit.NewForm()
	if prompt := strings.TrimSpace(req.Prompt); prompt != "" {
		f.Field("prompt", prompt)
	}
	f.Field("tier", tier)
	f.Field("mesh_mode", opt(OptionMeshMode))
	f.Field("quality_override", strconv.Itoa(req.Polycount))
	f.Field("material", opt(OptionMaterial))
	// Kiln reads glb; Rodin's default, sent all the same.
	f.Field("geometry_file_format", "glb")
	if seed := opt(OptionSeed); seed != "" {
		f.Field("seed", seed)
	}
	if len(req.Images) > 1 {
		f.Field("condition_mode", opt(OptionConditionMode))
	}
	f.Field("TAPose", strconv.FormatBool(opt(OptionTAPose) == on))
	if highPack(caps, req) {
		f.Field("addons", "HighPack")
	}
	if gen25 {
		if m := opt(OptionTextureMode); m != auto {
			f.Field("texture_mode", m)
		}
		f.Field("texture_delight", strconv.FormatBool(opt(OptionTextureDelight) == on))
		f.Field("hd_texture", strconv.FormatBool(opt(OptionHDTexture) == on))
		if m := opt(OptionGeometryInstruct); m != auto {
			f.Field("geometry_instruct_mode", m)
		}
	}
	if err := sizeFields(f, tier, req.Size); err != nil {
		return nil, err
	}
	for i, img := range req.Images {
		info, err := imageio.Check(img.Path)
		if err != nil {
			return nil, err
		}
		f.File("images", img.Path, uploadName(img.Path, fmt.Sprintf("image-%d%s", i+1, info.Format.Ext())), info.Format.MIME(), info.Bytes)
	}
	return f, nil
}

// sizeFields asks for the real size: Gen-2.5 takes the height alone ("height", in cm); the other
// tiers take a bounding box of width, height and length ("bbox_condition", one field holding a
// JSON array, in cm), which Kiln sends only when all three are given.
func sizeFields(f *httpkit.Form, tier string, d providers.Dimensions) error {
	cm := func(v float64) string { return strconv.FormatFloat(v, 'f', -1, 64) }
	if isGen25(tier) {
		if d.HeightCM > 0 {
			f.Field("height", cm(d.HeightCM))
		}
		return nil
	}
	given := 0
	for _, v := range []float64{d.WidthCM, d.HeightCM, d.DepthCM} {
		if v > 0 {
			given++
		}
	}
	switch given {
	case 0:
	case 3:
		f.Field("bbox_condition", "["+cm(d.WidthCM)+","+cm(d.HeightCM)+","+cm(d.DepthCM)+"]")
	default:
		return &providers.InputError{Reason: fmt.Sprintf("Rodin's %s tier takes a real size as width, height and depth together: "+
			"give all three, or pick a Gen-2.5 tier, which takes a height alone", tier)}
	}
	return nil
}

// textureForm checks the image and the model and writes the /rodin_texture_only form.
func textureForm(caps providers.Capabilities, req providers.Request) (*httpkit.Form, error) {
	opt := func(key string) string { return req.Option(caps, key) }
	info, err := imageio.Check(req.Images[0].Path)
	if err != nil {
		return nil, err
	}
	size, err := checkModel(req.Model)
	if err != nil {
		return nil, err
	}
	f := httpkit.NewForm()
	if prompt := strings.TrimSpace(req.Prompt); prompt != "" {
		f.Field("prompt", prompt)
	}
	if seed := opt(OptionSeed); seed != "" {
		f.Field("seed", seed)
	}
	f.Field("material", opt(OptionMaterial))
	f.Field("resolution", opt(OptionResolution))
	f.Field("geometry_file_format", "glb")
	f.File("image", req.Images[0].Path, uploadName(req.Images[0].Path, "image"+info.Format.Ext()), info.Format.MIME(), info.Bytes)
	f.File("model", req.Model, uploadName(req.Model, "model.glb"), "model/gltf-binary", size)
	return f, nil
}

// checkModel refuses a model Rodin cannot texture, before anything is sent: anything but a glb
// whose header holds together. It returns the file's size.
func checkModel(path string) (int64, error) {
	if !strings.EqualFold(filepath.Ext(path), ".glb") {
		return 0, &providers.InputError{File: path, Reason: "Rodin textures .glb models only: export the model as a .glb first"}
	}
	file, st, err := fsguard.OpenRegular(path)
	if err != nil {
		return 0, &providers.InputError{File: path, Reason: "could not be opened: " + err.Error()}
	}
	defer func() { _ = file.Close() }()
	if st.Size() > maxModelUpload {
		return 0, &providers.InputError{File: path, Reason: fmt.Sprintf("is %s, more than the %s Kiln sends to Rodin",
			fsguard.Size(st.Size()), fsguard.Size(maxModelUpload))}
	}
	head := make([]byte, min(st.Size(), httpkit.SniffBytes))
	if _, err := file.ReadAt(head, 0); err != nil {
		return 0, &providers.InputError{File: path, Reason: "could not be read: " + err.Error()}
	}
	if len(head) < 4 || string(head[:4]) != "glTF" {
		return 0, &providers.InputError{File: path, Reason: "is not a binary glTF (.glb) model, whatever its name says"}
	}
	if err := httpkit.SniffGLB(head, st.Size()); err != nil {
		return 0, &providers.InputError{File: path, Reason: "is not a model Rodin can texture: " + err.Error()}
	}
	return st.Size(), nil
}
