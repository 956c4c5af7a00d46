package kaedim

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"mime/multipart"
	"net/textproto"
	"os"
	"path/filepath"
	"strings"

	"github.com/kiln3d/kiln/providers"
)

// form builds a multipart/form-data body that can be sent more than once (the 401 retry sends it
// again) without holding the images in memory: the fields and part headers are kept, the images
// are read from disk on each send. Its length is known up front, so the upload is not chunked.
type form struct {
	buf   bytes.Buffer
	w     *multipart.Writer
	parts []formPart
}

// formPart is either bytes of the body or an image file of a known size.
type formPart struct {
	data []byte
	path string
	size int64
}

func newForm() *form {
	f := &form{}
	f.w = multipart.NewWriter(&f.buf)
	return f
}

func (f *form) field(name, value string) {
	_ = f.w.WriteField(name, value) // writes to a bytes.Buffer, which cannot fail
}

func (f *form) file(field, path, contentType string, size int64) {
	h := textproto.MIMEHeader{}
	h.Set("Content-Disposition", fmt.Sprintf(`form-data; name="%s"; filename="%s"`, quote(field), quote(filepath.Base(path))))
	h.Set("Content-Type", contentType)
	_, _ = f.w.CreatePart(h)
	f.flush()
	f.parts = append(f.parts, formPart{path: path, size: size})
}

func (f *form) flush() {
	if f.buf.Len() > 0 {
		f.parts = append(f.parts, formPart{data: bytes.Clone(f.buf.Bytes())})
		f.buf.Reset()
	}
}

var quoter = strings.NewReplacer(`\`, `\\`, `"`, `\"`, "\r", "", "\n", "")

func quote(s string) string { return quoter.Replace(s) }

// payload closes the form and returns it as a body.
func (f *form) payload() *payload {
	_ = f.w.Close()
	f.flush()
	var size int64
	for _, p := range f.parts {
		size += int64(len(p.data)) + p.size
	}
	parts := f.parts
	return &payload{
		contentType: f.w.FormDataContentType(),
		size:        size,
		open:        func() (io.ReadCloser, error) { return &formReader{parts: parts}, nil },
	}
}

// formReader streams the parts in order, opening each image as it is reached.
type formReader struct {
	parts []formPart
	cur   io.Reader
	file  *os.File
}

func (r *formReader) Read(b []byte) (int, error) {
	for {
		if r.cur == nil {
			if len(r.parts) == 0 {
				return 0, io.EOF
			}
			p := r.parts[0]
			r.parts = r.parts[1:]
			if p.path == "" {
				r.cur = bytes.NewReader(p.data)
				continue
			}
			if err := r.openFile(p); err != nil {
				return 0, err
			}
		}
		n, err := r.cur.Read(b)
		if errors.Is(err, io.EOF) {
			r.closeFile()
			r.cur = nil
			if n > 0 {
				return n, nil
			}
			continue
		}
		return n, err
	}
}

// openFile opens an image and checks it still has the size it had when Submit checked it: the
// body's length was announced from that size.
func (r *formReader) openFile(p formPart) error {
	f, err := os.Open(p.path)
	if err != nil {
		return &providers.InputError{File: p.path, Reason: "could not be read for the upload: " + err.Error()}
	}
	st, err := f.Stat()
	if err != nil || st.Size() != p.size {
		f.Close()
		return &providers.InputError{File: p.path, Reason: "changed while it was being sent: try again"}
	}
	r.file, r.cur = f, io.LimitReader(f, p.size)
	return nil
}

func (r *formReader) closeFile() {
	if r.file != nil {
		r.file.Close()
		r.file = nil
	}
}

// Close closes the image being read, if any.
func (r *formReader) Close() error {
	r.closeFile()
	return nil
}
