package procedures

import (
	"testing"
	"time"
)

func TestPublishWait(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		watchers int
		want     time.Duration
	}{
		{0, publishMinWait},
		{1, publishMinWait},
		{1000, publishMinWait},
		{2500, 250 * time.Millisecond},
		{10000, time.Second},
		{1000000, publishMaxWait},
	} {
		if got := publishWait(tt.watchers); got != tt.want {
			t.Errorf("publishWait(%d) = %v, want %v", tt.watchers, got, tt.want)
		}
	}
}

// TestPublishPacing: a pending update goes out once nothing is in flight and commits paused,
// waits while responses are on their way, and never past its deadline.
func TestPublishPacing(t *testing.T) {
	t.Parallel()
	t0 := time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)
	ms := func(n int) time.Time { return t0.Add(time.Duration(n) * time.Millisecond) }
	pp := &pendingPub{last: ms(0), deadline: ms(1000)}
	for _, tt := range []struct {
		name     string
		now      time.Time
		inflight int
		want     time.Time
	}{
		{"just committed, nothing in flight: after the quiet time", ms(5), 0, ms(20)},
		{"quiet and nothing in flight: now", ms(20), 0, ms(20)},
		{"quiet but responses in flight: look again later", ms(30), 3, ms(50)},
		{"in flight close to the deadline: the deadline", ms(990), 3, ms(1000)},
		{"past the deadline with responses in flight: now", ms(1200), 200, ms(1000)},
	} {
		got := pp.nextCheck(tt.now, tt.inflight)
		if !got.Equal(tt.want) {
			t.Errorf("%s: next = %v, want %v", tt.name, got.Sub(t0), tt.want.Sub(t0))
		}
	}
}
