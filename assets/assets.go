// Package assets holds Kiln's embedded resources. It is a leaf: it imports nothing of Kiln's.
package assets

import (
	"embed"
	"io/fs"
	"path"
	"sort"
)

// IconPNG is Kiln's application icon, 512×512.
//
//go:embed icon.png
var IconPNG []byte

//go:embed samples/*.png
var samples embed.FS

// Sample is a reference image shipped with Kiln so an artist can try it without one at hand.
// Kiln's developers drew them; they carry no third-party licence.
type Sample struct {
	Name string // "vase"
	File string // "vase.png"
	Data []byte
}

// Samples returns the shipped sample images, by name.
func Samples() []Sample {
	entries, _ := fs.ReadDir(samples, "samples")
	var out []Sample
	for _, e := range entries {
		data, err := samples.ReadFile(path.Join("samples", e.Name()))
		if err != nil {
			continue
		}
		out = append(out, Sample{Name: e.Name()[:len(e.Name())-len(path.Ext(e.Name()))], File: e.Name(), Data: data})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out
}
