package g3n

import (
	"github.com/g3n/engine/core"
	"github.com/g3n/engine/geometry"
	"github.com/g3n/engine/gls"
	"github.com/g3n/engine/graphic"
	"github.com/g3n/engine/math32"
)

// model is a scene handed to g3n: the nodes that draw it and the GPU objects to release.
// Geometry and textures are uploaded lazily, on the first frame that draws them.
//
// The model owns its geometries and textures outright and releases each exactly once, rather
// than through g3n's reference counts on meshes and materials (an instanced geometry is
// shared by several meshes, which would each need an Incref to keep the counts balanced).
type model struct {
	scene    *scene
	root     *core.Node
	geoms    []*geometry.Geometry
	textures []*gpuTexture
	surfaces []*surface
	meshes   []*graphic.Mesh // one per scene instance, in its order
	// posed marks the scene's meshes a clip deforms: their vertex buffers stay on the CPU,
	// re-posed and uploaded again as the clip plays.
	posed    []bool
	uploaded bool // drawn once: the vertex data lives in the driver now
}

// newModel builds the g3n nodes for s. It makes no GL calls itself.
func newModel(s *scene, look *frameLook) *model {
	m := &model{scene: s, root: core.NewNode()}
	texs := make([]*gpuTexture, len(s.textures))
	for i, td := range s.textures {
		if td == nil {
			continue
		}
		texs[i] = &gpuTexture{data: td}
		m.textures = append(m.textures, texs[i])
	}
	s.textures = nil // the gpuTextures hold them until they are uploaded
	geoms := make([]*geometry.Geometry, len(s.meshes))
	m.posed = make([]bool, len(s.meshes))
	if s.anim != nil {
		for _, d := range s.anim.deformers {
			m.posed[d.mesh] = true
		}
	}
	for i, md := range s.meshes {
		g := newGeometry(md, m.posed[i])
		geoms[i] = g
		m.geoms = append(m.geoms, g)
	}
	type key struct {
		material        int
		color, mirrored bool
	}
	surfaces := map[key]*surface{}
	for _, in := range s.instances {
		md := s.meshes[in.mesh]
		k := key{in.material, md.hasColor, in.mirrored()}
		surf, ok := surfaces[k]
		if !ok {
			d := neutral()
			if in.material >= 0 {
				d = s.materials[in.material]
			}
			// A map needs the mesh's UVs to be read; without them the factors alone draw.
			var tex [mapCount]*gpuTexture
			for i, ref := range d.maps {
				if ref.slot >= 0 && md.hasUV {
					tex[i] = texs[ref.slot]
				}
			}
			surf = newSurface(d, tex, md.hasColor, md.hasUV, k.mirrored, look)
			surfaces[k] = surf
			m.surfaces = append(m.surfaces, surf)
		}
		mesh := graphic.NewMesh(geoms[in.mesh], surf)
		var world math32.Matrix4
		for e, v := range in.world {
			world[e] = float32(v)
		}
		mesh.SetMatrix(&world)
		// The camera frames the whole model, so culling would only cost a bounding box per
		// mesh per frame (computed from the vertex data on first use).
		mesh.SetCullable(false)
		m.root.Add(mesh)
		m.meshes = append(m.meshes, mesh)
	}
	return m
}

// pose shows the model t seconds into clip (1-based; 0 the rest pose), as preview.View's Clip
// and Time say: the moved meshes get new matrices, the deformed ones new vertices, uploaded
// with the next draw. The same clip and time again cost nothing.
func (m *model) pose(clip int, t float64) {
	a := m.scene.anim
	if a == nil {
		return
	}
	a.pose(clip, t, func(r rigidPart, world *[16]float64) {
		var w math32.Matrix4
		for e, v := range world {
			w[e] = float32(v)
		}
		m.meshes[r.instance].SetMatrix(&w)
	}, func(d *deformer, weights []float64, skin [][16]float64) {
		vbo := m.geoms[d.mesh].VBOs()[0]
		d.repose(weights, skin, *vbo.Buffer(), m.scene.meshes[d.mesh].stride())
		vbo.Update()
	})
}

// setShader switches every surface to the program named (shaded or with wireframe).
func (m *model) setShader(name string) {
	for _, s := range m.surfaces {
		s.SetShader(name)
	}
}

// dropVertices lets go of the vertex data once a frame has drawn every mesh, and with it
// uploaded them: the driver keeps its copy, and a large model would otherwise be held twice.
// (g3n's VBOs skip their transfer when their buffer is empty; the indices stay, g3n counts
// them to draw.)
func (m *model) dropVertices() {
	if m.uploaded {
		return
	}
	m.uploaded = true
	for i, g := range m.geoms {
		if m.posed[i] {
			continue
		}
		for _, vbo := range g.VBOs() {
			vbo.SetBuffer(nil)
		}
		m.scene.meshes[i].verts = nil
	}
}

// release frees the model's GPU objects; the model is not drawn again.
func (m *model) release() {
	for _, g := range m.geoms {
		g.Dispose()
	}
	for _, t := range m.textures {
		t.release()
	}
	m.geoms, m.textures, m.surfaces = nil, nil, nil
	m.root.RemoveAll(true)
}

// newGeometry makes the g3n geometry of one mesh, its interleaved vertices in one VBO (drawn
// anew each time a clip re-poses it when dynamic). It makes no GL calls.
func newGeometry(md *meshData, dynamic bool) *geometry.Geometry {
	g := geometry.NewGeometry()
	vbo := gls.NewVBO(math32.ArrayF32(md.verts))
	if dynamic {
		vbo.SetUsage(gls.DYNAMIC_DRAW)
	}
	vbo.AddAttrib(gls.VertexPosition).AddAttrib(gls.VertexNormal)
	if md.hasUV {
		vbo.AddAttrib(gls.VertexTexcoord)
	}
	if md.hasColor {
		vbo.AddAttrib(gls.VertexColor)
	}
	g.AddVBO(vbo)
	g.SetIndices(math32.ArrayU32(md.indices))
	return g
}
