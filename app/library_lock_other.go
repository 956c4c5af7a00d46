//go:build !unix

package app

// lockAsset holds nothing where the system has no flock: the in-process lock must do.
func lockAsset(string) (func(), error) { return func() {}, nil }
