// Package po reads and writes GNU gettext PO files, the format of Poedit, Weblate and
// gettext, for translating one Concord document version into one language.
//
// Concord maps a document version to a PO file like this:
//
//	msgctxt              the segment ID (e.g. "s3f9a0c12ab45")
//	msgid                the source paragraph (Markdown, may contain newlines)
//	msgstr               the translation; empty when there is none
//	#, fuzzy             machine translation, or a translation that needs review
//	#.                   notes for translators (Entry.Extracted)
//	header X-Concord-Original  the version identifier, "concord:document/<uuid>/version/<sha256 hex>"
//	header Language      the target language (BCP 47)
//	header Content-Type  "text/plain; charset=UTF-8"
//
// translate-toolkit's xliff2po, given Concord's XLIFF, keeps the segment ID as a "#:"
// reference and writes msgctxt only for entries whose msgid occurs twice; Entry.SegmentID
// reads either form. Its po2xliff drops msgctxt altogether.
//
// Read is strict: every problem is an EINVALID *concord.Error with an "error.po_*" key and
// a line parameter. Plural entries, charsets other than UTF-8 and duplicate entries are
// refused; previous-msgid ("#|") lines and obsolete ("#~") entries are skipped. Whatever
// Read returns, Write accepts, and reading the result again gives the same File.
package po

import (
	"fmt"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"concord"
)

// MaxFileSize is the largest PO file, in bytes, that Read accepts.
const MaxFileSize = 16 << 20

// Entry is one message of a PO file.
type Entry struct {
	Context   string   // msgctxt; Concord: the segment ID
	ID        string   // msgid; Concord: the source paragraph
	Str       string   // msgstr; Concord: the translation, empty when there is none
	Fuzzy     bool     // the "fuzzy" flag: machine translation or needs review
	Comments  []string // translator comments, lines "# …"
	Extracted []string // extracted comments, lines "#. …"; Concord: notes for translators
	Refs      []string // references, the space-separated words of "#:" lines
}

// File is a PO file: its header fields and its entries in order.
type File struct {
	Header  map[string]string // fields of the header entry (msgid ""), e.g. "Language": "de"
	Entries []Entry
}

// SegmentID returns the Concord segment ID of e: its context or, when it has none, its only
// reference (the form translate-toolkit's xliff2po writes). It returns "" otherwise.
func (e Entry) SegmentID() string {
	if e.Context != "" {
		return e.Context
	}
	if len(e.Refs) == 1 {
		return e.Refs[0]
	}
	return ""
}

// invalid returns the EINVALID error with the given key, English message and parameters
// given as name/value pairs.
func invalid(key, msg string, kv ...string) *concord.Error {
	e := &concord.Error{Code: concord.EINVALID, Key: key, Message: msg}
	if len(kv) > 0 {
		e.Params = make(map[string]string, len(kv)/2)
		for i := 0; i+1 < len(kv); i += 2 {
			e.Params[kv[i]] = kv[i+1]
		}
	}
	return e
}

// badRune returns the first rune of s that may not appear in Concord text: invalid UTF-8
// (reported as utf8.RuneError), a control character other than tab, newline and carriage
// return, or one of the noncharacters U+FFFE and U+FFFF.
func badRune(s string) (rune, bool) {
	for i, r := range s {
		switch {
		case r == utf8.RuneError:
			if _, size := utf8.DecodeRuneInString(s[i:]); size == 1 {
				return r, true
			}
		case r == '\t' || r == '\n' || r == '\r':
		case unicode.IsControl(r), r == 0xFFFE, r == 0xFFFF:
			return r, true
		}
	}
	return 0, false
}

// charsetOK reports whether a Content-Type header value declares UTF-8 or no charset.
func charsetOK(contentType string) (charset string, ok bool) {
	for param := range strings.SplitSeq(contentType, ";") {
		name, value, found := strings.Cut(param, "=")
		if found && strings.EqualFold(strings.TrimSpace(name), "charset") {
			charset = strings.Trim(strings.TrimSpace(value), `"`)
			return charset, strings.EqualFold(charset, "UTF-8") || strings.EqualFold(charset, "UTF8")
		}
	}
	return "", true
}

// shorten returns s cut to at most 80 bytes (at a rune boundary) for error parameters.
func shorten(s string) string {
	if len(s) <= 80 {
		return s
	}
	i := 80
	for i > 0 && !utf8.RuneStart(s[i]) {
		i--
	}
	return s[:i] + "…"
}

// checkFile validates f as Write needs it; Read only returns files that pass.
func checkFile(f File) error {
	for k, v := range f.Header {
		if k == "" || k != strings.TrimSpace(k) || strings.ContainsAny(k, ":\n\r") || v != strings.TrimSpace(v) || strings.ContainsAny(v, "\n\r") {
			return invalid("error.po_header", fmt.Sprintf("header field %q: %q is not a valid single-line field", k, v), "field", k)
		}
		for _, s := range [...]string{k, v} {
			if r, bad := badRune(s); bad {
				return badText(r, 0)
			}
		}
	}
	if cs, ok := charsetOK(f.Header["Content-Type"]); !ok {
		return charsetError(cs, 0)
	}
	seen := make(map[[2]string]bool, len(f.Entries))
	for i, e := range f.Entries {
		if e.Context == "" && e.ID == "" {
			return invalid("error.po_malformed", fmt.Sprintf("entry %d: msgid may be empty only with a msgctxt (msgid \"\" is the header)", i+1), "entry", strconv.Itoa(i+1))
		}
		key := [2]string{e.Context, e.ID}
		if seen[key] {
			return duplicate(e, 0)
		}
		seen[key] = true
		for _, s := range [...]string{e.Context, e.ID, e.Str} {
			if r, bad := badRune(s); bad {
				return badText(r, 0)
			}
		}
		for _, lines := range [...][]string{e.Comments, e.Extracted} {
			for _, c := range lines {
				if r, bad := badRune(c); bad || strings.ContainsAny(c, "\n\r") {
					if !bad {
						r = '\n'
					}
					return invalid("error.po_comment", fmt.Sprintf("entry %d: comment %q must be a single line of text", i+1, shorten(c)), "entry", strconv.Itoa(i+1), "char", fmt.Sprintf("U+%04X", r))
				}
			}
		}
		for _, ref := range e.Refs {
			if _, bad := badRune(ref); bad || ref == "" || strings.ContainsFunc(ref, unicode.IsSpace) {
				return invalid("error.po_comment", fmt.Sprintf("entry %d: reference %q must be one word", i+1, shorten(ref)), "entry", strconv.Itoa(i+1))
			}
		}
	}
	return nil
}

// lineKV returns the "line" parameter pair, or nothing when line is 0 (unknown).
func lineKV(line int) []string {
	if line == 0 {
		return nil
	}
	return []string{"line", strconv.Itoa(line)}
}

func at(line int) string {
	if line == 0 {
		return ""
	}
	return fmt.Sprintf("line %d: ", line)
}

func badText(r rune, line int) *concord.Error {
	if r == utf8.RuneError {
		return invalid("error.po_encoding", at(line)+"text is not valid UTF-8", lineKV(line)...)
	}
	return invalid("error.po_control_char", fmt.Sprintf("%stext contains the control character U+%04X", at(line), r), append(lineKV(line), "char", fmt.Sprintf("U+%04X", r))...)
}

func charsetError(charset string, line int) *concord.Error {
	return invalid("error.po_charset", fmt.Sprintf("%sthe file declares charset %q; save it as UTF-8", at(line), charset), append(lineKV(line), "charset", charset)...)
}

func duplicate(e Entry, line int) *concord.Error {
	return invalid("error.po_duplicate", fmt.Sprintf("%sthe entry msgctxt %q msgid %q appears twice", at(line), shorten(e.Context), shorten(e.ID)),
		append(lineKV(line), "context", shorten(e.Context), "id", shorten(e.ID))...)
}
