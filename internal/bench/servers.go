package bench

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	"concord"

	_ "github.com/jackc/pgx/v5/stdlib" // the "pgx" database/sql driver, for the PostgreSQL baseline
	_ "modernc.org/sqlite"             // the "sqlite" database/sql driver, for the SQLite baseline
)

// InsertServer is the bare baseline of a durable write: an HTTP handler that inserts one row
// per request, acknowledging only after its group-commit transaction committed, on SQLite
// (WAL, synchronous=FULL, one writer) or PostgreSQL (its default, durable commit). It checks
// nothing and authenticates no one: the ratio to it is the price of everything Concord does
// around the same write.
type InsertServer struct {
	db      *sql.DB
	pg      bool
	in      chan *insertReq
	done    chan struct{}
	stopped chan struct{}
}

type insertReq struct {
	org, answer, hash, lang string
	res                     chan error
}

// OpenInsertServer opens (and creates the table of) the baseline's database: a URL
// postgres://… or sqlite:PATH.
func OpenInsertServer(ctx context.Context, dbURL string) (*InsertServer, error) {
	s := &InsertServer{in: make(chan *insertReq, 4096), done: make(chan struct{}), stopped: make(chan struct{})}
	var err error
	if strings.HasPrefix(dbURL, "postgres://") || strings.HasPrefix(dbURL, "postgresql://") {
		s.pg = true
		s.db, err = sql.Open("pgx", dbURL)
		if err != nil {
			return nil, err
		}
		s.db.SetMaxOpenConns(4)
	} else {
		path := strings.TrimPrefix(dbURL, "sqlite:")
		s.db, err = sql.Open("sqlite", "file:"+path+"?_pragma=busy_timeout(10000)&_pragma=journal_mode(WAL)&_pragma=synchronous(FULL)&_txlock=immediate")
		if err != nil {
			return nil, err
		}
		s.db.SetMaxOpenConns(1)
	}
	if _, err := s.db.ExecContext(ctx, `CREATE TABLE IF NOT EXISTS bench_rows (id TEXT PRIMARY KEY, org_id TEXT NOT NULL,
		answer TEXT NOT NULL, version_hash TEXT NOT NULL, lang TEXT NOT NULL, at TEXT NOT NULL)`); err != nil {
		s.db.Close()
		return nil, fmt.Errorf("create baseline table: %w", err)
	}
	go s.run()
	return s, nil
}

// Close stops the writer and closes the database.
func (s *InsertServer) Close() error {
	close(s.done)
	<-s.stopped
	return s.db.Close()
}

// ServeHTTP answers POST /insert (201 after commit), GET /count and GET /healthz.
func (s *InsertServer) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	switch {
	case r.Method == http.MethodPost && r.URL.Path == "/insert":
		var in struct {
			OrganizationID string `json:"organization_id"`
			Answer         string `json:"answer"`
			VersionHash    string `json:"version_hash"`
			Language       string `json:"language"`
		}
		if err := json.NewDecoder(io.LimitReader(r.Body, 64<<10)).Decode(&in); err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		q := &insertReq{org: in.OrganizationID, answer: in.Answer, hash: in.VersionHash, lang: in.Language, res: make(chan error, 1)}
		select {
		case s.in <- q:
		case <-r.Context().Done():
			return
		}
		if err := <-q.res; err != nil {
			http.Error(w, err.Error(), http.StatusInternalServerError)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusCreated)
		io.WriteString(w, `{"ok":true}`)
	case r.Method == http.MethodGet && r.URL.Path == "/count":
		var n int
		if err := s.db.QueryRowContext(r.Context(), `SELECT count(*) FROM bench_rows`).Scan(&n); err != nil {
			http.Error(w, err.Error(), http.StatusInternalServerError)
			return
		}
		fmt.Fprint(w, n)
	case r.URL.Path == "/healthz":
		io.WriteString(w, "ok\n")
	default:
		http.NotFound(w, r)
	}
}

// run is the group commit: take everything queued (up to 512 rows), write it in one
// transaction, then acknowledge each row — the same shape as Concord's response batcher.
func (s *InsertServer) run() {
	defer close(s.stopped)
	query := `INSERT INTO bench_rows (id, org_id, answer, version_hash, lang, at) VALUES (?, ?, ?, ?, ?, ?)`
	if s.pg {
		query = `INSERT INTO bench_rows (id, org_id, answer, version_hash, lang, at) VALUES ($1, $2, $3, $4, $5, $6)`
	}
	for {
		var batch []*insertReq
		select {
		case q := <-s.in:
			batch = append(batch, q)
		case <-s.done:
			return
		}
	drain:
		for len(batch) < 512 {
			select {
			case q := <-s.in:
				batch = append(batch, q)
			default:
				break drain
			}
		}
		err := s.write(query, batch)
		for _, q := range batch {
			q.res <- err
		}
	}
}

func (s *InsertServer) write(query string, batch []*insertReq) error {
	ctx := context.Background()
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	now := time.Now().UTC()
	at := now.Format("2006-01-02T15:04:05.000000Z")
	for _, q := range batch {
		if _, err := tx.ExecContext(ctx, query, concord.NewID(now), q.org, q.answer, q.hash, q.lang, at); err != nil {
			tx.Rollback()
			return err
		}
	}
	return tx.Commit()
}

// SSEServer is the bare baseline of a live update: a plain net/http Server-Sent-Events
// handler that holds every connection and, when told to, writes one event to all of them.
type SSEServer struct {
	mu   sync.Mutex
	subs map[chan []byte]struct{}
}

// NewSSEServer returns an SSE baseline with no connections.
func NewSSEServer() *SSEServer { return &SSEServer{subs: map[chan []byte]struct{}{}} }

// ServeHTTP answers GET /events (the stream), POST /fire?revision=N (send one tally event
// with that revision to every connection), GET /count and GET /healthz.
func (s *SSEServer) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	switch {
	case r.Method == http.MethodGet && r.URL.Path == "/events":
		s.stream(w, r)
	case r.Method == http.MethodPost && r.URL.Path == "/fire":
		rev, _ := strconv.ParseInt(r.URL.Query().Get("revision"), 10, 64)
		msg := []byte(fmt.Sprintf("id: %d\nevent: tally\ndata: {\"revision\":%d,\"outcome\":\"adopted\",\"final\":false,\"electorate\":%d,"+
			"\"responded\":%d,\"stale\":0,\"counts\":{\"sign\":%d},\"reasons\":[{\"Key\":\"result.signatures\",\"Params\":"+
			"{\"signed\":\"%d\",\"electorate\":\"%d\",\"threshold\":\"%d\"}}]}\n\n", rev, rev, rev, rev, rev, rev, rev, rev/2))
		s.mu.Lock()
		n := 0
		for ch := range s.subs {
			// Latest wins: a connection that has not written the previous event yet gets
			// this one instead.
			select {
			case ch <- msg:
			default:
				select {
				case <-ch:
				default:
				}
				ch <- msg // only fire sends, under s.mu, so the slot just emptied is free
			}
			n++
		}
		s.mu.Unlock()
		fmt.Fprint(w, n)
	case r.Method == http.MethodGet && r.URL.Path == "/count":
		s.mu.Lock()
		n := len(s.subs)
		s.mu.Unlock()
		fmt.Fprint(w, n)
	case r.URL.Path == "/healthz":
		io.WriteString(w, "ok\n")
	default:
		http.NotFound(w, r)
	}
}

func (s *SSEServer) stream(w http.ResponseWriter, r *http.Request) {
	h := w.Header()
	h.Set("Content-Type", "text/event-stream")
	h.Set("Cache-Control", "no-cache")
	rc := http.NewResponseController(w)
	// Subscribe before the headers go out: a client that sees them gets every later event.
	ch := make(chan []byte, 1)
	s.mu.Lock()
	s.subs[ch] = struct{}{}
	s.mu.Unlock()
	defer func() {
		s.mu.Lock()
		delete(s.subs, ch)
		s.mu.Unlock()
	}()
	if _, err := io.WriteString(w, ": connected\n\n"); err != nil {
		return
	}
	if err := rc.Flush(); err != nil {
		return
	}
	for {
		select {
		case msg := <-ch:
			if _, err := w.Write(msg); err != nil {
				return
			}
			if err := rc.Flush(); err != nil {
				return
			}
		case <-r.Context().Done():
			return
		}
	}
}
