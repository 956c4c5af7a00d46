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

// StudioHDR is the environment the preview lights models with unless the artist gives one:
// soft boxes over a grey floor, 256×128, equirectangular Radiance RGBE. Kiln's developers
// made it with genstudio.go (go run assets/genstudio.go assets/studio.hdr).
//
//go:embed studio.hdr
var StudioHDR []byte

// StudioIBL is StudioHDR prefiltered for the preview's image-based lighting (irradiance and
// roughness levels), made by the preview's own code (go test ./preview/g3n -run
// TestStudioIBLAsset -update), so that no process spends the time on it.
//
//go:embed studio.ibl
var StudioIBL []byte

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

// Credit names something Kiln ships or is built on, and its licence, for Help ▸ About.
type Credit struct {
	What, By, Licence string
}

// Credits are the licences of what ships inside Kiln's binary.
var Credits = []Credit{
	{"Icon, sample images and studio environment", "Kiln's developers", "part of Kiln"},
	{"Noto Sans fonts (the window's text)", "Google, via Fyne", "SIL Open Font License 1.1"},
	{"DejaVu Sans Mono (fixed-width text)", "Bitstream, DejaVu, via Fyne", "Bitstream Vera licence; DejaVu changes public domain"},
	{"EmojiOne Color (emoji)", "Ranks.com, via Fyne", "CC BY 4.0"},
	{"Material Design icons (the window's icons)", "Google, via Fyne", "Apache License 2.0"},
	{"Fyne (the window)", "Fyne.io developers", "BSD 3-Clause"},
	{"g3n (the 3D preview)", "g3n developers", "BSD 2-Clause"},
	{"qmuntal/gltf (glTF reading and writing)", "Quim Muntal", "BSD 2-Clause"},
	{"SQLite, as modernc.org/sqlite (the job ledger and the library index)", "D. Richard Hipp; the modernc authors", "public domain; BSD 3-Clause"},
	{"go-keyring (the OS keychain)", "Zalando SE", "MIT"},
	{"sqweek/dialog (native file dialogs)", "sqweek", "ISC"},
}
