package mail

import (
	"bytes"
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/json"
	"encoding/pem"
	"errors"
	"fmt"
	"log/slog"
	"math/big"
	"net"
	netmail "net/mail"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"concord/internal/mailtest"
)

// Compile-time checks that both senders satisfy Sender.
var (
	_ Sender = (*SMTPSender)(nil)
	_ Sender = (*LogSender)(nil)
)

const waitTimeout = 10 * time.Second

// mustSender builds an SMTPSender for srv or fails the test.
func mustSender(tb testing.TB, srv *mailtest.Server, mutate func(*SMTPConfig), roots *x509.CertPool) *SMTPSender {
	tb.Helper()
	cfg := SMTPConfig{
		Host: srv.SMTPHost,
		Port: srv.SMTPPort,
		From: "Concord <noreply@concord.example>",
		TLS:  TLSNone,
	}
	if mutate != nil {
		mutate(&cfg)
	}
	s, err := newSMTPSender(cfg, roots)
	if err != nil {
		tb.Fatalf("newSMTPSender(%+v): %v", cfg, err)
	}
	return s
}

func TestSMTPSenderDeliversToMailpit(t *testing.T) {
	t.Parallel()
	srv := mailtest.Start(t)

	longLine := strings.Repeat("Grüße aus Genève, ", 10) + "= Ende" // > 76 bytes: QP soft breaks
	tests := []struct {
		name     string
		cfg      func(*SMTPConfig)
		msg      Message
		wantTo   string
		wantLang string
	}{
		{
			name:   "ascii text only",
			msg:    Message{To: "ascii@example.org", Subject: "Welcome", Text: "Hello.\nSecond line."},
			wantTo: "ascii@example.org",
		},
		{
			name: "unicode subject, html alternative and language",
			msg: Message{
				To:      "unicode@example.org",
				Subject: "Überprüfung der Übersetzung – «Résolution 12» ✓ 日本語 and a long tail to fold",
				Text:    "Hallo Ana,\n" + longLine + "\nمرحبا",
				HTML:    "<p>Hallo <b>Ana</b>,</p><p>" + longLine + "</p>",
				Lang:    "de-CH",
			},
			wantTo:   "unicode@example.org",
			wantLang: "de-CH",
		},
		{
			name:   "recipient with display name",
			msg:    Message{To: "Ana Müller <ana@example.org>", Subject: "Hi", Text: "x", Lang: "fa"},
			wantTo: "ana@example.org", wantLang: "fa",
		},
		{
			name: "auth without tls on loopback",
			cfg: func(c *SMTPConfig) {
				c.Username, c.Password = "concord", "s3cret"
			},
			msg:    Message{To: "auth@example.org", Subject: "With auth", Text: "authenticated"},
			wantTo: "auth@example.org",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			s := mustSender(t, srv, tt.cfg, nil)
			if err := s.Send(t.Context(), tt.msg); err != nil {
				t.Fatalf("Send: %v", err)
			}
			got := srv.WaitFor(t, tt.wantTo, waitTimeout)

			if diff := cmp.Diff([]string{tt.wantTo}, got.To); diff != "" {
				t.Errorf("To (-want +got):\n%s", diff)
			}
			if got.From != "noreply@concord.example" {
				t.Errorf("From = %q, want noreply@concord.example", got.From)
			}
			if got.Subject != tt.msg.Subject {
				t.Errorf("Subject = %q, want %q", got.Subject, tt.msg.Subject)
			}
			if diff := cmp.Diff(tt.msg.Text, strings.TrimRight(strings.ReplaceAll(got.Text, "\r\n", "\n"), "\n")); diff != "" {
				t.Errorf("Text (-want +got):\n%s", diff)
			}
			if tt.msg.HTML != "" && !strings.Contains(got.HTML, tt.msg.HTML) {
				t.Errorf("HTML = %q, want it to contain %q", got.HTML, tt.msg.HTML)
			}
			if tt.msg.HTML == "" && got.HTML != "" {
				t.Errorf("HTML = %q, want none", got.HTML)
			}
			if tt.wantLang != "" {
				if diff := cmp.Diff([]string{tt.wantLang}, header(got, "Content-Language")); diff != "" {
					t.Errorf("Content-Language (-want +got):\n%s", diff)
				}
			} else if v := header(got, "Content-Language"); v != nil {
				t.Errorf("Content-Language = %q, want none", v)
			}
			if v := header(got, "Date"); len(v) != 1 {
				t.Errorf("Date = %q, want one", v)
			} else if d, err := netmail.ParseDate(v[0]); err != nil || time.Since(d).Abs() > time.Hour {
				t.Errorf("Date = %q (%v, err %v), want about now", v[0], d, err)
			}
			if v := header(got, "Message-ID"); len(v) != 1 || !strings.HasSuffix(v[0], "@concord.example>") {
				t.Errorf("Message-ID = %q, want one <...@concord.example>", v)
			}
			if v := header(got, "User-Agent"); v != nil {
				t.Errorf("User-Agent = %q, want none (no library advertising)", v)
			}

			raw := srv.Raw(t, got.ID)
			for i := range len(raw) {
				if raw[i] >= 0x80 {
					t.Fatalf("raw message has 8-bit byte at %d; want 7-bit MIME:\n%s", i, raw)
				}
			}
			if !strings.Contains(raw, "Content-Transfer-Encoding: quoted-printable") {
				t.Errorf("raw message has no quoted-printable part:\n%s", raw)
			}
			if tt.msg.HTML != "" && !strings.Contains(raw, "multipart/alternative") {
				t.Errorf("raw message is not multipart/alternative:\n%s", raw)
			}
		})
	}
}

// header returns the values of the named header field, whatever the case of its key.
func header(r mailtest.Received, name string) []string {
	for k, v := range r.Headers {
		if strings.EqualFold(k, name) {
			return v
		}
	}
	return nil
}

func TestSMTPSenderConcurrentUse(t *testing.T) {
	t.Parallel()
	srv := mailtest.Start(t)
	s := mustSender(t, srv, nil, nil)

	const n = 8
	var wg sync.WaitGroup
	errs := make(chan error, n)
	for i := range n {
		wg.Go(func() {
			errs <- s.Send(t.Context(), Message{
				To: fmt.Sprintf("user%d@example.org", i), Subject: fmt.Sprintf("Message %d", i), Text: "body",
			})
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Errorf("Send: %v", err)
		}
	}
	for i := range n {
		got := srv.WaitFor(t, fmt.Sprintf("user%d@example.org", i), waitTimeout)
		if want := fmt.Sprintf("Message %d", i); got.Subject != want {
			t.Errorf("Subject = %q, want %q", got.Subject, want)
		}
	}
	if got := len(srv.Messages(t)); got != n {
		t.Errorf("mailpit holds %d messages, want %d", got, n)
	}
}

func TestSMTPSenderTLS(t *testing.T) {
	t.Parallel()
	certFile, keyFile, roots := selfSignedCert(t)

	t.Run("starttls required by server", func(t *testing.T) {
		t.Parallel()
		srv := mailtest.StartWith(t, mailtest.Options{TLSCertFile: certFile, TLSKeyFile: keyFile, RequireSTARTTLS: true})
		s := mustSender(t, srv, func(c *SMTPConfig) {
			c.TLS, c.Username, c.Password = TLSStartTLS, "concord", "s3cret"
		}, roots)
		if err := s.Send(t.Context(), Message{To: "starttls@example.org", Subject: "STARTTLS", Text: "secret"}); err != nil {
			t.Fatalf("Send: %v", err)
		}
		srv.WaitFor(t, "starttls@example.org", waitTimeout)
	})

	t.Run("implicit tls", func(t *testing.T) {
		t.Parallel()
		srv := mailtest.StartWith(t, mailtest.Options{TLSCertFile: certFile, TLSKeyFile: keyFile, RequireTLS: true})
		s := mustSender(t, srv, func(c *SMTPConfig) {
			c.TLS, c.Username, c.Password = TLSImplicit, "concord", "s3cret"
		}, roots)
		if err := s.Send(t.Context(), Message{To: "tls@example.org", Subject: "TLS", Text: "secret"}); err != nil {
			t.Fatalf("Send: %v", err)
		}
		srv.WaitFor(t, "tls@example.org", waitTimeout)
	})

	t.Run("starttls against a server without it fails", func(t *testing.T) {
		t.Parallel()
		srv := mailtest.Start(t)
		s := mustSender(t, srv, func(c *SMTPConfig) { c.TLS = TLSStartTLS }, roots)
		err := s.Send(t.Context(), Message{To: "plain@example.org", Subject: "x", Text: "x"})
		if err == nil || !strings.Contains(err.Error(), "STARTTLS") {
			t.Fatalf("Send error = %v, want one about STARTTLS", err)
		}
		if n := len(srv.Messages(t)); n != 0 {
			t.Errorf("mailpit holds %d messages, want 0", n)
		}
	})

	t.Run("untrusted certificate is refused", func(t *testing.T) {
		t.Parallel()
		srv := mailtest.StartWith(t, mailtest.Options{TLSCertFile: certFile, TLSKeyFile: keyFile})
		s := mustSender(t, srv, func(c *SMTPConfig) { c.TLS = TLSStartTLS }, nil) // system roots
		err := s.Send(t.Context(), Message{To: "untrusted@example.org", Subject: "x", Text: "x"})
		var unknown x509.UnknownAuthorityError
		if !errors.As(err, &unknown) && (err == nil || !strings.Contains(err.Error(), "certificate")) {
			t.Fatalf("Send error = %v, want a certificate error", err)
		}
		if n := len(srv.Messages(t)); n != 0 {
			t.Errorf("mailpit holds %d messages, want 0", n)
		}
	})
}

func TestSMTPSenderFailures(t *testing.T) {
	t.Parallel()

	t.Run("rejected recipient is permanent", func(t *testing.T) {
		t.Parallel()
		srv := mailtest.StartWith(t, mailtest.Options{AllowedRecipients: `^allowed@`})
		s := mustSender(t, srv, nil, nil)
		err := s.Send(t.Context(), Message{To: "refused@example.org", Subject: "x", Text: "x"})
		if err == nil {
			t.Fatal("Send to a refused recipient succeeded")
		}
		if !strings.HasPrefix(err.Error(), "send mail to ") {
			t.Errorf("error %q lacks the short context prefix", err)
		}
		if !IsPermanent(err) {
			t.Errorf("IsPermanent(%v) = false, want true", err)
		}
		if err := s.Send(t.Context(), Message{To: "allowed@example.org", Subject: "x", Text: "x"}); err != nil {
			t.Errorf("Send to an allowed recipient: %v", err)
		}
	})

	t.Run("unreachable server is temporary", func(t *testing.T) {
		t.Parallel()
		l, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		port := l.Addr().(*net.TCPAddr).Port
		l.Close() // nothing listens there now
		s, err := NewSMTPSender(SMTPConfig{Host: "127.0.0.1", Port: port, From: "a@example.org", TLS: TLSNone})
		if err != nil {
			t.Fatal(err)
		}
		err = s.Send(t.Context(), Message{To: "b@example.org", Subject: "x", Text: "x"})
		if err == nil {
			t.Fatal("Send to a closed port succeeded")
		}
		if IsPermanent(err) {
			t.Errorf("IsPermanent(%v) = true, want false", err)
		}
	})

	t.Run("expired context", func(t *testing.T) {
		t.Parallel()
		srv := mailtest.Start(t)
		s := mustSender(t, srv, nil, nil)
		ctx, cancel := context.WithDeadline(t.Context(), time.Now().Add(-time.Second))
		defer cancel()
		err := s.Send(ctx, Message{To: "late@example.org", Subject: "x", Text: "x"})
		if !errors.Is(err, context.DeadlineExceeded) {
			t.Errorf("Send error = %v, want context.DeadlineExceeded", err)
		}
	})
}

func TestNewSMTPSenderRejectsBadConfig(t *testing.T) {
	t.Parallel()
	good := SMTPConfig{Host: "smtp.example.org", From: "Concord <noreply@example.org>"}
	tests := []struct {
		name   string
		mutate func(*SMTPConfig)
	}{
		{"no host", func(c *SMTPConfig) { c.Host = "" }},
		{"no from", func(c *SMTPConfig) { c.From = "" }},
		{"bad from", func(c *SMTPConfig) { c.From = "not an address" }},
		{"bad tls", func(c *SMTPConfig) { c.TLS = "ssl" }},
		{"bad port", func(c *SMTPConfig) { c.Port = 70000 }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			cfg := good
			tt.mutate(&cfg)
			if _, err := NewSMTPSender(cfg); err == nil || !strings.HasPrefix(err.Error(), "smtp config: ") {
				t.Errorf("NewSMTPSender(%+v) error = %v, want an 'smtp config: ' error", cfg, err)
			}
		})
	}

	defaults := []struct {
		tls  string
		port int
	}{{"", 587}, {TLSStartTLS, 587}, {TLSImplicit, 465}, {TLSNone, 25}}
	for _, d := range defaults {
		cfg := good
		cfg.TLS = d.tls
		s, err := NewSMTPSender(cfg)
		if err != nil {
			t.Fatalf("NewSMTPSender(tls %q): %v", d.tls, err)
		}
		if s.cfg.Port != d.port {
			t.Errorf("tls %q: default port %d, want %d", d.tls, s.cfg.Port, d.port)
		}
	}
}

func TestSendersRejectInvalidMessages(t *testing.T) {
	t.Parallel()
	smtp, err := NewSMTPSender(SMTPConfig{Host: "127.0.0.1", Port: 1, From: "a@example.org", TLS: TLSNone})
	if err != nil {
		t.Fatal(err)
	}
	senders := map[string]Sender{"smtp": smtp, "log": NewLogSender(slog.New(slog.DiscardHandler))}
	valid := Message{To: "b@example.org", Subject: "Subject", Text: "Text", Lang: "en"}
	tests := []struct {
		name   string
		mutate func(*Message)
	}{
		{"empty to", func(m *Message) { m.To = "" }},
		{"bad to", func(m *Message) { m.To = "nobody" }},
		{"empty subject", func(m *Message) { m.Subject = " " }},
		{"subject with line break", func(m *Message) { m.Subject = "Hi\r\nBcc: evil@example.org" }},
		{"empty text", func(m *Message) { m.Text = "" }},
		{"lang not bcp 47", func(m *Message) { m.Lang = "de\r\nBcc: evil@example.org" }},
		{"lang with underscore", func(m *Message) { m.Lang = "de_DE" }},
	}
	for name, s := range senders {
		for _, tt := range tests {
			t.Run(name+"/"+tt.name, func(t *testing.T) {
				t.Parallel()
				m := valid
				tt.mutate(&m)
				err := s.Send(t.Context(), m)
				if err == nil || !strings.HasPrefix(err.Error(), "invalid mail: ") {
					t.Errorf("Send(%+v) error = %v, want an 'invalid mail: ' error", m, err)
				}
			})
		}
	}
}

func TestLogSenderLogsMessage(t *testing.T) {
	t.Parallel()
	var buf bytes.Buffer
	s := NewLogSender(slog.New(slog.NewJSONHandler(&buf, nil)))
	m := Message{To: "ana@example.org", Subject: "Sign in", Text: "https://concord.example/login/abc", HTML: "<p>x</p>", Lang: "es"}
	if err := s.Send(t.Context(), m); err != nil {
		t.Fatalf("Send: %v", err)
	}
	var got map[string]any
	if err := json.Unmarshal(buf.Bytes(), &got); err != nil {
		t.Fatalf("log line %q is not one JSON record: %v", buf.String(), err)
	}
	want := map[string]any{
		"level": "WARN", "to": m.To, "subject": m.Subject, "text": m.Text, "lang": "es", "html_bytes": float64(len(m.HTML)),
	}
	for k, v := range want {
		if got[k] != v {
			t.Errorf("log attribute %s = %v, want %v (record %s)", k, got[k], v, buf.String())
		}
	}
}

func TestDomainOf(t *testing.T) {
	t.Parallel()
	for addr, want := range map[string]string{
		"noreply@example.org": "example.org",
		"a@b@example.org":     "example.org",
		"local":               "localhost",
		"trailing@":           "localhost",
	} {
		if got := domainOf(addr); got != want {
			t.Errorf("domainOf(%q) = %q, want %q", addr, got, want)
		}
	}
}

// selfSignedCert writes a certificate for 127.0.0.1 and its key as PEM files and returns
// their paths and a pool that trusts the certificate.
func selfSignedCert(tb testing.TB) (certFile, keyFile string, roots *x509.CertPool) {
	tb.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		tb.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber:          big.NewInt(1),
		Subject:               pkix.Name{CommonName: "mailtest"},
		NotBefore:             time.Now().Add(-time.Hour),
		NotAfter:              time.Now().Add(24 * time.Hour),
		KeyUsage:              x509.KeyUsageDigitalSignature | x509.KeyUsageCertSign,
		ExtKeyUsage:           []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		BasicConstraintsValid: true,
		IsCA:                  true,
		IPAddresses:           []net.IP{net.IPv4(127, 0, 0, 1)},
		DNSNames:              []string{"localhost"},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		tb.Fatal(err)
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		tb.Fatal(err)
	}
	keyDER, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		tb.Fatal(err)
	}
	dir := tb.TempDir()
	certFile, keyFile = filepath.Join(dir, "cert.pem"), filepath.Join(dir, "key.pem")
	if err := os.WriteFile(certFile, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), 0o600); err != nil {
		tb.Fatal(err)
	}
	if err := os.WriteFile(keyFile, pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: keyDER}), 0o600); err != nil {
		tb.Fatal(err)
	}
	roots = x509.NewCertPool()
	roots.AddCert(cert)
	return certFile, keyFile, roots
}
