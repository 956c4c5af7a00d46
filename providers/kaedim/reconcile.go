package kaedim

import (
	"context"
	"encoding/json"
	"net/url"
	"path"
	"path/filepath"
	"slices"
	"time"

	"github.com/kiln3d/kiln/providers"
)

// reconcileSlack widens the window FindSubmitted searches: Kaedim's clock and this computer's may
// disagree by a little, and createdAt is Kaedim's.
const reconcileSlack = 5 * time.Minute

// FindSubmitted looks for the request a Submit started between since and until when its answer
// never came back (providers.Reconciler): Kiln was stopped, or the network or a gateway failed
// after Kaedim took the job. It lists the account's requests over the window (fetchAll, whole
// days, then createdAt within the window and reconcileSlack either side), and keeps those that
// match what req asked for, as far as the listing shows it: the polycount, the number of images,
// the level of quality. fetchAll shows neither the test flag nor the size, so they cannot tell
// requests apart. Among those left, requests whose image links end with req's file names (as
// storage keys usually do) go first; requests in taken (other jobs') never count; then the one
// created closest to since wins: Kaedim creates
// a request moments after its upload began, so an identical one further away is another job.
// The Remote it returns is the one Submit would have returned, so Collect follows it.
func (p *Provider) FindSubmitted(ctx context.Context, req providers.Request, since, until time.Time, taken []string) (providers.Remote, bool, error) {
	s := p.main
	creds, err := loadCredentials(ctx, s.secrets)
	if err != nil {
		return providers.Remote{}, false, err
	}
	from, to := since.Add(-reconcileSlack), until.Add(reconcileSlack)
	// fetchAll takes calendar days, read in a zone Kaedim does not document: a day more on each
	// side covers every zone, and createdAt narrows it down.
	assets, err := p.FetchAll(ctx, from.Add(-24*time.Hour), to.Add(24*time.Hour))
	if err != nil {
		return providers.Remote{}, false, err
	}
	caps := p.Capabilities()
	loq := req.Option(caps, OptionQuality)
	var best *RemoteAsset
	bestNamed := false
	for i := range assets {
		a := &assets[i]
		if (!a.Created.IsZero() && (a.Created.Before(from) || a.Created.After(to))) || slices.Contains(taken, a.RequestID) {
			continue
		}
		if (a.Polycount != 0 && a.Polycount != req.Polycount) || len(a.Images) != len(req.Images) {
			continue
		}
		if len(a.Iterations) > 0 && a.Iterations[0].LoQ != "" && a.Iterations[0].LoQ != loq {
			continue
		}
		named := sameNames(a.Images, req.Images)
		if best == nil || (named && !bestNamed) || (named == bestNamed && closer(a.Created, best.Created, since)) {
			best, bestNamed = a, named
		}
	}
	if best == nil {
		return providers.Remote{}, false, nil
	}
	state, _ := json.Marshal(remoteState{Submitted: since, StudioID: creds.StudioID})
	return providers.Remote{ID: best.RequestID, State: state}, true, nil
}

// closer says whether a was created closer to t than b; an unknown time is never closer.
func closer(a, b, t time.Time) bool {
	if a.IsZero() || b.IsZero() {
		return !a.IsZero()
	}
	return a.Sub(t).Abs() < b.Sub(t).Abs()
}

// sameNames says whether every image link ends with the file name of the image at its place.
func sameNames(links []string, images []providers.Image) bool {
	if len(links) != len(images) || len(links) == 0 {
		return false
	}
	for i, link := range links {
		u, err := url.Parse(link)
		if err != nil || path.Base(u.Path) != filepath.Base(images[i].Path) {
			return false
		}
	}
	return true
}
