package bench

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"sort"
	"sync"
	"time"
)

// Request is one request of a burst.
type Request struct {
	Path  string // e.g. /api/v1/procedures/ID/responses
	Token string // bearer secret, or ""
	Body  []byte // JSON
}

// BurstResult is what a burst of requests measured.
type BurstResult struct {
	Sent       int
	Acked      []bool          // per request: the server answered with the wanted status
	AckedN     int             // how many were acknowledged
	Failed     int             // other statuses and transport errors
	Errors     []string        // a few samples of failures
	Latencies  []time.Duration // of acknowledged requests
	Start      time.Time       // when the first request was sent
	LastAck    time.Time       // when the last acknowledgement arrived
	LastAckNS  int64           // LastAck as Unix nanoseconds (compared with other processes)
	Elapsed    time.Duration   // Start → LastAck
	PerSecond  float64         // acknowledged requests per second over Elapsed
	P50, P99   time.Duration
	MaxLatency time.Duration
}

// Burst sends every request as a POST from clients concurrent keep-alive clients (one
// connection each, opened and warmed before the clock starts) and waits for all answers.
// want is the status that counts as an acknowledgement; onAck, when not nil, is called after
// each one with the request's index (a test kills the server from it mid-burst). Cancelling
// ctx stops the clients; requests cut short by it count as neither acknowledged nor failed.
func Burst(ctx context.Context, baseURL string, reqs []Request, clients int, want int, onAck func(i int)) *BurstResult {
	if clients < 1 {
		clients = 1
	}
	if clients > len(reqs) && len(reqs) > 0 {
		clients = len(reqs)
	}
	res := &BurstResult{Acked: make([]bool, len(reqs))}
	httpClients := make([]*http.Client, clients)
	for i := range httpClients {
		httpClients[i] = &http.Client{Transport: &http.Transport{
			DialContext:         (&net.Dialer{Timeout: 10 * time.Second}).DialContext,
			MaxIdleConns:        1,
			MaxIdleConnsPerHost: 1,
			MaxConnsPerHost:     1,
			DisableCompression:  true,
			IdleConnTimeout:     time.Minute,
		}, Timeout: 60 * time.Second}
	}
	defer func() {
		for _, c := range httpClients {
			c.CloseIdleConnections()
		}
	}()
	// Warm every connection so that the burst measures requests, not TCP handshakes.
	var warm sync.WaitGroup
	for _, c := range httpClients {
		warm.Add(1)
		go func() {
			defer warm.Done()
			if r, err := c.Get(baseURL + "/healthz"); err == nil {
				io.Copy(io.Discard, r.Body)
				r.Body.Close()
			}
		}()
	}
	warm.Wait()

	jobs := make(chan int, len(reqs))
	for i := range reqs {
		jobs <- i
	}
	close(jobs)
	var (
		mu        sync.Mutex
		latencies = make([]time.Duration, 0, len(reqs))
		lastAck   time.Time
		wg        sync.WaitGroup
	)
	fail := func(msg string) {
		mu.Lock()
		res.Failed++
		if len(res.Errors) < 5 {
			res.Errors = append(res.Errors, msg)
		}
		mu.Unlock()
	}
	res.Start = time.Now()
	for _, c := range httpClients {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range jobs {
				if ctx.Err() != nil {
					return
				}
				rq := reqs[i]
				hr, err := http.NewRequestWithContext(ctx, http.MethodPost, baseURL+rq.Path, bytes.NewReader(rq.Body))
				if err != nil {
					fail(err.Error())
					continue
				}
				hr.Header.Set("Content-Type", "application/json")
				if rq.Token != "" {
					hr.Header.Set("Authorization", "Bearer "+rq.Token)
				}
				mu.Lock()
				res.Sent++
				mu.Unlock()
				t0 := time.Now()
				resp, err := c.Do(hr)
				if err != nil {
					if !errors.Is(err, context.Canceled) {
						fail(err.Error())
					}
					continue
				}
				body, err := io.ReadAll(io.LimitReader(resp.Body, 64<<10))
				resp.Body.Close()
				now := time.Now()
				if resp.StatusCode != want || err != nil {
					fail(fmt.Sprintf("%s: %d %s", rq.Path, resp.StatusCode, bytes.TrimSpace(body[:min(len(body), 300)])))
					continue
				}
				mu.Lock()
				res.Acked[i] = true
				res.AckedN++
				latencies = append(latencies, now.Sub(t0))
				if now.After(lastAck) {
					lastAck = now
				}
				mu.Unlock()
				if onAck != nil {
					onAck(i)
				}
			}
		}()
	}
	wg.Wait()
	res.Latencies = latencies
	res.LastAck = lastAck
	if !lastAck.IsZero() {
		res.LastAckNS = lastAck.UnixNano()
		res.Elapsed = lastAck.Sub(res.Start)
		res.PerSecond = float64(res.AckedN) / res.Elapsed.Seconds()
	}
	res.P50, res.P99, res.MaxLatency = Percentiles(latencies)
	return res
}

// Percentiles returns the median, the 99th percentile and the maximum of ds (nearest rank).
func Percentiles(ds []time.Duration) (p50, p99, max time.Duration) {
	if len(ds) == 0 {
		return 0, 0, 0
	}
	s := append([]time.Duration(nil), ds...)
	sort.Slice(s, func(i, j int) bool { return s[i] < s[j] })
	return rank(s, 0.50), rank(s, 0.99), s[len(s)-1]
}

func rank(sorted []time.Duration, q float64) time.Duration {
	i := int(q*float64(len(sorted))+0.999999) - 1
	i = max(0, min(i, len(sorted)-1))
	return sorted[i]
}
