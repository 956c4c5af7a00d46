package g3n

import (
	"math"
	"runtime"
	"slices"
	"sort"
	"sync"

	"github.com/qmuntal/gltf"

	"github.com/kiln3d/kiln/preview/inspect"
)

// The preview plays a model's clips on the CPU: each frame samples the clip's tracks at the
// view's time, recomposes the moved nodes' transforms, gives the meshes they carry new
// matrices, and re-poses the vertices of skinned and morphed primitives, whose buffers are then
// uploaded again. Only what some clip deforms keeps its source vertices; the rest of the model
// is uploaded once and dropped, as a static model is.

// maxPosedVertices bounds the vertices re-posed on the CPU each frame (all clips' deformed
// primitives together), and so a frame's work and the memory their sources hold (about 130
// bytes a vertex): BenchmarkPose re-poses 100k skinned vertices in 2 to 18 ms and 500k in 9
// to 70 ms on two cores shared with other builds (the spread is their load), before the
// upload. Past it, the remaining
// skinned and morphed primitives stay in the rest pose while node transforms still play, and
// the report says so.
var maxPosedVertices = 500_000

// animator poses a scene at a time in one of its clips.
type animator struct {
	clips  []animClip
	parent []int
	// rest are the nodes' world matrices in the file's pose (nil outside the scene);
	// restTRS their transforms, restWeights their morph weights (nil without morphs).
	rest        []*[16]float64
	restTRS     []nodeTRS
	restWeights [][]float64
	skins       map[int]*skinData
	skinMoved   map[int]bool
	rigid       []rigidPart
	deformers   []*deformer

	// The pose now: which clip at which time, each moved node's transform and world matrix
	// (valid where moved is set), each morph-animated node's weights.
	clip     int // 0: the rest pose
	time     float64
	moved    []bool
	posed    []nodeTRS
	world    [][16]float64
	weights  [][]float64
	animated []bool // weights[n] is this clip's
	skinMats map[int][][16]float64
	// order lists the drawn scene's nodes, each after its parent; movedAny and morphedAny
	// mark the nodes some clip moves (or one above them) and whose weights it animates; mark
	// is scratch for working out one clip's.
	order                []int
	movedAny, morphedAny []bool
	mark                 []bool
	stamp                []int // per part, the pose that last touched it
	poses                int   // counts the poses computed, for tests
}

// nodeTRS is a node's local transform: translation, rotation and scale, or a fixed matrix.
type nodeTRS struct {
	t      [3]float64
	r      [4]float64
	s      [3]float64
	matrix *[16]float64
}

func (n *nodeTRS) local() [16]float64 {
	if n.matrix != nil {
		return *n.matrix
	}
	return inspect.Compose(n.t, n.r, n.s)
}

// animClip is one clip: its tracks and the parts it moves.
type animClip struct {
	tracks   []inspect.Track
	duration float64
	prepared bool // order and parts worked out
	// order lists the nodes it moves (targeted, or below a targeted one), parents first.
	order []int
	// parts lists the rigid parts (index i) and deformers (index len(rigid)+i) it moves.
	parts []int
}

// rigidPart is a drawn instance whose node some clip moves: it gets a new matrix.
type rigidPart struct{ instance, node int }

// newAnimator reads the document's clips; nil when it has none that can play. What each clip
// moves is worked out when it first plays: a file of many clips costs their channels at load,
// not their number times the node count.
func newAnimator(doc *gltf.Document, worlds []*[16]float64) *animator {
	all, _ := inspect.Clips(doc) // the damaged channels are inspect's to report
	clips := make([]animClip, len(all))
	playable := false
	for i, tracks := range all {
		clips[i] = animClip{tracks: tracks, duration: inspect.Duration(tracks)}
		playable = playable || len(tracks) > 0
	}
	if !playable {
		return nil
	}
	n := len(doc.Nodes)
	a := &animator{clips: clips, parent: inspect.Parents(doc), rest: worlds, restTRS: make([]nodeTRS, n),
		restWeights: make([][]float64, n), skins: map[int]*skinData{}, skinMoved: map[int]bool{}, skinMats: map[int][][16]float64{},
		moved: make([]bool, n), posed: make([]nodeTRS, n), world: make([][16]float64, n),
		weights: make([][]float64, n), animated: make([]bool, n), movedAny: make([]bool, n),
		morphedAny: make([]bool, n), mark: make([]bool, n)}
	for i, node := range doc.Nodes {
		r := &a.restTRS[i]
		r.t, r.r, r.s = node.TranslationOrDefault(), node.RotationOrDefault(), node.ScaleOrDefault()
		if node.Matrix != [16]float64{} && node.Matrix != inspect.Identity {
			m := node.Matrix
			r.matrix = &m
		}
		if node.Mesh != nil {
			if w := node.Weights; len(w) > 0 {
				a.restWeights[i] = w
			} else {
				a.restWeights[i] = doc.Meshes[*node.Mesh].Weights
			}
		}
	}
	// What some clip moves: the nodes it targets and those below them, in the scene.
	for _, c := range a.clips {
		for _, t := range c.tracks {
			if t.Path == gltf.TRSWeights {
				a.morphedAny[t.Node] = true
			} else {
				a.mark[t.Node] = true
			}
		}
	}
	a.order = a.sceneOrder(doc)
	for _, nd := range a.order {
		p := a.parent[nd]
		a.movedAny[nd] = a.mark[nd] || (p >= 0 && a.movedAny[p])
	}
	clear(a.mark)
	return a
}

// prepare works out what clip ci moves, the first time it plays: its moved nodes (targeted,
// or below a targeted one) parents first, and the parts they carry.
func (a *animator) prepare(ci int) {
	c := &a.clips[ci]
	if c.prepared {
		return
	}
	c.prepared = true
	morphed := map[int]bool{}
	for _, t := range c.tracks {
		if t.Path == gltf.TRSWeights {
			morphed[t.Node] = true
		} else {
			a.mark[t.Node] = true
		}
	}
	for _, nd := range a.order {
		if p := a.parent[nd]; a.mark[nd] || (p >= 0 && a.mark[p]) {
			a.mark[nd] = true
			c.order = append(c.order, nd)
		}
	}
	for i, r := range a.rigid {
		if a.mark[r.node] {
			c.parts = append(c.parts, i)
		}
	}
	skinMoved := map[int]bool{}
	for i, sd := range a.skins {
		if sd == nil {
			continue
		}
		for _, j := range sd.joints {
			if j >= 0 && j < len(a.mark) && a.mark[j] {
				skinMoved[i] = true
				break
			}
		}
	}
	for i, d := range a.deformers {
		if morphed[d.node] || (d.skin >= 0 && skinMoved[d.skin]) {
			c.parts = append(c.parts, len(a.rigid)+i)
		}
	}
	clear(a.mark)
}

// sceneOrder lists the nodes of the drawn scene, each after its parent.
func (a *animator) sceneOrder(doc *gltf.Document) []int {
	var order []int
	for i, w := range a.rest {
		if w != nil && (a.parent[i] < 0 || a.rest[a.parent[i]] == nil) {
			order = append(order, i)
		}
	}
	for k := 0; k < len(order); k++ {
		for _, c := range doc.Nodes[order[k]].Children {
			if a.rest[c] != nil {
				order = append(order, c)
			}
		}
	}
	return order
}

// movesNode says some clip moves node n (its transform, or one above it).
func (a *animator) movesNode(n int) bool { return n >= 0 && n < len(a.movedAny) && a.movedAny[n] }

// morphs says some clip animates node n's morph weights.
func (a *animator) morphs(n int) bool { return n >= 0 && n < len(a.morphedAny) && a.morphedAny[n] }

// skin reads skin i once; nil when it cannot be read (the load reports that).
func (a *animator) skin(doc *gltf.Document, i int) *skinData {
	if sd, ok := a.skins[i]; ok {
		return sd
	}
	sd, err := readSkin(doc, i)
	if err != nil {
		sd = nil
	}
	a.skins[i] = sd
	return sd
}

// skinMoves says some clip moves one of skin i's joints; worked out once per skin, however
// many nodes it skins.
func (a *animator) skinMoves(doc *gltf.Document, i int) bool {
	if moves, ok := a.skinMoved[i]; ok {
		return moves
	}
	moves := false
	if sd := a.skin(doc, i); sd != nil {
		for _, j := range sd.joints {
			moves = moves || a.movesNode(j)
		}
	}
	a.skinMoved[i] = moves
	return moves
}

// finish readies the pose's bookkeeping once the scene's parts are known.
func (a *animator) finish() {
	a.stamp = make([]int, len(a.rigid)+len(a.deformers))
}

// clipTime is where time t falls in clip (1-based; 0 or out of range: the rest pose), wrapped
// around the clip's duration.
func (a *animator) clipTime(clip int, t float64) (int, float64) {
	if clip < 1 || clip > len(a.clips) {
		return 0, 0
	}
	d := a.clips[clip-1].duration
	if !(d > 0) || math.IsNaN(t) || math.IsInf(t, 0) {
		return clip, 0
	}
	t = math.Mod(t, d)
	if t < 0 {
		t += d
	}
	return clip, t
}

// pose computes the pose at time t of clip and calls apply for each part whose pose changed
// (the parts the previous clip moved, back to rest, and those this one moves). It does nothing
// when the clip and time are those of the last pose.
func (a *animator) pose(clip int, t float64, rigid func(r rigidPart, world *[16]float64), deform func(d *deformer, weights []float64, skin [][16]float64)) {
	clip, t = a.clipTime(clip, t)
	if clip == a.clip && t == a.time {
		return
	}
	a.poses++
	prev := a.clip
	if prev > 0 {
		pc := &a.clips[prev-1]
		for _, nd := range pc.order {
			a.moved[nd] = false
		}
		for _, tr := range pc.tracks {
			a.animated[tr.Node] = false
		}
	}
	a.clip, a.time = clip, t
	var touched []int
	if prev > 0 {
		touched = append(touched, a.clips[prev-1].parts...)
	}
	if clip > 0 {
		a.prepare(clip - 1)
		c := &a.clips[clip-1]
		for _, nd := range c.order {
			a.posed[nd] = a.restTRS[nd]
		}
		var v [32]float64
		for i := range c.tracks {
			tr := &c.tracks[i]
			out := v[:min(tr.Width, len(v))]
			if tr.Path == gltf.TRSWeights {
				if len(a.weights[tr.Node]) != tr.Width {
					a.weights[tr.Node] = make([]float64, tr.Width)
				}
				out = a.weights[tr.Node]
			}
			sample(tr, t, out)
			p := &a.posed[tr.Node]
			switch tr.Path {
			case gltf.TRSTranslation:
				p.t = [3]float64(out)
			case gltf.TRSRotation:
				p.r = [4]float64(out)
			case gltf.TRSScale:
				p.s = [3]float64(out)
			case gltf.TRSWeights:
				a.animated[tr.Node] = true
			}
		}
		for _, nd := range c.order {
			parent := &inspect.Identity
			if p := a.parent[nd]; p >= 0 && a.worldOf(p) != nil {
				parent = a.worldOf(p)
			}
			a.world[nd] = inspect.Mul(*parent, a.posed[nd].local())
			a.moved[nd] = true
		}
		touched = append(touched, c.parts...)
	}
	stamp := a.poses
	for _, i := range touched {
		if a.stamp[i] == stamp {
			continue // moved by both clips
		}
		a.stamp[i] = stamp
		if i < len(a.rigid) {
			r := a.rigid[i]
			rigid(r, a.worldOf(r.node))
			continue
		}
		d := a.deformers[i-len(a.rigid)]
		w := a.restWeights[d.node]
		if a.animated[d.node] {
			w = a.weights[d.node]
		}
		var skin [][16]float64
		if sd := a.skins[d.skin]; d.skin >= 0 && sd != nil {
			skin = a.skinMats[d.skin]
			if len(skin) != len(sd.joints) {
				skin = make([][16]float64, len(sd.joints))
				a.skinMats[d.skin] = skin
			}
			sd.matrices(func(n int) *[16]float64 {
				if n < len(a.rest) {
					return a.worldOf(n)
				}
				return nil
			}, skin)
		}
		deform(d, w, skin)
	}
}

// worldOf is node n's world matrix in the current pose.
func (a *animator) worldOf(n int) *[16]float64 {
	if a.moved[n] {
		return &a.world[n]
	}
	return a.rest[n]
}

// sample writes track tr's value at time t into out (tr.Width values): held before the first
// keyframe and after the last, and between two keyframes stepped, interpolated linearly
// (rotations along the shorter great arc) or by the cubic Hermite spline of their tangents.
// Rotations come out unit length.
func sample(tr *inspect.Track, t float64, out []float64) {
	w, n := tr.Width, len(tr.Times)
	cubic := tr.Interpolation == gltf.InterpolationCubicSpline
	if n == 0 || len(out) < w {
		return
	}
	// value k's group of w floats: in a cubic spline, the middle of in-tangent, value,
	// out-tangent.
	group := func(k, part int) []float32 {
		if cubic {
			return tr.Values[(3*k+part)*w : (3*k+part+1)*w]
		}
		return tr.Values[k*w : (k+1)*w]
	}
	rotation := tr.Path == gltf.TRSRotation
	i := sort.Search(n, func(i int) bool { return float64(tr.Times[i]) > t })
	switch i {
	case 0:
		copyFloats(out, group(0, 1))
	case n:
		copyFloats(out, group(n-1, 1))
	default:
		k0, k1 := i-1, i
		t0, t1 := float64(tr.Times[k0]), float64(tr.Times[k1])
		td := t1 - t0
		u := (t - t0) / td
		switch tr.Interpolation {
		case gltf.InterpolationStep:
			copyFloats(out, group(k0, 1))
		case gltf.InterpolationCubicSpline:
			p0, m0, p1, m1 := group(k0, 1), group(k0, 2), group(k1, 1), group(k1, 0)
			u2, u3 := u*u, u*u*u
			h00, h10, h01, h11 := 2*u3-3*u2+1, u3-2*u2+u, -2*u3+3*u2, u3-u2
			for c := range w {
				out[c] = h00*float64(p0[c]) + h10*td*float64(m0[c]) + h01*float64(p1[c]) + h11*td*float64(m1[c])
			}
		default:
			a, b := group(k0, 1), group(k1, 1)
			if rotation {
				slerp(out, a, b, u)
				return
			}
			for c := range w {
				out[c] = float64(a[c]) + u*(float64(b[c])-float64(a[c]))
			}
		}
	}
	if rotation {
		normalizeQuat(out)
	}
}

func copyFloats(out []float64, v []float32) {
	for c, x := range v {
		out[c] = float64(x)
	}
}

// slerp interpolates unit quaternions a and b by u along the shorter arc between them.
func slerp(out []float64, a, b []float32, u float64) {
	var qa, qb [4]float64
	var dot float64
	for c := range 4 {
		qa[c], qb[c] = float64(a[c]), float64(b[c])
		dot += qa[c] * qb[c]
	}
	if dot < 0 { // q and −q are one rotation: take the nearer
		for c := range 4 {
			qb[c] = -qb[c]
		}
		dot = -dot
	}
	wa, wb := 1-u, u
	if dot < 0.9995 { // else nearly equal: a straight blend is as good, and sin θ is tiny
		theta := math.Acos(min(dot, 1))
		s := math.Sin(theta)
		wa, wb = math.Sin((1-u)*theta)/s, math.Sin(u*theta)/s
	}
	for c := range 4 {
		out[c] = wa*qa[c] + wb*qb[c]
	}
	normalizeQuat(out)
}

// normalizeQuat makes q unit length; a zero quaternion becomes no rotation.
func normalizeQuat(q []float64) {
	l := math.Sqrt(q[0]*q[0] + q[1]*q[1] + q[2]*q[2] + q[3]*q[3])
	if !(l > 1e-12) {
		q[0], q[1], q[2], q[3] = 0, 0, 0, 1
		return
	}
	for c := range 4 {
		q[c] /= l
	}
}

// deformer is one skinned or morphed primitive that a clip deforms: what re-posing needs.
type deformer struct {
	mesh, node int // the scene's mesh (its vertex buffer) and the node drawing it
	skin       int // −1 when not skinned
	// base and baseNormals are the file's vertices (baseNormals nil when it has none: they are
	// computed from the posed triangles); targets its morph targets; joints and weights its
	// skinning (nil when not skinned).
	base, baseNormals [][3]float32
	targets           []morphTarget
	joints            [][4]uint16
	weights           [][4]float32
	indices           []uint32
	pos, normals      [][3]float32 // the pose being built
}

// newDeformer keeps what re-posing primitive p needs: copies of its vertices (pos and normals
// are posed in place afterwards), every morph target, and its joints and weights when skinned.
func newDeformer(doc *gltf.Document, p *gltf.Primitive, pos, normals [][3]float32, skinned bool) (*deformer, error) {
	d := &deformer{skin: -1, base: slices.Clone(pos), baseNormals: slices.Clone(normals),
		pos: make([][3]float32, len(pos)), normals: make([][3]float32, len(pos))}
	for t := range p.Targets {
		tg, err := readTarget(doc, p, t, len(pos), normals != nil)
		if err != nil {
			return nil, err
		}
		d.targets = append(d.targets, tg)
	}
	if skinned {
		var err error
		if d.joints, d.weights, err = readSkinning(doc, p, len(pos)); err != nil {
			return nil, err
		}
	}
	return d, nil
}

// deform poses vertices [lo, hi) into pos and normals (normals nil: not wanted): the base
// displaced by the morph targets' weights, then skinned by the joint matrices (nil: not
// skinned).
func (d *deformer) deform(weights []float64, skin [][16]float64, pos, normals [][3]float32, lo, hi int) {
	copy(pos[lo:hi], d.base[lo:hi])
	if normals != nil && d.baseNormals != nil {
		copy(normals[lo:hi], d.baseNormals[lo:hi])
	} else {
		normals = nil
	}
	for t, tg := range d.targets {
		if t >= len(weights) || weights[t] == 0 {
			continue
		}
		w := float32(weights[t])
		addScaled(pos, tg.pos, w, lo, hi)
		if normals != nil {
			addScaled(normals, tg.normals, w, lo, hi)
		}
	}
	if skin != nil {
		skinVertices(d.joints, d.weights, skin, pos, normals, lo, hi)
	}
}

// repose poses every vertex and writes positions and normals into the interleaved vertex
// buffer verts (stride floats a vertex), in parallel chunks on the machine's cores.
func (d *deformer) repose(weights []float64, skin [][16]float64, verts []float32, stride int) {
	n := len(d.base)
	if len(verts) < n*stride || stride < 6 {
		return
	}
	const chunk = 16384 // vertices per goroutine: big enough that starting one is noise
	workers := min(runtime.GOMAXPROCS(0), (n+chunk-1)/chunk)
	run := func(lo, hi int) {
		d.deform(weights, skin, d.pos, d.normals, lo, hi)
		if d.baseNormals == nil {
			return // written below, once the whole shape is posed
		}
		for i := lo; i < hi; i++ {
			v := verts[i*stride : i*stride+6]
			v[0], v[1], v[2] = d.pos[i][0], d.pos[i][1], d.pos[i][2]
			v[3], v[4], v[5] = d.normals[i][0], d.normals[i][1], d.normals[i][2]
		}
	}
	if workers <= 1 {
		run(0, n)
	} else {
		var wg sync.WaitGroup
		per := (n + workers - 1) / workers
		for lo := 0; lo < n; lo += per {
			wg.Go(func() { run(lo, min(lo+per, n)) })
		}
		wg.Wait()
	}
	if d.baseNormals == nil {
		normals := computeNormals(d.pos, d.indices)
		for i := range n {
			v := verts[i*stride : i*stride+6]
			v[0], v[1], v[2] = d.pos[i][0], d.pos[i][1], d.pos[i][2]
			v[3], v[4], v[5] = normals[i][0], normals[i][1], normals[i][2]
		}
	}
}

// vertices counts what re-posing the deformer costs.
func (d *deformer) vertices() int { return len(d.base) }

// keptBytes is the memory the deformer holds (the vertex buffer it writes aside).
func (d *deformer) keptBytes() int {
	n := 12 * (len(d.base) + len(d.baseNormals) + len(d.pos) + len(d.normals))
	for _, t := range d.targets {
		n += 12 * (len(t.pos) + len(t.normals))
	}
	return n + 8*len(d.joints) + 16*len(d.weights) + 4*len(d.indices)
}
