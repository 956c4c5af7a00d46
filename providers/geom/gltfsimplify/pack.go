package gltfsimplify

import (
	"bytes"
	"encoding/base64"
	"errors"
	"fmt"
	"io/fs"
	"net/http"
	"path/filepath"
	"slices"
	"strings"

	"github.com/qmuntal/gltf"

	"github.com/kiln3d/kiln/providers/fsguard"
)

// pack lays the document out as one self-contained GLB. Every index the rest of the document
// knows keeps its meaning: the accessors and buffer views that only the replaced primitives
// used are given to the new ones (there are always at least as many new ones), so nodes,
// skins, animations and any extension that names an accessor need no renumbering. External
// and data-URI images move into the binary chunk.
func (b *builder) pack(dir string) ([]byte, error) {
	if err := b.embedImages(dir); err != nil {
		return nil, err
	}
	// The bytes of the input's views, read before the views are rearranged.
	src := make([][]byte, len(b.doc.BufferViews))
	for i := 0; i < b.oldViews; i++ {
		data, _, err := viewBytes(b.doc, i)
		if err != nil {
			return nil, fmt.Errorf("gltfsimplify: %w", err)
		}
		src[i] = data
	}
	for i, data := range b.viewData {
		src[i] = data
	}
	deadViews := b.reuseAccessors()
	order := b.reuseViews(deadViews)

	var buf []byte
	for _, k := range order {
		bv := b.doc.BufferViews[k]
		// Keep each view's offset modulo 4, so the alignment its accessors rely on holds.
		want := 0
		if k < b.oldViews {
			want = bv.ByteOffset & 3
		}
		for len(buf)&3 != want {
			buf = append(buf, 0)
		}
		bv.Buffer, bv.ByteOffset = 0, len(buf)
		buf = append(buf, src[k]...)
	}
	for len(buf)&3 != 0 {
		buf = append(buf, 0)
	}
	views := make([]*gltf.BufferView, len(order))
	for i, k := range order {
		views[i] = b.doc.BufferViews[k]
	}
	b.doc.BufferViews = views
	b.doc.Buffers = []*gltf.Buffer{{ByteLength: len(buf), Data: buf}}
	if !usesDraco(b.doc) {
		b.doc.ExtensionsUsed = slices.DeleteFunc(b.doc.ExtensionsUsed, func(e string) bool { return e == "KHR_draco_mesh_compression" })
	}
	var out bytes.Buffer
	if err := gltf.NewEncoder(&out).Encode(b.doc); err != nil {
		return nil, fmt.Errorf("gltfsimplify: encode: %w", err)
	}
	return out.Bytes(), nil
}

// mapAccessors replaces every reference to an accessor that the glTF schema defines.
func mapAccessors(doc *gltf.Document, f func(int) int) {
	for _, m := range doc.Meshes {
		for _, p := range m.Primitives {
			for k, v := range p.Attributes {
				p.Attributes[k] = f(v)
			}
			if p.Indices != nil {
				*p.Indices = f(*p.Indices)
			}
			for _, t := range p.Targets {
				for k, v := range t {
					t[k] = f(v)
				}
			}
		}
	}
	for _, s := range doc.Skins {
		if s.InverseBindMatrices != nil {
			*s.InverseBindMatrices = f(*s.InverseBindMatrices)
		}
	}
	for _, a := range doc.Animations {
		for _, s := range a.Samplers {
			s.Input, s.Output = f(s.Input), f(s.Output)
		}
	}
}

// accessorViews lists the buffer views an accessor reads.
func accessorViews(acc *gltf.Accessor) []int {
	var v []int
	if acc.BufferView != nil {
		v = append(v, *acc.BufferView)
	}
	if acc.Sparse != nil {
		v = append(v, acc.Sparse.Indices.BufferView, acc.Sparse.Values.BufferView)
	}
	return v
}

// reuseAccessors moves the new accessors into the slots of the input accessors nothing uses
// any more, and returns the buffer views that only those dead accessors read.
func (b *builder) reuseAccessors() map[int]bool {
	used := make([]bool, len(b.doc.Accessors))
	mapAccessors(b.doc, func(i int) int {
		if i >= 0 && i < len(used) {
			used[i] = true
		}
		return i
	})
	var dead []int
	for i := 0; i < b.oldAccs; i++ {
		if b.replaced[i] && !used[i] {
			dead = append(dead, i)
		}
	}
	fresh := b.doc.Accessors[b.oldAccs:]
	dead = dead[:min(len(dead), len(fresh))]
	deadViews := map[int]bool{}
	for _, i := range dead {
		for _, v := range accessorViews(b.doc.Accessors[i]) {
			deadViews[v] = true
		}
	}
	slot := make([]int, len(fresh))
	for j := range fresh {
		if j < len(dead) {
			slot[j] = dead[j]
		} else {
			slot[j] = b.oldAccs + j - len(dead)
		}
	}
	accs := b.doc.Accessors[:b.oldAccs:b.oldAccs]
	accs = append(accs, make([]*gltf.Accessor, len(fresh)-len(dead))...)
	for j, acc := range fresh {
		accs[slot[j]] = acc
	}
	b.doc.Accessors = accs
	mapAccessors(b.doc, func(i int) int {
		if i >= b.oldAccs && i-b.oldAccs < len(slot) {
			return slot[i-b.oldAccs]
		}
		return i
	})
	// A view still read by a live accessor or an image stays.
	for _, acc := range b.doc.Accessors {
		for _, v := range accessorViews(acc) {
			delete(deadViews, v)
		}
	}
	for _, im := range b.doc.Images {
		if im.BufferView != nil {
			delete(deadViews, *im.BufferView)
		}
	}
	return deadViews
}

// reuseViews gives the dead views' slots to the new views, drops dead views left over, and
// returns, for each final view in order, the index it had until now; references are updated.
func (b *builder) reuseViews(dead map[int]bool) []int {
	var slots []int
	for i := 0; i < b.oldViews; i++ {
		if dead[i] {
			slots = append(slots, i)
		}
	}
	order := make([]int, b.oldViews)
	for i := range order {
		order[i] = i
		if dead[i] {
			order[i] = -1
		}
	}
	for k := b.oldViews; k < len(b.doc.BufferViews); k++ {
		if len(slots) > 0 {
			order[slots[0]] = k
			slots = slots[1:]
		} else {
			order = append(order, k)
		}
	}
	order = slices.DeleteFunc(order, func(k int) bool { return k < 0 })
	final := make([]int, len(b.doc.BufferViews))
	for i := range final {
		final[i] = -1
	}
	for i, k := range order {
		final[k] = i
	}
	for _, acc := range b.doc.Accessors {
		if acc.BufferView != nil {
			*acc.BufferView = final[*acc.BufferView]
		}
		if sp := acc.Sparse; sp != nil {
			sp.Indices.BufferView, sp.Values.BufferView = final[sp.Indices.BufferView], final[sp.Values.BufferView]
		}
	}
	for _, im := range b.doc.Images {
		if im.BufferView != nil {
			*im.BufferView = final[*im.BufferView]
		}
	}
	return order
}

// embedImages moves images referenced by a relative path or a data URI into buffer views.
// Images on the web (a URI with a scheme) are left as they are.
// maxTextureBytes bounds one external texture file, like the preview's bound on model files.
const maxTextureBytes = 1 << 30

func (b *builder) embedImages(dir string) error {
	for i, im := range b.doc.Images {
		if im.URI == "" || im.BufferView != nil {
			continue
		}
		var data []byte
		mime := im.MimeType
		switch {
		case strings.HasPrefix(im.URI, "data:"):
			head, payload, ok := strings.Cut(im.URI[len("data:"):], ",")
			if !ok || !strings.HasSuffix(head, ";base64") {
				return fmt.Errorf("gltfsimplify: image %d has a data URI that is not base64", i)
			}
			var err error
			if data, err = base64.StdEncoding.DecodeString(payload); err != nil {
				return fmt.Errorf("gltfsimplify: image %d: %w", i, err)
			}
			if mime == "" {
				mime = strings.TrimSuffix(head, ";base64")
			}
		case strings.Contains(im.URI, "://"):
			continue
		default:
			// A regular file inside the model's folder, no link out of it, of a bounded size:
			// the texture is embedded in the output, so a link to /etc/passwd must not be.
			var err error
			data, err = fsguard.ReadFileWithin(dir, im.URI, maxTextureBytes)
			switch {
			case errors.Is(err, fsguard.ErrOutside):
				return fmt.Errorf("gltfsimplify: image %d (%q) lies outside the model's folder", i, im.URI)
			case errors.Is(err, fs.ErrNotExist):
				return fmt.Errorf("gltfsimplify: image %d: the texture %q is missing beside the model", i, im.URI)
			case err != nil:
				return fmt.Errorf("gltfsimplify: image %d: %w", i, err)
			}
			if mime == "" {
				mime = imageType(im.URI, data)
			}
		}
		im.BufferView = gltf.Index(b.addView(data, 0, gltf.TargetNone))
		im.MimeType, im.URI = mime, ""
	}
	return nil
}

// imageType names an image's MIME type from its file name, else from its first bytes.
func imageType(name string, data []byte) string {
	switch strings.ToLower(filepath.Ext(name)) {
	case ".png":
		return "image/png"
	case ".jpg", ".jpeg":
		return "image/jpeg"
	case ".webp":
		return "image/webp"
	case ".ktx2":
		return "image/ktx2"
	}
	return http.DetectContentType(data)
}

func usesDraco(doc *gltf.Document) bool {
	for _, m := range doc.Meshes {
		for _, p := range m.Primitives {
			if _, ok := p.Extensions["KHR_draco_mesh_compression"]; ok {
				return true
			}
		}
	}
	return false
}
