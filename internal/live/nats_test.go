package live

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"os"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/nats-io/nats.go"
)

// natsURL returns CONCORD_TEST_NATS, skipping the test when it is unset, except in CI.
func natsURL(tb testing.TB) string {
	tb.Helper()
	url := os.Getenv("CONCORD_TEST_NATS")
	if url == "" {
		if os.Getenv("CI") != "" {
			tb.Fatal("CONCORD_TEST_NATS is not set in CI")
		}
		tb.Skip("CONCORD_TEST_NATS not set")
	}
	return url
}

// MustNATSHub returns a hub on its own NATS connection, on subject prefix (unique per test,
// so concurrent runs on one server stay apart).
func MustNATSHub(tb testing.TB, url, prefix string, opts Options) (*Hub, *NATSBroker) {
	tb.Helper()
	b, err := NewNATSBroker(url, NATSSubject(prefix))
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(b.Close)
	opts.Broker = b
	return MustHub(tb, opts), b
}

func testPrefix() string {
	var b [6]byte
	_, _ = rand.Read(b[:])
	return "concord.test." + hex.EncodeToString(b[:])
}

// recv returns the next n frames (heartbeats skipped) as labels, waiting for them.
func recv(tb testing.TB, s *Subscription, n int) []string {
	tb.Helper()
	var out []string
	timeout := time.After(time.Minute) // a hang, not a speed limit
	for len(out) < n {
		select {
		case <-s.C():
			for _, f := range s.Next(nil) {
				if !f.Heartbeat() {
					out = append(out, label(f))
				}
			}
		case <-timeout:
			tb.Fatalf("got %v, want %d frames", out, n)
		}
	}
	return out
}

// TestNATS connects two hubs through the real NATS server: an event published on one reaches
// the other's subscribers once, the publisher's own subscribers once, and an event both
// instances publish is delivered once on each.
func TestNATS(t *testing.T) {
	t.Parallel()
	url := natsURL(t)
	prefix := testPrefix()
	a, _ := MustNATSHub(t, url, prefix, Options{})
	b, _ := MustNATSHub(t, url, prefix, Options{})
	sa, sb := a.Subscribe("procedure/1", 0), b.Subscribe("procedure/1", 0)

	// NATS keeps one publisher's order, so a duplicate of tally:1 would come before tally:2.
	MustPublish(t, a, "procedure/1", "tally:1", "tally:2")
	for name, s := range map[string]*Subscription{"A": sa, "B": sb} {
		if diff := cmp.Diff([]string{"tally:1", "tally:2"}, recv(t, s, 2)); diff != "" {
			t.Errorf("hub %s (-want +got):\n%s", name, diff)
		}
	}

	// Both instances publish the same fact. B either has A's copy already (its own publish is
	// then a duplicate and not forwarded) or forwards its copy, which A ignores; either way B
	// counts one duplicate. The marker comes from B, after any copy of B's, so once A's
	// subscriber has the marker, A has handled that copy.
	MustPublish(t, a, "procedure/1", "status:3")
	MustPublish(t, b, "procedure/1", "status:3")
	for deadline := time.Now().Add(time.Minute); b.Stats().Duplicates < 1; {
		if time.Now().After(deadline) {
			t.Fatal("B never saw A's copy of status:3")
		}
		time.Sleep(time.Millisecond)
	}
	MustPublish(t, b, "procedure/1", "tally:4")
	for name, s := range map[string]*Subscription{"A": sa, "B": sb} {
		if diff := cmp.Diff([]string{"status:3", "tally:4"}, recv(t, s, 2)); diff != "" {
			t.Errorf("hub %s (-want +got):\n%s", name, diff)
		}
	}
	for name, h := range map[string]*Hub{"A": a, "B": b} {
		if st := h.Stats(); st.Published != 4 || st.Duplicates > 1 || st.BrokerErrors != 0 {
			t.Errorf("hub %s stats = %+v, want 4 published, at most 1 duplicate", name, st)
		}
	}

	// A new subscriber on B resumes from B's ring, fed by A.
	r := b.Subscribe("procedure/1", 2)
	if diff := cmp.Diff([]string{"status:3", "tally:4"}, recv(t, r, 2)); diff != "" {
		t.Errorf("resume on B (-want +got):\n%s", diff)
	}
}

// TestNATSForeignMessages: messages on the subject that are not ours, or are malformed, are
// ignored; the publisher's own instance ID is ignored even without NoEcho.
func TestNATSForeignMessages(t *testing.T) {
	t.Parallel()
	url := natsURL(t)
	prefix := testPrefix()
	h, broker := MustNATSHub(t, url, prefix, Options{})
	s := h.Subscribe("p", 0)
	nc, err := nats.Connect(url)
	if err != nil {
		t.Fatal(err)
	}
	defer nc.Close()
	send := func(hdr nats.Header, data string) {
		if err := nc.PublishMsg(&nats.Msg{Subject: prefix + ".p", Header: hdr, Data: []byte(data)}); err != nil {
			t.Fatal(err)
		}
	}
	send(nil, "no headers")
	send(nats.Header{natsTopic: {"p"}, natsID: {"x"}, natsName: {"tally"}}, "{}")
	send(nats.Header{natsID: {"1"}, natsName: {"tally"}}, "{}")                     // no topic: must not read as a gap
	send(nats.Header{natsTopic: {"p"}, natsID: {"1"}, natsName: {"reset"}}, "{}")   // reserved name
	send(nats.Header{natsTopic: {"p"}, natsID: {"1"}, natsName: {"tally"}}, "\xff") // not UTF-8
	send(nats.Header{natsTopic: {"p"}, natsID: {"1"}, natsName: {"tally"}, natsInstance: {broker.Instance()}}, "{}")
	send(nats.Header{natsTopic: {"p"}, natsID: {"2"}, natsName: {"tally"}}, `{"ok":true}`)
	if diff := cmp.Diff([]string{"tally:2"}, recv(t, s, 1)); diff != "" {
		t.Errorf("frames (-want +got):\n%s", diff)
	}
	if st := h.Stats(); st.Published != 1 || st.BrokerGaps != 0 {
		t.Errorf("stats = %+v, want 1 published, no gap", st)
	}
	if err := h.Publish(context.Background(), Event{Topic: "p", ID: 3, Name: "tally", Data: []byte("{}")}); err != nil {
		t.Fatal(err)
	}
}

func TestNATSBadPrefix(t *testing.T) {
	t.Parallel()
	for _, p := range []string{"", "a.*", "a.>", "a.", "a b"} {
		if _, err := NewNATSBroker("nats://127.0.0.1:1", NATSSubject(p)); err == nil {
			t.Errorf("prefix %q accepted", p)
		}
	}
	if got := (&NATSBroker{prefix: "concord.live"}).subject("procedure/1.2 *>\x01"); got != "concord.live.procedure/1_2____" {
		t.Errorf("subject = %q", got)
	}
}
