package live

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"strconv"
	"strings"
	"sync"

	"github.com/nats-io/nats.go"
)

// NATS message headers of a live event; the payload is Event.Data.
const (
	natsTopic    = "Concord-Topic"
	natsID       = "Concord-Id"
	natsName     = "Concord-Name"
	natsInstance = "Concord-Instance"
)

// DefaultNATSSubject is the subject prefix of live events: an event on topic T goes to
// "<prefix>.<T with '.', '*', '>', spaces and controls replaced by '_'>", and the broker
// subscribes to "<prefix>.>". The exact topic travels in a header.
const DefaultNATSSubject = "concord.live"

// NATSBroker is a Broker over core NATS (at-most-once, no persistence: a client that misses
// events resumes from the hub's ring or refetches after a reset). Each broker has a random
// instance ID; the connection is made with NoEcho and messages carrying its own instance ID
// are ignored too, so an instance never receives its own events back.
type NATSBroker struct {
	nc       *nats.Conn
	prefix   string
	instance string
	log      *slog.Logger

	mu  sync.Mutex
	fn  func(Event)
	sub *nats.Subscription
}

// NATSOption configures NewNATSBroker.
type NATSOption func(*natsConfig)

type natsConfig struct {
	prefix string
	log    *slog.Logger
	opts   []nats.Option
}

// NATSSubject sets the subject prefix (default DefaultNATSSubject), e.g. to keep two
// federations or test runs apart on one NATS server.
func NATSSubject(prefix string) NATSOption { return func(c *natsConfig) { c.prefix = prefix } }

// NATSLogger sets the logger for connection events (default: discard).
func NATSLogger(log *slog.Logger) NATSOption { return func(c *natsConfig) { c.log = log } }

// NATSConnOptions adds nats.go connection options (TLS, credentials, timeouts).
func NATSConnOptions(opts ...nats.Option) NATSOption {
	return func(c *natsConfig) { c.opts = append(c.opts, opts...) }
}

// NewNATSBroker connects to the NATS server at url. It reconnects forever; after a
// reconnect (and when the server reports this broker as a slow consumer) it tells the hub
// that events may have been lost.
func NewNATSBroker(url string, opts ...NATSOption) (*NATSBroker, error) {
	cfg := natsConfig{prefix: DefaultNATSSubject, log: slog.New(slog.DiscardHandler)}
	for _, o := range opts {
		o(&cfg)
	}
	if cfg.prefix == "" || strings.ContainsAny(cfg.prefix, "*> \t\r\n") || strings.HasSuffix(cfg.prefix, ".") {
		return nil, fmt.Errorf("live: invalid NATS subject prefix %q", cfg.prefix)
	}
	var id [8]byte
	_, _ = rand.Read(id[:]) // crypto/rand.Read never fails on supported platforms
	b := &NATSBroker{prefix: cfg.prefix, instance: hex.EncodeToString(id[:]), log: cfg.log}
	nopts := []nats.Option{
		nats.Name("concord-live-" + b.instance),
		nats.NoEcho(),
		nats.MaxReconnects(-1),
		nats.DisconnectErrHandler(func(_ *nats.Conn, err error) {
			b.log.Warn("live: NATS disconnected", "err", err)
		}),
		nats.ReconnectHandler(func(nc *nats.Conn) {
			b.log.Info("live: NATS reconnected", "url", nc.ConnectedUrlRedacted())
			b.gap()
		}),
		nats.ErrorHandler(func(_ *nats.Conn, sub *nats.Subscription, err error) {
			b.log.Warn("live: NATS error", "err", err)
			if errors.Is(err, nats.ErrSlowConsumer) {
				b.gap()
			}
		}),
	}
	nc, err := nats.Connect(url, append(nopts, cfg.opts...)...)
	if err != nil {
		return nil, fmt.Errorf("live: connect to NATS: %w", err)
	}
	b.nc = nc
	return b, nil
}

// Instance returns the broker's random instance ID.
func (b *NATSBroker) Instance() string { return b.instance }

// Publish sends e to the other instances. nats.go buffers the message (also while
// reconnecting) and returns without waiting for the server; ctx is not used.
func (b *NATSBroker) Publish(_ context.Context, e Event) error {
	m := &nats.Msg{
		Subject: b.subject(e.Topic),
		Header: nats.Header{
			natsTopic: {e.Topic}, natsID: {strconv.FormatUint(e.ID, 10)},
			natsName: {e.Name}, natsInstance: {b.instance},
		},
		Data: e.Data,
	}
	return b.nc.PublishMsg(m)
}

// subject maps a topic to its NATS subject.
func (b *NATSBroker) subject(topic string) string {
	var sb strings.Builder
	sb.Grow(len(b.prefix) + 1 + len(topic))
	sb.WriteString(b.prefix)
	sb.WriteByte('.')
	for _, r := range topic {
		if r == '.' || r == '*' || r == '>' || r <= ' ' || r == 0x7f {
			r = '_'
		}
		sb.WriteRune(r)
	}
	return sb.String()
}

// Subscribe calls fn for each event from the other instances. One subscription at a time.
func (b *NATSBroker) Subscribe(fn func(Event)) (stop func(), err error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.sub != nil {
		return nil, errors.New("live: NATS broker already subscribed")
	}
	sub, err := b.nc.Subscribe(b.prefix+".>", func(m *nats.Msg) {
		if m.Header.Get(natsInstance) == b.instance {
			return
		}
		topic := m.Header.Get(natsTopic)
		id, err := strconv.ParseUint(m.Header.Get(natsID), 10, 64)
		if err != nil || topic == "" {
			b.log.Warn("live: NATS message without topic or event ID", "subject", m.Subject)
			return
		}
		fn(Event{Topic: topic, ID: id, Name: m.Header.Get(natsName), Data: m.Data})
	})
	if err == nil {
		err = b.nc.Flush() // the server has the subscription when Subscribe returns
	}
	if err != nil {
		if sub != nil {
			_ = sub.Unsubscribe()
		}
		return nil, fmt.Errorf("live: NATS subscribe: %w", err)
	}
	b.sub, b.fn = sub, fn
	return func() {
		b.mu.Lock()
		defer b.mu.Unlock()
		if b.sub == sub {
			_ = sub.Unsubscribe()
			b.sub, b.fn = nil, nil
		}
	}, nil
}

// gap tells the subscriber that events may have been lost.
func (b *NATSBroker) gap() {
	b.mu.Lock()
	fn := b.fn
	b.mu.Unlock()
	if fn != nil {
		fn(Event{})
	}
}

// Close closes the connection.
func (b *NATSBroker) Close() { b.nc.Close() }
