package bench

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"testing"
	"time"

	"concord/internal/sqldb/sqldbtest"
)

func TestPercentiles(t *testing.T) {
	t.Parallel()
	var ds []time.Duration
	for i := 100; i >= 1; i-- {
		ds = append(ds, time.Duration(i)*time.Millisecond)
	}
	p50, p99, mx := Percentiles(ds)
	if p50 != 50*time.Millisecond || p99 != 99*time.Millisecond || mx != 100*time.Millisecond {
		t.Errorf("Percentiles(1..100 ms) = %v, %v, %v; want 50ms, 99ms, 100ms", p50, p99, mx)
	}
	if p50, p99, mx := Percentiles(nil); p50 != 0 || p99 != 0 || mx != 0 {
		t.Errorf("Percentiles(nil) = %v, %v, %v", p50, p99, mx)
	}
	if got := median([]float64{3, 1, 2}); got != 2 {
		t.Errorf("median(3,1,2) = %v", got)
	}
	if got := median([]float64{4, 1, 2, 3}); got != 2.5 {
		t.Errorf("median(4,1,2,3) = %v", got)
	}
}

func TestRevisionOf(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		data string
		want int64
		ok   bool
	}{
		{`{"revision":2000,"responded":2000}`, 2000, true},
		{`{"outcome":"pending","revision": 7}`, 7, true},
		{`{"responded":3}`, 0, false},
		{`{"revision":"x"}`, 0, false},
	} {
		got, ok := revisionOf([]byte(tc.data))
		if got != tc.want || ok != tc.ok {
			t.Errorf("revisionOf(%s) = %d, %v; want %d, %v", tc.data, got, ok, tc.want, tc.ok)
		}
	}
}

func TestFindNumber(t *testing.T) {
	t.Parallel()
	doc := []byte(`{"id":"p","result":{"outcome":"pending","tally":{"electorate":9,"responded":4}},"list":[{"responded":1}]}`)
	if n, ok := FindNumber(doc, "responded"); !ok || n != 4 {
		t.Errorf("FindNumber(responded) = %v, %v; want 4, true", n, ok)
	}
	if _, ok := FindNumber(doc, "missing"); ok {
		t.Error("FindNumber found a key that is not there")
	}
	if _, ok := FindNumber([]byte("not json"), "responded"); ok {
		t.Error("FindNumber found a number in invalid JSON")
	}
}

// TestSSEFanout connects watchers to the bare SSE baseline and checks that every one of them
// sees the fired event, and that the ones watching for a later revision do not.
func TestSSEFanout(t *testing.T) {
	t.Parallel()
	srv := httptest.NewServer(NewSSEServer())
	defer srv.Close()
	ctx := context.Background()
	w, ready, err := Connect(ctx, srv.URL+"/events", 30, 8, 5)
	if err != nil {
		t.Fatal(err)
	}
	defer w.Result() // closes the connections, so that srv.Close does not wait for them
	if ready.Connected != 30 || ready.Failed != 0 {
		t.Fatalf("connected %d, failed %d (%v)", ready.Connected, ready.Failed, ready.Errors)
	}
	fire := func(rev int) {
		resp, err := http.Post(fmt.Sprintf("%s/fire?revision=%d", srv.URL, rev), "", nil)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
	}
	fire(4) // below the wanted revision: nobody counts it as seen
	fire(5)
	select {
	case <-w.All():
	case <-time.After(30 * time.Second):
		t.Fatal("not every watcher saw revision 5 within 30s")
	}
	res := w.Result()
	if len(res.Seen) != 30 || res.Missing != 0 {
		t.Errorf("seen %d, missing %d; want 30, 0", len(res.Seen), res.Missing)
	}
	if res.Events < 30 {
		t.Errorf("%d tally events received, want at least 30", res.Events)
	}
}

// TestInsertBaseline fires a burst at the bare insert baseline and checks that every
// acknowledged row is stored, on SQLite and (when configured) PostgreSQL.
func TestInsertBaseline(t *testing.T) {
	t.Parallel()
	urls := map[string]string{"sqlite": "sqlite:" + filepath.Join(t.TempDir(), "baseline.db")}
	if sqldbtest.PostgresURL() != "" {
		urls["postgres"] = sqldbtest.PostgresSchemaURL(t)
	}
	for name, u := range urls {
		t.Run(name, func(t *testing.T) {
			ctx := context.Background()
			s, err := OpenInsertServer(ctx, u)
			if err != nil {
				t.Fatal(err)
			}
			defer s.Close()
			srv := httptest.NewServer(s)
			defer srv.Close()
			reqs := make([]Request, 200)
			for i := range reqs {
				reqs[i] = Request{Path: "/insert", Body: responseBody(fmt.Sprintf("org-%d", i))}
			}
			b := Burst(ctx, srv.URL, reqs, 16, http.StatusCreated, nil)
			if b.AckedN != 200 || b.Failed != 0 {
				t.Fatalf("acked %d, failed %d: %v", b.AckedN, b.Failed, b.Errors)
			}
			status, body, err := get(ctx, srv.URL+"/count")
			if err != nil || status != http.StatusOK || string(body) != "200" {
				t.Errorf("count: %d %q %v; want 200", status, body, err)
			}
			if b.PerSecond <= 0 || b.P99 < b.P50 {
				t.Errorf("implausible measures: %.0f/s, p50 %v, p99 %v", b.PerSecond, b.P50, b.P99)
			}
		})
	}
}
