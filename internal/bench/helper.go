package bench

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"time"
)

// Helper runs one of the benchmark's helper processes, started by Run through the hidden
// "bench-helper" command:
//
//	watch --url URL --n W --revision R   hold W SSE connections; print "ready {…}" once
//	                                      connected and "result {…}" once all saw revision R
//	                                      (or on a "stop" line on stdin, or at --timeout)
//	sse-server                            the bare SSE baseline; prints "listening URL"
//	insert-server --database URL          the bare insert baseline; prints "listening URL"
//
// Servers run until stdin closes (the parent ended) or ctx ends.
func Helper(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		return errors.New("bench-helper: want watch, sse-server or insert-server")
	}
	if _, err := RaiseOpenFiles(); err != nil {
		return err
	}
	role, args := args[0], args[1:]
	fs := flag.NewFlagSet("concord bench-helper "+role, flag.ContinueOnError)
	fs.SetOutput(stderr)
	switch role {
	case "watch":
		rawURL := fs.String("url", "", "SSE stream URL")
		n := fs.Int("n", 1, "connections")
		revision := fs.Int64("revision", 1, "tally revision to wait for")
		concurrency := fs.Int("concurrency", 128, "connection attempts at once")
		timeout := fs.Duration("timeout", 10*time.Minute, "give up after this long")
		if err := fs.Parse(args); err != nil {
			return err
		}
		return watch(ctx, *rawURL, *n, *concurrency, *revision, *timeout, stdin, stdout)
	case "sse-server":
		if err := fs.Parse(args); err != nil {
			return err
		}
		return serveUntilEOF(ctx, NewSSEServer(), stdin, stdout)
	case "insert-server":
		dbURL := fs.String("database", "", "postgres://… or sqlite:PATH")
		if err := fs.Parse(args); err != nil {
			return err
		}
		s, err := OpenInsertServer(ctx, *dbURL)
		if err != nil {
			return err
		}
		defer s.Close()
		return serveUntilEOF(ctx, s, stdin, stdout)
	default:
		return fmt.Errorf("bench-helper: unknown role %q", role)
	}
}

func watch(ctx context.Context, rawURL string, n, concurrency int, revision int64, timeout time.Duration, stdin io.Reader, stdout io.Writer) error {
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	w, ready, err := Connect(ctx, rawURL, n, concurrency, revision)
	if err != nil {
		return err
	}
	b, _ := json.Marshal(ready)
	fmt.Fprintf(stdout, "ready %s\n", b)
	stop := make(chan struct{})
	go func() {
		sc := bufio.NewScanner(stdin)
		for sc.Scan() {
			if strings.TrimSpace(sc.Text()) == "stop" {
				break
			}
		}
		close(stop)
	}()
	select {
	case <-w.All():
	case <-stop:
	case <-ctx.Done():
	}
	b, _ = json.Marshal(w.Result())
	fmt.Fprintf(stdout, "result %s\n", b)
	return nil
}

func serveUntilEOF(ctx context.Context, h http.Handler, stdin io.Reader, stdout io.Writer) error {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return err
	}
	srv := &http.Server{Handler: h, ReadHeaderTimeout: 10 * time.Second}
	fmt.Fprintf(stdout, "listening http://%s\n", ln.Addr())
	served := make(chan error, 1)
	go func() { served <- srv.Serve(ln) }()
	eof := make(chan struct{})
	go func() {
		io.Copy(io.Discard, stdin)
		close(eof)
	}()
	select {
	case err := <-served:
		return err
	case <-eof:
	case <-ctx.Done():
	}
	return srv.Close()
}

// get fetches url and returns its status and (at most 1 MiB of) body.
func get(ctx context.Context, url string) (int, []byte, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return 0, nil, err
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return 0, nil, err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	return resp.StatusCode, b, err
}
