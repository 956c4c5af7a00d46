package server

import (
	"context"
	"database/sql"
	"errors"
	"net/http"
	"strings"
	"time"

	"github.com/kiln3d/kiln/app"
)

// Idempotency keys are kept this long (at least 24 hours, as the API promises), then forgotten.
const idempotencyKeep = 48 * time.Hour

// idempotencyStale is how long an answer may be in the making before another request with the
// same key may take over (the first one's process died mid-request).
const idempotencyStale = 10 * time.Minute

// idempotency keeps the first answer to each (API key, Idempotency-Key), so that a client that
// sends a submission again (its connection broke before the answer came) gets that answer rather
// than a second job. The rows live in the database, so a restart between the two changes nothing.
type idempotency struct {
	db  *sql.DB
	now func() time.Time
}

// answer is a stored answer to replay.
type answer struct {
	status   int
	location string
	body     []byte
}

// idempotencyKey reads and checks the request's Idempotency-Key ("" when none).
func idempotencyKey(r *http.Request) (string, error) {
	k := r.Header.Get("Idempotency-Key")
	if k == "" {
		return "", nil
	}
	if len(k) > 255 || strings.IndexFunc(k, func(c rune) bool { return c < 0x21 || c > 0x7e }) >= 0 {
		return "", errorf(http.StatusBadRequest, CodeInvalidRequest, "the Idempotency-Key must be 1 to 255 printable ASCII characters without spaces")
	}
	return k, nil
}

// begin claims idem for a request whose body hashes to hash. It returns the first answer when
// there is one (the same body sent again), a 409 while the first is still being made or when the
// body differs, or nil, nil: the caller makes the answer and calls finish.
func (i *idempotency) begin(ctx context.Context, keyID, idem, hash string) (*answer, error) {
	now := i.now()
	tx, err := i.db.BeginTx(ctx, nil)
	if err != nil {
		return nil, err
	}
	defer tx.Rollback()
	if _, err := tx.ExecContext(ctx, `DELETE FROM api_idempotency WHERE created < ?`, app.Millis(now.Add(-idempotencyKeep))); err != nil {
		return nil, err
	}
	var (
		oldHash, location string
		status            int
		body              []byte
		created           int64
	)
	err = tx.QueryRowContext(ctx, `SELECT body_hash, status, location, response, created FROM api_idempotency
		WHERE key_id = ? AND idem = ?`, keyID, idem).Scan(&oldHash, &status, &location, &body, &created)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		if _, err := tx.ExecContext(ctx, `INSERT INTO api_idempotency (key_id, idem, body_hash, created) VALUES (?, ?, ?, ?)`,
			keyID, idem, hash, app.Millis(now)); err != nil {
			return nil, err
		}
		return nil, tx.Commit()
	case err != nil:
		return nil, err
	case oldHash != hash:
		return nil, errorf(http.StatusConflict, CodeIdempotencyConflict,
			"this Idempotency-Key was used for a different request: use a fresh key for a new job")
	case status != 0:
		return &answer{status: status, location: location, body: body}, nil
	case now.Sub(app.FromMillis(created)) < idempotencyStale:
		return nil, errorf(http.StatusConflict, CodeIdempotencyInProgress,
			"a request with this Idempotency-Key is still being answered: ask again in a moment")
	}
	// The first request's answer never came: this one makes it.
	if _, err := tx.ExecContext(ctx, `UPDATE api_idempotency SET created = ? WHERE key_id = ? AND idem = ?`,
		app.Millis(now), keyID, idem); err != nil {
		return nil, err
	}
	return nil, tx.Commit()
}

// finish records the answer that named the job made for idem: sent again, the request gets it.
func (i *idempotency) finish(ctx context.Context, keyID, idem string, a answer) {
	_, _ = i.db.ExecContext(context.WithoutCancel(ctx), `UPDATE api_idempotency SET status = ?, location = ?, response = ?
		WHERE key_id = ? AND idem = ?`, a.status, a.location, a.body, keyID, idem)
}

// forget frees idem after a request that made no job (refused, or failed): as with a request
// that never arrived, the same key may be sent again.
func (i *idempotency) forget(ctx context.Context, keyID, idem string) {
	_, _ = i.db.ExecContext(context.WithoutCancel(ctx), `DELETE FROM api_idempotency WHERE key_id = ? AND idem = ?`, keyID, idem)
}
