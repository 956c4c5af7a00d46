package fakehttp

import (
	"crypto/rand"
	"encoding/hex"
)

// RandomHex returns n random hex digits, for the ids, keys and tokens a fake makes up.
func RandomHex(n int) string {
	b := make([]byte, (n+1)/2)
	_, _ = rand.Read(b) // crypto/rand never fails on supported systems
	return hex.EncodeToString(b)[:n]
}
