package kaedim

import (
	"context"
	"fmt"
	"path/filepath"

	"github.com/kiln3d/kiln/providers"
	"github.com/kiln3d/kiln/providers/httpkit"
)

// maxLinkTries bounds the downloads of one model: each try after the first fetches the request
// again for fresh links.
const maxLinkTries = 3

// maxModelBytes bounds a downloaded model, so that a runaway answer cannot fill the disk: 1 GiB,
// the largest file Kiln's preview opens, is far above any model Kaedim's 300,000 triangles make.
const maxModelBytes = 1 << 30

// saveModel downloads the glb of request id's newest finished iteration into dir. known, when set,
// is the request as just fetched, links fresh. Links expire after an hour and a storage refuses an
// expired one (400, 403, 404 or 410): then, as after any failed download, the request is fetched
// again for fresh links and the download tried again. A model that is too large or whose glb
// lies about itself is refused for good, as a fresh link would bring the same file.
func (s *session) saveModel(ctx context.Context, creds Credentials, id, studioID, dir string, known *RemoteAsset,
	report func(providers.Progress)) ([]providers.File, error) {
	op := "download the model of " + id
	refetch := func(ctx context.Context) (string, error) {
		a, err := s.fetchRequest(ctx, creds, id, studioID)
		if err != nil {
			return "", err
		}
		return glbLink(op, a)
	}
	var link string
	var err error
	if known != nil {
		link, err = glbLink(op, *known)
	} else {
		link, err = refetch(ctx)
	}
	if err != nil {
		return nil, err
	}
	err = service.Download(ctx, httpkit.DownloadSpec{
		Op: op, What: "the model", URL: link, Dest: filepath.Join(dir, ModelFile),
		Client: s.p.HTTP, MaxBytes: maxModelBytes, StallTimeout: s.p.Stall, Tries: maxLinkTries,
		Backoff: s.p.Poll.First, Wait: s.p.Sleep, Sniff: httpkit.SniffGLB, Refetch: refetch,
		Report: report, Log: s.p.Log,
	})
	if err != nil {
		return nil, err
	}
	return []providers.File{{Path: ModelFile, Format: "glb"}}, nil
}

// glbLink returns the glb link of a's newest finished iteration, or why there is none.
func glbLink(op string, a RemoteAsset) (string, error) {
	it, ok := a.Finished()
	if !ok {
		return "", unfinished(op, a)
	}
	if link := it.Results["glb"]; link != "" {
		return link, nil
	}
	return "", service.Error(op, 0, providers.ErrServer, "Kaedim lists no glb link for the finished model")
}

// unfinished explains why a request has no model to download.
func unfinished(op string, a RemoteAsset) error {
	it, ok := a.Latest()
	switch {
	case !ok:
		return service.Error(op, 0, providers.ErrNotFound, "Kaedim has not started this request yet")
	case it.Dismissed():
		return dismissed(op, it)
	}
	return service.Error(op, 0, providers.ErrNotFound, fmt.Sprintf("the model is not finished yet (Kaedim says %q)", it.Status))
}

func dismissed(op string, it Iteration) error {
	msg := "Kaedim dismissed the request"
	if it.DismissedReason != "" {
		msg += ": " + it.DismissedReason
	}
	return service.Error(op, 0, providers.ErrGenerationFailed, msg)
}
