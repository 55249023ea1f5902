package procedures

import (
	"context"
	"errors"
	"time"

	"concord"
	"concord/internal/sqldb"
)

// batcher writes responses in groups: while one transaction commits, new responses queue,
// and the next transaction takes all of them. One durable commit then acknowledges many
// responses, which is what lets a small server take thousands of organizations' answers
// per second at full durability.
type batcher struct {
	s        *Service
	in       chan *pending
	maxBatch int
	maxWait  time.Duration
	stop     chan struct{}
	stopped  chan struct{}
}

type pending struct {
	r    *concord.Response
	done chan error
}

// errStopping is returned to responses submitted while the server shuts down.
var errStopping = &concord.Error{Code: concord.EINTERNAL, Key: "error.shutting_down", Message: "the server is shutting down; try again"}

func newBatcher(s *Service, maxBatch int, maxWait time.Duration) *batcher {
	if maxBatch <= 0 {
		maxBatch = 512
	}
	b := &batcher{s: s, in: make(chan *pending, 4*maxBatch), maxBatch: maxBatch, maxWait: maxWait,
		stop: make(chan struct{}), stopped: make(chan struct{})}
	go b.run()
	return b
}

// submit queues r and waits until it is committed (nil) or refused.
func (b *batcher) submit(ctx context.Context, r *concord.Response) error {
	p := &pending{r: r, done: make(chan error, 1)}
	select {
	case b.in <- p:
	case <-b.stop:
		return errStopping
	case <-ctx.Done():
		return ctx.Err()
	}
	// Once queued, the response is written even if the caller goes away; the caller only
	// learns the outcome if it waits.
	select {
	case err := <-p.done:
		return err
	case <-ctx.Done():
		return ctx.Err()
	}
}

func (b *batcher) close() {
	select {
	case <-b.stop:
	default:
		close(b.stop)
	}
	<-b.stopped
}

func (b *batcher) run() {
	defer close(b.stopped)
	for {
		var first *pending
		select {
		case first = <-b.in:
		case <-b.stop:
			// Write what was queued before the stop, then refuse the rest.
			for {
				select {
				case p := <-b.in:
					b.write([]*pending{p})
				default:
					return
				}
			}
		}
		batch := []*pending{first}
		if b.maxWait > 0 {
			timer := time.NewTimer(b.maxWait)
		wait:
			for len(batch) < b.maxBatch {
				select {
				case p := <-b.in:
					batch = append(batch, p)
				case <-timer.C:
					break wait
				}
			}
			timer.Stop()
		}
	drain:
		for len(batch) < b.maxBatch {
			select {
			case p := <-b.in:
				batch = append(batch, p)
			default:
				break drain
			}
		}
		b.write(batch)
	}
}

// write commits a batch in one transaction. If the transaction fails, each response is
// retried alone so that one bad response cannot sink the others.
func (b *batcher) write(batch []*pending) {
	ctx := context.Background()
	tallies, err := b.s.commit(ctx, batch)
	if err != nil && len(batch) > 1 {
		for _, p := range batch {
			b.write([]*pending{p})
		}
		return
	}
	for _, p := range batch {
		p.done <- err
	}
	if err == nil {
		for _, t := range tallies {
			b.s.publish(ctx, t.proc, t.result, t.signed)
		}
	}
}

// committed is what one procedure's part of a batch changed, for the live update.
type committed struct {
	proc   *concord.Procedure
	result concord.Result
	signed []*concord.Response
}

// commit writes responses grouped by procedure: bump the revision first (it takes the row
// lock that orders writers across instances), insert the responses, then count.
func (s *Service) commit(ctx context.Context, batch []*pending) ([]committed, error) {
	groups := map[string][]*concord.Response{}
	var order []string
	for _, p := range batch {
		id := p.r.ProcedureID
		if _, ok := groups[id]; !ok {
			order = append(order, id)
		}
		groups[id] = append(groups[id], p.r)
	}
	// The procedures' static parts, read before the transaction so that it never waits for a
	// second connection.
	procs := map[string]*concord.Procedure{}
	for _, id := range order {
		c, err := s.cached(ctx, id)
		if err != nil {
			return nil, err
		}
		procs[id] = c.proc
	}
	now := s.clock.Now()
	var out []committed
	err := s.db.WithTx(ctx, func(tx *sqldb.Tx) error {
		out = out[:0]
		for _, id := range order {
			rs := groups[id]
			p := *procs[id]
			rev, err := tx.BumpRevision(id, len(rs))
			if concord.ErrorCode(err) == concord.ENOTFOUND {
				return errClosed // closed while the response waited in the queue
			} else if err != nil {
				return err
			}
			var signed []*concord.Response
			for i, r := range rs {
				r.Revision = rev - int64(len(rs)) + int64(i) + 1
				if r.Answer == concord.AnswerSign {
					signed = append(signed, r)
				}
			}
			if err := tx.InsertResponses(rs); err != nil {
				return err
			}
			hash, err := textHash(tx, &p)
			if err != nil {
				return err
			}
			counts, err := tx.ResponseCounts(id)
			if err != nil {
				return err
			}
			t := concord.Tally{Electorate: len(p.Electorate), Counts: map[concord.Answer]int{}}
			for _, ac := range counts {
				if ac.VersionHash != hash {
					t.Stale += ac.N
					continue
				}
				t.Responded += ac.N
				t.Counts[ac.Answer] += ac.N
			}
			p.Revision = rev
			out = append(out, committed{proc: &p, result: concord.DecideTally(p.Rule, t, !now.Before(p.Deadline)), signed: signed})
		}
		return nil
	})
	if errors.Is(err, context.Canceled) {
		err = errStopping
	}
	return out, err
}
