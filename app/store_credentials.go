package app

import (
	"context"
	"database/sql"
	"fmt"
	"time"
)

const credentialColumns = `provider, name, prefix, is_default, created, last_used, last_test, last_test_at`

func scanCredentials(rows *sql.Rows) ([]Credential, error) {
	defer rows.Close()
	var out []Credential
	for rows.Next() {
		var (
			c                           Credential
			def                         int
			created, lastUsed, lastTest int64
		)
		if err := rows.Scan(&c.Provider, &c.Name, &c.Prefix, &def, &created, &lastUsed, &c.LastTest, &lastTest); err != nil {
			return nil, err
		}
		c.Default = def == 1
		c.Created, c.LastUsed, c.LastTestAt = FromMillis(created), FromMillis(lastUsed), FromMillis(lastTest)
		out = append(out, c)
	}
	return out, rows.Err()
}

func (s *Store) queryCredentials(ctx context.Context, where string, args ...any) ([]Credential, error) {
	//nolint:gosec // G202: where is one of this file's constant clauses; values go through args
	rows, err := s.db.QueryContext(ctx, `SELECT `+credentialColumns+` FROM credentials `+where, args...)
	if err != nil {
		return nil, fmt.Errorf("read credentials: %w", err)
	}
	return scanCredentials(rows)
}

func (s *Store) credentials(ctx context.Context) ([]Credential, error) {
	return s.queryCredentials(ctx, `ORDER BY provider, is_default DESC, name`)
}

func (s *Store) credential(ctx context.Context, provider, name string) (Credential, error) {
	cs, err := s.queryCredentials(ctx, `WHERE provider = ? AND name = ?`, provider, name)
	if err != nil {
		return Credential{}, err
	}
	if len(cs) == 0 {
		return Credential{}, fmt.Errorf("%s has no credential named %q: %w", provider, name, ErrNoCredential)
	}
	return cs[0], nil
}

func (s *Store) defaultCredential(ctx context.Context, provider string) (Credential, error) {
	cs, err := s.queryCredentials(ctx, `WHERE provider = ? ORDER BY is_default DESC, created LIMIT 1`, provider)
	if err != nil {
		return Credential{}, err
	}
	if len(cs) == 0 {
		return Credential{}, fmt.Errorf("%s has no API key yet: add one in Settings or with `kiln keys add %s`: %w",
			provider, provider, ErrNoCredential)
	}
	return cs[0], nil
}

// insertCredential adds c, as the default when the provider has none.
func (s *Store) insertCredential(ctx context.Context, c Credential) error {
	_, err := s.db.ExecContext(ctx, `INSERT INTO credentials (provider, name, prefix, is_default, created)
		VALUES (?1, ?2, ?3, NOT EXISTS (SELECT 1 FROM credentials WHERE provider = ?1 AND is_default = 1), ?4)`,
		c.Provider, c.Name, c.Prefix, Millis(c.Created))
	if err != nil {
		return fmt.Errorf("save credential %s/%s: %w", c.Provider, c.Name, err)
	}
	return nil
}

func (s *Store) deleteCredential(ctx context.Context, provider, name string) error {
	_, err := s.db.ExecContext(ctx, `DELETE FROM credentials WHERE provider = ? AND name = ?`, provider, name)
	if err != nil {
		return fmt.Errorf("remove credential %s/%s: %w", provider, name, err)
	}
	return nil
}

// promoteCredential makes the oldest remaining credential the default.
func (s *Store) promoteCredential(ctx context.Context, provider string) error {
	_, err := s.db.ExecContext(ctx, `UPDATE credentials SET is_default = 1 WHERE provider = ?1 AND name =
		(SELECT name FROM credentials WHERE provider = ?1 ORDER BY created LIMIT 1)`, provider)
	return err
}

func (s *Store) setDefaultCredential(ctx context.Context, provider, name string) error {
	if _, err := s.credential(ctx, provider, name); err != nil {
		return err
	}
	_, err := s.db.ExecContext(ctx, `UPDATE credentials SET is_default = (name = ?2) WHERE provider = ?1`, provider, name)
	if err != nil {
		return fmt.Errorf("set default credential: %w", err)
	}
	return nil
}

func (s *Store) recordCredentialTest(ctx context.Context, provider, name, outcome string, at time.Time) error {
	_, err := s.db.ExecContext(ctx, `UPDATE credentials SET last_test = ?, last_test_at = ? WHERE provider = ? AND name = ?`,
		outcome, Millis(at), provider, name)
	return err
}

func (s *Store) markCredentialUsed(ctx context.Context, provider, name string, at time.Time) error {
	_, err := s.db.ExecContext(ctx, `UPDATE credentials SET last_used = ? WHERE provider = ? AND name = ?`,
		Millis(at), provider, name)
	return err
}
