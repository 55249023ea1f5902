// Package mailtest runs a real SMTP sink, mailpit, on loopback for tests that send mail,
// and reads what it received through mailpit's HTTP API.
//
// Each Start launches its own mailpit process on free 127.0.0.1 ports, so parallel tests
// do not see each other's mail. mailpit keeps messages in a temporary SQLite file; it is
// put in the test's temporary directory, so nothing is left on disk after the test.
//
// The binary is found through $CONCORD_MAILPIT, then PATH, then $(go env GOPATH)/bin.
// Install it with:
//
//	go install github.com/axllent/mailpit@v1.33.1
package mailtest

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// InstallHint tells how to install the mailpit binary.
const InstallHint = "go install github.com/axllent/mailpit@v1.33.1"

// startTimeout bounds how long Start waits for mailpit to accept SMTP and HTTP.
const startTimeout = 20 * time.Second

// Server is a running mailpit instance.
type Server struct {
	SMTPHost string // always "127.0.0.1"
	SMTPPort int    // SMTP port on SMTPHost
	APIURL   string // base URL of mailpit's web UI and HTTP API, e.g. "http://127.0.0.1:43117"

	client *http.Client
}

// Received is one message as mailpit stored it.
type Received struct {
	ID      string              // mailpit's ID, for its API
	From    string              // sender address
	To      []string            // recipient addresses, without display names
	Subject string              // decoded subject
	Text    string              // decoded text/plain body, with the CRLF line ends of the wire
	HTML    string              // decoded text/html body, empty if none
	Headers map[string][]string // raw header fields, keyed by canonical name (e.g. "Content-Language")
}

// Options adjusts the server that StartWith launches.
type Options struct {
	// TLSCertFile and TLSKeyFile are PEM files; when set, the server offers STARTTLS.
	TLSCertFile, TLSKeyFile string
	// RequireSTARTTLS makes the server refuse mail before STARTTLS (needs the TLS files).
	RequireSTARTTLS bool
	// RequireTLS makes the SMTP port speak TLS from the first byte (needs the TLS files).
	RequireTLS bool
	// AllowedRecipients, a regular expression, makes the server refuse every other
	// recipient with "550 5.1.0" (a permanent failure).
	AllowedRecipients string
}

// Start launches mailpit accepting plain SMTP with any or no authentication, and stops
// it when the test ends. Without the binary it skips the test, or fails it when $CI is
// set or CONCORD_REQUIRE_TOOLS=1.
func Start(tb testing.TB) *Server {
	tb.Helper()
	return StartWith(tb, Options{})
}

// StartWith is Start with options, e.g. to test TLS.
func StartWith(tb testing.TB, opts Options) *Server {
	tb.Helper()
	bin, err := findBinary()
	if err != nil {
		msg := fmt.Sprintf("mailtest: mailpit not found (%v); install it with: %s", err, InstallHint)
		if requireTools() {
			tb.Fatal(msg + " (required because CI or CONCORD_REQUIRE_TOOLS=1 is set)")
		}
		tb.Skip(msg)
	}

	// A free port can be taken by someone else between our probe and mailpit's bind;
	// then mailpit exits at once and we try other ports.
	var lastErr error
	for range 3 {
		srv, err := launch(tb, bin, opts)
		if err == nil {
			return srv
		}
		lastErr = err
	}
	tb.Fatalf("mailtest: start mailpit: %v", lastErr)
	return nil
}

// launch starts one mailpit process and waits until it serves SMTP and HTTP.
func launch(tb testing.TB, bin string, opts Options) (*Server, error) {
	tb.Helper()
	smtpPort, err := freePort()
	if err != nil {
		return nil, err
	}
	httpPort, err := freePort()
	if err != nil {
		return nil, err
	}
	dir := tb.TempDir()
	args := []string{
		"--smtp", "127.0.0.1:" + strconv.Itoa(smtpPort),
		"--listen", "127.0.0.1:" + strconv.Itoa(httpPort),
		"--smtp-auth-accept-any",  // any username and password, or none
		"--smtp-disable-rdns",     // no DNS lookups on a closed network
		"--disable-version-check", // no calls home
	}
	if !opts.RequireSTARTTLS && !opts.RequireTLS {
		// PLAIN and LOGIN without TLS; mailpit refuses this flag when TLS is required.
		args = append(args, "--smtp-auth-allow-insecure")
	}
	if opts.TLSCertFile != "" {
		args = append(args, "--smtp-tls-cert", opts.TLSCertFile, "--smtp-tls-key", opts.TLSKeyFile)
		if opts.RequireSTARTTLS {
			args = append(args, "--smtp-require-starttls")
		}
		if opts.RequireTLS {
			args = append(args, "--smtp-require-tls")
		}
	}
	if opts.AllowedRecipients != "" {
		args = append(args, "--smtp-allowed-recipients", opts.AllowedRecipients)
	}
	cmd := exec.Command(bin, args...)
	// No database flag: mailpit then uses a temporary file under TMPDIR, which is the
	// test's own temporary directory, removed when the test ends.
	cmd.Env = append(withoutMailpitVars(os.Environ()), "TMPDIR="+dir)
	logs := &syncBuffer{}
	cmd.Stdout, cmd.Stderr = logs, logs
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("run %s: %w", bin, err)
	}
	exited := make(chan struct{})
	go func() {
		_ = cmd.Wait()
		close(exited)
	}()
	stop := func() {
		select {
		case <-exited:
			return
		default:
		}
		_ = cmd.Process.Signal(os.Interrupt) // lets mailpit delete its temporary database
		select {
		case <-exited:
		case <-time.After(5 * time.Second):
			_ = cmd.Process.Kill()
			<-exited
		}
	}

	srv := &Server{
		SMTPHost: "127.0.0.1",
		SMTPPort: smtpPort,
		APIURL:   "http://127.0.0.1:" + strconv.Itoa(httpPort),
		client:   &http.Client{Timeout: 10 * time.Second},
	}
	if err := srv.waitReady(exited); err != nil {
		stop()
		return nil, fmt.Errorf("%w; mailpit output:\n%s", err, logs.String())
	}
	tb.Cleanup(func() {
		stop()
		if tb.Failed() {
			tb.Logf("mailtest: mailpit output:\n%s", logs.String())
		}
	})
	return srv, nil
}

// waitReady polls until mailpit answers /readyz and accepts SMTP connections.
func (s *Server) waitReady(exited <-chan struct{}) error {
	deadline := time.Now().Add(startTimeout)
	for {
		select {
		case <-exited:
			return errors.New("mailpit exited during start-up")
		default:
		}
		if s.ready() {
			return nil
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("mailpit not ready after %s", startTimeout)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// ready reports whether both the HTTP API and the SMTP port answer.
func (s *Server) ready() bool {
	resp, err := s.client.Get(s.APIURL + "/readyz")
	if err != nil {
		return false
	}
	_ = resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return false
	}
	conn, err := net.DialTimeout("tcp", net.JoinHostPort(s.SMTPHost, strconv.Itoa(s.SMTPPort)), time.Second)
	if err != nil {
		return false
	}
	_ = conn.Close()
	return true
}

// Messages returns every message received so far, newest first.
func (s *Server) Messages(tb testing.TB) []Received {
	tb.Helper()
	msgs, err := s.messages()
	if err != nil {
		tb.Fatalf("mailtest: %v", err)
	}
	return msgs
}

// WaitFor waits up to timeout for a message to the address to (case-insensitive) and
// returns the newest such message; it fails the test when none arrives.
func (s *Server) WaitFor(tb testing.TB, to string, timeout time.Duration) Received {
	tb.Helper()
	deadline := time.Now().Add(timeout)
	for {
		msgs, err := s.summaries()
		if err != nil {
			tb.Fatalf("mailtest: %v", err)
		}
		for _, m := range msgs {
			if slices.ContainsFunc(m.To, func(a address) bool { return strings.EqualFold(a.Address, to) }) {
				got, err := s.message(m.ID)
				if err != nil {
					tb.Fatalf("mailtest: %v", err)
				}
				return got
			}
		}
		if time.Now().After(deadline) {
			var seen []string
			for _, m := range msgs {
				seen = append(seen, fmt.Sprintf("%v %q", m.To, m.Subject))
			}
			tb.Fatalf("mailtest: no message to %s within %s; received: %v", to, timeout, seen)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// Raw returns the message with mailpit ID id exactly as it came over SMTP, for checking
// its MIME encoding.
func (s *Server) Raw(tb testing.TB, id string) string {
	tb.Helper()
	raw, err := s.get("/api/v1/message/" + url.PathEscape(id) + "/raw")
	if err != nil {
		tb.Fatalf("mailtest: %v", err)
	}
	return string(raw)
}

// address is an address as mailpit's API encodes it.
type address struct {
	Name    string
	Address string
}

// summary is one entry of GET /api/v1/messages.
type summary struct {
	ID      string
	To      []address
	Subject string
}

// summaries lists stored messages, newest first.
func (s *Server) summaries() ([]summary, error) {
	var list struct {
		Messages []summary `json:"messages"`
	}
	if err := s.getJSON("/api/v1/messages?limit=1000", &list); err != nil {
		return nil, err
	}
	return list.Messages, nil
}

// messages lists stored messages in full, newest first.
func (s *Server) messages() ([]Received, error) {
	list, err := s.summaries()
	if err != nil {
		return nil, err
	}
	out := make([]Received, 0, len(list))
	for _, m := range list {
		got, err := s.message(m.ID)
		if err != nil {
			return nil, err
		}
		out = append(out, got)
	}
	return out, nil
}

// message fetches one message and its headers.
func (s *Server) message(id string) (Received, error) {
	var m struct {
		ID      string
		From    *address
		To      []address
		Subject string
		Text    string
		HTML    string
	}
	if err := s.getJSON("/api/v1/message/"+url.PathEscape(id), &m); err != nil {
		return Received{}, err
	}
	var headers map[string][]string
	if err := s.getJSON("/api/v1/message/"+url.PathEscape(id)+"/headers", &headers); err != nil {
		return Received{}, err
	}
	r := Received{ID: m.ID, Subject: m.Subject, Text: m.Text, HTML: m.HTML, Headers: headers}
	if m.From != nil {
		r.From = m.From.Address
	}
	for _, a := range m.To {
		r.To = append(r.To, a.Address)
	}
	return r, nil
}

// getJSON decodes the JSON answer of GET path into v.
func (s *Server) getJSON(path string, v any) error {
	body, err := s.get(path)
	if err != nil {
		return err
	}
	if err := json.Unmarshal(body, v); err != nil {
		return fmt.Errorf("mailpit api: GET %s: decode: %w", path, err)
	}
	return nil
}

// get returns the body of a successful GET path.
func (s *Server) get(path string) ([]byte, error) {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, s.APIURL+path, nil)
	if err != nil {
		return nil, fmt.Errorf("mailpit api: %w", err)
	}
	resp, err := s.client.Do(req)
	if err != nil {
		return nil, fmt.Errorf("mailpit api: %w", err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		return nil, fmt.Errorf("mailpit api: GET %s: %w", path, err)
	}
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("mailpit api: GET %s: %s: %.512s", path, resp.Status, bytes.TrimSpace(body))
	}
	return body, nil
}

// findBinary looks for mailpit in $CONCORD_MAILPIT, PATH and $(go env GOPATH)/bin.
func findBinary() (string, error) {
	if p := os.Getenv("CONCORD_MAILPIT"); p != "" {
		if isExecutable(p) {
			return p, nil
		}
		return "", fmt.Errorf("CONCORD_MAILPIT=%s is not an executable file", p)
	}
	if p, err := exec.LookPath("mailpit"); err == nil {
		return p, nil
	}
	for _, dir := range goPaths() {
		p := filepath.Join(dir, "bin", "mailpit")
		if isExecutable(p) {
			return p, nil
		}
	}
	return "", errors.New("not in $CONCORD_MAILPIT, PATH or $(go env GOPATH)/bin")
}

// goPaths returns the GOPATH entries, asking the go command first.
func goPaths() []string {
	gopath := ""
	if out, err := exec.Command("go", "env", "GOPATH").Output(); err == nil {
		gopath = strings.TrimSpace(string(out))
	}
	if gopath == "" {
		gopath = os.Getenv("GOPATH")
	}
	if gopath == "" {
		if home, err := os.UserHomeDir(); err == nil {
			gopath = filepath.Join(home, "go")
		}
	}
	return filepath.SplitList(gopath)
}

// isExecutable reports whether p is a regular file with an execute bit.
func isExecutable(p string) bool {
	fi, err := os.Stat(p)
	return err == nil && fi.Mode().IsRegular() && fi.Mode().Perm()&0o111 != 0
}

// requireTools reports whether missing test tools must fail tests instead of skipping them.
func requireTools() bool {
	return os.Getenv("CI") != "" || os.Getenv("CONCORD_REQUIRE_TOOLS") == "1"
}

// freePort returns a TCP port on 127.0.0.1 that was free a moment ago.
func freePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, fmt.Errorf("find free port: %w", err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}

// withoutMailpitVars drops MP_* variables, which would override our flags.
func withoutMailpitVars(env []string) []string {
	return slices.DeleteFunc(slices.Clone(env), func(kv string) bool { return strings.HasPrefix(kv, "MP_") })
}

// syncBuffer collects a process's output from two goroutines.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

// Write appends p.
func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

// String returns everything written so far.
func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}
