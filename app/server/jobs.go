package server

import (
	"context"
	"database/sql"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"mime"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/kiln3d/kiln/app"
	"github.com/kiln3d/kiln/providers"
	"github.com/kiln3d/kiln/providers/fsguard"
	"github.com/kiln3d/kiln/providers/jobsapi"
)

// maxProcessTimeout bounds how long POST /process may be asked to wait.
const maxProcessTimeout = 600 * time.Second

// submitAsync is POST /api/v1/jobs: the job is queued and answered at once.
func (s *Server) submitAsync(w http.ResponseWriter, r *http.Request, key Key) error {
	return s.submit(w, r, key, false)
}

// process is POST /api/v1/process: the job is queued, then waited for.
func (s *Server) process(w http.ResponseWriter, r *http.Request, key Key) error {
	return s.submit(w, r, key, true)
}

// submit reads a submission, honours its Idempotency-Key, queues the job and answers 202 with it
// (or, waiting, 200 once it ends).
func (s *Server) submit(w http.ResponseWriter, r *http.Request, key Key, wait bool) error {
	if s.draining() {
		return errorf(http.StatusServiceUnavailable, CodeShuttingDown, "the server is shutting down: try again shortly")
	}
	idem, err := idempotencyKey(r)
	if err != nil {
		return err
	}
	sub, err := s.readSubmission(w, r)
	if err != nil {
		return err
	}
	defer os.RemoveAll(sub.dir)
	timeout := s.opts.ProcessTimeout
	if wait && sub.timeout != "" {
		n, err := strconv.Atoi(strings.TrimSpace(sub.timeout))
		if err != nil || n < 1 || time.Duration(n)*time.Second > maxProcessTimeout {
			return errorf(http.StatusBadRequest, CodeInvalidRequest, "timeout must be a whole number of seconds from 1 to %d", int(maxProcessTimeout.Seconds()))
		}
		timeout = time.Duration(n) * time.Second
	}
	if idem != "" {
		if wait {
			idem = "process:" + idem // the two routes answer differently: never replay one for the other
		}
		first, err := s.idem.begin(r.Context(), key.ID, idem, sub.hash)
		if err != nil {
			return err
		}
		if first != nil {
			if !wait || first.status != http.StatusAccepted {
				w.Header().Set("Idempotent-Replayed", "true")
				writeAnswer(w, *first)
				return nil
			}
			// A /process that ended its wait early: wait again, for the same job.
			var j jobsapi.Job
			if err := json.Unmarshal(first.body, &j); err != nil {
				return err
			}
			job, err := s.ownJob(r.Context(), key, j.ID)
			if err != nil {
				return err
			}
			w.Header().Set("Idempotent-Replayed", "true")
			return s.waitAndAnswer(w, r, job, timeout)
		}
	}
	job, err := s.queue(r, key, sub)
	if err != nil {
		if idem != "" {
			// No job was made: the key is free again, for the same submission once its cause
			// is fixed (a credential added on the server).
			s.idem.forget(r.Context(), key.ID, idem)
		}
		return err
	}
	if wait {
		// The job is the server's now: record the answer that names it before waiting, so a
		// client whose wait broke off finds the same job again.
		if idem != "" {
			s.idem.finish(r.Context(), key.ID, idem, answerOf(http.StatusAccepted, "/api/v1/jobs/"+job.ID, jobJSON(job, s.base(r))))
		}
		return s.waitAndAnswer(w, r, job, timeout)
	}
	a := answerOf(http.StatusAccepted, "/api/v1/jobs/"+job.ID, jobJSON(job, s.base(r)))
	if idem != "" {
		s.idem.finish(r.Context(), key.ID, idem, a)
	}
	writeAnswer(w, a)
	return nil
}

// queue hands the submission to Kiln's queue and records which key made the job.
func (s *Server) queue(r *http.Request, key Key, sub *submission) (app.Job, error) {
	// The job is the server's from now on: a client that hangs up does not take it back.
	ctx := context.WithoutCancel(r.Context())
	job, err := s.k.Jobs.Submit(ctx, sub.provider, sub.req)
	if err != nil {
		return app.Job{}, submitError(err)
	}
	if _, err := s.db.ExecContext(ctx, `INSERT INTO api_jobs (job_id, key_id, created, base, webhook) VALUES (?, ?, ?, ?, ?)`,
		job.ID, key.ID, app.Millis(job.Created), s.base(r), sub.webhook); err != nil {
		_ = s.k.Jobs.Cancel(job.ID)
		return app.Job{}, fmt.Errorf("record the job: %w", err)
	}
	if sub.webhook != "" {
		// A job that ended before it was recorded was missed by the queue's event.
		if now, err := s.k.Jobs.Job(ctx, job.ID); err == nil && now.State.Finished() {
			s.hooks.ended(job.ID)
		}
	}
	s.log.Info("job queued", "job", job.ID, "key", key.Prefix(), "provider", sub.provider, "images", len(sub.req.Images))
	return job, nil
}

// waitAndAnswer waits up to timeout for job to end: 200 with it then, or 202 with it as it is.
func (s *Server) waitAndAnswer(w http.ResponseWriter, r *http.Request, job app.Job, timeout time.Duration) error {
	ctx, cancel := context.WithTimeout(r.Context(), timeout)
	defer cancel()
	go func() {
		select {
		case <-s.closing: // draining: stop waiting, answer with the job as it is
			cancel()
		case <-ctx.Done():
		}
	}()
	done, err := s.k.Jobs.Wait(ctx, job.ID)
	if err != nil {
		if job, err = s.job(context.WithoutCancel(ctx), job.ID); err != nil {
			return err
		}
		writeAnswer(w, answerOf(http.StatusAccepted, "/api/v1/jobs/"+job.ID, jobJSON(job, s.base(r))))
		return nil
	}
	writeJSON(w, http.StatusOK, jobJSON(done, s.base(r)))
	return nil
}

// answerOf makes an answer of v's JSON.
func answerOf(status int, location string, v any) answer {
	body, err := json.Marshal(v)
	if err != nil {
		status, body = http.StatusInternalServerError, []byte(`{"error":{"code":"internal","message":"the answer could not be written"}}`)
	}
	return answer{status: status, location: location, body: append(body, '\n')}
}

// writeAnswer writes a as JSON, never to be cached.
func writeAnswer(w http.ResponseWriter, a answer) {
	if a.location != "" {
		w.Header().Set("Location", a.location)
	}
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(a.status)
	_, _ = w.Write(a.body)
}

// ownJob returns job id when key made it; any other job is not found (a key cannot learn that
// another's job exists).
func (s *Server) ownJob(ctx context.Context, key Key, id string) (app.Job, error) {
	owner, ok := s.live.owner(id)
	if !ok {
		err := s.db.QueryRowContext(ctx, `SELECT key_id FROM api_jobs WHERE job_id = ?`, id).Scan(&owner)
		if err != nil && !errors.Is(err, sql.ErrNoRows) {
			return app.Job{}, err
		}
		if err == nil {
			s.live.setOwner(id, owner)
		}
	}
	if owner != key.ID {
		return app.Job{}, errorf(http.StatusNotFound, CodeNotFound, "no job %q for this key", providers.Printable(id))
	}
	j, err := s.job(ctx, id)
	if errors.Is(err, app.ErrNoJob) {
		return app.Job{}, errorf(http.StatusNotFound, CodeNotFound, "job %q is no longer in the ledger", providers.Printable(id))
	}
	return j, err
}

// getJob is GET /api/v1/jobs/{id}.
func (s *Server) getJob(w http.ResponseWriter, r *http.Request, key Key) error {
	j, err := s.ownJob(r.Context(), key, r.PathValue("id"))
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, jobJSON(j, s.base(r)))
	return nil
}

// cancelJob is DELETE /api/v1/jobs/{id}: the job stops (a running one within a few seconds) and
// is answered as it then is.
func (s *Server) cancelJob(w http.ResponseWriter, r *http.Request, key Key) error {
	j, err := s.ownJob(r.Context(), key, r.PathValue("id"))
	if err != nil {
		return err
	}
	if j.State.Finished() {
		return errorf(http.StatusConflict, CodeAlreadyFinished, "job %s has already ended (%s)", j.ID, status(j.State))
	}
	if err := s.k.Jobs.Cancel(j.ID); err != nil {
		return err
	}
	ctx, cancel := context.WithTimeout(r.Context(), 10*time.Second)
	defer cancel()
	if done, err := s.k.Jobs.Wait(ctx, j.ID); err == nil {
		j = done
	} else if j, err = s.job(r.Context(), j.ID); err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, jobJSON(j, s.base(r)))
	return nil
}

// jobList is GET /api/v1/jobs's answer.
type jobList struct {
	Jobs       []jobsapi.Job `json:"jobs"`
	NextCursor string        `json:"next_cursor,omitempty"`
}

// listJobs is GET /api/v1/jobs: the key's own jobs, newest first, a page at a time. The cursor
// is opaque to clients: the last job's time and id, so pages never repeat or skip a job.
func (s *Server) listJobs(w http.ResponseWriter, r *http.Request, key Key) error {
	q := r.URL.Query()
	limit := 20
	if raw := q.Get("limit"); raw != "" {
		n, err := strconv.Atoi(raw)
		if err != nil || n < 1 || n > 100 {
			return errorf(http.StatusBadRequest, CodeInvalidRequest, "limit must be a whole number from 1 to 100")
		}
		limit = n
	}
	after, afterID := int64(1<<62), "\xff"
	if raw := q.Get("cursor"); raw != "" {
		data, err := base64.RawURLEncoding.DecodeString(raw)
		ms, id, ok := strings.Cut(string(data), ":")
		n, perr := strconv.ParseInt(ms, 10, 64)
		if err != nil || !ok || perr != nil {
			return errorf(http.StatusBadRequest, CodeInvalidRequest, "the cursor is not one this server gave")
		}
		after, afterID = n, id
	}
	rows, err := s.db.QueryContext(r.Context(), `SELECT job_id, created FROM api_jobs
		WHERE key_id = ? AND (created < ? OR (created = ? AND job_id < ?))
		ORDER BY created DESC, job_id DESC LIMIT ?`, key.ID, after, after, afterID, limit+1)
	if err != nil {
		return err
	}
	type row struct {
		id      string
		created int64
	}
	var page []row
	for rows.Next() {
		var rw row
		if err := rows.Scan(&rw.id, &rw.created); err != nil {
			rows.Close()
			return err
		}
		page = append(page, rw)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	out := jobList{Jobs: []jobsapi.Job{}}
	if len(page) > limit {
		last := page[limit-1]
		out.NextCursor = base64.RawURLEncoding.EncodeToString(fmt.Appendf(nil, "%d:%s", last.created, last.id))
		page = page[:limit]
	}
	for _, rw := range page {
		j, err := s.job(r.Context(), rw.id)
		if errors.Is(err, app.ErrNoJob) {
			continue
		}
		if err != nil {
			return err
		}
		out.Jobs = append(out.Jobs, jobJSON(j, s.base(r)))
	}
	writeJSON(w, http.StatusOK, out)
	return nil
}

// getFile is GET /api/v1/jobs/{id}/files/{name}: one of a finished job's files, with ranges.
func (s *Server) getFile(w http.ResponseWriter, r *http.Request, key Key) error {
	j, err := s.ownJob(r.Context(), key, r.PathValue("id"))
	if err != nil {
		return err
	}
	name := r.PathValue("name")
	if j.State != app.Done {
		return errorf(http.StatusNotFound, CodeNotFound, "job %s has no files yet (it is %s)", j.ID, status(j.State))
	}
	i := slices.IndexFunc(j.Files, func(f string) bool { return filepath.Base(f) == name })
	if i < 0 {
		return errorf(http.StatusNotFound, CodeNotFound, "job %s has no file %q", j.ID, providers.Printable(name))
	}
	f, st, err := fsguard.OpenRegular(j.Files[i])
	if err != nil {
		return errorf(http.StatusNotFound, CodeNotFound, "the file %s is gone from the library", name)
	}
	defer f.Close()
	ctype := mime.TypeByExtension(filepath.Ext(name))
	switch strings.ToLower(filepath.Ext(name)) {
	case ".glb":
		ctype = "model/gltf-binary"
	case ".gltf":
		ctype = "model/gltf+json"
	}
	if ctype == "" {
		ctype = "application/octet-stream"
	}
	w.Header().Set("Content-Type", ctype)
	w.Header().Set("Content-Disposition", mime.FormatMediaType("attachment", map[string]string{"filename": name}))
	http.ServeContent(w, r, name, st.ModTime(), f)
	return nil
}

// fileSize is the size of the file at path.
func fileSize(path string) (int64, error) {
	st, err := os.Stat(path)
	if err != nil {
		return 0, err
	}
	return st.Size(), nil
}

// providerJSON describes one of the server's providers.
type providerJSON struct {
	Name      string       `json:"name"`
	Title     string       `json:"title"`
	Ready     bool         `json:"ready"`
	Reason    string       `json:"reason,omitempty"`
	Polycount rangeJSON    `json:"polycount"`
	Prompt    bool         `json:"prompt"`
	Views     bool         `json:"views"`
	MaxImages int          `json:"max_images"`
	Options   []optionJSON `json:"options"`
}

type rangeJSON struct {
	Min     int `json:"min"`
	Max     int `json:"max"`
	Default int `json:"default"`
}

type optionJSON struct {
	Key     string   `json:"key"`
	Label   string   `json:"label"`
	Choices []string `json:"choices,omitempty"`
	Default string   `json:"default,omitempty"`
}

// providers is GET /api/v1/providers: what this server can make models with.
func (s *Server) providers(w http.ResponseWriter, r *http.Request, _ Key) error {
	out := struct {
		Providers []providerJSON `json:"providers"`
	}{Providers: []providerJSON{}}
	for _, p := range s.k.Providers.All() {
		caps := p.Capabilities()
		pj := providerJSON{Name: caps.Name, Title: caps.Title, Ready: true,
			Polycount: rangeJSON{caps.Polycount.Min, caps.Polycount.Max, caps.Polycount.Default},
			Prompt:    caps.Prompt, Views: caps.Views, MaxImages: caps.MaxImages, Options: []optionJSON{}}
		if err := s.ready(r.Context(), caps); err != nil {
			pj.Ready, pj.Reason = false, err.Error()
		}
		for _, o := range caps.Options {
			oj := optionJSON{Key: o.Key, Label: o.Label}
			for i, c := range o.Choices {
				oj.Choices = append(oj.Choices, c.Value)
				if i == 0 {
					oj.Default = c.Value // the default is the first
				}
			}
			pj.Options = append(pj.Options, oj)
		}
		out.Providers = append(out.Providers, pj)
	}
	writeJSON(w, http.StatusOK, out)
	return nil
}
