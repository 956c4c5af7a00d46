package httpkit

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"os"
	"time"

	"github.com/kiln3d/kiln/providers"
	"github.com/kiln3d/kiln/providers/atomicfile"
)

// The defaults of a DownloadSpec.
const (
	// DefaultStallTimeout is how long a download may go without a byte before it is given up
	// (and tried again): long enough for a storage's slowest first byte, short enough that a
	// dead connection does not hold a job for the client's half-hour limit.
	DefaultStallTimeout = 60 * time.Second
	// DefaultTries is how many times one file is downloaded before the last failure is returned.
	DefaultTries = 3
	// DefaultBackoff is the wait before trying again after a failure that was not a refused link.
	DefaultBackoff = 2 * time.Second
	// DefaultMaxBytes caps a download when the spec names no cap.
	DefaultMaxBytes = 1 << 30
)

// SniffBytes is how much of a download's start Sniff is shown (less when the file is shorter).
const SniffBytes = 64 << 10

// DownloadSpec says what Download fetches, where it puts it, and how far it trusts the storage.
type DownloadSpec struct {
	// Op says what Kiln is doing, for errors: "download the model of 12ab".
	Op string
	// What names the file in progress reports and errors: "the model"; "" means "the file".
	What string
	// URL is the link; it must pass CheckURL. It carries no credential: the request sends none.
	URL string
	// Dest is the file written, atomically: a failed download leaves it as it was.
	Dest string
	// Perm is Dest's mode; 0 means 0o644.
	Perm os.FileMode
	// Client sends the requests; nil means NewClient(nil).
	Client *http.Client
	// MaxBytes refuses a larger file, by its declared length before a byte is read, or by what
	// arrives; 0 means DefaultMaxBytes. A file too large is never tried again.
	MaxBytes int64
	// StallTimeout gives up a try when no byte has arrived for this long, headers included;
	// 0 means DefaultStallTimeout.
	StallTimeout time.Duration
	// Tries bounds the downloads of the file; 0 means DefaultTries.
	Tries int
	// Backoff is the wait before another try after the storage failed or could not be reached;
	// 0 means DefaultBackoff. A refused link is fetched again at once.
	Backoff time.Duration
	// Wait waits between tries; nil means Sleep. Tests make it instant.
	Wait func(ctx context.Context, d time.Duration) error
	// Sniff checks the start of the file (up to SniffBytes) and its declared length (-1 when not
	// declared) before anything is written: a portal's HTML page must not become the model. An
	// error is ErrServer, and tried again, unless it matches providers.ErrDamagedResult (see
	// Damaged): then the file is refused for good.
	Sniff func(head []byte, declared int64) error
	// Refetch returns a fresh link before every try after the first: links expire, and a storage
	// refuses an expired one (400, 403, 404, 410). nil tries the same link again. Its error ends
	// the download as it is.
	Refetch func(ctx context.Context) (string, error)
	// Report receives progress, on Download's goroutine; nil discards it.
	Report func(providers.Progress)
	// Log receives a line per try, with the link's host and path but never its query (a
	// signature); nil discards them.
	Log *slog.Logger
}

// DamagedError is a file a Sniff refuses for good: the service's result itself is wrong, and
// fetching it again would fetch the same. It matches providers.ErrDamagedResult.
type DamagedError struct{ Reason string }

func (e *DamagedError) Error() string { return e.Reason }

// Is makes errors.Is(err, providers.ErrDamagedResult) true.
func (e *DamagedError) Is(target error) bool { return target == providers.ErrDamagedResult }

// Damaged returns a *DamagedError with the reason formatted from format and args.
func Damaged(format string, args ...any) error {
	return &DamagedError{Reason: fmt.Sprintf(format, args...)}
}

// next says what follows a failed try.
type next int

const (
	stop       next = iota // the failure is final: cancelled, the disk, a damaged file
	refetchNow             // the link was refused: fetch a fresh one at once
	waitAndTry             // the storage failed or could not be reached: give it a moment
)

// errStalled cancels a try whose body stopped moving.
var errStalled = errors.New("stalled")

// Download fetches d.URL into d.Dest, as DownloadSpec describes: capped, watched for stalls,
// checked by Sniff, written atomically, tried again (through Refetch's fresh links) a bounded
// number of times. Every failure of the storage or the network is a *providers.APIError of the
// service; a cancelled ctx is its error wrapped; a file that cannot be written is the disk's error
// wrapped.
func (s Service) Download(ctx context.Context, d DownloadSpec) error {
	d = d.withDefaults()
	link := d.URL
	var last error
	for try := range d.Tries {
		if try > 0 {
			var api *providers.APIError
			if errors.As(last, &api) && !linkRefused(api.Status) {
				if err := d.Wait(ctx, d.Backoff); err != nil {
					return fmt.Errorf("%s: %s: %w", s.Name, d.Op, err)
				}
			}
			if d.Refetch != nil {
				var err error
				if link, err = d.Refetch(ctx); err != nil {
					return err
				}
			}
		}
		then, err := s.try(ctx, d, link)
		if err == nil {
			return nil
		}
		if then == stop || ctx.Err() != nil {
			return err
		}
		last = err
	}
	return last
}

func (d DownloadSpec) withDefaults() DownloadSpec {
	if d.What == "" {
		d.What = "the file"
	}
	if d.Perm == 0 {
		d.Perm = 0o644
	}
	if d.Client == nil {
		d.Client = NewClient(nil)
	}
	if d.MaxBytes <= 0 {
		d.MaxBytes = DefaultMaxBytes
	}
	if d.StallTimeout <= 0 {
		d.StallTimeout = DefaultStallTimeout
	}
	if d.Tries <= 0 {
		d.Tries = DefaultTries
	}
	if d.Backoff <= 0 {
		d.Backoff = DefaultBackoff
	}
	if d.Wait == nil {
		d.Wait = Sleep
	}
	if d.Report == nil {
		d.Report = func(providers.Progress) {}
	}
	if d.Log == nil {
		d.Log = slog.New(slog.DiscardHandler)
	}
	return d
}

// linkRefused says whether a storage's status means the link itself is refused: expired, or
// signed for something else.
func linkRefused(status int) bool {
	switch status {
	case http.StatusBadRequest, http.StatusForbidden, http.StatusNotFound, http.StatusGone:
		return true
	}
	return false
}

// try downloads link once.
func (s Service) try(ctx context.Context, d DownloadSpec, link string) (next, error) {
	u, err := url.Parse(link)
	if err == nil {
		err = CheckURL(u)
	}
	if err != nil {
		// The link itself is wrong, and a fresh one would be the same: nothing is sent.
		return stop, s.Error(d.Op, 0, providers.ErrServer, s.Title+" sent a download link Kiln will not follow: "+
			Scrub(errText(err)))
	}
	tryCtx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	watchdog := time.AfterFunc(d.StallTimeout, func() { cancel(errStalled) })
	defer watchdog.Stop()
	req, err := http.NewRequestWithContext(tryCtx, http.MethodGet, u.String(), nil)
	if err != nil {
		return stop, s.Error(d.Op, 0, providers.ErrServer, "bad download link")
	}
	req.Header.Set("User-Agent", "Kiln")
	start := time.Now()
	resp, err := d.Client.Do(req)
	if err != nil {
		return s.failed(ctx, tryCtx, d, err)
	}
	defer func() { _ = resp.Body.Close() }()
	watchdog.Reset(d.StallTimeout)
	d.Log.LogAttrs(ctx, slog.LevelDebug, s.Name+" download", slog.String("op", d.Op), slog.String("host", u.Host),
		slog.String("path", u.Path), slog.Int("status", resp.StatusCode), slog.Duration("took", time.Since(start)))
	if resp.StatusCode != http.StatusOK {
		return s.refused(d, resp)
	}
	if resp.ContentLength > d.MaxBytes {
		return stop, s.Error(d.Op, resp.StatusCode, providers.ErrDamagedResult, fmt.Sprintf("%s is %s, more than the %s Kiln accepts",
			d.What, size(resp.ContentLength), size(d.MaxBytes)))
	}
	body := bufio.NewReaderSize(&watchedReader{r: resp.Body, watchdog: watchdog, stall: d.StallTimeout}, SniffBytes)
	if d.Sniff != nil {
		head, err := body.Peek(min(SniffBytes, int(d.MaxBytes)))
		if err != nil && !errors.Is(err, io.EOF) {
			return s.failed(ctx, tryCtx, d, err)
		}
		if err := d.Sniff(head, resp.ContentLength); err != nil {
			if errors.Is(err, providers.ErrDamagedResult) {
				return stop, s.Error(d.Op, resp.StatusCode, providers.ErrDamagedResult, err.Error())
			}
			return waitAndTry, s.Error(d.Op, resp.StatusCode, providers.ErrServer, err.Error())
		}
	}
	var done int64
	var failure next
	err = atomicfile.Write(d.Dest, d.Perm, func(w io.Writer) error {
		var err error
		done, failure, err = s.copy(ctx, tryCtx, d, w, body, resp.ContentLength)
		return err
	})
	if err != nil {
		var api *providers.APIError
		if errors.As(err, &api) {
			return failure, api // the storage's or the network's failure, as it is
		}
		if ctx.Err() != nil {
			return stop, fmt.Errorf("%s: %s: %w", s.Name, d.Op, ctx.Err())
		}
		return stop, fmt.Errorf("%s: %s: %w", s.Name, d.Op, err)
	}
	d.Report(progress(d.What, done, done))
	return stop, nil
}

// copy streams body into w, counting and reporting, and stops at d.MaxBytes.
func (s Service) copy(ctx, tryCtx context.Context, d DownloadSpec, w io.Writer, body io.Reader, declared int64) (int64, next, error) {
	buf := make([]byte, 256<<10)
	var done, reported int64
	for {
		n, rerr := body.Read(buf)
		if n > 0 {
			if done+int64(n) > d.MaxBytes {
				return done, stop, s.Error(d.Op, http.StatusOK, providers.ErrDamagedResult,
					fmt.Sprintf("%s is larger than the %s Kiln accepts", d.What, size(d.MaxBytes)))
			}
			if _, err := w.Write(buf[:n]); err != nil {
				return done, stop, err
			}
			done += int64(n)
			if done-reported >= 1<<20 {
				reported = done
				d.Report(progress(d.What, done, declared))
			}
		}
		if errors.Is(rerr, io.EOF) {
			break
		}
		if rerr != nil {
			then, err := s.failed(ctx, tryCtx, d, rerr)
			return done, then, err
		}
	}
	if declared > 0 && done != declared {
		return done, waitAndTry, s.Error(d.Op, http.StatusOK, providers.ErrNetwork,
			fmt.Sprintf("the download stopped after %d of %d bytes", done, declared))
	}
	return done, stop, nil
}

// failed explains a try that lost its connection or stalled.
func (s Service) failed(ctx, tryCtx context.Context, d DownloadSpec, err error) (next, error) {
	switch {
	case ctx.Err() != nil:
		return stop, fmt.Errorf("%s: %s: %w", s.Name, d.Op, ctx.Err())
	case errors.Is(context.Cause(tryCtx), errStalled):
		return waitAndTry, s.Error(d.Op, 0, providers.ErrNetwork, fmt.Sprintf("no byte of %s arrived for %v", d.What, d.StallTimeout))
	case errors.As(err, new(*RedirectError)):
		return stop, s.NetworkError(ctx, d.Op, err) // the storage sends Kiln where it will not go
	}
	return waitAndTry, s.NetworkError(ctx, d.Op, err)
}

// refused explains a status other than 200 from the storage.
func (s Service) refused(d DownloadSpec, resp *http.Response) (next, error) {
	data, _ := io.ReadAll(io.LimitReader(resp.Body, MaxErrorBody))
	msg, then := "the storage failed to send "+d.What, waitAndTry
	if linkRefused(resp.StatusCode) {
		msg, then = "the storage refused the download link, which may have expired", refetchNow
	}
	if e := Excerpt(data); e != "" {
		msg += ": " + e
	}
	return then, s.Error(d.Op, resp.StatusCode, providers.ErrServer, msg)
}

// watchedReader pushes the stall watchdog back whenever a byte arrives.
type watchedReader struct {
	r        io.Reader
	watchdog *time.Timer
	stall    time.Duration
}

func (w *watchedReader) Read(p []byte) (int, error) {
	n, err := w.r.Read(p)
	if n > 0 {
		w.watchdog.Reset(w.stall)
	}
	return n, err
}

func progress(what string, done, total int64) providers.Progress {
	pr := providers.Progress{Phase: providers.PhaseDownloading, Fraction: -1,
		Message: fmt.Sprintf("Downloading %s (%.1f MB)", what, float64(done)/1e6)}
	if total > 0 {
		pr.Fraction = min(1, float64(done)/float64(total))
		pr.Message = fmt.Sprintf("Downloading %s (%.1f of %.1f MB)", what, float64(done)/1e6, float64(total)/1e6)
	}
	return pr
}

// errText is an error's text without the URL a *url.Error quotes.
func errText(err error) string {
	var ue *url.Error
	if errors.As(err, &ue) {
		return ue.Err.Error()
	}
	return err.Error()
}
