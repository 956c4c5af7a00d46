package fakehttp

import "net/http"

// Route is one of a fake's API routes: the method it takes, and its handler, which also fills in
// the request's record R (the body's fields, its files).
type Route[R any] struct {
	// Method is the one HTTP method the route takes.
	Method string
	// Handle answers a request, filling in its record.
	Handle func(w http.ResponseWriter, r *http.Request, rec *R)
}

// Router answers a fake's requests the way every fake does: through a StatusWriter, with a queued
// fault first when there is one, and recorded once answered. R is the fake's record of a request.
type Router[R any] struct {
	// Find returns the API route called name, false when there is none.
	Find func(name string) (Route[R], bool)
	// Refuse answers an unknown route (404 "Not found") or another method (405 "Method not
	// allowed") in the fake's own error shape.
	Refuse func(w http.ResponseWriter, status int, msg string)
	// Fault makes the next fault queued for route, if any, and says whether it answered the
	// request; serve is the route's normal answer, which some faults run first.
	Fault func(w *StatusWriter, r *http.Request, route string, serve http.HandlerFunc) bool
	// Record keeps rec, answered with status.
	Record func(rec *R, status int)
}

// Serve answers r for the API route name, whose record rec the caller began: 404 when there is
// no such route (no fault applies), 405 with Allow for another method, else as Answer does with
// the route's handler.
func (rt *Router[R]) Serve(w http.ResponseWriter, r *http.Request, name string, rec *R) {
	route, ok := rt.Find(name)
	if !ok {
		sw := NewStatusWriter(w)
		defer func() { rt.Record(rec, sw.Status) }()
		rt.Refuse(sw, http.StatusNotFound, "Not found")
		return
	}
	rt.Answer(w, r, name, rec, func(w http.ResponseWriter, r *http.Request) {
		if r.Method != route.Method {
			w.Header().Set("Allow", route.Method)
			rt.Refuse(w, http.StatusMethodNotAllowed, "Method not allowed")
			return
		}
		route.Handle(w, r, rec)
	})
}

// Answer answers r with the fault queued for route when there is one, else with serve, and then
// records rec with the status answered.
func (rt *Router[R]) Answer(w http.ResponseWriter, r *http.Request, route string, rec *R, serve http.HandlerFunc) {
	sw := NewStatusWriter(w)
	defer func() { rt.Record(rec, sw.Status) }()
	if !rt.Fault(sw, r, route, serve) {
		serve(sw, r)
	}
}
