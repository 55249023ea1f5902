package main

import (
	"context"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"concord/internal/bench"
	"concord/internal/sqldb"
	"concord/internal/sqldb/sqldbtest"
)

// buildConcord compiles the concord command into a temporary directory, for tests that
// need it as a separate process (to kill it, or to count its memory and open files apart).
func buildConcord(t *testing.T) string {
	t.Helper()
	goCmd, err := exec.LookPath("go")
	if err != nil {
		goCmd = filepath.Join(os.Getenv("GOROOT"), "bin", "go")
	}
	bin := filepath.Join(t.TempDir(), "concord")
	cmd := exec.Command(goCmd, "build", "-o", bin, ".")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	return bin
}

// startConcord runs "concord serve" on a free loopback port as a child process and returns
// it with its base URL once it answers /readyz.
func startConcord(t *testing.T, bin, dataDir, databaseURL string) (*bench.Child, string) {
	t.Helper()
	args := []string{"serve", "--addr", "127.0.0.1:0", "--data", dataDir, "--log-level", "warn", "--apertium", "off"}
	if databaseURL != "" {
		args = append(args, "--database", databaseURL)
	}
	srv, err := bench.StartChild("concord serve", bin, args...)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { srv.Stop(30 * time.Second) })
	base, err := srv.Expect("Concord is running at ", 2*time.Minute)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	for {
		resp, err := http.Get(base + "/readyz")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return srv, base
			}
		}
		select {
		case <-ctx.Done():
			t.Fatalf("%s/readyz did not answer 200 within a minute: %s", base, srv.Stderr())
		case <-time.After(50 * time.Millisecond):
		}
	}
}

// TestCrashSafety kills the server with SIGKILL in the middle of a burst of responses,
// restarts it on the same data, and checks that every response whose 201 acknowledgement
// arrived is stored and counted. It asserts no timings.
func TestCrashSafety(t *testing.T) {
	bin := buildConcord(t)
	t.Run("sqlite", func(t *testing.T) {
		t.Parallel()
		dir := t.TempDir()
		crashDuringBurst(t, bin, dir, "sqlite:"+filepath.Join(dir, "concord.db"), "")
	})
	if sqldbtest.PostgresURL() != "" {
		t.Run("postgres", func(t *testing.T) {
			t.Parallel()
			url := sqldbtest.PostgresSchemaURL(t)
			crashDuringBurst(t, bin, t.TempDir(), url, url)
		})
	}
}

func crashDuringBurst(t *testing.T, bin, dataDir, dbURL, serveDatabase string) {
	const orgs, clients = 600, 64
	ctx := context.Background()
	db, err := sqldb.Open(ctx, dbURL)
	if err != nil {
		t.Fatal(err)
	}
	if err := db.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	fx, err := bench.Seed(ctx, db, orgs)
	db.Close()
	if err != nil {
		t.Fatal(err)
	}
	path := "/api/v1/procedures/" + fx.ProcedureID + "/responses"
	reqs := make([]bench.Request, orgs)
	for i, m := range fx.Members {
		reqs[i] = bench.Request{Path: path, Token: m.Token,
			Body: fmt.Appendf(nil, `{"organization_id": %q, "answer": "sign", "version_hash": "", "language": "en"}`, m.OrgID)}
	}

	srv, base := startConcord(t, bin, dataDir, serveDatabase)
	burstCtx, stopBurst := context.WithCancel(ctx)
	defer stopBurst()
	var (
		mu     sync.Mutex
		acked  int
		killed bool
	)
	burst := bench.Burst(burstCtx, base, reqs, clients, http.StatusCreated, func(int) {
		mu.Lock()
		acked++
		kill := !killed && acked >= orgs*3/10
		killed = killed || kill
		mu.Unlock()
		if kill {
			srv.Kill() // SIGKILL while the other clients' requests are in flight
			stopBurst()
		}
	})
	if !killed {
		t.Fatalf("the server was never killed: %d of %d acknowledged; errors: %v; server: %s", burst.AckedN, orgs, burst.Errors, srv.Stderr())
	}
	if burst.AckedN == orgs {
		t.Fatalf("every response was acknowledged before the kill took effect; nothing was in flight")
	}
	t.Logf("acknowledged before the kill: %d of %d (%d requests failed as the server died)", burst.AckedN, orgs, burst.Failed)

	// Restart on the same data: every acknowledged response must be there and counted.
	_, base = startConcord(t, bin, dataDir, serveDatabase)
	status, body := get(t, base+"/api/v1/procedures/"+fx.ProcedureID, "")
	if status != http.StatusOK {
		t.Fatalf("GET procedure after restart: %d %s", status, body)
	}
	responded, ok := bench.FindNumber([]byte(body), "responded")
	if !ok {
		t.Fatalf("GET procedure after restart has no \"responded\" count: %s", body)
	}
	if int(responded) < burst.AckedN {
		t.Errorf("after restart the procedure counts %v responses, but %d were acknowledged before the kill", responded, burst.AckedN)
	}
	db, err = sqldb.Open(ctx, dbURL)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	present, err := bench.CurrentResponders(ctx, db, fx.ProcedureID)
	if err != nil {
		t.Fatal(err)
	}
	lost := 0
	for i, a := range burst.Acked {
		if a && !present[fx.Members[i].OrgID] {
			lost++
			if lost <= 5 {
				t.Errorf("organization %s got 201 before the kill but has no current response after the restart", fx.Members[i].OrgID)
			}
		}
	}
	if lost > 0 {
		t.Fatalf("%d acknowledged responses lost across SIGKILL", lost)
	}
	t.Logf("after restart: %d current responses stored (≥ %d acknowledged), API counts %v", len(present), burst.AckedN, responded)

	// The restarted server takes the rest: every organization not acknowledged answers again.
	var rest []bench.Request
	for i, a := range burst.Acked {
		if !a {
			rest = append(rest, reqs[i])
		}
	}
	again := bench.Burst(ctx, base, rest, clients, http.StatusCreated, nil)
	if again.AckedN != len(rest) {
		t.Fatalf("after restart %d of %d responses acknowledged: %v", again.AckedN, len(rest), again.Errors)
	}
	present, err = bench.CurrentResponders(ctx, db, fx.ProcedureID)
	if err != nil {
		t.Fatal(err)
	}
	if len(present) != orgs {
		t.Errorf("after the second burst %d organizations have a current response, want %d", len(present), orgs)
	}
}
