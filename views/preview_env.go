package views

import (
	"bytes"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"fyne.io/fyne/v2/dialog"

	"github.com/kiln3d/kiln/preview"
	"github.com/kiln3d/kiln/providers"
)

// EnvironmentDialog is what FileDialogs implement when they can ask for an environment (a
// Radiance .hdr) natively; without it the Preview tab uses Fyne's own dialog.
type EnvironmentDialog interface {
	OpenEnvironment() (string, error)
}

// maxEnvironmentBytes is the largest .hdr the panel passes to the renderer, which refuses more.
const maxEnvironmentBytes = 256 << 20

// isEnvironmentFile says whether path names an environment the preview can light with.
func isEnvironmentFile(path string) bool {
	return strings.EqualFold(filepath.Ext(path), ".hdr")
}

// chooseEnvironment asks for an .hdr to light the model with.
func (p *previewPanel) chooseEnvironment() {
	native := func(d FileDialogs) ([]string, error) {
		ed, ok := d.(EnvironmentDialog)
		if !ok {
			return nil, ErrNoNativeDialogs
		}
		path, err := ed.OpenEnvironment()
		return []string{path}, err
	}
	p.u.askOpen(native, []string{".hdr"}, func(paths []string) { p.useEnvironment(paths[0]) },
		func(err error) { dialog.ShowError(err, p.u.win) })
}

// useEnvironment lights the model with the .hdr at path (chosen or dropped), once it reads as
// one; the renderer decodes it and says through OnError if the picture inside is damaged.
func (p *previewPanel) useEnvironment(path string) {
	if err := checkEnvironment(path); err != nil {
		dialog.ShowError(err, p.u.win)
		return
	}
	p.look.setEnvironment(path)
	p.look.light.SetSelected(lightLabels[preview.Environment]) // an environment chosen is one to see
}

// checkEnvironment refuses what cannot be a Radiance picture, with the reason: not a plain
// file, too large, or without the #?RADIANCE (or #?RGBE) line every .hdr starts with.
func checkEnvironment(path string) error {
	name := providers.Printable(filepath.Base(path))
	st, err := os.Stat(path)
	switch {
	case err != nil:
		return fmt.Errorf("the environment %s cannot be read: %w", name, err)
	case !st.Mode().IsRegular():
		return fmt.Errorf("the environment %s is not a file", name)
	case st.Size() > maxEnvironmentBytes:
		return fmt.Errorf("the environment %s is larger than the 256 MB an environment may be", name)
	}
	f, err := os.Open(path)
	if err != nil {
		return fmt.Errorf("the environment %s cannot be read: %w", name, err)
	}
	defer f.Close()
	head := make([]byte, 10)
	n, _ := io.ReadFull(f, head)
	head = head[:n]
	if !bytes.HasPrefix(head, []byte("#?RADIANCE")) && !bytes.HasPrefix(head, []byte("#?RGBE")) {
		return fmt.Errorf("%s is not a Radiance .hdr picture", name)
	}
	return nil
}
