package threedversetest

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"mime"
	"net/http"
)

// The fake's limits on what it reads; 3dverse publishes none.
const (
	maxJSONBody  = 1 << 20   // a JSON body
	maxUpload    = 512 << 20 // a whole multipart upload (Options.maxUpload lowers it in tests)
	maxParts     = 1000      // parts of one upload
	maxTextField = 64 << 10  // a multipart text field
)

// jsonBody is a JSON object's members, by name.
type jsonBody map[string]json.RawMessage

// readJSON reads r's body, a JSON object of at most maxJSONBody bytes, recording its members'
// names (never their values) in rec.Fields, in the order sent.
func readJSON(w http.ResponseWriter, r *http.Request, rec *Request) (jsonBody, error) {
	// The fake's choice: a body without a Content-Type is read as JSON, as many servers do.
	if ct := r.Header.Get("Content-Type"); ct != "" {
		if mt, _, err := mime.ParseMediaType(ct); err != nil || mt != "application/json" {
			return nil, badRequest("the body must be application/json, not %q", ct)
		}
	}
	data, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxJSONBody))
	if err != nil {
		if tooLarge := new(http.MaxBytesError); errors.As(err, &tooLarge) {
			return nil, apiErr(http.StatusRequestEntityTooLarge, codeTooLarge, "the JSON body is larger than %d bytes", maxJSONBody)
		}
		return nil, badRequest("unreadable body: %v", err)
	}
	if len(bytes.TrimSpace(data)) == 0 {
		return nil, badRequest("the body is empty: send a JSON object")
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	if tok, err := dec.Token(); err != nil || tok != json.Delim('{') {
		return nil, badRequest("malformed JSON body: it must be a JSON object")
	}
	body := jsonBody{}
	var names []string
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return nil, badRequest("malformed JSON body: %v", err)
		}
		name, _ := tok.(string) // inside an object, the decoder gives only strings here
		var v json.RawMessage
		if err := dec.Decode(&v); err != nil {
			return nil, badRequest("malformed JSON body: the value of %q: %v", name, err)
		}
		body[name] = v
		names = append(names, name)
	}
	if _, err := dec.Token(); err != nil {
		return nil, badRequest("malformed JSON body: %v", err)
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return nil, badRequest("malformed JSON body: something follows the object")
	}
	rec.Fields = names
	return body, nil
}

// str returns the member name, a string; "" when absent or null.
func (b jsonBody) str(name string) (string, error) {
	raw, ok := b[name]
	if !ok || string(raw) == "null" {
		return "", nil
	}
	var v string
	if err := json.Unmarshal(raw, &v); err != nil {
		return "", badRequest("%q must be a string, not %s", name, excerpt(raw))
	}
	return v, nil
}

// decode reads the member name into v, leaving v as it is when the member is absent or null.
func (b jsonBody) decode(name string, v any) error {
	raw, ok := b[name]
	if !ok || string(raw) == "null" {
		return nil
	}
	if err := json.Unmarshal(raw, v); err != nil {
		return badRequest("%q is malformed: %v", name, err)
	}
	return nil
}

// excerpt is the start of a JSON value, for a refusal's words.
func excerpt(raw json.RawMessage) string {
	if len(raw) > 40 {
		return string(raw[:40]) + "..."
	}
	return string(raw)
}
