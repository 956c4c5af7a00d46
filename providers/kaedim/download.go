package kaedim

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"path/filepath"
	"time"

	"github.com/kiln3d/kiln/providers"
	"github.com/kiln3d/kiln/providers/atomicfile"
)

// maxLinkTries bounds the downloads of one model: each try after the first fetches the request
// again for fresh links.
const maxLinkTries = 3

// maxModelBytes bounds a downloaded model, so that a runaway answer cannot fill the disk.
const maxModelBytes = 4 << 30

// saveModel downloads the glb of request id's newest finished iteration into dir. known, when set,
// is the request as just fetched, links fresh. Links expire after an hour and a storage refuses an
// expired one (400, 403 or 404): then, as after any failed download, the request is fetched again
// for fresh links and the download tried again.
func (s *session) saveModel(ctx context.Context, creds Credentials, id, studioID, dir string, known *RemoteAsset,
	report func(providers.Progress)) ([]providers.File, error) {
	op := "download the model of " + id
	var last error
	for try := range maxLinkTries {
		var a RemoteAsset
		if try == 0 && known != nil {
			a = *known
		} else {
			var err error
			if a, err = s.fetchRequest(ctx, creds, id, studioID); err != nil {
				return nil, err
			}
		}
		it, ok := a.Finished()
		if !ok {
			return nil, unfinished(op, a)
		}
		link := it.Results["glb"]
		if link == "" {
			return nil, &providers.APIError{Provider: Name, Op: op, Kind: providers.ErrServer,
				Message: "Kaedim lists no glb link for the finished model"}
		}
		err := s.p.fetchFile(ctx, op, link, dir, ModelFile, report)
		if err == nil {
			return []providers.File{{Path: ModelFile, Format: "glb"}}, nil
		}
		var api *providers.APIError
		if !errors.As(err, &api) || ctx.Err() != nil {
			return nil, err // the disk, or a cancellation: fresh links would not help
		}
		last = err
		if !linkRefused(api.Status) {
			// The storage failed or could not be reached: give it a moment.
			if err := s.p.pause(ctx, s.p.poll.First); err != nil {
				return nil, fmt.Errorf("kaedim: %s: %w", op, err)
			}
		}
	}
	return nil, last
}

func linkRefused(status int) bool {
	return status == http.StatusBadRequest || status == http.StatusForbidden || status == http.StatusNotFound || status == http.StatusGone
}

// unfinished explains why a request has no model to download.
func unfinished(op string, a RemoteAsset) error {
	it, ok := a.Latest()
	switch {
	case !ok:
		return &providers.APIError{Provider: Name, Op: op, Kind: providers.ErrNotFound, Message: "Kaedim has not started this request yet"}
	case it.Dismissed():
		return dismissed(op, it)
	}
	return &providers.APIError{Provider: Name, Op: op, Kind: providers.ErrNotFound,
		Message: fmt.Sprintf("the model is not finished yet (Kaedim says %q)", it.Status)}
}

func dismissed(op string, it Iteration) error {
	msg := "Kaedim dismissed the request"
	if it.DismissedReason != "" {
		msg += ": " + it.DismissedReason
	}
	return &providers.APIError{Provider: Name, Op: op, Kind: providers.ErrGenerationFailed, Message: msg}
}

// fetchFile downloads link into dir/name atomically: a temporary file, flushed, renamed over name.
// The request carries no credential: the link is signed, and the storage is another host.
func (p *Provider) fetchFile(ctx context.Context, op, link, dir, name string, report func(providers.Progress)) error {
	u, err := url.Parse(link)
	if err == nil && u.Host == "" {
		err = errors.New("no host")
	}
	if err == nil {
		err = checkScheme(u)
	}
	if err != nil {
		return &providers.APIError{Provider: Name, Op: op, Kind: providers.ErrServer,
			Message: "Kaedim sent a download link Kiln will not follow: " + err.Error()}
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, link, nil)
	if err != nil {
		return &providers.APIError{Provider: Name, Op: op, Kind: providers.ErrServer, Message: "bad download link"}
	}
	req.Header.Set("User-Agent", "Kiln")
	start := time.Now()
	resp, err := p.http.Do(req)
	if err != nil {
		return networkError(ctx, op, err)
	}
	defer func() { _ = resp.Body.Close() }()
	// The link's query is its signature: only the host and path are logged.
	p.log.LogAttrs(ctx, slog.LevelDebug, "kaedim download", slog.String("op", op), slog.String("host", u.Host),
		slog.String("path", u.Path), slog.Int("status", resp.StatusCode), slog.Duration("took", time.Since(start)))
	if resp.StatusCode != http.StatusOK {
		data, _ := io.ReadAll(io.LimitReader(resp.Body, maxErrorBody))
		msg := "the storage refused the download link, which may have expired"
		if !linkRefused(resp.StatusCode) {
			msg = "the storage failed to send the model"
		}
		if e := excerpt(data); e != "" {
			msg += ": " + e
		}
		return &providers.APIError{Provider: Name, Op: op, Status: resp.StatusCode, Kind: providers.ErrServer, Message: msg}
	}
	return p.writeModel(ctx, op, resp, dir, name, report)
}

// writeModel streams a glb answer into dir/name, reporting progress, and checks it is a glb before
// it replaces anything: a portal's HTML page must not become the model.
func (p *Provider) writeModel(ctx context.Context, op string, resp *http.Response, dir, name string, report func(providers.Progress)) error {
	body := bufio.NewReaderSize(resp.Body, 64<<10)
	head, _ := body.Peek(4)
	if string(head) != "glTF" {
		data, _ := body.Peek(512)
		return &providers.APIError{Provider: Name, Op: op, Status: resp.StatusCode, Kind: providers.ErrServer,
			Message: fmt.Sprintf("the download is not a glb model: %q", excerpt(data))}
	}
	size := resp.ContentLength
	var done, reported int64
	err := atomicfile.Write(filepath.Join(dir, name), 0o644, func(w io.Writer) error {
		buf := make([]byte, 256<<10)
		for {
			n, rerr := body.Read(buf)
			if n > 0 {
				if _, err := w.Write(buf[:n]); err != nil {
					return err
				}
				done += int64(n)
				if done > maxModelBytes {
					return &providers.APIError{Provider: Name, Op: op, Kind: providers.ErrServer,
						Message: fmt.Sprintf("the model is larger than %d GiB", maxModelBytes>>30)}
				}
				if done-reported >= 1<<20 {
					reported = done
					report(downloading(done, size))
				}
			}
			if errors.Is(rerr, io.EOF) {
				break
			}
			if rerr != nil {
				return networkError(ctx, op, rerr)
			}
		}
		if size > 0 && done != size {
			return &providers.APIError{Provider: Name, Op: op, Kind: providers.ErrNetwork,
				Message: fmt.Sprintf("the download stopped after %d of %d bytes", done, size)}
		}
		return nil
	})
	if err != nil {
		var api *providers.APIError
		if errors.As(err, &api) {
			return api // the server's or the network's failure, as it is
		}
		return fmt.Errorf("kaedim: %s: %w", op, err)
	}
	report(downloading(done, done))
	return nil
}

func downloading(done, size int64) providers.Progress {
	pr := providers.Progress{Phase: providers.PhaseDownloading, Fraction: -1,
		Message: fmt.Sprintf("Downloading the model (%.1f MB)", float64(done)/1e6)}
	if size > 0 {
		pr.Fraction = min(1, float64(done)/float64(size))
		pr.Message = fmt.Sprintf("Downloading the model (%.1f of %.1f MB)", float64(done)/1e6, float64(size)/1e6)
	}
	return pr
}
