package kaedimtest

import (
	"encoding/json"
	"net/http"
	"net/url"
	"sort"
	"strconv"
)

// Received is one request the fake answered, for tests to assert on.
type Received struct {
	// Route is the API route ("process", ...), or "download" for the storage.
	Route  string
	Method string
	// Path is the request's path below the base path.
	Path   string
	Query  url.Values
	Header http.Header
	// Fields are the body's fields (multipart, form or JSON, arrays as repeated values).
	Fields url.Values
	// Files are the multipart files, "image" first, then image-0, image-1, ...
	Files []File
	// Status is the fake's answer.
	Status int
}

// File is one multipart file.
type File struct {
	Field, Name, ContentType string
	Data                     []byte
}

// recordAs records r, answered with status.
func (s *Server) recordAs(r *Received, status int) {
	r.Status = status
	s.received.Add(*r)
}

// Received returns the requests answered so far, in order; with routes, only those to them.
func (s *Server) Received(routes ...string) []Received { return s.received.List(routes...) }

// Count is how many requests to route were answered, whatever the answer.
func (s *Server) Count(route string) int { return len(s.Received(route)) }

// flatten turns a JSON object into fields: strings as they are, other values as JSON, arrays as
// repeated values.
func flatten(raw map[string]any) url.Values {
	out := url.Values{}
	keys := make([]string, 0, len(raw))
	for k := range raw {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		values := []any{raw[k]}
		if list, ok := raw[k].([]any); ok {
			values = list
		}
		for _, v := range values {
			switch v := v.(type) {
			case nil:
			case string:
				out.Add(k, v)
			case float64:
				out.Add(k, strconv.FormatFloat(v, 'f', -1, 64))
			case bool:
				out.Add(k, strconv.FormatBool(v))
			default:
				data, _ := json.Marshal(v)
				out.Add(k, string(data))
			}
		}
	}
	return out
}
