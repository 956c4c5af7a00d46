package app

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func TestResolveByIDNameOrStartOfID(t *testing.T) {
	dir := t.TempDir()
	threeAssets(t, dir) // a-mug "Red mug", b-vase "Tall vase", c-chair "armchair"
	writeAsset(t, dir, "d-mug", func(a *Asset) { a.Name = "red MUG" })
	writeAsset(t, dir, "2026-one", func(a *Asset) { a.Name = "b-vase" }) // a name that is another's id
	writeAsset(t, dir, "2026-two", func(a *Asset) { a.Name = "c-ch" })   // a name that starts another's id
	writeAsset(t, dir, "e-broken", func(a *Asset) { a.Name = "Broken lamp" })
	os.Remove(filepath.Join(dir, "e-broken", "pot.glb"))
	l := openIndexed(t, dir, filepath.Join(t.TempDir(), "kiln.db"))
	ctx := context.Background()
	for ref, want := range map[string]string{
		"a-mug":          "a-mug",    // an id
		"b-vase":         "b-vase",   // an id, before another's name
		"  Tall VASE ":   "b-vase",   // a name, any case, spaces around ignored
		"ARMCHAIR":       "c-chair",  //
		"c-ch":           "2026-two", // a name, before the start of another's id
		"c-cha":          "c-chair",  // the start of an id
		"2026-o":         "2026-one", //
		"broken lamp":    "e-broken", // damaged assets are found: they can be trashed
		"e-broken":       "e-broken", //
		"2026-two":       "2026-two", //
		"d-mug":          "d-mug",    //
		"a-mu":           "a-mug",    // four characters are enough
		"Red mug copy":   "",         //
		"a-m":            "",         // three are not
		"mug":            "",         // a word of a name is not the name
		"":               "",         //
		"   ":            "",         //
		"\x1b[2Jred mug": "",         //
	} {
		got, err := l.Resolve(ctx, ref)
		switch {
		case want == "" && !errors.Is(err, ErrNoAsset):
			t.Errorf("%q: %+v %v, want ErrNoAsset", ref, got.ID, err)
		case want != "" && (err != nil || got.ID != want):
			t.Errorf("%q: %q %v, want %s", ref, got.ID, err, want)
		}
	}
	e, _ := l.Resolve(ctx, "broken lamp")
	if e.State != StateDamaged || e.Damaged == "" || e.Dir != filepath.Join(dir, "e-broken") {
		t.Errorf("the damaged entry: %+v", e)
	}
	_, err := l.Resolve(ctx, "nothing-like-it")
	if err == nil || !strings.Contains(err.Error(), `"nothing-like-it" is neither an id`) {
		t.Errorf("unknown: %v", err)
	}

	// A name two assets share, or a start two ids share, names neither, and says which they are.
	for ref, want := range map[string][]string{
		"RED mug": {`"RED mug" names more than one asset: `, "a-mug (Red mug)", "d-mug (red MUG)", "; give the id"},
		"2026":    {`"2026" names more than one asset: `, "2026-one (b-vase)", "2026-two (c-ch)", "; give the id"},
	} {
		_, err := l.Resolve(ctx, ref)
		var amb *AmbiguousError
		if !errors.Is(err, ErrAmbiguous) || !errors.As(err, &amb) || len(amb.Candidates) != 2 || errors.Is(err, ErrNoAsset) {
			t.Errorf("%q: %v", ref, err)
			continue
		}
		for _, w := range want {
			if !strings.Contains(err.Error(), w) {
				t.Errorf("%q: %s\nlacks %s", ref, err, w)
			}
		}
	}
	// Many candidates are counted, not all listed; names are escaped.
	for i := range 12 {
		writeAsset(t, dir, "f-"+strings.Repeat("x", i+1), func(a *Asset) { a.Name = "same\x1b[31m" })
	}
	l.Refresh(ctx)
	_, err = l.Resolve(ctx, "SAME\x1b[31m")
	if err == nil || !strings.Contains(err.Error(), "and 4 more") || strings.Contains(err.Error(), "\x1b") {
		t.Errorf("many candidates: %v", err)
	}
}

func TestResolveTrashed(t *testing.T) {
	dir := t.TempDir()
	threeAssets(t, dir)
	l := openIndexed(t, dir, filepath.Join(t.TempDir(), "kiln.db"))
	ctx := context.Background()
	if _, err := l.Trash("a-mug", "b-vase"); err != nil {
		t.Fatal(err)
	}
	// The same id trashed twice (made again in between): one asset, its latest copy.
	time.Sleep(2 * time.Millisecond)
	writeAsset(t, dir, "a-mug", func(a *Asset) { a.Name = "Red mug" })
	if _, err := l.Trash("a-mug"); err != nil {
		t.Fatal(err)
	}
	items, _ := l.TrashList()
	for ref, want := range map[string]string{"red mug": "a-mug", "a-mug": "a-mug", "b-va": "b-vase", "Tall vase": "b-vase"} {
		got, err := l.ResolveTrashed(ref)
		if err != nil || got.ID != want {
			t.Errorf("%q: %q %v, want %s", ref, got.ID, err, want)
		}
		if want == "a-mug" && !got.Trashed.Equal(items[0].Trashed) {
			t.Errorf("%q: the copy trashed at %v, not the latest", ref, got.Trashed)
		}
	}
	for _, ref := range []string{"c-chair", "armchair", "nothing", ""} {
		if _, err := l.ResolveTrashed(ref); !errors.Is(err, ErrNoAsset) || !strings.Contains(err.Error(), "in the trash") {
			t.Errorf("%q: %v", ref, err)
		}
	}
	// What is in the trash is not in the library.
	if _, err := l.Resolve(ctx, "Tall vase"); !errors.Is(err, ErrNoAsset) {
		t.Errorf("a trashed asset resolved: %v", err)
	}
}
