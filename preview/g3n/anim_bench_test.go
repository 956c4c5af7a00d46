package g3n

import (
	"context"
	"fmt"
	"math"
	"path/filepath"
	"testing"

	"github.com/qmuntal/gltf"
	"github.com/qmuntal/gltf/modeler"

	"github.com/kiln3d/kiln/preview"
	"github.com/kiln3d/kiln/providers/modeltest"
)

// skinnedTube writes a tube 2 m tall of about verts vertices, with normals, skinned to a chain
// of 8 bones (each vertex shared between the two nearest), and a 2 s clip bending every bone.
func skinnedTube(b testing.TB, verts int) string {
	const bones = 8
	around := 64
	rings := max(2, verts/around)
	var pos, nor [][3]float32
	var joints [][4]uint8
	var weights [][4]float32
	for r := range rings {
		y := 2 * float64(r) / float64(rings-1)
		seg := y / 2 * bones // 0…bones along the tube
		j0 := min(int(seg), bones-1)
		j1 := min(j0+1, bones-1)
		f := float32(seg - float64(j0))
		if j1 == j0 { // the top ring: one bone (a joint named twice is an error)
			j1, f = 0, 0
		}
		for a := range around {
			th := 2 * math.Pi * float64(a) / float64(around)
			c, s := math.Cos(th), math.Sin(th)
			pos = append(pos, [3]float32{float32(0.1 * c), float32(y), float32(0.1 * s)})
			nor = append(nor, [3]float32{float32(c), 0, float32(s)})
			joints = append(joints, [4]uint8{uint8(j0), uint8(j1)})
			weights = append(weights, [4]float32{1 - f, f})
		}
	}
	var idx []uint32
	for r := range rings - 1 {
		for a := range around {
			p, q := uint32(r*around+a), uint32(r*around+(a+1)%around)
			idx = append(idx, p, p+uint32(around), q, q, p+uint32(around), q+uint32(around))
		}
	}
	doc := newDoc()
	p := &gltf.Primitive{Attributes: gltf.PrimitiveAttributes{
		gltf.POSITION: modeler.WritePosition(doc, pos), gltf.NORMAL: modeler.WriteNormal(doc, nor),
		gltf.JOINTS_0: modeler.WriteJoints(doc, joints), gltf.WEIGHTS_0: modeler.WriteWeights(doc, weights)},
		Indices: gltf.Index(modeler.WriteIndices(doc, idx))}
	finish(doc, p, matte(0.7, 0.5, 0.3))
	doc.Nodes[0].Skin = gltf.Index(0)
	skin := &gltf.Skin{}
	var ibm [][4][4]float32
	for j := range bones {
		n := len(doc.Nodes)
		node := &gltf.Node{Translation: [3]float64{0, 2.0 / bones, 0}}
		if j == 0 {
			node.Translation = [3]float64{}
			doc.Scenes[0].Nodes = append(doc.Scenes[0].Nodes, n)
		} else {
			doc.Nodes[n-1].Children = []int{n}
		}
		doc.Nodes = append(doc.Nodes, node)
		skin.Joints = append(skin.Joints, n)
		// Row by row, as qmuntal writes them: down to the bone's rest height.
		ibm = append(ibm, [4][4]float32{{1, 0, 0, 0}, {0, 1, 0, -2 * float32(j) / bones}, {0, 0, 1, 0}, {0, 0, 0, 1}})
	}
	skin.InverseBindMatrices = gltf.Index(modeler.WriteInverseBindMatrices(doc, ibm))
	doc.Skins = []*gltf.Skin{skin}
	s := float32(math.Sin(0.1))
	c := float32(math.Cos(0.1))
	anim := &gltf.Animation{Name: "Sway"}
	in := modeler.WriteAccessor(doc, gltf.TargetNone, []float32{0, 1, 2})
	doc.Accessors[in].Min, doc.Accessors[in].Max = []float64{0}, []float64{2}
	out := modeler.WriteAccessor(doc, gltf.TargetNone, [][4]float32{{0, 0, 0, 1}, {0, 0, s, c}, {0, 0, 0, 1}})
	anim.Samplers = []*gltf.AnimationSampler{{Input: in, Output: out}}
	for _, j := range skin.Joints {
		anim.Channels = append(anim.Channels, &gltf.AnimationChannel{Sampler: 0,
			Target: gltf.AnimationChannelTarget{Node: gltf.Index(j), Path: gltf.TRSRotation}})
	}
	doc.Animations = []*gltf.Animation{anim}
	return save(b, doc, fmt.Sprintf("tube%d.glb", verts))
}

// animatedModel is the benchmarks' model by name: a skinned tube, or the corpus's knight
// (skipped without the corpus).
func animatedModel(b *testing.B, name string) string {
	switch name {
	case "tube100k":
		return skinnedTube(b, 100_000)
	case "tube500k":
		return skinnedTube(b, 500_000)
	}
	return filepath.Join(modeltest.CorpusDir(b, "models"), "cge_knight", "knight.gltf")
}

// BenchmarkPose times re-posing a model on the CPU for one frame of a playing clip (a new
// time each op): the skinned tube at 100k and 500k vertices (maxPosedVertices) and the
// corpus's knight; the upload and draw are BenchmarkAnimatedFrame's.
func BenchmarkPose(b *testing.B) {
	for _, name := range []string{"tube100k", "tube500k", "knight"} {
		b.Run(name, func(b *testing.B) {
			s := loadTestScene(b, animatedModel(b, name))
			i := 0
			for b.Loop() {
				i++
				poseCPU(s, 1, float64(i)*0.013)
			}
			n, kept := 0, 0
			for _, d := range s.anim.deformers {
				n += d.vertices()
				kept += d.keptBytes() + 4*len(s.meshes[d.mesh].verts)
			}
			b.ReportMetric(float64(n), "vertices")
			b.ReportMetric(float64(kept)/float64(max(n, 1)), "kept-B/vertex")
		})
	}
}

// BenchmarkAnimatedFrame times whole 512×512 frames of a playing clip, one time step each:
// re-posing, the upload of the re-posed buffers, the draw and the read back.
func BenchmarkAnimatedFrame(b *testing.B) {
	for _, name := range []string{"tube100k", "knight"} {
		b.Run(name, func(b *testing.B) {
			r := newRenderer(b, 0)
			if _, err := r.Load(context.Background(), animatedModel(b, name)); err != nil {
				b.Fatal(err)
			}
			v := preview.DefaultView()
			v.Clip = 1
			frame(b, r, 512, v)
			b.Run("still", func(b *testing.B) {
				for b.Loop() {
					frame(b, r, 512, v)
				}
			})
			b.Run("playing", func(b *testing.B) {
				for b.Loop() {
					v.Time += 0.013
					frame(b, r, 512, v)
				}
			})
		})
	}
}
