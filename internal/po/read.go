package po

import (
	"bytes"
	"fmt"
	"io"
	"strconv"
	"strings"
	"unicode/utf8"

	"concord"
)

// Read parses a PO file of at most MaxFileSize bytes. Every problem with the input is an
// EINVALID *concord.Error whose Key is one of
//
//	error.file_too_large   the input exceeds MaxFileSize (param limit)
//	error.po_encoding      the bytes are not UTF-8 (param line)
//	error.po_control_char  a control character other than tab (param line, char)
//	error.po_charset       the header declares a charset other than UTF-8 (params line, charset)
//	error.po_plural        a plural entry, msgid_plural or msgstr[n] (param line)
//	error.po_malformed     an unterminated string, a bad escape, a msgid without msgstr,
//	                       text outside an entry, an unknown keyword (param line)
//	error.po_header        a header line that is not "Name: value", or a repeated name (param line)
//	error.po_duplicate     two entries with the same msgctxt and msgid (params line, context, id)
//
// Errors reading r are returned as they are. A leading UTF-8 byte order mark and CRLF line
// ends are accepted. The header entry's comments and flags, flags other than "fuzzy",
// previous-msgid ("#|") lines and obsolete ("#~") entries are not kept. File.Header is never
// nil.
func Read(r io.Reader) (File, error) {
	data, err := io.ReadAll(io.LimitReader(r, MaxFileSize+1))
	if err != nil {
		return File{}, fmt.Errorf("read po: %w", err)
	}
	if len(data) > MaxFileSize {
		return File{}, invalid("error.file_too_large", fmt.Sprintf("the file is larger than %d bytes", MaxFileSize), "limit", strconv.Itoa(MaxFileSize))
	}
	data = bytes.TrimPrefix(data, []byte("\xEF\xBB\xBF"))
	if err := scan(data); err != nil {
		return File{}, err
	}
	p := parser{f: File{Header: map[string]string{}}, seen: map[[2]string]bool{}}
	n := 0
	for line := range strings.SplitSeq(string(data), "\n") {
		n++
		if err := p.line(n, strings.TrimSuffix(line, "\r")); err != nil {
			return File{}, err
		}
	}
	if err := p.end(n); err != nil {
		return File{}, err
	}
	return p.f, nil
}

// scan checks that data is UTF-8 without control characters other than tab and line ends.
func scan(data []byte) error {
	line := 1
	for i := 0; i < len(data); {
		r, size := utf8.DecodeRune(data[i:])
		switch {
		case r == '\n':
			line++
		case r == '\r' && i+1 < len(data) && data[i+1] == '\n', r == '\t':
		case r == utf8.RuneError && size == 1, r == '\r':
			return badText(r, line)
		default:
			if _, bad := badRune(string(r)); bad {
				return badText(r, line)
			}
		}
		i += size
	}
	return nil
}

// Parser states: where in an entry the last keyword line was.
const (
	between  = iota // between entries; comments may be pending for the next one
	afterCtx        // after msgctxt: continuation lines or msgid
	afterID         // after msgid: continuation lines or msgstr
	afterStr        // after msgstr: continuation lines or the end of the entry
)

// parser reads a PO file line by line.
type parser struct {
	f            File
	seen         map[[2]string]bool // (context, id) of the entries read
	header       bool               // the header entry was read
	state        int
	next         Entry // comments and flags for the entry being read
	ctx, id, str strings.Builder
	cur          *strings.Builder // receives continuation lines
	idLine       int              // line of the current msgid
}

func malformed(line int, format string, args ...any) *concord.Error {
	return invalid("error.po_malformed", fmt.Sprintf("line %d: ", line)+fmt.Sprintf(format, args...), "line", strconv.Itoa(line))
}

func (p *parser) line(n int, s string) error {
	s = strings.TrimLeft(s, " \t")
	if s == "" || s[0] == '#' {
		switch p.state {
		case afterStr:
			if err := p.finish(); err != nil {
				return err
			}
		case afterCtx, afterID:
			return malformed(n, "the entry has no msgstr")
		}
		if s != "" {
			p.comment(s)
		}
		return nil
	}
	if s[0] == '"' {
		if p.state == between {
			return malformed(n, "a string outside of an entry")
		}
		return p.appendQuoted(n, s)
	}
	i := strings.IndexAny(s, " \t\"")
	if i < 0 {
		i = len(s)
	}
	keyword, rest := s[:i], strings.TrimLeft(s[i:], " \t")
	switch {
	case keyword == "msgid_plural" || strings.HasPrefix(keyword, "msgstr["):
		return invalid("error.po_plural", fmt.Sprintf("line %d: plural entries (%s) are not supported; Concord texts have no plural forms", n, keyword), "line", strconv.Itoa(n))
	case keyword == "msgctxt":
		if p.state == afterStr {
			if err := p.finish(); err != nil {
				return err
			}
		}
		if p.state != between {
			return malformed(n, "msgctxt inside an entry")
		}
		p.state, p.cur = afterCtx, &p.ctx
	case keyword == "msgid":
		if p.state == afterStr {
			if err := p.finish(); err != nil {
				return err
			}
		}
		if p.state == afterID {
			return malformed(n, "the entry has no msgstr")
		}
		p.state, p.cur, p.idLine = afterID, &p.id, n
	case keyword == "msgstr":
		if p.state != afterID {
			return malformed(n, "msgstr without msgid")
		}
		p.state, p.cur = afterStr, &p.str
	default:
		return malformed(n, "unknown keyword %q", keyword)
	}
	return p.appendQuoted(n, rest)
}

// comment records a comment line for the next entry.
func (p *parser) comment(s string) {
	switch {
	case strings.HasPrefix(s, "#~"): // obsolete entry: drop the comments that belong to it
		p.next = Entry{}
	case strings.HasPrefix(s, "#|"): // previous msgid
	case strings.HasPrefix(s, "#,"):
		for flag := range strings.SplitSeq(s[2:], ",") {
			if strings.TrimSpace(flag) == "fuzzy" {
				p.next.Fuzzy = true
			}
		}
	case strings.HasPrefix(s, "#:"):
		p.next.Refs = append(p.next.Refs, strings.Fields(s[2:])...)
	case strings.HasPrefix(s, "#."):
		p.next.Extracted = append(p.next.Extracted, strings.TrimPrefix(s[2:], " "))
	default:
		p.next.Comments = append(p.next.Comments, strings.TrimPrefix(s[1:], " "))
	}
}

// appendQuoted decodes the quoted string s and appends it to the current string.
func (p *parser) appendQuoted(n int, s string) error {
	if s == "" || s[0] != '"' {
		return malformed(n, "expected a quoted string")
	}
	b := p.cur
	for i := 1; i < len(s); i++ {
		switch c := s[i]; c {
		case '"':
			if strings.TrimRight(s[i+1:], " \t") != "" {
				return malformed(n, "text after the closing quote")
			}
			return nil
		case '\\':
			if i+1 == len(s) {
				return malformed(n, "unterminated string")
			}
			i++
			switch s[i] {
			case 'n':
				b.WriteByte('\n')
			case 't':
				b.WriteByte('\t')
			case 'r':
				b.WriteByte('\r')
			case '\\', '"':
				b.WriteByte(s[i])
			default:
				r, _ := utf8.DecodeRuneInString(s[i:])
				return malformed(n, "unsupported escape \\%c", r)
			}
		default:
			b.WriteByte(c)
		}
	}
	return malformed(n, "unterminated string")
}

// finish completes the entry whose msgstr was read.
func (p *parser) finish() error {
	e := p.next
	e.Context, e.ID, e.Str = p.ctx.String(), p.id.String(), p.str.String()
	p.next, p.state, p.cur = Entry{}, between, nil
	p.ctx.Reset()
	p.id.Reset()
	p.str.Reset()
	key := [2]string{e.Context, e.ID}
	if p.seen[key] || e.Context == "" && e.ID == "" && p.header {
		return duplicate(e, p.idLine)
	}
	if e.Context == "" && e.ID == "" {
		p.header = true
		return p.parseHeader(e.Str)
	}
	p.seen[key] = true
	p.f.Entries = append(p.f.Entries, e)
	return nil
}

// parseHeader reads the "Name: value" lines of the header entry's msgstr.
func (p *parser) parseHeader(s string) error {
	line := strconv.Itoa(p.idLine)
	for field := range strings.SplitSeq(s, "\n") {
		if strings.TrimSpace(field) == "" {
			continue
		}
		k, v, ok := strings.Cut(field, ":")
		k, v = strings.TrimSpace(k), strings.TrimSpace(v)
		_, exists := p.f.Header[k]
		if !ok || k == "" || exists || strings.Contains(k+v, "\r") {
			return invalid("error.po_header", fmt.Sprintf("line %s: header field %q is not a single \"Name: value\" line", line, shorten(field)), "line", line)
		}
		p.f.Header[k] = v
	}
	if cs, ok := charsetOK(p.f.Header["Content-Type"]); !ok {
		return charsetError(cs, p.idLine)
	}
	return nil
}

// end completes the last entry at the end of the file.
func (p *parser) end(n int) error {
	switch p.state {
	case afterStr:
		return p.finish()
	case afterCtx, afterID:
		return malformed(n, "the file ends inside an entry without msgstr")
	}
	return nil
}
