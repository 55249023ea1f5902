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
