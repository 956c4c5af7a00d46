package rodintest

import (
	"encoding/json"
	"net/http"
	"net/url"
	"slices"
)

// Received is one request the fake answered, for tests to assert on.
type Received struct {
	// Route is the API route ("rodin", "status", ...), RouteStorage for a download link, or ""
	// for a request outside the base path.
	Route string
	// Method is the request's HTTP method.
	Method string
	// Path is the request's path below the base path ("/rodin"); for the storage and for requests
	// outside the base path, the whole path.
	Path string
	// Query is the request's query string.
	Query url.Values
	// Header is the request's headers, Authorization included (look there for leaked keys).
	Header http.Header
	// Fields are the body's text fields (multipart, form-encoded, or JSON with arrays as repeated
	// values), each field's values in the order sent.
	Fields url.Values
	// Parts are a multipart body's parts, text fields and files, in the order sent.
	Parts []Part
	// Body is a JSON or form-encoded body as it was sent (the first MiB); nil for multipart.
	Body []byte
	// Status is the fake's answer.
	Status int
}

// Part is one part of a multipart body.
type Part struct {
	// Field is the part's form field name ("images", "tier", ...).
	Field string
	// FileName is the file name a file part declares; "" for a text field.
	FileName string
	// ContentType is the part's own Content-Type header.
	ContentType string
	// Value is a text field's value.
	Value string
	// Size is the part's length in bytes.
	Size int64
	// SHA256 is a file part's SHA-256, in hex.
	SHA256 string
}

// IsFile says whether the part is a file (it has a file name) rather than a text field.
func (p Part) IsFile() bool { return p.FileName != "" }

// Files returns the request's file parts in field, in the order sent; with no field, every file.
func (r Received) Files(field ...string) []Part {
	var out []Part
	for _, p := range r.Parts {
		if p.IsFile() && (len(field) == 0 || slices.Contains(field, p.Field)) {
			out = append(out, p)
		}
	}
	return out
}

func (s *Server) record(r Received) { s.received.Add(r) }

// recordAs records r, answered with status.
func (s *Server) recordAs(r *Received, status int) {
	r.Status = status
	s.record(*r)
}

// Received returns a copy of the requests answered so far, in order; with routes, only those to
// them.
func (s *Server) Received(routes ...string) []Received { return s.received.List(routes...) }

// Count is how many requests to route were answered, whatever the answer.
func (s *Server) Count(route string) int { return len(s.Received(route)) }

// fieldsOf records a JSON object's members as fields: a string as it is, anything else (a
// number, an array) as its JSON text, so that a test sees what was sent.
func fieldsOf(raw map[string]json.RawMessage) url.Values {
	out := url.Values{}
	for k, v := range raw {
		var str string
		if json.Unmarshal(v, &str) == nil {
			out.Add(k, str)
		} else {
			out.Add(k, string(v))
		}
	}
	return out
}
