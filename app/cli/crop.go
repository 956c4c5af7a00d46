package cli

import (
	"context"
	"errors"
	"fmt"
	"image"
	"math"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/kiln3d/kiln/app"
	"github.com/kiln3d/kiln/providers"
)

// parseRect reads "X,Y,W,H", a rectangle in an image's pixels: its top-left corner and its size.
func parseRect(s string) (image.Rectangle, error) {
	parts := strings.Split(s, ",")
	if len(parts) != 4 {
		return image.Rectangle{}, errors.New("want X,Y,W,H in pixels (the rectangle's top-left corner, width and height), e.g. 40,30,200,300")
	}
	var v [4]int
	for i, p := range parts {
		n, err := strconv.Atoi(strings.TrimSpace(p))
		if err != nil && !errors.Is(err, strconv.ErrRange) {
			return image.Rectangle{}, fmt.Errorf("%q is not a whole number of pixels", strings.TrimSpace(p))
		}
		// Images are at most imageio.MaxSide a side; the bound only keeps the sums below from
		// overflowing.
		if err != nil || n < -math.MaxInt32 || n > math.MaxInt32 {
			return image.Rectangle{}, fmt.Errorf("%s pixels is far larger than any image", strings.TrimSpace(p))
		}
		v[i] = n
	}
	if v[2] <= 0 || v[3] <= 0 {
		return image.Rectangle{}, fmt.Errorf("the rectangle is %d×%d: its width and height must be at least 1 pixel", v[2], v[3])
	}
	return image.Rect(v[0], v[1], v[0]+v[2], v[1]+v[3]), nil
}

// crop is one --crop: a rectangle, and which image it is for ("" when there is one image).
type crop struct {
	image string
	rect  image.Rectangle
	given string
}

// cropFlags collects --crop X,Y,W,H or --crop VIEW=X,Y,W,H.
type cropFlags []crop

func (c *cropFlags) String() string { return "" }

func (c *cropFlags) Set(s string) error {
	target, spec := "", s
	if i := strings.LastIndex(s, "="); i >= 0 {
		target, spec = strings.TrimSpace(s[:i]), s[i+1:]
		if target == "" {
			return errors.New("want VIEW=X,Y,W,H: name the view or the image's file name before the =")
		}
	}
	r, err := parseRect(spec)
	if err != nil {
		return err
	}
	*c = append(*c, crop{image: target, rect: r, given: s})
	return nil
}

// applyCrops cuts each cropped image out inside its rectangle (app.CutOut), keeps the cut-out in
// Kiln's cache and sets it as the image's Mask, saying on stderr how much of the image the object
// takes. A crop that names no image, or that leaves unclear which image it is for, is refused,
// and so is one with --each (each, true), whose models are made from the images alone.
func applyCrops(ctx context.Context, k *app.Kiln, env Env, crops cropFlags, images []providers.Image, each bool) error {
	if len(crops) == 0 {
		return nil
	}
	if each {
		return errors.New("--crop goes with one model's images, not --each: cut the images out first (kiln mask IMAGE --crop X,Y,W,H --out CUT.png) and give the cut-outs")
	}
	chosen := map[int]crop{}
	for _, c := range crops {
		i, err := cropTarget(c, images)
		if err != nil {
			return err
		}
		if prev, ok := chosen[i]; ok {
			return fmt.Errorf("--crop %s and --crop %s are both for %s: give one rectangle per image", prev.given, c.given, images[i].Path)
		}
		chosen[i] = c
	}
	for i := range images {
		c, ok := chosen[i]
		if !ok {
			continue
		}
		cut, err := app.CutOut(ctx, images[i].Path, app.CutOptions{Rect: c.rect})
		if err != nil {
			return fmt.Errorf("--crop %s: %w", c.given, err)
		}
		path, err := k.SaveCutOut(cut)
		if err != nil {
			return err
		}
		images[i].Mask = path
		object := 0
		for p := 3; p < len(cut.Pix); p += 4 {
			if cut.Pix[p] != 0 {
				object++
			}
		}
		size := cut.Bounds().Size()
		fmt.Fprintf(env.Stderr, "kiln: %s: the object inside the rectangle is %.0f%% of the image (its cut-out: %s)\n",
			providers.Printable(filepath.Base(images[i].Path)), 100*float64(object)/float64(size.X*size.Y), providers.Printable(path))
	}
	return nil
}

// cropTarget is the index of the image c is for.
func cropTarget(c crop, images []providers.Image) (int, error) {
	if len(images) == 0 {
		return 0, fmt.Errorf("--crop %s: there is no image to crop", c.given)
	}
	if c.image == "" {
		if len(images) > 1 {
			return 0, fmt.Errorf("--crop %s: there are %d images; say which one: --crop VIEW=X,Y,W,H (VIEW: the image's view or its file name)", c.given, len(images))
		}
		return 0, nil
	}
	found := -1
	for i, img := range images {
		if (img.View != "" && strings.EqualFold(img.View, c.image)) || img.Path == c.image || filepath.Base(img.Path) == c.image {
			if found >= 0 {
				return 0, fmt.Errorf("--crop %s: both %s and %s answer to %q; name the image by its path", c.given, images[found].Path, img.Path, c.image)
			}
			found = i
		}
	}
	if found < 0 {
		var names []string
		for _, img := range images {
			n := filepath.Base(img.Path)
			if img.View != "" {
				n += " (" + img.View + ")"
			}
			names = append(names, n)
		}
		return 0, fmt.Errorf("--crop %s: no image is the %s view or named %s (the images: %s)", c.given, c.image, c.image, strings.Join(names, ", "))
	}
	return found, nil
}
