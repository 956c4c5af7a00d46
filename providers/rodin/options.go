package rodin

import (
	"slices"

	"github.com/kiln3d/kiln/providers"
)

// The Options keys of a Request. Most name Rodin's own form field; ta_pose and highpack are
// Kiln's names for the TAPose field and the HighPack add-on.
const (
	OptionTier             = "tier"
	OptionMeshMode         = "mesh_mode"
	OptionMaterial         = "material"
	OptionTextureMode      = "texture_mode"
	OptionTextureDelight   = "texture_delight"
	OptionHDTexture        = "hd_texture"
	OptionGeometryInstruct = "geometry_instruct_mode"
	OptionConditionMode    = "condition_mode"
	OptionSeed             = "seed"
	OptionTAPose           = "ta_pose"
	OptionHighPack         = "highpack"
	// OptionResolution is a texturing request's texture resolution (Basic or High).
	OptionResolution = "resolution"
)

// The tiers, as Rodin spells them in the tier field.
const (
	TierSketch  = "Sketch"
	TierRegular = "Regular"
	TierDetail  = "Detail"
	TierSmooth  = "Smooth"
	TierGen2    = "Gen-2"
	// The Gen-2.5 tiers.
	TierExtremeLow  = "Gen-2.5-Extreme-Low"
	TierLow         = "Gen-2.5-Low"
	TierMedium      = "Gen-2.5-Medium"
	TierHigh        = "Gen-2.5-High"
	TierExtremeHigh = "Gen-2.5-Extreme-High"
)

// DefaultTier is the tier a request without one gets. Rodin's own default is Sketch or Regular
// (its pages disagree), so Kiln always sends the tier; it picks the newest generation at its
// middle setting, which costs the same as the others.
const DefaultTier = TierMedium

// The tiers by generation.
var (
	gen1Tiers  = []string{TierSketch, TierRegular, TierDetail, TierSmooth}
	gen25Tiers = []string{TierExtremeLow, TierLow, TierMedium, TierHigh, TierExtremeHigh}
	// gen25Below are the Gen-2.5 tiers whose face counts follow the mesh mode.
	gen25Below = []string{TierExtremeLow, TierLow, TierMedium, TierHigh}
	// gen1Shaped are the Gen-1 tiers that take a face count.
	gen1Shaped = []string{TierRegular, TierDetail, TierSmooth}
)

// isGen25 says whether tier is one of Gen-2.5's, which take a height, texture settings and Raw
// meshes by default.
func isGen25(tier string) bool { return slices.Contains(gen25Tiers, tier) }

// highPack says whether req gets the HighPack add-on: asked for, and not on a Gen-1 tier with raw
// triangles, for which Rodin forces the add-ons to none (and charges none).
func highPack(caps providers.Capabilities, req providers.Request) bool {
	if req.Option(caps, OptionHighPack) != on {
		return false
	}
	return !isGen1(req.Option(caps, OptionTier)) || req.Option(caps, OptionMeshMode) != "Raw"
}

// isGen1 says whether tier is one of Gen-1's.
func isGen1(tier string) bool { return slices.Contains(gen1Tiers, tier) }

// The choice values of the options that are neither Rodin's words nor on/off.
const (
	on  = "on"
	off = "off"
	// auto leaves a setting to Rodin: the field is not sent.
	auto = "auto"
)

// onOff is the choices of a switch, off by default.
func onOff() []providers.Choice {
	return []providers.Choice{{Value: off, Label: "Off"}, {Value: on, Label: "On"}}
}

// seedRange is the seed Rodin takes; the empty value leaves it random.
var seedRange = providers.Range{Min: 0, Max: 65535}

// onlyGen25 limits an option to the Gen-2.5 tiers.
var onlyGen25 = providers.Condition{OptionTier: gen25Tiers}

// Capabilities describes Rodin.
func (p *Provider) Capabilities() providers.Capabilities {
	return providers.Capabilities{
		Name:  Name,
		Title: "Hyper3D Rodin",
		// The documentation: up to 5 images, the first driving the material; none with a prompt.
		MinImages:  1,
		MaxImages:  5,
		Prompt:     true,
		Dimensions: true,
		NeedsKey:   true,
		KeyFields:  KeyFields(),
		// The widest range of any tier and mesh mode (Extreme-High's upper bound, Gen-2.5 Raw's
		// lower); PolycountRanges narrow it per tier.
		Polycount:       providers.Range{Min: 500, Max: 2000000, Default: 50000},
		PolycountRanges: polycountRanges(),
		Options:         options(),
		Retexture: &providers.Retexture{
			Title: "Texture with Rodin",
			Options: []providers.Option{
				{Key: OptionMaterial, Label: "Material", Choices: []providers.Choice{
					{Value: "PBR", Label: "PBR"}, {Value: "Shaded", Label: "Shaded (lighting baked in)"},
				}, Help: "PBR textures react to the scene's light; Shaded has the lighting painted in."},
				{Key: OptionResolution, Label: "Texture resolution", Choices: []providers.Choice{
					{Value: "Basic", Label: "Basic"}, {Value: "High", Label: "High"},
				}, Help: "High paints a sharper texture and takes longer."},
				seedOption(),
			},
		},
	}
}

// polycountRanges are the face counts per tier and mesh mode. The documentation gives Gen-2.5's
// (Raw 500 to 1,000,000, Quad 1,000 to 50,000, Extreme-High 20,000 to 2,000,000); the others come
// from a third-party client's tests (Gen-2 Quad up to 200,000 and Raw up to 1,000,000, Gen-1 2,000
// to 200,000, Sketch choosing its own), and Gen-2's lower bounds are Gen-2.5's. The defaults are
// Rodin's medium Quad preset (18,000 faces), more for triangles.
func polycountRanges() []providers.PolycountRange {
	quad, raw := []string{"Quad"}, []string{"Raw"}
	return []providers.PolycountRange{
		{When: providers.Condition{OptionTier: {TierExtremeHigh}}, Range: providers.Range{Min: 20000, Max: 2000000, Default: 200000},
			Note: "Gen-2.5 Extreme-High: 20,000 to 2,000,000 faces"},
		{When: providers.Condition{OptionTier: gen25Below, OptionMeshMode: quad}, Range: providers.Range{Min: 1000, Max: 50000, Default: 18000},
			Note: "Gen-2.5 Quad: 1,000 to 50,000 faces"},
		{When: providers.Condition{OptionTier: gen25Below, OptionMeshMode: raw}, Range: providers.Range{Min: 500, Max: 1000000, Default: 50000},
			Note: "Gen-2.5 Raw: 500 to 1,000,000 triangles"},
		{When: providers.Condition{OptionTier: {TierGen2}, OptionMeshMode: quad}, Range: providers.Range{Min: 1000, Max: 200000, Default: 18000},
			Note: "Gen-2 Quad: 1,000 to 200,000 faces"},
		{When: providers.Condition{OptionTier: {TierGen2}, OptionMeshMode: raw}, Range: providers.Range{Min: 500, Max: 1000000, Default: 50000},
			Note: "Gen-2 Raw: 500 to 1,000,000 triangles"},
		{When: providers.Condition{OptionTier: {TierSketch}}, Range: providers.Range{Min: 2000, Max: 200000, Default: 18000},
			Note: "Sketch: 2,000 to 200,000 faces, though Sketch may choose the count itself"},
		{When: providers.Condition{OptionTier: gen1Shaped}, Range: providers.Range{Min: 2000, Max: 200000, Default: 18000},
			Note: "Gen-1: 2,000 to 200,000 faces"},
	}
}

func options() []providers.Option {
	return []providers.Option{
		{Key: OptionTier, Label: "Tier", Choices: []providers.Choice{
			{Value: TierMedium, Label: "Gen-2.5 Medium"},
			{Value: TierExtremeLow, Label: "Gen-2.5 Extreme-Low"},
			{Value: TierLow, Label: "Gen-2.5 Low"},
			{Value: TierHigh, Label: "Gen-2.5 High"},
			{Value: TierExtremeHigh, Label: "Gen-2.5 Extreme-High (1 credit)"},
			{Value: TierGen2, Label: "Gen-2"},
			{Value: TierSketch, Label: "Gen-1 Sketch"},
			{Value: TierRegular, Label: "Gen-1 Regular"},
			{Value: TierDetail, Label: "Gen-1 Detail"},
			{Value: TierSmooth, Label: "Gen-1 Smooth"},
		}, Help: "Rodin's model generation: Gen-2.5 is the newest; its Extreme-High tier makes the densest models and costs twice as much."},
		{Key: OptionMeshMode, Label: "Mesh", Choices: []providers.Choice{
			{Value: "Quad", Label: "Quads"}, {Value: "Raw", Label: "Triangles (raw)"},
		}, Defaults: []providers.ConditionalDefault{{When: onlyGen25, Value: "Raw"}},
			Help: "Quads give clean topology for editing; raw triangles keep more detail. Gen-2.5 makes triangles unless asked."},
		{Key: OptionMaterial, Label: "Material", Choices: []providers.Choice{
			{Value: "PBR", Label: "PBR"}, {Value: "Shaded", Label: "Shaded (lighting baked in)"},
			{Value: "All", Label: "PBR and Shaded"}, {Value: "None", Label: "None (geometry only)"},
		}, Help: "PBR textures react to the scene's light; Shaded has the lighting painted in."},
		{Key: OptionTextureMode, Label: "Texture quality", Choices: []providers.Choice{
			{Value: auto, Label: "Rodin's choice"}, {Value: "high", Label: "High"}, {Value: "medium", Label: "Medium"},
			{Value: "low", Label: "Low"}, {Value: "extreme-low", Label: "Extreme-low"}, {Value: "legacy", Label: "Legacy"},
		}, When: onlyGen25, Help: "How finely Gen-2.5 paints the texture."},
		{Key: OptionTextureDelight, Label: "Remove baked-in lighting", Choices: onOff(), When: onlyGen25,
			Help: "Takes the photo's shadows and highlights out of the texture, so that the model can be lit anew."},
		{Key: OptionHDTexture, Label: "HD texture", Choices: onOff(), When: onlyGen25,
			Help: "Paints a higher-resolution texture."},
		{Key: OptionGeometryInstruct, Label: "Shape", Choices: []providers.Choice{
			{Value: auto, Label: "Rodin's choice"}, {Value: "faithful", Label: "Faithful to the images"},
			{Value: "creative", Label: "Creative"},
		}, When: onlyGen25, Help: "Faithful keeps to what the images show; creative lets Gen-2.5 invent what they hide."},
		{Key: OptionConditionMode, Label: "Several images", Choices: []providers.Choice{
			{Value: "concat", Label: "Views of one object"}, {Value: "fuse", Label: "Fuse into one object"},
		}, Help: "Only matters with several images: views of the same object, or features to combine."},
		seedOption(),
		{Key: OptionTAPose, Label: "T/A pose", Choices: onOff(),
			Help: "Poses a character in a T or A pose, ready for rigging."},
		{Key: OptionHighPack, Label: "HighPack (+1 credit)", Choices: onOff(),
			Help: "Rodin's HighPack add-on: 4K textures and more faces, for one more credit. Gen-1 with raw triangles ignores it."},
	}
}

func seedOption() providers.Option {
	r := seedRange
	return providers.Option{Key: OptionSeed, Label: "Seed", Number: &r,
		Help: "The same seed and images give the same model again; leave it empty for a new one each time."}
}
