package kaedimtest

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"
)

// finished submits a request with one image and returns its glb link once it is finished.
func (c *client) finished() (id, glb string) {
	c.t.Helper()
	if c.jwt == "" {
		c.refresh()
	}
	_, out := c.process(map[string]string{"devID": c.s.Account.DevID}, 1)
	id = out["requestID"].(string)
	if err := c.s.SetStatus(id, "completed", ""); err != nil {
		c.t.Fatal(err)
	}
	_, out = c.get("fetchRequest", url.Values{"requestID": {id}}, c.jwt)
	it := out["iterations"].([]any)[0].(map[string]any)
	return id, it["results"].(map[string]any)["glb"].(string)
}

func TestStalledDownload(t *testing.T) {
	c := newClient(t, Options{})
	_, glb := c.finished()
	c.s.Inject(StalledDownload())
	resp, err := (&http.Client{Timeout: 200 * time.Millisecond}).Get(glb)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(resp.Body)
	if err == nil || len(data) != 20 || int(resp.ContentLength) <= len(data) || !bytes.HasPrefix(data, []byte("glTF")) {
		t.Errorf("read %d of %d bytes, then %v", len(data), resp.ContentLength, err)
	}
}

func TestHugeAndHostileDownloads(t *testing.T) {
	c := newClient(t, Options{})
	_, glb := c.finished()
	c.s.Inject(HugeDownload())
	resp, err := http.Get(glb)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.ContentLength != HugeBodyLength {
		t.Errorf("declared %d", resp.ContentLength)
	}

	c.s.Inject(HostileModelDownload())
	resp, err = http.Get(glb)
	if err != nil {
		t.Fatal(err)
	}
	data, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	le := binary.LittleEndian
	if len(data) > 4096 || string(data[:4]) != "glTF" || int(le.Uint32(data[8:12])) != len(data) {
		t.Fatalf("not a small glb: %d bytes", len(data))
	}
	var doc struct {
		Buffers []struct{ ByteLength int64 } `json:"buffers"`
	}
	if err := json.Unmarshal(data[20:20+le.Uint32(data[12:16])], &doc); err != nil || doc.Buffers[0].ByteLength < 1e12 {
		t.Errorf("the buffer claims %+v (%v)", doc.Buffers, err)
	}
}

func TestPlainHTTPRedirect(t *testing.T) {
	c := newClient(t, Options{})
	_, glb := c.finished()
	c.s.Inject(PlainHTTPRedirect())
	noFollow := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := noFollow.Get(glb)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusFound || resp.Header.Get("Location") != PlainHTTPTarget {
		t.Errorf("%d to %q", resp.StatusCode, resp.Header.Get("Location"))
	}
}

func TestAcceptedThenFailed(t *testing.T) {
	c := newClient(t, Options{})
	c.refresh()
	c.s.Inject(AcceptedThen503())
	if status, out := c.process(map[string]string{"devID": c.s.Account.DevID}, 1); status != 503 || out["requestID"] != nil {
		t.Errorf("%d %v", status, out)
	}
	c.s.Inject(ResetAfterAccepting("process"))
	var b bytes.Buffer
	_, _ = b.WriteString(`{"devID":"` + c.s.Account.DevID + `","imageUrls":["https://example.com/a.png"]}`)
	req, _ := http.NewRequest(http.MethodPost, c.s.URL+"/api/v1/process", &b)
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("X-API-Key", c.s.Account.APIKey)
	req.Header.Set("Authorization", c.jwt)
	resp, err := http.DefaultClient.Do(req)
	if err == nil {
		_, err = io.ReadAll(resp.Body)
		resp.Body.Close()
	}
	if !errors.Is(err, io.ErrUnexpectedEOF) {
		t.Errorf("the cut answer read as %v", err)
	}
	if n := len(c.s.Requests()); n != 2 {
		t.Errorf("%d requests created, want both", n)
	}
	// The fake records a request once its handler returns, which may be after the client saw the
	// connection close.
	for deadline := time.Now().Add(time.Second); c.s.Count("process") < 2 && time.Now().Before(deadline); {
		time.Sleep(time.Millisecond)
	}
	if rec := c.s.Received("process"); len(rec) != 2 || rec[0].Status != 503 || rec[1].Status != 201 {
		t.Errorf("recorded %+v", rec)
	}
}

func TestHostileFileNames(t *testing.T) {
	c := newClient(t, Options{})
	c.finished()
	c.s.Inject(HostileFileNames())
	status, out := c.get("fetchAll", nil, c.jwt)
	if status != 200 {
		t.Fatalf("%d %v", status, out)
	}
	asset := out["assets"].([]any)[0].(map[string]any)
	link := asset["image"].([]any)[0].(string)
	u, err := url.Parse(link)
	if err != nil || !strings.HasSuffix(u.Path, "/"+HostileName) || asset["image_tags"].([]any)[0] != HostileName {
		t.Fatalf("listed %v (%v)", asset, err)
	}
	resp, err := http.Get(link)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 200 {
		t.Errorf("the renamed link answers %d", resp.StatusCode)
	}
	// Without the fault, links end with the uploaded file's name.
	_, out = c.get("fetchAll", nil, c.jwt)
	link = out["assets"].([]any)[0].(map[string]any)["image"].([]any)[0].(string)
	if u, _ := url.Parse(link); !strings.HasSuffix(u.Path, "/img.png") {
		t.Errorf("link %s", link)
	}
}
