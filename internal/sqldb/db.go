// Package sqldb is Concord's one store for SQLite and PostgreSQL: explicit transactions,
// embedded per-dialect migrations with the same numbers, and driver errors mapped to domain
// error codes. Dialect differences live in dialect.go.
package sqldb

import (
	"context"
	"database/sql"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"path"
	"sort"
	"strconv"
	"strings"
	"time"
)

//go:embed migrations
var migrationFS embed.FS

// DB is an open Concord database. On SQLite it holds a single-connection writer and a pool
// of readers; on PostgreSQL both are the same pool.
type DB struct {
	write   *sql.DB
	read    *sql.DB
	dialect dialect
	source  string // file path (SQLite) or URL (PostgreSQL), for backups and logs
	// Prepared hot statements by their SQL text, per pool; see prepareHot. Written once by
	// Migrate before the DB is shared, read without locks afterwards.
	writeStmts, readStmts map[string]*sql.Stmt
}

// Open opens the database named by url: "postgres://…" or "postgresql://…" for PostgreSQL,
// "sqlite:PATH", "file:PATH" or a plain path for SQLite. It does not migrate.
func Open(ctx context.Context, url string) (*DB, error) {
	var (
		db  *DB
		err error
	)
	if strings.HasPrefix(url, "postgres://") || strings.HasPrefix(url, "postgresql://") {
		db, err = openPostgres(url)
	} else {
		p := strings.TrimPrefix(strings.TrimPrefix(url, "sqlite:"), "file:")
		db, err = openSQLite(p)
	}
	if err != nil {
		return nil, err
	}
	if err := db.Ping(ctx); err != nil {
		db.Close()
		return nil, err
	}
	return db, nil
}

// Dialect returns "sqlite" or "postgres".
func (db *DB) Dialect() string { return db.dialect.name() }

// Ping checks that the database answers.
func (db *DB) Ping(ctx context.Context) error {
	if err := db.read.PingContext(ctx); err != nil {
		return fmt.Errorf("ping database: %w", err)
	}
	return nil
}

// Close closes every connection.
func (db *DB) Close() error {
	var err error
	for _, m := range []map[string]*sql.Stmt{db.writeStmts, db.readStmts} {
		for _, st := range m {
			err = errors.Join(err, st.Close())
		}
	}
	err = errors.Join(err, db.write.Close())
	if db.read != db.write {
		err = errors.Join(err, db.read.Close())
	}
	return err
}

// Tx is an open transaction. Store methods hang off it so that every write that belongs
// together — the change, its audit event, its outbox jobs — commits or fails together.
type Tx struct {
	tx      *sql.Tx
	dialect dialect
	ctx     context.Context
	stmts   map[string]*sql.Stmt // the pool's prepared hot statements
	bound   map[*sql.Stmt]*sql.Stmt
}

// WithTx runs fn in a read-write transaction and commits when fn returns nil.
func (db *DB) WithTx(ctx context.Context, fn func(tx *Tx) error) error {
	return db.run(ctx, db.write, db.writeStmts, false, fn)
}

// View runs fn in a read-only transaction (a consistent snapshot).
func (db *DB) View(ctx context.Context, fn func(tx *Tx) error) error {
	return db.run(ctx, db.read, db.readStmts, true, fn)
}

func (db *DB) run(ctx context.Context, pool *sql.DB, stmts map[string]*sql.Stmt, readOnly bool, fn func(tx *Tx) error) (err error) {
	sqlTx, err := pool.BeginTx(ctx, &sql.TxOptions{ReadOnly: readOnly && db.dialect.name() == "postgres"})
	if err != nil {
		return fmt.Errorf("begin: %w", db.dialect.mapError(err))
	}
	defer func() {
		if p := recover(); p != nil {
			_ = sqlTx.Rollback()
			panic(p)
		}
	}()
	if err := fn(&Tx{tx: sqlTx, dialect: db.dialect, ctx: ctx, stmts: stmts}); err != nil {
		_ = sqlTx.Rollback()
		return err
	}
	if err := sqlTx.Commit(); err != nil {
		return fmt.Errorf("commit: %w", db.dialect.mapError(err))
	}
	return nil
}

// prepared returns the transaction's handle of query if it is a prepared hot statement.
func (tx *Tx) prepared(query string) *sql.Stmt {
	st := tx.stmts[query]
	if st == nil {
		return nil
	}
	b := tx.bound[st]
	if b == nil {
		if tx.bound == nil {
			tx.bound = map[*sql.Stmt]*sql.Stmt{}
		}
		b = tx.tx.StmtContext(tx.ctx, st) // closed with the transaction
		tx.bound[st] = b
	}
	return b
}

// exec runs a statement written with ? placeholders.
func (tx *Tx) exec(query string, args ...any) (res sql.Result, err error) {
	q := tx.dialect.rebind(query)
	if st := tx.prepared(q); st != nil {
		res, err = st.ExecContext(tx.ctx, tx.dialect.args(args)...)
	} else {
		res, err = tx.tx.ExecContext(tx.ctx, q, tx.dialect.args(args)...)
	}
	if err != nil {
		return nil, tx.dialect.mapError(err)
	}
	return res, nil
}

// query runs a query written with ? placeholders.
func (tx *Tx) query(query string, args ...any) (rows *sql.Rows, err error) {
	q := tx.dialect.rebind(query)
	if st := tx.prepared(q); st != nil {
		rows, err = st.QueryContext(tx.ctx, tx.dialect.args(args)...)
	} else {
		rows, err = tx.tx.QueryContext(tx.ctx, q, tx.dialect.args(args)...)
	}
	if err != nil {
		return nil, tx.dialect.mapError(err)
	}
	return rows, nil
}

// queryRow runs a query expected to return at most one row.
func (tx *Tx) queryRow(query string, args ...any) *sql.Row {
	q := tx.dialect.rebind(query)
	if st := tx.prepared(q); st != nil {
		return st.QueryRowContext(tx.ctx, tx.dialect.args(args)...)
	}
	return tx.tx.QueryRowContext(tx.ctx, q, tx.dialect.args(args)...)
}

// queryRead runs one query (already rebound, arguments converted) on the read pool
// outside a transaction: a single statement reads one snapshot.
func (db *DB) queryRead(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	if st := db.readStmts[query]; st != nil {
		return st.QueryContext(ctx, args...)
	}
	return db.read.QueryContext(ctx, query, args...)
}

// prepareHot prepares the statements that run on every response or authenticated request,
// once per pool, so that SQLite does not parse them again on every call (it parsed them in
// about a third of a signature's CPU time). PostgreSQL's driver keeps its own statement
// cache, so there it does nothing. The map keys are the statements' final SQL text, which
// is how exec, query and queryRow find them.
func (db *DB) prepareHot(ctx context.Context) error {
	if db.dialect.name() != "sqlite" || db.writeStmts != nil {
		return nil
	}
	prepare := func(pool *sql.DB, queries []string) (map[string]*sql.Stmt, error) {
		m := map[string]*sql.Stmt{}
		for _, q := range queries {
			st, err := pool.PrepareContext(ctx, q)
			if err != nil {
				for _, st := range m {
					st.Close()
				}
				return nil, fmt.Errorf("prepare %q: %w", q, err)
			}
			m[q] = st
		}
		return m, nil
	}
	w, err := prepare(db.write, hotWrites)
	if err != nil {
		return err
	}
	r, err := prepare(db.read, []string{db.actorSQL(qActorsByTokens), db.actorSQL(qActorBySession), qProcedureRevision})
	if err != nil {
		for _, st := range w {
			st.Close()
		}
		return err
	}
	db.writeStmts, db.readStmts = w, r
	return nil
}

// scanErr maps sql.ErrNoRows to a domain not-found error for what, and driver errors to codes.
func (tx *Tx) scanErr(err error, what string) error {
	if errors.Is(err, sql.ErrNoRows) {
		return notFound(what)
	}
	if err != nil {
		return tx.dialect.mapError(err)
	}
	return nil
}

// Migrate applies every embedded migration for the dialect that is not applied yet, each in
// its own transaction, in number order.
func (db *DB) Migrate(ctx context.Context) error {
	if _, err := db.write.ExecContext(ctx, `CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)`); err != nil {
		return fmt.Errorf("create schema_migrations: %w", err)
	}
	migs, err := Migrations(db.dialect.name())
	if err != nil {
		return err
	}
	for _, m := range migs {
		err := db.WithTx(ctx, func(tx *Tx) error {
			var n int
			if err := tx.queryRow(`SELECT count(*) FROM schema_migrations WHERE version = ?`, m.Version).Scan(&n); err != nil {
				return err
			}
			if n > 0 {
				return nil
			}
			if _, err := tx.tx.ExecContext(ctx, m.SQL); err != nil {
				return fmt.Errorf("apply: %w", err)
			}
			_, err := tx.exec(`INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)`, m.Version, m.Name, time.Now().UTC().Format(time.RFC3339))
			return err
		})
		if err != nil {
			return fmt.Errorf("migration %04d %s: %w", m.Version, m.Name, err)
		}
	}
	return db.prepareHot(ctx)
}

// Migration is one numbered schema change.
type Migration struct {
	Version int
	Name    string
	SQL     string
}

// Migrations returns the embedded migrations of a dialect ("sqlite" or "postgres") in order.
func Migrations(dialect string) ([]Migration, error) {
	dir := path.Join("migrations", dialect)
	entries, err := fs.ReadDir(migrationFS, dir)
	if err != nil {
		return nil, fmt.Errorf("read migrations: %w", err)
	}
	var out []Migration
	for _, e := range entries {
		num, rest, ok := strings.Cut(e.Name(), "_")
		v, err := strconv.Atoi(num)
		if !ok || err != nil || !strings.HasSuffix(rest, ".sql") {
			return nil, fmt.Errorf("migration file %q: want NNNN_name.sql", e.Name())
		}
		b, err := fs.ReadFile(migrationFS, path.Join(dir, e.Name()))
		if err != nil {
			return nil, err
		}
		out = append(out, Migration{Version: v, Name: strings.TrimSuffix(rest, ".sql"), SQL: string(b)})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Version < out[j].Version })
	return out, nil
}

// Backup writes a consistent copy of a SQLite database to path while it keeps serving
// (VACUUM INTO reads one snapshot). PostgreSQL installations use pg_dump instead.
func (db *DB) Backup(ctx context.Context, path string) error {
	if db.dialect.name() != "sqlite" {
		return errors.New("backup: use pg_dump for PostgreSQL (see README)")
	}
	if _, err := db.write.ExecContext(ctx, `VACUUM INTO ?`, path); err != nil {
		return fmt.Errorf("backup to %s: %w", path, err)
	}
	return nil
}

// ExecRaw runs one statement outside the store's methods. It exists for tests that prove the
// schema itself enforces a rule.
func (db *DB) ExecRaw(ctx context.Context, stmt string) error {
	_, err := db.write.ExecContext(ctx, stmt)
	return err
}
