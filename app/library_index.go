package app

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"time"
	"unicode"
)

// The library's index: one row per asset folder in the SQLite database, and a full-text table
// (SQLite's FTS5) over what an artist searches by. The folders stay the source of truth: the
// index is a cache of what their sidecars say, kept with the identity of the files it was read
// from (see folderSig), so that a folder changed behind Kiln's back (a hand edit, a sync tool,
// another Kiln) is read again on the next Refresh, and a lost or outdated index is rebuilt from
// the folders. Every change the library makes updates its row in the same step.

// indexVersion names the index's layout: a database whose index has another is rebuilt.
const indexVersion = "5"

const indexSchema = `
CREATE TABLE library_meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE library_assets (
	id           TEXT PRIMARY KEY,
	name         TEXT NOT NULL,
	provider     TEXT NOT NULL,
	project      TEXT NOT NULL,
	created      INTEGER NOT NULL,
	finished     INTEGER NOT NULL,
	triangles    INTEGER NOT NULL,
	bytes        INTEGER NOT NULL,
	state        TEXT NOT NULL,
	published    INTEGER NOT NULL,
	tags         TEXT NOT NULL,
	derived_from TEXT NOT NULL,
	picture      TEXT NOT NULL,
	model        TEXT NOT NULL,
	model_hash   TEXT NOT NULL,
	damaged      TEXT NOT NULL,
	sig          TEXT NOT NULL,
	model_sig    TEXT NOT NULL
);
-- The whole sidecar as checked, apart from the listing's columns so that a scan stays small.
CREATE TABLE library_records (id TEXT PRIMARY KEY, asset TEXT NOT NULL);
CREATE INDEX library_finished ON library_assets(finished);
CREATE INDEX library_derived ON library_assets(derived_from) WHERE derived_from != '';
CREATE INDEX library_hash ON library_assets(model_hash) WHERE model_hash != '';
CREATE VIRTUAL TABLE library_search USING fts5(name, provider, project, tags, notes, prompt, inputs, id,
	tokenize = 'unicode61 remove_diacritics 2', prefix = '1 2 3');`

// The states an entry is in (LibraryQuery.State filters by them; published is a flag beside).
const (
	StateDownloaded = "downloaded"
	StateRemote     = "remote"
	StateDamaged    = "damaged"
	// StatePublished filters the assets published somewhere (a flag, not a state).
	StatePublished = "published"
)

// Entry is what the index knows of an asset: enough to list, search and sort it without
// reading its folder. Library.Get reads the whole asset.
type Entry struct {
	ID, Name, Provider, Project string
	Created, Finished           time.Time
	Triangles                   int
	// Bytes is the size of the asset's files (the model and what it uses, the provider's picture).
	Bytes int64
	// State is StateDownloaded, StateRemote (on the provider, not downloaded) or StateDamaged.
	State     string
	Published bool
	Tags      []string
	// DerivedFrom is the asset this one was made from, or "".
	DerivedFrom string
	// Picture is the image to show until the model is drawn: the provider's picture of it, or
	// the first input image; "" when there is none.
	Picture string
	// ModelHash is the model's SHA-256 ("" when there is none on disk).
	ModelHash string
	Damaged   string
	Dir       string
}

// Usable reports whether the entry's model is on disk and sound.
func (e Entry) Usable() bool { return e.State == StateDownloaded }

// LibraryQuery selects and orders entries; its zero value lists everything, newest first.
type LibraryQuery struct {
	// Search matches words (or the starts of words) in the name, provider, project, tags, notes,
	// prompt and input file names; every word must match.
	Search string
	// Provider keeps the assets of one provider ("" for all).
	Provider string
	// Tag keeps the assets with this tag (any case).
	Tag string
	// State keeps the assets in one state (StateDownloaded, StateRemote, StateDamaged) or the
	// published ones (StatePublished); "" for all.
	State string
	// Since and Until bound when the asset came into the library (zero: open).
	Since, Until time.Time
	// Sort is SortNewest (the default), SortOldest, SortName, SortTriangles or SortSize.
	Sort string
	// ID keeps the asset of this id, DerivedFrom those made from it ("" for all).
	ID, DerivedFrom string
}

// The orders entries can be listed in.
const (
	SortNewest    = "newest"
	SortOldest    = "oldest"
	SortName      = "name"
	SortTriangles = "triangles"
	SortSize      = "size"
)

// LibrarySorts are the orders, in the order a menu shows them.
var LibrarySorts = []string{SortNewest, SortOldest, SortName, SortTriangles, SortSize}

// LibraryStates are the values LibraryQuery.State takes besides "".
var LibraryStates = []string{StateDownloaded, StateRemote, StatePublished, StateDamaged}

// index is the library's tables in db.
type index struct {
	db *sql.DB
	// refreshing makes Refresh run once at a time in this process.
	refreshing sync.Mutex
	// fresh is whether this process has reconciled the index with the folders once.
	fresh atomic.Bool
}

// openIndex makes the library's tables in db, rebuilding them when they are missing or of
// another layout.
func openIndex(db *sql.DB, dir string) (*index, error) {
	ctx := context.Background()
	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		return nil, err
	}
	defer tx.Rollback()
	var version, folder string
	_ = tx.QueryRowContext(ctx, `SELECT value FROM library_meta WHERE key = 'version'`).Scan(&version)
	_ = tx.QueryRowContext(ctx, `SELECT value FROM library_meta WHERE key = 'dir'`).Scan(&folder)
	if version != indexVersion || folder != dir {
		// Missing, of another layout, or of another library folder: made again, then filled from
		// the folders by the first Refresh.
		for _, t := range []string{"library_search", "library_records", "library_assets", "library_meta"} {
			if _, err := tx.ExecContext(ctx, `DROP TABLE IF EXISTS `+t); err != nil {
				return nil, err
			}
		}
		if _, err := tx.ExecContext(ctx, indexSchema); err != nil {
			return nil, err
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO library_meta (key, value) VALUES ('version', ?), ('dir', ?), ('changes', 0)`,
			indexVersion, dir); err != nil {
			return nil, err
		}
	}
	if err := tx.Commit(); err != nil {
		return nil, err
	}
	return &index{db: db}, nil
}

// row is an asset as the index stores it.
type row struct {
	Entry
	model, sig, modelSig string
	notes, prompt        string
	inputs               string
	asset                []byte
}

func newRow(a Asset, sig, modelSig string) row {
	r := row{Entry: Entry{ID: a.ID, Name: a.Name, Provider: a.Provider, Project: a.Parameters.ProjectID,
		Created: a.Created, Finished: a.Finished, Triangles: a.Triangles, Published: len(a.PublishedTo("")) > 0,
		Tags: a.Tags, Damaged: a.Damaged, Dir: a.Dir},
		sig: sig, modelSig: modelSig, notes: a.Notes, prompt: a.Parameters.Prompt}
	switch {
	case a.Damaged != "":
		r.State = StateDamaged
	case a.Downloaded():
		r.State = StateDownloaded
	default:
		r.State = StateRemote
	}
	if a.DerivedFrom != nil {
		r.DerivedFrom = a.DerivedFrom.Asset
	}
	for _, f := range a.Files {
		r.Bytes += f.Bytes
	}
	if len(a.Files) > 0 {
		r.model = a.Files[0].Path
		// The hash is kept only for a sound asset, whose model was found to have it: a later
		// refresh trusts it for the unchanged file (hashCache.seed). A damaged asset's sidecar
		// may claim any hash, and trusting that would make a tampered model pass.
		if a.Damaged == "" {
			r.ModelHash = strings.ToLower(a.Files[0].SHA256)
		}
	}
	if p := a.PreviewPath(); p != "" {
		r.Picture, _ = filepath.Rel(a.Dir, p)
	} else if len(a.Inputs) > 0 {
		r.Picture = a.Inputs[0].Path // an image: cut-outs come after the images
	}
	var names []string
	for _, in := range a.Inputs {
		names = append(names, filepath.Base(in.Path))
		if in.Source != "" && filepath.Base(in.Source) != filepath.Base(in.Path) {
			names = append(names, filepath.Base(in.Source))
		}
	}
	for _, f := range a.Files {
		if f.Source != "" {
			names = append(names, filepath.Base(f.Source))
		}
	}
	r.inputs = strings.Join(names, " ")
	r.asset, _ = json.Marshal(a)
	return r
}

// put writes rows (new or changed) and removes the rows of the ids in gone, in one transaction.
func (x *index) put(ctx context.Context, rows []row, gone []string) error {
	if len(rows) == 0 && len(gone) == 0 {
		return nil
	}
	tx, err := x.db.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	del, err := tx.PrepareContext(ctx, `DELETE FROM library_search WHERE rowid = (SELECT rowid FROM library_assets WHERE id = ?)`)
	if err != nil {
		return err
	}
	defer func() { _ = del.Close() }()
	upsert, err := tx.PrepareContext(ctx, `INSERT INTO library_assets (id, name, provider, project, created,
		finished, triangles, bytes, state, published, tags, derived_from, picture, model, model_hash, damaged,
		sig, model_sig) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18)
		ON CONFLICT (id) DO UPDATE SET name = ?2, provider = ?3, project = ?4, created = ?5, finished = ?6,
		triangles = ?7, bytes = ?8, state = ?9, published = ?10, tags = ?11, derived_from = ?12, picture = ?13,
		model = ?14, model_hash = ?15, damaged = ?16, sig = ?17, model_sig = ?18
		RETURNING rowid`)
	if err != nil {
		return err
	}
	defer func() { _ = upsert.Close() }()
	search, err := tx.PrepareContext(ctx, `INSERT INTO library_search (rowid, name, provider, project, tags, notes,
		prompt, inputs, id) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`)
	if err != nil {
		return err
	}
	defer func() { _ = search.Close() }()
	record, err := tx.PrepareContext(ctx, `INSERT INTO library_records (id, asset) VALUES (?1, ?2)
		ON CONFLICT (id) DO UPDATE SET asset = ?2`)
	if err != nil {
		return err
	}
	defer func() { _ = record.Close() }()
	for _, id := range gone {
		if _, err := del.ExecContext(ctx, id); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM library_assets WHERE id = ?`, id); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM library_records WHERE id = ?`, id); err != nil {
			return err
		}
	}
	for _, r := range rows {
		if _, err := del.ExecContext(ctx, r.ID); err != nil {
			return err
		}
		tags, _ := json.Marshal(nonNil(r.Tags))
		var rowid int64
		err := upsert.QueryRowContext(ctx, r.ID, r.Name, r.Provider, r.Project, Millis(r.Created), Millis(r.Finished),
			r.Triangles, r.Bytes, r.State, r.Published, string(tags), r.DerivedFrom, r.Picture, r.model, r.ModelHash,
			r.Damaged, r.sig, r.modelSig).Scan(&rowid)
		if err != nil {
			return err
		}
		if _, err := record.ExecContext(ctx, r.ID, string(r.asset)); err != nil {
			return err
		}
		// Words joined by '_' or '-' in names and files are searched as words.
		if _, err := search.ExecContext(ctx, rowid, words(r.Name), r.Provider, words(r.Project),
			strings.Join(r.Tags, " "), r.notes, r.prompt, words(r.inputs), r.ID); err != nil {
			return err
		}
	}
	// Every process sharing the database sees that the index changed (see Generation).
	if _, err := tx.ExecContext(ctx, `UPDATE library_meta SET value = value + 1 WHERE key = 'changes'`); err != nil {
		return err
	}
	return tx.Commit()
}

// words spaces out the separators inside file-like names ("red_mug-2.png" → "red mug 2 png").
func words(s string) string {
	return strings.Map(func(r rune) rune {
		if r == '_' || r == '.' || r == '-' {
			return ' '
		}
		return r
	}, s)
}

// known returns the stored identity of every indexed folder.
func (x *index) known(ctx context.Context) (map[string]row, error) {
	rows, err := x.db.QueryContext(ctx, `SELECT id, sig, model, model_sig, model_hash FROM library_assets`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := map[string]row{}
	for rows.Next() {
		var r row
		if err := rows.Scan(&r.ID, &r.sig, &r.model, &r.modelSig, &r.ModelHash); err != nil {
			return nil, err
		}
		out[r.ID] = r
	}
	return out, rows.Err()
}

// ftsQuery turns what an artist typed into an FTS5 query: each word a quoted prefix, all
// required. Quotes are doubled, so nothing typed is read as FTS syntax.
func ftsQuery(s string) string {
	var terms []string
	for _, w := range strings.FieldsFunc(s, func(r rune) bool {
		return !unicode.IsLetter(r) && !unicode.IsNumber(r) && r != '\''
	}) {
		terms = append(terms, `"`+strings.ReplaceAll(w, `"`, `""`)+`"*`)
	}
	return strings.Join(terms, " ")
}

// where builds the WHERE clause and arguments of q.
func (q LibraryQuery) where() (string, []any, error) {
	var (
		conds []string
		args  []any
	)
	if m := ftsQuery(q.Search); m != "" {
		conds = append(conds, `rowid IN (SELECT rowid FROM library_search WHERE library_search MATCH ?)`)
		args = append(args, m)
	}
	if q.Provider != "" {
		conds = append(conds, `provider = ?`)
		args = append(args, q.Provider)
	}
	if q.ID != "" {
		conds = append(conds, `id = ?`)
		args = append(args, q.ID)
	}
	if q.DerivedFrom != "" {
		conds = append(conds, `derived_from = ?`)
		args = append(args, q.DerivedFrom)
	}
	if t := strings.TrimSpace(q.Tag); t != "" {
		conds = append(conds, `EXISTS (SELECT 1 FROM json_each(tags) WHERE lower(value) = lower(?))`)
		args = append(args, t)
	}
	switch q.State {
	case "":
	case StateDownloaded, StateRemote, StateDamaged:
		conds = append(conds, `state = ?`)
		args = append(args, q.State)
	case StatePublished:
		conds = append(conds, `published AND state != 'damaged'`)
	default:
		return "", nil, fmt.Errorf("%q is not a state (%s)", q.State, strings.Join(LibraryStates, ", "))
	}
	if !q.Since.IsZero() {
		conds = append(conds, `finished >= ?`)
		args = append(args, Millis(q.Since))
	}
	if !q.Until.IsZero() {
		conds = append(conds, `finished < ?`)
		args = append(args, Millis(q.Until))
	}
	order := map[string]string{
		"":            `finished DESC, id`,
		SortNewest:    `finished DESC, id`,
		SortOldest:    `finished, id`,
		SortName:      `name COLLATE NOCASE, finished DESC, id`,
		SortTriangles: `triangles DESC, finished DESC, id`,
		SortSize:      `bytes DESC, finished DESC, id`,
	}[q.Sort]
	if order == "" {
		return "", nil, fmt.Errorf("%q is not an order (%s)", q.Sort, strings.Join(LibrarySorts, ", "))
	}
	clause := ""
	if len(conds) > 0 {
		clause = " WHERE " + strings.Join(conds, " AND ")
	}
	return clause + " ORDER BY " + order, args, nil
}

// query selects columns of the assets q selects, in its order, after a Refresh if this process
// has not made one yet.
func (l *Library) query(ctx context.Context, columns string, q LibraryQuery) (*sql.Rows, error) {
	if !l.idx.fresh.Load() {
		if err := l.Refresh(ctx); err != nil {
			return nil, err
		}
	}
	clause, args, err := q.where()
	if err != nil {
		return nil, err
	}
	rows, err := l.idx.db.QueryContext(ctx, `SELECT `+columns+` FROM library_assets`+clause, args...) //nolint:gosec // columns are constants; clause is fixed SQL with ? placeholders (LibraryQuery.where); what was typed goes in args
	if err != nil {
		return nil, fmt.Errorf("search the library: %w", err)
	}
	return rows, nil
}

// entryColumns are the columns Find reads into an Entry.
const entryColumns = `id, name, provider, project, created, finished, triangles, bytes, state, published, tags,
	derived_from, picture, model_hash, damaged`

// Find lists the entries q selects, in its order, from the index. It does not look at the
// folders: call Refresh first to take in what changed on disk (Find does, once per process).
func (l *Library) Find(ctx context.Context, q LibraryQuery) ([]Entry, error) {
	rows, err := l.query(ctx, entryColumns, q)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []Entry
	for rows.Next() {
		var (
			e                 Entry
			created, finished int64
			tags              string
		)
		if err := rows.Scan(&e.ID, &e.Name, &e.Provider, &e.Project, &created, &finished, &e.Triangles, &e.Bytes,
			&e.State, &e.Published, &tags, &e.DerivedFrom, &e.Picture, &e.ModelHash, &e.Damaged); err != nil {
			return nil, fmt.Errorf("search the library: %w", err)
		}
		e.Created, e.Finished = FromMillis(created), FromMillis(finished)
		if tags != "[]" {
			_ = json.Unmarshal([]byte(tags), &e.Tags)
		}
		e.Dir = filepath.Join(l.dir, e.ID)
		if e.Picture != "" {
			e.Picture = filepath.Join(e.Dir, e.Picture)
		}
		out = append(out, e)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("search the library: %w", err)
	}
	return out, nil
}

// recordColumn reads an asset's whole sidecar, kept apart (library_records).
const recordColumn = `(SELECT asset FROM library_records r WHERE r.id = library_assets.id)`

// FindAssets is Find returning whole assets, as their sidecars said when they were indexed.
func (l *Library) FindAssets(ctx context.Context, q LibraryQuery) ([]Asset, error) {
	rows, err := l.query(ctx, "id, "+recordColumn, q)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []Asset
	for rows.Next() {
		var (
			id   string
			blob []byte
		)
		if err := rows.Scan(&id, &blob); err != nil {
			return nil, fmt.Errorf("search the library: %w", err)
		}
		var a Asset
		if err := json.Unmarshal(blob, &a); err != nil {
			return nil, fmt.Errorf("search the library: the index's copy of %s: %w", id, err)
		}
		a.ID, a.Dir = id, filepath.Join(l.dir, id)
		out = append(out, a)
	}
	return out, rows.Err()
}

// Derived lists the assets made from asset id (reduced, painted, duplicated), newest first.
func (l *Library) Derived(ctx context.Context, id string) ([]Entry, error) {
	return l.Find(ctx, LibraryQuery{DerivedFrom: id})
}

// Entry is what the index knows of asset id; ErrNoAsset when it holds none.
func (l *Library) Entry(ctx context.Context, id string) (Entry, error) {
	found, err := l.Find(ctx, LibraryQuery{ID: id})
	if err != nil {
		return Entry{}, err
	}
	if len(found) == 0 {
		return Entry{}, fmt.Errorf("asset %q: %w", id, ErrNoAsset)
	}
	return found[0], nil
}

// Tags lists every tag in the library, sorted, each once (in the case first met).
func (l *Library) Tags(ctx context.Context) ([]string, error) {
	rows, err := l.idx.db.QueryContext(ctx, `SELECT DISTINCT value FROM library_assets, json_each(library_assets.tags)
		ORDER BY lower(value)`)
	if err != nil {
		return nil, fmt.Errorf("list tags: %w", err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var t string
		if err := rows.Scan(&t); err != nil {
			return nil, err
		}
		if len(out) == 0 || !strings.EqualFold(out[len(out)-1], t) {
			out = append(out, t)
		}
	}
	return out, rows.Err()
}

// Count is how many assets the index holds.
func (l *Library) Count(ctx context.Context) (int, error) {
	var n int
	err := l.idx.db.QueryRowContext(ctx, `SELECT count(*) FROM library_assets`).Scan(&n)
	return n, err
}

// Providers lists the providers the library's assets came from, sorted.
func (l *Library) Providers(ctx context.Context) ([]string, error) {
	rows, err := l.idx.db.QueryContext(ctx, `SELECT DISTINCT provider FROM library_assets ORDER BY provider`)
	if err != nil {
		return nil, fmt.Errorf("list providers: %w", err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var p string
		if err := rows.Scan(&p); err != nil {
			return nil, err
		}
		out = append(out, p)
	}
	return out, rows.Err()
}

// HasModel returns the id of an asset whose model has the given SHA-256, or "".
func (l *Library) HasModel(ctx context.Context, sha256 string) string {
	var id string
	_ = l.idx.db.QueryRowContext(ctx, `SELECT id FROM library_assets WHERE model_hash = ? AND state = 'downloaded' LIMIT 1`,
		strings.ToLower(sha256)).Scan(&id)
	return id
}

// Generation counts the changes made to the index, by this process or another sharing its
// database: a Refresh that found nothing changed on disk leaves it as it was.
func (l *Library) Generation(ctx context.Context) int64 {
	var n int64
	_ = l.idx.db.QueryRowContext(ctx, `SELECT value FROM library_meta WHERE key = 'changes'`).Scan(&n)
	return n
}

// Refresh takes into the index what changed in the library's folders since they were indexed:
// new folders, folders gone, and folders whose files changed (each read and checked again, see
// folderSig). Unchanged folders cost a few stat calls each and are not read.
func (l *Library) Refresh(ctx context.Context) error {
	l.idx.refreshing.Lock()
	defer l.idx.refreshing.Unlock()
	if err := l.refresh(ctx, false); err != nil {
		return fmt.Errorf("index the library: %w", err)
	}
	l.idx.fresh.Store(true)
	return nil
}

// Reindex rebuilds the index from the folders, reading and checking every asset (models hashed
// again), and returns how many assets it holds.
func (l *Library) Reindex(ctx context.Context) (int, error) {
	l.idx.refreshing.Lock()
	defer l.idx.refreshing.Unlock()
	l.hashes.forget()
	if err := l.refresh(ctx, true); err != nil {
		return 0, fmt.Errorf("rebuild the library index: %w", err)
	}
	l.idx.fresh.Store(true)
	return l.Count(ctx)
}

// refreshBatch is how many changed folders are written to the index per transaction.
const refreshBatch = 500

// statWorkers is how many folders Refresh looks at at once.
const statWorkers = 8

func (l *Library) refresh(ctx context.Context, all bool) error {
	known, err := l.idx.known(ctx)
	if err != nil {
		return err
	}
	entries, err := os.ReadDir(l.dir)
	if err != nil {
		return err
	}
	// The folders' identities are read by a few workers at once: a stat is a system call, and
	// system calls, not the CPU, bound a check of thousands of unchanged folders.
	var ids []string
	for _, e := range entries {
		if isAssetEntry(e) {
			ids = append(ids, e.Name())
		}
	}
	sigs := make([]string, len(ids))
	if !all {
		var wg sync.WaitGroup
		next := atomic.Int64{}
		for range min(statWorkers, len(ids)) {
			wg.Go(func() {
				for i := int(next.Add(1) - 1); i < len(ids); i = int(next.Add(1) - 1) {
					sigs[i] = folderSig(filepath.Join(l.dir, ids[i]), known[ids[i]].model)
				}
			})
		}
		wg.Wait()
	}
	var changed []row
	seen := make(map[string]bool, len(ids))
	for i, id := range ids {
		if err := ctx.Err(); err != nil {
			return err
		}
		seen[id] = true
		dir := filepath.Join(l.dir, id)
		old, indexed := known[id]
		if indexed && !all && sigs[i] == old.sig && old.sig != racySig {
			continue
		}
		if indexed && !all && old.ModelHash != "" && old.modelSig != racySig {
			// The model is unchanged since it was hashed: its hash is not computed again.
			l.hashes.seed(filepath.Join(dir, old.model), old.modelSig, old.ModelHash)
		}
		r, err := l.indexRow(dir)
		if errors.Is(err, fs.ErrNotExist) {
			delete(seen, id) // removed while the folder was listed
			continue
		}
		if err != nil {
			return err
		}
		changed = append(changed, r)
		if len(changed) >= refreshBatch {
			if err := l.idx.put(ctx, changed, nil); err != nil {
				return err
			}
			changed = changed[:0]
		}
	}
	var gone []string
	for id := range known {
		if !seen[id] {
			gone = append(gone, id)
		}
	}
	return l.idx.put(ctx, changed, gone)
}

// indexRow reads the asset folder dir into a row, with the identity of what it was read from. The
// identity is taken after the read (the model's path comes from the sidecar); a file changed
// during the read changed within racyWindow, so its signature is racy and the next Refresh reads
// the folder again.
func (l *Library) indexRow(dir string) (row, error) {
	a, err := l.read(dir)
	if err != nil {
		return row{}, err
	}
	model := ""
	if len(a.Files) > 0 {
		model = a.Files[0].Path
	}
	sig := folderSig(dir, model)
	modelSig := ""
	if model != "" {
		modelSig = fileSig(filepath.Join(dir, model))
	}
	return newRow(a, sig, modelSig), nil
}

// index writes asset id's row from its folder (or removes it when the folder is gone). A failure
// is not the caller's: the folder is right, and the next Refresh sees it differs from its row.
func (l *Library) index(id string) {
	ctx := context.Background()
	dir := filepath.Join(l.dir, id)
	r, err := l.indexRow(dir)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		err = l.idx.put(ctx, nil, []string{id})
	case err == nil:
		err = l.idx.put(ctx, []row{r}, nil)
	}
	if err != nil {
		l.idx.fresh.Store(false) // the next Find reconciles
	}
}

// isAssetEntry reports whether a library folder entry is an asset: a folder, or a link in the
// place of one (listed as damaged); never a hidden entry (temporary folders, the trash, locks) or a
// plain file.
func isAssetEntry(e fs.DirEntry) bool {
	return !strings.HasPrefix(e.Name(), ".") && (e.IsDir() || e.Type()&fs.ModeSymlink != 0)
}

// folderSig is the identity of an asset folder's contents as far as the listing depends on them:
// the folder itself (a file added, removed or replaced by a rename changes it), the sidecar and
// the model (see fileID); three system calls. (An input image deleted by hand inside inputs/ is
// seen when the asset is read whole, by Get, the details pane or Reindex.) Equal signatures mean
// nothing the listing shows changed, except for a file changed twice within the file system's
// clock tick, which keeps its times: as git does with its index, a signature taken within
// racyWindow of a change is "racy" and matches nothing, so that the folder is read again next
// time.
func folderSig(dir, model string) string {
	ids := []fileID{lstatID(dir), lstatID(filepath.Join(dir, sidecarName))}
	if model != "" && filepath.IsLocal(model) {
		ids = append(ids, statID(filepath.Join(dir, model)))
	}
	parts := make([]string, len(ids))
	for i, id := range ids {
		if id.racy() {
			return racySig
		}
		parts[i] = id.String()
	}
	return strings.Join(parts, "|")
}

// racySig is the signature of a folder changed too recently to be told from its next change.
const racySig = "racy"

// racyWindow is how recent a change must be for its signature to be racy: far beyond any file
// system's clock tick. (A variable for tests of what is remembered, which look at new files.)
var racyWindow = 2 * time.Second

// racy reports whether the file changed so recently that another change could keep its times.
func (id fileID) racy() bool {
	newest := max(id.mtime, id.ctime)
	return newest > time.Now().Add(-racyWindow).UnixNano()
}

func lstatID(path string) fileID {
	fi, err := os.Lstat(path)
	if err != nil {
		return fileID{size: -1}
	}
	return identify(fi)
}

func statID(path string) fileID {
	fi, err := os.Stat(path)
	if err != nil {
		return fileID{size: -1}
	}
	return identify(fi)
}

// fileSig is the identity of the file at path, links followed, or racySig.
func fileSig(path string) string {
	id := statID(path)
	if id.racy() {
		return racySig
	}
	return id.String()
}

func (id fileID) String() string {
	return fmt.Sprintf("%d:%d:%d:%d:%d", id.size, id.mtime, id.ino, id.dev, id.ctime)
}
