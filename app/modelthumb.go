package app

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
)

// ErrNoRenderer is returned by ModelThumbnail when Kiln runs without a renderer.
var ErrNoRenderer = errors.New("no renderer for model thumbnails")

// ModelThumbnail returns a PNG picture of an asset's model, rendering it the first time and
// keeping it in the data directory's cache (named by the model's hash, so a changed model gets a
// new picture). Renders run one at a time: they share one GL renderer.
func (k *Kiln) ModelThumbnail(ctx context.Context, assetID string) (string, error) {
	if k.renderThumb == nil {
		return "", ErrNoRenderer
	}
	a, err := k.Library.Get(assetID)
	if err != nil {
		return "", err
	}
	if err := a.Err(); err != nil {
		return "", err // a damaged asset's model is never drawn
	}
	if !a.Downloaded() {
		return "", fmt.Errorf("%s: no model downloaded yet", a.Name)
	}
	out := k.thumbPath(a.ID, a.Files[0].SHA256)
	if _, err := os.Stat(out); err == nil {
		return out, nil
	}
	k.thumbMu.Lock()
	defer k.thumbMu.Unlock()
	if _, err := os.Stat(out); err == nil {
		return out, nil // drawn while this call waited
	}
	if err := ctx.Err(); err != nil {
		return "", err // no longer wanted (a tile scrolled away) while it waited its turn
	}
	if err := os.MkdirAll(filepath.Dir(out), 0o755); err != nil {
		return "", fmt.Errorf("thumbnail cache: %w", err)
	}
	if err := k.renderThumb(ctx, a.ModelPath(), out); err != nil {
		return "", fmt.Errorf("thumbnail of %s: %w", a.Name, err)
	}
	return out, nil
}

// EmptyTrash deletes the library's trash for good (Library.EmptyTrash) with the cached pictures
// of the assets it held, and returns what it deleted.
func (k *Kiln) EmptyTrash() ([]Trashed, error) {
	gone, err := k.Library.EmptyTrash()
	for _, t := range gone {
		if _, err := k.Library.Get(t.ID); err == nil {
			continue // an asset of the same id is in the library again
		}
		pics, _ := filepath.Glob(filepath.Join(k.thumbDir(), globEscape(t.ID)+"-*.png"))
		for _, p := range pics {
			_ = os.Remove(p)
		}
	}
	return gone, err
}

// thumbPath is where the picture of asset id's model of the given SHA-256 is cached.
func (k *Kiln) thumbPath(id, sha256 string) string {
	if len(sha256) > 16 {
		sha256 = sha256[:16]
	}
	return filepath.Join(k.thumbDir(), id+"-"+strings.ToLower(sha256)+".png")
}

// CachedThumbnail is the cached picture of asset id's model of the given SHA-256 (Entry.ModelHash),
// or "" when it has not been drawn yet (ModelThumbnail draws it).
func (k *Kiln) CachedThumbnail(id, sha256 string) string {
	if sha256 == "" || strings.ContainsAny(id, `/\`) {
		return ""
	}
	p := k.thumbPath(id, sha256)
	if st, err := os.Stat(p); err != nil || !st.Mode().IsRegular() {
		return ""
	}
	return p
}

// CanRenderThumbnails reports whether this Kiln can draw model pictures.
func (k *Kiln) CanRenderThumbnails() bool { return k.renderThumb != nil }

// thumbDir is the cache of rendered model pictures.
func (k *Kiln) thumbDir() string { return filepath.Join(k.Home, "cache", "thumbnails") }

// globEscape escapes the characters filepath.Match gives a meaning to.
func globEscape(s string) string {
	return strings.NewReplacer(`\`, `\\`, `*`, `\*`, `?`, `\?`, `[`, `\[`).Replace(s)
}
