package kaedim

import (
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"path"
	"strconv"
	"strings"
	"time"

	"github.com/kiln3d/kiln/providers"
	"github.com/kiln3d/kiln/providers/httpkit"
)

// RemoteAsset is one request of the account as Kaedim lists it, to be imported into the library.
type RemoteAsset struct {
	RequestID string    `json:"request_id"`
	Created   time.Time `json:"created,omitzero"` // zero when Kaedim's date did not parse
	Polycount int       `json:"polycount,omitempty"`
	// Images are the reference images' links.
	Images     []string    `json:"images,omitempty"`
	Tags       []string    `json:"tags,omitempty"`
	Iterations []Iteration `json:"iterations,omitempty"`
}

// Iteration is one attempt at a request's model; an edit request adds one.
type Iteration struct {
	ID      string    `json:"id"`
	Created time.Time `json:"created,omitzero"`
	// Status is Kaedim's word: "new", "completed", "approved", "dismissed", "uploaded", or one
	// it has not documented.
	Status          string `json:"status"`
	LoQ             string `json:"loq,omitempty"`
	DismissedReason string `json:"dismissed_reason,omitempty"`
	EditDescription string `json:"edit_description,omitempty"`
	TexturingMethod string `json:"texturing_method,omitempty"`
	// Results maps a format ("glb", "fbx", "obj", "gltf", "mtl") to its download link, which
	// expires an hour after it was fetched.
	Results map[string]string `json:"results,omitempty"`
}

// Done says whether the iteration's model is finished: Kaedim's `completed` or `approved`.
func (it Iteration) Done() bool { return it.Status == "completed" || it.Status == "approved" }

// Dismissed says whether Kaedim gave up on the iteration.
func (it Iteration) Dismissed() bool { return it.Status == "dismissed" }

// Latest returns the last iteration, the one whose status is the request's.
func (a RemoteAsset) Latest() (Iteration, bool) {
	if len(a.Iterations) == 0 {
		return Iteration{}, false
	}
	return a.Iterations[len(a.Iterations)-1], true
}

// Finished returns the newest iteration with a finished model.
func (a RemoteAsset) Finished() (Iteration, bool) {
	for i := len(a.Iterations) - 1; i >= 0; i-- {
		if a.Iterations[i].Done() {
			return a.Iterations[i], true
		}
	}
	return Iteration{}, false
}

// wireAsset is a request as fetchRequest and fetchAll send it.
type wireAsset struct {
	RequestID  string          `json:"requestID"`
	CreatedAt  flexText        `json:"createdAt"`
	Image      []string        `json:"image"`
	ImageTags  []flexText      `json:"image_tags"`
	Polycount  flexText        `json:"polycount"` // fetchAll sends "20000", a string
	Iterations []wireIteration `json:"iterations"`
}

type wireIteration struct {
	CreatedAt       flexText          `json:"createdAt"`
	IterationID     flexText          `json:"iterationID"`
	Results         map[string]string `json:"results"`
	Status          flexText          `json:"status"`
	LoQ             flexText          `json:"loq"`
	DismissedReason flexText          `json:"dismissedReason"`
	EditDescription flexText          `json:"editDescription"`
	TexturingMethod flexText          `json:"texturingMethod"`
	// userID and email are left out: Kiln has no use for them and keeps no personal data.
}

// flexText takes a JSON string, number, bool or null as text: Kaedim's documentation quotes some
// numbers and not others, and shows nulls where text is expected.
type flexText string

func (f *flexText) UnmarshalJSON(b []byte) error {
	*f = flexText(text(b))
	return nil
}

func (w wireAsset) asset() RemoteAsset {
	a := RemoteAsset{RequestID: w.RequestID, Created: parseTime(string(w.CreatedAt)), Images: w.Image}
	a.Polycount, _ = strconv.Atoi(strings.TrimSpace(string(w.Polycount)))
	for _, t := range w.ImageTags {
		a.Tags = append(a.Tags, string(t))
	}
	for _, it := range w.Iterations {
		results := map[string]string{}
		for format, link := range it.Results {
			if link != "" {
				results[strings.ToLower(format)] = link
			}
		}
		a.Iterations = append(a.Iterations, Iteration{
			ID: string(it.IterationID), Created: parseTime(string(it.CreatedAt)), Status: strings.ToLower(string(it.Status)),
			LoQ: string(it.LoQ), DismissedReason: string(it.DismissedReason), EditDescription: string(it.EditDescription),
			TexturingMethod: string(it.TexturingMethod), Results: results,
		})
	}
	return a
}

// parseTime reads Kaedim's dates, which its documentation cuts short ("202..."): ISO 8601 as
// JavaScript writes it, or milliseconds since 1970.
func parseTime(s string) time.Time {
	s = strings.TrimSpace(s)
	if t, err := time.Parse(time.RFC3339Nano, s); err == nil {
		return t
	}
	if ms, err := strconv.ParseInt(s, 10, 64); err == nil && ms > 1e11 {
		return time.UnixMilli(ms)
	}
	return time.Time{}
}

// fetchRequest asks Kaedim for one request, with fresh result links.
func (s *session) fetchRequest(ctx context.Context, creds Credentials, id, studioID string) (RemoteAsset, error) {
	q := url.Values{"devID": {creds.DevID}, "requestID": {id}}
	if studioID != "" {
		q.Set("studioID", studioID)
	}
	var w wireAsset
	op := "fetch request " + id
	if err := s.do(ctx, creds, call{op: op, method: http.MethodGet, route: "fetchRequest", query: q, jwt: true}, &w); err != nil {
		return RemoteAsset{}, err
	}
	if w.RequestID == "" && w.Iterations == nil {
		// Not the documented shape: polling it would wait forever for a status it never shows.
		return RemoteAsset{}, service.Error(op, http.StatusOK, providers.ErrServer, "Kaedim's answer holds neither a requestID nor iterations")
	}
	a := w.asset()
	if a.RequestID == "" {
		a.RequestID = id
	}
	return a, nil
}

// fetchAllDate is the date format of fetchAll's start and end, as its parameter table gives it
// (MM-DD-YYYY); the code sample beside the table writes yyyy-mm-dd.
const fetchAllDate = "01-02-2006"

// FetchAll lists the account's requests, pending ones included, created between start and end
// (calendar days in their own time zones, both included); a zero start or end leaves that side
// open, and both zero lists every request. The result links in it expire within the hour: import
// the list, then Download a model when it is wanted.
func (p *Provider) FetchAll(ctx context.Context, start, end time.Time) ([]RemoteAsset, error) {
	s := p.main
	creds, err := loadCredentials(ctx, s.secrets)
	if err != nil {
		return nil, err
	}
	q := url.Values{"devID": {creds.DevID}}
	if !start.IsZero() {
		q.Set("start", start.Format(fetchAllDate))
	}
	if !end.IsZero() {
		q.Set("end", end.Format(fetchAllDate))
	}
	if creds.StudioID != "" {
		q.Set("studioID", creds.StudioID)
	}
	var out struct {
		Assets []wireAsset `json:"assets"`
	}
	if err := s.do(ctx, creds, call{op: "list requests", method: http.MethodGet, route: "fetchAll", query: q, jwt: true}, &out); err != nil {
		return nil, s.scrub(err, creds)
	}
	assets := make([]RemoteAsset, 0, len(out.Assets))
	for _, w := range out.Assets {
		assets = append(assets, w.asset())
	}
	return assets, nil
}

// Download writes the model of a request (its newest finished iteration) into dir as ModelFile,
// fetching the request first for links that have not expired (providers.Importer).
func (p *Provider) Download(ctx context.Context, requestID, dir string, report func(providers.Progress)) ([]providers.File, error) {
	s := p.main
	creds, err := loadCredentials(ctx, s.secrets)
	if err != nil {
		return nil, err
	}
	if report == nil {
		report = func(providers.Progress) {}
	}
	files, err := s.saveModel(ctx, creds, requestID, creds.StudioID, dir, nil, report)
	return files, s.scrub(err, creds)
}

// ListRemote lists the account's requests for the library (providers.Importer).
func (p *Provider) ListRemote(ctx context.Context, since, until time.Time) ([]providers.RemoteAsset, error) {
	assets, err := p.FetchAll(ctx, since, until)
	if err != nil {
		return nil, err
	}
	out := make([]providers.RemoteAsset, 0, len(assets))
	for _, a := range assets {
		r := providers.RemoteAsset{ID: a.RequestID, Name: a.RequestID, Created: a.Created, Polycount: a.Polycount,
			Status: "new", ImageURLs: a.Images}
		if len(a.Images) > 0 {
			if u, err := url.Parse(a.Images[0]); err == nil && path.Base(u.Path) != "/" && path.Base(u.Path) != "." {
				r.Name = strings.TrimSuffix(path.Base(u.Path), path.Ext(u.Path))
			}
		}
		if it, ok := a.Latest(); ok {
			r.Status = it.Status
		}
		_, r.Ready = a.Finished()
		out = append(out, r)
	}
	return out, nil
}

// decodeRaw unmarshals a json.RawMessage that Kaedim nests in an envelope.
func decodeRaw(op string, raw json.RawMessage, out any) error {
	if err := json.Unmarshal(raw, out); err != nil {
		return service.Error(op, http.StatusOK, providers.ErrServer, "Kaedim sent JSON of an unexpected shape ("+err.Error()+"): "+
			strconv.Quote(httpkit.Excerpt(raw)))
	}
	return nil
}
