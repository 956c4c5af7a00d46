// Package providers defines the contract between Kiln's core and the services that turn reference
// images into 3D models: the offline generator and the cloud APIs alike.
//
// A provider never imports the core (app) or the views; main picks the concrete providers and hands
// them to the core through a Registry.
package providers

import (
	"context"
	"encoding/json"
	"slices"
)

// Provider turns reference images into a 3D model.
//
// A job crosses a provider in two calls. Submit validates the request and starts the work; it
// returns a Remote, which the caller persists before anything else happens. Collect then waits for
// that work to end and writes the results into a directory. After a crash or a restart the caller
// calls Collect again with the persisted Request and Remote: a provider resumes from them and never
// submits the same work twice. Submit itself is not idempotent: the caller calls it once per job.
//
// Methods are called from worker goroutines, never from the UI thread, and may run concurrently for
// different jobs. Every method honours ctx: once it is cancelled the call returns promptly with an
// error wrapping ctx.Err(). Errors wrap the sentinels of this package (ErrInvalidInput, ...) so that
// callers can explain them; their text never contains a credential.
type Provider interface {
	// Capabilities describes what the provider accepts. It does no I/O and cannot fail.
	Capabilities() Capabilities

	// Projects lists the projects (styles) a job can be filed under. A provider without projects
	// returns nil, nil.
	Projects(ctx context.Context) ([]Project, error)

	// Submit validates req and starts the work. Input problems are reported as *InputError before
	// anything is sent anywhere.
	Submit(ctx context.Context, req Request) (Remote, error)

	// Collect blocks until the work behind r has finished, writes the results into dir (which
	// exists and is empty or holds a previous attempt's partial files) and returns them, the main
	// model first. report receives progress on Collect's goroutine and must not block.
	Collect(ctx context.Context, req Request, r Remote, dir string, report func(Progress)) ([]File, error)
}

// Foreseer is implemented by providers that can say, before a job is submitted, what it will
// make of a request: the local provider reads the images, finds the object and picks a shape.
// Create and `kiln generate` show it, so the artist knows the size and shape before waiting.
type Foreseer interface {
	// Foresee returns what a job of req would make, or the *InputError it would fail with (a size
	// at odds with the image's proportions, an image without an object). It writes nothing.
	Foresee(ctx context.Context, req Request) (Foresight, error)
}

// Foresight is what a request will make.
type Foresight struct {
	// Size is the model's size, in centimetres, all three given.
	Size Dimensions `json:"size"`
	// Notes say what the provider decided and why, as Progress.Note will ("Shape: Turned, ...").
	Notes []string `json:"notes,omitempty"`
}

// Capabilities describes a provider to the views and to request validation.
type Capabilities struct {
	// Name is the stable registry key stored with every job ("local", "kaedim").
	Name string
	// Title is what an artist reads in the provider picker.
	Title string
	// MinImages and MaxImages bound the number of reference images per job.
	MinImages, MaxImages int
	// Polycount bounds the requested triangle count.
	Polycount Range
	// HasProjects says whether Projects can return anything.
	HasProjects bool
	// NeedsKey says whether the provider needs credentials before it can be used; KeyFields
	// lists what a credential holds.
	NeedsKey  bool
	KeyFields []KeyField
	// Views says whether images can be tagged with the view they show (front, left, ...).
	Views bool
	// Dimensions says whether the model can be made to a real size (Request.Size).
	Dimensions bool
	// Options are the provider's own settings, which Request.Options carries.
	Options []Option
	// Offline says the work happens on this computer: a submission costs nothing and may be
	// repeated after a crash. Every other provider's Submit is taken to be billable, and is never
	// sent twice without the artist's say.
	Offline bool
	// Idempotent says the service honours Request.IdempotencyKey: a Submit sent again with the
	// same key returns the first answer and never makes (or charges for) a second job. For such a
	// provider, and only for it, the core sends a submission again after a failure in flight or a
	// crash, instead of leaving the job unconfirmed for the artist.
	Idempotent bool
	// Prompt says the provider takes a text prompt (Request.Prompt); with a prompt it needs no
	// image (text-to-3D), whatever MinImages says.
	Prompt bool
	// PolycountRanges narrow Polycount for some option values (a tier, a mesh mode): the first
	// whose When holds applies. The views and the core clamp to it and say so.
	PolycountRanges []PolycountRange
	// Retexture, when set, says the provider can paint an existing model (Request.Model) from one
	// reference image, and with which options.
	Retexture *Retexture
}

// PolycountRange is the polycount range that applies while its condition holds.
type PolycountRange struct {
	When Condition
	Range
	// Note explains the range to an artist ("Gen-2.5 Quad: 1,000 to 50,000 faces").
	Note string
}

// Retexture describes a provider's texturing of existing models.
type Retexture struct {
	// Title is what the action reads ("Texture with Rodin").
	Title string
	// Options replace Capabilities.Options for a texturing request.
	Options []Option
}

// PolycountFor returns the polycount range that applies to req: the first PolycountRanges entry
// whose condition holds, or Polycount.
func (c Capabilities) PolycountFor(req Request) PolycountRange {
	for _, r := range c.PolycountRanges {
		if r.When.Holds(c, req) {
			return r
		}
	}
	return PolycountRange{Range: c.Polycount}
}

// OptionsFor returns the options that describe req: the texturing options for a texturing
// request, Options otherwise.
func (c Capabilities) OptionsFor(req Request) []Option {
	if req.Model != "" && c.Retexture != nil {
		return c.Retexture.Options
	}
	return c.Options
}

// Option is one provider-specific setting: a choice between fixed values, or a whole number in a
// range.
type Option struct {
	// Key is the Request.Options key.
	Key string
	// Label is what an artist reads beside the picker.
	Label string
	// Choices are the allowed values, the default first. Empty for a number.
	Choices []Choice
	// Number, when set, makes the option a whole number in the range; the empty value leaves it
	// to the provider (a random seed).
	Number *Range
	// Defaults override the first choice as the default while their condition holds (Rodin's mesh
	// mode is Quad for Gen-1 and Gen-2 but Raw for Gen-2.5).
	Defaults []ConditionalDefault
	// When, if set, limits the option to requests where it holds; elsewhere it is hidden, and
	// setting it is refused.
	When Condition
	// Help says in a sentence what the option does.
	Help string
}

// ConditionalDefault is an option's default while When holds.
type ConditionalDefault struct {
	When  Condition
	Value string
}

// Condition holds when every named option's value (Request.Option) is one of those listed.
// An empty condition always holds.
type Condition map[string][]string

// Holds reports whether the condition holds for req.
func (cond Condition) Holds(c Capabilities, req Request) bool {
	for key, values := range cond {
		if !slices.Contains(values, req.Option(c, key)) {
			return false
		}
	}
	return true
}

// Choice is one value of an Option.
type Choice struct {
	Value, Label string
}

// Range is an inclusive integer range with a default value inside it.
type Range struct {
	Min, Max, Default int
}

// Clamp returns v limited to the range.
func (r Range) Clamp(v int) int {
	return max(r.Min, min(r.Max, v))
}

// Project is a style or folder a job is filed under on the provider's side.
type Project struct {
	ID   string `json:"id"`
	Name string `json:"name"`
}

// Request is what an artist asks for.
type Request struct {
	// Images are the reference images, in the artist's order.
	Images []Image `json:"images"`
	// Polycount is the requested number of triangles.
	Polycount int `json:"polycount"`
	// ProjectID files the job under a project; empty for none.
	ProjectID string `json:"project_id,omitempty"`
	// Size is the real size wanted, for providers whose Capabilities say Dimensions.
	Size Dimensions `json:"size,omitzero"`
	// Options holds the provider's own settings (Capabilities.Options), by key.
	Options map[string]string `json:"options,omitempty"`
	// Prompt describes the object in words, for providers whose Capabilities say Prompt.
	Prompt string `json:"prompt,omitempty"`
	// Model, when set, asks to texture this existing model (a .glb on the local disk) from the
	// first image, instead of making a new one (Capabilities.Retexture).
	Model string `json:"model,omitempty"`
	// IdempotencyKey is set by the core, for providers whose Capabilities say Idempotent, and
	// saved with the job before Submit is called: the provider sends it with the submission
	// (an Idempotency-Key header), so that sending it again cannot make a second job.
	IdempotencyKey string `json:"idempotency_key,omitempty"`
}

// Dimensions is a real size in centimetres; zero means "not given". The model keeps its own
// proportions from the images: giving the height is enough.
type Dimensions struct {
	HeightCM float64 `json:"height_cm,omitempty"`
	WidthCM  float64 `json:"width_cm,omitempty"`
	DepthCM  float64 `json:"depth_cm,omitempty"`
	// Default says that the artist gave no size: HeightCM is the default height from Settings.
	// A provider may apply it differently (the local provider sizes a model seen only from the
	// top by its footprint).
	Default bool `json:"default,omitempty"`
}

// Option returns the value of the option key in the request, or the option's default for it.
func (r Request) Option(c Capabilities, key string) string {
	if v, ok := r.Options[key]; ok {
		return v
	}
	for _, o := range c.OptionsFor(r) {
		if o.Key != key {
			continue
		}
		for _, d := range o.Defaults {
			if !d.When.mentions(key) && d.When.Holds(c, r) {
				return d.Value
			}
		}
		if len(o.Choices) > 0 {
			return o.Choices[0].Value
		}
	}
	return ""
}

// mentions reports whether the condition reads key: a default that depends on its own option
// would never end.
func (cond Condition) mentions(key string) bool {
	_, ok := cond[key]
	return ok
}

// Image is one reference image on the local disk.
type Image struct {
	Path string `json:"path"`
	// View names where the camera stood ("front", "left", ...); empty when unknown.
	View string `json:"view,omitempty"`
	// Mask, when set, is a PNG whose alpha marks the object in this image (opaque on the object,
	// transparent elsewhere): the cut-out the artist checked or corrected (`kiln mask`, the
	// rectangle in Create). Its size is the image's, or the same shape at another resolution.
	// Providers that separate the object themselves (local) use it instead of their own guess.
	Mask string `json:"mask,omitempty"`
}

// Remote is the provider's handle on submitted work: enough to resume Collect after a restart.
type Remote struct {
	// ID is the provider's own identifier for the work (Kaedim's requestID, Rodin's task uuid).
	ID string `json:"id"`
	// State is anything else the provider needs to resume, opaque to callers.
	State json.RawMessage `json:"state,omitempty"`
}

// Phase is the part of Collect a Progress report belongs to.
type Phase string

// The phases of Collect, in order.
const (
	PhaseRunning     Phase = "running"
	PhaseDownloading Phase = "downloading"
)

// Progress is one report from Collect.
type Progress struct {
	Phase Phase
	// Fraction is the share of the phase done, 0 to 1, or negative when unknown.
	Fraction float64
	// Message says what is happening, in an artist's words ("Inflating the silhouette").
	Message string
	// Note, when set, is a lasting remark about the result, kept with the job and its model
	// ("Shape: Turned, because the outline is mirror-symmetric about a vertical axis (98%)",
	// "The back is the front mirrored: no back view was given").
	Note string
}

// File is one result written by Collect.
type File struct {
	// Path is the file's path inside the directory Collect was given.
	Path string `json:"path"`
	// Format is the file's format in lower case: "glb", "fbx", "png".
	Format string `json:"format"`
	// Role says what the file is for, beyond the model: RolePreview marks the provider's own
	// picture of the result.
	Role string `json:"role,omitempty"`
}

// RolePreview marks a File that is the provider's picture of the model (Rodin's preview.webp):
// the job's thumbnail until Kiln has rendered its own.
const RolePreview = "preview"
