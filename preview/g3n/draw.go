package g3n

import (
	"fmt"
	"sort"

	"github.com/g3n/engine/core"
	"github.com/g3n/engine/gls"
	"github.com/g3n/engine/graphic"
)

// g3n's renderer package is not used: it imports g3n's gui, and through it a YAML module
// this build does not carry (go.sum has no hash for gopkg.in/yaml.v2's code). What the
// preview needs of it is small, and is here: programs compiled by name, and a draw of the
// scene's graphics, opaque first, then transparent back to front.

// programs compiles shader programs on first use and switches between them.
type programs struct {
	gs      *gls.GLS
	sources map[string][]programSource
	built   map[string]*gls.Program
	current *gls.Program
}

type programSource struct {
	kind   uint32
	source string
}

func newPrograms(gs *gls.GLS) *programs {
	return &programs{gs: gs, sources: map[string][]programSource{}, built: map[string]*gls.Program{}}
}

// add registers a program; sources alternate shader kind and GLSL text without #version.
func (p *programs) add(name string, parts ...programSource) { p.sources[name] = parts }

// use makes the named program current, compiling it the first time.
func (p *programs) use(name string) error {
	prog, ok := p.built[name]
	if !ok {
		parts, known := p.sources[name]
		if !known {
			return fmt.Errorf("no shader program %q", name)
		}
		prog = p.gs.NewProgram()
		prog.ShowSource = false
		for _, s := range parts {
			prog.AddShader(s.kind, "#version 330 core\n"+s.source)
		}
		if err := prog.Build(); err != nil {
			return fmt.Errorf("shader program %s: %w", name, err)
		}
		p.built[name] = prog
	}
	if prog != p.current {
		p.gs.UseProgram(prog)
		p.current = prog
	}
	return nil
}

// drawList is reused from frame to frame.
type drawList struct {
	opaque, transparent []*graphic.GraphicMaterial
}

// draw renders root's visible graphics seen by cam.
func (e *engine) draw(root core.INode, cam *viewCamera) error {
	root.UpdateMatrixWorld()
	rinfo := core.RenderInfo{ViewMatrix: cam.view, ProjMatrix: cam.proj}
	l := &e.list
	l.opaque, l.transparent = l.opaque[:0], l.transparent[:0]
	var collect func(n core.INode)
	collect = func(n core.INode) {
		if !n.Visible() {
			return
		}
		if igr, ok := n.(graphic.IGraphic); ok && igr.Renderable() {
			gr := igr.GetGraphic()
			gr.CalculateMatrices(e.gs, &rinfo)
			mats := gr.Materials()
			for i := range mats {
				if mats[i].IMaterial().GetMaterial().Transparent() {
					l.transparent = append(l.transparent, &mats[i])
				} else {
					l.opaque = append(l.opaque, &mats[i])
				}
			}
		}
		for _, c := range n.Children() {
			collect(c)
		}
	}
	collect(root)
	// Opaque surfaces grouped by program, to switch programs as little as possible.
	sort.SliceStable(l.opaque, func(i, j int) bool {
		return l.opaque[i].IMaterial().GetMaterial().Shader() < l.opaque[j].IMaterial().GetMaterial().Shader()
	})
	// Transparent ones from the farthest (most negative camera z) to the nearest.
	sort.SliceStable(l.transparent, func(i, j int) bool {
		return l.transparent[i].IGraphic().GetGraphic().ModelViewMatrix()[14] <
			l.transparent[j].IGraphic().GetGraphic().ModelViewMatrix()[14]
	})
	for _, list := range [][]*graphic.GraphicMaterial{l.opaque, l.transparent} {
		for _, gm := range list {
			if err := e.progs.use(gm.IMaterial().GetMaterial().Shader()); err != nil {
				return err
			}
			gm.Render(e.gs, &rinfo)
		}
	}
	// Leave depth writes on, so that the next frame's clear reaches the depth buffer.
	e.gs.DepthMask(true)
	return nil
}
