package app

import (
	"crypto/rand"
	"encoding/base64"
	"errors"
	"fmt"
)

// SigningEnv supplies the jobs server's signing secret where no keychain can (a headless server).
const SigningEnv = "KILN_SERVE_SIGNING_SECRET"

// signingService and signingUser name the signing secret's keychain item.
const (
	signingService = "kiln:serve"
	signingUser    = "webhook-signing"
)

// SigningSecret returns the secret the jobs server derives each API key's webhook signing secret
// from: $KILN_SERVE_SIGNING_SECRET when set, else the keychain's, made on first use. Like every
// secret of Kiln's it is never written to a file.
func (k *Kiln) SigningSecret() ([]byte, error) {
	if env := k.getenv(SigningEnv); env != "" {
		if len(env) < 32 {
			return nil, fmt.Errorf("%s is too short: give at least 32 characters", SigningEnv)
		}
		return []byte(env), nil
	}
	kc := keychain{}
	s, err := kc.get(signingService, signingUser)
	if errors.Is(err, errSecretMissing) {
		b := make([]byte, 32)
		_, _ = rand.Read(b)
		if err := kc.set(signingService, signingUser, base64.RawURLEncoding.EncodeToString(b)); err != nil {
			return nil, fmt.Errorf("keep the webhook signing secret: %w (or set %s)", err, SigningEnv)
		}
		// Read back: when two processes made one at once, both use the one the keychain kept.
		s, err = kc.get(signingService, signingUser)
	}
	if err != nil {
		return nil, fmt.Errorf("read the webhook signing secret: %w (or set %s)", err, SigningEnv)
	}
	return []byte(s), nil
}
