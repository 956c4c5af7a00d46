package providers

import (
	"path/filepath"
	"regexp"
	"strings"
)

// The views an image can be tagged with, named by where the camera stands, in glTF axes: +Y up,
// the model's front faces +Z. Front: the camera on +Z looking toward −Z; back: on −Z; left: on −X;
// right: on +X; top: on +Y looking down, with −Z at the top of the image.
const (
	ViewFront = "front"
	ViewBack  = "back"
	ViewLeft  = "left"
	ViewRight = "right"
	ViewTop   = "top"
)

// Views lists the view names in the order pickers show them.
var Views = []string{ViewFront, ViewBack, ViewLeft, ViewRight, ViewTop}

// IsView reports whether v is one of the view names.
func IsView(v string) bool {
	for _, n := range Views {
		if n == v {
			return true
		}
	}
	return false
}

// viewWord finds a view name as a word of a file name: "chair_left.png", "Left View.jpg",
// "front-2.webp", but not "frontier.png" or "leftover.jpg".
var viewWord = regexp.MustCompile(`(?i)(?:^|[^a-z])(front|back|left|right|top)(?:[^a-z]|$)`)

// GuessView names the view a file is of from its name, or returns "" when the name says nothing
// (or names two views).
func GuessView(path string) string {
	name := strings.TrimSuffix(filepath.Base(path), filepath.Ext(path))
	found := ""
	for _, m := range viewWord.FindAllStringSubmatch(name, -1) {
		v := strings.ToLower(m[1])
		if found != "" && found != v {
			return ""
		}
		found = v
	}
	return found
}
