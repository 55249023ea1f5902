package live

// Fan-out benchmarks over real loopback HTTP/1.1 connections (DESIGN §9 "Live result fan-out").
//
//	go test -run '^$' -bench 'Fanout' -benchtime 30x ./internal/live/
//
// Each sub-benchmark connects N watchers (raw TCP, http.ReadResponse, ReadEvents), then
// publishes one event at a time and waits until every watcher has it. An event carries its
// publication time; each watcher's latency is its receive time minus that. Metrics: ns/op is
// the time until all N have the event; p50-ms, p99-ms and max-ms are over all watchers'
// latencies of all measured events (one warm-up event is not measured).
//
// BenchmarkBareSSEFanout is the baseline: a bare net/http handler holding the connections
// and writing one shared frame to each (a buffered channel per connection, no hub).
// BenchmarkFanout runs that baseline in the same sub-benchmark and reports bare-… metrics
// and the ratios p99/bare (p99 latency) and all/bare (mean time until all have it). Bare and
// hub run side by side with their events alternating (only the hub's are timed), so drift on
// a shared machine hits both alike; when that needs too many file descriptors (inproc with
// 4N ≥ 19,000, e.g. inproc:5000) the baseline runs first with CONCORD_LIVE_BENCH_BASELINE
// events (default 30), then the hub.
//
// Sizes are "mode:N" in CONCORD_LIVE_BENCH_SIZES (default "inproc:1000,inproc:5000,proc:10000"):
//   - inproc: server and watchers in this process (two file descriptors per watcher);
//   - proc: the server and the watchers each in a child process (this test binary run again
//     as TestFanoutChild), since a process may hold at most 20,000 open files here. Proc mode
//     also reports the server's memory per idle watcher, measured in the server process
//     after the watchers connected and before any event: srv-rss-KiB/conn (VmRSS growth, as
//     the OS sees it) and srv-go-KiB/conn (Go heap and stacks in use after a GC), and
//     srv-rss-end-KiB/conn (VmRSS growth after all events), with bare-… counterparts.

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

const benchTopic = "bench"

// benchSize is one sub-benchmark: where the watchers run, and how many.
type benchSize struct {
	mode string // "inproc" or "proc"
	n    int
}

func benchSizes(tb testing.TB) []benchSize {
	spec := os.Getenv("CONCORD_LIVE_BENCH_SIZES")
	if spec == "" {
		spec = "inproc:1000,inproc:5000,proc:10000"
	}
	var sizes []benchSize
	for item := range strings.SplitSeq(spec, ",") {
		mode, n, _ := strings.Cut(strings.TrimSpace(item), ":")
		num, err := strconv.Atoi(n)
		if (mode != "inproc" && mode != "proc") || err != nil || num < 1 {
			tb.Fatalf("CONCORD_LIVE_BENCH_SIZES: bad item %q (want inproc:N or proc:N)", item)
		}
		sizes = append(sizes, benchSize{mode, num})
	}
	return sizes
}

func BenchmarkBareSSEFanout(b *testing.B) {
	for _, size := range benchSizes(b) {
		b.Run(fmt.Sprintf("%s/N=%d", size.mode, size.n), func(b *testing.B) {
			bare := startTarget(b, size, "bare")
			defer bare.close()
			for b.Loop() {
				bare.event(b, true)
			}
			bare.result(b).report(b, "")
		})
	}
}

// interleaveFDs is how many file descriptors the in-process mode may use for interleaving:
// a process may hold at most 20,000 open files here.
const interleaveFDs = 19_000

func BenchmarkFanout(b *testing.B) {
	events := 30
	if v := os.Getenv("CONCORD_LIVE_BENCH_BASELINE"); v != "" {
		var err error
		if events, err = strconv.Atoi(v); err != nil || events < 1 {
			b.Fatalf("CONCORD_LIVE_BENCH_BASELINE=%q", v)
		}
	}
	for _, size := range benchSizes(b) {
		b.Run(fmt.Sprintf("%s/N=%d", size.mode, size.n), func(b *testing.B) {
			var bare, hub *target
			if size.mode == "proc" || 4*size.n < interleaveFDs {
				// Both at once, events alternating (and who goes first): drift on a shared
				// machine hits both alike.
				bare = startTarget(b, size, "bare")
				defer bare.close()
				hub = startTarget(b, size, "hub")
				defer hub.close()
				for i := 0; b.Loop(); i++ {
					if i%2 == 0 { // who goes first alternates
						b.StopTimer()
						bare.event(b, true)
						b.StartTimer()
						hub.event(b, true)
					} else {
						hub.event(b, true)
						b.StopTimer()
						bare.event(b, true)
						b.StartTimer()
					}
				}
			} else {
				// Too many connections for both at once: the baseline first, then the hub.
				bare = startTarget(b, size, "bare")
				for range events {
					bare.event(b, true)
				}
				bare.close()
				hub = startTarget(b, size, "hub")
				defer hub.close()
				for b.Loop() {
					hub.event(b, true)
				}
			}
			hr, br := hub.result(b), bare.result(b)
			hr.report(b, "")
			br.report(b, "bare-")
			b.ReportMetric(hr.p(99)/br.p(99), "p99/bare")
			b.ReportMetric(hr.meanAll()/br.meanAll(), "all/bare")
		})
	}
}

// phaseResult holds one target's measurements.
type phaseResult struct {
	lat      []int64         // every watcher's latency of every measured event, µs, sorted
	all      []time.Duration // per event, until all watchers had it
	rss, mem float64         // server KiB per idle watcher (proc mode), or -1
	rssEnd   float64         // server KiB per watcher after the events (proc mode), or -1

	rss0 int64 // server RSS before the watchers connected
	n    int
}

func (r *phaseResult) p(q int) float64 {
	if len(r.lat) == 0 {
		return 0
	}
	return float64(r.lat[min(len(r.lat)-1, len(r.lat)*q/100)]) / 1000
}

func (r *phaseResult) meanAll() float64 {
	var sum time.Duration
	for _, d := range r.all {
		sum += d
	}
	return float64(sum) / float64(max(1, len(r.all)))
}

func (r *phaseResult) report(b *testing.B, prefix string) {
	b.ReportMetric(r.p(50), prefix+"p50-ms")
	b.ReportMetric(r.p(99), prefix+"p99-ms")
	b.ReportMetric(r.p(100), prefix+"max-ms")
	if prefix != "" {
		b.ReportMetric(r.meanAll()/1e6, prefix+"all-ms")
	}
	if r.rss >= 0 {
		b.ReportMetric(r.rss, prefix+"srv-rss-KiB/conn")
		b.ReportMetric(r.mem, prefix+"srv-go-KiB/conn")
		b.ReportMetric(r.rssEnd, prefix+"srv-rss-end-KiB/conn")
	}
}

// target is a server of one kind ("hub" or "bare") with its N watchers connected.
type target struct {
	kind string
	srv  benchServer
	ws   benchWatchers
	k    uint64
	res  phaseResult
}

// startTarget starts the server and the watchers, measures the server's memory per idle
// watcher (proc mode) and sends one warm-up event.
func startTarget(b *testing.B, size benchSize, kind string) *target {
	t := &target{kind: kind, res: phaseResult{rss: -1, mem: -1, rssEnd: -1, n: size.n}}
	var err error
	if size.mode == "proc" {
		t.srv, err = startRemoteServer(kind)
	} else {
		t.srv, err = startLocalServer(kind)
	}
	if err != nil {
		b.Fatal(err)
	}
	rss0, mem0, err := t.srv.Mem()
	if err != nil {
		t.close()
		b.Fatal(err)
	}
	if size.mode == "proc" {
		t.ws, err = startRemoteWatchers(t.srv.Addr(), size.n)
	} else {
		t.ws, err = startWatchers(t.srv.Addr(), size.n)
	}
	if err != nil {
		t.close()
		b.Fatal(err)
	}
	time.Sleep(time.Second) // let the connections settle before measuring memory
	rss1, mem1, err := t.srv.Mem()
	if err != nil {
		t.close()
		b.Fatal(err)
	}
	if rss0 >= 0 {
		t.res.rss0 = rss0
		t.res.rss = float64(rss1-rss0) / 1024 / float64(size.n)
		t.res.mem = float64(mem1-mem0) / 1024 / float64(size.n)
	}
	t.event(b, false)
	return t
}

// event publishes the next event and waits until every watcher has it.
func (t *target) event(b *testing.B, measure bool) {
	t.k++
	start := time.Now()
	if err := t.srv.Publish(t.k); err != nil {
		b.Fatal(err)
	}
	lat, err := t.ws.Wait(t.k)
	if err != nil {
		b.Fatalf("%s event %d: %v", t.kind, t.k, err)
	}
	if measure {
		t.res.all = append(t.res.all, time.Since(start))
		t.res.lat = append(t.res.lat, lat...)
	}
}

// result returns the measurements; in proc mode it also takes the server's RSS now.
func (t *target) result(b *testing.B) *phaseResult {
	slices.Sort(t.res.lat)
	if t.res.rss >= 0 {
		rss, _, err := t.srv.Mem()
		if err != nil {
			b.Fatal(err)
		}
		t.res.rssEnd = float64(rss-t.res.rss0) / 1024 / float64(t.res.n)
	}
	return &t.res
}

// close stops the watchers, then the server.
func (t *target) close() {
	if t.ws != nil {
		t.ws.Close()
	}
	t.srv.Close()
}

// benchServer serves SSE on loopback and publishes numbered events carrying their
// publication time (Unix ns) as data.
type benchServer interface {
	Addr() string
	Publish(k uint64) error
	Mem() (rss, goMem int64, err error) // -1, -1 when not measurable (in-process watchers)
	Close() error
}

// localServer is a hub or bare SSE server in this process.
type localServer struct {
	ln      net.Listener
	srv     *http.Server
	publish func(k uint64) error
	stop    func()
	remote  bool // the process holds only the server: memory is measurable
}

func startLocalServer(kind string) (*localServer, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	s := &localServer{ln: ln}
	var handler http.Handler
	switch kind {
	case "hub":
		h, err := NewHub(Options{})
		if err != nil {
			return nil, err
		}
		handler = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { h.ServeSSE(w, r, benchTopic) })
		s.publish = func(k uint64) error {
			data := strconv.AppendInt(nil, time.Now().UnixNano(), 10)
			return h.Publish(context.Background(), Event{Topic: benchTopic, ID: k, Name: "tally", Data: data})
		}
		s.stop = h.Close
	case "bare":
		bs := &bareSSE{index: map[chan []byte]int{}, done: make(chan struct{})}
		handler, s.publish, s.stop = bs, bs.publish, bs.close
	default:
		return nil, fmt.Errorf("unknown server kind %q", kind)
	}
	s.srv = &http.Server{Handler: handler, ReadHeaderTimeout: 10 * time.Second}
	go s.srv.Serve(ln)
	return s, nil
}

func (s *localServer) Addr() string           { return s.ln.Addr().String() }
func (s *localServer) Publish(k uint64) error { return s.publish(k) }
func (s *localServer) Close() error           { s.stop(); return s.srv.Close() }

func (s *localServer) Mem() (int64, int64, error) {
	if !s.remote {
		return -1, -1, nil
	}
	rss, err := vmRSS()
	if err != nil {
		return 0, 0, err
	}
	runtime.GC()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	return rss, int64(ms.HeapInuse + ms.StackInuse), nil
}

// vmRSS returns this process's resident set size in bytes.
func vmRSS() (int64, error) {
	status, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return 0, err
	}
	for line := range strings.SplitSeq(string(status), "\n") {
		if v, ok := strings.CutPrefix(line, "VmRSS:"); ok {
			kb, err := strconv.ParseInt(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(v), "kB")), 10, 64)
			return kb * 1024, err
		}
	}
	return 0, errors.New("no VmRSS in /proc/self/status")
}

// bareSSE is the baseline: a bare net/http SSE handler; publish writes one shared frame to
// every connection (in connection order) through a one-slot channel each.
type bareSSE struct {
	mu    sync.Mutex
	conns []chan []byte
	index map[chan []byte]int
	done  chan struct{}
}

func (s *bareSSE) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	rc := http.NewResponseController(w)
	w.Header().Set("Content-Type", "text/event-stream")
	w.Header().Set("Cache-Control", "no-cache")
	c := make(chan []byte, 1)
	s.mu.Lock()
	s.index[c] = len(s.conns)
	s.conns = append(s.conns, c)
	s.mu.Unlock()
	defer func() {
		s.mu.Lock()
		i, last := s.index[c], len(s.conns)-1
		s.conns[i] = s.conns[last]
		s.index[s.conns[i]] = i
		s.conns = s.conns[:last]
		delete(s.index, c)
		s.mu.Unlock()
	}()
	w.WriteHeader(http.StatusOK)
	if rc.Flush() != nil {
		return
	}
	for {
		select {
		case <-r.Context().Done():
			return
		case <-s.done:
			return
		case frame := <-c:
			if _, err := w.Write(frame); err != nil || rc.Flush() != nil {
				return
			}
		}
	}
}

func (s *bareSSE) publish(k uint64) error {
	frame := fmt.Appendf(nil, "id: %d\nevent: tally\ndata: %d\n\n", k, time.Now().UnixNano())
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, c := range s.conns {
		select {
		case c <- frame:
		default:
		}
	}
	return nil
}

func (s *bareSSE) close() { close(s.done) }

// benchWatchers are N event-stream clients.
type benchWatchers interface {
	Wait(k uint64) ([]int64, error) // every watcher's latency of event k in µs, once all have it
	Close() error
}

// watcherSet holds N watcher connections in this process. Events are expected in order
// 1, 2, 3, … one at a time.
type watcherSet struct {
	n       int
	conns   []net.Conn
	cur     atomic.Uint64 // the event being waited for
	count   atomic.Int64
	lat     []int64
	results chan []int64
	errs    chan error
	closing atomic.Bool
	wg      sync.WaitGroup
}

func startWatchers(addr string, n int) (*watcherSet, error) {
	ws := &watcherSet{n: n, conns: make([]net.Conn, n), lat: make([]int64, n),
		results: make(chan []int64, 1), errs: make(chan error, 1)}
	ws.cur.Store(1)
	var (
		setup sync.WaitGroup
		mu    sync.Mutex
		first error
	)
	sem := make(chan struct{}, 64) // the listen backlog is finite
	for i := range n {
		sem <- struct{}{}
		setup.Go(func() {
			defer func() { <-sem }()
			body, err := ws.dial(addr, i)
			if err != nil {
				mu.Lock()
				if first == nil {
					first = err
				}
				mu.Unlock()
				return
			}
			ws.wg.Go(func() { ws.read(i, body) })
		})
	}
	setup.Wait()
	if first != nil {
		ws.Close()
		return nil, first
	}
	return ws, nil
}

func (ws *watcherSet) dial(addr string, i int) (io.Reader, error) {
	conn, err := net.DialTimeout("tcp", addr, time.Minute)
	if err != nil {
		return nil, err
	}
	ws.conns[i] = conn
	if _, err := io.WriteString(conn, "GET /live HTTP/1.1\r\nHost: bench\r\nAccept: text/event-stream\r\n\r\n"); err != nil {
		return nil, err
	}
	resp, err := http.ReadResponse(bufio.NewReader(conn), nil)
	if err != nil {
		return nil, err
	}
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("watcher %d: status %s", i, resp.Status)
	}
	return resp.Body, nil
}

func (ws *watcherSet) read(i int, body io.Reader) {
	err := ReadEvents(body, func(e Event) error {
		if e.Name != "tally" || e.ID != ws.cur.Load() {
			return nil
		}
		sent, err := strconv.ParseInt(string(e.Data), 10, 64)
		if err != nil {
			return fmt.Errorf("event data %q: %w", e.Data, err)
		}
		ws.lat[i] = (time.Now().UnixNano() - sent) / 1000
		if ws.count.Add(1) == int64(ws.n) {
			res := slices.Clone(ws.lat)
			ws.count.Store(0)
			ws.cur.Add(1)
			ws.results <- res
		}
		return nil
	})
	if !ws.closing.Load() {
		select {
		case ws.errs <- fmt.Errorf("watcher %d: stream ended: %v", i, err):
		default:
		}
	}
}

func (ws *watcherSet) Wait(k uint64) ([]int64, error) {
	select {
	case res := <-ws.results:
		return res, nil
	case err := <-ws.errs:
		return nil, err
	case <-time.After(2 * time.Minute):
		return nil, fmt.Errorf("event %d: only %d of %d watchers got it", k, ws.count.Load(), ws.n)
	}
}

func (ws *watcherSet) Close() error {
	ws.closing.Store(true)
	for _, c := range ws.conns {
		if c != nil {
			if tc, ok := c.(*net.TCPConn); ok {
				_ = tc.SetLinger(0) // reset: no TIME_WAIT holding ephemeral ports
			}
			c.Close()
		}
	}
	ws.wg.Wait()
	return nil
}

// Child processes: TestFanoutChild runs a server or the watchers for proc mode and talks to
// the benchmark over stdin/stdout lines prefixed with childPrefix.

const childPrefix = "live-bench "

// child is a running child process.
type child struct {
	cmd   *exec.Cmd
	in    io.WriteCloser
	lines chan string
}

func startChild(env ...string) (*child, error) {
	exe, err := os.Executable()
	if err != nil {
		return nil, err
	}
	cmd := exec.Command(exe, "-test.run=^TestFanoutChild$", "-test.count=1")
	cmd.Env = append(os.Environ(), env...)
	cmd.Stderr = os.Stderr
	in, err := cmd.StdinPipe()
	if err != nil {
		return nil, err
	}
	out, err := cmd.StdoutPipe()
	if err != nil {
		return nil, err
	}
	if err := cmd.Start(); err != nil {
		return nil, err
	}
	c := &child{cmd: cmd, in: in, lines: make(chan string, 16)}
	go func() {
		sc := bufio.NewScanner(out)
		sc.Buffer(nil, 64<<20)
		for sc.Scan() {
			if rest, ok := strings.CutPrefix(sc.Text(), childPrefix); ok {
				c.lines <- rest
			}
		}
		close(c.lines)
	}()
	return c, nil
}

// expect returns the rest of the next line that starts with word.
func (c *child) expect(word string) (string, error) {
	select {
	case line, ok := <-c.lines:
		if !ok {
			return "", fmt.Errorf("child exited waiting for %q", word)
		}
		if rest, ok := strings.CutPrefix(line, word+" "); ok || line == word {
			return rest, nil
		}
		return "", fmt.Errorf("child: %s (waiting for %q)", line, word)
	case <-time.After(5 * time.Minute):
		return "", fmt.Errorf("child: no %q", word)
	}
}

func (c *child) send(line string) error {
	_, err := io.WriteString(c.in, line+"\n")
	return err
}

func (c *child) Close() error {
	c.in.Close()
	for range c.lines {
	}
	return c.cmd.Wait()
}

// remoteServer is a server in a child process.
type remoteServer struct {
	*child
	addr string
}

func startRemoteServer(kind string) (*remoteServer, error) {
	c, err := startChild("CONCORD_LIVE_BENCH_CHILD=" + kind)
	if err != nil {
		return nil, err
	}
	addr, err := c.expect("addr")
	if err != nil {
		c.Close()
		return nil, err
	}
	return &remoteServer{child: c, addr: addr}, nil
}

func (s *remoteServer) Addr() string           { return s.addr }
func (s *remoteServer) Publish(k uint64) error { return s.send("pub " + strconv.FormatUint(k, 10)) }

func (s *remoteServer) Mem() (int64, int64, error) {
	if err := s.send("mem"); err != nil {
		return 0, 0, err
	}
	line, err := s.expect("mem")
	if err != nil {
		return 0, 0, err
	}
	var rss, mem int64
	_, err = fmt.Sscan(line, &rss, &mem)
	return rss, mem, err
}

// remoteWatchers are watchers in a child process.
type remoteWatchers struct{ *child }

func startRemoteWatchers(addr string, n int) (*remoteWatchers, error) {
	c, err := startChild("CONCORD_LIVE_BENCH_CHILD=watch", "CONCORD_LIVE_BENCH_ADDR="+addr, "CONCORD_LIVE_BENCH_N="+strconv.Itoa(n))
	if err != nil {
		return nil, err
	}
	if _, err := c.expect("ready"); err != nil {
		c.Close()
		return nil, err
	}
	return &remoteWatchers{c}, nil
}

func (w *remoteWatchers) Wait(k uint64) ([]int64, error) {
	line, err := w.expect("done")
	if err != nil {
		return nil, err
	}
	fields := strings.Fields(line)
	if len(fields) == 0 || fields[0] != strconv.FormatUint(k, 10) {
		return nil, fmt.Errorf("watchers: done %.20s…, want event %d", line, k)
	}
	lat := make([]int64, 0, len(fields)-1)
	for _, f := range fields[1:] {
		v, err := strconv.ParseInt(f, 10, 64)
		if err != nil {
			return nil, err
		}
		lat = append(lat, v)
	}
	return lat, nil
}

// TestFanoutChild is the child process of the proc-mode fan-out benchmarks; it skips otherwise.
func TestFanoutChild(t *testing.T) {
	role := os.Getenv("CONCORD_LIVE_BENCH_CHILD")
	if role == "" {
		t.Skip("runs only as a child of the fan-out benchmarks")
	}
	out := bufio.NewWriter(os.Stdout)
	say := func(format string, args ...any) {
		fmt.Fprintf(out, childPrefix+format+"\n", args...)
		out.Flush()
	}
	in := bufio.NewScanner(os.Stdin)
	switch role {
	case "hub", "bare":
		srv, err := startLocalServer(role)
		if err != nil {
			say("error %v", err)
			t.Fatal(err)
		}
		srv.remote = true
		defer srv.Close()
		say("addr %s", srv.Addr())
		for in.Scan() {
			cmd, arg, _ := strings.Cut(in.Text(), " ")
			switch cmd {
			case "pub":
				k, _ := strconv.ParseUint(arg, 10, 64)
				if err := srv.Publish(k); err != nil {
					say("error %v", err)
				}
			case "mem":
				rss, mem, err := srv.Mem()
				if err != nil {
					say("error %v", err)
				}
				say("mem %d %d", rss, mem)
			}
		}
	case "watch":
		n, _ := strconv.Atoi(os.Getenv("CONCORD_LIVE_BENCH_N"))
		ws, err := startWatchers(os.Getenv("CONCORD_LIVE_BENCH_ADDR"), n)
		if err != nil {
			say("error %v", err)
			t.Fatal(err)
		}
		defer ws.Close()
		say("ready")
		go func() {
			var line []byte
			for k := uint64(1); ; k++ {
				lat, err := ws.Wait(k)
				if err != nil {
					if !ws.closing.Load() {
						say("error %v", err)
					}
					return
				}
				line = strconv.AppendUint(append(line[:0], "done "...), k, 10)
				for _, v := range lat {
					line = strconv.AppendInt(append(line, ' '), v, 10)
				}
				say("%s", line)
			}
		}()
		for in.Scan() {
		}
	}
}
