package threedverse

import (
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"mime/multipart"
	"net/textproto"
	"path/filepath"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/kiln3d/kiln/providers"
	"github.com/kiln3d/kiln/providers/fsguard"
)

// MaxUpload bounds a publication's files together: 3dverse converts models of a few hundred
// megabytes, and a larger upload is more likely a mistake (a scan left unreduced) than a model.
const MaxUpload = 2 << 30

// uploadField is the form field every file travels in.
const uploadField = "files"

// maxName bounds the name a file is uploaded under, in runes.
const maxName = 100

// copyChunk is how much of a file is sent between two progress reports, at most.
const copyChunk = 256 << 10

// upload is a publication's files, checked and named, ready to be sent as a form.
type upload struct {
	form *form
	// model is the name the model is uploaded under ("Chair.glb"), which 3dverse names its
	// assets after, without the extension.
	model string
}

// form is a multipart/form-data body of files, streamed from disk as it is sent rather than held
// in memory, with its length worked out beforehand: the upload is not chunked, which some proxies
// refuse. It may be opened any number of times: each sending reads the files afresh.
type form struct {
	boundary string
	parts    []filePart
}

// filePart is one file of the form.
type filePart struct {
	// path is the file on disk; name what it is uploaded as.
	path, name  string
	contentType string
	bytes       int64
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
	f := &form{boundary: newBoundary()}
	dir := filepath.Dir(model)
	names := map[string]string{}
	seen := map[string]bool{}
	var total int64
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
		f.parts = append(f.parts, filePart{path: path, name: name, contentType: contentType(name), bytes: size})
	}
	return &upload{form: f, model: f.parts[0].name}, nil
}

// checkFile checks one file of a publication and returns its size. It opens the file without
// blocking (fsguard), so that a FIFO is refused rather than waited on, and reads the start of a
// .glb model, which must be binary glTF.
func checkFile(path string, isModel bool, ext string) (int64, error) {
	file, st, err := fsguard.OpenRegular(path)
	if err != nil {
		return 0, &providers.InputError{File: path, Reason: openProblem(err)}
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

// openProblem says why a file could not be opened, to follow its name.
func openProblem(err error) string {
	var fe *fsguard.Error
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return "does not exist (it was moved or deleted)"
	case errors.Is(err, fs.ErrPermission):
		return "cannot be read: permission denied"
	case errors.As(err, &fe):
		return fe.Reason
	}
	return "could not be opened: " + err.Error()
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

// newBoundary is a form boundary no file is likely to hold.
func newBoundary() string {
	b := make([]byte, 24)
	_, _ = rand.Read(b) // crypto/rand never fails on supported systems
	return "kiln-" + hex.EncodeToString(b)
}

// contentType is the form's media type.
func (f *form) contentType() string { return "multipart/form-data; boundary=" + f.boundary }

// bytes is the size of the form's files together.
func (f *form) bytes() int64 {
	var n int64
	for _, p := range f.parts {
		n += p.bytes
	}
	return n
}

// size is the body's length, counted by writing everything but the files' bytes.
func (f *form) size() int64 {
	var c counter
	_ = f.write(&c, func(_ io.Writer, p filePart) error { // a counter cannot fail
		c.n += p.bytes
		return nil
	})
	return c.n
}

// open returns the body, written by a goroutine as it is read, and a channel that holds the
// files' bytes written so far, the latest count only. Closing the body (net/http does, once the
// request is over, however it ended) stops the goroutine and closes the file it was reading.
func (f *form) open() (io.ReadCloser, <-chan int64) {
	pr, pw := io.Pipe()
	sent := make(chan int64, 1)
	done := make(chan struct{})
	go func() {
		defer close(done)
		var n int64
		pw.CloseWithError(f.write(pw, func(w io.Writer, p filePart) error {
			return copyFile(w, p, func(k int64) {
				n += k
				latest(sent, n)
			})
		}))
	}()
	return &pipeBody{PipeReader: pr, done: done}, sent
}

// latest puts n in ch, replacing the count it holds: the reader wants the newest only.
func latest(ch chan int64, n int64) {
	for {
		select {
		case ch <- n:
			return
		default:
		}
		select {
		case <-ch:
		default:
		}
	}
}

// write writes the form to w, the files' contents by content.
func (f *form) write(w io.Writer, content func(io.Writer, filePart) error) error {
	mw := multipart.NewWriter(w)
	if err := mw.SetBoundary(f.boundary); err != nil {
		return err
	}
	for _, p := range f.parts {
		h := textproto.MIMEHeader{}
		h.Set("Content-Disposition", fmt.Sprintf(`form-data; name="%s"; filename="%s"`, uploadField, p.name))
		h.Set("Content-Type", p.contentType)
		pw, err := mw.CreatePart(h)
		if err != nil {
			return err
		}
		if err := content(pw, p); err != nil {
			return err
		}
	}
	return mw.Close()
}

// copyFile copies the file of p, which must still have the size the body's length was counted
// with, telling wrote of every chunk.
func copyFile(w io.Writer, p filePart, wrote func(int64)) error {
	file, st, err := fsguard.OpenRegular(p.path)
	if err != nil {
		return &providers.InputError{File: p.path, Reason: "could not be read for the upload: " + openProblem(err)}
	}
	defer func() { _ = file.Close() }()
	if st.Size() != p.bytes {
		return &providers.InputError{File: p.path, Reason: "changed while it was being sent: try again"}
	}
	var n int64
	for n < p.bytes {
		k, err := io.CopyN(w, file, min(copyChunk, p.bytes-n))
		n += k
		wrote(k)
		switch {
		case errors.Is(err, io.ErrClosedPipe):
			return err // the request ended: nothing reads any more
		case errors.Is(err, io.EOF):
			return &providers.InputError{File: p.path, Reason: "changed while it was being sent: try again"}
		case err != nil:
			return &providers.InputError{File: p.path, Reason: "could not be read for the upload: " + err.Error()}
		}
	}
	return nil
}

// pipeBody is the read end of a form being written; Close waits for the writer to stop.
type pipeBody struct {
	*io.PipeReader
	done chan struct{}
}

// Close stops the writer and waits for it.
func (b *pipeBody) Close() error {
	err := b.PipeReader.Close()
	<-b.done
	return err
}

// counter counts what is written to it.
type counter struct{ n int64 }

// Write counts b.
func (c *counter) Write(b []byte) (int, error) {
	c.n += int64(len(b))
	return len(b), nil
}
