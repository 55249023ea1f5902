package markdown

import (
	"strings"

	"concord"
)

// segmentStarts returns the byte offsets in src at which its segments, as concord.Segments
// splits them, begin. src must have "\n" line endings.
func segmentStarts(src string) []int {
	segs := concord.Segments(src)
	starts := make([]int, 0, len(segs))
	pos := 0
	for _, s := range segs {
		// Each segment's text is a slice of src, in order, with only blank lines between:
		// its first occurrence after the previous one is where it stands.
		i := strings.Index(src[pos:], s.Text)
		if i < 0 {
			break // cannot happen
		}
		starts = append(starts, pos+i)
		pos += i + len(s.Text)
	}
	return starts
}

// opensFence returns the fence character and length when line opens a fenced code block as
// concord.Segments reads it (any indentation, three or more backticks without a backtick
// after them, or tildes), else (0, 0).
func opensFence(line string) (byte, int) {
	t := strings.TrimLeft(line, " \t")
	if len(t) < 3 || (t[0] != '`' && t[0] != '~') {
		return 0, 0
	}
	c := t[0]
	n := 0
	for n < len(t) && t[n] == c {
		n++
	}
	if n < 3 || (c == '`' && strings.IndexByte(t[n:], '`') >= 0) {
		return 0, 0
	}
	return c, n
}

// closesFence reports whether line closes a fenced code block opened by n characters c.
func closesFence(line string, c byte, n int) bool {
	t := strings.TrimLeft(line, " \t")
	k := 0
	for k < len(t) && t[k] == c {
		k++
	}
	return k >= n && strings.TrimSpace(t[k:]) == ""
}
