package live

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"concord"
)

// MustHub returns a hub closed at the end of the test.
func MustHub(tb testing.TB, opts Options) *Hub {
	tb.Helper()
	h, err := NewHub(opts)
	if err != nil {
		tb.Fatalf("NewHub: %v", err)
	}
	tb.Cleanup(h.Close)
	return h
}

// MustPublish publishes events given as "name:id" on topic.
func MustPublish(tb testing.TB, h *Hub, topic string, events ...string) {
	tb.Helper()
	for _, ev := range events {
		name, id, _ := strings.Cut(ev, ":")
		var n uint64
		fmt.Sscan(id, &n)
		if err := h.Publish(context.Background(), Event{Topic: topic, ID: n, Name: name, Data: fmt.Appendf(nil, `{"%s":%d}`, name, n)}); err != nil {
			tb.Fatalf("Publish %s: %v", ev, err)
		}
	}
}

// pending returns what Next gives now, as "name:id", "reset" or "heartbeat".
func pending(s *Subscription) []string {
	var out []string
	for _, f := range s.Next(nil) {
		out = append(out, label(f))
	}
	return out
}

func label(f *Frame) string {
	switch {
	case f.Heartbeat():
		return "heartbeat"
	case f.Event.Name == ResetName:
		return ResetName
	}
	return fmt.Sprintf("%s:%d", f.Event.Name, f.Event.ID)
}

// ready reports whether the subscription was poked, without waiting.
func ready(s *Subscription) bool {
	select {
	case <-s.C():
		return true
	default:
		return false
	}
}

func TestNewFrame(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		data string
		want string
	}{
		{"json", `{"a":1}`, "id: 7\nevent: tally\ndata: {\"a\":1}\n\n"},
		{"empty", ``, "id: 7\nevent: tally\ndata: \n\n"},
		{"lf", "a\nb", "id: 7\nevent: tally\ndata: a\ndata: b\n\n"},
		{"crlf", "a\r\nb", "id: 7\nevent: tally\ndata: a\ndata: b\n\n"},
		{"cr", "a\rb", "id: 7\nevent: tally\ndata: a\ndata: b\n\n"},
		{"trailing lf", "a\n", "id: 7\nevent: tally\ndata: a\ndata: \n\n"},
		{"blank lines", "\n\n", "id: 7\nevent: tally\ndata: \ndata: \ndata: \n\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			data := []byte(tt.data)
			f := newFrame(Event{Topic: "t", ID: 7, Name: "tally", Data: data})
			if got := string(f.Bytes()); got != tt.want {
				t.Errorf("frame = %q, want %q", got, tt.want)
			}
			if !bytes.Equal(f.Event.Data, data) {
				t.Errorf("Event.Data = %q, want %q", f.Event.Data, data)
			}
			if len(data) > 0 {
				data[0] = 'X' // the frame must not share the publisher's slice
				if f.Event.Data[0] == 'X' || bytes.Contains(f.Bytes(), []byte("X")) {
					t.Error("frame shares the publisher's Data")
				}
			}
		})
	}
}

func TestPublishInvalid(t *testing.T) {
	t.Parallel()
	h := MustHub(t, Options{})
	tests := []struct {
		name string
		e    Event
	}{
		{"no topic", Event{ID: 1, Name: "tally"}},
		{"topic with newline", Event{Topic: "a\nb", ID: 1, Name: "tally"}},
		{"long topic", Event{Topic: strings.Repeat("a", maxTopicLen+1), ID: 1, Name: "tally"}},
		{"no name", Event{Topic: "t", ID: 1}},
		{"name with newline", Event{Topic: "t", ID: 1, Name: "a\nevent: b"}},
		{"name with space", Event{Topic: "t", ID: 1, Name: "a b"}},
		{"reserved name", Event{Topic: "t", ID: 1, Name: ResetName}},
		{"zero ID", Event{Topic: "t", Name: "tally"}},
		{"data not UTF-8", Event{Topic: "t", ID: 1, Name: "tally", Data: []byte{0xff}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if err := h.Publish(context.Background(), tt.e); concord.ErrorCode(err) != concord.EINVALID {
				t.Errorf("Publish = %v, want %s", err, concord.EINVALID)
			}
		})
	}
	if got := h.Stats().Published; got != 0 {
		t.Errorf("Published = %d, want 0", got)
	}
}

func TestNewHubInvalid(t *testing.T) {
	t.Parallel()
	for _, o := range []Options{{Buffer: -1}, {QueueLen: -1}, {Heartbeat: -1}, {WriteTimeout: -1}, {TopicTTL: -1}} {
		if _, err := NewHub(o); concord.ErrorCode(err) != concord.EINVALID {
			t.Errorf("NewHub(%+v) = %v, want %s", o, err, concord.EINVALID)
		}
	}
}

// TestReplay covers ordering and resume: with Buffer 4, seven events leave the last four in
// the ring; the state is the latest of each name.
func TestReplay(t *testing.T) {
	t.Parallel()
	published := []string{"tally:1", "signatory:1", "tally:2", "signatory:2", "tally:3", "status:3", "tally:4"}
	state := []string{"signatory:2", "status:3", "tally:4"}
	tests := []struct {
		name  string
		topic string // default "p"
		last  uint64
		want  []string
	}{
		{name: "fresh client gets the state", last: 0, want: state},
		{name: "resume at the ring's floor replays the rest", last: 2, want: []string{"tally:3", "status:3", "tally:4"}},
		{name: "resume skips events of the same ID", last: 3, want: []string{"tally:4"}},
		{name: "up to date", last: 4, want: nil},
		{name: "ahead of this hub", last: 9, want: nil},
		{name: "gap older than the ring", last: 1, want: append(state[:len(state):len(state)], ResetName)},
		{name: "unknown topic with a position", topic: "q", last: 5, want: []string{ResetName}},
		{name: "unknown topic without a position", topic: "q", last: 0, want: nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			h := MustHub(t, Options{Buffer: 4, QueueLen: 4})
			MustPublish(t, h, "p", published...)
			topic := tt.topic
			if topic == "" {
				topic = "p"
			}
			s := h.Subscribe(topic, tt.last)
			defer s.Close()
			if got := ready(s); got != (tt.want != nil) {
				t.Errorf("ready = %v, want %v", got, tt.want != nil)
			}
			if diff := cmp.Diff(tt.want, pending(s)); diff != "" {
				t.Errorf("first frames (-want +got):\n%s", diff)
			}
			// Later events follow in order; those not newer than last are not sent.
			MustPublish(t, h, topic, "tally:5", "signatory:6", "tally:10", "status:11")
			var want []string
			for _, ev := range []string{"tally:5", "signatory:6", "tally:10", "status:11"} {
				var n uint64
				fmt.Sscan(ev[strings.IndexByte(ev, ':')+1:], &n)
				if n > tt.last {
					want = append(want, ev)
				}
			}
			if !ready(s) {
				t.Error("not ready after publish")
			}
			if diff := cmp.Diff(want, pending(s)); diff != "" {
				t.Errorf("later frames (-want +got):\n%s", diff)
			}
			if got := pending(s); got != nil {
				t.Errorf("frames after draining = %v", got)
			}
		})
	}
}

// TestReplayLongerThanQueue: a resume may replay the whole ring, beyond QueueLen.
func TestReplayLongerThanQueue(t *testing.T) {
	t.Parallel()
	h := MustHub(t, Options{Buffer: 8, QueueLen: 2})
	MustPublish(t, h, "p", "tally:1", "tally:2", "tally:3", "tally:4", "tally:5", "tally:6")
	s := h.Subscribe("p", 1)
	defer s.Close()
	if diff := cmp.Diff([]string{"tally:2", "tally:3", "tally:4", "tally:5", "tally:6"}, pending(s)); diff != "" {
		t.Errorf("replay (-want +got):\n%s", diff)
	}
	// Afterwards QueueLen applies: three unread events overflow.
	MustPublish(t, h, "p", "tally:7", "signatory:7", "tally:8")
	if diff := cmp.Diff([]string{"signatory:7", "tally:8", ResetName}, pending(s)); diff != "" {
		t.Errorf("after overflow (-want +got):\n%s", diff)
	}
	if st := h.Stats(); st.Overflows != 1 || st.Dropped != 3 || st.Resets != 1 {
		t.Errorf("stats = %+v, want 1 overflow, 3 dropped, 1 reset", st)
	}
}

// TestStateSkipsNothing: events published between Subscribe and the first Next of a fresh
// client follow the state it was given, rather than being folded into it.
func TestStateSkipsNothing(t *testing.T) {
	t.Parallel()
	h := MustHub(t, Options{})
	MustPublish(t, h, "p", "tally:1", "signatory:1")
	s := h.Subscribe("p", 0)
	defer s.Close()
	MustPublish(t, h, "p", "signatory:2", "signatory:3")
	want := []string{"tally:1", "signatory:1", "signatory:2", "signatory:3"}
	if diff := cmp.Diff(want, pending(s)); diff != "" {
		t.Errorf("frames (-want +got):\n%s", diff)
	}
}

func TestDedupe(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		publish []string // "topic/name:id"
		want    map[string][]string
		dups    uint64
	}{
		{"equal ID ignored", []string{"a/tally:1", "a/tally:1"}, map[string][]string{"a": {"tally:1"}}, 1},
		{"older ID ignored", []string{"a/tally:5", "a/tally:3", "a/tally:6"}, map[string][]string{"a": {"tally:5", "tally:6"}}, 1},
		{"same ID, other name", []string{"a/tally:2", "a/signatory:2", "a/signatory:2"}, map[string][]string{"a": {"tally:2", "signatory:2"}}, 1},
		{"same ID, other topic", []string{"a/tally:2", "b/tally:2"}, map[string][]string{"a": {"tally:2"}, "b": {"tally:2"}}, 0},
		{"lower ID of a new name", []string{"a/tally:9", "a/status:1"}, map[string][]string{"a": {"tally:9", "status:1"}}, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			h := MustHub(t, Options{})
			subs := map[string]*Subscription{}
			for topic := range tt.want {
				subs[topic] = h.Subscribe(topic, 0)
			}
			for _, p := range tt.publish {
				topic, ev, _ := strings.Cut(p, "/")
				MustPublish(t, h, topic, ev)
			}
			for topic, want := range tt.want {
				if diff := cmp.Diff(want, pending(subs[topic])); diff != "" {
					t.Errorf("topic %s (-want +got):\n%s", topic, diff)
				}
			}
			if got := h.Stats().Duplicates; got != tt.dups {
				t.Errorf("Duplicates = %d, want %d", got, tt.dups)
			}
		})
	}
}

// TestSlowSubscriber: one subscriber never reads while 1000 events go to 100 others; they all
// get every event or, if they fell behind, the final state; the slow one gets state + reset.
func TestSlowSubscriber(t *testing.T) {
	t.Parallel()
	const readers, events = 100, 1000
	h := MustHub(t, Options{})
	slow := h.Subscribe("p", 0)
	defer slow.Close()
	var wg sync.WaitGroup
	errs := make(chan error, readers)
	for range readers {
		s := h.Subscribe("p", 0)
		wg.Go(func() {
			defer s.Close()
			var last uint64
			for range s.C() {
				for _, f := range s.Next(nil) {
					switch {
					case f.Event.Name == ResetName:
					case f.Event.Name != "tally" || f.Event.ID <= last:
						errs <- fmt.Errorf("got %s after tally:%d", label(f), last)
						return
					default:
						last = f.Event.ID
					}
				}
				if last == events {
					return
				}
			}
			errs <- fmt.Errorf("closed at tally:%d", last)
		})
	}
	for i := uint64(1); i <= events; i++ {
		if err := h.Publish(context.Background(), Event{Topic: "p", ID: i, Name: "tally", Data: []byte("{}")}); err != nil {
			t.Fatal(err)
		}
	}
	done := make(chan struct{})
	go func() { wg.Wait(); close(done) }()
	select {
	case <-done:
	case <-time.After(time.Minute): // a hang, not a speed limit
		t.Fatal("readers did not reach the final state")
	}
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	if diff := cmp.Diff([]string{"tally:1000", ResetName}, pending(slow)); diff != "" {
		t.Errorf("slow subscriber (-want +got):\n%s", diff)
	}
	st := h.Stats()
	if st.Overflows < 1 || st.Dropped < events-DefaultQueueLen || st.Resets < 1 {
		t.Errorf("stats = %+v, want the slow subscriber's overflow counted", st)
	}
	t.Logf("stats: %+v", st)
}

func TestHeartbeat(t *testing.T) {
	t.Parallel()
	h := MustHub(t, Options{Heartbeat: 5 * time.Millisecond})
	s := h.Subscribe("p", 0)
	defer s.Close()
	<-s.C()
	if diff := cmp.Diff([]string{"heartbeat"}, pending(s)); diff != "" {
		t.Errorf("idle subscriber (-want +got):\n%s", diff)
	}
	MustPublish(t, h, "p", "tally:1")
	<-s.C()
	if diff := cmp.Diff([]string{"tally:1"}, pending(s)); diff != "" {
		t.Errorf("after publish (-want +got):\n%s", diff)
	}
}

// TestEviction: a topic without subscribers is forgotten after TopicTTL; a client resuming
// on it then gets a reset, since the hub no longer knows what it missed.
func TestEviction(t *testing.T) {
	t.Parallel()
	now := time.Now()
	var mu sync.Mutex
	clock := func() time.Time { mu.Lock(); defer mu.Unlock(); return now }
	h := MustHub(t, Options{Heartbeat: time.Millisecond, TopicTTL: time.Hour, Now: clock})
	MustPublish(t, h, "p", "tally:1")
	s := h.Subscribe("q", 0)
	defer s.Close()
	mu.Lock()
	now = now.Add(2 * time.Hour)
	mu.Unlock()
	for deadline := time.Now().Add(time.Minute); h.Stats().Topics != 1; {
		if time.Now().After(deadline) {
			t.Fatalf("topics = %d, want 1 (only the watched one)", h.Stats().Topics)
		}
		time.Sleep(time.Millisecond)
	}
	r := h.Subscribe("p", 1)
	defer r.Close()
	if diff := cmp.Diff([]string{ResetName}, pending(r)); diff != "" {
		t.Errorf("resume on evicted topic (-want +got):\n%s", diff)
	}
}

func TestClose(t *testing.T) {
	t.Parallel()
	h, err := NewHub(Options{})
	if err != nil {
		t.Fatal(err)
	}
	s := h.Subscribe("p", 0)
	h.Close()
	if _, ok := <-s.C(); ok {
		t.Error("C not closed by Hub.Close")
	}
	s.Close()
	h.Close()
	if err := h.Publish(context.Background(), Event{Topic: "p", ID: 1, Name: "tally"}); !errors.Is(err, ErrClosed) {
		t.Errorf("Publish after Close = %v, want ErrClosed", err)
	}
	late := h.Subscribe("p", 0)
	if _, ok := <-late.C(); ok {
		t.Error("Subscribe after Close: C not closed")
	}
	if got := late.Next(nil); got != nil {
		t.Errorf("Next after Close = %v", got)
	}
	late.Close()
	if st := h.Stats(); st.Subscribers != 0 || st.Topics != 0 {
		t.Errorf("stats after Close = %+v", st)
	}
}

func TestSubscriptionClose(t *testing.T) {
	t.Parallel()
	h := MustHub(t, Options{})
	subs := make([]*Subscription, 5)
	for i := range subs {
		subs[i] = h.Subscribe("p", 0)
	}
	for _, i := range []int{1, 4, 0} {
		subs[i].Close()
		subs[i].Close()
	}
	if got := h.Stats().Subscribers; got != 2 {
		t.Errorf("Subscribers = %d, want 2", got)
	}
	if got := h.Watchers("p"); got != 2 {
		t.Errorf(`Watchers("p") = %d, want 2`, got)
	}
	if got := h.Watchers("unknown"); got != 0 {
		t.Errorf(`Watchers("unknown") = %d, want 0`, got)
	}
	MustPublish(t, h, "p", "tally:1")
	for _, i := range []int{2, 3} {
		if diff := cmp.Diff([]string{"tally:1"}, pending(subs[i])); diff != "" {
			t.Errorf("sub %d (-want +got):\n%s", i, diff)
		}
	}
}

// gapBroker connects hubs in memory and can report a gap, which the real NATS server cannot
// be made to do on demand; the NATS transport itself is tested against the real server.
type gapBroker struct {
	mu  sync.Mutex
	fns []func(Event)
}

func (b *gapBroker) Publish(_ context.Context, e Event) error {
	b.mu.Lock()
	fns := b.fns
	b.mu.Unlock()
	for _, fn := range fns {
		fn(e) // every hub, the publisher included: its echo must be ignored
	}
	return nil
}

func (b *gapBroker) Subscribe(fn func(Event)) (func(), error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.fns = append(b.fns, fn)
	return func() {}, nil
}

func (b *gapBroker) gap() {
	for _, fn := range b.fns {
		fn(Event{})
	}
}

func TestBrokerGap(t *testing.T) {
	t.Parallel()
	b := &gapBroker{}
	a := MustHub(t, Options{Broker: b})
	c := MustHub(t, Options{Broker: b})
	sa, sc := a.Subscribe("p", 0), c.Subscribe("p", 0)
	MustPublish(t, a, "p", "tally:1", "signatory:1")
	for name, s := range map[string]*Subscription{"publisher": sa, "other": sc} {
		if diff := cmp.Diff([]string{"tally:1", "signatory:1"}, pending(s)); diff != "" {
			t.Errorf("%s hub (-want +got):\n%s", name, diff)
		}
	}
	if got := a.Stats().Duplicates; got != 2 {
		t.Errorf("publisher's Duplicates = %d, want 2 (its echoes)", got)
	}
	b.gap()
	if diff := cmp.Diff([]string{"tally:1", "signatory:1", ResetName}, pending(sc)); diff != "" {
		t.Errorf("after gap (-want +got):\n%s", diff)
	}
	// Until the next event the hub cannot vouch for any resume position.
	r := c.Subscribe("p", 1)
	if diff := cmp.Diff([]string{"tally:1", "signatory:1", ResetName}, pending(r)); diff != "" {
		t.Errorf("resume after gap (-want +got):\n%s", diff)
	}
	// The next event re-arms resume from its ID on; before it, events may have been missed.
	MustPublish(t, a, "p", "tally:2")
	r1, r2 := c.Subscribe("p", 1), c.Subscribe("p", 2)
	if diff := cmp.Diff([]string{"signatory:1", "tally:2", ResetName}, pending(r1)); diff != "" {
		t.Errorf("resume before the next event (-want +got):\n%s", diff)
	}
	MustPublish(t, a, "p", "tally:3")
	if diff := cmp.Diff([]string{"tally:3"}, pending(r2)); diff != "" {
		t.Errorf("resume at the next event (-want +got):\n%s", diff)
	}
	if got := c.Stats().BrokerGaps; got != 1 {
		t.Errorf("BrokerGaps = %d, want 1", got)
	}
}

func TestReadEvents(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		in   string
		want []Event
	}{
		{"our frames", "id: 3\nevent: tally\ndata: {\"a\":1}\n\n:\n\nevent: reset\ndata: {}\n\n",
			[]Event{{ID: 3, Name: "tally", Data: []byte(`{"a":1}`)}, {ID: 3, Name: "reset", Data: []byte(`{}`)}}},
		{"crlf and cr", "id: 1\r\nevent: a\r\ndata: x\r\ndata: y\r\n\r\nid: 2\revent: b\rdata: z\r\r",
			[]Event{{ID: 1, Name: "a", Data: []byte("x\ny")}, {ID: 2, Name: "b", Data: []byte("z")}}},
		{"default name, no space", "data:x\n\n", []Event{{Name: "message", Data: []byte("x")}}},
		{"empty data dispatches", "data\n\n", []Event{{Name: "message", Data: []byte("")}}},
		{"no data: nothing", "event: a\nid: 4\n\ndata: b\n\n", []Event{{ID: 4, Name: "message", Data: []byte("b")}}},
		{"bom, retry, unknown field", "\xEF\xBB\xBFretry: 10\nfoo: bar\ndata: a\n\n", []Event{{Name: "message", Data: []byte("a")}}},
		{"id not a number", "id: 5\ndata: a\n\nid: x\ndata: b\n\n", []Event{{ID: 5, Name: "message", Data: []byte("a")}, {Name: "message", Data: []byte("b")}}},
		{"unterminated event discarded", "data: a\n\ndata: b\n", []Event{{Name: "message", Data: []byte("a")}}},
		{"value keeps later spaces", "data:  a \n\n", []Event{{Name: "message", Data: []byte(" a ")}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			var got []Event
			err := ReadEvents(strings.NewReader(tt.in), func(e Event) error { got = append(got, e); return nil })
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("events (-want +got):\n%s", diff)
			}
		})
	}
	stop := errors.New("stop")
	if err := ReadEvents(strings.NewReader("data: a\n\ndata: b\n\n"), func(Event) error { return stop }); err != stop {
		t.Errorf("ReadEvents = %v, want fn's error", err)
	}
}

// TestReadEventsSplitCRLF: a CRLF split across reads is one line end.
func TestReadEventsSplitCRLF(t *testing.T) {
	t.Parallel()
	r := &chunkReader{chunks: []string{"data: a\r", "\n\r", "\ndata: b\r", "\r"}}
	var got []string
	if err := ReadEvents(r, func(e Event) error { got = append(got, string(e.Data)); return nil }); err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]string{"a", "b"}, got); diff != "" {
		t.Errorf("data (-want +got):\n%s", diff)
	}
}

type chunkReader struct{ chunks []string }

func (r *chunkReader) Read(p []byte) (int, error) {
	if len(r.chunks) == 0 {
		return 0, io.EOF
	}
	n := copy(p, r.chunks[0])
	r.chunks[0] = r.chunks[0][n:]
	if r.chunks[0] == "" {
		r.chunks = r.chunks[1:]
	}
	return n, nil
}

func FuzzReadEvents(f *testing.F) {
	f.Add("id: 1\nevent: tally\ndata: {}\n\n", "tally", []byte(`{"a":1}`))
	f.Add("data\r\n\r\n:\r", "x", []byte("a\r\nb\rc\n"))
	f.Add("\xEF\xBB\xBFid: x\x00\ndata: \n\n", "signatory", []byte(""))
	f.Fuzz(func(t *testing.T, stream, name string, data []byte) {
		_ = ReadEvents(strings.NewReader(stream), func(Event) error { return nil })
		e := Event{Topic: "t", ID: 42, Name: name, Data: data}
		if validate(e) != nil {
			return
		}
		var got []Event
		if err := ReadEvents(bytes.NewReader(newFrame(e).Bytes()), func(e Event) error { got = append(got, e); return nil }); err != nil {
			t.Fatal(err)
		}
		want := strings.NewReplacer("\r\n", "\n", "\r", "\n").Replace(string(data))
		if len(got) != 1 || got[0].ID != 42 || got[0].Name != name || string(got[0].Data) != want {
			t.Fatalf("round trip of %q = %+v, want data %q", data, got, want)
		}
	})
}

// TestKnown: a hub told the durable position of a topic it has not followed can resume
// clients at that position or later without a reset.
func TestKnown(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		before  []string // published before the gap
		known   uint64
		last    uint64
		want    []string
		wantNew []string // after tally:9 is published
	}{
		{name: "fresh hub, client at the position", known: 5, last: 5, want: nil, wantNew: []string{"tally:9"}},
		{name: "fresh hub, client ahead", known: 5, last: 7, want: nil, wantNew: []string{"tally:9"}},
		{name: "fresh hub, client behind", known: 5, last: 4, want: []string{ResetName}, wantNew: []string{"tally:9"}},
		{name: "after a gap", before: []string{"tally:1", "tally:2"}, known: 2, last: 2, want: nil, wantNew: []string{"tally:9"}},
		{name: "after a gap, stale position", before: []string{"tally:1", "tally:6"}, known: 2, last: 2,
			want: []string{"tally:6", ResetName}, wantNew: []string{"tally:9"}},
		{name: "without Known", known: 0, last: 5, want: []string{ResetName}, wantNew: []string{"tally:9"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			b := &gapBroker{}
			h := MustHub(t, Options{Broker: b})
			MustPublish(t, h, "p", tt.before...)
			b.gap()
			if tt.known > 0 {
				h.Known("p", tt.known)
			}
			s := h.Subscribe("p", tt.last)
			defer s.Close()
			if diff := cmp.Diff(tt.want, pending(s)); diff != "" {
				t.Errorf("first frames (-want +got):\n%s", diff)
			}
			MustPublish(t, h, "p", "tally:9")
			if diff := cmp.Diff(tt.wantNew, pending(s)); diff != "" {
				t.Errorf("later frames (-want +got):\n%s", diff)
			}
		})
	}
	h := MustHub(t, Options{})
	MustPublish(t, h, "p", "tally:3")
	h.Known("p", 1) // the hub follows the topic from tally:3 on: its own floor stands
	if diff := cmp.Diff([]string{"tally:3", ResetName}, pending(h.Subscribe("p", 2))); diff != "" {
		t.Errorf("Known on a followed topic (-want +got):\n%s", diff)
	}
}
