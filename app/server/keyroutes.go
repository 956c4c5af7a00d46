package server

import (
	"encoding/json"
	"errors"
	"io"
	"mime"
	"net/http"
	"net/url"
	"slices"
	"time"
)

// KeyJSON is an API key as the API shows it; Secret and WebhookSecret only in the answer that
// made it.
type KeyJSON struct {
	ID            string     `json:"id"`
	Name          string     `json:"name"`
	Prefix        string     `json:"prefix"`
	Scopes        []Scope    `json:"scopes"`
	Created       time.Time  `json:"created"`
	LastUsed      *time.Time `json:"last_used"`
	Status        string     `json:"status"`
	Secret        string     `json:"secret,omitempty"`
	WebhookSecret string     `json:"webhook_secret,omitempty"`
}

// JSON shows k.
func (k Key) JSON() KeyJSON {
	return KeyJSON{ID: k.ID, Name: k.Name, Prefix: k.Prefix(), Scopes: k.Scopes, Created: k.Created.UTC(),
		LastUsed: timePtr(k.LastUsed), Status: k.Status()}
}

// JSON shows k with its secrets.
func (k NewKey) JSON() KeyJSON {
	j := k.Key.JSON()
	j.Secret, j.WebhookSecret = k.Secret, k.WebhookSecret
	return j
}

// listKeys is GET /api/v1/keys.
func (s *Server) listKeys(w http.ResponseWriter, r *http.Request, _ Key) error {
	keys, err := s.Keys.List(r.Context())
	if err != nil {
		return err
	}
	out := struct {
		Keys []KeyJSON `json:"keys"`
	}{Keys: []KeyJSON{}}
	for _, k := range keys {
		out.Keys = append(out.Keys, k.JSON())
	}
	writeJSON(w, http.StatusOK, out)
	return nil
}

// createKey is POST /api/v1/keys: {"name", "scopes"} → 201 with the secrets, shown this once.
func (s *Server) createKey(w http.ResponseWriter, r *http.Request, admin Key) error {
	if mt, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type")); mt != "application/json" {
		return errorf(http.StatusUnsupportedMediaType, CodeUnsupportedMediaType, "send the new key as application/json: {\"name\": ..., \"scopes\": [...]}")
	}
	var in struct {
		Name   string  `json:"name"`
		Scopes []Scope `json:"scopes"`
	}
	dec := json.NewDecoder(io.LimitReader(r.Body, 64<<10))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&in); err != nil {
		return errorf(http.StatusBadRequest, CodeInvalidRequest, "the body is not {\"name\": ..., \"scopes\": [...]}: %v", err)
	}
	for _, sc := range in.Scopes {
		if !slices.Contains(Scopes, sc) {
			return errorf(http.StatusBadRequest, CodeInvalidRequest, "no such scope %q (the scopes are %s)", sc, scopeList(Scopes))
		}
	}
	k, err := s.Keys.Create(r.Context(), in.Name, in.Scopes)
	if err != nil {
		if errors.Is(err, errKeyInput) {
			return errorf(http.StatusBadRequest, CodeInvalidRequest, "%s", err.Error())
		}
		return err
	}
	s.log.Info("API key created", "key", k.Prefix(), "name", k.Name, "scopes", scopeList(k.Scopes), "by", admin.Prefix())
	w.Header().Set("Location", "/api/v1/keys/"+url.PathEscape(k.ID))
	writeJSON(w, http.StatusCreated, k.JSON())
	return nil
}

// revokeKey is DELETE /api/v1/keys/{id}.
func (s *Server) revokeKey(w http.ResponseWriter, r *http.Request, admin Key) error {
	k, err := s.Keys.Revoke(r.Context(), r.PathValue("id"))
	if errors.Is(err, ErrNoKey) {
		return errorf(http.StatusNotFound, CodeNotFound, "no key %q", r.PathValue("id"))
	}
	if err != nil {
		return err
	}
	s.log.Info("API key revoked", "key", k.Prefix(), "by", admin.Prefix())
	writeJSON(w, http.StatusOK, k.JSON())
	return nil
}
