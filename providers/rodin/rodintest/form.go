package rodintest

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"net/url"
)

// The fake's limits on what it reads; Rodin publishes none but the number of images.
const (
	maxUpload    = 64 << 20 // a whole multipart body
	maxJSONBody  = 1 << 20  // a /status or /download body
	maxParts     = 200
	maxTextField = 64 << 10
)

// upload is a file part, kept whole: images become the model's texture, a model is checked.
type upload struct {
	field, name, contentType string
	data                     []byte
}

// form is a multipart body: its text fields and its files, each in the order sent.
type form struct {
	fields url.Values
	files  []upload
}

// filesIn returns the uploads in field, in order.
func (f *form) filesIn(field string) []upload {
	var out []upload
	for _, u := range f.files {
		if u.field == field {
			out = append(out, u)
		}
	}
	return out
}

// readMultipart reads a multipart/form-data body part by part, so that the order of the parts
// (the images' above all) is kept, and records every part in rec.
func readMultipart(w http.ResponseWriter, r *http.Request, rec *Received) (*form, error) {
	ct, params, err := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if err != nil || ct != "multipart/form-data" || params["boundary"] == "" {
		return nil, fmt.Errorf("the body must be multipart/form-data with a boundary, not %q", r.Header.Get("Content-Type"))
	}
	r.Body = http.MaxBytesReader(w, r.Body, maxUpload)
	mr, err := r.MultipartReader()
	if err != nil {
		return nil, fmt.Errorf("unreadable multipart body: %w", err)
	}
	f := &form{fields: url.Values{}}
	rec.Fields = f.fields
	for n := 0; ; n++ {
		p, err := mr.NextPart()
		if errors.Is(err, io.EOF) {
			return f, nil
		}
		if err != nil {
			return nil, fmt.Errorf("unreadable multipart body after %d parts: %w", n, err)
		}
		if n == maxParts {
			return nil, fmt.Errorf("more than %d multipart parts", maxParts)
		}
		limit := int64(maxTextField)
		if p.FileName() != "" {
			limit = maxUpload
		}
		data, err := io.ReadAll(io.LimitReader(p, limit+1))
		_ = p.Close()
		if err != nil {
			return nil, fmt.Errorf("unreadable multipart part %q: %w", p.FormName(), err)
		}
		part := Part{Field: p.FormName(), FileName: p.FileName(), ContentType: p.Header.Get("Content-Type"), Size: int64(len(data))}
		if part.IsFile() {
			sum := sha256.Sum256(data)
			part.SHA256 = hex.EncodeToString(sum[:])
			f.files = append(f.files, upload{field: part.Field, name: part.FileName, contentType: part.ContentType, data: data})
		} else {
			if int64(len(data)) > limit {
				return nil, fmt.Errorf("the text field %q is longer than %d bytes", part.Field, limit)
			}
			part.Value = string(data)
			f.fields.Add(part.Field, part.Value)
		}
		rec.Parts = append(rec.Parts, part)
	}
}

// readFields reads a JSON object or a form-encoded body into fields, recording both.
func readFields(w http.ResponseWriter, r *http.Request, rec *Received) (url.Values, error) {
	data, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxJSONBody))
	rec.Body = data
	if err != nil {
		return nil, fmt.Errorf("unreadable body: %w", err)
	}
	ct, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	switch ct {
	case "application/x-www-form-urlencoded":
		v, err := url.ParseQuery(string(data))
		if err != nil {
			return nil, fmt.Errorf("unreadable form-encoded body: %w", err)
		}
		rec.Fields = v
		return v, nil
	case "application/json", "":
		// The fake's choice: a JSON body without a Content-Type is read as JSON, as many servers do.
		var raw map[string]json.RawMessage
		dec := json.NewDecoder(bytes.NewReader(data))
		if err := dec.Decode(&raw); err != nil || raw == nil {
			return nil, fmt.Errorf("the body is not a JSON object: %v", errText(err))
		}
		rec.Fields = fieldsOf(raw)
		return rec.Fields, nil
	}
	return nil, fmt.Errorf("the body must be application/json or application/x-www-form-urlencoded, not %q", ct)
}

func errText(err error) string {
	if err == nil {
		return "null"
	}
	return err.Error()
}
