package concord

import (
	"crypto/sha256"
	"encoding/hex"
	"strconv"
	"strings"
)

// Segment is one translatable unit of a text: a Markdown block (paragraph, heading, list, quote, fenced code block, table).
type Segment struct {
	ID    string // stable: "s" + first 12 hex chars of SHA-256 of the normalized block text, plus "-2", "-3"… for repeats within one text
	Index int    // 1-based position in the text (paragraph number shown to readers, e.g. for amendments "§ 4")
	Text  string // the block's Markdown source, trimmed of surrounding blank lines, internal newlines kept
}

// Segments splits a Markdown text into its blocks. Line endings are normalized to "\n";
// blocks are separated by blank (whitespace-only) lines, except inside a fenced code block
// (``` or ~~~, any indentation), which runs to its closing fence or, unclosed, to the end of
// the text. A segment's ID depends only on its own text (trailing spaces and tabs of each line
// ignored), so editing one block changes only that block's ID and inserting a block changes
// no other; the second, third… equal block of a text get "-2", "-3"… appended.
func Segments(markdown string) []Segment {
	s := segmentNewlines(markdown)
	var (
		segs      []Segment
		seen      map[string]int
		start     = -1 // offset of the current block's first line, -1 between blocks
		end       int  // end of the current block's last non-blank line
		fenceChar byte
		fenceLen  int // length of the open fence, 0 outside code
	)
	flush := func() {
		if start < 0 {
			return
		}
		text := s[start:end]
		start = -1
		id := segmentID(text)
		if seen == nil {
			seen = make(map[string]int)
		}
		seen[id]++
		if k := seen[id]; k > 1 {
			id += "-" + strconv.Itoa(k)
		}
		segs = append(segs, Segment{ID: id, Index: len(segs) + 1, Text: text})
	}
	for pos := 0; ; {
		nl := strings.IndexByte(s[pos:], '\n')
		lineEnd := len(s)
		if nl >= 0 {
			lineEnd = pos + nl
		}
		line := s[pos:lineEnd]
		switch blank := strings.TrimSpace(line) == ""; {
		case fenceLen > 0:
			if !blank {
				end = lineEnd
			}
			if segmentClosesFence(line, fenceChar, fenceLen) {
				fenceLen = 0
			}
		case blank:
			flush()
		default:
			if start < 0 {
				start = pos
			}
			end = lineEnd
			fenceChar, fenceLen = segmentOpensFence(line)
		}
		if nl < 0 {
			break
		}
		pos = lineEnd + 1
	}
	flush()
	return segs
}

// JoinSegments joins block texts into one Markdown text, separated by one blank line. It is the
// inverse of Segments for non-empty block texts without blank lines or unclosed code fences.
func JoinSegments(texts []string) string {
	return strings.Join(texts, "\n\n")
}

// segmentNewlines turns CRLF and lone CR line endings into LF.
func segmentNewlines(s string) string {
	if strings.IndexByte(s, '\r') < 0 {
		return s
	}
	s = strings.ReplaceAll(s, "\r\n", "\n")
	return strings.ReplaceAll(s, "\r", "\n")
}

// segmentOpensFence returns the fence character and length when line opens a fenced code
// block: three or more backticks (without a backtick in the info string after them) or tildes.
func segmentOpensFence(line string) (byte, int) {
	t := strings.TrimLeft(line, " \t")
	if len(t) < 3 || (t[0] != '`' && t[0] != '~') {
		return 0, 0
	}
	c := t[0]
	n := segmentRun(t, c)
	if n < 3 || (c == '`' && strings.IndexByte(t[n:], '`') >= 0) {
		return 0, 0
	}
	return c, n
}

// segmentClosesFence reports whether line closes a fence of n characters c: at least n of
// them and nothing else but whitespace.
func segmentClosesFence(line string, c byte, n int) bool {
	t := strings.TrimLeft(line, " \t")
	k := segmentRun(t, c)
	return k >= n && strings.TrimSpace(t[k:]) == ""
}

// segmentRun counts the leading bytes c of s.
func segmentRun(s string, c byte) int {
	n := 0
	for n < len(s) && s[n] == c {
		n++
	}
	return n
}

// segmentID is "s" and the first 12 hex digits of the SHA-256 of text with each line's
// trailing spaces and tabs removed.
func segmentID(text string) string {
	norm := text
	if strings.Contains(text, " \n") || strings.Contains(text, "\t\n") || strings.HasSuffix(text, " ") || strings.HasSuffix(text, "\t") {
		var b strings.Builder
		b.Grow(len(text))
		for i, line := range strings.Split(text, "\n") {
			if i > 0 {
				b.WriteByte('\n')
			}
			b.WriteString(strings.TrimRight(line, " \t"))
		}
		norm = b.String()
	}
	sum := sha256.Sum256([]byte(norm))
	return "s" + hex.EncodeToString(sum[:6])
}
