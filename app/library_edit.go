package app

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/kiln3d/kiln/providers"
)

// What an artist may write about an asset, bounded so that a sidecar stays small and every word
// prints on one line.
const (
	maxNameLen  = 200
	maxTags     = 50
	maxTagLen   = 64
	maxNotesLen = 20000
)

// locked runs fn on asset id under the asset's lock (in this process and across processes),
// having read the asset again under it so that fn sees what another Kiln wrote.
func (l *Library) locked(id, what string, fn func(Asset) error) error {
	l.edit.Lock()
	defer l.edit.Unlock()
	a, err := l.Get(id)
	if err != nil {
		return err
	}
	unlock, err := lockAsset(a.Dir)
	if err != nil {
		return fmt.Errorf("%s %s: %w", what, a.Name, err)
	}
	defer unlock()
	if a, err = l.Get(id); err != nil {
		return err
	}
	return fn(a)
}

// update changes asset id's sidecar with change, under the asset's lock (see locked). A damaged
// asset is refused. The index is updated with the sidecar.
func (l *Library) update(id, what string, change func(*Asset) error) (Asset, error) {
	var out Asset
	err := l.locked(id, what, func(a Asset) error {
		if err := a.Err(); err != nil {
			return err
		}
		if err := change(&a); err != nil {
			return err
		}
		if err := l.saveSidecar(a); err != nil {
			return fmt.Errorf("%s %s: %w", what, a.Name, err)
		}
		out = a
		return nil
	})
	return out, err
}

// CleanName checks an asset's new name: trimmed, not empty, one line, not too long.
func CleanName(name string) (string, error) {
	name = strings.TrimSpace(name)
	switch {
	case name == "":
		return "", errors.New("the name is empty")
	case !utf8.ValidString(name) || strings.IndexFunc(name, unicode.IsControl) >= 0:
		return "", errors.New("the name holds a control character or invalid text")
	case utf8.RuneCountInString(name) > maxNameLen:
		return "", fmt.Errorf("the name is longer than %d characters", maxNameLen)
	}
	return name, nil
}

// Rename gives asset id a new name (its folder and files keep theirs).
func (l *Library) Rename(id, name string) (Asset, error) {
	name, err := CleanName(name)
	if err != nil {
		return Asset{}, err
	}
	return l.update(id, "rename", func(a *Asset) error {
		a.Name = name
		return nil
	})
}

// ParseTags reads tags as an artist types them: separated by commas, trimmed, each once
// whatever its case.
func ParseTags(s string) []string {
	return normalTags(strings.Split(s, ","))
}

func normalTags(in []string) []string {
	var out []string
	for _, t := range in {
		t = strings.Join(strings.Fields(t), " ")
		if t != "" && !slices.ContainsFunc(out, func(o string) bool { return strings.EqualFold(o, t) }) {
			out = append(out, t)
		}
	}
	return out
}

// checkTags explains what is wrong with a set of tags, or returns nil.
func checkTags(tags []string) error {
	if len(tags) > maxTags {
		return fmt.Errorf("%d tags is too many (at most %d)", len(tags), maxTags)
	}
	for _, t := range tags {
		switch {
		case !utf8.ValidString(t) || strings.IndexFunc(t, unicode.IsControl) >= 0:
			return fmt.Errorf("the tag %q holds a control character or invalid text", t)
		case utf8.RuneCountInString(t) > maxTagLen:
			return fmt.Errorf("the tag %q is longer than %d characters", t, maxTagLen)
		case strings.Contains(t, ","):
			return fmt.Errorf("the tag %q holds a comma", t)
		}
	}
	return nil
}

// checkNotes explains what is wrong with an asset's notes, or returns nil.
func checkNotes(notes string) error {
	switch {
	case !utf8.ValidString(notes) || strings.IndexFunc(notes, func(r rune) bool {
		return unicode.IsControl(r) && r != '\n' && r != '\t'
	}) >= 0:
		return errors.New("the notes hold a control character or invalid text")
	case utf8.RuneCountInString(notes) > maxNotesLen:
		return fmt.Errorf("the notes are longer than %d characters", maxNotesLen)
	}
	return nil
}

// SetTags replaces asset id's tags.
func (l *Library) SetTags(id string, tags []string) (Asset, error) {
	tags = normalTags(tags)
	if err := checkTags(tags); err != nil {
		return Asset{}, err
	}
	return l.update(id, "tag", func(a *Asset) error {
		a.Tags = tags
		return nil
	})
}

// Tag adds the tags add to, and takes the tags remove from (any case), each of the assets ids.
// It stops at the first asset it cannot change and returns the ones it changed.
func (l *Library) Tag(ids []string, add, remove []string) ([]Asset, error) {
	add = normalTags(add)
	if err := checkTags(add); err != nil {
		return nil, err
	}
	var done []Asset
	for _, id := range ids {
		a, err := l.update(id, "tag", func(a *Asset) error {
			tags := slices.DeleteFunc(slices.Clone(a.Tags), func(t string) bool {
				return slices.ContainsFunc(remove, func(r string) bool { return strings.EqualFold(r, t) })
			})
			tags = normalTags(append(tags, add...))
			if err := checkTags(tags); err != nil {
				return fmt.Errorf("%s: %w", a.Name, err)
			}
			a.Tags = tags
			return nil
		})
		if err != nil {
			return done, err
		}
		done = append(done, a)
	}
	return done, nil
}

// SetNotes replaces asset id's notes.
func (l *Library) SetNotes(id, notes string) (Asset, error) {
	notes = strings.TrimSpace(strings.ReplaceAll(notes, "\r\n", "\n"))
	if err := checkNotes(notes); err != nil {
		return Asset{}, err
	}
	return l.update(id, "write the notes of", func(a *Asset) error {
		a.Notes = notes
		return nil
	})
}

// checkWords is the sidecar check of the artist's words (see check): their number and lengths
// are bounded; what they hold is escaped wherever it is shown (providers.Printable).
func checkWords(a Asset) string {
	if len(a.Tags) > maxTags || utf8.RuneCountInString(a.Notes) > maxNotesLen || utf8.RuneCountInString(a.Name) > 4*maxNameLen {
		return fmt.Sprintf("its name, tags or notes in %s are too long", sidecarName)
	}
	for _, t := range a.Tags {
		if utf8.RuneCountInString(t) > maxTagLen {
			return fmt.Sprintf("a tag in %s is longer than %d characters", sidecarName, maxTagLen)
		}
	}
	return ""
}

// Duplicate copies asset id, files and provenance, into a new asset named "NAME copy" that
// records it was duplicated from id (and is published nowhere).
func (l *Library) Duplicate(id string) (Asset, error) {
	src, err := l.Get(id)
	if err != nil {
		return Asset{}, err
	}
	if err := src.Err(); err != nil {
		return Asset{}, err
	}
	if !src.Downloaded() {
		return Asset{}, fmt.Errorf("%s has no model on this computer to duplicate (download it first)", src.Name)
	}
	a := src
	a.ID = newID(time.Now().UTC().Format("20060102-150405"))
	a.Name = duplicateName(src.Name)
	a.Finished = time.Now()
	a.Published = nil
	a.Remote = nil
	a.DerivedFrom = &Derivation{Asset: src.ID, Operation: "duplicate"}
	err = l.create(a.ID, func(dir string) error {
		for _, rec := range append(append([]FileRecord{}, src.Files...), src.Inputs...) {
			dst := filepath.Join(dir, rec.Path)
			if err := os.MkdirAll(filepath.Dir(dst), 0o755); err != nil {
				return err
			}
			if err := CopyFileAtomic(filepath.Join(src.Dir, rec.Path), dst); err != nil {
				return fmt.Errorf("duplicate %s: %w", src.Name, err)
			}
		}
		return l.writeSidecar(dir, a)
	})
	if err != nil {
		return Asset{}, err
	}
	return l.Get(a.ID)
}

// duplicateName is "NAME copy", kept within the name's length limit.
func duplicateName(name string) string {
	const suffix = " copy"
	if r := []rune(name); len(r)+len(suffix) > maxNameLen {
		name = string(r[:maxNameLen-len(suffix)])
	}
	return name + suffix
}

// The trash is a hidden folder in the library: a trashed asset's folder is moved (renamed, on the
// same disk) to ".trash/ID@MILLIS", MILLIS being when it was trashed. Nothing leaves the disk
// until the trash is emptied.
const trashDir = ".trash"

// Trashed is an asset in the trash.
type Trashed struct {
	Asset
	// Trashed is when it was moved to the trash.
	Trashed time.Time
	// entry is its folder's name in the trash.
	entry string
}

// Trash moves the assets ids to the trash and returns them as they were; Restore brings one back.
// It stops at the first it cannot move.
func (l *Library) Trash(ids ...string) ([]Asset, error) {
	if err := os.MkdirAll(filepath.Join(l.dir, trashDir), 0o755); err != nil {
		return nil, fmt.Errorf("move to the trash: %w", err)
	}
	var (
		done []Asset
		err  error
	)
	for _, id := range ids {
		var a Asset
		if a, err = l.trashOne(id); err != nil {
			break
		}
		done = append(done, a)
	}
	if len(done) > 0 {
		// One sync and one index write for them all: deleting thousands stays quick.
		syncDir(l.dir)
		gone := make([]string, len(done))
		for i, a := range done {
			gone[i] = a.ID
		}
		if l.idx.put(context.Background(), nil, gone) != nil {
			l.idx.fresh.Store(false) // the next Find reconciles
		}
	}
	return done, err
}

func (l *Library) trashOne(id string) (Asset, error) {
	var out Asset
	err := l.locked(id, "move to the trash", func(a Asset) error {
		entry := fmt.Sprintf("%s@%d", id, time.Now().UnixMilli())
		// A damaged asset goes to the trash too: the artist may want it gone, and it can come back.
		if err := os.Rename(a.Dir, filepath.Join(l.dir, trashDir, entry)); err != nil {
			if errors.Is(err, fs.ErrNotExist) {
				return fmt.Errorf("asset %q: %w", id, ErrNoAsset)
			}
			return fmt.Errorf("move %s to the trash: %w", a.Name, err)
		}
		out = a
		return nil
	})
	return out, err
}

// InTrash reports whether asset id is in the trash (and not in the library).
func (l *Library) InTrash(id string) bool {
	if _, err := os.Lstat(filepath.Join(l.dir, id)); err == nil {
		return false
	}
	_, ok := l.trashEntry(id)
	return ok
}

// trashEntry is the name in the trash of asset id's most recently trashed copy, found by name
// alone (nothing in the trash is read).
func (l *Library) trashEntry(id string) (string, bool) {
	matches, _ := filepath.Glob(filepath.Join(l.dir, trashDir, globEscape(id)+"@*"))
	var (
		best   string
		bestAt time.Time
	)
	for _, m := range matches {
		if got, at, ok := parseTrashEntry(filepath.Base(m)); ok && got == id && (best == "" || at.After(bestAt)) {
			best, bestAt = filepath.Base(m), at
		}
	}
	return best, best != ""
}

// TrashList lists what is in the trash, most recently trashed first.
func (l *Library) TrashList() ([]Trashed, error) {
	dir := filepath.Join(l.dir, trashDir)
	entries, err := os.ReadDir(dir)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("list the trash: %w", err)
	}
	var out []Trashed
	for _, e := range entries {
		id, at, ok := parseTrashEntry(e.Name())
		if !ok {
			continue
		}
		a, err := l.readAs(filepath.Join(dir, e.Name()), id)
		if err != nil {
			continue
		}
		out = append(out, Trashed{Asset: a, Trashed: at, entry: e.Name()})
	}
	slices.SortFunc(out, func(a, b Trashed) int { return b.Trashed.Compare(a.Trashed) })
	return out, nil
}

// parseTrashEntry reads "ID@MILLIS".
func parseTrashEntry(name string) (id string, at time.Time, ok bool) {
	i := strings.LastIndexByte(name, '@')
	if i <= 0 {
		return "", time.Time{}, false
	}
	ms, err := strconv.ParseInt(name[i+1:], 10, 64)
	if err != nil || ms <= 0 {
		return "", time.Time{}, false
	}
	return name[:i], time.UnixMilli(ms), true
}

// Restore brings asset id back from the trash (its most recently trashed copy). It refuses when
// the library holds an asset of that id again.
func (l *Library) Restore(id string) (Asset, error) {
	l.edit.Lock()
	defer l.edit.Unlock()
	entry, ok := l.trashEntry(id)
	if !ok {
		return Asset{}, fmt.Errorf("asset %q is not in the trash: %w", id, ErrNoAsset)
	}
	src := filepath.Join(l.dir, trashDir, entry)
	name := id // for the messages: the sidecar's name when it reads, without checking the model
	if data, reason := readSidecar(src); reason == "" {
		var side struct{ Name string }
		if json.Unmarshal(data, &side) == nil && side.Name != "" {
			name = providers.Printable(side.Name)
		}
	}
	dst := filepath.Join(l.dir, id)
	if _, err := os.Lstat(dst); err == nil {
		return Asset{}, fmt.Errorf("cannot restore %s: the library holds an asset %s again", name, id)
	}
	if err := os.Rename(src, dst); err != nil {
		return Asset{}, fmt.Errorf("restore %s: %w", name, err)
	}
	syncDir(l.dir)
	l.index(id)
	return l.Get(id)
}

// EmptyTrash deletes everything in the trash for good and returns the assets it deleted.
func (l *Library) EmptyTrash() ([]Trashed, error) {
	items, err := l.TrashList()
	if err != nil {
		return nil, err
	}
	var done []Trashed
	for _, t := range items {
		if err := os.RemoveAll(filepath.Join(l.dir, trashDir, t.entry)); err != nil {
			return done, fmt.Errorf("empty the trash: %w", err)
		}
		done = append(done, t)
	}
	return done, nil
}
