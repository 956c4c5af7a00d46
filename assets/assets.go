// Package assets holds Kiln's embedded resources. It is a leaf: it imports nothing of Kiln's.
package assets

import _ "embed"

// IconPNG is Kiln's application icon, 512×512.
//
//go:embed icon.png
var IconPNG []byte
