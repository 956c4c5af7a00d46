package kaedimtest

import (
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// request is one /process request and its iterations.
type request struct {
	id, devID, studioID, projectID, loq string
	polycount                           int
	test                                bool
	size                                [3]float64 // height, width, depth in cm; 0 when not given
	created                             time.Time
	images                              []refImage
	iterations                          []*iteration
}

// image is an uploaded image, or the link of one given in imageUrls.
type refImage struct {
	url         string
	data        []byte
	contentType string
	name        string // the uploaded file's name, which its storage link ends with
}

// iteration is one attempt at the model. Its status follows the clock unless one was set.
type iteration struct {
	id      string
	created time.Time
	status  string
	reason  string
}

// InProgress is the status the fake shows between "new" and "completed". Kaedim documents no word
// for it, so the fake uses one no client can have been written against.
const InProgress = "processing"

// statusOf walks an iteration through "new" (its first third), InProgress, then "completed" once
// the generation time has passed. The caller holds s.mu.
func (s *Server) statusOf(it *iteration, now time.Time) string {
	if it.status != "" {
		return it.status
	}
	switch age := now.Sub(it.created); {
	case age >= s.generation:
		return "completed"
	case age >= s.generation/3:
		return InProgress
	}
	return "new"
}

// SetStatus gives the last iteration of a request a fixed status ("approved", "uploaded", ...),
// with a dismissedReason when the status is "dismissed". An empty status lets the clock decide again.
func (s *Server) SetStatus(requestID, status, reason string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	r, err := s.lookup(requestID)
	if err != nil {
		return err
	}
	it := r.iterations[len(r.iterations)-1]
	it.status, it.reason = status, reason
	return nil
}

// Dismiss makes Kaedim give up on a request, for reason.
func (s *Server) Dismiss(requestID, reason string) error {
	return s.SetStatus(requestID, "dismissed", reason)
}

// Iterate starts a new iteration of a request, as an edit request would.
func (s *Server) Iterate(requestID string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	r, err := s.lookup(requestID)
	if err != nil {
		return err
	}
	s.startIteration(r, s.now())
	return nil
}

// Request describes a request the fake holds, for tests.
type Request struct {
	ID, DevID, StudioID, ProjectID, LoQ string
	Polycount                           int
	Test                                bool
	HeightCM, WidthCM, DepthCM          float64
	Images                              int
	ImageURLs                           []string
	Status                              string
}

// Requests lists the requests the fake holds, oldest first.
func (s *Server) Requests() []Request {
	s.mu.Lock()
	defer s.mu.Unlock()
	now := s.now()
	var out []Request
	for _, id := range s.order {
		r := s.requests[id]
		d := Request{ID: r.id, DevID: r.devID, StudioID: r.studioID, ProjectID: r.projectID, LoQ: r.loq, Polycount: r.polycount,
			Test: r.test, HeightCM: r.size[0], WidthCM: r.size[1], DepthCM: r.size[2],
			Status: s.statusOf(r.iterations[len(r.iterations)-1], now)}
		for _, img := range r.images {
			if img.url != "" {
				d.ImageURLs = append(d.ImageURLs, img.url)
			} else {
				d.Images++
			}
		}
		out = append(out, d)
	}
	return out
}

// The JSON of a request, as fetchRequest and fetchAll document it.
type wireRequest struct {
	RequestID  string          `json:"requestID"`
	CreatedAt  string          `json:"createdAt"`
	Image      []string        `json:"image"`
	ImageTags  []string        `json:"image_tags"`
	Polycount  string          `json:"polycount,omitempty"` // fetchAll only, and as a string
	Iterations []wireIteration `json:"iterations"`
}

type wireIteration struct {
	CreatedAt       string            `json:"createdAt"`
	IterationID     string            `json:"iterationID"`
	Results         map[string]string `json:"results"`
	Status          string            `json:"status"`
	UserID          string            `json:"userID"`
	Email           string            `json:"email"`
	LoQ             string            `json:"loq"`
	DismissedReason *string           `json:"dismissedReason"`
	EditDescription *string           `json:"editDescription"`
	TexturingMethod *string           `json:"texturingMethod"`
}

// isoTime writes a time the way JavaScript's toISOString does.
func isoTime(t time.Time) string { return t.UTC().Format("2006-01-02T15:04:05.000Z") }

// wire renders r with fresh links. The caller holds s.mu.
func (s *Server) wire(r *request, withPolycount bool) wireRequest {
	now := s.now()
	expires := now.Add(s.opts.LinkLifetime)
	w := wireRequest{RequestID: r.id, CreatedAt: isoTime(r.created), Image: []string{}, ImageTags: []string{}}
	if withPolycount {
		w.Polycount = strconv.Itoa(r.polycount)
	}
	for i, img := range r.images {
		if img.url != "" {
			w.Image = append(w.Image, img.url)
		} else {
			w.Image = append(w.Image, s.imageLink(r.id, i, img.name, expires))
		}
	}
	for _, it := range r.iterations {
		wi := wireIteration{CreatedAt: isoTime(it.created), IterationID: it.id, Status: s.statusOf(it, now),
			UserID: "u-" + r.devID, Email: "artist@example.com", LoQ: r.loq}
		switch wi.Status {
		case "completed", "approved":
			wi.Results = map[string]string{}
			for _, ext := range modelFormats() {
				wi.Results[ext] = s.link(fmt.Sprintf("/%s/%s/model.%s", r.id, it.id, ext), expires)
			}
		case "dismissed":
			reason := it.reason
			wi.DismissedReason = &reason
		}
		w.Iterations = append(w.Iterations, wi)
	}
	return w
}

// fetchRequest: GET ?devID=&requestID=(&studioID=). A request filed under a studio is found only
// with its studioID (the fake's reading of "studioID: your team's studioID").
func (s *Server) fetchRequest(w http.ResponseWriter, r *http.Request, _ *Received) {
	q := r.URL.Query()
	s.mu.Lock()
	defer s.mu.Unlock()
	a, ok := s.authorize(w, r, q.Get("devID"), true)
	if !ok {
		return
	}
	id := q.Get("requestID")
	if id == "" {
		writeError(w, http.StatusBadRequest, msgNoRequestID)
		return
	}
	req := s.requests[id]
	if req == nil || req.devID != a.DevID || (req.studioID != "" && req.studioID != q.Get("studioID")) {
		writeError(w, http.StatusNotFound, msgNoRequest)
		return
	}
	writeJSON(w, http.StatusOK, s.wire(req, false))
}

// fetchAll: GET ?devID=(&start=&end=)(&studioID=): the account's requests, pending ones included,
// created between start and end (MM-DD-YYYY as the parameter table says, or yyyy-mm-dd as the
// sample writes; both days included). With a studioID, the studio's requests; without, the
// account's own.
func (s *Server) fetchAll(w http.ResponseWriter, r *http.Request, _ *Received) {
	q := r.URL.Query()
	s.mu.Lock()
	defer s.mu.Unlock()
	a, ok := s.authorize(w, r, q.Get("devID"), true)
	if !ok {
		return
	}
	var from, to time.Time
	for _, d := range []struct {
		name string
		at   *time.Time
	}{{"start", &from}, {"end", &to}} {
		v := q.Get(d.name)
		if v == "" {
			continue
		}
		t, err := parseDay(v)
		if err != nil {
			writeError(w, http.StatusBadRequest, fmt.Sprintf("Invalid %s date %q, please use MM-DD-YYYY", d.name, v))
			return
		}
		*d.at = t
	}
	assets := []wireRequest{}
	for _, id := range s.order {
		req := s.requests[id]
		day := req.created.UTC().Truncate(24 * time.Hour)
		if req.devID != a.DevID || req.studioID != q.Get("studioID") ||
			(!from.IsZero() && day.Before(from)) || (!to.IsZero() && day.After(to)) {
			continue
		}
		assets = append(assets, s.wire(req, true))
	}
	writeJSON(w, http.StatusOK, map[string]any{"assets": assets})
}

func parseDay(v string) (time.Time, error) {
	v = strings.TrimSpace(v)
	if t, err := time.Parse("01-02-2006", v); err == nil {
		return t, nil
	}
	return time.Parse("2006-01-02", v)
}

// fetchProjects: GET ?devID=: {"status": "success", "message": [{projectID, name, studioID}]}.
func (s *Server) fetchProjects(w http.ResponseWriter, r *http.Request, _ *Received) {
	q := r.URL.Query()
	s.mu.Lock()
	defer s.mu.Unlock()
	a, ok := s.authorize(w, r, q.Get("devID"), true)
	if !ok {
		return
	}
	list := []map[string]string{}
	for _, p := range a.projects {
		list = append(list, map[string]string{"projectID": p.ID, "name": p.Name, "studioID": p.StudioID})
	}
	writeJSON(w, http.StatusOK, map[string]any{"status": "success", "message": list})
}
