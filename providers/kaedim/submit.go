package kaedim

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"

	"github.com/kiln3d/kiln/providers"
	"github.com/kiln3d/kiln/providers/imageio"
)

// Submit checks the request and the images, then posts them to /process as multipart/form-data:
// the images in fields image-0, image-1, ..., with devID, LoQ, polycount, test, and projectID,
// studioID, height, width and depth when they are given. It returns Kaedim's requestID. Submit is
// never retried after Kaedim may have accepted the work, as a second request would be charged.
func (p *Provider) Submit(ctx context.Context, req providers.Request) (providers.Remote, error) {
	caps := p.Capabilities()
	if err := providers.CheckRequest(caps, req); err != nil {
		return providers.Remote{}, err
	}
	infos := make([]imageio.Info, len(req.Images))
	for i, img := range req.Images {
		info, err := imageio.Check(img.Path)
		if err != nil {
			return providers.Remote{}, err
		}
		infos[i] = info
	}
	if err := ctx.Err(); err != nil {
		return providers.Remote{}, fmt.Errorf("kaedim: submit: %w", err)
	}
	s := p.main
	creds, err := loadCredentials(ctx, s.secrets)
	if err != nil {
		return providers.Remote{}, err
	}
	f := newForm()
	f.field("devID", creds.DevID)
	f.field("LoQ", req.Option(caps, OptionQuality))
	f.field("polycount", strconv.Itoa(req.Polycount))
	f.field("test", strconv.FormatBool(req.Option(caps, OptionTest) == "on"))
	if req.ProjectID != "" {
		f.field("projectID", req.ProjectID)
	}
	if creds.StudioID != "" {
		f.field("studioID", creds.StudioID)
	}
	for _, d := range []struct {
		name string
		cm   float64
	}{{"height", req.Size.HeightCM}, {"width", req.Size.WidthCM}, {"depth", req.Size.DepthCM}} {
		if d.cm > 0 {
			f.field(d.name, strconv.FormatFloat(d.cm, 'f', -1, 64))
		}
	}
	for i, img := range req.Images {
		f.file(fmt.Sprintf("image-%d", i), img.Path, infos[i].Format.MIME(), infos[i].Bytes)
	}
	submitted := p.Now()
	var out struct {
		RequestID string `json:"requestID"`
	}
	err = s.do(ctx, creds, call{op: "process", method: http.MethodPost, route: "process", body: f.payload(), jwt: true, long: true, billable: true}, &out)
	if err != nil {
		return providers.Remote{}, s.scrub(err, creds)
	}
	if out.RequestID == "" {
		return providers.Remote{}, service.Error("process", http.StatusCreated, providers.ErrServer, "Kaedim accepted the images but sent no requestID")
	}
	state, _ := json.Marshal(remoteState{Submitted: submitted, StudioID: creds.StudioID})
	return providers.Remote{ID: out.RequestID, State: state}, nil
}
