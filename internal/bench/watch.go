package bench

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"concord/internal/live"
)

// WatchReady is what a watcher process reports once every connection attempt is done.
type WatchReady struct {
	Connected int      `json:"connected"`
	Failed    int      `json:"failed"`
	Errors    []string `json:"errors,omitempty"`
}

// WatchResult is what a watcher process reports at the end: for each connected watcher that
// saw a tally event with the wanted revision, the wall-clock time it did (Unix nanoseconds).
type WatchResult struct {
	Seen    []int64 `json:"seen"`
	Missing int     `json:"missing"` // connected but never saw it
	Events  int64   `json:"events"`  // tally events received in all
	Others  int64   `json:"others"`  // other events (signatory, status, reset) received in all
	Bytes   int64   `json:"bytes"`   // event data bytes received in all
	Dropped int     `json:"dropped"` // connections that ended early
}

// Watchers holds many SSE connections to one stream and notes when each sees a "tally"
// event whose data has "revision" ≥ the wanted one.
type Watchers struct {
	want      int64
	seen      []int64 // per watcher, atomically written
	nSeen     atomic.Int64
	events    atomic.Int64
	others    atomic.Int64
	bytes     atomic.Int64
	dropped   atomic.Int64
	closing   atomic.Bool
	connected atomic.Int64 // set once every connection attempt finished
	all       chan struct{}
	allOnce   sync.Once
	conns     []net.Conn
	mu        sync.Mutex
}

// Connect opens n SSE connections to rawURL, at most concurrency at a time, and returns once
// every attempt has finished (a connection counts once its response headers arrived).
func Connect(ctx context.Context, rawURL string, n, concurrency int, want int64) (*Watchers, *WatchReady, error) {
	u, err := url.Parse(rawURL)
	if err != nil {
		return nil, nil, err
	}
	if concurrency < 1 {
		concurrency = 64
	}
	w := &Watchers{want: want, seen: make([]int64, n), all: make(chan struct{})}
	ready := &WatchReady{}
	var mu sync.Mutex
	var wg sync.WaitGroup
	sem := make(chan struct{}, concurrency)
	request := []byte("GET " + u.RequestURI() + " HTTP/1.1\r\nHost: " + u.Host + "\r\nAccept: text/event-stream\r\nCache-Control: no-cache\r\nUser-Agent: concord-bench\r\n\r\n")
	var live sync.WaitGroup
	for i := range n {
		wg.Add(1)
		sem <- struct{}{}
		go func() {
			defer wg.Done()
			body, conn, err := dialSSE(ctx, u.Host, request)
			<-sem
			mu.Lock()
			if err != nil {
				ready.Failed++
				if len(ready.Errors) < 5 {
					ready.Errors = append(ready.Errors, err.Error())
				}
				mu.Unlock()
				return
			}
			ready.Connected++
			w.mu.Lock()
			w.conns = append(w.conns, conn)
			w.mu.Unlock()
			mu.Unlock()
			live.Add(1)
			go func() {
				defer live.Done()
				w.read(i, body)
			}()
		}()
	}
	wg.Wait()
	w.connected.Store(int64(ready.Connected))
	if w.nSeen.Load() >= int64(ready.Connected) {
		w.allOnce.Do(func() { close(w.all) })
	}
	return w, ready, nil
}

func dialSSE(ctx context.Context, host string, request []byte) (io.Reader, net.Conn, error) {
	d := net.Dialer{Timeout: 15 * time.Second}
	conn, err := d.DialContext(ctx, "tcp", host)
	if err != nil {
		return nil, nil, err
	}
	conn.SetDeadline(time.Now().Add(30 * time.Second))
	if _, err := conn.Write(request); err != nil {
		conn.Close()
		return nil, nil, err
	}
	br := bufio.NewReaderSize(conn, 4096)
	resp, err := http.ReadResponse(br, nil)
	if err != nil {
		conn.Close()
		return nil, nil, err
	}
	if resp.StatusCode != http.StatusOK {
		b, _ := io.ReadAll(io.LimitReader(resp.Body, 300))
		conn.Close()
		return nil, nil, fmt.Errorf("status %d: %s", resp.StatusCode, bytes.TrimSpace(b))
	}
	conn.SetDeadline(time.Time{})
	return resp.Body, conn, nil
}

func (w *Watchers) read(i int, body io.Reader) {
	_ = live.ReadEvents(body, func(e live.Event) error {
		w.bytes.Add(int64(len(e.Data)))
		if e.Name != "tally" {
			w.others.Add(1)
			return nil
		}
		w.events.Add(1)
		rev, ok := revisionOf(e.Data)
		if !ok || rev < w.want {
			return nil
		}
		if atomic.CompareAndSwapInt64(&w.seen[i], 0, time.Now().UnixNano()) {
			if c := w.connected.Load(); w.nSeen.Add(1) == c && c > 0 {
				w.allOnce.Do(func() { close(w.all) })
			}
		}
		return nil
	})
	if w.closing.Load() {
		return
	}
	if atomic.LoadInt64(&w.seen[i]) == 0 {
		w.dropped.Add(1) // the stream ended before the wanted revision arrived
	}
}

// All is closed once every connected watcher has seen the wanted revision.
func (w *Watchers) All() <-chan struct{} { return w.all }

// Result closes every connection and reports what was seen.
func (w *Watchers) Result() *WatchResult {
	w.closing.Store(true)
	r := &WatchResult{Events: w.events.Load(), Others: w.others.Load(), Bytes: w.bytes.Load(), Dropped: int(w.dropped.Load())}
	for i := range w.seen {
		if t := atomic.LoadInt64(&w.seen[i]); t != 0 {
			r.Seen = append(r.Seen, t)
		}
	}
	r.Missing = int(w.connected.Load()) - len(r.Seen)
	w.mu.Lock()
	for _, c := range w.conns {
		c.Close()
	}
	w.mu.Unlock()
	return r
}

// revisionOf finds the "revision" number in a tally event's JSON data without decoding all
// of it (10,000 watchers decode every event at once; the cheaper, the less the watcher
// process itself delays what it measures).
func revisionOf(data []byte) (int64, bool) {
	const key = `"revision":`
	i := bytes.Index(data, []byte(key))
	if i < 0 {
		return 0, false
	}
	rest := bytes.TrimLeft(data[i+len(key):], " ")
	j := 0
	for j < len(rest) && rest[j] >= '0' && rest[j] <= '9' {
		j++
	}
	n, err := strconv.ParseInt(string(rest[:j]), 10, 64)
	return n, err == nil
}
