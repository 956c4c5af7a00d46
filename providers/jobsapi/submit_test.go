package jobsapi

import (
	"context"
	"errors"
	"slices"
	"strings"
	"testing"

	"github.com/kiln3d/kiln/providers"
)

// TestSubmitSends: the form's fields, the files under their base names, the views in order, and
// the headers.
func TestSubmitSends(t *testing.T) {
	h := setup(t)
	req := providers.Request{
		Images: []providers.Image{
			{Path: writePNG(t, "front view.png", 1), View: providers.ViewFront},
			{Path: writePNG(t, "side.png", 2)},
			{Path: writePNG(t, "back.png", 3), View: providers.ViewBack},
		},
		Polycount: 12000, ProjectID: "props", Prompt: "  a wooden chair ",
		Size:           providers.Dimensions{HeightCM: 90.5, WidthCM: 45},
		Options:        map[string]string{OptionProvider: ProviderRodin},
		IdempotencyKey: "kiln-0123456789abcdef",
	}
	remote := h.submit(req)
	if remote.ID == "" {
		t.Fatal("no job id")
	}
	got := h.lastSubmit()
	if got.Method != "POST" || got.Path != "/api/v1/jobs" {
		t.Errorf("sent %s %s", got.Method, got.Path)
	}
	for header, want := range map[string]string{"X-Api-Key": h.fake.Key, "Idempotency-Key": "kiln-0123456789abcdef", "Accept": "application/json"} {
		if v := got.Header.Get(header); v != want {
			t.Errorf("%s: %q, want %q", header, v, want)
		}
	}
	if got.Header.Get("Authorization") != "" {
		t.Error("the key went in Authorization too")
	}
	if !strings.HasPrefix(got.Header.Get("Content-Type"), "multipart/form-data; boundary=") {
		t.Errorf("content type %q", got.Header.Get("Content-Type"))
	}
	want := map[string][]string{
		"provider": {"rodin"}, "polycount": {"12000"}, "prompt": {"a wooden chair"}, "project": {"props"},
		"height_cm": {"90.5"}, "width_cm": {"45"}, "view": {"front", "", "back"},
	}
	for k, v := range want {
		if !slices.Equal(got.Fields[k], v) {
			t.Errorf("field %s: %q, want %q", k, got.Fields[k], v)
		}
	}
	if _, ok := got.Fields["depth_cm"]; ok {
		t.Error("depth_cm was sent, though not given")
	}
	if !slices.Equal(got.Files, []string{"front view.png", "side.png", "back.png"}) || slices.Contains(got.Sizes, 0) {
		t.Errorf("files %q of %v bytes", got.Files, got.Sizes)
	}

	// Without views, no view field; without a key, no header; by default no provider: the
	// server's choice.
	plain := h.request()
	plain.IdempotencyKey = ""
	h.submit(plain)
	got = h.lastSubmit()
	if _, ok := got.Fields["view"]; ok {
		t.Error("views were sent for untagged images")
	}
	if _, ok := got.Header["Idempotency-Key"]; ok {
		t.Error("an empty idempotency key was sent")
	}
	if _, ok := got.Fields["provider"]; ok {
		t.Errorf("provider %q sent, want none by default (the server's choice)", got.Fields["provider"])
	}
	chosen := h.request()
	chosen.Options = map[string]string{"provider": "kaedim"}
	h.submit(chosen)
	if got := h.lastSubmit(); !slices.Equal(got.Fields["provider"], []string{"kaedim"}) {
		t.Errorf("provider %q, want kaedim as chosen", got.Fields["provider"])
	}
}

// TestSubmitAgainIsTheSameJob: the same request sent again (as the core does after a failure in
// flight) carries the same key and the same bytes, and the server answers with the first job.
func TestSubmitAgainIsTheSameJob(t *testing.T) {
	h := setup(t)
	req := h.request()
	req.Images = append(req.Images, providers.Image{Path: writePNG(t, "b.png", 2), View: providers.ViewLeft})
	first := h.submit(req)
	again := h.submit(req)
	if first.ID != again.ID || h.fake.JobCount() != 1 {
		t.Errorf("sent again: job %s then %s, %d jobs; want one job", first.ID, again.ID, h.fake.JobCount())
	}
	subs := h.fake.Received(routeSubmit)
	if len(subs) != 2 || subs[0].Header.Get("Idempotency-Key") != req.IdempotencyKey ||
		subs[1].Header.Get("Idempotency-Key") != req.IdempotencyKey || string(subs[0].Body) != string(subs[1].Body) {
		t.Error("the two sendings differ in their key or their bytes")
	}

	// The answer lost in flight: the job was made, the connection closed. (net/http itself sends
	// a request with an Idempotency-Key again once, on a reused connection: the fault stays for
	// two.) Sending again finds the job.
	lost := h.request()
	h.fake.Inject(routeSubmit, 2, fault{Drop: true})
	_, err := h.p.Submit(context.Background(), lost)
	h.fake.ClearFaults()
	if !providers.Transient(err) {
		t.Fatalf("a lost answer: %v, want a transient error (the core sends it again)", err)
	}
	if h.fake.JobCount() != 2 {
		t.Fatalf("%d jobs, want the lost answer's job made", h.fake.JobCount())
	}
	remote := h.submit(lost)
	if h.fake.JobCount() != 2 || remote.ID == "" {
		t.Errorf("sending again made another job (%d)", h.fake.JobCount())
	}

	// Another body under the same key: refused for good.
	other := lost
	other.Polycount = 9000
	_, err = h.p.Submit(context.Background(), other)
	api := asAPI(t, err)
	if api.Status != 409 || providers.Transient(err) || !errors.Is(err, providers.ErrInvalidInput) ||
		!strings.Contains(api.Message, "another body") || !strings.Contains(api.Message, "new one") {
		t.Errorf("a conflict: %v", err)
	}
}

// TestSubmitInProgress: the server still answering the first sending asks for another, shortly.
func TestSubmitInProgress(t *testing.T) {
	h := setup(t)
	h.fake.Inject(routeSubmit, 1, fault{Status: 409, Code: "idempotency_in_progress", Message: "the first request is still being answered"})
	_, err := h.p.Submit(context.Background(), h.request())
	api := asAPI(t, err)
	if !providers.Transient(err) || api.RetryAfter <= 0 {
		t.Errorf("in progress: %v (retry after %v), want transient with a wait", err, api.RetryAfter)
	}
}

// TestSubmitRefusals: requests refused before anything is sent, and the server's refusals of
// input.
func TestSubmitRefusals(t *testing.T) {
	h := setup(t)
	ctx := context.Background()
	bad := h.request()
	bad.IdempotencyKey = "has a space"
	if _, err := h.p.Submit(ctx, bad); err == nil || !errors.Is(err, providers.ErrNotSent) {
		t.Errorf("a bad idempotency key: %v", err)
	}
	bad = h.request()
	bad.Options = map[string]string{OptionProvider: "meshy"}
	if _, err := h.p.Submit(ctx, bad); !errors.Is(err, providers.ErrInvalidInput) {
		t.Errorf("an unknown provider option: %v", err)
	}
	bad = h.request()
	bad.Model = writePNG(t, "x.png", 1)
	if _, err := h.p.Submit(ctx, bad); !errors.Is(err, providers.ErrInvalidInput) {
		t.Errorf("a texturing request: %v", err)
	}
	if n := len(h.fake.Received()); n != 0 {
		t.Errorf("%d requests sent for refused input", n)
	}
	for _, f := range []fault{
		{Status: 400, Code: "invalid_image", Message: "chair.png is not an image the server reads"},
		{Status: 400, Code: "provider_not_ready", Message: "rodin has no API key on the server"},
		{Status: 413, Code: "payload_too_large", Message: "the body is over 64 MiB"},
		{Status: 400, Code: "invalid_request", Message: "local takes no prompt"},
	} {
		h.fake.Inject(routeSubmit, 1, f)
		_, err := h.p.Submit(ctx, h.request())
		if !errors.Is(err, providers.ErrInvalidInput) || providers.Transient(err) || !strings.Contains(err.Error(), f.Message) {
			t.Errorf("%s: %v, want the server's words as refused input", f.Code, err)
		}
	}
}

// asAPI is err's *providers.APIError, failing the test when there is none.
func asAPI(t *testing.T, err error) *providers.APIError {
	t.Helper()
	var api *providers.APIError
	if !errors.As(err, &api) {
		t.Fatalf("got %v (%T), want a *providers.APIError", err, err)
	}
	return api
}
