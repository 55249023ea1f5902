package bench

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"sort"
	"strings"
	"time"

	"concord"
	"concord/internal/sqldb"
)

// Config is one benchmark run.
type Config struct {
	Exe      string // the concord binary, started as server and helper processes
	Orgs     int    // E: member organizations, one response each
	Watchers int    // W: SSE connections held during the burst
	Clients  int    // C: concurrent keep-alive clients firing the burst
	Rounds   int    // the scenario and its baselines run this many times, interleaved
	Database string // "sqlite" (a fresh file) or a postgres:// URL (a fresh schema in it)
	// TokensUsed seeds API tokens as used a moment ago; by default they were never used, so
	// each response is its token's first use.
	TokensUsed bool
	// CPUProfile, when set, makes the Concord server of the last round write a CPU profile
	// of its whole run to this file.
	CPUProfile string
	Log        io.Writer // progress lines
}

// Report is everything a run measured, with the ratios and budgets of DESIGN.md §9.
type Report struct {
	Date       string `json:"date"`
	Go         string `json:"go"`
	Platform   string `json:"platform"`
	CPUs       int    `json:"cpus"`
	Database   string `json:"database"`
	Orgs       int    `json:"orgs"`
	Watchers   int    `json:"watchers"`
	Clients    int    `json:"clients"`
	TokensUsed bool   `json:"tokens_used"`
	OpenFiles  uint64 `json:"open_files_limit"`

	Rounds []*Round `json:"rounds"`
	// Median holds, for each measure, its median over the rounds (the ratios are medians of
	// the per-round ratios, each a same-moment comparison).
	Median  Summary  `json:"median"`
	Budgets []Budget `json:"budgets"`
}

// Round is one run of the scenario next to its baselines.
type Round struct {
	Concord              Scenario      `json:"concord"`
	BaselineInsert       *InsertResult `json:"baseline_insert"`                  // bare insert on the same database
	BaselineInsertSQLite *InsertResult `json:"baseline_insert_sqlite,omitempty"` // also on SQLite, when the run is on PostgreSQL
	BaselineSSE          *FanoutResult `json:"baseline_sse"`
	Ratios               Ratios        `json:"ratios"`
}

// Summary is the median of each measure over the rounds.
type Summary struct {
	AcksPerSecond         float64 `json:"acks_per_second"`
	AckP50Ms              float64 `json:"ack_p50_ms"`
	AckP99Ms              float64 `json:"ack_p99_ms"`
	BaselinePerSecond     float64 `json:"baseline_insert_per_second"`
	BaselineP99Ms         float64 `json:"baseline_insert_p99_ms"`
	FanoutP50Ms           float64 `json:"fanout_p50_ms"`
	FanoutP99Ms           float64 `json:"fanout_p99_ms"`
	FanoutMaxMs           float64 `json:"fanout_max_ms"`
	BaselineSSEP99Ms      float64 `json:"baseline_sse_p99_ms"`
	RSSPerWatcherKiB      float64 `json:"rss_per_watcher_kib"`
	BaselineRSSPerConnKiB float64 `json:"baseline_rss_per_conn_kib"`
	Ratios                Ratios  `json:"ratios"`
}

// Scenario is the Concord side of a round.
type Scenario struct {
	ProcedureID string        `json:"procedure_id"`
	Acks        *InsertResult `json:"acks"`
	Fanout      *FanoutResult `json:"fanout"`
	InDatabase  int           `json:"in_database"`   // current responses found after the burst
	Lost        int           `json:"lost"`          // acknowledged but not in the database
	APIResponse int           `json:"api_responded"` // "responded" of GET /api/v1/procedures/{id}, -1 when not read
}

// InsertResult measures a burst of durable writes.
type InsertResult struct {
	Store     string   `json:"store"`
	Requests  int      `json:"requests"`
	Acked     int      `json:"acked"`
	Failed    int      `json:"failed"`
	PerSecond float64  `json:"per_second"`
	P50Ms     float64  `json:"p50_ms"`
	P99Ms     float64  `json:"p99_ms"`
	MaxMs     float64  `json:"max_ms"`
	Rows      int      `json:"rows"`
	Errors    []string `json:"errors,omitempty"`
}

// FanoutResult measures one update reaching every watcher.
type FanoutResult struct {
	Connected     int      `json:"connected"`
	ConnectFailed int      `json:"connect_failed"`
	Saw           int      `json:"saw"`
	Missing       int      `json:"missing"`
	Early         int      `json:"early"`        // saw it before the reference time (counted as 0 ms)
	Events        int64    `json:"tally_events"` // tally events received by all watchers
	OtherEvents   int64    `json:"other_events"` // signatory, status and reset events received by all watchers
	DataBytes     int64    `json:"data_bytes"`   // event data received by all watchers
	P50Ms         float64  `json:"p50_ms"`
	P99Ms         float64  `json:"p99_ms"`
	MaxMs         float64  `json:"max_ms"`
	RSSBeforeKiB  int64    `json:"rss_before_kib"`
	RSSAfterKiB   int64    `json:"rss_after_kib"`
	RSSPerConnKiB float64  `json:"rss_per_watcher_kib"`
	Errors        []string `json:"errors,omitempty"`
}

// Ratios are Concord's results divided by their baselines'.
type Ratios struct {
	AcksPerSecond float64 `json:"acks_per_second"`
	AckP99        float64 `json:"ack_p99"`
	FanoutP99     float64 `json:"fanout_p99"`
	RSSPerWatcher float64 `json:"rss_per_watcher"`
}

// Budget is one line of DESIGN.md §9 and whether this run met it.
type Budget struct {
	Name  string `json:"name"`
	Value string `json:"value"`
	Limit string `json:"limit"`
	Met   bool   `json:"met"`
}

// Run runs the scenario and its baselines and returns the report. It fails only when the
// run could not complete; budgets missed are in the report.
func Run(ctx context.Context, cfg Config) (*Report, error) {
	if cfg.Log == nil {
		cfg.Log = io.Discard
	}
	if cfg.Rounds < 1 {
		cfg.Rounds = 1
	}
	if cfg.Orgs < 1 || cfg.Watchers < 0 || cfg.Clients < 1 {
		return nil, errors.New("bench: want --orgs ≥ 1, --watchers ≥ 0, --clients ≥ 1")
	}
	limit, err := RaiseOpenFiles()
	if err != nil {
		return nil, fmt.Errorf("raise open files limit: %w", err)
	}
	rep := &Report{Date: time.Now().UTC().Format(time.RFC3339), Go: runtime.Version(), Platform: runtime.GOOS + "/" + runtime.GOARCH,
		CPUs: runtime.NumCPU(), Orgs: cfg.Orgs, Watchers: cfg.Watchers, Clients: cfg.Clients, TokensUsed: cfg.TokensUsed, OpenFiles: limit}
	tmp, err := os.MkdirTemp("", "concord-bench-")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(tmp)

	logf := func(format string, args ...any) { fmt.Fprintf(cfg.Log, "bench: "+format+"\n", args...) }
	pg := strings.HasPrefix(cfg.Database, "postgres://") || strings.HasPrefix(cfg.Database, "postgresql://")
	var concordDB, baselineDB string
	dataDir := filepath.Join(tmp, "concord")
	if pg {
		rep.Database = "postgres"
		schemaURL, drop, err := freshSchema(ctx, cfg.Database)
		if err != nil {
			return nil, err
		}
		defer drop()
		concordDB, baselineDB = schemaURL, schemaURL
	} else {
		rep.Database = "sqlite"
		concordDB = "sqlite:" + filepath.Join(dataDir, "concord.db")
		baselineDB = "sqlite:" + filepath.Join(tmp, "baseline.db")
	}

	logf("seeding %d rounds × %d member organizations with a delegate and an API token each", cfg.Rounds, cfg.Orgs)
	db, err := sqldb.Open(ctx, concordDB)
	if err != nil {
		return nil, err
	}
	if err := db.Migrate(ctx); err != nil {
		db.Close()
		return nil, err
	}
	fixtures, err := SeedRounds(ctx, db, cfg.Orgs, cfg.Rounds, cfg.TokensUsed)
	db.Close()
	if err != nil {
		return nil, err
	}

	for r, fx := range fixtures {
		round := &Round{}
		rep.Rounds = append(rep.Rounds, round)
		// Baseline (a): bare group-commit inserts, same requests, same clients.
		logf("round %d/%d: bare group-commit insert on %s, %d requests from %d clients", r+1, cfg.Rounds, rep.Database, cfg.Orgs, cfg.Clients)
		if round.BaselineInsert, err = baselineInsert(ctx, cfg, rep.Database, baselineDB); err != nil {
			return nil, err
		}
		if pg {
			logf("round %d/%d: bare group-commit insert on sqlite (the reference of DESIGN.md §9)", r+1, cfg.Rounds)
			if round.BaselineInsertSQLite, err = baselineInsert(ctx, cfg, "sqlite", "sqlite:"+filepath.Join(tmp, "baseline.db")); err != nil {
				return nil, err
			}
		}
		// Baseline (b): a bare SSE fan-out of one event to W connections.
		logf("round %d/%d: bare SSE fan-out to %d watchers", r+1, cfg.Rounds, cfg.Watchers)
		if round.BaselineSSE, err = baselineSSE(ctx, cfg, int64(cfg.Orgs)); err != nil {
			return nil, err
		}
		// The scenario, on a fresh server process.
		logf("round %d/%d: concord: %d watchers connect, then %d responses from %d clients", r+1, cfg.Rounds, cfg.Watchers, cfg.Orgs, cfg.Clients)
		if err := scenario(ctx, cfg, &round.Concord, fx, concordDB, dataDir, pg); err != nil {
			return nil, err
		}
		round.Ratios = Ratios{AcksPerSecond: ratio(round.Concord.Acks.PerSecond, round.BaselineInsert.PerSecond),
			AckP99:        ratio(round.Concord.Acks.P99Ms, round.BaselineInsert.P99Ms),
			FanoutP99:     ratio(round.Concord.Fanout.P99Ms, round.BaselineSSE.P99Ms),
			RSSPerWatcher: ratio(round.Concord.Fanout.RSSPerConnKiB, round.BaselineSSE.RSSPerConnKiB)}
	}
	rep.judge()
	return rep, nil
}

// freshSchema creates a new schema in the PostgreSQL database at base and returns a URL
// whose search_path is it, and a function that drops it.
func freshSchema(ctx context.Context, base string) (string, func(), error) {
	schema := "bench_" + concord.NewSecret(6)
	admin, err := sql.Open("pgx", base)
	if err != nil {
		return "", nil, err
	}
	if _, err := admin.ExecContext(ctx, `CREATE SCHEMA `+schema); err != nil {
		admin.Close()
		return "", nil, fmt.Errorf("create schema: %w", err)
	}
	u, err := url.Parse(base)
	if err != nil {
		admin.Close()
		return "", nil, err
	}
	q := u.Query()
	q.Set("search_path", schema)
	u.RawQuery = q.Encode()
	drop := func() {
		_, _ = admin.ExecContext(context.Background(), `DROP SCHEMA `+schema+` CASCADE`)
		admin.Close()
	}
	return u.String(), drop, nil
}

func responseBody(orgID string) []byte {
	b, _ := json.Marshal(map[string]string{"organization_id": orgID, "answer": "sign", "version_hash": "", "language": "en"})
	return b
}

func baselineInsert(ctx context.Context, cfg Config, store, dbURL string) (*InsertResult, error) {
	srv, err := StartChild("baseline insert server", cfg.Exe, "bench-helper", "insert-server", "--database", dbURL)
	if err != nil {
		return nil, err
	}
	defer srv.Stop(10 * time.Second)
	base, err := srv.Expect("listening ", 30*time.Second)
	if err != nil {
		return nil, err
	}
	reqs := make([]Request, cfg.Orgs)
	for i := range reqs {
		// Same size as Concord's requests: an ID and a token of the same length.
		reqs[i] = Request{Path: "/insert", Token: "cc_" + concord.NewSecret(32), Body: responseBody(concord.NewID(time.Now()))}
	}
	b := Burst(ctx, base, reqs, cfg.Clients, http.StatusCreated, nil)
	r := insertResult(store, b)
	if _, body, err := get(ctx, base+"/count"); err == nil {
		fmt.Sscan(string(body), &r.Rows)
	}
	return r, nil
}

func insertResult(store string, b *BurstResult) *InsertResult {
	return &InsertResult{Store: store, Requests: len(b.Acked), Acked: b.AckedN, Failed: b.Failed, PerSecond: b.PerSecond,
		P50Ms: ms(b.P50), P99Ms: ms(b.P99), MaxMs: ms(b.MaxLatency), Errors: b.Errors}
}

func ms(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }

func baselineSSE(ctx context.Context, cfg Config, revision int64) (*FanoutResult, error) {
	srv, err := StartChild("baseline SSE server", cfg.Exe, "bench-helper", "sse-server")
	if err != nil {
		return nil, err
	}
	defer srv.Stop(10 * time.Second)
	base, err := srv.Expect("listening ", 30*time.Second)
	if err != nil {
		return nil, err
	}
	f := &FanoutResult{}
	var fired int64
	err = withWatchers(ctx, cfg, srv.PID(), base+"/events", revision, f, func() (int64, error) {
		fired = time.Now().UnixNano()
		req, _ := http.NewRequestWithContext(ctx, http.MethodPost, base+"/fire?revision="+fmt.Sprint(revision), nil)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			return 0, err
		}
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		return fired, nil
	})
	return f, err
}

// withWatchers measures the server's RSS, connects the watcher process, measures again,
// calls fire (which returns the reference time, Unix nanoseconds) and collects when each
// watcher saw the wanted revision.
func withWatchers(ctx context.Context, cfg Config, serverPID int, streamURL string, revision int64, f *FanoutResult, fire func() (int64, error)) error {
	time.Sleep(500 * time.Millisecond)
	var err error
	if f.RSSBeforeKiB, err = RSSKiB(serverPID); err != nil {
		return err
	}
	w, err := StartChild("watchers", cfg.Exe, "bench-helper", "watch", "--url", streamURL, "--n", fmt.Sprint(cfg.Watchers),
		"--revision", fmt.Sprint(revision))
	if err != nil {
		return err
	}
	defer w.Stop(10 * time.Second)
	line, err := w.Expect("ready ", 5*time.Minute)
	if err != nil {
		return err
	}
	var ready WatchReady
	if err := json.Unmarshal([]byte(line), &ready); err != nil {
		return fmt.Errorf("watchers: %w", err)
	}
	f.Connected, f.ConnectFailed, f.Errors = ready.Connected, ready.Failed, ready.Errors
	time.Sleep(time.Second) // let the server settle after accepting every connection
	if f.RSSAfterKiB, err = RSSKiB(serverPID); err != nil {
		return err
	}
	if f.Connected > 0 {
		f.RSSPerConnKiB = float64(f.RSSAfterKiB-f.RSSBeforeKiB) / float64(f.Connected)
	}
	ref, err := fire()
	if err != nil {
		return err
	}
	giveUp := time.AfterFunc(60*time.Second, func() { _ = w.Say("stop") })
	defer giveUp.Stop()
	line, err = w.Expect("result ", 5*time.Minute)
	if err != nil {
		return err
	}
	var res WatchResult
	if err := json.Unmarshal([]byte(line), &res); err != nil {
		return fmt.Errorf("watchers: %w", err)
	}
	f.Saw, f.Missing, f.Events, f.OtherEvents, f.DataBytes = len(res.Seen), res.Missing, res.Events, res.Others, res.Bytes
	lat := make([]time.Duration, len(res.Seen))
	for i, t := range res.Seen {
		if d := time.Duration(t - ref); d > 0 {
			lat[i] = d
		} else {
			f.Early++
		}
	}
	p50, p99, mx := Percentiles(lat)
	f.P50Ms, f.P99Ms, f.MaxMs = ms(p50), ms(p99), ms(mx)
	return nil
}

func scenario(ctx context.Context, cfg Config, sc *Scenario, fx *Fixture, dbURL, dataDir string, pg bool) error {
	sc.ProcedureID, sc.APIResponse = fx.ProcedureID, -1
	args := []string{"serve", "--addr", "127.0.0.1:0", "--data", dataDir, "--log-level", "warn", "--apertium", "off"}
	if pg {
		args = append(args, "--database", dbURL)
	}
	if cfg.CPUProfile != "" {
		args = append(args, "--cpuprofile", cfg.CPUProfile)
	}
	srv, err := StartChild("concord server", cfg.Exe, args...)
	if err != nil {
		return err
	}
	defer srv.Stop(30 * time.Second)
	base, err := srv.Expect("Concord is running at ", time.Minute)
	if err != nil {
		return err
	}
	if err := waitHTTP(ctx, base+"/readyz", time.Minute); err != nil {
		return err
	}
	procURL := base + "/api/v1/procedures/" + fx.ProcedureID
	if status, body, err := get(ctx, procURL); err != nil || status != http.StatusOK {
		return fmt.Errorf("GET %s: %d %v %s (is the procedures API wired in serve?)", procURL, status, err, clip(body))
	}
	reqs := make([]Request, len(fx.Members))
	for i, m := range fx.Members {
		reqs[i] = Request{Path: "/api/v1/procedures/" + fx.ProcedureID + "/responses", Token: m.Token, Body: responseBody(m.OrgID)}
	}
	sc.Fanout = &FanoutResult{}
	var burst *BurstResult
	err = withWatchers(ctx, cfg, srv.PID(), procURL+"/events", int64(len(reqs)), sc.Fanout, func() (int64, error) {
		burst = Burst(ctx, base, reqs, cfg.Clients, http.StatusCreated, nil)
		if burst.AckedN == 0 {
			return 0, fmt.Errorf("no response was acknowledged: %s", strings.Join(burst.Errors, "; "))
		}
		return burst.LastAckNS, nil
	})
	if err != nil {
		return err
	}
	sc.Acks = insertResult("concord", burst)

	// Count check: every acknowledged response is a current response in the database.
	db, err := sqldb.Open(ctx, dbURL)
	if err != nil {
		return err
	}
	present, err := CurrentResponders(ctx, db, fx.ProcedureID)
	db.Close()
	if err != nil {
		return err
	}
	sc.InDatabase = len(present)
	sc.Acks.Rows = len(present)
	for i, acked := range burst.Acked {
		if acked && !present[fx.Members[i].OrgID] {
			sc.Lost++
		}
	}
	if status, body, err := get(ctx, procURL); err == nil && status == http.StatusOK {
		if n, ok := FindNumber(body, "responded"); ok {
			sc.APIResponse = int(n)
		}
	}
	return nil
}

// FindNumber returns the number under key in a JSON document's objects, shallowest first;
// arrays (lists of items) are not searched.
func FindNumber(doc []byte, key string) (float64, bool) {
	var v any
	if json.Unmarshal(doc, &v) != nil {
		return 0, false
	}
	// Breadth first, children in key order: the shallowest match wins, the same every time
	// (Go's map order is random).
	queue := []any{v}
	for len(queue) > 0 {
		cur := queue[0]
		queue = queue[1:]
		switch x := cur.(type) {
		case map[string]any:
			if n, ok := x[key].(float64); ok {
				return n, true
			}
			keys := make([]string, 0, len(x))
			for k := range x {
				keys = append(keys, k)
			}
			slices.Sort(keys)
			for _, k := range keys {
				queue = append(queue, x[k])
			}
		}
	}
	return 0, false
}

func clip(b []byte) string {
	s := strings.TrimSpace(string(b))
	if len(s) > 300 {
		s = s[:300] + "…"
	}
	return s
}

// judge computes the medians and checks the budgets of DESIGN.md §9.
func (r *Report) judge() {
	med := func(f func(*Round) float64) float64 {
		v := make([]float64, len(r.Rounds))
		for i, x := range r.Rounds {
			v[i] = f(x)
		}
		return median(v)
	}
	r.Median = Summary{
		AcksPerSecond:         med(func(x *Round) float64 { return x.Concord.Acks.PerSecond }),
		AckP50Ms:              med(func(x *Round) float64 { return x.Concord.Acks.P50Ms }),
		AckP99Ms:              med(func(x *Round) float64 { return x.Concord.Acks.P99Ms }),
		BaselinePerSecond:     med(func(x *Round) float64 { return x.BaselineInsert.PerSecond }),
		BaselineP99Ms:         med(func(x *Round) float64 { return x.BaselineInsert.P99Ms }),
		FanoutP50Ms:           med(func(x *Round) float64 { return x.Concord.Fanout.P50Ms }),
		FanoutP99Ms:           med(func(x *Round) float64 { return x.Concord.Fanout.P99Ms }),
		FanoutMaxMs:           med(func(x *Round) float64 { return x.Concord.Fanout.MaxMs }),
		BaselineSSEP99Ms:      med(func(x *Round) float64 { return x.BaselineSSE.P99Ms }),
		RSSPerWatcherKiB:      med(func(x *Round) float64 { return x.Concord.Fanout.RSSPerConnKiB }),
		BaselineRSSPerConnKiB: med(func(x *Round) float64 { return x.BaselineSSE.RSSPerConnKiB }),
		Ratios: Ratios{
			AcksPerSecond: med(func(x *Round) float64 { return x.Ratios.AcksPerSecond }),
			AckP99:        med(func(x *Round) float64 { return x.Ratios.AckP99 }),
			FanoutP99:     med(func(x *Round) float64 { return x.Ratios.FanoutP99 }),
			RSSPerWatcher: med(func(x *Round) float64 { return x.Ratios.RSSPerWatcher }),
		},
	}
	acked, saw, lost := 0, 0, 0
	for _, x := range r.Rounds {
		acked += x.Concord.Acks.Acked
		saw += x.Concord.Fanout.Saw
		lost += x.Concord.Lost
	}
	n := len(r.Rounds)
	m := r.Median
	complete := acked == n*r.Orgs && saw == n*r.Watchers && lost == 0
	r.Budgets = []Budget{
		{Name: "complete, zero lost", Value: fmt.Sprintf("%d/%d acked, %d/%d saw the final tally, %d lost", acked, n*r.Orgs, saw, n*r.Watchers, lost),
			Limit: "all, 0 lost", Met: complete},
		{Name: "durable acks/s vs bare insert", Value: fmt.Sprintf("%.2f×", m.Ratios.AcksPerSecond), Limit: "≥ 0.30×", Met: m.Ratios.AcksPerSecond >= 0.30},
		{Name: fmt.Sprintf("ack p99 at %d clients", r.Clients), Value: fmt.Sprintf("%.1f ms", m.AckP99Ms), Limit: "< 50 ms", Met: m.AckP99Ms < 50},
		// DESIGN.md states the p99 budget in milliseconds on a machine where the bare insert's
		// p99 was about 20 ms; on a slower or busier machine the baseline itself can miss
		// 50 ms, so the same budget is also judged as a ratio to the same run's baseline.
		{Name: "ack p99 vs bare insert p99", Value: fmt.Sprintf("%.2f× (bare %.1f ms)", m.Ratios.AckP99, m.BaselineP99Ms), Limit: "≤ 2.5×",
			Met: m.Ratios.AckP99 > 0 && m.Ratios.AckP99 <= 2.5},
		{Name: "fan-out p99 vs bare SSE", Value: fmt.Sprintf("%.2f×", m.Ratios.FanoutP99), Limit: "≤ 2.5×", Met: m.Ratios.FanoutP99 > 0 && m.Ratios.FanoutP99 <= 2.5},
		{Name: "RSS per idle watcher", Value: fmt.Sprintf("%.1f KiB", m.RSSPerWatcherKiB), Limit: "≤ 40 KiB", Met: m.RSSPerWatcherKiB <= 40},
	}
}

func median(v []float64) float64 {
	if len(v) == 0 {
		return 0
	}
	s := append([]float64(nil), v...)
	sort.Float64s(s)
	if len(s)%2 == 1 {
		return s[len(s)/2]
	}
	return (s[len(s)/2-1] + s[len(s)/2]) / 2
}

// Complete reports whether every response was acknowledged and stored, and every watcher
// saw the final tally, in every round.
func (r *Report) Complete() bool { return len(r.Budgets) > 0 && r.Budgets[0].Met }

// WriteText prints the report for people.
func (r *Report) WriteText(w io.Writer) {
	fmt.Fprintf(w, "Concord bench  %s  %s %s, %d CPUs, database %s, open files %d\n", r.Date, r.Go, r.Platform, r.CPUs, r.Database, r.OpenFiles)
	tokens := "first use of each token"
	if r.TokensUsed {
		tokens = "tokens used a moment before"
	}
	fmt.Fprintf(w, "E=%d organizations respond (bearer token, %s; durable) while W=%d watchers hold SSE streams; C=%d clients; %d round(s)\n",
		r.Orgs, tokens, r.Watchers, r.Clients, len(r.Rounds))

	fmt.Fprintf(w, "\nDurable acknowledgements: concord (POST …/responses) vs bare group-commit insert on %s\n", r.Database)
	fmt.Fprintf(w, "  %-6s %9s %9s %7s │ %8s %8s %8s │ %8s %8s │ %6s %6s %6s %5s\n",
		"round", "concord/s", "bare/s", "ratio", "p50 ms", "p99 ms", "max ms", "bare p50", "bare p99", "acked", "failed", "in db", "lost")
	for i, x := range r.Rounds {
		c, b := x.Concord.Acks, x.BaselineInsert
		fmt.Fprintf(w, "  %-6d %9.0f %9.0f %6.2f× │ %8.1f %8.1f %8.1f │ %8.1f %8.1f │ %6d %6d %6d %5d\n",
			i+1, c.PerSecond, b.PerSecond, x.Ratios.AcksPerSecond, c.P50Ms, c.P99Ms, c.MaxMs, b.P50Ms, b.P99Ms, c.Acked, c.Failed, x.Concord.InDatabase, x.Concord.Lost)
	}
	m := r.Median
	fmt.Fprintf(w, "  %-6s %9.0f %9.0f %6.2f× │ %8.1f %8.1f %8s │ %8s %8.1f │\n", "median", m.AcksPerSecond, m.BaselinePerSecond, m.Ratios.AcksPerSecond,
		m.AckP50Ms, m.AckP99Ms, "", "", m.BaselineP99Ms)
	for i, x := range r.Rounds {
		if s := x.BaselineInsertSQLite; s != nil {
			fmt.Fprintf(w, "  round %d: bare insert on sqlite %.0f/s, p99 %.1f ms (concord on %s = %.2f× of it)\n", i+1, s.PerSecond, s.P99Ms,
				r.Database, ratio(x.Concord.Acks.PerSecond, s.PerSecond))
		}
		for _, e := range x.Concord.Acks.Errors {
			fmt.Fprintf(w, "  round %d error: %s\n", i+1, e)
		}
		if x.Concord.APIResponse >= 0 && x.Concord.APIResponse != x.Concord.InDatabase {
			fmt.Fprintf(w, "  round %d: GET procedure says responded=%d\n", i+1, x.Concord.APIResponse)
		}
	}

	fmt.Fprintf(w, "\nLive fan-out of the final tally: concord (from the last ack) vs bare net/http SSE (from the trigger)\n")
	fmt.Fprintf(w, "  %-6s %8s %8s %8s │ %8s %8s %8s │ %7s │ %11s │ %9s %9s │ %15s\n",
		"round", "p50 ms", "p99 ms", "max ms", "bare p50", "bare p99", "bare max", "p99 ×", "saw/conn", "KiB/watch", "bare KiB", "events, KB/watch")
	for i, x := range r.Rounds {
		c, b := x.Concord.Fanout, x.BaselineSSE
		perWatcher := max(c.Connected, 1)
		fmt.Fprintf(w, "  %-6d %8.1f %8.1f %8.1f │ %8.1f %8.1f %8.1f │ %6.2f× │ %5d/%-5d │ %9.1f %9.1f │ %6.1f %8.1f\n",
			i+1, c.P50Ms, c.P99Ms, c.MaxMs, b.P50Ms, b.P99Ms, b.MaxMs, x.Ratios.FanoutP99, c.Saw, c.Connected, c.RSSPerConnKiB, b.RSSPerConnKiB,
			float64(c.Events+c.OtherEvents)/float64(perWatcher), float64(c.DataBytes)/1000/float64(perWatcher))
		for _, e := range c.Errors {
			fmt.Fprintf(w, "  round %d watcher error: %s\n", i+1, e)
		}
	}
	fmt.Fprintf(w, "  %-6s %8.1f %8.1f %8.1f │ %8s %8.1f %8s │ %6.2f× │ %11s │ %9.1f %9.1f │\n", "median", m.FanoutP50Ms, m.FanoutP99Ms, m.FanoutMaxMs,
		"", m.BaselineSSEP99Ms, "", m.Ratios.FanoutP99, "", m.RSSPerWatcherKiB, m.BaselineRSSPerConnKiB)
	fmt.Fprintf(w, "  (RSS: server VmRSS with the watchers connected minus before, per watcher; events, KB: what each concord watcher received during the burst)\n")

	met := 0
	fmt.Fprintf(w, "\nBudgets (DESIGN.md §9, medians over rounds)\n")
	for _, b := range r.Budgets {
		mark := "MISSED"
		if b.Met {
			mark, met = "met", met+1
		}
		fmt.Fprintf(w, "  %-30s %-50s %-12s %s\n", b.Name, b.Value, b.Limit, mark)
	}
	fmt.Fprintf(w, "%d of %d budgets met\n", met, len(r.Budgets))
}

func ratio(a, b float64) float64 {
	if b == 0 {
		return 0
	}
	return a / b
}
