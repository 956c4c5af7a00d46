package rodin

import (
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"mime/multipart"
	"net/textproto"
	"path/filepath"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/kiln3d/kiln/providers"
	"github.com/kiln3d/kiln/providers/fsguard"
)

// form is a multipart/form-data body, streamed from the files on disk as it is sent rather than
// held in memory, with its length worked out beforehand: the upload is not chunked, which some
// proxies refuse.
type form struct {
	boundary string
	parts    []formPart
}

// formPart is a text field, or a file (path set) of a known size.
type formPart struct {
	field, value string
	path, name   string
	contentType  string
	bytes        int64
}

func newForm() *form {
	b := make([]byte, 24)
	_, _ = rand.Read(b) // crypto/rand never fails on supported systems
	return &form{boundary: "kiln-" + hex.EncodeToString(b)}
}

// field adds a text field.
func (f *form) field(name, value string) {
	f.parts = append(f.parts, formPart{field: name, value: value})
}

// file adds the file at path, of size bytes, sent under a safe form of its base name.
func (f *form) file(field, path, contentType string, size int64, fallback string) {
	f.parts = append(f.parts, formPart{field: field, path: path, name: uploadName(path, fallback), contentType: contentType, bytes: size})
}

func (f *form) contentType() string { return "multipart/form-data; boundary=" + f.boundary }

// size is the body's length, counted by writing everything but the files' bytes.
func (f *form) size() int64 {
	var c counter
	_ = f.write(&c, func(w io.Writer, p formPart) error { // a counter cannot fail
		c.n += p.bytes
		return nil
	})
	return c.n
}

// open returns the body, written by a goroutine as it is read. Closing it (net/http does, once
// the request is over, however it ended) stops the goroutine and closes the file it was reading.
func (f *form) open() io.ReadCloser {
	pr, pw := io.Pipe()
	done := make(chan struct{})
	go func() {
		defer close(done)
		pw.CloseWithError(f.write(pw, copyFile))
	}()
	return &pipeBody{PipeReader: pr, done: done}
}

// write writes the form to w, the files' contents by content.
func (f *form) write(w io.Writer, content func(io.Writer, formPart) error) error {
	mw := multipart.NewWriter(w)
	if err := mw.SetBoundary(f.boundary); err != nil {
		return err
	}
	for _, p := range f.parts {
		if p.path == "" {
			if err := mw.WriteField(p.field, p.value); err != nil {
				return err
			}
			continue
		}
		h := textproto.MIMEHeader{}
		h.Set("Content-Disposition", fmt.Sprintf(`form-data; name=%q; filename=%q`, p.field, p.name))
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
// with.
func copyFile(w io.Writer, p formPart) error {
	file, st, err := fsguard.OpenRegular(p.path)
	if err != nil {
		return &providers.InputError{File: p.path, Reason: "could not be read for the upload: " + err.Error()}
	}
	defer func() { _ = file.Close() }()
	if st.Size() != p.bytes {
		return &providers.InputError{File: p.path, Reason: "changed while it was being sent: try again"}
	}
	n, err := io.Copy(w, io.LimitReader(file, p.bytes))
	switch {
	case errors.Is(err, io.ErrClosedPipe):
		return err // the request ended: nothing reads any more
	case err != nil:
		return &providers.InputError{File: p.path, Reason: "could not be read for the upload: " + err.Error()}
	case n != p.bytes:
		return &providers.InputError{File: p.path, Reason: "changed while it was being sent: try again"}
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

type counter struct{ n int64 }

func (c *counter) Write(b []byte) (int, error) {
	c.n += int64(len(b))
	return len(b), nil
}

// maxUploadName bounds an upload's file name, in runes.
const maxUploadName = 100

// uploadName is the base name of path as a multipart header can carry it and a server can store
// it: letters, digits, spaces, dots, dashes and underscores, the rest replaced by "_", at most
// maxUploadName runes with the extension kept; fallback when nothing is left.
func uploadName(path, fallback string) string {
	base := filepath.Base(path)
	if !utf8.ValidString(base) {
		base = strings.ToValidUTF8(base, "_")
	}
	safe := strings.Map(func(r rune) rune {
		switch {
		case unicode.IsLetter(r), unicode.IsDigit(r), r == '.', r == '-', r == '_', r == ' ':
			return r
		}
		return '_'
	}, base)
	safe = strings.Trim(safe, ". ")
	if strings.Trim(safe, "_") == "" {
		return fallback
	}
	return shorten(safe, maxUploadName)
}

// shorten cuts name to n runes, keeping its extension.
func shorten(name string, n int) string {
	if utf8.RuneCountInString(name) <= n {
		return name
	}
	ext := filepath.Ext(name)
	if utf8.RuneCountInString(ext) > n/2 {
		ext = ""
	}
	stem := []rune(strings.TrimSuffix(name, ext))
	return string(stem[:n-utf8.RuneCountInString(ext)]) + ext
}
