package g3n

import (
	"math"

	"github.com/g3n/engine/core"
	"github.com/g3n/engine/geometry"
	"github.com/g3n/engine/gls"
	"github.com/g3n/engine/graphic"
	"github.com/g3n/engine/math32"

	"github.com/kiln3d/kiln/preview"
)

// grid is the ground grid on y = 0 under the model: minor and major lines at the spacing
// preview.GridScale picks from the model's size, and the X and Z axes in colour.
type grid struct {
	root                 *core.Node
	geoms                []*geometry.Geometry
	minor, major, ax, az *lineMaterial
	minorStep, majorStep float64
	reach                float64 // how far from the model's centre the grid goes
}

func newGrid(lo, hi [3]float64) *grid {
	size := math.Max(hi[0]-lo[0], math.Max(hi[1]-lo[1], hi[2]-lo[2]))
	g := &grid{root: core.NewNode(), minor: newLineMaterial(), major: newLineMaterial(),
		ax: newLineMaterial(), az: newLineMaterial()}
	g.minorStep, g.majorStep = preview.GridScale(size)
	// Cover the footprint and as much again around it, in whole major squares.
	cx, cz := (lo[0]+hi[0])/2, (lo[2]+hi[2])/2
	half := math.Max(hi[0]-lo[0], hi[2]-lo[2])
	half = math.Max(half, size/2)
	half = math.Ceil(half/g.majorStep) * g.majorStep
	x0, x1 := snap(cx-half, g.majorStep, math.Floor), snap(cx+half, g.majorStep, math.Ceil)
	z0, z1 := snap(cz-half, g.majorStep, math.Floor), snap(cz+half, g.majorStep, math.Ceil)
	g.reach = math.Hypot(math.Max(x1-cx, cx-x0), math.Max(z1-cz, cz-z0)) + math.Abs(lo[1]) + math.Abs(hi[1])

	var minor, major, axisX, axisZ []float32
	n := int(math.Round((x1 - x0) / g.minorStep))
	for i := 0; i <= n; i++ {
		x := x0 + float64(i)*g.minorStep
		line := []float32{float32(x), 0, float32(z0), float32(x), 0, float32(z1)}
		switch {
		case math.Abs(x) < g.minorStep/2:
			axisZ = append(axisZ, line...)
		case isMultiple(x, g.majorStep):
			major = append(major, line...)
		default:
			minor = append(minor, line...)
		}
	}
	n = int(math.Round((z1 - z0) / g.minorStep))
	for i := 0; i <= n; i++ {
		z := z0 + float64(i)*g.minorStep
		line := []float32{float32(x0), 0, float32(z), float32(x1), 0, float32(z)}
		switch {
		case math.Abs(z) < g.minorStep/2:
			axisX = append(axisX, line...)
		case isMultiple(z, g.majorStep):
			major = append(major, line...)
		default:
			minor = append(minor, line...)
		}
	}
	for _, part := range []struct {
		verts []float32
		mat   *lineMaterial
	}{{minor, g.minor}, {major, g.major}, {axisX, g.ax}, {axisZ, g.az}} {
		if len(part.verts) == 0 {
			continue
		}
		geom := geometry.NewGeometry()
		geom.AddVBO(gls.NewVBO(math32.ArrayF32(part.verts)).AddAttrib(gls.VertexPosition))
		lines := graphic.NewLines(geom, part.mat)
		lines.SetCullable(false)
		g.root.Add(lines)
		g.geoms = append(g.geoms, geom)
	}
	return g
}

func snap(v, step float64, round func(float64) float64) float64 { return round(v/step) * step }

func isMultiple(v, step float64) bool {
	q := v / step
	return math.Abs(q-math.Round(q)) < 1e-6
}

// paint colours the lines for the background: faint, in the background's contrast. With
// supersampling by s, a one-pixel line ends up 1/s of a pixel wide: its alpha makes up for it.
func (g *grid) paint(bg preview.Background, s int) {
	if bg == preview.Light {
		g.minor.color = [4]float32{0, 0, 0, 0.07}
		g.major.color = [4]float32{0, 0, 0, 0.18}
		g.ax.color = [4]float32{0.75, 0.15, 0.15, 0.6}
		g.az.color = [4]float32{0.15, 0.35, 0.8, 0.6}
	} else {
		g.minor.color = [4]float32{1, 1, 1, 0.06}
		g.major.color = [4]float32{1, 1, 1, 0.16}
		g.ax.color = [4]float32{0.9, 0.3, 0.3, 0.55}
		g.az.color = [4]float32{0.35, 0.55, 1, 0.55}
	}
	for _, m := range []*lineMaterial{g.minor, g.major, g.ax, g.az} {
		m.color[3] = min(1, m.color[3]*float32(s))
	}
}

// release frees the grid's GPU buffers.
func (g *grid) release() {
	for _, geom := range g.geoms {
		geom.Dispose()
	}
	g.geoms = nil
}
