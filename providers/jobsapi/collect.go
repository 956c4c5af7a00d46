package jobsapi

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"math"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/kiln3d/kiln/providers"
	"github.com/kiln3d/kiln/providers/httpkit"
)

// maxTroubles is how many polls in a row may fail for a passing reason (the network, a 5xx, a
// garbled answer) before Collect gives up; the core may call Collect again, which follows the same
// job. A rate limit is not trouble: Collect waits as long as the server asks.
const maxTroubles = 5

// failInvalidInput is the failure kind of a job whose input the server's provider refused.
const failInvalidInput = "invalid_input"

// maxMessage bounds the server's progress message, in runes.
const maxMessage = 200

// Collect follows the job until it is done, then downloads the files it lists into dir, the
// model (a glb) first. It never submits: after a restart it follows the same job with the
// persisted Remote. A job that failed, or was cancelled on the server, is a *providers.APIError
// of kind providers.ErrGenerationFailed; a job the server does not know (for this key) one of
// kind providers.ErrNotFound.
func (p *Provider) Collect(ctx context.Context, _ providers.Request, r providers.Remote, dir string,
	report func(providers.Progress)) ([]providers.File, error) {
	op := "follow job " + providers.Printable(r.ID)
	if err := ctx.Err(); err != nil {
		return nil, wrapCtx(op, err)
	}
	if report == nil {
		report = func(providers.Progress) {}
	}
	if r.ID == "" {
		return nil, fmt.Errorf("%s: collect: the job has no Kiln server job id", Name)
	}
	key, err := loadKey(ctx, p.secrets)
	if err != nil {
		return nil, err
	}
	files, err := p.follow(ctx, key, r.ID, dir, report)
	return files, scrub(err, key)
}

// follow polls the job until it ends, then fetches its files.
func (p *Provider) follow(ctx context.Context, key, id, dir string, report func(providers.Progress)) ([]providers.File, error) {
	op := "follow job " + providers.Printable(id)
	pace := httpkit.NewBackoff(p.Poll)
	troubles, last := 0, ""
	for {
		j, err := p.job(ctx, key, op, id)
		var pause time.Duration
		switch {
		case ctx.Err() != nil:
			return nil, wrapCtx(op, ctx.Err())
		case errors.Is(err, providers.ErrRateLimited):
			pause = min(retryAfter(err), maxRetryAfter)
			p.Log.LogAttrs(ctx, slog.LevelInfo, "jobsapi: the server asks Kiln to slow down", slog.String("op", op), slog.Duration("wait", pause))
		case err != nil && providers.Transient(err) && troubles < maxTroubles:
			troubles++
			p.Log.LogAttrs(ctx, slog.LevelWarn, "jobsapi poll failed; trying again", slog.String("op", op),
				slog.Int("trouble", troubles), slog.String("error", err.Error()))
		case errors.Is(err, providers.ErrNotFound):
			var api *providers.APIError
			if errors.As(err, &api) {
				api.Message += " (the server has no such job for this key: it was removed, or sent with another key)"
			}
			return nil, err
		case err != nil:
			return nil, err
		default:
			troubles = 0
			switch j.Status {
			case StatusDone:
				return p.fetchResults(ctx, key, id, j, dir, report)
			case StatusFailed:
				return nil, failure(op, j)
			case StatusCancelled:
				return nil, service.Error(op, 0, providers.ErrGenerationFailed, "the job was cancelled on the server")
			}
			if sig := fmt.Sprintf("%s %.3f %s", j.Status, j.Progress, j.Message); sig != last {
				pace.Reset() // something moved: the next change may follow soon
				last = sig
			}
			report(progress(j, key))
		}
		if err := p.Sleep(ctx, max(pause, pace.Wait())); err != nil {
			return nil, wrapCtx(op, err)
		}
	}
}

// job asks GET /api/v1/jobs/{id} for the job as it is now.
func (p *Provider) job(ctx context.Context, key, op, id string) (Job, error) {
	var out Job
	status, err := p.do(ctx, key, call{op: op, method: http.MethodGet, route: "jobs/" + url.PathEscape(id)}, &out)
	if err != nil {
		return Job{}, err
	}
	if out.Status == "" {
		return Job{}, service.Error(op, status, providers.ErrServer, "the server answered without the job's status")
	}
	return out, nil
}

// progress reports the job's state in the server's words, or Kiln's when it sent none.
func progress(j Job, key string) providers.Progress {
	fraction := j.Progress
	if math.IsNaN(fraction) {
		fraction = 0
	}
	msg := httpkit.Shorten(httpkit.Scrub(providers.Printable(strings.TrimSpace(j.Message)), key), maxMessage)
	if msg == "" {
		msg = "The Kiln server is making the model"
		if j.Status == StatusQueued {
			msg = "Waiting in the Kiln server's queue"
		}
	}
	return providers.Progress{Phase: providers.PhaseRunning, Fraction: max(0, min(1, fraction)), Message: msg}
}

// failure explains a failed job: the server's failure kind and words, and which of its providers
// failed.
func failure(op string, j Job) error {
	who := "the server"
	if j.Provider != "" {
		who = fmt.Sprintf("the server's %s provider", j.Provider)
	}
	words := who + " could not make the model"
	var code, msg string
	if j.Error != nil {
		code, msg = strings.TrimSpace(j.Error.Code), strings.TrimSpace(j.Error.Message)
	}
	if code == failInvalidInput {
		words = who + " refused the input"
	}
	if msg != "" {
		words += ": " + msg
	}
	if code != "" {
		words += " (" + code + ")"
	}
	return service.Error(op, 0, providers.ErrGenerationFailed, words)
}
