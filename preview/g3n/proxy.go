package g3n

import (
	"context"
	"image"
	"math"

	"github.com/g3n/engine/core"
	"github.com/g3n/engine/geometry"
	"github.com/g3n/engine/graphic"
)

// A CPU rasteriser draws a million-triangle scan at about five frames a second: too slow to
// orbit. While the camera moves (View.Moving) such a model is drawn as a proxy instead, a
// coarser copy made by vertex clustering: the vertices are gathered into the cells of a grid
// over each mesh, every cell becomes one vertex, and the triangles whose corners fall in three
// different cells are kept. It is cheap (one pass over the vertices and one over the
// triangles, about 0.15 s of CPU for a million triangles) and keeps the silhouette to within
// a cell, which is all a moving picture needs; the still frame that follows is the model.
//
// The proxy is made on a goroutine of its own once the first frame has drawn the model (so it
// never delays that frame), from the vertex data the first frame uploaded: those are held
// until the proxy is made, then let go as they are for a model without one.

// Variables, so that tests can use small models.
var (
	// proxyAbove is the drawn triangle count above which a model gets a proxy: below it a
	// frame costs little more than the proxy's would.
	proxyAbove = 300_000
	// proxyTarget is about how many triangles a proxy draws: at 60k a 1100×720 moving frame of
	// the 1.1M-triangle bunny takes 25–30 ms on llvmpipe, at 100k 35–55 ms.
	proxyTarget = 60_000
)

const (
	// proxyKeep is the triangle count of a mesh below which the proxy draws it as it is: its
	// share of the cost is small, and clustering a small part would only blur it.
	proxyKeep = 2_000
)

// drawnTriangles counts the triangles a scene draws, each instance counted.
func drawnTriangles(meshes []*meshData, instances []instance) int {
	n := 0
	for _, in := range instances {
		n += len(meshes[in.mesh].indices) / 3
	}
	return n
}

// proxyBuild is a proxy being made off the render thread: the result arrives on done (nil
// meshes mean there is nothing lighter to draw). cancel stops it.
type proxyBuild struct {
	cancel context.CancelFunc
	done   chan []*meshData
}

// startProxy starts making a proxy of meshes as drawn by instances, or returns nil when the
// model is light enough to orbit as it is. The meshData values are copied: the render thread
// lets go of their vertices after the first frame while the copy goes on reading them.
func startProxy(meshes []*meshData, instances []instance) *proxyBuild {
	drawn := drawnTriangles(meshes, instances)
	if drawn <= proxyAbove {
		return nil
	}
	own := make([]meshData, len(meshes))
	for i, m := range meshes {
		own[i] = *m
	}
	ctx, cancel := context.WithCancel(context.Background())
	b := &proxyBuild{cancel: cancel, done: make(chan []*meshData, 1)}
	ratio := float64(proxyTarget) / float64(drawn)
	go func() {
		out := make([]*meshData, len(own))
		lighter := false
		for i := range own {
			if tris := len(own[i].indices) / 3; tris >= proxyKeep {
				out[i] = cluster(ctx, &own[i], max(proxyKeep/2, int(float64(tris)*ratio)))
				lighter = lighter || out[i] != nil
			}
			if ctx.Err() != nil {
				return
			}
		}
		if !lighter {
			out = nil
		}
		b.done <- out
	}()
	return b
}

// cluster returns about target triangles standing for m's, or nil when clustering does not
// make it lighter (or ctx ends). The grid's resolution is guessed from the target, then
// corrected from what the guess gave, at most three times.
func cluster(ctx context.Context, m *meshData, target int) *meshData {
	tris := len(m.indices) / 3
	// A closed surface of n×n×n cells crosses about 2n² of them, each two triangles.
	n := max(4, math.Sqrt(float64(target)/4))
	var best *meshData
	for range 3 {
		c := clusterGrid(ctx, m, int(n))
		if c == nil {
			return nil
		}
		got := len(c.indices) / 3
		if got < tris && (best == nil || abs(got-target) < abs(len(best.indices)/3-target)) {
			best = c
		}
		if got <= target*5/4 && got >= target/2 {
			break
		}
		n = min(1<<20, n*math.Sqrt(float64(target)/float64(max(got, 1))))
	}
	return best
}

func abs(n int) int {
	if n < 0 {
		return -n
	}
	return n
}

// clusterGrid clusters m's vertices on a grid of n cells along its longest side.
func clusterGrid(ctx context.Context, m *meshData, n int) *meshData {
	stride := m.stride()
	verts := len(m.verts) / stride
	size := max(m.hi[0]-m.lo[0], m.hi[1]-m.lo[1], m.hi[2]-m.lo[2])
	if verts == 0 || !(size > 0) || math.IsInf(float64(size), 0) {
		return nil
	}
	cell := size / float32(n)
	cells := make(map[uint64]uint32, min(verts, 4*n*n))
	of := make([]uint32, verts) // each vertex's cluster
	var sum []float64           // the clusters' attributes, summed
	var count []float64
	for v := range verts {
		if v%65536 == 0 && ctx.Err() != nil {
			return nil
		}
		a := m.verts[v*stride : (v+1)*stride]
		var key uint64
		for k := range 3 {
			i := uint64(max(0, min(float32(n), (a[k]-m.lo[k])/cell)))
			key = key<<21 | i
		}
		c, ok := cells[key]
		if !ok {
			c = uint32(len(count))
			cells[key] = c
			sum = append(sum, make([]float64, stride)...)
			count = append(count, 0)
		}
		of[v] = c
		s := sum[int(c)*stride:]
		for k, x := range a {
			s[k] += float64(x)
		}
		count[c]++
	}
	out := &meshData{hasUV: m.hasUV, hasColor: m.hasColor, lo: m.lo, hi: m.hi}
	out.verts = make([]float32, len(sum))
	for c, k := range count {
		s, o := sum[c*stride:(c+1)*stride], out.verts[c*stride:(c+1)*stride]
		for i := range s {
			o[i] = float32(s[i] / k)
		}
		// The summed normal, made unit again (a cluster on a thin edge may sum to nothing).
		l := float32(math.Sqrt(s[3]*s[3] + s[4]*s[4] + s[5]*s[5]))
		if l > 0 {
			o[3], o[4], o[5] = float32(s[3])/l, float32(s[4])/l, float32(s[5])/l
		}
	}
	// Triangles between three clusters, each kept once whatever its corners' order.
	seen := make(map[[3]uint32]struct{}, len(m.indices)/12)
	for t := 0; t+2 < len(m.indices); t += 3 {
		if t%196608 == 0 && ctx.Err() != nil {
			return nil
		}
		a, b, c := of[m.indices[t]], of[m.indices[t+1]], of[m.indices[t+2]]
		if a == b || b == c || a == c {
			continue
		}
		k := [3]uint32{a, b, c}
		// Rotate the smallest first: the same triangle with the same winding has one key.
		switch {
		case b < a && b < c:
			k = [3]uint32{b, c, a}
		case c < a && c < b:
			k = [3]uint32{c, a, b}
		}
		if _, dup := seen[k]; dup {
			continue
		}
		seen[k] = struct{}{}
		out.indices = append(out.indices, a, b, c)
	}
	return out
}

// proxyModel is a finished proxy on the render thread: one mesh per instance of the model,
// each drawn with the model's own surface (the same material and textures), and the proxy's
// geometries, which it alone releases.
type proxyModel struct {
	root  *core.Node
	geoms []*geometry.Geometry
}

// newProxyModel builds the proxy's nodes beside m's: m's root holds one mesh per instance of
// its scene, in order. A mesh the proxy left as it is shares m's geometry. It makes no GL
// calls; the proxy uploads on the first frame that draws it.
func newProxyModel(m *model, meshes []*meshData) *proxyModel {
	s := m.scene
	children := m.root.Children()
	if len(children) != len(s.instances) || len(meshes) != len(s.meshes) {
		return nil
	}
	p := &proxyModel{root: core.NewNode()}
	geoms := make([]*geometry.Geometry, len(meshes))
	for i, md := range meshes {
		if md == nil {
			continue
		}
		g := newGeometry(md, false)
		geoms[i] = g
		p.geoms = append(p.geoms, g)
	}
	for i, in := range s.instances {
		full, ok := children[i].(*graphic.Mesh)
		if !ok {
			p.release()
			return nil
		}
		g := geoms[in.mesh]
		if g == nil {
			g = full.GetGeometry()
		}
		mesh := graphic.NewMesh(g, full.GetMaterial(0))
		world := full.Matrix()
		mesh.SetMatrix(&world)
		mesh.SetCullable(false)
		p.root.Add(mesh)
	}
	return p
}

// release frees the proxy's own geometries (not the model's it shares).
func (p *proxyModel) release() {
	for _, g := range p.geoms {
		g.Dispose()
	}
	p.geoms = nil
	p.root.RemoveAll(true)
}

// proxyState is the engine's proxy of its current model.
type proxyState struct {
	// wanted says the model was loaded to be looked around (Renderer.Load), not drawn for
	// one picture: only then is a proxy worth its making.
	wanted bool
	build  *proxyBuild
	model  *proxyModel
}

// startProxy starts making the current model's proxy, if it wants one, once its first frame
// is drawn: the vertex data are still there (dropVertices comes next). An animated model gets
// none: its vertices move with the clip, a proxy's would not.
func (e *engine) startProxy() {
	p := &e.proxy
	m := e.model
	if !p.wanted || m.uploaded || p.build != nil || p.model != nil {
		return
	}
	if r := m.scene.report; r != nil && len(r.Animations) > 0 {
		return
	}
	p.build = startProxy(m.scene.meshes, m.scene.instances)
}

// useProxy shows the proxy instead of the model while the camera moves, once it is made.
func (e *engine) useProxy(moving bool) {
	p := &e.proxy
	if p.build != nil {
		select {
		case meshes := <-p.build.done:
			p.build = nil
			if meshes != nil {
				if p.model = newProxyModel(e.model, meshes); p.model != nil {
					e.root.Add(p.model.root)
				}
			}
		default:
		}
	}
	if p.model == nil {
		return
	}
	e.model.root.SetVisible(!moving)
	p.model.root.SetVisible(moving)
}

// releaseProxy stops a proxy being made and frees a finished one, before a model switch.
func (e *engine) releaseProxy() {
	p := &e.proxy
	if p.build != nil {
		p.build.cancel()
	}
	if p.model != nil {
		e.root.Remove(p.model.root)
		p.model.release()
	}
	*p = proxyState{}
}

// movingHalfAbove is the frame size, in pixels, above which a moving frame is drawn at half
// the size each way and enlarged: a CPU rasteriser's cost grows with the pixels shaded, and at a
// window's size (1100×720) the lighting of each pixel costs more than a proxy's triangles.
const movingHalfAbove = 640 * 480

// upscale2 enlarges img twice each way, with bilinear weights, cropped to w×h (img is at least
// half of each). Each output pixel lies a quarter pixel from its source's centre: 3/4 of it and
// 1/4 of the neighbour on that side, along each axis.
func upscale2(img *image.RGBA, w, h int) *image.RGBA {
	sw, sh := img.Rect.Dx(), img.Rect.Dy()
	out := image.NewRGBA(image.Rect(0, 0, w, h))
	// near and far are the source rows (or columns) an output row (or column) mixes, 3:1.
	pair := func(o, n int) (near, far int) {
		near = o / 2
		far = near - 1 + 2*(o%2)
		return near, min(max(far, 0), n-1)
	}
	cols := make([][2]int, w)
	for x := range cols {
		n, f := pair(x, sw)
		cols[x] = [2]int{4 * n, 4 * f}
	}
	mix := make([]uint16, 4*sw) // a row mixed from two source rows, times 4
	for y := range h {
		ny, fy := pair(y, sh)
		rn, rf := img.Pix[ny*img.Stride:ny*img.Stride+4*sw], img.Pix[fy*img.Stride:fy*img.Stride+4*sw]
		for i := range mix {
			mix[i] = 3*uint16(rn[i]) + uint16(rf[i])
		}
		o := out.Pix[y*out.Stride : y*out.Stride+4*w]
		for x, c := range cols {
			n, f := mix[c[0]:c[0]+4], mix[c[1]:c[1]+4]
			p := o[4*x : 4*x+4]
			p[0] = byte((3*uint32(n[0]) + uint32(f[0]) + 8) / 16)
			p[1] = byte((3*uint32(n[1]) + uint32(f[1]) + 8) / 16)
			p[2] = byte((3*uint32(n[2]) + uint32(f[2]) + 8) / 16)
			p[3] = byte((3*uint32(n[3]) + uint32(f[3]) + 8) / 16)
		}
	}
	return out
}

// movingTarget is the framebuffer of frames drawn while the camera moves: the same size as a
// still frame, without multisampling.
func (e *engine) movingTarget() *target {
	if e.target.samples == 0 {
		return &e.target
	}
	e.moving.x = e.x
	return &e.moving
}
