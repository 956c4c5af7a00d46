package app

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"slices"
	"time"

	_ "modernc.org/sqlite" // the embedded SQLite driver: no server, no cgo
)

// ErrNoJob is returned for a job id the store does not hold.
var ErrNoJob = errors.New("no such job")

// Store keeps jobs in an embedded SQLite database. Several Kiln processes (the window and a CLI
// run) may share one; a lease on each unfinished job says which process is working on it.
type Store struct {
	db *sql.DB
}

// schema holds the migrations; PRAGMA user_version records how many have run.
var schema = []string{
	`CREATE TABLE jobs (
		id          TEXT PRIMARY KEY,
		provider    TEXT NOT NULL,
		request     TEXT NOT NULL,
		sources     TEXT NOT NULL,
		state       TEXT NOT NULL,
		progress    REAL NOT NULL DEFAULT 0,
		message     TEXT NOT NULL DEFAULT '',
		error       TEXT NOT NULL DEFAULT '',
		remote      TEXT NOT NULL DEFAULT '{}',
		asset_id    TEXT NOT NULL DEFAULT '',
		files       TEXT NOT NULL DEFAULT '[]',
		triangles   INTEGER NOT NULL DEFAULT 0,
		created     INTEGER NOT NULL,
		updated     INTEGER NOT NULL,
		started     INTEGER NOT NULL DEFAULT 0,
		finished    INTEGER NOT NULL DEFAULT 0,
		attempt     INTEGER NOT NULL DEFAULT 0,
		owner       TEXT NOT NULL DEFAULT '',
		lease_until INTEGER NOT NULL DEFAULT 0
	);
	CREATE INDEX jobs_created ON jobs(created);
	CREATE INDEX jobs_unfinished ON jobs(state) WHERE state NOT IN ('done', 'failed', 'cancelled');`,
	// The credentials' index: never a secret (those live in the OS keychain).
	`CREATE TABLE credentials (
		provider     TEXT NOT NULL,
		name         TEXT NOT NULL,
		prefix       TEXT NOT NULL,
		is_default   INTEGER NOT NULL DEFAULT 0,
		created      INTEGER NOT NULL,
		last_used    INTEGER NOT NULL DEFAULT 0,
		last_test    TEXT NOT NULL DEFAULT '',
		last_test_at INTEGER NOT NULL DEFAULT 0,
		PRIMARY KEY (provider, name)
	);`,
	// Why a job failed, as a FailureKind; and when its submission was sent, so that an
	// unconfirmed one can be looked for in the provider's list around that moment.
	`ALTER TABLE jobs ADD COLUMN error_kind TEXT NOT NULL DEFAULT '';
	ALTER TABLE jobs ADD COLUMN submitted INTEGER NOT NULL DEFAULT 0;`,
	// The named credential a job runs with; the asset a job works on (a model to texture); what
	// the provider said the job would cost, in its credits.
	`ALTER TABLE jobs ADD COLUMN credential TEXT NOT NULL DEFAULT '';
	ALTER TABLE jobs ADD COLUMN origin TEXT NOT NULL DEFAULT '';
	ALTER TABLE jobs ADD COLUMN cost REAL NOT NULL DEFAULT 0;`,
	// What a job does (generate: '', or publish), and what a publishing job publishes where.
	`ALTER TABLE jobs ADD COLUMN kind TEXT NOT NULL DEFAULT '';
	ALTER TABLE jobs ADD COLUMN publish TEXT NOT NULL DEFAULT 'null';`,
	// The batch a job was submitted in (one model per image), and the name chosen for its model.
	`ALTER TABLE jobs ADD COLUMN batch TEXT NOT NULL DEFAULT '';
	ALTER TABLE jobs ADD COLUMN asset_name TEXT NOT NULL DEFAULT '';
	CREATE INDEX jobs_batch ON jobs(batch) WHERE batch != '';`,
	// Whether a job's batch is a comparison: one set of references sent to several providers or
	// settings (see Job.Compare).
	`ALTER TABLE jobs ADD COLUMN compare INTEGER NOT NULL DEFAULT 0;`,
	// What the provider said about how it made the model (see Job.Notes), a JSON list.
	`ALTER TABLE jobs ADD COLUMN notes TEXT NOT NULL DEFAULT '[]';`,
}

// OpenStore opens (creating if needed) the database at path and brings its schema up to date.
func OpenStore(path string) (*Store, error) {
	db, err := OpenDatabase(path)
	if err != nil {
		return nil, fmt.Errorf("open job database %s: %w", path, err)
	}
	s := &Store{db: db}
	if err := s.migrate(); err != nil {
		db.Close()
		return nil, fmt.Errorf("open job database %s: %w", path, err)
	}
	return s, nil
}

// OpenDatabase opens the SQLite database at path as every part of Kiln opens it: in WAL mode,
// waiting up to 10 s for another process's write, each transaction taking the write lock at once.
// Other parts of the core (the jobs server's keys) keep their own tables in the same file.
func OpenDatabase(path string) (*sql.DB, error) {
	dsn := "file:" + (&url.URL{Path: path}).EscapedPath() +
		"?_pragma=busy_timeout(10000)&_pragma=journal_mode(WAL)&_pragma=synchronous(NORMAL)&_txlock=immediate"
	db, err := sql.Open("sqlite", dsn)
	if err != nil {
		return nil, err
	}
	// Opening a connection runs the pragmas and reads the schema: keep the connections open, so
	// that many readers at once (a server's pollers) do not open and close one each time.
	db.SetMaxOpenConns(maxConns)
	db.SetMaxIdleConns(maxConns)
	return db, nil
}

// maxConns bounds a database handle's connections: readers share them (WAL lets them read while
// one writes); writers take turns on SQLite's lock anyway.
const maxConns = 8

func (s *Store) migrate() error {
	ctx := context.Background()
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	var version int
	if err := tx.QueryRowContext(ctx, `PRAGMA user_version`).Scan(&version); err != nil {
		return err
	}
	if version > len(schema) {
		return fmt.Errorf("the database was written by a newer Kiln (schema %d, this one knows %d)", version, len(schema))
	}
	for i := version; i < len(schema); i++ {
		if _, err := tx.ExecContext(ctx, schema[i]); err != nil {
			return fmt.Errorf("migration %d: %w", i+1, err)
		}
	}
	if _, err := tx.ExecContext(ctx, fmt.Sprintf(`PRAGMA user_version = %d`, len(schema))); err != nil {
		return err
	}
	return tx.Commit()
}

// Close closes the database.
func (s *Store) Close() error { return s.db.Close() }

const jobColumns = `id, provider, request, sources, state, progress, message, error, remote,
	asset_id, files, triangles, created, updated, started, finished, attempt, error_kind, submitted,
	credential, origin, cost, kind, publish, batch, asset_name, compare, notes`

// selectColumns are jobColumns and the lease, which only the lease methods write.
const selectColumns = jobColumns + `, lease_until, owner`

// Insert adds a new job, leased to owner until the given time.
func (s *Store) Insert(ctx context.Context, j Job, owner string, leaseUntil time.Time) error {
	args, err := jobArgs(j)
	if err != nil {
		return err
	}
	args = append(args, owner, Millis(leaseUntil))
	_, err = s.db.ExecContext(ctx, `INSERT INTO jobs (`+jobColumns+`, owner, lease_until)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`, args...)
	if err != nil {
		return fmt.Errorf("save job %s: %w", j.ID, err)
	}
	return nil
}

// Update writes every field of an existing job.
func (s *Store) Update(ctx context.Context, j Job) error {
	args, err := jobArgs(j)
	if err != nil {
		return err
	}
	res, err := s.db.ExecContext(ctx, `UPDATE jobs SET provider = ?2, request = ?3, sources = ?4,
		state = ?5, progress = ?6, message = ?7, error = ?8, remote = ?9, asset_id = ?10, files = ?11,
		triangles = ?12, created = ?13, updated = ?14, started = ?15, finished = ?16, attempt = ?17,
		error_kind = ?18, submitted = ?19, credential = ?20, origin = ?21, cost = ?22, kind = ?23,
		publish = ?24, batch = ?25, asset_name = ?26, compare = ?27, notes = ?28
		WHERE id = ?1`, args...)
	if err != nil {
		return fmt.Errorf("save job %s: %w", j.ID, err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return fmt.Errorf("save job %s: %w", j.ID, ErrNoJob)
	}
	return nil
}

// Get returns one job.
func (s *Store) Get(ctx context.Context, id string) (Job, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT `+selectColumns+` FROM jobs WHERE id = ?`, id)
	if err != nil {
		return Job{}, fmt.Errorf("read job %s: %w", id, err)
	}
	jobs, err := scanJobs(rows)
	if err != nil {
		return Job{}, fmt.Errorf("read job %s: %w", id, err)
	}
	if len(jobs) == 0 {
		return Job{}, fmt.Errorf("job %s: %w", id, ErrNoJob)
	}
	return jobs[0], nil
}

// List returns every job, newest first.
func (s *Store) List(ctx context.Context) ([]Job, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT `+selectColumns+` FROM jobs ORDER BY created DESC, id DESC`)
	if err != nil {
		return nil, fmt.Errorf("list jobs: %w", err)
	}
	jobs, err := scanJobs(rows)
	if err != nil {
		return nil, fmt.Errorf("list jobs: %w", err)
	}
	return jobs, nil
}

// Batch returns the jobs of batch id in the order they were submitted.
func (s *Store) Batch(ctx context.Context, id string) ([]Job, error) {
	return s.listWhere(ctx, "batch "+id, `WHERE batch = ? ORDER BY created, rowid`, id)
}

// Unfinished returns every job that has not finished, oldest first.
func (s *Store) Unfinished(ctx context.Context) ([]Job, error) {
	return s.listWhere(ctx, "unfinished jobs", `WHERE state NOT IN ('done', 'failed', 'cancelled') ORDER BY created, rowid`)
}

// listWhere reads the jobs a fixed clause selects; what names them in an error.
func (s *Store) listWhere(ctx context.Context, what, clause string, args ...any) ([]Job, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT `+selectColumns+` FROM jobs `+clause, args...) //nolint:gosec // clause is a constant of this file; values go in args
	if err != nil {
		return nil, fmt.Errorf("list %s: %w", what, err)
	}
	jobs, err := scanJobs(rows)
	if err != nil {
		return nil, fmt.Errorf("list %s: %w", what, err)
	}
	return jobs, nil
}

// Claim leases to owner every unfinished job whose lease has run out (its process quit or
// crashed) and returns them, oldest first.
func (s *Store) Claim(ctx context.Context, owner string, now, leaseUntil time.Time) ([]Job, error) {
	dead, err := s.deadOwners(ctx, now)
	if err != nil {
		return nil, fmt.Errorf("claim unfinished jobs: %w", err)
	}
	rows, err := s.db.QueryContext(ctx, `UPDATE jobs SET owner = ?1, lease_until = ?2
		WHERE state NOT IN ('done', 'failed', 'cancelled') AND owner != ?1
		AND (lease_until < ?3 OR owner IN (SELECT value FROM json_each(?4)))
		RETURNING `+selectColumns, owner, Millis(leaseUntil), Millis(now), dead)
	if err != nil {
		return nil, fmt.Errorf("claim unfinished jobs: %w", err)
	}
	jobs, err := scanJobs(rows)
	if err != nil {
		return nil, fmt.Errorf("claim unfinished jobs: %w", err)
	}
	sortOldestFirst(jobs)
	return jobs, nil
}

// deadOwners lists, as a JSON array, the owners of live leases whose process is known to be gone.
func (s *Store) deadOwners(ctx context.Context, now time.Time) (string, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT DISTINCT owner FROM jobs
		WHERE state NOT IN ('done', 'failed', 'cancelled') AND lease_until >= ?`, Millis(now))
	if err != nil {
		return "", err
	}
	defer rows.Close()
	dead := []string{}
	for rows.Next() {
		var o string
		if err := rows.Scan(&o); err != nil {
			return "", err
		}
		if ownerDead(o) {
			dead = append(dead, o)
		}
	}
	if err := rows.Err(); err != nil {
		return "", err
	}
	data, _ := json.Marshal(dead)
	return string(data), nil
}

// Lease extends owner's lease on job id, or takes it when it is free or its process is gone. It
// reports false when another live process holds it.
func (s *Store) Lease(ctx context.Context, id, owner string, now, leaseUntil time.Time) (bool, error) {
	dead, err := s.deadOwners(ctx, now)
	if err != nil {
		return false, fmt.Errorf("lease job %s: %w", id, err)
	}
	res, err := s.db.ExecContext(ctx, `UPDATE jobs SET owner = ?1, lease_until = ?2
		WHERE id = ?3 AND (owner = ?1 OR lease_until < ?4 OR owner IN (SELECT value FROM json_each(?5)))`,
		owner, Millis(leaseUntil), id, Millis(now), dead)
	if err != nil {
		return false, fmt.Errorf("lease job %s: %w", id, err)
	}
	n, _ := res.RowsAffected()
	return n == 1, nil
}

// RemoteIDs lists the provider's ids of the work Kiln follows for provider's jobs other than
// except: an unconfirmed job must not take another job's work for its own.
func (s *Store) RemoteIDs(ctx context.Context, provider, except string) ([]string, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT json_extract(remote, '$.id') FROM jobs
		WHERE provider = ? AND id != ? AND json_extract(remote, '$.id') != ''`, provider, except)
	if err != nil {
		return nil, fmt.Errorf("list remote ids: %w", err)
	}
	defer rows.Close()
	var ids []string
	for rows.Next() {
		var id string
		if err := rows.Scan(&id); err != nil {
			return nil, fmt.Errorf("list remote ids: %w", err)
		}
		ids = append(ids, id)
	}
	return ids, rows.Err()
}

// Renew extends owner's lease on all its unfinished jobs.
func (s *Store) Renew(ctx context.Context, owner string, leaseUntil time.Time) error {
	_, err := s.db.ExecContext(ctx, `UPDATE jobs SET lease_until = ?
		WHERE owner = ? AND state NOT IN ('done', 'failed', 'cancelled')`, Millis(leaseUntil), owner)
	if err != nil {
		return fmt.Errorf("renew job leases: %w", err)
	}
	return nil
}

// Release gives up owner's leases so that the next Kiln to start resumes those jobs at once.
func (s *Store) Release(ctx context.Context, owner string) error {
	_, err := s.db.ExecContext(ctx, `UPDATE jobs SET lease_until = 0 WHERE owner = ?`, owner)
	if err != nil {
		return fmt.Errorf("release job leases: %w", err)
	}
	return nil
}

func jobArgs(j Job) ([]any, error) {
	req, err := json.Marshal(j.Request)
	if err != nil {
		return nil, fmt.Errorf("encode job %s: %w", j.ID, err)
	}
	sources, _ := json.Marshal(nonNil(j.Sources))
	remote, err := json.Marshal(j.Remote)
	if err != nil {
		return nil, fmt.Errorf("encode job %s: %w", j.ID, err)
	}
	files, _ := json.Marshal(nonNil(j.Files))
	publish, _ := json.Marshal(j.Publish)
	notes, _ := json.Marshal(nonNil(j.Notes))
	return []any{j.ID, j.Provider, string(req), string(sources), string(j.State), j.Progress, j.Message,
		j.Error, string(remote), j.AssetID, string(files), j.Triangles, Millis(j.Created), Millis(j.Updated),
		Millis(j.Started), Millis(j.Finished), j.Attempt, string(j.ErrorKind), Millis(j.Submitted),
		j.Credential, j.Origin, j.Cost, string(j.Kind), string(publish), j.Batch, j.AssetName, j.Compare, string(notes)}, nil
}

func scanJobs(rows *sql.Rows) ([]Job, error) {
	defer rows.Close()
	var jobs []Job
	for rows.Next() {
		var (
			j                                   Job
			req, sources, state, remote, files  string
			failure, jobKind, publish, notes    string
			created, updated, started, finished int64
			submitted, lease                    int64
		)
		err := rows.Scan(&j.ID, &j.Provider, &req, &sources, &state, &j.Progress, &j.Message, &j.Error,
			&remote, &j.AssetID, &files, &j.Triangles, &created, &updated, &started, &finished, &j.Attempt,
			&failure, &submitted, &j.Credential, &j.Origin, &j.Cost, &jobKind, &publish, &j.Batch, &j.AssetName, &j.Compare,
			&notes, &lease, &j.owner)
		if err != nil {
			return nil, err
		}
		j.State, j.ErrorKind, j.Kind = State(state), FailureKind(failure), Kind(jobKind)
		j.Submitted, j.LeaseUntil = FromMillis(submitted), FromMillis(lease)
		for _, f := range []struct {
			text string
			into any
		}{{req, &j.Request}, {sources, &j.Sources}, {remote, &j.Remote}, {files, &j.Files}, {publish, &j.Publish}, {notes, &j.Notes}} {
			if err := json.Unmarshal([]byte(f.text), f.into); err != nil {
				return nil, fmt.Errorf("job %s is damaged in the database: %w", j.ID, err)
			}
		}
		j.Created, j.Updated, j.Started, j.Finished = FromMillis(created), FromMillis(updated), FromMillis(started), FromMillis(finished)
		jobs = append(jobs, j)
	}
	return jobs, rows.Err()
}

func sortOldestFirst(jobs []Job) {
	slices.SortStableFunc(jobs, func(a, b Job) int { return a.Created.Compare(b.Created) })
}

// Millis is how Kiln's database keeps a time: Unix milliseconds, 0 for the zero time. The jobs
// server's tables keep theirs the same way (FromMillis reads it back).
func Millis(t time.Time) int64 {
	if t.IsZero() {
		return 0
	}
	return t.UnixMilli()
}

// FromMillis reads a time kept by Millis.
func FromMillis(ms int64) time.Time {
	if ms == 0 {
		return time.Time{}
	}
	return time.UnixMilli(ms)
}

func nonNil[T any](s []T) []T {
	if s == nil {
		return []T{}
	}
	return s
}
