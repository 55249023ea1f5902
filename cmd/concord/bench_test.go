package main

import (
	"bytes"
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"concord/internal/bench"
	"concord/internal/sqldb/sqldbtest"
)

// TestBenchSmoke runs "concord bench" small (E=50, W=20) to prove the command completes with
// zero lost responses. It asserts no timings: those go to BENCHMARKS.md.
func TestBenchSmoke(t *testing.T) {
	bin := buildConcord(t)
	dbs := map[string]string{"sqlite": "sqlite"}
	if url := sqldbtest.PostgresURL(); url != "" {
		dbs["postgres"] = url
	}
	for name, db := range dbs {
		t.Run(name, func(t *testing.T) {
			ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
			defer cancel()
			var stdout, stderr bytes.Buffer
			err := run(ctx, []string{"bench", "--exe", bin, "--orgs", "50", "--watchers", "20", "--clients", "16", "--rounds", "1",
				"--db", db, "--out", "json"}, env(), strings.NewReader(""), &stdout, &stderr)
			if err != nil {
				t.Fatalf("bench: %v\n%s", err, stderr.String())
			}
			var rep bench.Report
			if err := json.Unmarshal(stdout.Bytes(), &rep); err != nil {
				t.Fatalf("bench --out json: %v\n%s", err, stdout.String())
			}
			if len(rep.Rounds) != 1 {
				t.Fatalf("%d rounds, want 1", len(rep.Rounds))
			}
			r := rep.Rounds[0]
			c := r.Concord
			if c.Acks.Acked != 50 || c.Acks.Failed != 0 || c.InDatabase != 50 || c.Lost != 0 {
				t.Errorf("concord: %d acknowledged, %d failed, %d in the database, %d lost; want 50, 0, 50, 0 (errors %v)",
					c.Acks.Acked, c.Acks.Failed, c.InDatabase, c.Lost, c.Acks.Errors)
			}
			if c.APIResponse != 50 {
				t.Errorf("GET procedure says responded=%d, want 50", c.APIResponse)
			}
			if c.Fanout.Connected != 20 || c.Fanout.Saw != 20 {
				t.Errorf("concord watchers: %d connected, %d saw the final tally; want 20, 20 (errors %v)", c.Fanout.Connected, c.Fanout.Saw, c.Fanout.Errors)
			}
			if b := r.BaselineInsert; b.Acked != 50 || b.Rows != 50 {
				t.Errorf("baseline insert: %d acknowledged, %d rows; want 50, 50 (errors %v)", b.Acked, b.Rows, b.Errors)
			}
			if b := r.BaselineSSE; b.Connected != 20 || b.Saw != 20 {
				t.Errorf("baseline SSE: %d connected, %d saw the event; want 20, 20", b.Connected, b.Saw)
			}
			if len(rep.Budgets) == 0 || !rep.Budgets[0].Met {
				t.Errorf("run not complete: %+v", rep.Budgets)
			}
		})
	}
}
