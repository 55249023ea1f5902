package po

import (
	"bufio"
	"io"
	"slices"
	"strings"
)

// Write writes f as a PO file to w: the header entry (msgid "") when f.Header has fields,
// then every entry, separated by blank lines. Strings are escaped (\\, \", \n, \t, \r) and a
// string with a newline before its end is written as "" followed by one line per newline.
// It returns an EINVALID *concord.Error, before writing anything, when f cannot be written
// faithfully: a header field with a colon or newline in its name or a newline in its value,
// a charset other than UTF-8, an entry without msgctxt and msgid, a repeated
// (msgctxt, msgid), multi-line comments, references with spaces, or text with invalid UTF-8
// or control characters other than tab, newline and carriage return.
func Write(w io.Writer, f File) error {
	if err := checkFile(f); err != nil {
		return err
	}
	b := bufio.NewWriter(w)
	if len(f.Header) > 0 {
		var h strings.Builder
		for _, k := range headerOrder(f.Header) {
			h.WriteString(k + ": " + f.Header[k] + "\n")
		}
		b.WriteString("msgid \"\"\n")
		writeString(b, "msgstr", h.String(), true)
		b.WriteString("\n")
	}
	for i, e := range f.Entries {
		if i > 0 {
			b.WriteString("\n")
		}
		writeComments(b, "#", e.Comments)
		writeComments(b, "#.", e.Extracted)
		for _, ref := range e.Refs {
			b.WriteString("#: " + ref + "\n")
		}
		if e.Fuzzy {
			b.WriteString("#, fuzzy\n")
		}
		if e.Context != "" {
			writeString(b, "msgctxt", e.Context, false)
		}
		writeString(b, "msgid", e.ID, false)
		writeString(b, "msgstr", e.Str, false)
	}
	return b.Flush()
}

// headerOrder returns the header field names in the order Write uses: these four first,
// the others sorted by name.
func headerOrder(h map[string]string) []string {
	headerFirst := [...]string{"Project-Id-Version", "Language", "Content-Type", "X-Concord-Original"}
	var first, rest []string
	for _, k := range headerFirst {
		if _, ok := h[k]; ok {
			first = append(first, k)
		}
	}
	for k := range h {
		if !slices.Contains(headerFirst[:], k) {
			rest = append(rest, k)
		}
	}
	slices.Sort(rest)
	return append(first, rest...)
}

func writeComments(b *bufio.Writer, prefix string, comments []string) {
	for _, c := range comments {
		if c == "" {
			b.WriteString(prefix + "\n")
		} else {
			b.WriteString(prefix + " " + c + "\n")
		}
	}
}

// writeString writes `keyword "s"`, or `keyword ""` followed by one quoted line per line of s
// when s has a newline before its end or multiLine is set.
func writeString(b *bufio.Writer, keyword, s string, multiLine bool) {
	b.WriteString(keyword + " ")
	if !multiLine && !strings.Contains(strings.TrimSuffix(s, "\n"), "\n") {
		writeQuoted(b, s)
		b.WriteString("\n")
		return
	}
	b.WriteString("\"\"\n")
	for line := range strings.SplitAfterSeq(s, "\n") {
		if line != "" {
			writeQuoted(b, line)
			b.WriteString("\n")
		}
	}
}

// writeQuoted writes s as a C-style quoted string.
func writeQuoted(b *bufio.Writer, s string) {
	b.WriteByte('"')
	last := 0
	for i := 0; i < len(s); i++ {
		var esc string
		switch s[i] {
		case '\\':
			esc = `\\`
		case '"':
			esc = `\"`
		case '\n':
			esc = `\n`
		case '\t':
			esc = `\t`
		case '\r':
			esc = `\r`
		default:
			continue
		}
		b.WriteString(s[last:i])
		b.WriteString(esc)
		last = i + 1
	}
	b.WriteString(s[last:])
	b.WriteByte('"')
}
