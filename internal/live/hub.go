package live

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"

	"concord"
)

// Broker carries events between instances (NATS). A nil Broker means a single instance.
type Broker interface {
	// Publish sends e to the other instances. It must not keep e.Data after returning.
	Publish(ctx context.Context, e Event) error
	// Subscribe calls fn for each event published by other instances (fn is safe for
	// concurrent use). An Event with an empty Topic means the broker may have lost events (a
	// reconnect, a slow consumer): the hub then sends every subscriber the state and a reset.
	Subscribe(fn func(Event)) (stop func(), err error)
}

// Options configure a Hub. Zero values mean the defaults.
type Options struct {
	Buffer       int           // events kept per topic for resume; default 256
	QueueLen     int           // events a subscriber may fall behind before a reset; default 64, at most Buffer
	Broker       Broker        // carries events to other instances; nil for one instance
	Log          *slog.Logger  // default: discard
	Heartbeat    time.Duration // keep-alive comment after this much idleness; default 15s
	WriteTimeout time.Duration // a stream write that takes longer ends the stream; default 30s
	TopicTTL     time.Duration // topics without subscribers are forgotten after this; default 15m
	Now          func() time.Time
}

// Defaults for Options.
const (
	DefaultBuffer       = 256
	DefaultQueueLen     = 64
	DefaultHeartbeat    = 15 * time.Second
	DefaultWriteTimeout = 30 * time.Second
	DefaultTopicTTL     = 15 * time.Minute
)

// ErrClosed is returned by Publish after the hub was closed.
var ErrClosed = errors.New("live: hub closed")

// Hub fans events out to subscribers of topics; see the package documentation.
type Hub struct {
	buffer       uint64
	queueLen     uint64
	heartbeat    time.Duration
	writeTimeout time.Duration
	topicTTL     time.Duration
	broker       Broker
	log          *slog.Logger
	now          func() time.Time

	mu     sync.RWMutex
	topics map[string]*topic
	closed bool

	done       chan struct{}
	stopBroker func()
	wg         sync.WaitGroup

	published, duplicates, overflows, dropped, resets, brokerGaps, brokerErrors atomic.Uint64
	slots                                                                       atomic.Uint64 // subscriptions so far, for their heartbeat slot
	subscribers                                                                 atomic.Int64
}

// Stats are the hub's counters, for /metrics.
type Stats struct {
	Subscribers  int    // open subscriptions
	Topics       int    // topics held in memory
	Published    uint64 // events accepted, local and from the broker
	Duplicates   uint64 // events ignored because their ID was not newer
	Overflows    uint64 // times a slow subscriber fell too far behind and was reset
	Dropped      uint64 // events those subscribers skipped
	Resets       uint64 // reset events sent (overflow, resume gap, broker gap)
	BrokerGaps   uint64 // times the broker reported that events may have been lost
	BrokerErrors uint64 // failed broker publishes
}

// topic is one watched thing. The ring and snap are written under mu and read without it.
type topic struct {
	name string
	snap atomic.Pointer[snapshot]
	// ring holds the frame with sequence number seq at seq % len(ring). It is allocated
	// with the first event (before the snapshot that makes it visible), so topics that are
	// only watched stay small.
	ring []atomic.Pointer[Frame]

	mu         sync.Mutex
	floor      uint64 // every event with a greater ID is in the ring, if floorKnown
	floorKnown bool
	subs       []*Subscription
	lastUsed   time.Time
	dead       bool // evicted or closed; look the topic up again
}

// snapshot is the immutable head of a topic: the newest sequence number and the state.
type snapshot struct {
	head   uint64   // sequence number of the newest frame, 0 for none
	states []*Frame // latest frame of each name, oldest first
}

var emptySnapshot = &snapshot{}

// Subscription receives the events of one topic. Wait on C, then call Next.
type Subscription struct {
	hub *Hub
	t   *topic
	c   chan struct{}

	idx    int    // position in t.subs, under t.mu
	slot   uint64 // which of the heartbeat ticks checks this subscription
	closed bool   // under t.mu

	flags  atomic.Uint32
	active atomic.Bool // Next returned events since the last heartbeat tick

	// Owned by the goroutine calling Next.
	cursor    uint64    // sequence number of the last frame taken
	limit     uint64    // how far the cursor may fall behind before an overflow
	after     uint64    // events with an ID not greater than this are skipped (resume)
	init      *snapshot // state to send first, or nil
	initReset bool      // send a reset after init
}

const (
	flagReset     = 1 << iota // send state and reset
	flagHeartbeat             // send a heartbeat comment if nothing else
)

// NewHub returns a running hub. With a Broker, it subscribes to the other instances' events.
func NewHub(opts Options) (*Hub, error) {
	if opts.Buffer < 0 || opts.QueueLen < 0 || opts.Heartbeat < 0 || opts.WriteTimeout < 0 || opts.TopicTTL < 0 {
		return nil, concord.Errorf(concord.EINVALID, "live: options must not be negative")
	}
	h := &Hub{
		buffer: uint64(cmpOr(opts.Buffer, DefaultBuffer)), queueLen: uint64(cmpOr(opts.QueueLen, DefaultQueueLen)),
		heartbeat: cmpOr(opts.Heartbeat, DefaultHeartbeat), writeTimeout: cmpOr(opts.WriteTimeout, DefaultWriteTimeout),
		topicTTL: cmpOr(opts.TopicTTL, DefaultTopicTTL), broker: opts.Broker, log: opts.Log, now: opts.Now,
		topics: map[string]*topic{}, done: make(chan struct{}),
	}
	h.queueLen = min(h.queueLen, h.buffer)
	if h.log == nil {
		h.log = slog.New(slog.DiscardHandler)
	}
	if h.now == nil {
		h.now = time.Now
	}
	if h.broker != nil {
		stop, err := h.broker.Subscribe(h.receive)
		if err != nil {
			return nil, fmt.Errorf("live: subscribe to broker: %w", err)
		}
		h.stopBroker = stop
	}
	h.wg.Add(1)
	go h.tick()
	return h, nil
}

func cmpOr[T int | time.Duration](v, def T) T {
	if v == 0 {
		return def
	}
	return v
}

// Publish delivers e to the topic's subscribers on this instance and, with a Broker, to the
// other instances. It never waits for subscribers. An event not newer than the latest of its
// (topic, name) is ignored and not forwarded. The error is EINVALID for a malformed event,
// ErrClosed after Close, or the broker's; local delivery has happened in the last case.
func (h *Hub) Publish(ctx context.Context, e Event) error {
	if err := validate(e); err != nil {
		return err
	}
	f := newFrame(e)
	fresh, err := h.deliver(f)
	if err != nil || !fresh || h.broker == nil {
		return err
	}
	if err := h.broker.Publish(ctx, f.Event); err != nil {
		h.brokerErrors.Add(1)
		return fmt.Errorf("live: broker publish %s %s %d: %w", e.Topic, e.Name, e.ID, err)
	}
	return nil
}

// receive takes an event from the broker.
func (h *Hub) receive(e Event) {
	if e.Topic == "" {
		h.gap()
		return
	}
	if err := validate(e); err != nil {
		h.log.Warn("live: invalid event from broker", "err", err)
		return
	}
	if _, err := h.deliver(newFrame(e)); err != nil && !errors.Is(err, ErrClosed) {
		h.log.Warn("live: deliver event from broker", "err", err)
	}
}

// topic returns the topic named name, creating it.
func (h *Hub) topic(name string) (*topic, error) {
	h.mu.RLock()
	t, closed := h.topics[name], h.closed
	h.mu.RUnlock()
	if closed {
		return nil, ErrClosed
	}
	if t != nil {
		return t, nil
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.closed {
		return nil, ErrClosed
	}
	if t = h.topics[name]; t == nil {
		t = &topic{name: name, lastUsed: h.now()}
		t.snap.Store(emptySnapshot)
		h.topics[name] = t
	}
	return t, nil
}

// lockTopic returns the live topic named name, locked.
func (h *Hub) lockTopic(name string) (*topic, error) {
	for {
		t, err := h.topic(name)
		if err != nil {
			return nil, err
		}
		t.mu.Lock()
		if !t.dead {
			return t, nil
		}
		t.mu.Unlock()
	}
}

// deliver adds f to its topic and pokes the subscribers. It reports whether f was new.
func (h *Hub) deliver(f *Frame) (bool, error) {
	e := &f.Event
	t, err := h.lockTopic(e.Topic)
	if err != nil {
		return false, err
	}
	defer t.mu.Unlock()
	old := t.snap.Load()
	states := make([]*Frame, 0, len(old.states)+1)
	for _, s := range old.states {
		if s.Event.Name != e.Name {
			states = append(states, s)
		} else if e.ID <= s.Event.ID {
			h.duplicates.Add(1)
			return false, nil
		}
	}
	states = append(states, f)
	f.seq = old.head + 1
	if t.ring == nil {
		t.ring = make([]atomic.Pointer[Frame], h.buffer)
	}
	if !t.floorKnown {
		// Events before this one (even of the same ID) may have been missed.
		t.floor, t.floorKnown = max(t.floor, e.ID), true
	}
	slot := &t.ring[f.seq%h.buffer]
	if gone := slot.Load(); gone != nil && gone.Event.ID > t.floor {
		t.floor = gone.Event.ID
	}
	slot.Store(f)
	t.snap.Store(&snapshot{head: f.seq, states: states})
	t.lastUsed = h.now()
	h.published.Add(1)
	for _, s := range t.subs {
		s.poke()
	}
	return true, nil
}

// Known tells the hub that the durable state of topic reflects every event up to id, e.g.
// the procedure's current revision read while checking that the client may watch it. A hub
// that has not followed the topic (it just started, evicted the topic, or lost broker
// events) then resumes a client at id or later without a reset; a client behind id gets the
// state and a reset, as it missed something. Known is cheap; call it before ServeSSE.
func (h *Hub) Known(topic string, id uint64) {
	t, err := h.lockTopic(topic)
	if err != nil {
		return
	}
	if !t.floorKnown {
		// Nothing arrived since the hub started following the topic or lost events; what
		// the ring holds is older, and id may come from a stale read: take the larger.
		for _, f := range t.snap.Load().states {
			id = max(id, f.Event.ID)
		}
		t.floor, t.floorKnown = max(t.floor, id), true
	}
	t.lastUsed = h.now()
	t.mu.Unlock()
}

// gap handles the broker's report that events may have been lost: every subscriber gets the
// state and a reset, and no topic can serve a resume until its next event.
func (h *Hub) gap() {
	h.brokerGaps.Add(1)
	h.log.Warn("live: broker may have lost events; resetting subscribers")
	for _, t := range h.topicList() {
		t.mu.Lock()
		t.floorKnown = false
		for _, s := range t.subs {
			s.flags.Or(flagReset)
			s.poke()
		}
		t.mu.Unlock()
	}
}

func (h *Hub) topicList() []*topic {
	h.mu.RLock()
	defer h.mu.RUnlock()
	list := make([]*topic, 0, len(h.topics))
	for _, t := range h.topics {
		list = append(list, t)
	}
	return list
}

// heartbeatSlices spreads heartbeats over the interval: each tick checks one slice of the
// subscriptions. Checking all at once made 10,000 idle watchers a burst of 10,000 writes
// every interval, as costly as a tally, in the middle of whatever the server was doing.
const heartbeatSlices = 16

// tick runs the shared heartbeat ticker and evicts idle topics once per interval.
func (h *Hub) tick() {
	defer h.wg.Done()
	tk := time.NewTicker(max(h.heartbeat/heartbeatSlices, 1))
	defer tk.Stop()
	for slot := uint64(0); ; slot = (slot + 1) % heartbeatSlices {
		select {
		case <-h.done:
			return
		case <-tk.C:
		}
		now := h.now()
		var idle []*topic
		for _, t := range h.topicList() {
			t.mu.Lock()
			for _, s := range t.subs {
				if s.slot == slot && !s.active.Swap(false) {
					s.flags.Or(flagHeartbeat)
					s.poke()
				}
			}
			if slot == 0 && len(t.subs) == 0 && now.Sub(t.lastUsed) >= h.topicTTL {
				idle = append(idle, t)
			}
			t.mu.Unlock()
		}
		if len(idle) > 0 {
			h.evict(idle, now)
		}
	}
}

func (h *Hub) evict(idle []*topic, now time.Time) {
	h.mu.Lock()
	defer h.mu.Unlock()
	for _, t := range idle {
		t.mu.Lock()
		if len(t.subs) == 0 && now.Sub(t.lastUsed) >= h.topicTTL && h.topics[t.name] == t {
			t.dead = true
			delete(h.topics, t.name)
		}
		t.mu.Unlock()
	}
}

// Subscribe returns a subscription to topic for a client that last saw lastEventID (0 for
// none); see the package documentation for what it receives first. After Close of the hub
// the subscription is already closed.
func (h *Hub) Subscribe(topic string, lastEventID uint64) *Subscription {
	s := &Subscription{hub: h, c: make(chan struct{}, 1), limit: h.queueLen, after: lastEventID,
		slot: h.slots.Add(1) % heartbeatSlices}
	t, err := h.lockTopic(topic)
	if err != nil {
		s.closed = true
		close(s.c)
		return s
	}
	defer t.mu.Unlock()
	snap := t.snap.Load()
	s.t, s.cursor = t, snap.head
	switch {
	case lastEventID == 0:
		if len(snap.states) > 0 {
			s.init = snap
		}
	case t.floorKnown && lastEventID >= t.floor:
		lo := uint64(1)
		if snap.head > h.buffer {
			lo = snap.head - h.buffer + 1
		}
		for seq := lo; seq <= snap.head; seq++ {
			if t.ring[seq%h.buffer].Load().Event.ID > lastEventID {
				s.cursor = seq - 1
				break
			}
		}
		s.limit = max(s.limit, snap.head-s.cursor)
	default:
		s.init, s.initReset = snap, true
	}
	s.idx = len(t.subs)
	t.subs = append(t.subs, s)
	t.lastUsed = h.now()
	if s.init != nil || s.cursor != snap.head {
		s.poke()
	}
	h.subscribers.Add(1)
	return s
}

// poke signals that the subscription has something to read, without blocking.
func (s *Subscription) poke() {
	select {
	case s.c <- struct{}{}:
	default:
	}
}

// C returns the readiness channel: a receive means Next may return frames. It is closed when
// the subscription or the hub is closed.
func (s *Subscription) C() <-chan struct{} { return s.c }

// Next appends the frames pending for the subscriber to buf and returns it: events in order,
// or after an overflow the state and a reset, or a heartbeat comment when the subscriber was
// idle. Frames are shared: clear buf before reusing it so they can be freed. Next must not be
// called from two goroutines at once.
func (s *Subscription) Next(buf []*Frame) []*Frame {
	t, h := s.t, s.hub
	if t == nil {
		return buf
	}
	start := len(buf)
	snap := t.snap.Load()
	flags := s.flags.Swap(0)
	reset := flags&flagReset != 0
	if !reset {
		if s.init != nil {
			buf = append(buf, s.init.states...)
			if s.initReset {
				buf = append(buf, resetFrame)
			}
		}
		overflow := snap.head-s.cursor > s.limit
		for seq := s.cursor + 1; !overflow && seq <= snap.head; seq++ {
			f := t.ring[seq%h.buffer].Load()
			if f == nil || f.seq != seq { // overwritten: it left the ring before we read it
				overflow = true
			} else if f.Event.ID > s.after {
				buf = append(buf, f)
			}
		}
		if overflow {
			h.overflows.Add(1)
			h.dropped.Add(snap.head - s.cursor)
			reset = true
		} else if s.initReset {
			h.resets.Add(1)
		}
	}
	if reset {
		buf = append(buf[:start], snap.states...)
		buf = append(buf, resetFrame)
		h.resets.Add(1)
	}
	s.init, s.initReset = nil, false
	s.cursor, s.limit = snap.head, h.queueLen
	if len(buf) > start {
		s.active.Store(true)
	} else if flags&flagHeartbeat != 0 {
		buf = append(buf, heartbeatFrame)
	}
	return buf
}

// Close ends the subscription and closes C. It is safe to call more than once.
func (s *Subscription) Close() {
	t := s.t
	if t == nil {
		return
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	if s.closed {
		return
	}
	last := len(t.subs) - 1
	t.subs[s.idx] = t.subs[last]
	t.subs[s.idx].idx = s.idx
	t.subs[last] = nil
	t.subs = t.subs[:last]
	s.closed = true
	close(s.c)
	t.lastUsed = s.hub.now()
	s.hub.subscribers.Add(-1)
}

// Close stops the hub: the broker subscription ends, every subscription closes (so ServeSSE
// returns) and Publish fails with ErrClosed. It is safe to call more than once.
func (h *Hub) Close() {
	h.mu.Lock()
	if h.closed {
		h.mu.Unlock()
		return
	}
	h.closed = true
	topics := h.topics
	h.topics = map[string]*topic{}
	h.mu.Unlock()
	close(h.done)
	if h.stopBroker != nil {
		h.stopBroker()
	}
	for _, t := range topics {
		t.mu.Lock()
		for _, s := range t.subs {
			s.closed = true
			close(s.c)
			h.subscribers.Add(-1)
		}
		t.subs, t.dead = nil, true
		t.mu.Unlock()
	}
	h.wg.Wait()
}

// Watchers returns how many subscriptions topic has on this instance.
func (h *Hub) Watchers(topic string) int {
	h.mu.RLock()
	t := h.topics[topic]
	h.mu.RUnlock()
	if t == nil {
		return 0
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	return len(t.subs)
}

// Stats returns the hub's counters.
func (h *Hub) Stats() Stats {
	h.mu.RLock()
	topics := len(h.topics)
	h.mu.RUnlock()
	return Stats{
		Subscribers: int(h.subscribers.Load()), Topics: topics,
		Published: h.published.Load(), Duplicates: h.duplicates.Load(),
		Overflows: h.overflows.Load(), Dropped: h.dropped.Load(), Resets: h.resets.Load(),
		BrokerGaps: h.brokerGaps.Load(), BrokerErrors: h.brokerErrors.Load(),
	}
}
