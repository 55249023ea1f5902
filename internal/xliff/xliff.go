// Package xliff reads and writes the XLIFF 1.2 files that translators exchange with Concord.
//
// One File is one immutable document version exported for one target language: File.Original
// names the document and version ("concord:document/<uuid>/version/<sha256 hex>"), and every
// Unit is one segment (a paragraph of the Markdown source) whose ID is the segment ID.
//
// Write produces a single <file> with datatype="plaintext", one <trans-unit
// xml:space="preserve"> per unit (with approved="yes" when the state is "final"), the source
// text, an optional <target state="…"> and an optional <note from="developer">.
//
// Read is strict and explains every refusal with a *concord.Error (code EINVALID, an
// "error.xliff_*" key and line/unit parameters). It accepts what CAT tools such as OmegaT and
// Trados write back: <group> nesting, <seg-source> (ignored), <mrk>, <g> and other inline
// elements inside <source> and <target> (their text is kept, <x/>, <bx/> and <ex/> contribute
// nothing), approved="yes", <alt-trans> (ignored) and elements of other namespaces (ignored).
// It refuses DOCTYPE declarations, other XLIFF versions (including the XLIFF 1.1 that
// translate-toolkit's po2xliff writes), anything but exactly one <file>, missing, malformed or
// duplicate unit IDs, encodings other than UTF-8 and control characters in text.
//
// Read and Write agree: whatever Read returns, Write accepts, and reading the result again
// gives the same File.
package xliff

import (
	"fmt"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"concord"
)

// Namespace is the XML namespace of XLIFF 1.2 documents.
const Namespace = "urn:oasis:names:tc:xliff:document:1.2"

// MaxFileSize is the largest XLIFF file, in bytes, that Read accepts.
const MaxFileSize = 16 << 20

// Unit states: the XLIFF 1.2 values of <target state="…"> that Concord uses.
const (
	StateNew                    = "new"                      // target is new, not yet worked on
	StateNeedsTranslation       = "needs-translation"        // target still to be translated
	StateNeedsReviewTranslation = "needs-review-translation" // e.g. machine translation or outdated
	StateTranslated             = "translated"               // translated, not yet final
	StateFinal                  = "final"                    // translated and approved
)

// Unit is one translation unit: one segment of the document version.
type Unit struct {
	ID     string // segment ID: 1 to 64 characters of [A-Za-z0-9_-]
	Source string // source text, plain text that may contain newlines
	Target string // translated text; empty when there is none
	State  string // one of the State constants; empty means no target
	Note   string // note for translators; empty means none
}

// File is one exported document version for one target language.
type File struct {
	Original   string // identifies document and version, e.g. "concord:document/<uuid>/version/<sha256 hex>"
	SourceLang string // BCP 47 tag of the source language
	TargetLang string // BCP 47 tag of the target language; may be empty
	Tool       string // tool-id of the header's first <tool>, "concord" for Concord's exports
	Units      []Unit
}

const maxAttrLen = 2048

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

// validID reports whether id is a well-formed segment ID.
func validID(id string) bool {
	if id == "" || len(id) > 64 {
		return false
	}
	for i := 0; i < len(id); i++ {
		c := id[i]
		if !('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == '_' || c == '-') {
			return false
		}
	}
	return true
}

// validLang reports whether tag has the syntax of a BCP 47 language tag: a primary subtag of
// 2 to 8 letters followed by subtags of 1 to 8 letters or digits, separated by hyphens.
func validLang(tag string) bool {
	if len(tag) > 35 {
		return false
	}
	n := 0 // length of the current subtag
	first := true
	for i := 0; i <= len(tag); i++ {
		if i == len(tag) || tag[i] == '-' {
			if n == 0 || n > 8 || first && n < 2 {
				return false
			}
			n, first = 0, false
			continue
		}
		c := tag[i]
		letter := 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z'
		if !letter && (first || c < '0' || c > '9') {
			return false
		}
		n++
	}
	return true
}

// badRune returns the first rune of s that may not appear in Concord text: invalid UTF-8
// (reported as utf8.RuneError), a control character other than tab, newline and carriage
// return, or one of the noncharacters U+FFFE and U+FFFF that XML forbids.
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

// badAttr reports whether s cannot be a single-line attribute value such as File.Original.
func badAttr(s string) bool {
	if len(s) > maxAttrLen {
		return true
	}
	_, bad := badRune(s)
	return bad || strings.ContainsAny(s, "\t\n\r")
}

// runeName formats r as U+XXXX for error messages.
func runeName(r rune) string { return fmt.Sprintf("U+%04X", r) }

// checkFile validates f as Write needs it; Read applies the same rules to what it returns.
func checkFile(f File) error {
	if f.Original == "" || badAttr(f.Original) {
		return invalid("error.xliff_file_attr", "file original must be a non-empty single line of text", "attribute", "original")
	}
	if !validLang(f.SourceLang) {
		return invalid("error.xliff_file_attr", fmt.Sprintf("source language %q is not a language tag", f.SourceLang), "attribute", "source-language", "value", f.SourceLang)
	}
	if f.TargetLang != "" && !validLang(f.TargetLang) {
		return invalid("error.xliff_file_attr", fmt.Sprintf("target language %q is not a language tag", f.TargetLang), "attribute", "target-language", "value", f.TargetLang)
	}
	if badAttr(f.Tool) {
		return invalid("error.xliff_file_attr", "tool must be a single line of text", "attribute", "tool-id")
	}
	seen := make(map[string]bool, len(f.Units))
	for i, u := range f.Units {
		if !validID(u.ID) {
			return invalid("error.xliff_unit_id", fmt.Sprintf("unit %d: id %q is not 1 to 64 characters of A-Z, a-z, 0-9, _ and -", i+1, u.ID), "unit", u.ID)
		}
		if seen[u.ID] {
			return invalid("error.xliff_duplicate_unit", fmt.Sprintf("unit %q appears twice", u.ID), "unit", u.ID)
		}
		seen[u.ID] = true
		switch u.State {
		case "":
			if u.Target != "" {
				return invalid("error.xliff_state", fmt.Sprintf("unit %q has a target but no state", u.ID), "unit", u.ID)
			}
		case StateNew, StateNeedsTranslation, StateNeedsReviewTranslation, StateTranslated, StateFinal:
		default:
			return invalid("error.xliff_state", fmt.Sprintf("unit %q: unknown state %q", u.ID, u.State), "unit", u.ID, "state", u.State)
		}
		for _, s := range [...]string{u.Source, u.Target, u.Note} {
			if err := checkText(s, u.ID, 0); err != nil {
				return err
			}
		}
	}
	return nil
}

// checkText returns an error naming the unit (and line, when known) if s contains a rune that
// badRune refuses.
func checkText(s, unit string, line int) error {
	r, bad := badRune(s)
	if !bad {
		return nil
	}
	kv := []string{"unit", unit, "char", runeName(r)}
	where := fmt.Sprintf("unit %q", unit)
	if line > 0 {
		kv = append(kv, "line", strconv.Itoa(line))
		where = fmt.Sprintf("line %d: unit %q", line, unit)
	}
	if r == utf8.RuneError {
		return invalid("error.xliff_encoding", where+": text is not valid UTF-8", kv...)
	}
	return invalid("error.xliff_control_char", fmt.Sprintf("%s: text contains the control character %s", where, runeName(r)), kv...)
}
