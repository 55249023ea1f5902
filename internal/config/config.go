// Package config parses Concord's settings once, from command-line flags with environment
// variables (CONCORD_*) as defaults. The result is a plain struct passed to whoever needs it.
package config

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"net/url"
	"path/filepath"
	"strconv"
	"strings"
	"time"
)

// Config is every setting of a running Concord server.
type Config struct {
	Addr        string // listen address
	DataDir     string // SQLite file, attachments, backups
	DatabaseURL string // postgres://… or empty for SQLite in DataDir
	BaseURL     string // public URL, for links in emails; defaults to http://Addr
	Demo        bool   // load the demo federation on first start
	TrustProxy  bool   // trust X-Forwarded-Proto from a reverse proxy
	NATSURL     string // nats://… to share live events between instances
	LogFormat   string // "text" or "json"
	LogLevel    string // debug, info, warn, error

	SMTPHost     string
	SMTPPort     int
	SMTPUsername string
	SMTPPassword string
	SMTPFrom     string
	SMTPTLS      string // none, starttls, tls

	Apertium          string // "auto" (use it when installed), "off", or the apertium program's path
	LibreTranslateURL string // a LibreTranslate-compatible service, or ""
	LibreTranslateKey string
	DeepLKey          string // a DeepL API key, or ""
	DeepLURL          string // DeepL API base URL; "" picks the free or pro endpoint from the key

	ShutdownTimeout time.Duration
}

// SQLitePath is the database file inside the data directory.
func (c *Config) SQLitePath() string { return filepath.Join(c.DataDir, "concord.db") }

// Database returns the database URL to open: the configured one or SQLite in the data dir.
func (c *Config) Database() string {
	if c.DatabaseURL != "" {
		return c.DatabaseURL
	}
	return "sqlite:" + c.SQLitePath()
}

// Parse reads flags from args (without the program and subcommand name), using getenv for
// CONCORD_* defaults. It writes usage to out on -h. extra adds a subcommand's own flags.
func Parse(name string, args []string, getenv func(string) string, out io.Writer, extra ...func(*flag.FlagSet)) (*Config, error) {
	c := &Config{}
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(out)
	str := func(p *string, flagName, env, def, usage string) {
		if v := getenv(env); v != "" {
			def = v
		}
		fs.StringVar(p, flagName, def, usage+" (env "+env+")")
	}
	var boolErr error
	boolean := func(p *bool, flagName, env string, def bool, usage string) {
		if v := getenv(env); v != "" {
			b, err := strconv.ParseBool(v)
			if err != nil {
				boolErr = errors.Join(boolErr, fmt.Errorf("%s=%q: want true or false", env, v))
			}
			def = b
		}
		fs.BoolVar(p, flagName, def, usage+" (env "+env+")")
	}
	str(&c.Addr, "addr", "CONCORD_ADDR", "127.0.0.1:8080", "listen address")
	str(&c.DataDir, "data", "CONCORD_DATA", "./concord-data", "data directory")
	str(&c.DatabaseURL, "database", "CONCORD_DATABASE", "", "database URL: postgres://… (default: SQLite in the data directory)")
	str(&c.BaseURL, "base-url", "CONCORD_BASE_URL", "", "public base URL for links (default http://ADDR)")
	boolean(&c.Demo, "demo", "CONCORD_DEMO", false, "load the demo federation into an empty database")
	boolean(&c.TrustProxy, "trust-proxy", "CONCORD_TRUST_PROXY", false, "trust X-Forwarded-Proto from a reverse proxy")
	str(&c.NATSURL, "nats", "CONCORD_NATS", "", "NATS URL to share live events between instances")
	str(&c.LogFormat, "log-format", "CONCORD_LOG_FORMAT", "text", "log format: text or json")
	str(&c.LogLevel, "log-level", "CONCORD_LOG_LEVEL", "info", "log level: debug, info, warn, error")
	str(&c.SMTPHost, "smtp-host", "CONCORD_SMTP_HOST", "", "SMTP server host (empty: emails are logged, not sent)")
	port := "587"
	if v := getenv("CONCORD_SMTP_PORT"); v != "" {
		port = v
	}
	var portStr string
	fs.StringVar(&portStr, "smtp-port", port, "SMTP server port (env CONCORD_SMTP_PORT)")
	str(&c.SMTPUsername, "smtp-username", "CONCORD_SMTP_USERNAME", "", "SMTP user name")
	str(&c.SMTPPassword, "smtp-password", "CONCORD_SMTP_PASSWORD", "", "SMTP password")
	str(&c.SMTPFrom, "smtp-from", "CONCORD_SMTP_FROM", "concord@localhost", "sender address of emails")
	str(&c.SMTPTLS, "smtp-tls", "CONCORD_SMTP_TLS", "starttls", "SMTP TLS: none, starttls or tls")
	str(&c.Apertium, "apertium", "CONCORD_APERTIUM", "auto", "machine translation with Apertium: auto, off, or the program's path")
	str(&c.LibreTranslateURL, "libretranslate-url", "CONCORD_LIBRETRANSLATE_URL", "", "URL of a LibreTranslate-compatible service")
	str(&c.LibreTranslateKey, "libretranslate-key", "CONCORD_LIBRETRANSLATE_KEY", "", "API key for the LibreTranslate service")
	str(&c.DeepLKey, "deepl-key", "CONCORD_DEEPL_KEY", "", "DeepL API key")
	str(&c.DeepLURL, "deepl-url", "CONCORD_DEEPL_URL", "", "DeepL API base URL (default from the key)")
	var shutdown string
	fs.StringVar(&shutdown, "shutdown-timeout", firstNonEmpty(getenv("CONCORD_SHUTDOWN_TIMEOUT"), "20s"), "how long to wait for requests in flight on shutdown (env CONCORD_SHUTDOWN_TIMEOUT)")
	for _, add := range extra {
		add(fs)
	}
	if err := fs.Parse(args); err != nil {
		return nil, err
	}
	if boolErr != nil {
		return nil, boolErr
	}
	if fs.NArg() > 0 {
		return nil, fmt.Errorf("unexpected arguments: %s", strings.Join(fs.Args(), " "))
	}
	var err error
	if c.SMTPPort, err = strconv.Atoi(portStr); err != nil || c.SMTPPort <= 0 || c.SMTPPort > 65535 {
		return nil, fmt.Errorf("smtp port %q: want 1-65535", portStr)
	}
	if c.ShutdownTimeout, err = time.ParseDuration(shutdown); err != nil {
		return nil, fmt.Errorf("shutdown timeout: %w", err)
	}
	return c, c.validate()
}

func (c *Config) validate() error {
	var errs []error
	if c.DatabaseURL != "" && !strings.HasPrefix(c.DatabaseURL, "postgres://") && !strings.HasPrefix(c.DatabaseURL, "postgresql://") &&
		!strings.HasPrefix(c.DatabaseURL, "sqlite:") {
		errs = append(errs, errors.New("database: want postgres://… or sqlite:PATH"))
	}
	if c.BaseURL == "" {
		c.BaseURL = "http://" + c.Addr
	} else if u, err := url.Parse(c.BaseURL); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		errs = append(errs, errors.New("base-url: want http(s)://host[:port]"))
	}
	c.BaseURL = strings.TrimRight(c.BaseURL, "/")
	switch c.LogFormat {
	case "text", "json":
	default:
		errs = append(errs, errors.New("log-format: want text or json"))
	}
	switch c.SMTPTLS {
	case "none", "starttls", "tls":
	default:
		errs = append(errs, errors.New("smtp-tls: want none, starttls or tls"))
	}
	if c.LibreTranslateURL != "" {
		if u, err := url.Parse(c.LibreTranslateURL); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			errs = append(errs, errors.New("libretranslate-url: want http(s)://host[:port]"))
		}
	}
	if c.NATSURL != "" && !strings.HasPrefix(c.NATSURL, "nats://") && !strings.HasPrefix(c.NATSURL, "tls://") {
		errs = append(errs, errors.New("nats: want nats://host:port"))
	}
	return errors.Join(errs...)
}

func firstNonEmpty(s ...string) string {
	for _, v := range s {
		if v != "" {
			return v
		}
	}
	return ""
}
