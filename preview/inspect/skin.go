package inspect

import (
	"fmt"
	"math"

	"github.com/qmuntal/gltf"

	"github.com/kiln3d/kiln/providers/geom/gltfdoc"
)

// checkSkinning checks each skinned primitive's joints and weights per vertex, as the
// validator does: every joint with weight must exist in the skin that draws it and be named once,
// weights may not be negative and must sum to 1 (in single precision, within 2·10⁻⁷ per weight
// counted), and a joint given without weight is a warning. It reads only primitives a node
// draws with a skin: the one place joints mean anything.
func checkSkinning(c *checker, doc *gltf.Document) {
	type key struct{ mesh, prim int }
	done := map[key]bool{}
	for _, n := range doc.Nodes {
		if n.Mesh == nil || n.Skin == nil {
			continue
		}
		joints := len(doc.Skins[*n.Skin].Joints)
		for pi, p := range doc.Meshes[*n.Mesh].Primitives {
			k := key{*n.Mesh, pi}
			if done[k] {
				continue
			}
			done[k] = true
			var sets [][2]*gltf.Accessor
			for s := 0; ; s++ {
				ja, ok1 := p.Attributes[fmt.Sprintf("JOINTS_%d", s)]
				wa, ok2 := p.Attributes[fmt.Sprintf("WEIGHTS_%d", s)]
				if !ok1 || !ok2 {
					break
				}
				sets = append(sets, [2]*gltf.Accessor{doc.Accessors[ja], doc.Accessors[wa]})
			}
			if len(sets) > 0 {
				skinVertices(c, doc, fmt.Sprintf("/meshes/%d/primitives/%d/attributes", *n.Mesh, pi), fmt.Sprintf("mesh %d primitive %d", *n.Mesh, pi), sets, joints)
			}
		}
	}
}

// element gives accessor a's element i, component k, as its value (normalized integers
// scaled to 0..1); a has data and i is in range (checkDocument).
func element(doc *gltf.Document, a *gltf.Accessor, i, k int) float64 {
	if a.BufferView == nil {
		return 0
	}
	bv := doc.BufferViews[*a.BufferView]
	size := a.ComponentType.ByteSize()
	stride := bv.ByteStride
	if stride == 0 {
		stride = size * a.Type.Components()
	}
	v := gltfdoc.Component(doc.Buffers[bv.Buffer].Data[bv.ByteOffset+a.ByteOffset+i*stride+k*size:], a.ComponentType)
	if a.Normalized {
		switch a.ComponentType {
		case gltf.ComponentUbyte:
			v /= 255
		case gltf.ComponentUshort:
			v /= 65535
		}
	}
	return v
}

func skinVertices(c *checker, doc *gltf.Document, at, where string, sets [][2]*gltf.Accessor, joints int) {
	var oob, dup, negative, unnormalized, zero int
	firstOOB, firstDup, firstNeg, firstSum, firstZero := -1, -1, -1, -1, -1
	var badJoint int
	var badSum float64
	count := sets[0][0].Count
	used := make([]int, 0, 4*len(sets))
	for i := range count {
		var sum float32
		var tolerance float64
		used = used[:0]
		for _, s := range sets {
			for k := range 4 {
				j, w := element(doc, s[0], i, k), element(doc, s[1], i, k)
				switch {
				case int(j) >= joints:
					if oob == 0 {
						firstOOB, badJoint = i, int(j)
					}
					oob++
					continue
				case w == 0 && j != 0:
					if zero == 0 {
						firstZero = i
					}
					zero++
					continue
				case w == 0:
					continue
				}
				seen := false
				for _, u := range used {
					seen = seen || u == int(j)
				}
				if seen {
					if dup == 0 {
						firstDup = i
					}
					dup++
				} else {
					used = append(used, int(j))
				}
				if w < 0 {
					if negative == 0 {
						firstNeg = i
					}
					negative++
				} else if !seen {
					sum = float32(float64(sum) + w)
					tolerance += 2e-7
				}
			}
		}
		if math.Abs(float64(sum)-1) > tolerance {
			if unnormalized == 0 {
				firstSum, badSum = i, float64(sum)
			}
			unnormalized++
		}
	}
	if oob > 0 {
		c.errorf("ACCESSOR_JOINTS_INDEX_OOB", at+"/JOINTS_0", "%s: vertex %d is bound to joint %d, but its skin has %d joints (%d such bindings)", where, firstOOB, badJoint, joints, oob)
	}
	if dup > 0 {
		c.errorf("ACCESSOR_JOINTS_INDEX_DUPLICATE", at+"/JOINTS_0", "%s: vertex %d names one joint twice (%d such vertices)", where, firstDup, dup)
	}
	if negative > 0 {
		c.errorf("ACCESSOR_WEIGHTS_NEGATIVE", at+"/WEIGHTS_0", "%s: vertex %d has a negative skin weight (%d such weights)", where, firstNeg, negative)
	}
	if unnormalized > 0 {
		c.errorf("ACCESSOR_WEIGHTS_NON_NORMALIZED", at+"/WEIGHTS_0", "%s: the skin weights of %d vertices do not add up to 1 (vertex %d's make %.4g)", where, unnormalized, firstSum, badSum)
	}
	if zero > 0 {
		c.warnf("ACCESSOR_JOINTS_USED_ZERO_WEIGHT", at+"/JOINTS_0", "%s: %d joints are named with no weight (the first at vertex %d)", where, zero, firstZero)
	}
}
