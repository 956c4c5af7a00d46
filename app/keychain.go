package app

import (
	"errors"
	"fmt"
	"strings"
	"sync"

	"github.com/zalando/go-keyring"
)

// ErrNoKeychain marks failures to reach the OS keychain. Kiln never falls back to keeping a
// secret in a file: the error says what to install or unlock, and which environment variables
// work instead.
var ErrNoKeychain = errors.New("the keychain is not available")

// errSecretMissing is a keychain item that does not exist.
var errSecretMissing = errors.New("secret not in the keychain")

// keychain stores secrets in the OS keychain (Secret Service on Linux, Keychain on macOS,
// Credential Manager on Windows) through go-keyring. Tests swap the backend with
// keyring.MockInit.
type keychain struct{}

// keychainMu makes one keychain call at a time: jobs running at once read and write credentials
// (Kaedim's JWT) together, and not every backend is safe for that (go-keyring's mock is not).
var keychainMu sync.Mutex

func (keychain) set(service, user, secret string) error {
	keychainMu.Lock()
	defer keychainMu.Unlock()
	return explainKeychain(keyring.Set(service, user, secret))
}

func (keychain) get(service, user string) (string, error) {
	keychainMu.Lock()
	defer keychainMu.Unlock()
	s, err := keyring.Get(service, user)
	return s, explainKeychain(err)
}

func (keychain) delete(service, user string) error {
	keychainMu.Lock()
	defer keychainMu.Unlock()
	err := explainKeychain(keyring.Delete(service, user))
	if errors.Is(err, errSecretMissing) {
		return nil
	}
	return err
}

// KeychainError explains why the keychain could not be used.
type KeychainError struct {
	Reason string // what is wrong, in an artist's words
	Fix    string // what to do about it
	Err    error  // go-keyring's error
}

func (e *KeychainError) Error() string { return e.Reason + ". " + e.Fix }

// Is makes errors.Is(err, ErrNoKeychain) true.
func (e *KeychainError) Is(target error) bool { return target == ErrNoKeychain }

// Unwrap returns go-keyring's error.
func (e *KeychainError) Unwrap() error { return e.Err }

// explainKeychain turns go-keyring's errors into ones a person can act on. The texts matched
// are those seen from go-keyring over D-Bus (see shared/DEPENDENCIES.md).
func explainKeychain(err error) error {
	if err == nil {
		return nil
	}
	if errors.Is(err, keyring.ErrNotFound) {
		return errSecretMissing
	}
	msg := err.Error()
	const envHint = "or set the KILN_<PROVIDER>_<FIELD> environment variables instead (e.g. KILN_KAEDIM_API_KEY)"
	switch {
	case errors.Is(err, keyring.ErrUnsupportedPlatform):
		return &KeychainError{Reason: "this system has no keychain Kiln can use", Fix: "Set " + strings.TrimPrefix(envHint, "or set "), Err: err}
	case strings.Contains(msg, "was not provided by any .service files"),
		strings.Contains(msg, "dial unix"), strings.Contains(msg, "no such file or directory"),
		strings.Contains(msg, "DBUS_SESSION_BUS_ADDRESS"), strings.Contains(msg, "autolaunch"):
		return &KeychainError{
			Reason: "no keychain is running: Kiln found no Secret Service on the session bus",
			Fix:    "Install and start one (gnome-keyring, or KeePassXC with its Secret Service integration), " + envHint,
			Err:    err,
		}
	case strings.Contains(msg, "unlock"), strings.Contains(msg, "locked"), strings.Contains(msg, "dismissed"):
		return &KeychainError{
			Reason: "the keychain is locked",
			Fix:    "Unlock it (log in to your desktop session, or open your keyring manager and unlock the login keyring), " + envHint,
			Err:    err,
		}
	}
	return &KeychainError{Reason: fmt.Sprintf("the keychain refused the request (%v)", err), Fix: "Check your keyring manager, " + envHint, Err: err}
}
