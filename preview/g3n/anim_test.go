package g3n

import (
	"context"
	"math"
	"strings"
	"testing"

	"github.com/qmuntal/gltf"
	"github.com/qmuntal/gltf/modeler"

	"github.com/kiln3d/kiln/preview"
	"github.com/kiln3d/kiln/preview/inspect"
)

// track3 is a three-wide track (a translation) over times, values flat.
func track3(interp gltf.Interpolation, times []float32, values ...float32) *inspect.Track {
	return &inspect.Track{Path: gltf.TRSTranslation, Interpolation: interp, Times: times, Values: values, Width: 3}
}

func near(a, b, tol float64) bool { return math.Abs(a-b) <= tol }

func TestSampleStepAndLinear(t *testing.T) {
	times := []float32{1, 2, 4}
	cases := []struct {
		interp gltf.Interpolation
		at     float64
		want   float64
	}{
		{gltf.InterpolationStep, 0, 10},   // before the first keyframe: held
		{gltf.InterpolationStep, 1.9, 10}, // until the next keyframe
		{gltf.InterpolationStep, 2, 20},   // on a keyframe: its value
		{gltf.InterpolationStep, 9, 40},   // after the last: held
		{gltf.InterpolationLinear, 1.5, 15},
		{gltf.InterpolationLinear, 3, 30},
		{gltf.InterpolationLinear, 3.5, 35},
		{gltf.InterpolationLinear, 4, 40},
	}
	for _, c := range cases {
		out := make([]float64, 3)
		sample(track3(c.interp, times, 10, 0, -10, 20, 0, -20, 40, 0, -40), c.at, out)
		if !near(out[0], c.want, 1e-9) || !near(out[2], -c.want, 1e-9) || out[1] != 0 {
			t.Errorf("%s at %g s: %v, want x %g", c.interp, c.at, out, c.want)
		}
	}
}

// TestSampleCubicSpline: a Hermite spline reproduces a cubic exactly when given its values
// and slopes at the keyframes; the slopes are per second, so scaling them by the keyframes'
// spacing (2 s here) is what makes it right.
func TestSampleCubicSpline(t *testing.T) {
	f := func(x float64) float64 { return x * x * x }
	df := func(x float64) float64 { return 3 * x * x }
	times := []float32{0, 2, 3}
	var values []float32
	for _, x := range times {
		x := float64(x)
		// in-tangent, value, out-tangent: three floats each (x, then y and z zero).
		values = append(values, float32(df(x)), 0, 0, float32(f(x)), 0, 0, float32(df(x)), 0, 0)
	}
	tr := &inspect.Track{Path: gltf.TRSTranslation, Interpolation: gltf.InterpolationCubicSpline, Times: times, Values: values, Width: 3}
	for _, at := range []float64{0, 0.5, 1, 1.5, 2, 2.25, 2.9, 3, 5} {
		out := make([]float64, 3)
		sample(tr, at, out)
		want := f(min(at, 3))
		if !near(out[0], want, 1e-4*max(1, want)) {
			t.Errorf("at %g s: %g, want %g", at, out[0], want)
		}
	}
}

// TestSampleRotations: linear rotations take the shorter arc (q and −q are one rotation) and
// come out unit length, cubic ones too.
func TestSampleRotations(t *testing.T) {
	s := float32(math.Sqrt(0.5))
	// From no rotation to a quarter turn about Y, the second written as its negative.
	tr := &inspect.Track{Path: gltf.TRSRotation, Interpolation: gltf.InterpolationLinear, Times: []float32{0, 1},
		Values: []float32{0, 0, 0, 1, 0, -s, 0, -s}, Width: 4}
	for _, u := range []float64{0.25, 0.5, 0.75} {
		q := make([]float64, 4)
		sample(tr, u, q)
		if q[3] < 0 {
			for i := range q {
				q[i] = -q[i]
			}
		}
		angle := 2 * math.Atan2(q[1], q[3]) // about +Y
		if !near(angle, u*math.Pi/2, 1e-6) || !near(q[0], 0, 1e-9) || !near(q[2], 0, 1e-9) {
			t.Errorf("at %g: %v turns %.1f°, want %.1f° the short way", u, q, angle*180/math.Pi, u*90)
		}
		if l := math.Sqrt(q[0]*q[0] + q[1]*q[1] + q[2]*q[2] + q[3]*q[3]); !near(l, 1, 1e-9) {
			t.Errorf("at %g: length %g", u, l)
		}
	}
	cubic := &inspect.Track{Path: gltf.TRSRotation, Interpolation: gltf.InterpolationCubicSpline, Times: []float32{0, 1},
		Values: []float32{0, 0, 0, 0, 0, 0, 0, 1, 0, 1, 0, 0, 0, 0, 0, 0, 0, s, 0, s, 0, 0, 0, 0}, Width: 4}
	q := make([]float64, 4)
	sample(cubic, 0.5, q)
	if l := math.Sqrt(q[0]*q[0] + q[1]*q[1] + q[2]*q[2] + q[3]*q[3]); !near(l, 1, 1e-9) {
		t.Errorf("cubic rotation of length %g", l)
	}
}

func TestClipTimeWraps(t *testing.T) {
	a := &animator{clips: []animClip{{duration: 2}, {duration: 0}}}
	cases := []struct {
		clip        int
		at          float64
		wantClip    int
		wantTime    float64
		whatItMeans string
	}{
		{1, 0.5, 1, 0.5, "inside"},
		{1, 5, 1, 1, "wrapped"},
		{1, -0.5, 1, 1.5, "negative, wrapped from the end"},
		{1, math.NaN(), 1, 0, "not a number: the start"},
		{1, math.Inf(1), 1, 0, "infinite: the start"},
		{2, 3, 2, 0, "a clip of one instant"},
		{0, 3, 0, 0, "the rest pose"},
		{3, 1, 0, 0, "no such clip: the rest pose"},
		{-1, 1, 0, 0, "no such clip: the rest pose"},
	}
	for _, c := range cases {
		clip, tm := a.clipTime(c.clip, c.at)
		if clip != c.wantClip || !near(tm, c.wantTime, 1e-12) {
			t.Errorf("clip %d at %g (%s): clip %d at %g", c.clip, c.at, c.whatItMeans, clip, tm)
		}
	}
}

// addClip adds an animation of one channel: node's path keyed at times to values.
func addClip(doc *gltf.Document, name string, node int, path gltf.TRSProperty, interp gltf.Interpolation, times []float32, values any) {
	in := modeler.WriteAccessor(doc, gltf.TargetNone, times)
	doc.Accessors[in].Min, doc.Accessors[in].Max = []float64{float64(times[0])}, []float64{float64(times[len(times)-1])}
	out := modeler.WriteAccessor(doc, gltf.TargetNone, values)
	doc.Animations = append(doc.Animations, &gltf.Animation{Name: name,
		Samplers: []*gltf.AnimationSampler{{Input: in, Output: out, Interpolation: interp}},
		Channels: []*gltf.AnimationChannel{{Sampler: 0, Target: gltf.AnimationChannelTarget{Node: gltf.Index(node), Path: path}}}})
}

// skinnedBar writes a bar 2 m tall standing on the origin, 10 cm thick, skinned to two bones:
// the lower half to the root bone, the upper to a bone at 1 m, which the clip "Bend" turns a
// quarter about Z in its 1 s. The vertices at 1 m in the upper half are shared half and half,
// and a static box beside it is drawn too.
func skinnedBar(t testing.TB) string { return save(t, skinnedBarDoc(t), "bar.glb") }

func skinnedBarDoc(t testing.TB) *gltf.Document {
	doc := newDoc()
	p := writeBoxes(doc, []box{
		{[3]float32{-0.05, 0, -0.05}, [3]float32{0.05, 1, 0.05}},
		{[3]float32{-0.05, 1, -0.05}, [3]float32{0.05, 2, 0.05}},
	}, meshOptions{})
	pos, err := modeler.ReadPosition(doc, doc.Accessors[p.Attributes[gltf.POSITION]], nil)
	if err != nil {
		t.Fatal(err)
	}
	joints := make([][4]uint8, len(pos))
	weights := make([][4]float32, len(pos))
	for i, v := range pos {
		switch {
		case i >= 24 && v[1] == 1: // the upper box's bottom: half each
			joints[i], weights[i] = [4]uint8{0, 1}, [4]float32{0.5, 0.5}
		case i >= 24:
			joints[i], weights[i] = [4]uint8{1}, [4]float32{1}
		default:
			joints[i], weights[i] = [4]uint8{0}, [4]float32{1}
		}
	}
	p.Attributes[gltf.JOINTS_0] = modeler.WriteJoints(doc, joints)
	p.Attributes[gltf.WEIGHTS_0] = modeler.WriteWeights(doc, weights)
	finish(doc, p, matte(0.8, 0.5, 0.2)) // node 0
	// The bones: node 1 the root at the origin, node 2 its child 1 m up.
	doc.Nodes = append(doc.Nodes, &gltf.Node{Name: "root", Children: []int{2}}, &gltf.Node{Name: "upper", Translation: [3]float64{0, 1, 0}})
	doc.Scenes[0].Nodes = append(doc.Scenes[0].Nodes, 1)
	// Inverse bind matrices, as qmuntal lays them out (row by row): the upper bone's moves
	// down 1 m.
	ibm := [][4][4]float32{
		{{1, 0, 0, 0}, {0, 1, 0, 0}, {0, 0, 1, 0}, {0, 0, 0, 1}},
		{{1, 0, 0, 0}, {0, 1, 0, -1}, {0, 0, 1, 0}, {0, 0, 0, 1}},
	}
	doc.Skins = []*gltf.Skin{{Joints: []int{1, 2}, InverseBindMatrices: gltf.Index(modeler.WriteInverseBindMatrices(doc, ibm))}}
	doc.Nodes[0].Skin = gltf.Index(0)
	s := float32(math.Sqrt(0.5))
	addClip(doc, "Bend", 2, gltf.TRSRotation, gltf.InterpolationLinear, []float32{0, 1}, [][4]float32{{0, 0, 0, 1}, {0, 0, s, s}})
	// A static box 1 m to the right, with its own mesh: never re-posed.
	finish(doc, writeBoxes(doc, []box{{[3]float32{0.9, 0, -0.1}, [3]float32{1.1, 0.2, 0.1}}}, meshOptions{}), matte(0.5, 0.5, 0.5))
	return doc
}

// loadTestScene reads a model as Load does, on the CPU.
func loadTestScene(t testing.TB, path string) *scene {
	t.Helper()
	s, err := loadScene(context.Background(), path)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// poseCPU poses s as the model does, writing the deformed vertices into the scene's own
// vertex arrays; it returns the rigid instances' new world matrices.
func poseCPU(s *scene, clip int, at float64) map[int][16]float64 {
	worlds := map[int][16]float64{}
	s.anim.pose(clip, at, func(r rigidPart, w *[16]float64) { worlds[r.instance] = *w },
		func(d *deformer, weights []float64, skin [][16]float64) {
			md := s.meshes[d.mesh]
			d.repose(weights, skin, md.verts, md.stride())
		})
	return worlds
}

// vertex is vertex i of mesh md: position and normal.
func vertex(md *meshData, i int) (p, n [3]float64) {
	v := md.verts[i*md.stride():]
	return [3]float64{float64(v[0]), float64(v[1]), float64(v[2])}, [3]float64{float64(v[3]), float64(v[4]), float64(v[5])}
}

// TestSkinnedBarBends: the bar's upper half turns about the upper bone's origin as the clip
// says, its lower half stays, the shared vertices go half way; back at the rest pose all is as
// loaded. Only the bar keeps its source vertices.
func TestSkinnedBarBends(t *testing.T) {
	s := loadTestScene(t, skinnedBar(t))
	if s.anim == nil || len(s.anim.deformers) != 1 {
		t.Fatalf("animator %+v: want one deformed primitive (the bar), not the static box", s.anim)
	}
	d := s.anim.deformers[0]
	bar := s.meshes[d.mesh]
	rest := append([]float32(nil), bar.verts...)
	for _, at := range []float64{0.5, 1.5, 0.25} { // 1.5 wraps to 0.5
		poseCPU(s, 1, at)
		angle := math.Pi / 2 * math.Mod(at, 1)
		turn := func(p [3]float64) [3]float64 { // about Z through (0, 1, 0)
			x, y := p[0], p[1]-1
			return [3]float64{x*math.Cos(angle) - y*math.Sin(angle), 1 + x*math.Sin(angle) + y*math.Cos(angle), p[2]}
		}
		for i := range len(d.base) {
			b := d.base[i]
			orig := [3]float64{float64(b[0]), float64(b[1]), float64(b[2])}
			want := orig
			switch {
			case i >= 24 && orig[1] == 1:
				tw := turn(orig)
				for k := range 3 {
					want[k] = (orig[k] + tw[k]) / 2
				}
			case i >= 24:
				want = turn(orig)
			}
			got, _ := vertex(bar, i)
			for k := range 3 {
				if !near(got[k], want[k], 1e-5) {
					t.Fatalf("at %g s vertex %d %v is at %v, want %v", at, i, orig, got, want)
				}
			}
		}
		// The tip's normal pointing up turns with it.
		for i := range len(d.base) {
			if _, n := vertex(bar, i); d.base[i][1] == 2 && d.baseNormals[i][1] == 1 {
				if !near(n[0], -math.Sin(angle), 1e-5) || !near(n[1], math.Cos(angle), 1e-5) {
					t.Fatalf("at %g s the tip's normal is %v", at, n)
				}
			}
		}
	}
	poseCPU(s, 0, 0)
	for i := range rest {
		if !near(float64(bar.verts[i]), float64(rest[i]), 1e-6) {
			t.Fatalf("back at the rest pose, float %d is %g, was %g", i, bar.verts[i], rest[i])
		}
	}
}

// morphCube writes the 20 cm cube with two morph targets: the first lifts its top face 10 cm,
// the second pushes its right face 20 cm. The clip "Morph" keys their weights over 2 s from
// (0, 0) to (1, 0.5).
func morphCube(t testing.TB) string {
	doc := newDoc()
	p := writeBoxes(doc, []box{{[3]float32{-0.1, -0.1, -0.1}, [3]float32{0.1, 0.1, 0.1}}}, meshOptions{})
	pos, err := modeler.ReadPosition(doc, doc.Accessors[p.Attributes[gltf.POSITION]], nil)
	if err != nil {
		t.Fatal(err)
	}
	lift, push := make([][3]float32, len(pos)), make([][3]float32, len(pos))
	for i, v := range pos {
		if v[1] > 0 {
			lift[i][1] = 0.1
		}
		if v[0] > 0 {
			push[i][0] = 0.2
		}
	}
	p.Targets = []gltf.PrimitiveAttributes{{gltf.POSITION: modeler.WritePosition(doc, lift)}, {gltf.POSITION: modeler.WritePosition(doc, push)}}
	finish(doc, p, matte(0.3, 0.6, 0.8))
	doc.Meshes[0].Weights = []float64{0, 0}
	addClip(doc, "Morph", 0, gltf.TRSWeights, gltf.InterpolationLinear, []float32{0, 2}, []float32{0, 0, 1, 0.5})
	return save(t, doc, "morph.glb")
}

func TestMorphCubeFollowsWeights(t *testing.T) {
	s := loadTestScene(t, morphCube(t))
	if s.anim == nil || len(s.anim.deformers) != 1 {
		t.Fatalf("animator %+v", s.anim)
	}
	d := s.anim.deformers[0]
	md := s.meshes[d.mesh]
	for _, at := range []float64{0, 0.5, 1, 2} {
		poseCPU(s, 1, at)
		w0, w1 := math.Mod(at, 2)/2, math.Mod(at, 2)/4 // 2 s wraps to 0
		for i, b := range d.base {
			want := [3]float64{float64(b[0]), float64(b[1]), float64(b[2])}
			if b[1] > 0 {
				want[1] += 0.1 * w0
			}
			if b[0] > 0 {
				want[0] += 0.2 * w1
			}
			got, n := vertex(md, i)
			for k := range 3 {
				if !near(got[k], want[k], 1e-6) {
					t.Fatalf("at %g s vertex %d %v is at %v, want %v", at, i, b, got, want)
				}
			}
			if n != [3]float64{float64(d.baseNormals[i][0]), float64(d.baseNormals[i][1]), float64(d.baseNormals[i][2])} {
				t.Fatalf("at %g s vertex %d's normal changed without normal targets: %v", at, i, n)
			}
		}
	}
}

// nodeClip writes two boxes: a parent moved 1 m along X over its clip's 1 s, with a child
// 1 m above it; and a third box on its own that no clip moves.
func nodeClip(t testing.TB) string {
	doc := newDoc()
	cube := []box{{[3]float32{-0.1, -0.1, -0.1}, [3]float32{0.1, 0.1, 0.1}}}
	finish(doc, writeBoxes(doc, cube, meshOptions{}), matte(0.8, 0.2, 0.2)) // node 0, the parent
	finish(doc, writeBoxes(doc, cube, meshOptions{}), matte(0.2, 0.8, 0.2)) // node 1, the child
	doc.Scenes[0].Nodes = doc.Scenes[0].Nodes[:1]
	doc.Nodes[0].Children = []int{1}
	doc.Nodes[1].Translation = [3]float64{0, 1, 0}
	finish(doc, writeBoxes(doc, cube, meshOptions{}), matte(0.2, 0.2, 0.8)) // node 2, still
	doc.Nodes[2].Translation = [3]float64{-1, 0, 0}
	addClip(doc, "Slide", 0, gltf.TRSTranslation, gltf.InterpolationLinear, []float32{0, 1}, [][3]float32{{0, 0, 0}, {1, 0, 0}})
	return save(t, doc, "nodes.glb")
}

func TestNodeAnimationMovesMeshes(t *testing.T) {
	s := loadTestScene(t, nodeClip(t))
	if s.anim == nil || len(s.anim.deformers) != 0 || len(s.anim.rigid) != 2 {
		t.Fatalf("animator %+v: want the parent and child moved whole, nothing deformed", s.anim)
	}
	worlds := poseCPU(s, 1, 0.25)
	want := map[int][3]float64{0: {0.25, 0, 0}, 1: {0.25, 1, 0}} // instance → translation
	if len(worlds) != 2 {
		t.Fatalf("moved %d instances, want 2", len(worlds))
	}
	for in, w := range want {
		got := worlds[in]
		if !near(got[12], w[0], 1e-9) || !near(got[13], w[1], 1e-9) || !near(got[14], w[2], 1e-9) {
			t.Errorf("instance %d at %v, want %v", in, got[12:15], w)
		}
	}
	n := s.anim.poses
	if poseCPU(s, 1, 0.25); s.anim.poses != n {
		t.Error("the same clip and time were posed again")
	}
	if poseCPU(s, 1, 1.25); s.anim.poses != n {
		t.Error("a time one clip later was posed again")
	}
	back := poseCPU(s, 0, 7)
	for in := range want {
		if back[in] != s.instances[in].world {
			t.Errorf("back at rest, instance %d is at %v, want %v", in, back[in], s.instances[in].world)
		}
	}
}

// TestStaticModelKeepsNoSource: without clips there is no animator, and a clip that only
// moves nodes keeps no vertices: after the first frame every buffer is dropped.
func TestStaticModelKeepsNoSource(t *testing.T) {
	if s := loadTestScene(t, lShapeModel(t)); s.anim != nil {
		t.Errorf("a model without clips has an animator")
	}
	r := newRenderer(t, 0)
	for _, c := range []struct {
		path string
		kept int // vertex buffers kept after a frame
	}{{nodeClip(t), 0}, {skinnedBar(t), 1}, {morphCube(t), 1}} {
		load(t, r, c.path)
		frame(t, r, 32, preview.View{Clip: 1, Time: 0.5}.WithPreset(preview.Front))
		var kept int
		if err := r.do(context.Background(), func(e *engine) error {
			for _, md := range e.model.scene.meshes {
				if md.verts != nil {
					kept++
				}
			}
			return nil
		}); err != nil {
			t.Fatal(err)
		}
		if kept != c.kept {
			t.Errorf("%s: %d vertex arrays kept after a frame, want %d", c.path, kept, c.kept)
		}
	}
}

// TestPosedVerticesBounded: past maxPosedVertices the skin stays in its rest pose (nothing
// kept for it), the report says so, and the clip still plays what it can.
func TestPosedVerticesBounded(t *testing.T) {
	defer func(n int) { maxPosedVertices = n }(maxPosedVertices)
	maxPosedVertices = 10
	r := newRenderer(t, 0)
	rep, err := r.Load(context.Background(), skinnedBar(t))
	if err != nil {
		t.Fatal(err)
	}
	said := false
	for _, w := range rep.Warnings {
		said = said || strings.Contains(w, "rest pose")
	}
	if !said {
		t.Errorf("warnings %q do not say the skin stays in its rest pose", rep.Warnings)
	}
	if n := len(rep.Issues); n == 0 || rep.Issues[n-1].Code != inspect.CodeLimit || rep.Issues[n-1].Severity != inspect.SeverityWarning {
		t.Errorf("issues %+v: want the bound as a warning", rep.Issues)
	}
	front := preview.View{}.WithPreset(preview.Front)
	rest := frame(t, r, 48, front)
	front.Clip, front.Time = 1, 0.5
	if d := differing(frame(t, r, 48, front), rest); d != 0 {
		t.Errorf("%d pixels moved: the skin was re-posed past the bound", d)
	}
}

// TestAnimationOddCases: clips moving nodes outside the drawn scene, a skin with a joint
// outside it, a clip of one instant, and times and clips out of range all draw, and never
// crash the renderer.
func TestAnimationOddCases(t *testing.T) {
	doc := skinnedBarDoc(t)
	// Node 4, outside every scene, is the skin's third joint and a second clip's target; a
	// third clip holds the bar bent at one instant.
	doc.Nodes = append(doc.Nodes, &gltf.Node{Name: "stray"})
	doc.Skins[0].Joints = append(doc.Skins[0].Joints, 4)
	id := [4][4]float32{{1, 0, 0, 0}, {0, 1, 0, 0}, {0, 0, 1, 0}, {0, 0, 0, 1}}
	down := [4][4]float32{{1, 0, 0, 0}, {0, 1, 0, -1}, {0, 0, 1, 0}, {0, 0, 0, 1}}
	doc.Skins[0].InverseBindMatrices = gltf.Index(modeler.WriteInverseBindMatrices(doc, [][4][4]float32{id, down, id}))
	addClip(doc, "Stray", 4, gltf.TRSTranslation, gltf.InterpolationStep, []float32{0, 1}, [][3]float32{{0, 0, 0}, {5, 0, 0}})
	s := float32(math.Sqrt(0.5))
	addClip(doc, "Held", 2, gltf.TRSRotation, gltf.InterpolationStep, []float32{0}, [][4]float32{{0, 0, s, s}})
	r := newRenderer(t, 0)
	rep, err := r.Load(context.Background(), save(t, doc, "odd.glb"))
	if err != nil {
		t.Fatal(err)
	}
	if len(rep.Animations) != 3 || rep.Animations[2].Duration != 0 {
		t.Fatalf("clips %+v", rep.Animations)
	}
	front := preview.View{}.WithPreset(preview.Front)
	rest := frame(t, r, 48, front)
	for _, c := range []struct {
		clip  int
		at    float64
		moves bool
	}{
		{1, math.NaN(), false}, {1, math.Inf(-1), false},
		{1, 1e308, false}, {1, -1e308, false}, // whole numbers of the 1 s clip: its start
		{1, 1e9 + 0.5, true},
		{2, 0.5, false}, // a node nobody draws: nothing moves
		{3, 123, true},  // held bent at every time
		{-5, 1, false}, {99, 1, false},
	} {
		v := front
		v.Clip, v.Time = c.clip, c.at
		img, err := r.Render(context.Background(), 48, 48, v)
		if err != nil {
			t.Fatalf("clip %d at %g: %v", c.clip, c.at, err)
		}
		if d := differing(img, rest); (d > 0) != c.moves {
			t.Errorf("clip %d at %g: %d pixels differ from the rest pose; moves: %v", c.clip, c.at, d, c.moves)
		}
	}
}
