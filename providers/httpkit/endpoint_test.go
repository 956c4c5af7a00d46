package httpkit

import (
	"strings"
	"testing"
)

func TestCheckEndpoint(t *testing.T) {
	const def = "https://api.example.com"
	for raw, want := range map[string]string{
		"":                              def,
		"https://api.example.com/":      "https://api.example.com",
		" https://eu.example.com/base/": "https://eu.example.com/base",
		"http://127.0.0.1:8080":         "http://127.0.0.1:8080",
		"http://[::1]:9000/x":           "http://[::1]:9000/x",
		"http://LOCALHOST:3000":         "http://LOCALHOST:3000",
	} {
		if got, err := CheckEndpoint(raw, def); err != nil || got != want {
			t.Errorf("%q: %q, %v; want %q", raw, got, err, want)
		}
	}
	for raw, why := range map[string]string{
		"http://api.example.com":          "plain http is accepted only for this computer",
		"http://localhost.example.com":    "plain http is accepted only for this computer",
		"http://127.0.0.1.nip.io":         "plain http is accepted only for this computer",
		"ftp://api.example.com":           "must start with https://",
		"api.example.com":                 "not a URL",
		"https://me:hunter2@example.com":  "must not hold a user name or password",
		"https://api.example.com/?devID=": "no ?query",
		"https://api.example.com/#top":    "no ?query",
	} {
		_, err := CheckEndpoint(raw, def)
		if err == nil || !strings.Contains(err.Error(), why) {
			t.Errorf("%q: %v, want a refusal saying %q", raw, err, why)
		}
		if err != nil && strings.Contains(err.Error(), "hunter2") {
			t.Errorf("%q: the refusal repeats the password: %v", raw, err)
		}
	}
}

func TestIsLoopback(t *testing.T) {
	for host, want := range map[string]bool{
		"localhost": true, "LocalHost": true, "127.0.0.1": true, "127.8.9.10": true, "::1": true,
		"localhost.example.com": false, "10.0.0.1": false, "203.0.113.5": false, "": false, "[::1]": false,
	} {
		if got := IsLoopback(host); got != want {
			t.Errorf("IsLoopback(%q) = %v", host, got)
		}
	}
}
