package markdown

import (
	"strings"
	"testing"

	"concord"
)

func TestSegmentStarts(t *testing.T) {
	t.Parallel()
	tests := []string{
		"",
		"\n \n\t\n",
		"a",
		"a\nb\n\nc\n\n\n d ",
		"\n\na",
		"a\n\n```\nx\n\ny\n```\n\nb",
		"a\n```\nx\n\ny\n```\nb\n\nc",
		"```\na\n\nb",
		"    ```\n\n    ```\n\nc",
		"a\n\u00a0\nb",
		"a\n\u3000\nb\n\n\u00a0b",
		"x\n\nx\n\n x\n\nx x\n\nx",
		"  a\n  \n  a\n\n  a",
	}
	for _, src := range tests {
		starts := segmentStarts(src)
		segs := concord.Segments(src)
		if len(starts) != len(segs) {
			t.Fatalf("segmentStarts(%q) = %v, want %d segments", src, starts, len(segs))
		}
		for i, s := range segs {
			if !strings.HasPrefix(src[starts[i]:], s.Text) || (starts[i] > 0 && src[starts[i]-1] != '\n') {
				t.Errorf("segmentStarts(%q)[%d] = %d, segment %q", src, i, starts[i], s.Text)
			}
		}
	}
}

func TestSegmentAt(t *testing.T) {
	t.Parallel()
	starts := []int{0, 10, 20}
	for _, tt := range []struct{ pos, want int }{{-1, 0}, {0, 1}, {9, 1}, {10, 2}, {19, 2}, {20, 3}, {1000, 3}} {
		if got := segmentAt(starts, tt.pos); got != tt.want {
			t.Errorf("segmentAt(%d) = %d, want %d", tt.pos, got, tt.want)
		}
	}
	if got := segmentAt([]int{5}, 2); got != 0 {
		t.Errorf("before the first segment: %d, want 0", got)
	}
}
