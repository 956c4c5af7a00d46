package jobsapi

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"path"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"unicode"

	"github.com/kiln3d/kiln/providers"
	"github.com/kiln3d/kiln/providers/httpkit"
)

// Bounds on what Collect downloads: 1 GiB, the largest file Kiln's preview opens, for the model;
// less for anything else a job lists (a preview picture).
const (
	maxModelBytes = 1 << 30
	maxOtherBytes = 64 << 20
)

// The formats Collect knows.
const (
	formatGLB  = "glb"
	formatPNG  = "png"
	formatWebP = "webp"
)

// fetchResults downloads the files of the finished job j into dir and returns them, the model
// first. Only the model is needed: another file that cannot be had is logged and left out.
func (p *Provider) fetchResults(ctx context.Context, key, id string, j Job, dir string, report func(providers.Progress)) ([]providers.File, error) {
	op := "download the results of job " + providers.Printable(id)
	main := -1
	for i, f := range j.Files {
		if formatOf(f) == formatGLB {
			main = i
			break
		}
	}
	if main < 0 {
		return nil, service.Error(op, 0, providers.ErrServer, "the server finished the job but lists no glb model to download"+listing(j.Files))
	}
	order := append([]File{j.Files[main]}, j.Files[:main]...)
	order = append(order, j.Files[main+1:]...)
	report(providers.Progress{Phase: providers.PhaseDownloading, Fraction: 0, Message: "Downloading the model from the Kiln server"})
	endpoint := p.Endpoint()
	client := p.keyedClient(endpoint, key)
	taken := map[string]bool{}
	var files []providers.File
	for i, f := range order {
		format := formatOf(f)
		file, err := p.fetch(ctx, client, endpoint, key, op, id, f, format, i == 0, dir, taken, report)
		switch {
		case ctx.Err() != nil:
			return nil, wrapCtx(op, ctx.Err())
		case err != nil && i == 0:
			return nil, err
		case err != nil:
			p.Log.LogAttrs(ctx, slog.LevelWarn, "jobsapi file not downloaded", slog.String("op", op),
				slog.String("file", providers.Printable(f.Name)), slog.String("error", scrub(err, key).Error()))
		default:
			files = append(files, file)
		}
	}
	return files, nil
}

// fetch downloads one File file into dir, under a safe name no other file of the job has.
func (p *Provider) fetch(ctx context.Context, client *http.Client, endpoint, key, op, id string, f File, format string,
	model bool, dir string, taken map[string]bool, report func(providers.Progress)) (providers.File, error) {
	what, limit, role := "the file "+httpkit.Shorten(providers.Printable(f.Name), 60), int64(maxOtherBytes), ""
	var sniff func([]byte, int64) error
	switch {
	case model:
		what, limit, sniff = "the model", maxModelBytes, httpkit.SniffGLB
	case format == formatGLB:
		what, limit, sniff = "another model", maxModelBytes, httpkit.SniffGLB
	case format == formatPNG:
		what, sniff, role = "the preview", sniffPNG, providers.RolePreview
	case format == formatWebP:
		what, sniff, role = "the preview", sniffWebP, providers.RolePreview
	case format == "":
		return providers.File{}, service.Error(op, 0, providers.ErrServer, "the server lists a file of no known format"+listing([]File{f}))
	}
	link, err := fileURL(endpoint, id, f)
	if err != nil {
		return providers.File{}, service.Error(op, 0, providers.ErrServer, fmt.Sprintf("the server lists %s %s", what, err))
	}
	if err := p.waitTurn(ctx, bucketOf(endpoint, key), op); err != nil {
		return providers.File{}, err
	}
	name := fileName(f.Name, format, taken)
	err = service.Download(ctx, httpkit.DownloadSpec{
		Op: op, What: what, URL: link, Dest: filepath.Join(dir, name), Client: client, MaxBytes: limit, StallTimeout: p.Stall,
		Backoff: p.Poll.First, Wait: p.Sleep, Sniff: sniff, Report: report, Log: p.Log,
	})
	if err != nil {
		return providers.File{}, scrub(err, key)
	}
	return providers.File{Path: name, Format: format, Role: role}, nil
}

// formatOf is a File file's format in lower case: the server's word, else its name's
// extension; "" when neither is a plain word.
func formatOf(f File) string {
	for _, s := range []string{f.Format, strings.TrimPrefix(path.Ext(f.Name), ".")} {
		s = strings.ToLower(strings.TrimSpace(s))
		if s != "" && len(s) <= 8 && !strings.ContainsFunc(s, func(r rune) bool { return (r < 'a' || r > 'z') && (r < '0' || r > '9') }) {
			return s
		}
	}
	return ""
}

// fileURL is where a File file is downloaded from: its url, resolved against the server's
// address, or the API's route for it when it has none. A url on any other origin (scheme, host
// and port) than the server's is refused: the key goes to the server alone.
func fileURL(endpoint, id string, f File) (string, error) {
	base, err := url.Parse(endpoint + "/")
	if err != nil {
		return "", errors.New("at an address Kiln cannot read")
	}
	if f.URL == "" {
		if f.Name == "" {
			return "", errors.New("with neither a name nor a link")
		}
		return endpoint + apiPath + "/jobs/" + url.PathEscape(id) + "/files/" + url.PathEscape(f.Name), nil
	}
	u, err := url.Parse(f.URL)
	if err != nil {
		return "", errors.New("at a link Kiln cannot read")
	}
	u = base.ResolveReference(u)
	if u.User != nil || !sameOrigin(u, base) {
		return "", fmt.Errorf("on another host (%s) than the server's address (%s): Kiln sends the server's key nowhere else, so it does not download it",
			httpkit.Shorten(providers.Printable(u.Host), 80), base.Host)
	}
	return u.String(), nil
}

// sameOrigin says whether a and b are one origin: the same scheme, host and port (a default port
// written or not).
func sameOrigin(a, b *url.URL) bool {
	return strings.EqualFold(a.Scheme, b.Scheme) && strings.EqualFold(hostPort(a), hostPort(b))
}

func hostPort(u *url.URL) string {
	port := u.Port()
	if port == "" {
		port = map[string]string{"http": "80", "https": "443"}[strings.ToLower(u.Scheme)]
	}
	return net.JoinHostPort(u.Hostname(), port)
}

// keyedClient is the provider's client with the API key added to every request to the server's
// origin, and to no other: the downloads need the key (the jobs:read scope), and httpkit.Download
// sends no credential of its own. The answers' rate-limit headers are noted as the API's are.
func (p *Provider) keyedClient(endpoint, key string) *http.Client {
	c := *p.HTTP
	base := c.Transport
	if base == nil {
		base = http.DefaultTransport
	}
	origin, _ := url.Parse(endpoint + "/") // checked when it was set
	c.Transport = &keyTransport{base: base, origin: origin, key: key, note: func(resp *http.Response) {
		p.limits.Note(bucketOf(endpoint, key), resp, p.Now())
	}}
	return &c
}

// keyTransport adds the API key to the requests to one origin.
type keyTransport struct {
	base   http.RoundTripper
	origin *url.URL
	key    string
	note   func(*http.Response)
}

// RoundTrip sends req, with the key when it goes to the origin.
func (t *keyTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	if t.origin != nil && sameOrigin(req.URL, t.origin) {
		req = req.Clone(req.Context())
		req.Header.Set(headerKey, t.key)
	}
	resp, err := t.base.RoundTrip(req)
	if err == nil && sameOrigin(req.URL, t.origin) {
		t.note(resp)
	}
	return resp, err
}

// sniffPNG is a DownloadSpec.Sniff for a preview: a PNG's signature.
func sniffPNG(head []byte, _ int64) error {
	if len(head) < 8 || string(head[:8]) != "\x89PNG\r\n\x1a\n" {
		return fmt.Errorf("the preview is not a PNG picture: %q", httpkit.Excerpt(head[:min(len(head), 512)]))
	}
	return nil
}

// sniffWebP is a DownloadSpec.Sniff for a preview the server's Rodin made: a RIFF container of
// WEBP.
func sniffWebP(head []byte, _ int64) error {
	if len(head) < 12 || string(head[:4]) != "RIFF" || string(head[8:12]) != "WEBP" {
		return fmt.Errorf("the preview is not a WebP picture: %q", httpkit.Excerpt(head[:min(len(head), 512)]))
	}
	return nil
}

// listing names the files of a list, for a message.
func listing(list []File) string {
	if len(list) == 0 {
		return " (the list is empty)"
	}
	names := make([]string, 0, len(list))
	for _, l := range list {
		names = append(names, httpkit.Shorten(providers.Printable(l.Name+" "+l.Format), 60))
	}
	return " (it lists " + strings.Join(names, ", ") + ")"
}

// maxFileName bounds a result's file name, in runes.
const maxFileName = 80

// windowsReserved are the names Windows refuses for a file, whatever the extension.
var windowsReserved = regexp.MustCompile(`(?i)^(con|prn|aux|nul|com[0-9]|lpt[0-9])(\..*)?$`)

// fileName turns a File name into a file name inside the job's folder: its last path segment,
// letters, digits, dots, dashes and underscores only, at most maxFileName runes, ending in the
// format's extension, and unlike every name taken before (case aside). "model" or "file" stands in
// for a name with nothing left.
func fileName(raw, format string, taken map[string]bool) string {
	ext := "." + format
	s := raw
	if i := strings.LastIndexAny(s, `/\`); i >= 0 {
		s = s[i+1:]
	}
	s = strings.Map(func(r rune) rune {
		if unicode.IsLetter(r) || unicode.IsDigit(r) || r == '.' || r == '-' || r == '_' {
			return r
		}
		return '_'
	}, strings.ToValidUTF8(s, "_"))
	s = strings.Trim(s, "._")
	if len(s) >= len(ext) && strings.EqualFold(s[len(s)-len(ext):], ext) {
		s = s[:len(s)-len(ext)]
	}
	if r := []rune(s); len(r) > maxFileName-len(ext)-4 {
		s = string(r[:maxFileName-len(ext)-4]) // room for the extension and a "-n"
	}
	if strings.Trim(s, "._-") == "" || windowsReserved.MatchString(s) || !filepath.IsLocal(s+ext) {
		s = "file"
		if format == formatGLB {
			s = "model"
		}
	}
	name := s + ext
	for i := 2; taken[strings.ToLower(name)]; i++ {
		name = s + "-" + strconv.Itoa(i) + ext
	}
	taken[strings.ToLower(name)] = true
	return name
}
