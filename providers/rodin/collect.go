package rodin

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"strings"
	"time"

	"github.com/kiln3d/kiln/providers"
	"github.com/kiln3d/kiln/providers/httpkit"
)

// maxTroubles is how many calls in a row may fail for a passing reason (the network, a 5xx, a
// garbled answer) before Collect gives up; the core may call Collect again, which resumes the same
// task. A rate limit is not trouble: Collect waits as long as Rodin asks.
const maxTroubles = 5

// The job statuses Rodin documents, and Canceled, which Deemos's own client treats as a failure.
const (
	statusWaiting    = "Waiting"
	statusGenerating = "Generating"
	statusDone       = "Done"
	statusFailed     = "Failed"
	statusCanceled   = "Canceled"
)

// job is one step of a task, as /status lists it.
type job struct {
	UUID   string `json:"uuid"`
	Status string `json:"status"`
}

// Collect follows the task until every job is Done, then downloads the model (a glb) and Rodin's
// preview.webp into dir at once, as their links expire within minutes. It never submits: after a
// restart it follows the same task with the persisted Remote. A job that Failed, or was
// Canceled, is a *providers.APIError of kind providers.ErrGenerationFailed.
func (p *Provider) Collect(ctx context.Context, _ providers.Request, r providers.Remote, dir string,
	report func(providers.Progress)) ([]providers.File, error) {
	op := "follow task " + r.ID
	if err := ctx.Err(); err != nil {
		return nil, fmt.Errorf("rodin: %s: %w", op, err)
	}
	if report == nil {
		report = func(providers.Progress) {}
	}
	if r.ID == "" {
		return nil, errors.New("rodin: collect: the job has no Rodin task uuid")
	}
	var state remoteState
	if err := json.Unmarshal(r.State, &state); err != nil || state.SubscriptionKey == "" {
		return nil, fmt.Errorf("rodin: %s: the job's saved state lacks Rodin's subscription key, without which the task cannot be followed", op)
	}
	key, err := loadKey(ctx, p.secrets)
	if err != nil {
		return nil, err
	}
	files, err := p.follow(ctx, key, r.ID, state, dir, report)
	return files, scrub(err, key, state.SubscriptionKey)
}

// follow polls /status until the task ends, then fetches its results.
func (p *Provider) follow(ctx context.Context, key, id string, state remoteState, dir string,
	report func(providers.Progress)) ([]providers.File, error) {
	op := "follow task " + id
	pace := httpkit.NewBackoff(p.Poll)
	troubles, last := 0, ""
	for {
		jobs, err := p.status(ctx, key, op, state.SubscriptionKey)
		var pause time.Duration
		switch {
		case ctx.Err() != nil:
			return nil, fmt.Errorf("rodin: %s: %w", op, ctx.Err())
		case errors.Is(err, providers.ErrRateLimited):
			pause = min(retryAfter(err), maxRetryAfter)
			p.Log.LogAttrs(ctx, slog.LevelInfo, "rodin asks Kiln to slow down", slog.String("op", op), slog.Duration("wait", pause))
		case err != nil && providers.Transient(err) && troubles < maxTroubles:
			troubles++
			p.Log.LogAttrs(ctx, slog.LevelWarn, "rodin status failed; trying again", slog.String("op", op),
				slog.Int("trouble", troubles), slog.String("error", err.Error()))
		case err != nil:
			return nil, err
		default:
			troubles = 0
			t := tally(jobs)
			switch {
			case t.failed > 0:
				return nil, service.Error(op, 0, providers.ErrGenerationFailed, failedWords(state.Kind))
			case t.canceled > 0:
				return nil, service.Error(op, 0, providers.ErrGenerationFailed, "the task was cancelled on Rodin's side")
			case t.finished():
				return p.fetchResults(ctx, key, id, dir, report)
			}
			if sig := t.signature; sig != last {
				pace.Reset() // something moved: the next change may follow soon
				last = sig
			}
			report(t.progress())
		}
		if err := p.Sleep(ctx, max(pause, pace.Wait())); err != nil {
			return nil, fmt.Errorf("rodin: %s: %w", op, err)
		}
	}
}

// failedWords says that a task failed, in an artist's words.
func failedWords(kind string) string {
	if kind == kindTexture {
		return "Rodin could not texture this model (a step of the task failed)"
	}
	return "Rodin could not make this model (a step of the task failed)"
}

// statusReply is Rodin's answer to /status.
type statusReply struct {
	Error json.RawMessage `json:"error"`
	Jobs  *[]job          `json:"jobs"`
}

// status asks /status for the jobs of the task whose subscription key is sub.
func (p *Provider) status(ctx context.Context, key, op, sub string) ([]job, error) {
	var out statusReply
	code, err := p.do(ctx, key, call{op: op, method: http.MethodPost, route: "status",
		json: map[string]string{"subscription_key": sub}}, &out)
	if err != nil {
		return nil, err
	}
	if out.Jobs == nil {
		return nil, incomplete(op, code, out.Error, "the task's jobs")
	}
	return *out.Jobs, nil
}

// retryAfter is the wait a refusal asks for; 0 when it names none.
func retryAfter(err error) time.Duration {
	var api *providers.APIError
	if errors.As(err, &api) {
		return api.RetryAfter
	}
	return 0
}

// counts sums up the jobs of a task.
type counts struct {
	jobs, done, generating, failed, canceled int
	// signature is every job's status, to notice a change.
	signature string
}

func tally(jobs []job) counts {
	c := counts{jobs: len(jobs)}
	statuses := make([]string, 0, len(jobs))
	for _, j := range jobs {
		statuses = append(statuses, j.Status)
		switch {
		case strings.EqualFold(j.Status, statusDone):
			c.done++
		case strings.EqualFold(j.Status, statusFailed):
			c.failed++
		case strings.EqualFold(j.Status, statusCanceled), strings.EqualFold(j.Status, "Cancelled"):
			c.canceled++
		case strings.EqualFold(j.Status, statusGenerating):
			c.generating++
		}
	}
	c.signature = strings.Join(statuses, ",")
	return c
}

// finished says whether the task is over and made its model: every job is Done. A task listed
// with no job has not started.
func (c counts) finished() bool { return c.jobs > 0 && c.done == c.jobs }

// progress reports the task's state: the share of its jobs Done.
func (c counts) progress() providers.Progress {
	if c.jobs == 0 {
		return providers.Progress{Phase: providers.PhaseRunning, Fraction: -1, Message: "Rodin: waiting for the task to start"}
	}
	doing := "waiting in Rodin's queue"
	if c.generating > 0 || c.done > 0 {
		doing = "generating"
	}
	step := "steps"
	if c.jobs == 1 {
		step = "step"
	}
	return providers.Progress{Phase: providers.PhaseRunning, Fraction: float64(c.done) / float64(c.jobs),
		Message: fmt.Sprintf("Rodin: %s (%d of %d %s done)", doing, c.done, c.jobs, step)}
}
