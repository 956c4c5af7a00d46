package main

import (
	"archive/tar"
	"bufio"
	"compress/gzip"
	"context"
	"errors"
	"image"
	stdpng "image/png"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/kiln3d/kiln/providers/modeltest"
	"github.com/kiln3d/kiln/providers/providertest"
)

// TestPackageInstallsAndThumbnails builds the archive `make package` builds (from the test's
// binary, not a second build), installs it into a prefix with its install.sh, validates the
// installed desktop entry, and runs the installed thumbnailer's Exec line as a file manager
// would: a PNG of the asked size comes out. Then a staged install (DESTDIR) and an uninstall.
func TestPackageInstallsAndThumbnails(t *testing.T) {
	bin := buildKiln(t)
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	sh := func(t *testing.T, env []string, name string, args ...string) string {
		t.Helper()
		cmd := exec.CommandContext(ctx, name, args...)
		cmd.Env = append(os.Environ(), env...)
		out, err := cmd.CombinedOutput()
		if err != nil {
			t.Fatalf("%s %s: %v\n%s", name, strings.Join(args, " "), err, out)
		}
		return string(out)
	}

	dist := t.TempDir()
	out := sh(t, []string{"VERSION=9.8.7-test"}, ".ci/package", "--out", dist, "--binary", bin)
	archive := filepath.Join(dist, "kiln-9.8.7-test-linux-"+runtime.GOARCH+".tar.gz")
	if lines := strings.Split(strings.TrimSpace(out), "\n"); lines[len(lines)-1] != archive {
		t.Fatalf(".ci/package printed %q, want the archive %s last", out, archive)
	}
	top := checkArchive(t, archive)

	unpacked := t.TempDir()
	sh(t, nil, "tar", "-C", unpacked, "-xzf", archive)
	installer := filepath.Join(unpacked, top, "install.sh")
	prefix := filepath.Join(t.TempDir(), "prefix")
	if out := sh(t, []string{"DESTDIR="}, installer, "--prefix", prefix); !strings.Contains(out, "Kiln installed into "+prefix) {
		t.Errorf("install.sh said %q", out)
	}
	installed := filepath.Join(prefix, "bin", "kiln")

	// The desktop entry: valid, opening glTF models with the installed binary.
	desktop := filepath.Join(prefix, "share", "applications", "io.github.kiln3d.kiln.desktop")
	entry := readEntry(t, desktop, "Desktop Entry")
	if entry["Exec"] != installed+" %F" || entry["TryExec"] != installed || entry["MimeType"] != "model/gltf-binary;model/gltf+json;" ||
		entry["Icon"] != "io.github.kiln3d.kiln" || entry["Categories"] != "Graphics;3DGraphics;" {
		t.Errorf("installed desktop entry: %v", entry)
	}
	if validate, err := exec.LookPath("desktop-file-validate"); err != nil {
		modeltest.ToolMissing(t, "desktop-file-validate is not installed (Debian: desktop-file-utils)")
	} else if out, err := exec.CommandContext(ctx, validate, desktop).CombinedOutput(); err != nil || len(out) != 0 {
		t.Errorf("desktop-file-validate: %v\n%s", err, out)
	}
	if _, err := exec.LookPath("update-mime-database"); err == nil {
		if _, err := os.Stat(filepath.Join(prefix, "share", "mime", "model", "gltf-binary.xml")); err != nil {
			t.Errorf("the MIME database of the prefix was not updated: %v", err)
		}
	}

	// The thumbnailer, run as a file manager runs it: %i the model, %o a temporary name without
	// an extension, %s the size; the installed bin/ on PATH and no display.
	thumbnailer := readEntry(t, filepath.Join(prefix, "share", "thumbnailers", "kiln.thumbnailer"), "Thumbnailer Entry")
	if thumbnailer["TryExec"] != installed || thumbnailer["MimeType"] != "model/gltf-binary;model/gltf+json;" {
		t.Errorf("installed thumbnailer: %v", thumbnailer)
	}
	work := t.TempDir()
	model := filepath.Join(work, "ball.glb")
	if err := providertest.WriteSphere(model, 16, 24); err != nil {
		t.Fatal(err)
	}
	thumb := filepath.Join(work, "gnome-thumbnail-6F2K1Z")
	const size = 128
	argv := strings.Fields(thumbnailer["Exec"])
	for i, a := range argv {
		argv[i] = strings.NewReplacer("%i", model, "%o", thumb, "%s", "128", "%%", "%").Replace(a)
	}
	env := []string{"PATH=" + filepath.Join(prefix, "bin") + string(os.PathListSeparator) + os.Getenv("PATH"),
		"DISPLAY=", "WAYLAND_DISPLAY=", "KILN_HOME=" + t.TempDir()}
	if out := sh(t, env, argv[0], argv[1:]...); out != "" {
		t.Errorf("the thumbnailer printed %q (it should be silent)", out)
	}
	checkThumbnail(t, thumb, size)

	// A damaged model: one line on stderr, a failure status, no thumbnail.
	damaged := filepath.Join(work, "damaged.glb")
	if err := os.WriteFile(damaged, []byte("glTF\x02\x00\x00\x00not really"), 0o600); err != nil {
		t.Fatal(err)
	}
	bad := filepath.Join(work, "bad-thumb")
	cmd := exec.CommandContext(ctx, installed, "thumbnail", damaged, bad, "128")
	cmd.Env = append(os.Environ(), env...)
	var stderr strings.Builder
	cmd.Stderr = &stderr
	if err := cmd.Run(); err == nil || strings.Count(stderr.String(), "\n") != 1 || !strings.HasPrefix(stderr.String(), "kiln: ") {
		t.Errorf("thumbnail of a damaged model: %v, stderr %q", err, stderr.String())
	}
	if _, err := os.Stat(bad); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("a damaged model left a thumbnail: %v", err)
	}

	// Staged for a distribution package: files under DESTDIR, entries naming the final path, no
	// caches built in the stage.
	stage := t.TempDir()
	sh(t, []string{"DESTDIR=" + stage}, installer, "--prefix", "/usr")
	if e := readEntry(t, filepath.Join(stage, "usr", "share", "applications", "io.github.kiln3d.kiln.desktop"), "Desktop Entry"); e["Exec"] != "/usr/bin/kiln %F" {
		t.Errorf("staged desktop entry: %v", e)
	}
	if _, err := os.Stat(filepath.Join(stage, "usr", "share", "mime", "mime.cache")); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("a staged install built the MIME cache: %v", err)
	}

	sh(t, []string{"DESTDIR="}, installer, "--uninstall", "--prefix", prefix)
	for _, f := range []string{installed, desktop, filepath.Join(prefix, "share", "thumbnailers", "kiln.thumbnailer")} {
		if _, err := os.Stat(f); !errors.Is(err, os.ErrNotExist) {
			t.Errorf("%s after --uninstall: %v", f, err)
		}
	}
}

// checkArchive reads the archive: one top folder holding the prefix-relative tree, owned by root,
// executables where they must be. It returns the top folder's name.
func checkArchive(t *testing.T, archive string) string {
	t.Helper()
	f, err := os.Open(archive)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	gz, err := gzip.NewReader(f)
	if err != nil {
		t.Fatal(err)
	}
	top := strings.TrimSuffix(filepath.Base(archive), ".tar.gz")
	modes := map[string]int64{}
	tr := tar.NewReader(gz)
	for {
		h, err := tr.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		if h.Uid != 0 || h.Gid != 0 || !strings.HasPrefix(h.Name, top+"/") {
			t.Errorf("archive entry %s: uid %d gid %d, want root's under %s/", h.Name, h.Uid, h.Gid, top)
		}
		if h.Typeflag == tar.TypeReg {
			modes[strings.TrimPrefix(h.Name, top+"/")] = h.Mode
		}
	}
	for name, mode := range map[string]int64{
		"bin/kiln":   0o755,
		"install.sh": 0o755,
		"share/applications/io.github.kiln3d.kiln.desktop":                0o644,
		"share/thumbnailers/kiln.thumbnailer":                             0o644,
		"share/mime/packages/kiln-gltf.xml":                               0o644,
		"share/icons/hicolor/512x512/apps/io.github.kiln3d.kiln.png":      0o644,
		"share/doc/kiln/README.md":                                        0o644,
		"share/doc/kiln/licenses/go/LICENSE":                              0o644,
		"share/doc/kiln/licenses/github.com/g3n/engine/LICENSE":           0o644,
		"share/doc/kiln/licenses/github.com/go-gl/glfw/v3.3/glfw/LICENSE": 0o644,
	} {
		if got, ok := modes[name]; !ok || got != mode {
			t.Errorf("archive: %s has mode %o (present %v), want %o", name, got, ok, mode)
		}
	}
	return top
}

// readEntry reads the key-value lines of one group of a desktop-entry style file.
func readEntry(t *testing.T, path, group string) map[string]string {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	entry := map[string]string{}
	in := false
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		switch {
		case line == "" || strings.HasPrefix(line, "#"):
		case strings.HasPrefix(line, "["):
			in = line == "["+group+"]"
		case in:
			if k, v, ok := strings.Cut(line, "="); ok {
				entry[strings.TrimSpace(k)] = strings.TrimSpace(v)
			}
		}
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	if len(entry) == 0 {
		t.Fatalf("%s has no [%s] group", path, group)
	}
	return entry
}

// checkThumbnail decodes the thumbnail: a PNG of size×size showing something besides the
// background.
func checkThumbnail(t *testing.T, path string, size int) {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatalf("no thumbnail: %v", err)
	}
	defer f.Close()
	img, err := stdpng.Decode(f)
	if err != nil {
		t.Fatalf("the thumbnail is not a PNG: %v", err)
	}
	if img.Bounds() != image.Rect(0, 0, size, size) {
		t.Fatalf("thumbnail %v, want %dx%d", img.Bounds(), size, size)
	}
	corner := img.At(0, 0)
	var colours []uint32
	model := 0
	for y := range size {
		for x := range size {
			c := img.At(x, y)
			if c != corner {
				model++
			}
			r, g, b, _ := c.RGBA()
			if v := r>>8<<16 | g>>8<<8 | b>>8; !slices.Contains(colours, v) && len(colours) < 64 {
				colours = append(colours, v)
			}
		}
	}
	if model < size*size/20 || len(colours) < 16 {
		t.Errorf("the thumbnail is nearly blank: %d pixels differ from the background, %d colours", model, len(colours))
	}
}
