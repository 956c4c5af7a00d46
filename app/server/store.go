package server

import (
	"context"
	"database/sql"
	"fmt"

	"github.com/kiln3d/kiln/app"
)

// schema holds the server's migrations, in order, applied once each. The server's tables live in
// the same database file as the job ledger (app.OpenDatabase) and track their own version in
// serve_schema, so that the ledger's migrations and these never step on each other.
var schema = []string{
	// API keys: only a hash of each secret is kept. revoked is when, or 0.
	`CREATE TABLE api_keys (
		id TEXT PRIMARY KEY,
		name TEXT NOT NULL,
		hash BLOB NOT NULL,
		scopes TEXT NOT NULL,
		created INTEGER NOT NULL,
		last_used INTEGER NOT NULL DEFAULT 0,
		revoked INTEGER NOT NULL DEFAULT 0
	);
	-- Which key made each job (a key sees only its own), the address it was asked at (for the
	-- URLs a webhook carries) and where to tell of its end.
	CREATE TABLE api_jobs (
		job_id TEXT PRIMARY KEY,
		key_id TEXT NOT NULL,
		created INTEGER NOT NULL,
		base TEXT NOT NULL,
		webhook TEXT NOT NULL DEFAULT ''
	);
	CREATE INDEX api_jobs_by_key ON api_jobs (key_id, created DESC, job_id DESC);
	-- The first answer to each Idempotency-Key; status 0 while it is being made.
	CREATE TABLE api_idempotency (
		key_id TEXT NOT NULL,
		idem TEXT NOT NULL,
		body_hash TEXT NOT NULL,
		status INTEGER NOT NULL DEFAULT 0,
		location TEXT NOT NULL DEFAULT '',
		response BLOB,
		created INTEGER NOT NULL,
		PRIMARY KEY (key_id, idem)
	);
	-- One webhook delivery per finished job: pending until a 2xx answer, or failed after the
	-- last try.
	CREATE TABLE api_webhooks (
		job_id TEXT PRIMARY KEY,
		event TEXT NOT NULL,
		state TEXT NOT NULL,
		attempts INTEGER NOT NULL DEFAULT 0,
		next INTEGER NOT NULL,
		last_error TEXT NOT NULL DEFAULT ''
	);`,
}

// openDatabase opens k's database with the server's tables up to date.
func openDatabase(ctx context.Context, k *app.Kiln) (*sql.DB, error) {
	db, err := app.OpenDatabase(k.DatabasePath())
	if err != nil {
		return nil, err
	}
	if err := migrate(ctx, db); err != nil {
		db.Close()
		return nil, err
	}
	return db, nil
}

// migrate brings the server's tables up to date.
func migrate(ctx context.Context, db *sql.DB) error {
	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	if _, err := tx.ExecContext(ctx, `CREATE TABLE IF NOT EXISTS serve_schema (version INTEGER NOT NULL)`); err != nil {
		return err
	}
	var version int
	switch err := tx.QueryRowContext(ctx, `SELECT version FROM serve_schema`).Scan(&version); err {
	case nil:
	case sql.ErrNoRows:
		if _, err := tx.ExecContext(ctx, `INSERT INTO serve_schema (version) VALUES (0)`); err != nil {
			return err
		}
	default:
		return err
	}
	if version > len(schema) {
		return fmt.Errorf("the server's tables were written by a newer Kiln (schema %d, this one knows %d)", version, len(schema))
	}
	for i := version; i < len(schema); i++ {
		if _, err := tx.ExecContext(ctx, schema[i]); err != nil {
			return fmt.Errorf("server migration %d: %w", i+1, err)
		}
	}
	if _, err := tx.ExecContext(ctx, `UPDATE serve_schema SET version = ?`, len(schema)); err != nil {
		return err
	}
	return tx.Commit()
}
