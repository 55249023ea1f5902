package markdown

import "strings"

// Limits that keep goldmark's parsing time linear. Its time grows with the square of the
// nesting depth of block quotes and lists (a 1 MB line of ">" takes minutes), and with the
// square of the number of "](" in a line without spaces (each one scans for the end of a
// link destination to the end of that run). No real text comes near these limits:
//
//   - a block quote or list marker beyond maxMarkers at the start of a line, or starting
//     past column maxIndent, is escaped with a backslash, so that it reads as text;
//   - in a run of characters without white space, every "](" after the first
//     maxLinkOpeners is written "]\(", which shows the same but opens no link.
//
// A backslash so added shows only where backslashes are literal (code spans and indented
// code blocks).
const (
	maxMarkers     = 16
	maxIndent      = 64
	maxLinkOpeners = 32
)

// defuse returns src with the edits described above. Lines inside fenced code blocks,
// blank lines, fence lines and line breaks are left as they are, so the segments
// (concord.Segments) are unchanged. src must have "\n" line endings.
func defuse(src string) string {
	var b strings.Builder
	copied := 0 // src[:copied] is in b
	escape := func(at int) {
		if b.Len() == 0 {
			b.Grow(len(src) + 64)
		}
		b.WriteString(src[copied:at])
		b.WriteByte('\\')
		copied = at
	}
	var fenceChar byte
	fenceLen := 0
	for off := 0; off < len(src); {
		end := len(src)
		if i := strings.IndexByte(src[off:], '\n'); i >= 0 {
			end = off + i
		}
		line, lineStart := src[off:end], off
		off = end + 1
		if fenceLen > 0 {
			if closesFence(line, fenceChar, fenceLen) {
				fenceLen = 0
			}
			continue
		}
		if fenceChar, fenceLen = opensFence(line); fenceLen > 0 {
			continue
		}
		if at := overDeepMarker(line); at >= 0 {
			escape(lineStart + at)
		}
		if !strings.Contains(line, "](") {
			continue
		}
		openers := 0
		for i := 1; i < len(line); i++ {
			switch line[i] {
			case ' ', '\t':
				openers = 0
			case '(':
				if line[i-1] == ']' {
					if openers++; openers > maxLinkOpeners {
						escape(lineStart + i)
					}
				}
			}
		}
	}
	if b.Len() == 0 {
		return src
	}
	b.WriteString(src[copied:])
	return b.String()
}

// overDeepMarker returns the offset in line at which to escape a container marker that is
// one too many or starts too far right, or -1.
func overDeepMarker(line string) int {
	col, markers := 0, 0
	for i := 0; i < len(line); {
		switch c := line[i]; {
		case c == ' ':
			col++
			i++
			continue
		case c == '\t':
			col += 4 - col%4
			i++
			continue
		}
		if isThematicBreak(line[i:]) {
			return -1
		}
		width, escapeAt := containerMarker(line[i:])
		if width == 0 {
			return -1
		}
		markers++
		if markers > maxMarkers || col > maxIndent {
			return i + escapeAt
		}
		col += width
		i += width
	}
	return -1
}

// containerMarker returns the width of the block quote or list marker s starts with and the
// offset of the character a backslash must precede to make it text, or (0, 0).
func containerMarker(s string) (width, escapeAt int) {
	followedBySpace := func(n int) bool { return n == len(s) || s[n] == ' ' || s[n] == '\t' }
	switch c := s[0]; {
	case c == '>':
		return 1, 0
	case c == '-' || c == '+' || c == '*':
		if followedBySpace(1) {
			return 1, 0
		}
	case '0' <= c && c <= '9':
		n := 0
		for n < len(s) && n < 10 && '0' <= s[n] && s[n] <= '9' {
			n++
		}
		if n <= 9 && n < len(s) && (s[n] == '.' || s[n] == ')') && followedBySpace(n+1) {
			return n + 1, n
		}
	}
	return 0, 0
}

// isThematicBreak reports whether s is a thematic break: three or more of one of "-", "*"
// or "_", with only spaces and tabs besides.
func isThematicBreak(s string) bool {
	var mark byte
	n := 0
	for i := 0; i < len(s); i++ {
		switch c := s[i]; c {
		case ' ', '\t':
		case '-', '*', '_':
			if mark != 0 && c != mark {
				return false
			}
			mark = c
			n++
		default:
			return false
		}
	}
	return n >= 3
}
