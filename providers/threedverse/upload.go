package threedverse

import (
	"fmt"
	"io"
	"path/filepath"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/kiln3d/kiln/providers"
	"github.com/kiln3d/kiln/providers/fsguard"
	"github.com/kiln3d/kiln/providers/httpkit"
)

// MaxUpload bounds a publication's files together: 3dverse converts models of a few hundred
// megabytes, and a larger upload is more likely a mistake (a scan left unreduced) than a model.
const MaxUpload = 2 << 30

// uploadField is the form field every file travels in.
const uploadField = "files"

// maxName bounds the name a file is uploaded under, in runes.
const maxName = 100

// upload is a publication's files, checked and named, ready to be sent as a form.
type upload struct {
	form *httpkit.Form
	// model is the name the model is uploaded under ("Chair.glb"), which 3dverse names its
	// assets after, without the extension.
	model string
}

// prepare checks every file of pub before anything is sent, and names them for the upload: each
// must exist, be a regular file (never a FIFO, which would block the upload), and together they
// must stay within MaxUpload; the first must be a glTF model (.glb or .gltf), named after the
// publication. The files after a .gltf (its buffers and images) keep their paths relative to the
// model's folder, which its URIs refer to them by. A refusal is a *providers.InputError naming the
// file.
func prepare(pub providers.Publication) (*upload, error) {
	if len(pub.Files) == 0 {
		return nil, &providers.InputError{Reason: "there is no model to publish"}
	}
	model := pub.Files[0]
	ext := strings.ToLower(filepath.Ext(model))
	if ext != ".glb" && ext != ".gltf" {
		return nil, &providers.InputError{File: model, Reason: "is not a glTF model (.glb or .gltf), which is what Kiln publishes to 3dverse"}
	}
	f := httpkit.NewForm()
	dir := filepath.Dir(model)
	names := map[string]string{}
	seen := map[string]bool{}
	var total int64
	var first string
	for i, path := range pub.Files {
		clean := filepath.Clean(path)
		if seen[clean] {
			continue // the same buffer or image listed twice
		}
		seen[clean] = true
		size, err := checkFile(path, i == 0, ext)
		if err != nil {
			return nil, err
		}
		if total += size; total > MaxUpload {
			return nil, &providers.InputError{File: path, Reason: fmt.Sprintf("the files are more than the %s Kiln uploads to 3dverse at once",
				fsguard.Size(MaxUpload))}
		}
		name := companionName(dir, path)
		if i == 0 {
			name = modelName(pub.Name, model, ext)
		}
		if other, dup := names[strings.ToLower(name)]; dup {
			return nil, &providers.InputError{File: path, Reason: fmt.Sprintf("would be uploaded as %s, like %s: rename one of them",
				name, filepath.Base(other))}
		}
		names[strings.ToLower(name)] = path
		if i == 0 {
			first = name
		}
		f.File(uploadField, path, name, contentType(name), size)
	}
	return &upload{form: f, model: first}, nil
}

// checkFile checks one file of a publication and returns its size. It opens the file without
// blocking (fsguard), so that a FIFO is refused rather than waited on, and reads the start of a
// .glb model, which must be binary glTF.
func checkFile(path string, isModel bool, ext string) (int64, error) {
	file, st, err := fsguard.OpenRegular(path)
	if err != nil {
		return 0, &providers.InputError{File: path, Reason: httpkit.OpenProblem(err)}
	}
	defer func() { _ = file.Close() }()
	size := st.Size()
	switch {
	case size > MaxUpload:
		return 0, &providers.InputError{File: path, Reason: fmt.Sprintf("is %s, more than the %s Kiln uploads to 3dverse",
			fsguard.Size(size), fsguard.Size(MaxUpload))}
	case isModel && size == 0:
		return 0, &providers.InputError{File: path, Reason: "is empty"}
	case isModel && ext == ".glb":
		magic := make([]byte, 4)
		if _, err := io.ReadFull(file, magic); err != nil || string(magic) != "glTF" {
			return 0, &providers.InputError{File: path, Reason: "is not a binary glTF (.glb) file"}
		}
	}
	return size, nil
}

// modelName is the name the model is uploaded under: the publication's name (what the artist
// calls it), or the file's own, made safe for a header and a file system, with the model's
// extension.
func modelName(name, path, ext string) string {
	stem := safeName(strings.TrimSpace(name))
	if stem == "" {
		stem = safeName(strings.TrimSuffix(filepath.Base(path), filepath.Ext(path)))
	}
	if stem == "" {
		stem = "model"
	}
	return stem + ext
}

// safeName keeps letters, digits, spaces and ". - _ ( )" of s, replaces the rest with "_", and
// cuts it to maxName runes: 3dverse names the model's assets after it.
func safeName(s string) string {
	s = strings.Map(func(r rune) rune {
		switch {
		case unicode.IsLetter(r), unicode.IsDigit(r), r == ' ', strings.ContainsRune(".-_()", r):
			return r
		}
		return '_'
	}, strings.ToValidUTF8(s, "_"))
	if r := []rune(s); len(r) > maxName {
		s = string(r[:maxName])
	}
	return strings.Trim(s, " .")
}

// companionName is the name a buffer or image is uploaded under: its path relative to the model's
// folder dir, slash-separated, when it lies there ("textures/wood.png", as the model's URIs
// write it), else its base name; a quote, backslash or control character (which a header cannot
// carry) becomes "_".
func companionName(dir, path string) string {
	name := filepath.Base(path)
	if rel, err := filepath.Rel(dir, path); err == nil && filepath.IsLocal(rel) {
		name = filepath.ToSlash(rel)
	}
	return strings.Map(func(r rune) rune {
		if r == '"' || r == '\\' || unicode.IsControl(r) || r == utf8.RuneError {
			return '_'
		}
		return r
	}, strings.ToValidUTF8(name, "_"))
}

// contentType is the media type a file is sent as, by its extension.
func contentType(name string) string {
	switch strings.ToLower(filepath.Ext(name)) {
	case ".glb":
		return "model/gltf-binary"
	case ".gltf":
		return "model/gltf+json"
	case ".png":
		return "image/png"
	case ".jpg", ".jpeg":
		return "image/jpeg"
	case ".webp":
		return "image/webp"
	case ".ktx2":
		return "image/ktx2"
	}
	return "application/octet-stream"
}
