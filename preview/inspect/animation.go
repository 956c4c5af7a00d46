package inspect

import (
	"fmt"
	"math"

	"github.com/qmuntal/gltf"
	"github.com/qmuntal/gltf/modeler"
)

// Track is one animation channel, read and checked: the keyframes a player samples to move
// one node's translation, rotation or scale, or its morph target weights.
type Track struct {
	Node          int
	Path          gltf.TRSProperty
	Interpolation gltf.Interpolation
	// Times are the keyframes' times in seconds, finite, not negative and increasing.
	Times []float32
	// Values holds Width floats per keyframe (3 for translation and scale, 4 for a rotation
	// quaternion x, y, z, w, one per morph target for weights), normalised integers already
	// turned into floats. A CUBICSPLINE keyframe holds three groups: in-tangent, value,
	// out-tangent.
	Values []float32
	Width  int
}

// Clip reads animation number a of doc: the tracks of its sound channels, and the Khronos
// validator's errors (and its warning about skinned nodes) for the rest. A channel with an
// error is left out of the tracks, so a player given them never indexes out of range, whether
// or not the model is refused for the issues. Channels without a target node (another
// extension's) are skipped, as the spec says.
func Clip(doc *gltf.Document, a int) (tracks []Track, issues []Issue) {
	r := newAnimReader(doc)
	tracks = r.clip(a)
	return tracks, r.done()
}

// Clips is Clip for every animation of doc, each accessor read and checked once however many
// samplers, channels and clips share it: a file cannot make the check cost its channels times
// its largest accessor.
func Clips(doc *gltf.Document) (clips [][]Track, issues []Issue) {
	r := newAnimReader(doc)
	clips = make([][]Track, len(doc.Animations))
	for a := range doc.Animations {
		clips[a] = r.clip(a)
	}
	return clips, r.done()
}

// maxAnimationIssues bounds the issues the clips add to a report: a file of a million damaged
// channels is refused for the first, and listing them all would cost more than the file.
const maxAnimationIssues = 100

func (r *animReader) clip(a int) (tracks []Track) {
	if a < 0 || a >= len(r.doc.Animations) || r.doc.Animations[a] == nil {
		return nil
	}
	doc, anim := r.doc, r.doc.Animations[a]
	c := clipReader{animReader: r, anim: a, name: ClipName(doc, a), samplers: map[int]*samplerData{}}
	seen := map[[2]int]int{} // {node, path} → the first channel targeting it
	for ci, ch := range anim.Channels {
		if ch == nil || ch.Target.Node == nil {
			continue
		}
		at := fmt.Sprintf("/animations/%d/channels/%d", a, ci)
		node := *ch.Target.Node
		if node < 0 || node >= len(doc.Nodes) {
			c.fail(at+"/target/node", "UNRESOLVED_REFERENCE", "moves node %d, which does not exist", node)
			continue
		}
		if ch.Sampler < 0 || ch.Sampler >= len(anim.Samplers) || anim.Samplers[ch.Sampler] == nil {
			c.fail(at+"/sampler", "UNRESOLVED_REFERENCE", "uses sampler %d, which does not exist", ch.Sampler)
			continue
		}
		key := [2]int{node, int(ch.Target.Path)}
		if first, dup := seen[key]; dup {
			// Where the validator points: at the first of the two.
			c.fail(fmt.Sprintf("/animations/%d/channels/%d/target", a, first), "ANIMATION_DUPLICATE_TARGETS",
				"moves the %s of node %d twice (channels %d and %d)", ch.Target.Path, node, first, ci)
			continue
		}
		seen[key] = ci
		n := doc.Nodes[node]
		width := 3
		switch ch.Target.Path {
		case gltf.TRSRotation:
			width = 4
		case gltf.TRSWeights:
			width = morphTargets(doc, n)
			if width == 0 {
				c.fail(at+"/target", "ANIMATION_CHANNEL_TARGET_NODE_WEIGHTS_NO_MORPHS", "animates the morph weights of node %d, whose mesh has no morph targets", node)
				continue
			}
		}
		if ch.Target.Path != gltf.TRSWeights && n.Matrix != [16]float64{} && n.Matrix != Identity {
			c.fail(at+"/target", "ANIMATION_CHANNEL_TARGET_NODE_MATRIX", "moves node %d, whose transform is a matrix, which cannot be animated", node)
			continue
		}
		if ch.Target.Path != gltf.TRSWeights && n.Skin != nil {
			c.add(Issue{Severity: SeverityWarning, Code: "ANIMATION_CHANNEL_TARGET_NODE_SKIN", Pointer: at + "/target/node",
				Message: fmt.Sprintf("animation %q moves skinned node %d, which has no effect: its joints pose it", c.name, node)})
		}
		s := c.sampler(ch.Sampler)
		if s == nil {
			continue
		}
		tr, ok := c.track(ci, ch, s, width)
		if ok {
			tracks = append(tracks, tr)
		}
	}
	return tracks
}

// ClipName is the name Report.Animations gives animation a: its own, or "Animation N".
func ClipName(doc *gltf.Document, a int) string {
	if a >= 0 && a < len(doc.Animations) && doc.Animations[a] != nil && doc.Animations[a].Name != "" {
		return doc.Animations[a].Name
	}
	return fmt.Sprintf("Animation %d", a+1)
}

// Duration is the clip's length: its latest keyframe time.
func Duration(tracks []Track) float64 {
	var d float64
	for _, t := range tracks {
		if n := len(t.Times); n > 0 {
			d = max(d, float64(t.Times[n-1]))
		}
	}
	return d
}

// Parents gives each node's parent, −1 for a root. Call it on a document Inspect accepted.
func Parents(doc *gltf.Document) []int {
	parent := make([]int, len(doc.Nodes))
	for i := range parent {
		parent[i] = -1
	}
	for i, n := range doc.Nodes {
		for _, c := range n.Children {
			if c >= 0 && c < len(parent) {
				parent[c] = i
			}
		}
	}
	return parent
}

// Compose is the local matrix (column-major) of translation t, rotation r (a unit quaternion
// x, y, z, w) and scale s: T·R·S, as glTF composes a node's transform. A zero scale stays
// zero (an animation hides a part so).
func Compose(t [3]float64, r [4]float64, s [3]float64) [16]float64 {
	x, y, z, w := r[0], r[1], r[2], r[3]
	return [16]float64{
		(1 - 2*(y*y+z*z)) * s[0], 2 * (x*y + z*w) * s[0], 2 * (x*z - y*w) * s[0], 0,
		2 * (x*y - z*w) * s[1], (1 - 2*(x*x+z*z)) * s[1], 2 * (y*z + x*w) * s[1], 0,
		2 * (x*z + y*w) * s[2], 2 * (y*z - x*w) * s[2], (1 - 2*(x*x+y*y)) * s[2], 0,
		t[0], t[1], t[2], 1,
	}
}

// morphTargets is the number of morph targets of the node's mesh (its first primitive's, which
// the others must match), 0 without a mesh.
func morphTargets(doc *gltf.Document, n *gltf.Node) int {
	if n.Mesh == nil || *n.Mesh < 0 || *n.Mesh >= len(doc.Meshes) {
		return 0
	}
	m := doc.Meshes[*n.Mesh]
	if m == nil || len(m.Primitives) == 0 || m.Primitives[0] == nil {
		return 0
	}
	return len(m.Primitives[0].Targets)
}

// animations lists the model's clips in the report, with the issues of their channels.
func animations(doc *gltf.Document, rep *Report) {
	joints := jointSubtrees(doc)
	clips, issues := Clips(doc)
	rep.Issues = append(rep.Issues, issues...)
	for a, tracks := range clips {
		clip := Animation{Name: ClipName(doc, a), Duration: Duration(tracks), Channels: len(tracks)}
		for _, t := range tracks {
			if t.Path == gltf.TRSWeights {
				clip.Morphs = true
				continue
			}
			clip.Transforms = true
			clip.Skins = clip.Skins || joints[t.Node]
		}
		rep.Animations = append(rep.Animations, clip)
	}
}

// jointSubtrees marks each node that is a skin's joint or holds one below it: moving it moves
// a skin.
func jointSubtrees(doc *gltf.Document) []bool {
	parent := Parents(doc)
	marked := make([]bool, len(doc.Nodes))
	for _, s := range doc.Skins {
		if s == nil {
			continue
		}
		for _, j := range s.Joints {
			// Stop at a node already marked: its ancestors are too, so each node is walked once.
			for n := j; n >= 0 && n < len(marked) && !marked[n]; n = parent[n] {
				marked[n] = true
			}
		}
	}
	return marked
}

// samplerData is a sampler's keyframe times, read once however many channels share it.
type samplerData struct {
	times  []float32
	interp gltf.Interpolation
	output int
}

// animReader reads a document's clips, each accessor once.
type animReader struct {
	doc    *gltf.Document
	times  map[int]*readTimes  // by accessor
	values map[int]*readValues // by accessor
	quats  map[[2]int]quatFault
	issues []Issue
	more   int // issues past maxAnimationIssues, counted
}

// readTimes is an input accessor read and checked: its times, or what is wrong with them
// (fault's code, message and whether it points at the accessor rather than the sampler).
type readTimes struct {
	times      []float32
	code, msg  string
	atAccessor bool
}

// readValues is an output accessor read as floats and checked to be numbers.
type readValues struct {
	values    []float32
	code, msg string
	accessor  bool
}

// quatFault is an accessor's first rotation that is not unit length, if any (index < 0).
type quatFault struct {
	index  int
	length float64
}

func newAnimReader(doc *gltf.Document) *animReader {
	return &animReader{doc: doc, times: map[int]*readTimes{}, values: map[int]*readValues{}, quats: map[[2]int]quatFault{}}
}

func (r *animReader) add(is Issue) {
	if len(r.issues) >= maxAnimationIssues {
		r.more++
		return
	}
	r.issues = append(r.issues, is)
}

// done is the issues found, the last saying how many more were left out.
func (r *animReader) done() []Issue {
	if r.more > 0 {
		r.issues = append(r.issues, Issue{Severity: SeverityInfo, Code: CodeLimit, Pointer: "/animations",
			Message: fmt.Sprintf("%d more issues with the animations are not listed", r.more)})
	}
	return r.issues
}

type clipReader struct {
	*animReader
	anim     int
	name     string
	samplers map[int]*samplerData // nil value: the sampler has an error, already reported
}

func (c *clipReader) fail(pointer, code, format string, a ...any) {
	c.add(Issue{Severity: SeverityError, Code: code, Pointer: pointer,
		Message: fmt.Sprintf("animation %q ", c.name) + fmt.Sprintf(format, a...)})
}

// sampler reads and checks sampler si's input (the keyframe times), once.
func (c *clipReader) sampler(si int) *samplerData {
	if s, done := c.samplers[si]; done {
		return s
	}
	c.samplers[si] = nil
	doc, smp := c.doc, c.doc.Animations[c.anim].Samplers[si]
	at := fmt.Sprintf("/animations/%d/samplers/%d", c.anim, si)
	if smp.Input < 0 || smp.Input >= len(doc.Accessors) {
		c.fail(at+"/input", "UNRESOLVED_REFERENCE", "takes its keyframe times from accessor %d, which does not exist", smp.Input)
		return nil
	}
	if smp.Output < 0 || smp.Output >= len(doc.Accessors) {
		c.fail(at+"/output", "UNRESOLVED_REFERENCE", "takes its keyframe values from accessor %d, which does not exist", smp.Output)
		return nil
	}
	in := doc.Accessors[smp.Input]
	if in.Type != gltf.AccessorScalar || in.ComponentType != gltf.ComponentFloat {
		c.fail(at+"/input", "ANIMATION_SAMPLER_INPUT_ACCESSOR_INVALID_FORMAT", "has keyframe times that are not single floats (%s of %s)", in.Type, in.ComponentType)
		return nil
	}
	if len(in.Min) != 1 || len(in.Max) != 1 {
		c.fail(at+"/input", "ANIMATION_SAMPLER_INPUT_ACCESSOR_WITHOUT_BOUNDS", "does not declare the first and last of its keyframe times (accessor %d has no min and max)", smp.Input)
		return nil
	}
	for _, ai := range []struct {
		accessor int
		name     string
	}{{smp.Input, "input"}, {smp.Output, "output"}} {
		if bv := doc.Accessors[ai.accessor].BufferView; bv != nil && *bv >= 0 && *bv < len(doc.BufferViews) && doc.BufferViews[*bv].ByteStride != 0 {
			c.fail(at+"/"+ai.name, "ANIMATION_SAMPLER_ACCESSOR_WITH_BYTESTRIDE", "reads accessor %d from an interleaved bufferView, which animations may not use", ai.accessor)
			return nil
		}
	}
	need := 1
	if smp.Interpolation == gltf.InterpolationCubicSpline {
		need = 2
	}
	if in.Count < need {
		c.fail(at+"/input", "ANIMATION_SAMPLER_INPUT_ACCESSOR_TOO_FEW_ELEMENTS", "has %d keyframes, and %s interpolation needs at least %d", in.Count, smp.Interpolation, need)
		return nil
	}
	rt := c.readTimes(smp.Input)
	if rt.code != "" {
		pointer := at + "/input"
		if rt.atAccessor {
			pointer = fmt.Sprintf("/accessors/%d", smp.Input)
		}
		c.fail(pointer, rt.code, "%s", rt.msg)
		return nil
	}
	times := rt.times
	s := &samplerData{times: times, interp: smp.Interpolation, output: smp.Output}
	c.samplers[si] = s
	return s
}

// readTimes reads and checks input accessor ai, once.
func (r *animReader) readTimes(ai int) *readTimes {
	if rt, ok := r.times[ai]; ok {
		return rt
	}
	rt := &readTimes{}
	r.times[ai] = rt
	data, err := modeler.ReadAccessor(r.doc, r.doc.Accessors[ai], nil)
	times, ok := data.([]float32)
	if err != nil || !ok {
		rt.code, rt.msg = "ANIMATION_SAMPLER_INPUT_ACCESSOR_INVALID_FORMAT", fmt.Sprintf("has keyframe times that cannot be read (%v)", err)
		return rt
	}
	for i, t := range times {
		switch {
		case math.IsNaN(float64(t)) || math.IsInf(float64(t), 0):
			rt.code, rt.atAccessor = "ACCESSOR_INVALID_FLOAT", true
			rt.msg = fmt.Sprintf("has keyframe %d at a time that is not a number (%v): the file is damaged", i, t)
			return rt
		case t < 0:
			rt.code, rt.msg = "ACCESSOR_ANIMATION_INPUT_NEGATIVE", fmt.Sprintf("has keyframe %d at a negative time (%g s)", i, t)
			return rt
		case i > 0 && t <= times[i-1]:
			rt.code = "ACCESSOR_ANIMATION_INPUT_NON_INCREASING"
			rt.msg = fmt.Sprintf("has keyframe times that do not increase (keyframe %d at %g s comes after %g s): the file is damaged", i, t, times[i-1])
			return rt
		}
	}
	rt.times = times
	return rt
}

// readValues reads output accessor ai as floats and checks they are numbers, once.
func (r *animReader) readValues(ai int) *readValues {
	if rv, ok := r.values[ai]; ok {
		return rv
	}
	rv := &readValues{}
	r.values[ai] = rv
	values, err := floats(r.doc, r.doc.Accessors[ai])
	if err != nil {
		rv.code, rv.msg = "ANIMATION_SAMPLER_OUTPUT_ACCESSOR_INVALID_FORMAT", fmt.Sprintf("has keyframe values that cannot be read (%v)", err)
		return rv
	}
	comps := max(1, r.doc.Accessors[ai].Type.Components())
	for i, v := range values {
		if math.IsNaN(float64(v)) || math.IsInf(float64(v), 0) {
			rv.code, rv.accessor = "ACCESSOR_INVALID_FLOAT", true
			rv.msg = fmt.Sprintf("has keyframe value %d that is not a number (%v): the file is damaged", i/comps, v)
			return rv
		}
	}
	rv.values = values
	return rv
}

// quatFault finds the first rotation of accessor ai (its values, read) that is not unit
// length, once per accessor and layout: a cubic spline's tangents need not be.
func (r *animReader) quatFault(ai int, values []float32, cubic bool) quatFault {
	key := [2]int{ai, 0}
	if cubic {
		key[1] = 1
	}
	if f, ok := r.quats[key]; ok {
		return f
	}
	f := quatFault{index: -1}
	for k := 0; k+4 <= len(values); k += 4 {
		if cubic && (k/4)%3 != 1 {
			continue
		}
		q := values[k : k+4]
		l := math.Sqrt(float64(q[0])*float64(q[0]) + float64(q[1])*float64(q[1]) + float64(q[2])*float64(q[2]) + float64(q[3])*float64(q[3]))
		// The validator's tolerance on the length, loosened for quaternions stored as bytes.
		if math.Abs(l-1) > 0.01 {
			f = quatFault{index: k / 4, length: l}
			break
		}
	}
	r.quats[key] = f
	return f
}

// track reads channel ci's values for its path, checking their format, count and, for
// rotations, that they are unit quaternions.
func (c *clipReader) track(ci int, ch *gltf.AnimationChannel, s *samplerData, width int) (Track, bool) {
	doc := c.doc
	at := fmt.Sprintf("/animations/%d/channels/%d/sampler", c.anim, ci) // where the validator points
	out := doc.Accessors[s.output]
	wantType := gltf.AccessorVec3
	switch ch.Target.Path {
	case gltf.TRSRotation:
		wantType = gltf.AccessorVec4
	case gltf.TRSWeights:
		wantType = gltf.AccessorScalar
	}
	floatOnly := ch.Target.Path == gltf.TRSTranslation || ch.Target.Path == gltf.TRSScale
	formatOK := out.Type == wantType && (out.ComponentType == gltf.ComponentFloat || (!floatOnly && out.Normalized && out.ComponentType != gltf.ComponentUint))
	if !formatOK {
		c.fail(at, "ANIMATION_SAMPLER_OUTPUT_ACCESSOR_INVALID_FORMAT", "gives the %s of node %d values of the wrong kind (%s of %s)", ch.Target.Path, *ch.Target.Node, out.Type, out.ComponentType)
		return Track{}, false
	}
	perKey := width / wantType.Components()
	if s.interp == gltf.InterpolationCubicSpline {
		perKey *= 3
	}
	if want := int64(len(s.times)) * int64(perKey); int64(out.Count) != want {
		c.fail(at, "ANIMATION_SAMPLER_OUTPUT_ACCESSOR_INVALID_COUNT", "has %d keyframe values for %d keyframe times; %s interpolation of the %s needs %d",
			out.Count, len(s.times), s.interp, ch.Target.Path, want)
		return Track{}, false
	}
	rv := c.readValues(s.output)
	if rv.code != "" {
		pointer := at
		if rv.accessor {
			pointer = fmt.Sprintf("/accessors/%d", s.output)
		}
		c.fail(pointer, rv.code, "%s", rv.msg)
		return Track{}, false
	}
	values := rv.values
	if ch.Target.Path == gltf.TRSRotation {
		if f := c.quatFault(s.output, values, s.interp == gltf.InterpolationCubicSpline); f.index >= 0 {
			c.fail(at, "ACCESSOR_ANIMATION_SAMPLER_OUTPUT_NON_NORMALIZED_QUATERNION", "rotates node %d by a quaternion of length %.3g at value %d, not 1: the file is damaged", *ch.Target.Node, f.length, f.index)
			return Track{}, false
		}
	}
	return Track{Node: *ch.Target.Node, Path: ch.Target.Path, Interpolation: s.interp, Times: s.times, Values: values, Width: width}, true
}

// floats reads an accessor of floats or normalised integers as one flat run of floats, the
// integers mapped to −1…1 or 0…1 as the glTF spec says.
func floats(doc *gltf.Document, a *gltf.Accessor) ([]float32, error) {
	data, err := modeler.ReadAccessor(doc, a, nil)
	if err != nil {
		return nil, err
	}
	same := func(v float32) float32 { return v }
	switch d := data.(type) {
	case []float32:
		return d, nil
	case [][3]float32:
		out := make([]float32, 0, len(d)*3)
		for _, v := range d {
			out = append(out, v[:]...)
		}
		return out, nil
	case [][4]float32:
		return flatten(d, same), nil
	case []int8:
		return convert(d, snorm8), nil
	case [][4]int8:
		return flatten(d, snorm8), nil
	case []uint8:
		return convert(d, unorm8), nil
	case [][4]uint8:
		return flatten(d, unorm8), nil
	case []int16:
		return convert(d, snorm16), nil
	case [][4]int16:
		return flatten(d, snorm16), nil
	case []uint16:
		return convert(d, unorm16), nil
	case [][4]uint16:
		return flatten(d, unorm16), nil
	}
	return nil, fmt.Errorf("%s of %s", a.Type, a.ComponentType)
}

func snorm8(v int8) float32    { return max(float32(v)/127, -1) }
func unorm8(v uint8) float32   { return float32(v) / 255 }
func snorm16(v int16) float32  { return max(float32(v)/32767, -1) }
func unorm16(v uint16) float32 { return float32(v) / 65535 }

// convert turns scalars into floats.
func convert[T any](d []T, f func(T) float32) []float32 {
	out := make([]float32, len(d))
	for i, v := range d {
		out[i] = f(v)
	}
	return out
}

// flatten lays four-component vectors out one after another, each component turned into a
// float.
func flatten[T any](d [][4]T, f func(T) float32) []float32 {
	out := make([]float32, 0, len(d)*4)
	for _, v := range d {
		out = append(out, f(v[0]), f(v[1]), f(v[2]), f(v[3]))
	}
	return out
}
