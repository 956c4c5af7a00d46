package local

import (
	"github.com/kiln3d/kiln/providers"
)

// assignViews names the view each image shows: its tag; else the view its file name names, when
// no other image has it; else front for the first image still unnamed and back for the second. A
// third unnamed image cannot be placed and is refused.
func assignViews(images []providers.Image) ([]string, error) {
	names := make([]string, len(images))
	taken := map[string]bool{}
	for i, img := range images {
		if img.View != "" {
			names[i], taken[img.View] = img.View, true
		}
	}
	for i, img := range images {
		if names[i] != "" {
			continue
		}
		if g := providers.GuessView(img.Path); g != "" && !taken[g] {
			names[i], taken[g] = g, true
		}
	}
	for i, img := range images {
		if names[i] != "" {
			continue
		}
		switch {
		case !taken[providers.ViewFront]:
			names[i] = providers.ViewFront
		case !taken[providers.ViewBack]:
			names[i] = providers.ViewBack
		default:
			return nil, &providers.InputError{File: img.Path,
				Reason: "cannot tell which view this image shows: tag it front, back, left, right or top"}
		}
		taken[names[i]] = true
	}
	return names, nil
}

// axisOf is the model axis a view looks along: 0 (X) for left and right, 1 (Y) for top, 2 (Z)
// for front and back.
func axisOf(view string) int {
	switch view {
	case providers.ViewLeft, providers.ViewRight:
		return 0
	case providers.ViewTop:
		return 1
	}
	return 2
}
