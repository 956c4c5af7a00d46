package app

import (
	"context"
	"errors"
	"fmt"

	"github.com/kiln3d/kiln/providers"
)

// FailureKind says why a job failed, as a stable code: the Jobs view and the CLI explain it in
// plain words, and `--json` carries it for scripts.
type FailureKind string

// The kinds of failure, each a distinct thing an artist can do something about.
const (
	FailRefusedKey        FailureKind = "refused_key"
	FailMissingPermission FailureKind = "missing_permission"
	FailOutOfCredits      FailureKind = "out_of_credits"
	FailRateLimited       FailureKind = "rate_limited"
	FailInvalidInput      FailureKind = "invalid_input"
	FailDamagedResult     FailureKind = "damaged_result"
	FailServer            FailureKind = "server_error"
	FailNetwork           FailureKind = "network"
	FailCancelled         FailureKind = "cancelled"
	FailProvider          FailureKind = "provider_failed"
	FailNotFound          FailureKind = "not_found"
	// FailUnconfirmed: the artist marked a job whose submission was never confirmed as failed.
	FailUnconfirmed FailureKind = "unconfirmed"
	// FailInternal: Kiln itself failed (a full disk, a bug); the message says what.
	FailInternal FailureKind = "internal"
)

// KindOf classifies err. The sentinels of package providers decide; a cancellation is its own
// kind; anything else is Kiln's own failure.
func KindOf(err error) FailureKind {
	switch {
	case err == nil:
		return ""
	case errors.Is(err, providers.ErrUnauthorized):
		return FailRefusedKey
	case errors.Is(err, providers.ErrForbidden):
		return FailMissingPermission
	case errors.Is(err, providers.ErrOutOfCredits):
		return FailOutOfCredits
	case errors.Is(err, providers.ErrRateLimited):
		return FailRateLimited
	case errors.Is(err, providers.ErrInvalidInput):
		return FailInvalidInput
	case errors.Is(err, providers.ErrDamagedResult):
		return FailDamagedResult
	case errors.Is(err, providers.ErrGenerationFailed):
		return FailProvider
	case errors.Is(err, providers.ErrNotFound):
		return FailNotFound
	case errors.Is(err, providers.ErrServer):
		return FailServer
	case errors.Is(err, providers.ErrNetwork):
		return FailNetwork
	case errors.Is(err, context.Canceled), errors.Is(err, errByArtist):
		return FailCancelled
	}
	return FailInternal
}

// refused reports whether the provider turned the work down before accepting it, so that nothing
// was charged and submitting again is safe: a bad key, a missing permission, no credits, too many
// requests, a request it finds invalid.
func (k FailureKind) refused() bool {
	switch k {
	case FailRefusedKey, FailMissingPermission, FailOutOfCredits, FailRateLimited, FailInvalidInput:
		return true
	}
	return false
}

// transient reports whether trying the same thing again later may work.
func (k FailureKind) transient() bool {
	return k == FailNetwork || k == FailServer || k == FailRateLimited
}

// Explain says in plain words what a failure of this kind means and what the artist can do.
// title is the provider's name as the artist reads it ("Kaedim").
func (k FailureKind) Explain(title string) string {
	switch k {
	case FailRefusedKey:
		return fmt.Sprintf("%s refused the API key: it is wrong, expired or revoked. Add a new key in Settings", title)
	case FailMissingPermission:
		return fmt.Sprintf("The key is valid but lacks a permission %s needs for this. Use a key that has it", title)
	case FailOutOfCredits:
		return fmt.Sprintf("The %s account has no credits left for this job. Top it up, then retry", title)
	case FailRateLimited:
		return fmt.Sprintf("%s asked Kiln to slow down (too many requests). Retry in a minute", title)
	case FailInvalidInput:
		return "The request or an input file was refused. Change what the message names, then submit again"
	case FailDamagedResult:
		return fmt.Sprintf("%s sent a result Kiln will not keep (not a model, damaged, or too large). Nothing was added to the library", title)
	case FailServer:
		return fmt.Sprintf("%s failed to answer properly. Retry later", title)
	case FailNetwork:
		return fmt.Sprintf("%s could not be reached. Check the connection and the provider's address in Settings", title)
	case FailCancelled:
		return "Cancelled"
	case FailProvider:
		return fmt.Sprintf("%s could not make a model from these inputs. Retry submits them again as a new job", title)
	case FailNotFound:
		return fmt.Sprintf("%s no longer knows this job", title)
	case FailUnconfirmed:
		return fmt.Sprintf("Marked as failed: it was never confirmed that %s received this job", title)
	case FailInternal:
		return "Kiln failed"
	}
	return ""
}

// Explain says why job j failed: what its kind of failure means, in plain words, then the
// provider's or Kiln's own text, escaped for printing. title is the provider's name as the artist
// reads it.
func (j Job) Explain(title string) string {
	text := providers.Printable(j.Error)
	plain := j.ErrorKind.Explain(title)
	switch {
	case plain == "" || j.ErrorKind == FailInternal:
		return text
	case text == "":
		return plain
	}
	return plain + ". " + text
}
