package server

import (
	"bytes"
	_ "embed"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"sync"
)

// openapiJSON is the API's contract: every route of table(), its answers and their JSON. The
// tests hold the server to it, and the Postman collection is made from it.
//
//go:embed openapi.json
var openapiJSON []byte

// openapi is GET /api/v1/openapi: the API's OpenAPI 3.1 document.
func (s *Server) openapi(w http.ResponseWriter, _ *http.Request, _ Key) error {
	w.Header().Set("Content-Type", "application/json")
	_, _ = w.Write(openapiJSON)
	return nil
}

// postman is GET /api/v1/postman: a Postman collection of the API, with its baseUrl set to the
// address this request was sent to.
func (s *Server) postman(w http.ResponseWriter, r *http.Request, _ Key) error {
	doc, err := parsedOpenAPI()
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, postmanCollection(doc, s.base(r)))
	return nil
}

// The parts of the OpenAPI document the Postman collection is made from.
type (
	oaDocument struct {
		Info struct {
			Title, Description string
		}
		Tags       []struct{ Name, Description string }
		Paths      ordered[ordered[json.RawMessage]] // path → "parameters" or a method → operation
		Components struct {
			Parameters map[string]oaParameter
			Schemas    map[string]oaSchema
		}
	}
	oaOperation struct {
		Tags                 []string
		Summary, Description string
		Security             []map[string][]string
		Parameters           []oaParameter
		RequestBody          *struct {
			Content ordered[struct {
				Schema  oaSchema
				Example json.RawMessage
			}]
		}
	}
	oaParameter struct {
		Ref                   string `json:"$ref"`
		Name, In, Description string
		Required              bool
		Schema                oaSchema
	}
	oaSchema struct {
		Ref              string `json:"$ref"`
		Type             any
		Default          any
		Description      string
		ContentMediaType string
		Items            *oaSchema
		Properties       ordered[oaSchema]
	}
)

// ordered is a JSON object that remembers the order of its keys.
type ordered[T any] struct {
	Keys   []string
	Values map[string]T
}

func (o *ordered[T]) UnmarshalJSON(data []byte) error {
	dec := json.NewDecoder(bytes.NewReader(data))
	if t, err := dec.Token(); err != nil || t != json.Delim('{') {
		return fmt.Errorf("not a JSON object: %.40s", data)
	}
	o.Values = map[string]T{}
	for dec.More() {
		t, err := dec.Token()
		if err != nil {
			return err
		}
		key := t.(string)
		var v T
		if err := dec.Decode(&v); err != nil {
			return fmt.Errorf("%s: %w", key, err)
		}
		o.Keys = append(o.Keys, key)
		o.Values[key] = v
	}
	return nil
}

// parsedOpenAPI reads the embedded document once.
var parsedOpenAPI = sync.OnceValues(func() (*oaDocument, error) {
	var doc oaDocument
	if err := json.Unmarshal(openapiJSON, &doc); err != nil {
		return nil, fmt.Errorf("openapi.json: %w", err)
	}
	return &doc, nil
})

// ref finds what a local $ref ("#/components/<kind>/<name>") names.
func ref[T any](within map[string]T, kind, r string) (T, bool) {
	name, ok := strings.CutPrefix(r, "#/components/"+kind+"/")
	v, found := within[name]
	return v, ok && found
}

// Postman collection v2.1, as much of it as the collection uses.
const postmanSchema = "https://schema.getpostman.com/json/collection/v2.1.0/collection.json"

type (
	pmCollection struct {
		Info     pmInfo       `json:"info"`
		Item     []pmFolder   `json:"item"`
		Variable []pmVariable `json:"variable"`
	}
	pmInfo struct {
		Name        string `json:"name"`
		Description string `json:"description,omitempty"`
		Schema      string `json:"schema"`
	}
	pmFolder struct {
		Name        string   `json:"name"`
		Description string   `json:"description,omitempty"`
		Item        []pmItem `json:"item"`
	}
	pmItem struct {
		Name    string    `json:"name"`
		Request pmRequest `json:"request"`
	}
	pmRequest struct {
		Method      string         `json:"method"`
		Header      []pmVariable   `json:"header"`
		URL         pmURL          `json:"url"`
		Body        map[string]any `json:"body,omitempty"`
		Description string         `json:"description,omitempty"`
	}
	pmURL struct {
		Raw      string       `json:"raw"`
		Host     []string     `json:"host"`
		Path     []string     `json:"path"`
		Query    []pmVariable `json:"query,omitempty"`
		Variable []pmVariable `json:"variable,omitempty"`
	}
	// pmVariable is a key and value: a collection variable, a header, a query or path
	// parameter, or a form field.
	pmVariable struct {
		Key         string   `json:"key"`
		Value       string   `json:"value"`
		Type        string   `json:"type,omitempty"`
		Src         []string `json:"src,omitempty"`
		Description string   `json:"description,omitempty"`
		Disabled    bool     `json:"disabled,omitempty"`
	}
)

// postmanCollection makes a Postman collection of doc: a folder per tag, a request per operation,
// with {{baseUrl}} (base) and {{apiKey}} to fill in.
func postmanCollection(doc *oaDocument, base string) pmCollection {
	c := pmCollection{
		Info:     pmInfo{Name: doc.Info.Title, Description: doc.Info.Description, Schema: postmanSchema},
		Item:     []pmFolder{},
		Variable: []pmVariable{{Key: "baseUrl", Value: base}, {Key: "apiKey", Value: "", Description: "An API key's secret (kiln_...)."}},
	}
	folder := map[string]int{}
	for _, t := range doc.Tags {
		folder[t.Name] = len(c.Item)
		c.Item = append(c.Item, pmFolder{Name: t.Name, Description: t.Description, Item: []pmItem{}})
	}
	for _, path := range doc.Paths.Keys {
		entries := doc.Paths.Values[path]
		var shared []oaParameter
		if raw, ok := entries.Values["parameters"]; ok {
			_ = json.Unmarshal(raw, &shared)
		}
		for _, method := range entries.Keys {
			var op oaOperation
			if method == "parameters" || json.Unmarshal(entries.Values[method], &op) != nil {
				continue
			}
			tag := "API"
			if len(op.Tags) > 0 {
				tag = op.Tags[0]
			}
			i, ok := folder[tag]
			if !ok {
				i, folder[tag] = len(c.Item), len(c.Item)
				c.Item = append(c.Item, pmFolder{Name: tag, Item: []pmItem{}})
			}
			c.Item[i].Item = append(c.Item[i].Item, pmItem{Name: op.Summary,
				Request: postmanRequest(doc, strings.ToUpper(method), path, op, append(shared[:len(shared):len(shared)], op.Parameters...))})
		}
	}
	return c
}

// postmanRequest is one operation as a Postman request.
func postmanRequest(doc *oaDocument, method, path string, op oaOperation, params []oaParameter) pmRequest {
	req := pmRequest{Method: method, Header: []pmVariable{}, Description: op.Description}
	if len(op.Security) > 0 {
		req.Header = append(req.Header, pmVariable{Key: "x-api-key", Value: "{{apiKey}}"})
	}
	req.URL = pmURL{Raw: "{{baseUrl}}", Host: []string{"{{baseUrl}}"}, Path: []string{}}
	for seg := range strings.SplitSeq(strings.Trim(path, "/"), "/") {
		if name, ok := strings.CutPrefix(seg, "{"); ok {
			seg = ":" + strings.TrimSuffix(name, "}")
		}
		if seg != "" {
			req.URL.Path = append(req.URL.Path, seg)
		}
	}
	req.URL.Raw += "/" + strings.Join(req.URL.Path, "/")
	for _, p := range params {
		if p.Ref != "" {
			p, _ = ref(doc.Components.Parameters, "parameters", p.Ref)
		}
		v := pmVariable{Key: p.Name, Value: example(p.Schema), Description: p.Description, Disabled: !p.Required}
		switch p.In {
		case "path":
			v.Disabled = false
			req.URL.Variable = append(req.URL.Variable, v)
		case "query":
			req.URL.Query = append(req.URL.Query, v)
		case "header":
			req.Header = append(req.Header, v)
		}
	}
	if op.RequestBody == nil {
		return req
	}
	if form, ok := op.RequestBody.Content.Values["multipart/form-data"]; ok {
		var fields []pmVariable
		for _, name := range formFields(doc, form.Schema) {
			s := formField(doc, form.Schema, name)
			f := pmVariable{Key: name, Value: example(s), Type: "text", Description: s.Description, Disabled: true}
			if s.Items != nil && s.Items.ContentMediaType != "" {
				f = pmVariable{Key: name, Type: "file", Src: []string{}, Description: s.Description}
			}
			fields = append(fields, f)
		}
		req.Body = map[string]any{"mode": "formdata", "formdata": fields}
	} else if js, ok := op.RequestBody.Content.Values["application/json"]; ok {
		var pretty bytes.Buffer
		_ = json.Indent(&pretty, js.Example, "", "  ")
		req.Header = append(req.Header, pmVariable{Key: "Content-Type", Value: "application/json"})
		req.Body = map[string]any{"mode": "raw", "raw": pretty.String(), "options": map[string]any{"raw": map[string]string{"language": "json"}}}
	}
	return req
}

// formFields lists a form schema's fields: its own (the images), then those of the schema it
// refers to.
func formFields(doc *oaDocument, s oaSchema) []string {
	names := append([]string(nil), s.Properties.Keys...)
	if target, ok := ref(doc.Components.Schemas, "schemas", s.Ref); ok {
		names = append(names, formFields(doc, target)...)
	}
	return names
}

// formField finds field name's schema in s or the schema s refers to.
func formField(doc *oaDocument, s oaSchema, name string) oaSchema {
	if f, ok := s.Properties.Values[name]; ok {
		if target, ok := ref(doc.Components.Schemas, "schemas", f.Ref); ok {
			return target
		}
		return f
	}
	if target, ok := ref(doc.Components.Schemas, "schemas", s.Ref); ok {
		return formField(doc, target, name)
	}
	return oaSchema{}
}

// example is a value to show for s: its default, or nothing.
func example(s oaSchema) string {
	if s.Default == nil {
		return ""
	}
	return fmt.Sprint(s.Default)
}
