// Package sqldbtest opens fresh, migrated databases for tests: always SQLite in a temporary
// directory, and PostgreSQL in a schema of its own when CONCORD_TEST_POSTGRES is set.
package sqldbtest

import (
	"context"
	"database/sql"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"concord"
	"concord/internal/sqldb"
)

// PostgresURL returns the test PostgreSQL URL from CONCORD_TEST_POSTGRES, or "".
func PostgresURL() string { return os.Getenv("CONCORD_TEST_POSTGRES") }

// ForEach runs fn as a subtest on a fresh SQLite database and, when configured, on a fresh
// PostgreSQL schema. Subtests are named "sqlite" and "postgres".
func ForEach(t *testing.T, fn func(t *testing.T, db *sqldb.DB)) {
	t.Helper()
	t.Run("sqlite", func(t *testing.T) {
		t.Parallel()
		fn(t, OpenSQLite(t))
	})
	if PostgresURL() != "" {
		t.Run("postgres", func(t *testing.T) {
			t.Parallel()
			fn(t, OpenPostgres(t))
		})
	}
}

// OpenSQLite returns a migrated SQLite database in t.TempDir().
func OpenSQLite(tb testing.TB) *sqldb.DB {
	tb.Helper()
	return open(tb, filepath.Join(tb.TempDir(), "concord.db"))
}

// OpenPostgres returns a migrated database in a new PostgreSQL schema that is dropped after
// the test. It fails the test when CONCORD_TEST_POSTGRES is not set.
func OpenPostgres(tb testing.TB) *sqldb.DB {
	tb.Helper()
	return open(tb, PostgresSchemaURL(tb))
}

// PostgresSchemaURL creates a fresh schema and returns a URL whose search_path is it; the
// schema is dropped in tb.Cleanup.
func PostgresSchemaURL(tb testing.TB) string {
	tb.Helper()
	base := PostgresURL()
	if base == "" {
		tb.Fatal("CONCORD_TEST_POSTGRES is not set")
	}
	schema := "t_" + strings.ReplaceAll(concord.NewSecret(8), "-", "")
	admin, err := sql.Open("pgx", base)
	if err != nil {
		tb.Fatal(err)
	}
	defer admin.Close()
	if _, err := admin.Exec(`CREATE SCHEMA ` + schema); err != nil {
		tb.Fatalf("create schema: %v", err)
	}
	tb.Cleanup(func() {
		admin, err := sql.Open("pgx", base)
		if err != nil {
			return
		}
		defer admin.Close()
		_, _ = admin.Exec(`DROP SCHEMA ` + schema + ` CASCADE`)
	})
	u, err := url.Parse(base)
	if err != nil {
		tb.Fatal(err)
	}
	q := u.Query()
	q.Set("search_path", schema)
	u.RawQuery = q.Encode()
	return u.String()
}

func open(tb testing.TB, dsn string) *sqldb.DB {
	tb.Helper()
	ctx := context.Background()
	db, err := sqldb.Open(ctx, dsn)
	if err != nil {
		tb.Fatalf("open %s: %v", redact(dsn), err)
	}
	tb.Cleanup(func() { db.Close() })
	if err := db.Migrate(ctx); err != nil {
		tb.Fatalf("migrate: %v", err)
	}
	return db
}

func redact(dsn string) string {
	if u, err := url.Parse(dsn); err == nil && u.User != nil {
		u.User = url.User(u.User.Username())
		return u.String()
	}
	return dsn
}

// Must fails the test on a non-nil error.
func Must(tb testing.TB, err error) {
	tb.Helper()
	if err != nil {
		tb.Fatal(fmt.Errorf("unexpected error: %w", err))
	}
}
