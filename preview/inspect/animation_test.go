package inspect

import (
	"bytes"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/qmuntal/gltf"
	"github.com/qmuntal/gltf/modeler"

	"github.com/kiln3d/kiln/providers/modeltest"
)

// animated is the tetrahedron with a morph target, a second node that is a skin's joint, and
// no animations yet.
func animated() *gltf.Document {
	doc := tetra()
	p := doc.Meshes[0].Primitives[0]
	p.Targets = []gltf.PrimitiveAttributes{{gltf.POSITION: modeler.WritePosition(doc, make([][3]float32, 4))}}
	doc.Nodes = append(doc.Nodes, &gltf.Node{Name: "bone"})
	doc.Nodes[0].Children = []int{1}
	doc.Skins = []*gltf.Skin{{Joints: []int{1}}}
	return doc
}

// addTimes writes keyframe times as an animation input accessor, with its bounds.
func addTimes(doc *gltf.Document, times ...float32) int {
	a := modeler.WriteAccessor(doc, gltf.TargetNone, times)
	doc.Accessors[a].Min, doc.Accessors[a].Max = []float64{float64(times[0])}, []float64{float64(times[len(times)-1])}
	return a
}

// channel adds a sampler of input → output and a channel driving node's path with it.
func channel(anim *gltf.Animation, node int, path gltf.TRSProperty, interp gltf.Interpolation, input, output int) {
	anim.Samplers = append(anim.Samplers, &gltf.AnimationSampler{Input: input, Output: output, Interpolation: interp})
	anim.Channels = append(anim.Channels, &gltf.AnimationChannel{Sampler: len(anim.Samplers) - 1,
		Target: gltf.AnimationChannelTarget{Node: gltf.Index(node), Path: path}})
}

func TestAnimationsListed(t *testing.T) {
	doc := animated()
	// An unnamed clip moving the root (which holds the joint) and its morph weights.
	walk := &gltf.Animation{}
	channel(walk, 0, gltf.TRSTranslation, gltf.InterpolationLinear, addTimes(doc, 0, 1, 2.5),
		modeler.WriteAccessor(doc, gltf.TargetNone, [][3]float32{{0, 0, 0}, {1, 0, 0}, {0, 0, 0}}))
	channel(walk, 0, gltf.TRSWeights, gltf.InterpolationStep, addTimes(doc, 0, 0.5),
		modeler.WriteAccessor(doc, gltf.TargetNone, []float32{0, 1}))
	// A named clip only morphing, with rotations stored as normalised shorts.
	blink := &gltf.Animation{Name: "Blink"}
	channel(blink, 0, gltf.TRSWeights, gltf.InterpolationCubicSpline, addTimes(doc, 0, 0.75),
		modeler.WriteAccessor(doc, gltf.TargetNone, []float32{0, 0, 0, 0, 1, 0}))
	spin := &gltf.Animation{Name: "Spin"}
	rot := modeler.WriteAccessor(doc, gltf.TargetNone, [][4]int16{{0, 0, 0, 32767}, {0, 32767, 0, 0}})
	doc.Accessors[rot].Normalized = true
	channel(spin, 1, gltf.TRSRotation, gltf.InterpolationLinear, addTimes(doc, 0, 4), rot)
	doc.Animations = []*gltf.Animation{walk, blink, spin}

	r, err := Inspect(save(t, doc))
	if err != nil {
		t.Fatal(err)
	}
	want := []Animation{
		{Name: "Animation 1", Duration: 2.5, Channels: 2, Transforms: true, Morphs: true, Skins: true},
		{Name: "Blink", Duration: 0.75, Channels: 1, Morphs: true},
		{Name: "Spin", Duration: 4, Channels: 1, Transforms: true, Skins: true},
	}
	if len(r.Animations) != len(want) {
		t.Fatalf("animations %+v", r.Animations)
	}
	for i, w := range want {
		if r.Animations[i] != w {
			t.Errorf("clip %d: %+v, want %+v", i, r.Animations[i], w)
		}
	}
	for _, is := range r.Issues {
		if is.Severity == SeverityError {
			t.Errorf("a sound model has an error: %+v", is)
		}
	}
	tracks, _ := Clip(doc, 2)
	if len(tracks) != 1 || tracks[0].Width != 4 || math.Abs(float64(tracks[0].Values[5])-1) > 1e-6 {
		t.Errorf("normalised rotations read as %+v", tracks)
	}
}

// animationCase is one way a clip can be damaged: what add does to a document, and the
// validator's code for it, with words the message must hold.
type animationCase struct {
	add  func(doc *gltf.Document, a *gltf.Animation)
	code string
	says string
}

// damagedClip is the animated tetrahedron with the clip "Walk": a sound channel (its root's
// scale) and c's damage.
func damagedClip(c animationCase) *gltf.Document {
	doc := animated()
	anim := &gltf.Animation{Name: "Walk"}
	channel(anim, 0, gltf.TRSScale, gltf.InterpolationStep, addTimes(doc, 0, 3), modeler.WriteAccessor(doc, gltf.TargetNone, [][3]float32{{1, 1, 1}, {2, 2, 2}}))
	c.add(doc, anim)
	doc.Animations = []*gltf.Animation{anim}
	return doc
}

func animationCases() map[string]animationCase {
	vec3 := func(doc *gltf.Document, n int) int {
		return modeler.WriteAccessor(doc, gltf.TargetNone, make([][3]float32, n))
	}
	return map[string]animationCase{
		"times going backwards": {func(doc *gltf.Document, a *gltf.Animation) {
			in := addTimes(doc, 0, 2, 1)
			doc.Accessors[in].Max = []float64{2}
			channel(a, 0, gltf.TRSTranslation, gltf.InterpolationLinear, in, vec3(doc, 3))
		}, "ACCESSOR_ANIMATION_INPUT_NON_INCREASING", "do not increase"},
		"a time that is not a number": {func(doc *gltf.Document, a *gltf.Animation) {
			in := addTimes(doc, 0, float32(math.Inf(1)))
			doc.Accessors[in].Max = []float64{0} // JSON has no infinity
			channel(a, 0, gltf.TRSTranslation, gltf.InterpolationLinear, in, vec3(doc, 2))
		}, "ACCESSOR_INVALID_FLOAT", "not a number"},
		"a negative time": {func(doc *gltf.Document, a *gltf.Animation) {
			channel(a, 0, gltf.TRSTranslation, gltf.InterpolationLinear, addTimes(doc, -1, 0), vec3(doc, 2))
		}, "ACCESSOR_ANIMATION_INPUT_NEGATIVE", "negative"},
		"too few values": {func(doc *gltf.Document, a *gltf.Animation) {
			channel(a, 1, gltf.TRSScale, gltf.InterpolationLinear, addTimes(doc, 0, 1, 2), vec3(doc, 2))
		}, "ANIMATION_SAMPLER_OUTPUT_ACCESSOR_INVALID_COUNT", "2 keyframe values for 3"},
		"a cubic spline without tangents": {func(doc *gltf.Document, a *gltf.Animation) {
			channel(a, 0, gltf.TRSTranslation, gltf.InterpolationCubicSpline, addTimes(doc, 0, 1), vec3(doc, 2))
		}, "ANIMATION_SAMPLER_OUTPUT_ACCESSOR_INVALID_COUNT", "needs 6"},
		"a cubic spline of one keyframe": {func(doc *gltf.Document, a *gltf.Animation) {
			channel(a, 0, gltf.TRSTranslation, gltf.InterpolationCubicSpline, addTimes(doc, 0), vec3(doc, 3))
		}, "ANIMATION_SAMPLER_INPUT_ACCESSOR_TOO_FEW_ELEMENTS", "at least 2"},
		"weights per keyframe wrong": {func(doc *gltf.Document, a *gltf.Animation) {
			channel(a, 0, gltf.TRSWeights, gltf.InterpolationLinear, addTimes(doc, 0, 1), modeler.WriteAccessor(doc, gltf.TargetNone, []float32{0, 1, 0}))
		}, "ANIMATION_SAMPLER_OUTPUT_ACCESSOR_INVALID_COUNT", "needs 2"},
		"a node that does not exist": {func(doc *gltf.Document, a *gltf.Animation) {
			channel(a, 7, gltf.TRSTranslation, gltf.InterpolationLinear, addTimes(doc, 0), vec3(doc, 1))
		}, "UNRESOLVED_REFERENCE", "node 7, which does not exist"},
		"a sampler that does not exist": {func(doc *gltf.Document, a *gltf.Animation) {
			a.Channels = append(a.Channels, &gltf.AnimationChannel{Sampler: 9, Target: gltf.AnimationChannelTarget{Node: gltf.Index(1)}})
		}, "UNRESOLVED_REFERENCE", "sampler 9"},
		"an accessor that does not exist": {func(doc *gltf.Document, a *gltf.Animation) {
			channel(a, 1, gltf.TRSTranslation, gltf.InterpolationLinear, addTimes(doc, 0), 99)
		}, "UNRESOLVED_REFERENCE", "accessor 99"},
		"times without bounds": {func(doc *gltf.Document, a *gltf.Animation) {
			in := addTimes(doc, 0, 1)
			doc.Accessors[in].Min, doc.Accessors[in].Max = nil, nil
			channel(a, 1, gltf.TRSTranslation, gltf.InterpolationLinear, in, vec3(doc, 2))
		}, "ANIMATION_SAMPLER_INPUT_ACCESSOR_WITHOUT_BOUNDS", "min and max"},
		"times as integers": {func(doc *gltf.Document, a *gltf.Animation) {
			in := modeler.WriteAccessor(doc, gltf.TargetNone, []uint16{0, 1})
			doc.Accessors[in].Min, doc.Accessors[in].Max = []float64{0}, []float64{1}
			channel(a, 1, gltf.TRSTranslation, gltf.InterpolationLinear, in, vec3(doc, 2))
		}, "ANIMATION_SAMPLER_INPUT_ACCESSOR_INVALID_FORMAT", "not single floats"},
		"a rotation of three values": {func(doc *gltf.Document, a *gltf.Animation) {
			channel(a, 1, gltf.TRSRotation, gltf.InterpolationLinear, addTimes(doc, 0), vec3(doc, 1))
		}, "ANIMATION_SAMPLER_OUTPUT_ACCESSOR_INVALID_FORMAT", "wrong kind"},
		"a rotation that is not unit": {func(doc *gltf.Document, a *gltf.Animation) {
			channel(a, 1, gltf.TRSRotation, gltf.InterpolationLinear, addTimes(doc, 0, 1),
				modeler.WriteAccessor(doc, gltf.TargetNone, [][4]float32{{0, 0, 0, 1}, {0, 0, 0, 2}}))
		}, "ACCESSOR_ANIMATION_SAMPLER_OUTPUT_NON_NORMALIZED_QUATERNION", "length 2"},
		"weights without morph targets": {func(doc *gltf.Document, a *gltf.Animation) {
			channel(a, 1, gltf.TRSWeights, gltf.InterpolationLinear, addTimes(doc, 0), modeler.WriteAccessor(doc, gltf.TargetNone, []float32{1}))
		}, "ANIMATION_CHANNEL_TARGET_NODE_WEIGHTS_NO_MORPHS", "no morph targets"},
		"a node given by a matrix": {func(doc *gltf.Document, a *gltf.Animation) {
			doc.Nodes[1].Matrix = [16]float64{2, 0, 0, 0, 0, 2, 0, 0, 0, 0, 2, 0, 0, 0, 0, 1}
			channel(a, 1, gltf.TRSScale, gltf.InterpolationLinear, addTimes(doc, 0), vec3(doc, 1))
		}, "ANIMATION_CHANNEL_TARGET_NODE_MATRIX", "matrix"},
		"a node moved twice": {func(doc *gltf.Document, a *gltf.Animation) {
			channel(a, 0, gltf.TRSScale, gltf.InterpolationLinear, addTimes(doc, 0), vec3(doc, 1))
		}, "ANIMATION_DUPLICATE_TARGETS", "twice"},
		"an interleaved accessor": {func(doc *gltf.Document, a *gltf.Animation) {
			out := vec3(doc, 1)
			doc.BufferViews[*doc.Accessors[out].BufferView].ByteStride = 12
			channel(a, 1, gltf.TRSScale, gltf.InterpolationLinear, addTimes(doc, 0), out)
		}, "ANIMATION_SAMPLER_ACCESSOR_WITH_BYTESTRIDE", "interleaved"},
	}
}

// TestAnimationIssues: each way a clip can be damaged is a validator error in the report,
// with the validator's code and a message naming the clip; the damaged channel is left out of
// the clip's tracks, the sound one beside it kept.
func TestAnimationIssues(t *testing.T) {
	for name, c := range animationCases() {
		t.Run(name, func(t *testing.T) {
			doc := damagedClip(c)
			rep := &Report{}
			animations(doc, rep)
			var found *Issue
			for i, is := range rep.Issues {
				if is.Severity == SeverityError {
					found = &rep.Issues[i]
				}
			}
			if found == nil {
				t.Fatalf("no error among %+v", rep.Issues)
			}
			if found.Code != c.code || !strings.Contains(found.Message, c.says) || !strings.HasPrefix(found.Message, `animation "Walk" `) ||
				(!strings.HasPrefix(found.Pointer, "/animations/0/") && !strings.HasPrefix(found.Pointer, "/accessors/")) {
				t.Errorf("issue %+v, want code %s saying %q", *found, c.code, c.says)
			}
			tracks, _ := Clip(doc, 0)
			if len(tracks) != 1 || tracks[0].Node != 0 || tracks[0].Path != gltf.TRSScale {
				t.Errorf("tracks kept: %+v, want only the sound one", tracks)
			}
			if got := rep.Animations[0]; got.Channels != 1 || got.Duration != 3 {
				t.Errorf("clip %+v", got)
			}
		})
	}
}

// TestAnimationIssuesAgreeWithValidator: the Khronos validator finds each damaged clip an error
// under the code Clip gives it.
func TestAnimationIssuesAgreeWithValidator(t *testing.T) {
	cases := animationCases()
	var files []string
	mine := map[string]Issue{}
	for name, c := range cases {
		path := filepath.Join(t.TempDir(), strings.ReplaceAll(name, " ", "-")+".glb")
		doc := damagedClip(c)
		if err := gltf.SaveBinary(doc, path); err != nil {
			t.Fatal(err)
		}
		files = append(files, path)
		_, issues := Clip(doc, 0)
		if len(issues) != 1 {
			t.Fatalf("%s: issues %+v", name, issues)
		}
		mine[path] = issues[0]
	}
	for _, r := range modeltest.ValidatorReports(t, files...) {
		want, found := mine[r.File], false
		for _, is := range r.Issues {
			found = found || (is.Severity == 0 && is.Code == want.Code && is.Pointer == want.Pointer)
		}
		if !found {
			t.Errorf("%s: the validator does not report %s at %s: %v", filepath.Base(r.File), want.Code, want.Pointer, r.Messages)
		}
	}
}

// TestAnimationOfSkinnedNodeWarns: moving the skinned mesh's own node does nothing (its joints
// pose it): a warning, as the validator gives, not a refusal.
func TestAnimationOfSkinnedNodeWarns(t *testing.T) {
	doc := animated()
	doc.Nodes[0].Skin = gltf.Index(0)
	anim := &gltf.Animation{}
	channel(anim, 0, gltf.TRSScale, gltf.InterpolationLinear, addTimes(doc, 0), modeler.WriteAccessor(doc, gltf.TargetNone, [][3]float32{{1, 1, 1}}))
	doc.Animations = []*gltf.Animation{anim}
	rep := &Report{}
	animations(doc, rep)
	if len(rep.Issues) != 1 || rep.Issues[0].Severity != SeverityWarning || rep.Issues[0].Code != "ANIMATION_CHANNEL_TARGET_NODE_SKIN" {
		t.Errorf("issues %+v", rep.Issues)
	}
}

func TestCompose(t *testing.T) {
	// A quarter turn about Y, scaled ×2 in X and 0 in Y, moved 1 m along Z.
	s := math.Sqrt(0.5)
	m := Compose([3]float64{0, 0, 1}, [4]float64{0, s, 0, s}, [3]float64{2, 0, 1})
	p := func(x, y, z float64) [3]float64 {
		return [3]float64{m[0]*x + m[4]*y + m[8]*z + m[12], m[1]*x + m[5]*y + m[9]*z + m[13], m[2]*x + m[6]*y + m[10]*z + m[14]}
	}
	got, want := p(1, 1, 0), [3]float64{0, 0, -1} // x scaled to 2, turned to −Z, then moved +1 Z
	for k := range 3 {
		if math.Abs(got[k]-want[k]) > 1e-12 {
			t.Fatalf("(1,1,0) goes to %v, want %v", got, want)
		}
	}
}

// TestCorpusAnimations: the corpus's animated models list their clips, with no error in them.
func TestCorpusAnimations(t *testing.T) {
	dir := modeltest.CorpusDir(t, "models")
	cases := []struct {
		file                     string
		clips                    int
		transforms, morphs, skin bool
	}{
		{"khronos_AnimatedMorphCube/AnimatedMorphCube.gltf", 1, false, true, false},
		{"cge_knight/knight.gltf", 5, true, false, true},
		{"webxr_generic-hand_left.glb", 0, false, false, false},
	}
	for _, c := range cases {
		doc, rep, err := Load(filepath.Join(dir, c.file))
		if err != nil {
			t.Errorf("%s: %v", c.file, err)
			continue
		}
		if len(rep.Animations) != c.clips || len(doc.Animations) != c.clips {
			t.Errorf("%s: %d clips listed, want %d", c.file, len(rep.Animations), c.clips)
		}
		for _, a := range rep.Animations {
			t.Logf("%s: %+v", c.file, a)
			if a.Duration <= 0 || a.Channels == 0 || a.Transforms != c.transforms || a.Morphs != c.morphs || a.Skins != c.skin {
				t.Errorf("%s: clip %+v", c.file, a)
			}
		}
		for _, is := range rep.Issues {
			if strings.HasPrefix(is.Pointer, "/animations") {
				t.Errorf("%s: %+v", c.file, is)
			}
		}
	}
}

// FuzzAnimations feeds Load animated models with their bytes changed: it must never panic, and
// any clip of a model it accepts gives tracks a player can index blindly (times increasing and
// finite, values Width per keyframe, three times as many for a cubic spline, nodes in range).
func FuzzAnimations(f *testing.F) {
	doc := animated()
	walk := &gltf.Animation{Name: "Walk"}
	channel(walk, 0, gltf.TRSTranslation, gltf.InterpolationCubicSpline, addTimes(doc, 0, 1),
		modeler.WriteAccessor(doc, gltf.TargetNone, make([][3]float32, 6)))
	channel(walk, 0, gltf.TRSWeights, gltf.InterpolationStep, addTimes(doc, 0, 0.5, 2), modeler.WriteAccessor(doc, gltf.TargetNone, []float32{0, 1, 0.5}))
	rot := modeler.WriteAccessor(doc, gltf.TargetNone, [][4]int16{{0, 0, 0, 32767}, {0, 32767, 0, 0}})
	doc.Accessors[rot].Normalized = true
	channel(walk, 1, gltf.TRSRotation, gltf.InterpolationLinear, addTimes(doc, 0, 4), rot)
	doc.Animations = []*gltf.Animation{walk}
	doc.Buffers[0].EmbeddedResource()
	var b bytes.Buffer
	if err := gltf.NewEncoder(&b).Encode(doc); err != nil {
		f.Fatal(err)
	}
	seed := filepath.Join(f.TempDir(), "seed.gltf")
	if err := os.WriteFile(seed, b.Bytes(), 0o600); err != nil {
		f.Fatal(err)
	}
	if _, rep, err := Load(seed); err != nil || len(rep.Animations) != 1 || rep.Animations[0].Channels != 3 {
		f.Fatalf("the seed: %v, %+v", err, rep)
	}
	f.Add(b.Bytes())
	dir := f.TempDir()
	f.Fuzz(func(t *testing.T, data []byte) {
		path := filepath.Join(dir, "model.gltf")
		if err := os.WriteFile(path, data, 0o600); err != nil {
			t.Fatal(err)
		}
		defer os.Remove(path)
		doc, rep, err := Load(path)
		if err != nil {
			return
		}
		for a := range doc.Animations {
			tracks, _ := Clip(doc, a)
			for _, tr := range tracks {
				per := tr.Width
				if tr.Interpolation == gltf.InterpolationCubicSpline {
					per *= 3
				}
				if tr.Node < 0 || tr.Node >= len(doc.Nodes) || tr.Width < 1 || len(tr.Values) != per*len(tr.Times) || len(tr.Times) == 0 {
					t.Fatalf("clip %d: track %+v", a, tr)
				}
				for i, x := range tr.Times {
					if math.IsNaN(float64(x)) || math.IsInf(float64(x), 0) || (i > 0 && x <= tr.Times[i-1]) {
						t.Fatalf("clip %d: times %v", a, tr.Times)
					}
				}
			}
		}
		if len(rep.Animations) != len(doc.Animations) {
			t.Fatalf("%d clips listed of %d", len(rep.Animations), len(doc.Animations))
		}
	})
}

// TestAnimationChecksAreBounded: channels sharing an accessor share one reading of it (a file
// cannot make the check cost its channels times its largest accessor), and a file of many
// damaged channels lists the first hundred issues and counts the rest.
func TestAnimationChecksAreBounded(t *testing.T) {
	doc := animated()
	const keys, nodes = 10_000, 300
	times := make([]float32, keys)
	for i := range times {
		times[i] = float32(i) / 30
	}
	in := addTimes(doc, times...)
	out := modeler.WriteAccessor(doc, gltf.TargetNone, make([][3]float32, keys))
	anim := &gltf.Animation{Samplers: []*gltf.AnimationSampler{{Input: in, Output: out}}}
	broken := &gltf.Animation{}
	for range nodes {
		doc.Nodes = append(doc.Nodes, &gltf.Node{})
		n := gltf.Index(len(doc.Nodes) - 1)
		anim.Channels = append(anim.Channels, &gltf.AnimationChannel{Sampler: 0, Target: gltf.AnimationChannelTarget{Node: n}})
		broken.Channels = append(broken.Channels, &gltf.AnimationChannel{Sampler: 5, Target: gltf.AnimationChannelTarget{Node: n}})
	}
	doc.Animations = []*gltf.Animation{anim, anim, broken}
	clips, issues := Clips(doc)
	if len(clips[0]) != nodes || len(clips[1]) != nodes || len(clips[2]) != 0 {
		t.Fatalf("%d, %d and %d tracks", len(clips[0]), len(clips[1]), len(clips[2]))
	}
	if &clips[0][0].Values[0] != &clips[1][nodes-1].Values[0] || &clips[0][0].Times[0] != &clips[1][nodes-1].Times[0] {
		t.Error("channels sharing an accessor read it again")
	}
	if len(issues) != maxAnimationIssues+1 || issues[len(issues)-1].Code != CodeLimit ||
		!strings.Contains(issues[len(issues)-1].Message, fmt.Sprintf("%d more", nodes-maxAnimationIssues)) {
		t.Errorf("%d issues, the last %+v", len(issues), issues[len(issues)-1])
	}
}
