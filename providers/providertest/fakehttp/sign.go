package fakehttp

import (
	"bytes"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/xml"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// Signer signs storage links the way cloud storage signs URLs: an HMAC-SHA256, in hex, of the
// link's parts (its path, its expiry, ...) under a random key of its own.
type Signer struct{ key []byte }

// NewSigner returns a signer with a new random key.
func NewSigner() *Signer { return &Signer{key: []byte(RandomHex(32))} }

// Sign returns the signature of parts, joined by newlines.
func (s *Signer) Sign(parts ...string) string {
	mac := hmac.New(sha256.New, s.key)
	mac.Write([]byte(strings.Join(parts, "\n")))
	return hex.EncodeToString(mac.Sum(nil))
}

// Verify says, in constant time, whether signature is that of parts.
func (s *Signer) Verify(signature string, parts ...string) bool {
	return hmac.Equal([]byte(signature), []byte(s.Sign(parts...)))
}

// Expires is t as a link's Expires parameter: Unix seconds.
func Expires(t time.Time) string { return strconv.FormatInt(t.Unix(), 10) }

// Expired says whether a link whose Expires parameter is expires no longer works at now. One that
// does not parse counts as the epoch, long gone.
func Expired(expires string, now time.Time) bool {
	unix, _ := strconv.ParseInt(expires, 10, 64)
	return !now.Before(time.Unix(unix, 0))
}

// WriteObject answers a storage object as S3 does: 200 with its Content-Type and Content-Length,
// and for GET (not HEAD) its bytes.
func WriteObject(w http.ResponseWriter, r *http.Request, contentType string, data []byte) {
	w.Header().Set("Content-Type", contentType)
	w.Header().Set("Content-Length", strconv.Itoa(len(data)))
	w.WriteHeader(http.StatusOK)
	if r.Method == http.MethodGet {
		_, _ = w.Write(data) //nolint:gosec // a fake storage serves what it holds, under its own Content-Type
	}
}

// WriteS3Error answers status with S3's error XML: <Error><Code>code</Code><Message>message
// </Message></Error>, both escaped.
func WriteS3Error(w http.ResponseWriter, status int, code, message string) {
	var b bytes.Buffer
	b.WriteString("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Error><Code>")
	_ = xml.EscapeText(&b, []byte(code)) // writing to a buffer cannot fail
	b.WriteString("</Code><Message>")
	_ = xml.EscapeText(&b, []byte(message))
	b.WriteString("</Message></Error>\n")
	w.Header().Set("Content-Type", "application/xml")
	w.WriteHeader(status)
	_, _ = w.Write(b.Bytes())
}
