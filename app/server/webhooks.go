package server

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"sync"
	"time"

	"github.com/kiln3d/kiln/app"
	"github.com/kiln3d/kiln/providers/httpkit"
	"github.com/kiln3d/kiln/providers/jobsapi"
)

// Webhook delivery states.
const (
	hookPending   = "pending"
	hookDelivered = "delivered"
	hookFailed    = "failed"
)

// WebhookBody is what a webhook POSTs.
type WebhookBody struct {
	// Event is job.done, job.failed or job.cancelled.
	Event string      `json:"event"`
	Job   jobsapi.Job `json:"job"`
}

// webhooks delivers the webhooks of ended jobs. Each delivery is a row in api_webhooks written
// before the first try, so one due when the server stopped is made when it starts again.
type webhooks struct {
	s    *Server
	wake chan struct{}
	mu   sync.Mutex
	due  []string // jobs that ended, to be recorded by the loop
	ctx  context.Context
	end  context.CancelFunc
	wg   sync.WaitGroup
}

func newWebhooks(s *Server) *webhooks {
	ctx, end := context.WithCancel(context.Background())
	return &webhooks{s: s, wake: make(chan struct{}, 1), ctx: ctx, end: end}
}

func (h *webhooks) start() { h.wg.Go(h.loop) }

func (h *webhooks) stop() {
	h.end()
	h.wg.Wait()
}

// ended notes that job id ended; the loop records its webhook. It never blocks: the queue's
// workers call it.
func (h *webhooks) ended(id string) {
	h.mu.Lock()
	h.due = append(h.due, id)
	h.mu.Unlock()
	h.poke()
}

func (h *webhooks) poke() {
	select {
	case h.wake <- struct{}{}:
	default:
	}
}

// finished records that job id ended (once), if its client asked to be told.
func (h *webhooks) finished(id string) {
	ctx := context.WithoutCancel(h.ctx)
	j, err := h.s.k.Jobs.Job(ctx, id)
	if err != nil || !j.State.Finished() {
		return
	}
	res, err := h.s.db.ExecContext(ctx, `INSERT OR IGNORE INTO api_webhooks (job_id, event, state, next)
		SELECT job_id, ?, ?, ? FROM api_jobs WHERE job_id = ? AND webhook != ''`,
		"job."+status(j.State), hookPending, app.Millis(time.Now()), id)
	if err != nil {
		h.s.log.Error("record webhook", "job", id, "err", err)
		return
	}
	if n, _ := res.RowsAffected(); n > 0 {
		h.poke()
	}
}

// loop delivers what is due, then sleeps until the next is due or a job ends.
func (h *webhooks) loop() {
	h.catchUp()
	for {
		h.mu.Lock()
		ended := h.due
		h.due = nil
		h.mu.Unlock()
		for _, id := range ended {
			h.finished(id)
		}
		next := h.deliverDue()
		wait := time.Until(next)
		if next.IsZero() {
			wait = time.Hour
		}
		t := time.NewTimer(max(wait, 0))
		select {
		case <-h.ctx.Done():
			t.Stop()
			return
		case <-h.wake:
		case <-t.C:
		}
		t.Stop()
	}
}

// catchUp records the webhooks of jobs that ended while no server listened for them.
func (h *webhooks) catchUp() {
	rows, err := h.s.db.QueryContext(h.ctx, `SELECT a.job_id FROM api_jobs a LEFT JOIN api_webhooks w ON w.job_id = a.job_id
		WHERE a.webhook != '' AND w.job_id IS NULL`)
	if err != nil {
		return
	}
	var ids []string
	for rows.Next() {
		var id string
		if rows.Scan(&id) == nil {
			ids = append(ids, id)
		}
	}
	rows.Close()
	for _, id := range ids {
		h.finished(id)
	}
}

type delivery struct {
	jobID, event, url, base, keyID string
	attempts                       int
}

// deliverDue makes every delivery that is due and returns when the next one is (zero: none).
func (h *webhooks) deliverDue() time.Time {
	rows, err := h.s.db.QueryContext(h.ctx, `SELECT w.job_id, w.event, a.webhook, a.base, a.key_id, w.attempts
		FROM api_webhooks w JOIN api_jobs a ON a.job_id = w.job_id
		WHERE w.state = ? AND w.next <= ? ORDER BY w.next`, hookPending, app.Millis(time.Now()))
	if err != nil {
		return time.Time{}
	}
	var due []delivery
	for rows.Next() {
		var d delivery
		if rows.Scan(&d.jobID, &d.event, &d.url, &d.base, &d.keyID, &d.attempts) == nil {
			due = append(due, d)
		}
	}
	rows.Close()
	for _, d := range due {
		if h.ctx.Err() != nil {
			return time.Time{}
		}
		h.deliver(d)
	}
	var next int64
	if err := h.s.db.QueryRowContext(h.ctx, `SELECT coalesce(min(next), 0) FROM api_webhooks WHERE state = ?`, hookPending).Scan(&next); err != nil {
		return time.Time{}
	}
	return app.FromMillis(next)
}

// deliver makes one try of d and records how it went.
func (h *webhooks) deliver(d delivery) {
	err := h.send(d)
	d.attempts++
	ctx := context.WithoutCancel(h.ctx)
	if err == nil {
		_, _ = h.s.db.ExecContext(ctx, `UPDATE api_webhooks SET state = ?, attempts = ?, last_error = '' WHERE job_id = ?`,
			hookDelivered, d.attempts, d.jobID)
		return
	}
	if h.ctx.Err() != nil {
		return // stopping: the try did not count; it is made next time
	}
	state, next := hookPending, time.Now().Add(h.s.opts.WebhookBackoff<<min(d.attempts-1, 16))
	if d.attempts >= h.s.opts.WebhookAttempts {
		state = hookFailed
	}
	h.s.log.Warn("webhook not delivered", "job", d.jobID, "try", d.attempts, "err", err, "gave_up", state == hookFailed)
	_, _ = h.s.db.ExecContext(ctx, `UPDATE api_webhooks SET state = ?, attempts = ?, next = ?, last_error = ? WHERE job_id = ?`,
		state, d.attempts, app.Millis(next), err.Error(), d.jobID)
}

// send POSTs d's body, signed with its key's webhook secret.
func (h *webhooks) send(d delivery) error {
	// Checked again: the address came from the database, which is only a file.
	if err := checkWebhookURL(d.url); err != nil {
		return fmt.Errorf("the webhook address is refused: %w", err)
	}
	j, err := h.s.k.Jobs.Job(h.ctx, d.jobID)
	if err != nil {
		return err
	}
	body, err := json.Marshal(WebhookBody{Event: d.event, Job: jobJSON(j, d.base)})
	if err != nil {
		return err
	}
	secret, err := h.s.Keys.WebhookSecret(d.keyID)
	if err != nil {
		return err
	}
	ctx, cancel := context.WithTimeout(h.ctx, 30*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, d.url, bytes.NewReader(body))
	if err != nil {
		return err
	}
	delivery := make([]byte, 8)
	_, _ = rand.Read(delivery)
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("User-Agent", "Kiln/"+app.Version)
	req.Header.Set("kiln-event", d.event)
	req.Header.Set("kiln-delivery", hex.EncodeToString(delivery))
	req.Header.Set("kiln-signature", Sign(secret, time.Now(), body))
	resp, err := h.s.opts.WebhookClient.Do(req)
	if err != nil {
		return fmt.Errorf("no answer: %s", httpkit.Scrub(err.Error()))
	}
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
	_ = resp.Body.Close()
	if resp.StatusCode/100 != 2 {
		return fmt.Errorf("answered %s", resp.Status)
	}
	return nil
}

// Sign makes a kiln-signature header for body sent at t: "t=<unix seconds>,v1=<hex
// HMAC-SHA256(secret, "<t>.<body>")>". A receiver checks it with its key's webhook secret and
// refuses a t far from its clock (a replay).
func Sign(secret string, t time.Time, body []byte) string {
	ts := strconv.FormatInt(t.Unix(), 10)
	m := hmac.New(sha256.New, []byte(secret))
	m.Write([]byte(ts))
	m.Write([]byte{'.'})
	m.Write(body)
	return "t=" + ts + ",v1=" + hex.EncodeToString(m.Sum(nil))
}
