package live

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/prometheus/client_golang/prometheus"

	"concord/internal/httpx"
)

// MustSSEServer serves hub at /live/{topic...} behind the real httpx middleware (whose
// writer wrapper reaches the connection through Unwrap), on a server with short read and
// write timeouts that the stream must outlive.
func MustSSEServer(tb testing.TB, h *Hub) *httptest.Server {
	tb.Helper()
	mux := http.NewServeMux()
	mux.HandleFunc("GET /live/{topic...}", func(w http.ResponseWriter, r *http.Request) {
		h.ServeSSE(w, r, r.PathValue("topic"))
	})
	log := slog.New(slog.DiscardHandler)
	srv := httptest.NewUnstartedServer(httpx.Observe(log, httpx.NewMetrics(prometheus.NewRegistry()), mux))
	srv.Config.ReadTimeout = 250 * time.Millisecond
	srv.Config.WriteTimeout = 250 * time.Millisecond
	srv.Start()
	tb.Cleanup(srv.Close)
	return srv
}

// stream is one client connection reading events.
type stream struct {
	resp   *http.Response
	events chan Event
	done   chan error
}

// MustStream opens an event stream at url with the given headers.
func MustStream(tb testing.TB, url string, header http.Header) *stream {
	tb.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		tb.Fatal(err)
	}
	for k, v := range header {
		req.Header[k] = v
	}
	req.Header.Set("Accept", "text/event-stream")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		cancel()
		tb.Fatal(err)
	}
	s := &stream{resp: resp, events: make(chan Event, 100), done: make(chan error, 1)}
	go func() {
		s.done <- ReadEvents(resp.Body, func(e Event) error { s.events <- e; return nil })
		close(s.events)
	}()
	tb.Cleanup(func() { cancel(); resp.Body.Close() })
	return s
}

// next returns the next n events as "name:id" (the reset with the ID the client then holds).
func (s *stream) next(tb testing.TB, n int) []string {
	tb.Helper()
	var out []string
	for range n {
		select {
		case e, ok := <-s.events:
			if !ok {
				tb.Fatalf("stream ended after %v: %v", out, <-s.done)
			}
			out = append(out, fmt.Sprintf("%s:%d", e.Name, e.ID))
		case <-time.After(time.Minute): // a hang, not a speed limit
			tb.Fatalf("no event after %v", out)
		}
	}
	return out
}

func TestServeSSE(t *testing.T) {
	t.Parallel()
	h := MustHub(t, Options{Buffer: 4})
	srv := MustSSEServer(t, h)
	MustPublish(t, h, "procedure/1", "tally:1", "signatory:1", "tally:2", "signatory:2", "tally:3", "signatory:3", "tally:4")
	// The ring holds signatory:2 … tally:4; tally:2 left it, so resuming needs an ID ≥ 2.

	tests := []struct {
		name   string
		query  string
		header http.Header
		want   []string
	}{
		{name: "fresh", want: []string{"signatory:3", "tally:4"}},
		{name: "zero is fresh", header: http.Header{"Last-Event-Id": {"0"}}, want: []string{"signatory:3", "tally:4"}},
		{name: "Last-Event-ID header", header: http.Header{"Last-Event-Id": {"3"}}, want: []string{"tally:4"}},
		{name: "query parameter", query: "?last_event_id=2", want: []string{"tally:3", "signatory:3", "tally:4"}},
		{name: "header wins over query", query: "?last_event_id=2", header: http.Header{"Last-Event-Id": {"3"}}, want: []string{"tally:4"}},
		{name: "gap", header: http.Header{"Last-Event-Id": {"1"}}, want: []string{"signatory:3", "tally:4", "reset:4"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			s := MustStream(t, srv.URL+"/live/procedure/1"+tt.query, tt.header)
			for k, want := range map[string]string{"Content-Type": "text/event-stream", "Cache-Control": "no-cache", "X-Accel-Buffering": "no"} {
				if got := s.resp.Header.Get(k); got != want {
					t.Errorf("%s = %q, want %q", k, got, want)
				}
			}
			if diff := cmp.Diff(tt.want, s.next(t, len(tt.want))); diff != "" {
				t.Errorf("events (-want +got):\n%s", diff)
			}
		})
	}
}

// TestServeSSELive: events reach a connected client in order, also after the server's read
// and write timeouts passed; a resume after a lost gap gets the state and a reset; the hub's
// Close ends the stream; a client that goes is unsubscribed.
func TestServeSSELive(t *testing.T) {
	t.Parallel()
	h, err := NewHub(Options{Buffer: 4})
	if err != nil {
		t.Fatal(err)
	}
	defer h.Close()
	srv := MustSSEServer(t, h)
	url := srv.URL + "/live/procedure/2"
	s := MustStream(t, url, nil)
	MustPublish(t, h, "procedure/2", "tally:1", "signatory:1")
	if diff := cmp.Diff([]string{"tally:1", "signatory:1"}, s.next(t, 2)); diff != "" {
		t.Errorf("events (-want +got):\n%s", diff)
	}
	time.Sleep(600 * time.Millisecond) // more than twice the server's ReadTimeout and WriteTimeout
	MustPublish(t, h, "procedure/2", "tally:2", "tally:3", "tally:4")
	if diff := cmp.Diff([]string{"tally:2", "tally:3", "tally:4"}, s.next(t, 3)); diff != "" {
		t.Errorf("events after the timeouts (-want +got):\n%s", diff)
	}
	MustPublish(t, h, "procedure/2", "tally:5", "signatory:6")
	if diff := cmp.Diff([]string{"tally:5", "signatory:6"}, s.next(t, 2)); diff != "" {
		t.Errorf("more events (-want +got):\n%s", diff)
	}

	gap := MustStream(t, url, http.Header{"Last-Event-Id": {"1"}})
	if diff := cmp.Diff([]string{"tally:5", "signatory:6", "reset:6"}, gap.next(t, 3)); diff != "" {
		t.Errorf("resume across a gap (-want +got):\n%s", diff)
	}

	gone := MustStream(t, url, http.Header{"Last-Event-Id": {"6"}})
	if got := h.Stats().Subscribers; got != 3 {
		t.Errorf("Subscribers = %d, want 3", got)
	}
	gone.resp.Body.Close()
	for deadline := time.Now().Add(time.Minute); h.Stats().Subscribers != 2; {
		if time.Now().After(deadline) {
			t.Fatalf("Subscribers = %d after a client left, want 2", h.Stats().Subscribers)
		}
		time.Sleep(time.Millisecond)
	}

	h.Close()
	for _, c := range []*stream{s, gap} {
		select {
		case err := <-c.done:
			if err != nil {
				t.Errorf("stream ended with %v, want EOF", err)
			}
		case <-time.After(time.Minute):
			t.Fatal("stream still open after Hub.Close")
		}
	}
}

func TestServeSSEHeartbeat(t *testing.T) {
	t.Parallel()
	h := MustHub(t, Options{Heartbeat: 10 * time.Millisecond})
	srv := MustSSEServer(t, h)
	resp, err := http.Get(srv.URL + "/live/procedure/3")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	buf := make([]byte, 3)
	if _, err := io.ReadFull(resp.Body, buf); err != nil || string(buf) != ":\n\n" {
		t.Errorf("first bytes = %q, %v; want a heartbeat comment", buf, err)
	}
}

func TestServeSSEBadLastEventID(t *testing.T) {
	t.Parallel()
	h := MustHub(t, Options{})
	srv := MustSSEServer(t, h)
	for _, q := range []string{"?last_event_id=x", "?last_event_id=-1"} {
		resp, err := http.Get(srv.URL + "/live/p" + q)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusBadRequest {
			t.Errorf("%s: status %d, want 400", q, resp.StatusCode)
		}
	}
	if got := h.Stats().Subscribers; got != 0 {
		t.Errorf("Subscribers = %d, want 0", got)
	}
}

// TestServeSSENoFlush: a writer that cannot flush gets no stream (and is not left subscribed).
func TestServeSSENoFlush(t *testing.T) {
	t.Parallel()
	h := MustHub(t, Options{})
	w := &plainWriter{header: http.Header{}}
	h.ServeSSE(w, httptest.NewRequest(http.MethodGet, "/live/p", nil), "p")
	if got := h.Stats().Subscribers; got != 0 {
		t.Errorf("Subscribers = %d, want 0", got)
	}
	if !errors.Is(http.NewResponseController(w).Flush(), http.ErrNotSupported) {
		t.Error("plainWriter flushes")
	}
	if !strings.HasPrefix(w.header.Get("Content-Type"), "text/event-stream") {
		t.Errorf("Content-Type = %q", w.header.Get("Content-Type"))
	}
}

type plainWriter struct{ header http.Header }

func (w *plainWriter) Header() http.Header         { return w.header }
func (w *plainWriter) Write(b []byte) (int, error) { return len(b), nil }
func (w *plainWriter) WriteHeader(int)             {}

// TestServeSSEStuckClient: a client that stops reading is dropped after WriteTimeout, once
// the socket buffers are full, instead of holding its goroutine forever.
func TestServeSSEStuckClient(t *testing.T) {
	t.Parallel()
	h := MustHub(t, Options{WriteTimeout: 100 * time.Millisecond})
	srv := MustSSEServer(t, h)
	conn, err := net.Dial("tcp", srv.Listener.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	if _, err := io.WriteString(conn, "GET /live/p HTTP/1.1\r\nHost: x\r\n\r\n"); err != nil {
		t.Fatal(err)
	}
	for deadline := time.Now().Add(time.Minute); h.Stats().Subscribers != 1; {
		if time.Now().After(deadline) {
			t.Fatal("client never subscribed")
		}
		time.Sleep(time.Millisecond)
	}
	data := []byte(`"` + strings.Repeat("a", 1<<20) + `"`)
	deadline := time.Now().Add(time.Minute)
	for id := uint64(1); h.Stats().Subscribers != 0; id++ {
		if time.Now().After(deadline) {
			t.Fatalf("stuck client still subscribed after %d MiB", id)
		}
		if err := h.Publish(context.Background(), Event{Topic: "p", ID: id, Name: "big", Data: data}); err != nil {
			t.Fatal(err)
		}
		time.Sleep(5 * time.Millisecond)
	}
}
