package kaedim

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/kiln3d/kiln/providers"
	"github.com/kiln3d/kiln/providers/httpkit"
)

// maxTroubles is how many polls in a row may fail for a passing reason (the network, a 5xx, a
// 429, a garbled answer) before Collect gives up; with the waits growing to a minute that is
// several minutes of trouble. A later Collect resumes the same request.
const maxTroubles = 8

// maxLinkless is how many polls may show a finished model without a glb link before Collect gives
// up: the links may trail the status by a moment, but not forever.
const maxLinkless = 3

// remoteState is what Submit keeps in Remote.State for Collect, which may run after a restart.
type remoteState struct {
	Submitted time.Time `json:"submitted,omitzero"`
	// StudioID is the studio the request was filed under: fetchRequest needs the same.
	StudioID string `json:"studio_id,omitempty"`
}

// Collect polls the request until its last iteration is finished, then downloads its glb into dir.
// It never submits: after a restart it follows the same requestID. A dismissed request is a
// *providers.APIError of kind providers.ErrGenerationFailed carrying Kaedim's reason.
func (p *Provider) Collect(ctx context.Context, req providers.Request, r providers.Remote, dir string,
	report func(providers.Progress)) ([]providers.File, error) {
	op := "follow request " + r.ID
	if err := ctx.Err(); err != nil {
		return nil, fmt.Errorf("kaedim: %s: %w", op, err)
	}
	if report == nil {
		report = func(providers.Progress) {}
	}
	if r.ID == "" {
		return nil, errors.New("kaedim: collect: the job has no Kaedim requestID")
	}
	s := p.main
	creds, err := loadCredentials(ctx, s.secrets)
	if err != nil {
		return nil, err
	}
	files, err := s.collect(ctx, creds, r, dir, report)
	return files, s.scrub(err, creds)
}

func (s *session) collect(ctx context.Context, creds Credentials, r providers.Remote, dir string,
	report func(providers.Progress)) ([]providers.File, error) {
	p, op := s.p, "follow request "+r.ID
	state := remoteState{StudioID: creds.StudioID}
	if len(r.State) > 0 {
		state = remoteState{}
		if err := json.Unmarshal(r.State, &state); err != nil {
			return nil, fmt.Errorf("kaedim: %s: the job's saved state is damaged: %w", op, err)
		}
	}
	since := state.Submitted
	if since.IsZero() {
		since = p.Now()
	}
	wait := httpkit.NewBackoff(p.Poll)
	troubles, linkless, lastStatus := 0, 0, ""
	for {
		a, err := s.fetchRequest(ctx, creds, r.ID, state.StudioID)
		pause := time.Duration(0)
		switch {
		case ctx.Err() != nil:
			return nil, fmt.Errorf("kaedim: %s: %w", op, ctx.Err())
		case err != nil && providers.Transient(err) && troubles < maxTroubles:
			troubles++
			var api *providers.APIError
			if errors.As(err, &api) {
				pause = min(api.RetryAfter, maxRetryAfter)
			}
		case err != nil:
			return nil, err
		default:
			troubles = 0
			it, ok := a.Latest()
			switch {
			case ok && it.Done() && (it.Results["glb"] != "" || linkless >= maxLinkless):
				// Download at once: the links expire within the hour.
				return s.saveModel(ctx, creds, r.ID, state.StudioID, dir, &a, report)
			case ok && it.Done():
				linkless++
			case ok && it.Dismissed():
				return nil, dismissed(op, it)
			}
			status := ""
			if ok {
				status = it.Status
			}
			if status != lastStatus {
				wait.Reset() // something moved: the next change may follow soon
				lastStatus = status
			}
			report(providers.Progress{Phase: providers.PhaseRunning, Fraction: -1,
				Message: fmt.Sprintf("%s (%s so far)", describe(status), elapsed(p.Now(), a.Created, since))})
		}
		if err := p.pause(ctx, max(pause, wait.Wait())); err != nil {
			return nil, fmt.Errorf("kaedim: %s: %w", op, err)
		}
	}
}

// describe puts an iteration's status in an artist's words. Kaedim documents no word for work in
// progress, so any it has not documented means it is still at work.
func describe(status string) string {
	switch status {
	case "":
		return "Waiting for Kaedim to start"
	case "new":
		return "Queued at Kaedim"
	case "completed", "approved":
		return "Kaedim finished the model; waiting for its download link"
	}
	return fmt.Sprintf("Kaedim is making the model (status %q)", status)
}

// elapsed is the time since the request was made: Kaedim's createdAt when it reads, else the
// submission Kiln remembers.
func elapsed(now, created, submitted time.Time) time.Duration {
	since := submitted
	if !created.IsZero() && !created.After(now) {
		since = created
	}
	return max(0, now.Sub(since)).Round(time.Second)
}
