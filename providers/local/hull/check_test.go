package hull

import (
	"context"
	"errors"
	"slices"
	"testing"

	"github.com/kiln3d/kiln/providers/local/field"
	"github.com/kiln3d/kiln/providers/local/mask"
)

// draw makes a silhouette of view from an inside test on a 100×100 image.
func draw(t *testing.T, view string, in func(x, y int) bool) Silhouette {
	t.Helper()
	m := mask.New(100, 100)
	for y := 0; y < 100; y++ {
		for x := 0; x < 100; x++ {
			m.In[y*100+x] = in(x, y)
		}
	}
	f, err := field.NewDistance(context.Background(), m, 3)
	if err != nil {
		t.Fatal(err)
	}
	return Silhouette{View: view, Mask: m, Dist: f}
}

func box(x0, y0, x1, y1 int) func(x, y int) bool {
	return func(x, y int) bool { return x >= x0 && x < x1 && y >= y0 && y < y1 }
}

func either(a, b func(x, y int) bool) func(x, y int) bool {
	return func(x, y int) bool { return a(x, y) || b(x, y) }
}

func TestCheck(t *testing.T) {
	diagonal := either(box(10, 10, 45, 45), box(55, 55, 90, 90))
	anti := either(box(10, 55, 45, 90), box(55, 10, 90, 45))
	cases := []struct {
		name  string
		sils  []Silhouette
		views []string
		odd   int
	}{
		{"agree", []Silhouette{draw(t, "front", box(10, 10, 90, 90)), draw(t, "left", box(30, 10, 70, 90))}, nil, 0},
		{"opposites apart", []Silhouette{draw(t, "front", diagonal), draw(t, "back", diagonal), draw(t, "top", box(10, 10, 90, 90))},
			[]string{"front", "back"}, 0},
		{"nothing in common", []Silhouette{draw(t, "front", diagonal), draw(t, "left", diagonal), draw(t, "top", anti)},
			[]string{"front", "left", "top"}, 0},
		{"front unexplained", []Silhouette{
			draw(t, "front", either(box(5, 5, 30, 95), box(42, 5, 95, 95))),
			draw(t, "left", box(10, 5, 90, 95)),
			draw(t, "top", either(box(5, 5, 30, 95), box(90, 45, 95, 55))),
		}, []string{"front", "left", "top"}, 1},
	}
	for _, c := range cases {
		h, err := New(c.sils)
		if err != nil {
			t.Fatal(err)
		}
		err = Check(context.Background(), h)
		conflict, ok := errors.AsType[*Conflict](err)
		switch {
		case c.views == nil && err != nil:
			t.Errorf("%s: %v", c.name, err)
		case c.views == nil:
		case !ok:
			t.Errorf("%s: %v, want a conflict of %v", c.name, err, c.views)
		case !slices.Equal(conflict.Views, c.views) || conflict.Odd != c.odd:
			t.Errorf("%s: %+v, want views %v with %d odd", c.name, conflict, c.views, c.odd)
		}
	}
}
