package sqldb

import (
	"database/sql"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"time"

	"concord"

	"github.com/jackc/pgx/v5/pgconn"
	_ "github.com/jackc/pgx/v5/stdlib" // registers the "pgx" database/sql driver
	"modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"
)

// dialect holds everything that differs between SQLite and PostgreSQL.
type dialect interface {
	name() string
	rebind(query string) string // ? placeholders → the driver's
	args(args []any) []any      // time values → the column representation
	mapError(err error) error   // driver error → domain error
}

// Date marks a time.Time argument as a calendar date (a DATE column).
type Date time.Time

// sqliteTime is the fixed-width text form of timestamps in SQLite, so text order is time order.
const sqliteTime = "2006-01-02T15:04:05.000000Z"

// dateLayout is the text form of dates.
const dateLayout = "2006-01-02"

type sqliteDialect struct{}

func (sqliteDialect) name() string           { return "sqlite" }
func (sqliteDialect) rebind(q string) string { return q }
func (sqliteDialect) args(args []any) []any {
	out := make([]any, len(args))
	for i, a := range args {
		switch v := a.(type) {
		case time.Time:
			out[i] = v.UTC().Format(sqliteTime)
		case *time.Time:
			if v == nil {
				out[i] = nil
			} else {
				out[i] = v.UTC().Format(sqliteTime)
			}
		case Date:
			out[i] = time.Time(v).Format(dateLayout)
		case *Date:
			if v == nil {
				out[i] = nil
			} else {
				out[i] = time.Time(*v).Format(dateLayout)
			}
		default:
			out[i] = a
		}
	}
	return out
}

func (sqliteDialect) mapError(err error) error {
	var se *sqlite.Error
	if !errors.As(err, &se) {
		return err
	}
	switch se.Code() {
	case sqlite3.SQLITE_CONSTRAINT_UNIQUE, sqlite3.SQLITE_CONSTRAINT_PRIMARYKEY:
		return &concord.Error{Code: concord.ECONFLICT, Message: "already exists", Key: "error.conflict"}
	case sqlite3.SQLITE_CONSTRAINT_FOREIGNKEY:
		return &concord.Error{Code: concord.EINVALID, Message: "refers to something that does not exist", Key: "error.reference"}
	case sqlite3.SQLITE_CONSTRAINT_CHECK, sqlite3.SQLITE_CONSTRAINT_NOTNULL:
		return &concord.Error{Code: concord.EINVALID, Message: "violates a data rule", Key: "error.invalid"}
	case sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED:
		return fmt.Errorf("database busy: %w", err)
	}
	return err
}

type postgresDialect struct{}

func (postgresDialect) name() string { return "postgres" }

// rebind turns ? into $1, $2, …; queries in this package never contain a literal '?'.
func (postgresDialect) rebind(q string) string {
	if !strings.Contains(q, "?") {
		return q
	}
	var b strings.Builder
	b.Grow(len(q) + 16)
	n := 0
	for i := 0; i < len(q); i++ {
		if q[i] == '?' {
			n++
			b.WriteByte('$')
			b.WriteString(strconv.Itoa(n))
			continue
		}
		b.WriteByte(q[i])
	}
	return b.String()
}

func (postgresDialect) args(args []any) []any {
	out := make([]any, len(args))
	for i, a := range args {
		switch v := a.(type) {
		case time.Time:
			out[i] = v.UTC().Truncate(time.Microsecond)
		case Date:
			out[i] = time.Time(v).Format(dateLayout)
		case *Date:
			if v == nil {
				out[i] = nil
			} else {
				out[i] = time.Time(*v).Format(dateLayout)
			}
		default:
			out[i] = a
		}
	}
	return out
}

func (postgresDialect) mapError(err error) error {
	var pe *pgconn.PgError
	if !errors.As(err, &pe) {
		return err
	}
	switch pe.Code {
	case "23505":
		return &concord.Error{Code: concord.ECONFLICT, Message: "already exists", Key: "error.conflict"}
	case "23503":
		return &concord.Error{Code: concord.EINVALID, Message: "refers to something that does not exist", Key: "error.reference"}
	case "23514", "23502", "22001", "22007", "22008":
		return &concord.Error{Code: concord.EINVALID, Message: "violates a data rule", Key: "error.invalid"}
	}
	return err
}

// openSQLite opens a writer (one connection, immediate transactions) and a reader pool on
// the file at path, in WAL mode with foreign keys and full durability.
func openSQLite(path string) (*DB, error) {
	if path == "" {
		return nil, errors.New("sqlite: empty path")
	}
	if dir := filepath.Dir(path); dir != "" {
		if err := os.MkdirAll(dir, 0o750); err != nil {
			return nil, fmt.Errorf("create data directory: %w", err)
		}
	}
	pragmas := "_pragma=busy_timeout(10000)&_pragma=journal_mode(WAL)&_pragma=foreign_keys(1)&_pragma=synchronous(FULL)"
	write, err := sql.Open("sqlite", "file:"+path+"?"+pragmas+"&_txlock=immediate")
	if err != nil {
		return nil, fmt.Errorf("open sqlite: %w", err)
	}
	write.SetMaxOpenConns(1)
	write.SetMaxIdleConns(1)
	write.SetConnMaxLifetime(0)
	read, err := sql.Open("sqlite", "file:"+path+"?"+pragmas+"&_pragma=query_only(1)")
	if err != nil {
		write.Close()
		return nil, fmt.Errorf("open sqlite: %w", err)
	}
	read.SetMaxOpenConns(8)
	read.SetMaxIdleConns(8)
	// Create the file and switch it to WAL through the writer before readers open it.
	if _, err := write.Exec("SELECT 1"); err != nil {
		write.Close()
		read.Close()
		return nil, fmt.Errorf("open sqlite %s: %w", path, err)
	}
	return &DB{write: write, read: read, dialect: sqliteDialect{}, source: path}, nil
}

func openPostgres(url string) (*DB, error) {
	pool, err := sql.Open("pgx", url)
	if err != nil {
		return nil, fmt.Errorf("open postgres: %w", err)
	}
	// Four connections per core: PostgreSQL runs a process per connection, and on the
	// 2-core machine a pool of 20 made a burst of signatures slower than one of 8 (the
	// backends competed for the cores and each parsed the hot statements anew: concord
	// bench --watchers 10 on PostgreSQL, acks 0.42-0.44x of the bare insert with 20,
	// 0.52-0.73x with 8). Idle connections are kept up to the pool size, so a burst does
	// not reconnect, until they have been idle for 5 minutes.
	conns := 4 * runtime.GOMAXPROCS(0)
	pool.SetMaxOpenConns(conns)
	pool.SetMaxIdleConns(conns)
	pool.SetConnMaxIdleTime(5 * time.Minute)
	return &DB{write: pool, read: pool, dialect: postgresDialect{}, source: url}, nil
}

// timeCol scans a timestamp or date column from either dialect into a time.Time (UTC).
type timeCol struct{ t *time.Time }

func (c timeCol) Scan(src any) error {
	t, ok, err := parseTime(src)
	if err != nil {
		return err
	}
	if !ok {
		return errors.New("unexpected NULL time")
	}
	*c.t = t
	return nil
}

// nullTimeCol scans a nullable timestamp or date column into a *time.Time.
type nullTimeCol struct{ t **time.Time }

func (c nullTimeCol) Scan(src any) error {
	t, ok, err := parseTime(src)
	if err != nil {
		return err
	}
	if !ok {
		*c.t = nil
		return nil
	}
	*c.t = &t
	return nil
}

func parseTime(src any) (time.Time, bool, error) {
	var s string
	switch v := src.(type) {
	case nil:
		return time.Time{}, false, nil
	case time.Time:
		return v.UTC(), true, nil
	case string:
		s = v
	case []byte:
		s = string(v)
	default:
		return time.Time{}, false, fmt.Errorf("cannot scan %T into time", src)
	}
	for _, layout := range []string{sqliteTime, time.RFC3339Nano, dateLayout} {
		if t, err := time.Parse(layout, s); err == nil {
			return t.UTC(), true, nil
		}
	}
	return time.Time{}, false, fmt.Errorf("cannot parse time %q", s)
}

// nullString turns "" into NULL for optional reference columns.
func nullString(s string) any {
	if s == "" {
		return nil
	}
	return s
}

// stringCol scans a nullable text column into a string ("" for NULL).
type stringCol struct{ s *string }

func (c stringCol) Scan(src any) error {
	switch v := src.(type) {
	case nil:
		*c.s = ""
	case string:
		*c.s = v
	case []byte:
		*c.s = string(v)
	default:
		return fmt.Errorf("cannot scan %T into string", src)
	}
	return nil
}

func notFound(what string) error { return concord.NotFound(what) }

func datePtr(t *time.Time) *Date {
	if t == nil {
		return nil
	}
	d := Date(*t)
	return &d
}
