package providers

import (
	"errors"
	"strings"
	"testing"
)

func TestGuessView(t *testing.T) {
	for name, want := range map[string]string{
		"chair_left.png":     "left",
		"/x/Chair Front.JPG": "front",
		"back-2.webp":        "back",
		"top.png":            "top",
		"RIGHT_view.png":     "right",
		"frontier.png":       "",
		"leftover.jpg":       "",
		"front_and_back.png": "",
		"front-front.png":    "front",
		"concept.png":        "",
	} {
		if got := GuessView(name); got != want {
			t.Errorf("GuessView(%q) = %q, want %q", name, got, want)
		}
	}
}

func TestCheckRequest(t *testing.T) {
	c := Capabilities{Title: "Test", MinImages: 1, MaxImages: 3, Polycount: Range{Min: 500, Max: 1000, Default: 600},
		Options: []Option{{Key: "objects", Label: "Objects", Choices: []Choice{{Value: "all"}, {Value: "largest"}}}}}
	img := func(path, view string) Image { return Image{Path: path, View: view} }
	ok := Request{Polycount: 600, Images: []Image{img("a.png", "front"), img("b.png", "left")}}
	if err := CheckRequest(c, ok); err != nil {
		t.Fatalf("valid request refused: %v", err)
	}
	cases := map[string]struct {
		mutate func(*Request)
		want   string
	}{
		"duplicate view": {func(r *Request) { r.Images[1].View = "front" }, "two images are tagged front: a.png and b.png"},
		"unknown view":   {func(r *Request) { r.Images[0].View = "side" }, `a.png: "side" is not a view`},
		"negative size":  {func(r *Request) { r.Size.HeightCM = -3 }, "a height of -3 cm"},
		"huge size":      {func(r *Request) { r.Size.WidthCM = 2e6 }, "a width of 2e+06 cm"},
		"unknown option": {func(r *Request) { r.Options = map[string]string{"speed": "fast"} }, `Test has no option "speed"`},
		"bad choice":     {func(r *Request) { r.Options = map[string]string{"objects": "some"} }, `Objects: "some" is not one of all, largest`},
		"too many":       {func(r *Request) { r.Images = append(r.Images, img("c", ""), img("d", "")) }, "at most 3 images"},
		"polycount":      {func(r *Request) { r.Polycount = 2000 }, "polycount 2000 is outside Test's range 500 to 1000"},
	}
	for name, c2 := range cases {
		r := ok
		r.Images = append([]Image(nil), ok.Images...)
		c2.mutate(&r)
		err := CheckRequest(c, r)
		if !errors.Is(err, ErrInvalidInput) || !strings.Contains(err.Error(), c2.want) {
			t.Errorf("%s: %v, want an InputError containing %q", name, err, c2.want)
		}
	}
	if got := ok.Option(c, "objects"); got != "all" {
		t.Errorf("default option = %q", got)
	}
	ok.Options = map[string]string{"objects": "largest"}
	if got := ok.Option(c, "objects"); got != "largest" {
		t.Errorf("set option = %q", got)
	}
}

func TestAPIError(t *testing.T) {
	err := error(&APIError{Provider: "kaedim", Op: "process", Status: 401, Message: "Invalid API key", Kind: KindOfStatus(401)})
	if !errors.Is(err, ErrUnauthorized) || err.Error() != "kaedim: process: Invalid API key (HTTP 401 Unauthorized)" {
		t.Errorf("%v", err)
	}
	for status, want := range map[int]error{200: nil, 400: ErrInvalidInput, 403: ErrForbidden, 404: ErrNotFound,
		406: ErrInvalidInput, 429: ErrRateLimited, 500: ErrServer, 503: ErrServer} {
		if got := KindOfStatus(status); got != want { //nolint:errorlint // the sentinel itself, by identity
			t.Errorf("KindOfStatus(%d) = %v, want %v", status, got, want)
		}
	}
}

func TestInputErrorNamesTheFileOnce(t *testing.T) {
	for _, c := range []struct {
		e    InputError
		want string
	}{
		{InputError{File: "/x/side.png", Reason: "the file is empty"}, "side.png: the file is empty"},
		{InputError{File: "/x/side.png", Reason: "no object found in side.png"}, "no object found in side.png"},
		{InputError{Reason: "add a reference image"}, "add a reference image"},
	} {
		if got := c.e.Error(); got != c.want {
			t.Errorf("%q, want %q", got, c.want)
		}
	}
}
