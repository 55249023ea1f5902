// Package jobs runs durable background work: job rows are written by services in the same
// transaction as the change that causes them (an outbox), and a worker runs them after
// commit, with retries and backoff. Nothing a user would miss lives only in memory.
package jobs

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"concord"
	"concord/internal/sqldb"
)

// Handler runs one job. A returned error schedules a retry. A job may run more than once (a
// worker can die after the work but before marking it done), so handlers tolerate repeats.
type Handler func(ctx context.Context, payload []byte) error

// Enqueue writes a job of kind with a JSON payload in tx, due at runAt.
func Enqueue(tx *sqldb.Tx, runAt time.Time, kind string, payload any) error {
	b, err := json.Marshal(payload)
	if err != nil {
		return fmt.Errorf("encode %s job: %w", kind, err)
	}
	return tx.EnqueueJob(&sqldb.Job{ID: concord.NewID(runAt), Kind: kind, Payload: b, RunAt: runAt})
}

// Worker polls the job table and runs due jobs one at a time.
type Worker struct {
	db       *sqldb.DB
	clock    concord.Clock
	log      *slog.Logger
	mu       sync.RWMutex
	handlers map[string]Handler
	kick     chan struct{}
	// Poll is how often the worker looks for due jobs when not kicked.
	Poll time.Duration
	// Lock is how long a claimed job stays invisible to other workers.
	Lock time.Duration
}

// NewWorker returns a worker with no handlers.
func NewWorker(db *sqldb.DB, clock concord.Clock, log *slog.Logger) *Worker {
	return &Worker{db: db, clock: clock, log: log, handlers: map[string]Handler{},
		kick: make(chan struct{}, 1), Poll: 2 * time.Second, Lock: 5 * time.Minute}
}

// Register sets the handler for a job kind.
func (w *Worker) Register(kind string, h Handler) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.handlers[kind] = h
}

// Kick wakes the worker now, after a transaction that enqueued a job has committed.
func (w *Worker) Kick() {
	select {
	case w.kick <- struct{}{}:
	default:
	}
}

// Run works until ctx ends.
func (w *Worker) Run(ctx context.Context) {
	t := time.NewTicker(w.Poll)
	defer t.Stop()
	for {
		for {
			ran, err := w.RunOnce(ctx)
			if err != nil && ctx.Err() == nil {
				w.log.Error("job worker", "err", err)
			}
			if !ran || ctx.Err() != nil {
				break
			}
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		case <-w.kick:
		}
	}
}

// RunOnce claims and runs one due job. It reports whether there was one.
func (w *Worker) RunOnce(ctx context.Context) (bool, error) {
	now := w.clock.Now()
	var job *sqldb.Job
	if err := w.db.WithTx(ctx, func(tx *sqldb.Tx) (err error) {
		job, err = tx.ClaimJob(now, now.Add(w.Lock))
		return err
	}); err != nil || job == nil {
		return false, err
	}
	w.mu.RLock()
	h := w.handlers[job.Kind]
	w.mu.RUnlock()
	var runErr error
	if h == nil {
		runErr = fmt.Errorf("no handler for job kind %q", job.Kind)
	} else {
		runErr = safeRun(ctx, h, job.Payload)
	}
	done := w.clock.Now()
	err := w.db.WithTx(context.WithoutCancel(ctx), func(tx *sqldb.Tx) error {
		if runErr == nil {
			return tx.FinishJob(job.ID, done)
		}
		return tx.RetryJob(job, runErr.Error(), done, done.Add(Backoff(job.Attempts)))
	})
	if runErr != nil {
		w.log.Warn("job failed", "kind", job.Kind, "id", job.ID, "attempt", job.Attempts, "of", job.MaxAttempts, "err", runErr)
	}
	return true, err
}

func safeRun(ctx context.Context, h Handler, payload []byte) (err error) {
	defer func() {
		if p := recover(); p != nil {
			err = fmt.Errorf("job panicked: %v", p)
		}
	}()
	return h(ctx, payload)
}

// Backoff is the wait before retry number attempt: 10s, 20s, 40s… capped at one hour.
func Backoff(attempt int) time.Duration {
	d := 10 * time.Second
	for i := 1; i < attempt && d < time.Hour; i++ {
		d *= 2
	}
	return min(d, time.Hour)
}
