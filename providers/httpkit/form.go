package httpkit

import (
	"crypto/rand"
	"encoding/hex"
	"errors"
	"io"
	"io/fs"
	"mime/multipart"
	"net/textproto"

	"github.com/kiln3d/kiln/providers"
	"github.com/kiln3d/kiln/providers/fsguard"
)

// copyChunk is how much of a file is sent between two progress reports, at most.
const copyChunk = 256 << 10

// Form is a multipart/form-data body of text fields and files, streamed from the files on disk as
// it is sent rather than held in memory, with its length worked out beforehand: the upload is not
// chunked, which some proxies refuse. It may be opened any number of times: each sending reads the
// files afresh, and stops at one whose size is no longer the size it was added with. Once built,
// it may be opened and measured from several goroutines at once.
type Form struct {
	boundary string
	parts    []formPart
}

// formPart is a text field, or a file (path set) of a known size.
type formPart struct {
	field, value string
	// path is the file on disk; name what it is uploaded as.
	path, name  string
	contentType string
	bytes       int64
}

// NewForm returns an empty form, with a boundary no file is likely to hold.
func NewForm() *Form {
	b := make([]byte, 24)
	_, _ = rand.Read(b) // crypto/rand never fails on supported systems
	return &Form{boundary: "kiln-" + hex.EncodeToString(b)}
}

// Field adds a text field.
func (f *Form) Field(name, value string) {
	f.parts = append(f.parts, formPart{field: name, value: value})
}

// File adds the file at path, of size bytes (its size when it was checked), in the form field
// field, sent as a file named name of media type contentType. name is sent as given, quotes and
// line breaks escaped: the caller makes it a name the service can store.
func (f *Form) File(field, path, name, contentType string, size int64) {
	f.parts = append(f.parts, formPart{field: field, path: path, name: name, contentType: contentType, bytes: size})
}

// ContentType is the form's media type, with its boundary: the request's Content-Type.
func (f *Form) ContentType() string { return "multipart/form-data; boundary=" + f.boundary }

// Size is the body's length, the request's ContentLength: counted by writing everything but the
// files' bytes, which are counted by the sizes they were added with. No file is read.
func (f *Form) Size() int64 {
	var c counter
	_ = f.write(&c, func(_ io.Writer, p formPart) error { // a counter cannot fail
		c.n += p.bytes
		return nil
	})
	return c.n
}

// FileBytes is the size of the form's files together.
func (f *Form) FileBytes() int64 {
	var n int64
	for _, p := range f.parts {
		n += p.bytes
	}
	return n
}

// Files is how many files the form holds.
func (f *Form) Files() int {
	n := 0
	for _, p := range f.parts {
		if p.path != "" {
			n++
		}
	}
	return n
}

// Open returns the body, written by a goroutine as it is read, and a channel that holds the
// files' bytes written so far, the latest count only: the writer never waits for it to be read.
// Each file is opened again (fsguard, so that a FIFO swapped in is refused rather than waited on)
// and must still have the size it was added with; one that cannot be read, or has changed, ends
// the body with a *providers.InputError naming it. Closing the body (net/http does, once the
// request is over, however it ended) stops the goroutine, closes the file it was reading, and
// returns once it has.
func (f *Form) Open() (io.ReadCloser, <-chan int64) {
	pr, pw := io.Pipe()
	sent := make(chan int64, 1)
	done := make(chan struct{})
	go func() {
		defer close(done)
		var n int64
		pw.CloseWithError(f.write(pw, func(w io.Writer, p formPart) error {
			return copyFile(w, p, func(k int64) {
				n += k
				latest(sent, n)
			})
		}))
	}()
	return &pipeBody{PipeReader: pr, done: done}, sent
}

// OpenProblem says why fsguard.OpenRegular could not open a file, to follow its name: "does not
// exist (it was moved or deleted)", "cannot be read: permission denied", fsguard's own reason for
// a file that is not a regular file ("is a named pipe (FIFO), not a file"), or the error itself.
func OpenProblem(err error) string {
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
func (f *Form) write(w io.Writer, content func(io.Writer, formPart) error) error {
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
		h.Set("Content-Disposition", multipart.FileContentDisposition(p.field, p.name))
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
// with, a chunk at a time, telling wrote of every chunk.
func copyFile(w io.Writer, p formPart, wrote func(int64)) error {
	file, st, err := fsguard.OpenRegular(p.path)
	if err != nil {
		return &providers.InputError{File: p.path, Reason: "could not be read for the upload: " + OpenProblem(err)}
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
