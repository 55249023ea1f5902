package jobs_test

import (
	"context"
	"errors"
	"log/slog"
	"sync/atomic"
	"testing"
	"time"

	"concord/internal/jobs"
	"concord/internal/sqldb"
	"concord/internal/sqldb/sqldbtest"
)

type clock struct{ t atomic.Pointer[time.Time] }

func (c *clock) Now() time.Time  { return *c.t.Load() }
func (c *clock) set(t time.Time) { c.t.Store(&t) }

func TestWorkerRetriesThenFinishes(t *testing.T) {
	t.Parallel()
	sqldbtest.ForEach(t, func(t *testing.T, db *sqldb.DB) {
		ctx := context.Background()
		c := &clock{}
		start := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
		c.set(start)
		w := jobs.NewWorker(db, c, slog.New(slog.DiscardHandler))
		var calls atomic.Int32
		w.Register("test.flaky", func(ctx context.Context, payload []byte) error {
			if calls.Add(1) < 3 {
				return errors.New("temporary")
			}
			return nil
		})
		sqldbtest.Must(t, db.WithTx(ctx, func(tx *sqldb.Tx) error {
			return jobs.Enqueue(tx, start, "test.flaky", map[string]string{"secret": "link"})
		}))
		for i := 0; i < 3; i++ {
			ran, err := w.RunOnce(ctx)
			sqldbtest.Must(t, err)
			if !ran {
				t.Fatalf("attempt %d: no due job", i+1)
			}
			if ran, _ := w.RunOnce(ctx); ran {
				t.Fatalf("attempt %d: retried before its backoff", i+1)
			}
			c.set(c.Now().Add(jobs.Backoff(i + 1)))
		}
		var pending, done, failed int
		sqldbtest.Must(t, db.View(ctx, func(tx *sqldb.Tx) (err error) {
			pending, done, failed, err = tx.JobCounts()
			return err
		}))
		if calls.Load() != 3 || pending != 0 || done != 1 || failed != 0 {
			t.Fatalf("calls %d pending %d done %d failed %d", calls.Load(), pending, done, failed)
		}
	})
}

func TestBackoff(t *testing.T) {
	t.Parallel()
	if jobs.Backoff(1) != 10*time.Second || jobs.Backoff(2) != 20*time.Second || jobs.Backoff(100) != time.Hour {
		t.Errorf("backoff %v %v %v", jobs.Backoff(1), jobs.Backoff(2), jobs.Backoff(100))
	}
}
