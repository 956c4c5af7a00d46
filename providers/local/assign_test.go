package local

import (
	"errors"
	"slices"
	"strings"
	"testing"

	"github.com/kiln3d/kiln/providers"
)

func TestAssignViews(t *testing.T) {
	img := func(path, view string) providers.Image { return providers.Image{Path: path, View: view} }
	cases := []struct {
		images []providers.Image
		want   []string
	}{
		{[]providers.Image{img("a.png", "")}, []string{"front"}},
		{[]providers.Image{img("a.png", ""), img("b.png", "")}, []string{"front", "back"}},
		{[]providers.Image{img("mug_left.png", ""), img("mug.png", "")}, []string{"left", "front"}},
		{[]providers.Image{img("x.png", "top"), img("mug top.png", ""), img("y.png", "")}, []string{"top", "front", "back"}},
		{[]providers.Image{img("a.png", ""), img("b.png", "front")}, []string{"back", "front"}},
		{[]providers.Image{img("Right View.jpg", ""), img("a.png", "left"), img("c.png", "")}, []string{"right", "left", "front"}},
	}
	for _, c := range cases {
		got, err := assignViews(c.images)
		if err != nil || !slices.Equal(got, c.want) {
			t.Errorf("assignViews(%v) = %v, %v; want %v", c.images, got, err, c.want)
		}
	}
	_, err := assignViews([]providers.Image{img("a.png", ""), img("b.png", ""), img("c.png", "")})
	if ie, ok := errors.AsType[*providers.InputError](err); !ok || ie.File != "c.png" || !strings.Contains(ie.Reason, "tag it") {
		t.Errorf("three untagged images: %v, want the third refused", err)
	}
}
