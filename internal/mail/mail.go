// Package mail sends outgoing email: notifications, invitations, sign-in links.
//
// Why github.com/wneessen/go-mail (v0.8.1) and not net/smtp: net/smtp is frozen and
// leaves MIME to the caller (multipart/alternative, RFC 2047 subjects, quoted-printable
// bodies, Date, Message-ID), STARTTLS/implicit-TLS policies and the choice of AUTH
// mechanism (LOGIN, SCRAM, ...). go-mail does all of that, is MIT licensed, actively
// maintained, and depends only on golang.org/x/crypto and golang.org/x/text, which the
// module already has. v0.8.1 is pinned because later versions need a newer Go.
//
// Sending is a side effect: callers enqueue a job in the same transaction and a worker
// calls Sender.Send after commit, retrying unless IsPermanent reports the failure as final.
package mail

import (
	"context"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"log/slog"
	"net/mail"
	"regexp"
	"strings"
	"time"

	gomail "github.com/wneessen/go-mail"
)

// Message is one outgoing email to one recipient.
type Message struct {
	To      string // recipient address, e.g. "ana@example.org" or "Ana <ana@example.org>"
	Subject string // any Unicode; encoded as RFC 2047 when needed
	Text    string // plain-text body, required
	HTML    string // optional HTML alternative of Text
	Lang    string // BCP 47 tag of the content, sent as Content-Language (optional)
}

// Sender delivers messages. Implementations must be safe for concurrent use.
type Sender interface {
	Send(ctx context.Context, m Message) error
}

// TLS modes accepted in SMTPConfig.TLS.
const (
	TLSNone     = "none"     // plain SMTP, no encryption (local relays and test sinks only)
	TLSStartTLS = "starttls" // plain connection upgraded with STARTTLS, which is required
	TLSImplicit = "tls"      // TLS from the first byte (SMTPS, usually port 465)
)

// SMTPConfig configures an SMTPSender.
type SMTPConfig struct {
	Host     string // server host name or IP address
	Port     int    // 0 means 25 (none), 587 (starttls) or 465 (tls)
	Username string // empty means no SMTP AUTH
	Password string // password for Username
	From     string // sender address, e.g. "Concord <noreply@example.org>"
	TLS      string // "none", "starttls" or "tls"; empty means "starttls"
}

// defaultTimeout bounds each SMTP step when the context has no earlier deadline.
const defaultTimeout = 30 * time.Second

// SMTPSender sends messages through an SMTP server, one connection per message.
// It is safe for concurrent use.
type SMTPSender struct {
	cfg     SMTPConfig
	from    *mail.Address
	options []gomail.Option // fixed per sender; a timeout is added per message
}

// NewSMTPSender checks cfg and returns a sender for it. It does not connect. Server
// certificates are verified against the system roots.
func NewSMTPSender(cfg SMTPConfig) (*SMTPSender, error) {
	return newSMTPSender(cfg, nil)
}

// newSMTPSender is NewSMTPSender with the certificate roots to trust (nil: the system's),
// so that tests can use a server with a certificate of their own.
func newSMTPSender(cfg SMTPConfig, rootCAs *x509.CertPool) (*SMTPSender, error) {
	if cfg.Host == "" {
		return nil, errors.New("smtp config: host is empty")
	}
	from, err := mail.ParseAddress(cfg.From)
	if err != nil {
		return nil, fmt.Errorf("smtp config: from address %q: %w", cfg.From, err)
	}
	if cfg.Port < 0 || cfg.Port > 65535 {
		return nil, fmt.Errorf("smtp config: invalid port %d", cfg.Port)
	}
	if cfg.TLS == "" {
		cfg.TLS = TLSStartTLS
	}

	var opts []gomail.Option
	switch cfg.TLS {
	case TLSNone:
		opts = append(opts, gomail.WithTLSPolicy(gomail.NoTLS))
		if cfg.Port == 0 {
			cfg.Port = gomail.DefaultPort
		}
	case TLSStartTLS:
		opts = append(opts, gomail.WithTLSPolicy(gomail.TLSMandatory))
		if cfg.Port == 0 {
			cfg.Port = gomail.DefaultPortTLS
		}
	case TLSImplicit:
		opts = append(opts, gomail.WithSSL())
		if cfg.Port == 0 {
			cfg.Port = gomail.DefaultPortSSL
		}
	default:
		return nil, fmt.Errorf("smtp config: tls must be %q, %q or %q, not %q",
			TLSNone, TLSStartTLS, TLSImplicit, cfg.TLS)
	}
	opts = append(opts, gomail.WithPort(cfg.Port), gomail.WithTLSConfig(&tls.Config{
		ServerName: cfg.Host,
		RootCAs:    rootCAs,
		MinVersion: tls.VersionTLS12,
	}))

	if cfg.Username != "" {
		auth := gomail.SMTPAuthAutoDiscover // best mechanism the server offers over TLS
		if cfg.TLS == TLSNone {
			// PLAIN without TLS: go-mail sends the password only to localhost, never in
			// clear text over the network.
			auth = gomail.SMTPAuthPlain
		}
		opts = append(opts, gomail.WithSMTPAuth(auth),
			gomail.WithUsername(cfg.Username), gomail.WithPassword(cfg.Password))
	}

	// Build one client now so that option errors surface at start-up, not at first send.
	if _, err := gomail.NewClient(cfg.Host, opts...); err != nil {
		return nil, fmt.Errorf("smtp config: %w", err)
	}
	return &SMTPSender{cfg: cfg, from: from, options: opts}, nil
}

// Send delivers m. The context bounds dialing and, through its deadline, every later
// SMTP step (each step gets at most 30s without a deadline).
func (s *SMTPSender) Send(ctx context.Context, m Message) error {
	msg, err := s.build(m)
	if err != nil {
		return err
	}
	timeout := defaultTimeout
	if deadline, ok := ctx.Deadline(); ok {
		timeout = min(timeout, time.Until(deadline))
	}
	if timeout <= 0 {
		return fmt.Errorf("send mail: %w", context.DeadlineExceeded)
	}
	opts := append(s.options[:len(s.options):len(s.options)], gomail.WithTimeout(timeout))
	client, err := gomail.NewClient(s.cfg.Host, opts...)
	if err != nil {
		return fmt.Errorf("send mail: new client: %w", err)
	}
	if err := client.DialAndSendWithContext(ctx, msg); err != nil {
		return fmt.Errorf("send mail to %s via %s:%d: %w", strings.Join(msg.GetToString(), ", "), s.cfg.Host, s.cfg.Port, err)
	}
	return nil
}

// build turns m into a MIME message: UTF-8, quoted-printable, multipart/alternative
// when HTML is set, with Date, Message-ID (on the sender's domain) and Content-Language.
func (s *SMTPSender) build(m Message) (*gomail.Msg, error) {
	if err := m.validate(); err != nil {
		return nil, err
	}
	msg := gomail.NewMsg(gomail.WithCharset(gomail.CharsetUTF8),
		gomail.WithEncoding(gomail.EncodingQP), gomail.WithNoDefaultUserAgent())
	msg.FromMailAddress(s.from)
	if err := msg.To(m.To); err != nil {
		return nil, fmt.Errorf("build mail: to: %w", err)
	}
	msg.Subject(m.Subject)
	msg.SetDate()
	msg.SetMessageIDWithValue(messageIDLocalPart() + "@" + domainOf(s.from.Address))
	if m.Lang != "" {
		msg.SetGenHeader(gomail.HeaderContentLang, m.Lang)
	}
	msg.SetBodyString(gomail.TypeTextPlain, m.Text)
	if m.HTML != "" {
		msg.AddAlternativeString(gomail.TypeTextHTML, m.HTML)
	}
	return msg, nil
}

// langPattern is the shape of a BCP 47 tag: letters first, then dash-separated subtags.
var langPattern = regexp.MustCompile(`^[A-Za-z]{2,8}(-[A-Za-z0-9]{1,8})*$`)

// validate reports what makes m unsendable.
func (m Message) validate() error {
	if _, err := mail.ParseAddress(m.To); err != nil {
		return fmt.Errorf("invalid mail: to %q: %w", m.To, err)
	}
	if strings.TrimSpace(m.Subject) == "" {
		return errors.New("invalid mail: subject is empty")
	}
	if strings.ContainsAny(m.Subject, "\r\n") {
		return errors.New("invalid mail: subject contains a line break")
	}
	if m.Text == "" {
		return errors.New("invalid mail: text body is empty")
	}
	if m.Lang != "" && !langPattern.MatchString(m.Lang) {
		return fmt.Errorf("invalid mail: lang %q is not a BCP 47 tag", m.Lang)
	}
	return nil
}

// IsPermanent reports whether err is the server refusing a message for good (an SMTP
// 5xx reply), so that retrying the same message is pointless. Network errors, timeouts
// and 4xx replies are not permanent.
func IsPermanent(err error) bool {
	var sendErr *gomail.SendError
	if !errors.As(err, &sendErr) {
		return false
	}
	code := sendErr.ErrorCode()
	return code >= 500 && code < 600
}

// LogSender writes messages to a structured log instead of sending them. It is the
// sender when no SMTP server is configured, so that development setups can still see
// sign-in links and invitations. Like SMTPSender it rejects invalid messages, so that
// code tested against it behaves the same in production.
type LogSender struct {
	Logger *slog.Logger // nil means slog.Default()
}

// NewLogSender returns a LogSender that writes to logger (nil means slog.Default()).
func NewLogSender(logger *slog.Logger) *LogSender {
	return &LogSender{Logger: logger}
}

// Send logs m at level Warn (mail was not delivered) with its full text body.
func (s *LogSender) Send(ctx context.Context, m Message) error {
	if err := m.validate(); err != nil {
		return err
	}
	logger := s.Logger
	if logger == nil {
		logger = slog.Default()
	}
	logger.LogAttrs(ctx, slog.LevelWarn, "mail not sent: no SMTP server configured; logging it instead",
		slog.String("to", m.To),
		slog.String("subject", m.Subject),
		slog.String("lang", m.Lang),
		slog.String("text", m.Text),
		slog.Int("html_bytes", len(m.HTML)),
	)
	return nil
}

// messageIDLocalPart returns 130 random bits as text, unique enough for a Message-ID.
func messageIDLocalPart() string {
	return rand.Text()
}

// domainOf returns the domain of addr ("noreply@example.org" → "example.org"), or
// "localhost" for an address without one.
func domainOf(addr string) string {
	if i := strings.LastIndexByte(addr, '@'); i >= 0 && i < len(addr)-1 {
		return addr[i+1:]
	}
	return "localhost"
}
