package app

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/kiln3d/kiln/providers"
)

// An asset as an artist names it where there is no list to pick from (a command line): its id,
// its exact name when no other asset has it, or the start of its id. Each is tried in turn; a
// name or a start shared by several assets names none of them, and says which they are.

// MinIDPrefix is how many characters the start of an id must have to name an asset.
const MinIDPrefix = 4

// ErrAmbiguous is wrapped by the error of a reference that names more than one asset.
var ErrAmbiguous = errors.New("names more than one asset")

// AmbiguousError is a reference that names several assets: the candidates, by id and name.
type AmbiguousError struct {
	Ref        string
	Candidates []Entry
}

// maxCandidates is how many candidates an AmbiguousError's message names.
const maxCandidates = 8

func (e *AmbiguousError) Error() string {
	var names []string
	for i, c := range e.Candidates {
		if i == maxCandidates {
			names = append(names, fmt.Sprintf("and %d more", len(e.Candidates)-i))
			break
		}
		names = append(names, providers.Printable(c.ID)+" ("+providers.Printable(c.Name)+")")
	}
	return fmt.Sprintf("%q %s: %s; give the id of the one you mean", e.Ref, ErrAmbiguous, strings.Join(names, ", "))
}

func (e *AmbiguousError) Unwrap() error { return ErrAmbiguous }

// Resolve finds the asset ref names: the asset of that id, else the one asset whose name is ref
// (any case), else the one asset whose id starts with ref (MinIDPrefix characters or more).
// Damaged assets are found too. It fails with ErrNoAsset when ref names none, and with an
// AmbiguousError when it names several.
func (l *Library) Resolve(ctx context.Context, ref string) (Entry, error) {
	all, err := l.Find(ctx, LibraryQuery{})
	if err != nil {
		return Entry{}, err
	}
	return pick(ref, "", all, func(e Entry) Entry { return e })
}

// ResolveTrashed finds the asset ref names in the trash, as Resolve does in the library. Of an id
// trashed more than once, the most recently trashed copy is returned (the one Restore brings back).
func (l *Library) ResolveTrashed(ref string) (Trashed, error) {
	items, err := l.TrashList()
	if err != nil {
		return Trashed{}, err
	}
	seen := map[string]bool{}
	unique := items[:0:0]
	for _, t := range items { // most recently trashed first
		if !seen[t.ID] {
			seen[t.ID] = true
			unique = append(unique, t)
		}
	}
	return pick(ref, " in the trash", unique, func(t Trashed) Entry { return Entry{ID: t.ID, Name: t.Name} })
}

// pick is the one item ref names among items (each of a unique id), which are where says.
func pick[T any](ref, where string, items []T, entry func(T) Entry) (T, error) {
	var zero T
	ref = strings.TrimSpace(ref)
	if ref == "" {
		return zero, fmt.Errorf("%w%s: no asset was named", ErrNoAsset, where)
	}
	var byName, byPrefix []T
	for _, it := range items {
		e := entry(it)
		switch {
		case e.ID == ref:
			return it, nil
		case strings.EqualFold(e.Name, ref):
			byName = append(byName, it)
		case len(ref) >= MinIDPrefix && strings.HasPrefix(e.ID, ref):
			byPrefix = append(byPrefix, it)
		}
	}
	for _, found := range [][]T{byName, byPrefix} {
		switch len(found) {
		case 0:
			continue
		case 1:
			return found[0], nil
		}
		amb := &AmbiguousError{Ref: ref}
		for _, it := range found {
			amb.Candidates = append(amb.Candidates, entry(it))
		}
		return zero, amb
	}
	return zero, fmt.Errorf("%w%s: %q is neither an id, the start of one, nor an asset's name", ErrNoAsset, where, ref)
}
