package kaedim

import (
	"bytes"
	"encoding/json"

	"github.com/kiln3d/kiln/providers/httpkit"
)

// service is Kaedim to the shared HTTP helpers: its name, and how its error JSON reads.
var service = httpkit.Service{Name: Name, Title: "Kaedim", Message: kaedimMessage, Failed: kaedimFailed, MaxAnswer: maxAnswer}

// kaedimMessage reads Kaedim's error JSON: {"status": "error", "message": "...", "cause": "..."}.
func kaedimMessage(data []byte) (string, bool) {
	var body map[string]json.RawMessage
	if json.Unmarshal(data, &body) != nil {
		return "", false
	}
	msg := text(body["message"])
	if msg == "" {
		msg = text(body["error"])
	}
	if cause := text(body["cause"]); cause != "" {
		if msg == "" {
			return cause, true
		}
		return msg + ": " + cause, true
	}
	return msg, true
}

// kaedimFailed reads an error Kaedim wraps in a success status: a success around an error body
// would otherwise pass as an empty answer.
func kaedimFailed(data []byte) (string, bool) {
	var env struct {
		Status string `json:"status"`
	}
	if json.Unmarshal(data, &env) != nil || env.Status != "error" {
		return "", false
	}
	msg, _ := kaedimMessage(data)
	return msg, true
}

// text renders a JSON value for a message: a string as itself, anything else as compact JSON.
func text(raw json.RawMessage) string {
	if len(raw) == 0 || string(raw) == "null" {
		return ""
	}
	var s string
	if json.Unmarshal(raw, &s) == nil {
		return s
	}
	var b bytes.Buffer
	if json.Compact(&b, raw) != nil {
		return ""
	}
	return httpkit.Shorten(b.String(), 200)
}
