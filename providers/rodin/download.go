package rodin

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"path"
	"path/filepath"
	"strings"

	"github.com/kiln3d/kiln/providers"
	"github.com/kiln3d/kiln/providers/httpkit"
)

// Bounds on what Collect downloads: 1 GiB, the largest file Kiln's preview opens, is far above
// any model Rodin's 2,000,000 faces make; a preview is a small picture.
const (
	maxModelBytes   = 1 << 30
	maxPreviewBytes = 32 << 20
)

// maxLinkTries bounds the downloads of one file: each try after the first asks /download again
// for fresh links, which expire after about ten minutes.
const maxLinkTries = 3

// maxUnlisted is how many times a finished task's download list may lack its model before
// Collect gives up: the documentation warns that a list asked for early can be incomplete.
const maxUnlisted = 3

// The file names Collect falls back on when Rodin's are unusable.
const (
	modelFallback   = "model.glb"
	previewFallback = "preview.webp"
)

// listed is one entry of Rodin's download list.
type listed struct {
	URL  string `json:"url"`
	Name string `json:"name"`
}

// fileName is the entry's name, or its link's last path segment when it has none.
func (l listed) fileName() string {
	if l.Name != "" {
		return l.Name
	}
	if u, err := url.Parse(l.URL); err == nil {
		return path.Base(u.Path)
	}
	return ""
}

// is says whether the entry's name ends in ext (".glb").
func (l listed) is(ext string) bool { return strings.HasSuffix(strings.ToLower(l.fileName()), ext) }

// listReply is Rodin's answer to /download.
type listReply struct {
	Error json.RawMessage `json:"error"`
	List  *[]listed       `json:"list"`
}

// list asks /download for the links of task id's files.
func (p *Provider) list(ctx context.Context, key, op, id string) ([]listed, error) {
	var out listReply
	code, err := p.do(ctx, key, call{op: op, method: http.MethodPost, route: "download",
		json: map[string]string{"task_uuid": id}}, &out)
	if err != nil {
		return nil, err
	}
	if out.List == nil {
		return nil, incomplete(op, code, out.Error, "the list of the task's files")
	}
	return *out.List, nil
}

// results are the files of a finished task worth downloading.
type results struct {
	// model is the main model: the PBR one when there are several.
	model listed
	// preview is Rodin's picture of the model; its URL is "" when none is listed.
	preview listed
	// others are the task's other models (material All makes a PBR and a Shaded one).
	others []listed
}

// pick finds the results in a download list; ok is false when it lists no glb.
func pick(list []listed) (r results, ok bool) {
	var models []listed
	for _, l := range list {
		switch {
		case l.URL == "":
		case l.is(".glb"):
			models = append(models, l)
		case l.is(".webp") && (r.preview.URL == "" || path.Base(l.fileName()) == previewFallback):
			r.preview = l
		}
	}
	if len(models) == 0 {
		return r, false
	}
	main := 0
	for i, m := range models {
		if strings.Contains(strings.ToLower(m.fileName()), "pbr") {
			main = i
			break
		}
	}
	r.model = models[main]
	r.others = append(append(r.others, models[:main]...), models[main+1:]...)
	return r, true
}

// fetchResults asks /download for the finished task's links and downloads its model, its preview
// and its other models into dir, returning them in that order. Only the main model is needed: a
// preview or another model that cannot be had is logged and left out.
func (p *Provider) fetchResults(ctx context.Context, key, id, dir string, report func(providers.Progress)) ([]providers.File, error) {
	op := "download the results of task " + id
	report(providers.Progress{Phase: providers.PhaseDownloading, Fraction: 0, Message: "Asking Rodin for the model's download link"})
	res, err := p.listResults(ctx, key, op, id)
	if err != nil {
		return nil, err
	}
	names := newNamer()
	name := names.name(res.model.fileName(), ".glb", modelFallback)
	if err := p.fetch(ctx, key, op, id, "the model", res.model, filepath.Join(dir, name), maxModelBytes, httpkit.SniffGLB, report); err != nil {
		return nil, err
	}
	files := []providers.File{{Path: name, Format: "glb"}}
	if res.preview.URL != "" {
		name := names.name(res.preview.fileName(), ".webp", previewFallback)
		err := p.fetch(ctx, key, op, id, "the preview", res.preview, filepath.Join(dir, name), maxPreviewBytes, sniffWebP, report)
		switch {
		case ctx.Err() != nil:
			return nil, fmt.Errorf("rodin: %s: %w", op, ctx.Err())
		case err != nil:
			p.Log.LogAttrs(ctx, slog.LevelWarn, "rodin preview not downloaded", slog.String("op", op), slog.String("error", scrub(err, key).Error()))
		default:
			files = append(files, providers.File{Path: name, Format: "webp", Role: providers.RolePreview})
		}
	}
	for _, other := range res.others {
		name := names.name(other.fileName(), ".glb", modelFallback)
		err := p.fetch(ctx, key, op, id, "another model", other, filepath.Join(dir, name), maxModelBytes, httpkit.SniffGLB, report)
		switch {
		case ctx.Err() != nil:
			return nil, fmt.Errorf("rodin: %s: %w", op, ctx.Err())
		case err != nil:
			p.Log.LogAttrs(ctx, slog.LevelWarn, "rodin model not downloaded", slog.String("op", op), slog.String("error", scrub(err, key).Error()))
		default:
			files = append(files, providers.File{Path: name, Format: "glb"})
		}
	}
	return files, nil
}

// listResults asks /download until the list holds a model: a list asked for just as the task
// ends may lack it. Passing failures are tried again, as Collect's polls are.
func (p *Provider) listResults(ctx context.Context, key, op, id string) (results, error) {
	pace := httpkit.NewBackoff(p.Poll)
	troubles, unlisted := 0, 0
	for {
		list, err := p.list(ctx, key, op, id)
		switch {
		case ctx.Err() != nil:
			return results{}, fmt.Errorf("rodin: %s: %w", op, ctx.Err())
		case errors.Is(err, providers.ErrRateLimited):
			if err := p.Sleep(ctx, max(min(retryAfter(err), maxRetryAfter), pace.Wait())); err != nil {
				return results{}, fmt.Errorf("rodin: %s: %w", op, err)
			}
			continue
		case err != nil && providers.Transient(err) && troubles < maxTroubles:
			troubles++
		case err != nil:
			return results{}, err
		default:
			if res, ok := pick(list); ok {
				return res, nil
			}
			if unlisted++; unlisted >= maxUnlisted {
				return results{}, service.Error(op, 0, providers.ErrServer, "Rodin finished the task but lists no .glb model to download"+listing(list))
			}
		}
		if err := p.Sleep(ctx, pace.Wait()); err != nil {
			return results{}, fmt.Errorf("rodin: %s: %w", op, err)
		}
	}
}

// listing names the files of a list, for a message.
func listing(list []listed) string {
	if len(list) == 0 {
		return " (the list is empty)"
	}
	names := make([]string, 0, len(list))
	for _, l := range list {
		names = append(names, httpkit.Shorten(l.fileName(), 60))
	}
	return " (it lists " + strings.Join(names, ", ") + ")"
}

// fetch downloads the file l into dest, asking /download for a fresh link before every try
// after the first: links expire, and a refused one (403, 410) is the sign.
func (p *Provider) fetch(ctx context.Context, key, op, id, what string, l listed, dest string, limit int64,
	sniff func([]byte, int64) error, report func(providers.Progress)) error {
	refetch := func(ctx context.Context) (string, error) {
		list, err := p.list(ctx, key, op, id)
		if err != nil {
			return "", err
		}
		for _, fresh := range list {
			if fresh.Name == l.Name && fresh.URL != "" {
				return fresh.URL, nil
			}
		}
		return "", service.Error(op, 0, providers.ErrServer, fmt.Sprintf("Rodin no longer lists %s (%s)", what, httpkit.Shorten(l.fileName(), 60)))
	}
	return service.Download(ctx, httpkit.DownloadSpec{
		Op: op, What: what, URL: l.URL, Dest: dest, Client: p.HTTP, MaxBytes: limit, StallTimeout: p.Stall,
		Tries: maxLinkTries, Backoff: p.Poll.First, Wait: p.Sleep, Sniff: sniff, Refetch: refetch, Report: report, Log: p.Log,
	})
}

// sniffWebP is a DownloadSpec.Sniff for the preview: a RIFF container of WEBP.
func sniffWebP(head []byte, _ int64) error {
	if len(head) < 12 || string(head[:4]) != "RIFF" || string(head[8:12]) != "WEBP" {
		return fmt.Errorf("the preview is not a WebP picture: %q", httpkit.Excerpt(head[:min(len(head), 512)]))
	}
	return nil
}
