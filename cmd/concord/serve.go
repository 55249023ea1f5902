package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"runtime/pprof"
	"sync"
	"time"

	"concord"
	"concord/internal/api"
	"concord/internal/auth"
	"concord/internal/config"
	"concord/internal/demo"
	"concord/internal/documents"
	"concord/internal/httpx"
	"concord/internal/i18n"
	"concord/internal/jobs"
	"concord/internal/live"
	"concord/internal/mail"
	"concord/internal/membership"
	"concord/internal/mt"
	"concord/internal/procedures"
	"concord/internal/public"
	"concord/internal/sqldb"
	"concord/internal/web"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

func newLogger(cfg *config.Config, w io.Writer) *slog.Logger {
	var level slog.Level
	_ = level.UnmarshalText([]byte(cfg.LogLevel))
	opts := &slog.HandlerOptions{Level: level}
	if cfg.LogFormat == "json" {
		return slog.New(slog.NewJSONHandler(w, opts))
	}
	return slog.New(slog.NewTextHandler(w, opts))
}

// serve runs the server until ctx ends, then drains requests in flight.
func serve(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	var cpuProfile string
	cfg, err := config.Parse("concord serve", args, getenv, stderr, func(fs *flag.FlagSet) {
		fs.StringVar(&cpuProfile, "cpuprofile", "", "write a CPU profile of the whole run to this file (for performance work)")
	})
	if err != nil {
		return err
	}
	if cpuProfile != "" {
		f, err := os.Create(cpuProfile)
		if err != nil {
			return fmt.Errorf("cpu profile: %w", err)
		}
		if err := pprof.StartCPUProfile(f); err != nil {
			f.Close()
			return fmt.Errorf("cpu profile: %w", err)
		}
		defer func() { pprof.StopCPUProfile(); f.Close() }()
	}
	log := newLogger(cfg, stderr)
	clock := concord.SystemClock{}
	db, err := openDB(ctx, cfg)
	if err != nil {
		return err
	}
	defer db.Close()
	log.Info("database ready", "dialect", db.Dialect())

	bundle, err := i18n.Load()
	if err != nil {
		return err
	}
	params := auth.DefaultPasswordParams
	if cfg.Demo {
		loaded, err := demo.Load(ctx, db, clock, params)
		if err != nil {
			return fmt.Errorf("load demo federation: %w", err)
		}
		if loaded {
			log.Info("demo federation loaded")
		}
	}

	worker := jobs.NewWorker(db, clock, log)
	authSvc := auth.NewService(db, clock, params)
	members := membership.NewService(membership.Config{DB: db, Clock: clock, PasswordParams: params, BaseURL: cfg.BaseURL, KickJobs: worker.Kick})
	sender, err := newSender(cfg, log)
	if err != nil {
		return err
	}
	worker.Register(membership.JobInvitationMail, membership.InvitationMailHandler(sender, func(lang string) membership.Translator {
		return bundle.Localizer(lang)
	}))

	engines, err := newEngines(cfg, log)
	if err != nil {
		return err
	}
	files, err := documents.NewFileStore(filepath.Join(cfg.DataDir, "attachments"))
	if err != nil {
		return err
	}
	changed := &changeHooks{}
	docs := documents.NewService(documents.Config{DB: db, Clock: clock, Engines: engines, Files: files, OnChange: changed.run})

	var broker live.Broker
	if cfg.NATSURL != "" {
		nb, err := live.NewNATSBroker(cfg.NATSURL, live.NATSLogger(log))
		if err != nil {
			return fmt.Errorf("connect to NATS: %w", err)
		}
		defer nb.Close()
		broker = nb
		log.Info("live events shared through NATS", "url", cfg.NATSURL)
	}
	hub, err := live.NewHub(live.Options{Broker: broker, Log: log})
	if err != nil {
		return err
	}
	defer hub.Close()
	procs := procedures.NewService(procedures.Config{DB: db, Clock: clock, Publisher: hub, Log: log, KickJobs: worker.Kick})
	worker.Register(procedures.JobClose, procs.CloseHandler)
	worker.Register(procedures.JobRemind, procs.RemindHandler(cfg.BaseURL))
	worker.Register(procedures.JobMail, procedures.ReminderMailHandler(sender, func(lang string) procedures.Translator {
		return bundle.Localizer(lang)
	}))
	if err := procs.CloseOverdue(ctx); err != nil {
		log.Warn("closing overdue procedures", "err", err)
	}

	reg := prometheus.NewRegistry()
	reg.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	handler, err := newHandler(cfg, log, reg, db, bundle, authSvc, members, docs, procs, hub, changed, clock)
	if err != nil {
		return err
	}

	ln, err := net.Listen("tcp", cfg.Addr)
	if err != nil {
		return fmt.Errorf("listen: %w", err)
	}
	srv := &http.Server{Handler: handler, ReadHeaderTimeout: 10 * time.Second, ReadTimeout: 60 * time.Second,
		IdleTimeout: 120 * time.Second, ErrorLog: slog.NewLogLogger(log.Handler(), slog.LevelWarn)}
	// Live streams never go idle: end them when shutdown starts, so it only waits for
	// ordinary requests in flight.
	srv.RegisterOnShutdown(hub.Close)

	var wg sync.WaitGroup
	bg, stopBG := context.WithCancel(context.WithoutCancel(ctx))
	wg.Add(2)
	go func() { defer wg.Done(); worker.Run(bg) }()
	go func() { defer wg.Done(); sweepSessions(bg, db, clock, log) }()

	url := "http://" + ln.Addr().String()
	fmt.Fprintf(stdout, "Concord is running at %s\n", url)
	if cfg.Demo {
		printDemoLogins(stdout)
	}
	served := make(chan error, 1)
	go func() { served <- srv.Serve(ln) }()
	select {
	case err := <-served:
		procs.Close()
		stopBG()
		wg.Wait()
		return err
	case <-ctx.Done():
	}
	log.Info("shutting down: finishing requests in flight", "timeout", cfg.ShutdownTimeout)
	shutdownCtx, cancel := context.WithTimeout(context.Background(), cfg.ShutdownTimeout)
	defer cancel()
	err = srv.Shutdown(shutdownCtx)
	procs.Close() // writes the responses already queued
	stopBG()
	wg.Wait()
	if err != nil {
		return fmt.Errorf("shutdown: %w", err)
	}
	if err := <-served; err != nil && !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	log.Info("stopped")
	return nil
}

// changeHooks fans the documents service's "readers see something new" signal out to the
// caches that must drop stale pages. It is filled while wiring, before serving starts.
type changeHooks struct{ fns []func(docID string) }

func (c *changeHooks) add(fn func(docID string)) { c.fns = append(c.fns, fn) }

func (c *changeHooks) run(docID string) {
	for _, fn := range c.fns {
		fn(docID)
	}
}

// newEngines builds the configured machine translation engines, Apertium first.
func newEngines(cfg *config.Config, log *slog.Logger) ([]mt.Engine, error) {
	var engines []mt.Engine
	switch cfg.Apertium {
	case "off":
	case "auto":
		if path, err := exec.LookPath("apertium"); err == nil {
			engines = append(engines, mt.NewApertium(mt.ApertiumConfig{Command: path}))
		} else {
			log.Info("Apertium is not installed: offline machine translation is off")
		}
	default:
		engines = append(engines, mt.NewApertium(mt.ApertiumConfig{Command: cfg.Apertium}))
	}
	if cfg.LibreTranslateURL != "" {
		lt, err := mt.NewLibreTranslate(mt.LibreTranslateConfig{URL: cfg.LibreTranslateURL, APIKey: cfg.LibreTranslateKey})
		if err != nil {
			return nil, err
		}
		engines = append(engines, lt)
	}
	if cfg.DeepLKey != "" {
		dl, err := mt.NewDeepL(mt.DeepLConfig{URL: cfg.DeepLURL, APIKey: cfg.DeepLKey})
		if err != nil {
			return nil, err
		}
		engines = append(engines, dl)
	}
	return engines, nil
}

func printDemoLogins(w io.Writer) {
	fmt.Fprintf(w, "Demo logins (password %q for all):\n", demo.Password)
	for _, l := range demo.Logins() {
		fmt.Fprintf(w, "  %-12s %s\n", l.Login, l.Role)
	}
}

func newSender(cfg *config.Config, log *slog.Logger) (mail.Sender, error) {
	if cfg.SMTPHost == "" {
		log.Warn("no SMTP server configured: emails are written to the log, not sent")
		return mail.NewLogSender(log), nil
	}
	return mail.NewSMTPSender(mail.SMTPConfig{Host: cfg.SMTPHost, Port: cfg.SMTPPort, Username: cfg.SMTPUsername,
		Password: cfg.SMTPPassword, From: cfg.SMTPFrom, TLS: cfg.SMTPTLS})
}

// newHandler builds the whole HTTP surface: health, metrics, the JSON API and the HTML UI,
// behind logging, security headers and cross-origin (CSRF) protection.
func newHandler(cfg *config.Config, log *slog.Logger, reg *prometheus.Registry, db *sqldb.DB, bundle *i18n.Bundle,
	authSvc *auth.Service, members *membership.Service, docs *documents.Service, procs *procedures.Service, hub *live.Hub,
	changed *changeHooks, clock concord.Clock) (http.Handler, error) {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		io.WriteString(w, "ok\n")
	})
	mux.HandleFunc("GET /readyz", func(w http.ResponseWriter, r *http.Request) {
		ctx, cancel := context.WithTimeout(r.Context(), 2*time.Second)
		defer cancel()
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		if err := db.Ping(ctx); err != nil {
			log.Error("readiness check failed", "err", err)
			w.WriteHeader(http.StatusServiceUnavailable)
			io.WriteString(w, "database unreachable\n")
			return
		}
		io.WriteString(w, "ready\n")
	})
	reg.MustRegister(
		prometheus.NewGaugeFunc(prometheus.GaugeOpts{Name: "concord_live_subscribers", Help: "Open live (SSE) connections."},
			func() float64 { return float64(hub.Stats().Subscribers) }),
		prometheus.NewCounterFunc(prometheus.CounterOpts{Name: "concord_live_resets_total", Help: "Live watchers that fell behind and were reset to the latest state."},
			func() float64 { return float64(hub.Stats().Resets) }),
	)
	mux.Handle("GET /metrics", promhttp.HandlerFor(reg, promhttp.HandlerOpts{}))
	api.New(api.Deps{Auth: authSvc, Members: members, Docs: docs, Procs: procs, Live: hub, I18n: bundle, Log: log, Clock: clock}).Register(mux)
	pub := public.New(public.Deps{Docs: docs, Members: members, I18n: bundle, Log: log, BaseURL: cfg.BaseURL})
	pub.Register(mux)
	changed.add(pub.Invalidate)
	ui, err := web.New(web.Deps{Auth: authSvc, Members: members, Docs: docs, Procs: procs, Live: hub, I18n: bundle, Log: log, Clock: clock, TrustProxy: cfg.TrustProxy})
	if err != nil {
		return nil, err
	}
	ui.Register(mux)

	cop := http.NewCrossOriginProtection()
	// The JSON API authenticates with bearer tokens only, which a browser never attaches on
	// its own, so cross-site requests there carry no ambient authority to abuse.
	cop.AddInsecureBypassPattern("/api/v1/")
	cop.SetDenyHandler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		loc := bundle.Localizer(bundle.Negotiate(bundle.FromAcceptLanguage(r.Header.Get("Accept-Language"))...))
		http.Error(w, loc.T("error.csrf"), http.StatusForbidden)
	}))
	return httpx.Observe(log, httpx.NewMetrics(reg), httpx.SecurityHeaders(cop.Handler(mux))), nil
}

// sweepSessions deletes expired sessions every hour.
func sweepSessions(ctx context.Context, db *sqldb.DB, clock concord.Clock, log *slog.Logger) {
	t := time.NewTicker(time.Hour)
	defer t.Stop()
	for {
		if err := db.WithTx(ctx, func(tx *sqldb.Tx) error {
			_, err := tx.DeleteExpiredSessions(clock.Now())
			return err
		}); err != nil && ctx.Err() == nil {
			log.Warn("sweep sessions", "err", err)
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}
