package mailtest

import (
	"fmt"
	"net"
	"net/smtp"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"testing"
	"time"
)

func TestStartReceivesMail(t *testing.T) {
	t.Parallel()
	srv := Start(t)
	if got := srv.Messages(t); len(got) != 0 {
		t.Fatalf("new server holds %d messages, want 0", len(got))
	}

	raw := "From: Sender <sender@example.org>\r\n" +
		"To: Ana <ana@example.org>\r\n" +
		"Subject: =?UTF-8?q?Gr=C3=BC=C3=9Fe?=\r\n" +
		"Content-Language: de\r\n" +
		"MIME-Version: 1.0\r\n" +
		"Content-Type: text/plain; charset=UTF-8\r\n" +
		"\r\n" +
		"Hallo Ana.\r\n"
	addr := net.JoinHostPort(srv.SMTPHost, strconv.Itoa(srv.SMTPPort))
	if err := smtp.SendMail(addr, nil, "sender@example.org", []string{"ana@example.org"}, []byte(raw)); err != nil {
		t.Fatalf("smtp.SendMail: %v", err)
	}

	got := srv.WaitFor(t, "ANA@example.org", 10*time.Second) // addresses compare case-insensitively
	if got.Subject != "Grüße" {
		t.Errorf("Subject = %q, want Grüße", got.Subject)
	}
	if got.From != "sender@example.org" || len(got.To) != 1 || got.To[0] != "ana@example.org" {
		t.Errorf("From %q To %q, want sender@example.org to [ana@example.org]", got.From, got.To)
	}
	if strings.TrimSpace(got.Text) != "Hallo Ana." {
		t.Errorf("Text = %q, want Hallo Ana.", got.Text)
	}
	if v := got.Headers["Content-Language"]; len(v) != 1 || v[0] != "de" {
		t.Errorf("Content-Language = %q, want [de]", v)
	}
	if r := srv.Raw(t, got.ID); !strings.Contains(r, "Subject: =?UTF-8?q?Gr=C3=BC=C3=9Fe?=") {
		t.Errorf("Raw lacks the encoded subject:\n%s", r)
	}
	if n := len(srv.Messages(t)); n != 1 {
		t.Errorf("Messages holds %d, want 1", n)
	}
}

func TestStartAcceptsAnyAuth(t *testing.T) {
	t.Parallel()
	srv := Start(t)
	// net/smtp sends PLAIN credentials without TLS only to localhost, as here.
	auth := smtp.PlainAuth("", "anyone", "anything", srv.SMTPHost)
	addr := net.JoinHostPort(srv.SMTPHost, strconv.Itoa(srv.SMTPPort))
	msg := "From: a@example.org\r\nTo: b@example.org\r\nSubject: auth\r\n\r\nbody\r\n"
	if err := smtp.SendMail(addr, auth, "a@example.org", []string{"b@example.org"}, []byte(msg)); err != nil {
		t.Fatalf("smtp.SendMail with auth: %v", err)
	}
	srv.WaitFor(t, "b@example.org", 10*time.Second)
}

// recordingTB records Skip and Fatal instead of ending the real test.
type recordingTB struct {
	testing.TB
	skipped, fatal string
}

func (r *recordingTB) Helper() {}

func (r *recordingTB) Skip(args ...any) {
	r.skipped = fmt.Sprint(args...)
	runtime.Goexit()
}

func (r *recordingTB) Fatal(args ...any) {
	r.fatal = fmt.Sprint(args...)
	runtime.Goexit()
}

func TestMissingBinarySkipsOrFails(t *testing.T) { // not parallel: it sets environment variables
	t.Setenv("CONCORD_MAILPIT", filepath.Join(t.TempDir(), "no-such-mailpit"))
	tests := []struct {
		name, ci, require string
		wantFatal         bool
	}{
		{name: "developer machine", wantFatal: false},
		{name: "CI", ci: "true", wantFatal: true},
		{name: "CONCORD_REQUIRE_TOOLS", require: "1", wantFatal: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Setenv("CI", tt.ci)
			t.Setenv("CONCORD_REQUIRE_TOOLS", tt.require)
			r := &recordingTB{TB: t}
			done := make(chan struct{})
			go func() {
				defer close(done)
				Start(r)
				t.Error("Start returned without mailpit")
			}()
			<-done
			got := r.skipped
			if tt.wantFatal {
				got = r.fatal
			}
			if !strings.Contains(got, "CONCORD_MAILPIT") || !strings.Contains(got, InstallHint) {
				t.Errorf("skip %q, fatal %q; want the message to name the variable and %q", r.skipped, r.fatal, InstallHint)
			}
		})
	}
}
