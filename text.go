package concord

import (
	"net/url"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Text limits, in characters (runes), for user input.
const (
	MaxName        = 200
	MaxShort       = 32
	MaxLine        = 500
	MaxDescription = 20000
)

// CleanText trims surrounding space and normalizes line endings.
func CleanText(s string) string {
	s = strings.ReplaceAll(s, "\r\n", "\n")
	return strings.TrimSpace(s)
}

// checkText validates one text field: valid UTF-8, no control characters except newlines and
// tabs when multiline, at most max characters, and present when required.
func checkText(v *Validation, field, value string, required bool, max int, multiline bool) {
	if !utf8.ValidString(value) {
		v.Add(field, "error.invalid_utf8", "not valid UTF-8")
		return
	}
	if required && value == "" {
		v.Add(field, "error.missing", "is required")
		return
	}
	if n := utf8.RuneCountInString(value); n > max {
		v.Add(field, "error.too_long", "is too long", "max", strconv.Itoa(max))
		return
	}
	for _, r := range value {
		if unicode.IsControl(r) && !(multiline && (r == '\n' || r == '\t')) {
			v.Add(field, "error.control_char", "contains control characters")
			return
		}
	}
}

// checkURL validates an optional http(s) URL.
func checkURL(v *Validation, field, value string) {
	checkText(v, field, value, false, MaxLine, false)
	if value == "" {
		return
	}
	u, err := url.Parse(value)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		v.Add(field, "error.url", "is not an http or https address")
	}
}

// ValidLangTag reports whether s looks like a BCP 47 language tag: a 2–3 letter primary
// language and optional alphanumeric subtags of 1–8 characters ("fa", "pt-BR", "sr-Latn").
func ValidLangTag(s string) bool {
	if s == "" || len(s) > 35 {
		return false
	}
	for i, part := range strings.Split(s, "-") {
		if len(part) == 0 || len(part) > 8 || (i == 0 && (len(part) < 2 || len(part) > 3)) {
			return false
		}
		for _, c := range part {
			isLetter := ('a' <= c && c <= 'z') || ('A' <= c && c <= 'Z')
			if !isLetter && !(i > 0 && '0' <= c && c <= '9') {
				return false
			}
		}
	}
	return true
}

func checkLangTag(v *Validation, field, value string, required bool) {
	if value == "" {
		if required {
			v.Add(field, "error.missing", "is required")
		}
		return
	}
	if !ValidLangTag(value) {
		v.Add(field, "error.lang", "is not a language tag", "value", clip(value, 40))
	}
}

// checkEmail does the minimal check that catches typing mistakes; delivery is the real test.
func checkEmail(v *Validation, field, value string, required bool) {
	checkText(v, field, value, required, MaxName, false)
	if value == "" {
		return
	}
	at := strings.LastIndexByte(value, '@')
	if at < 1 || at == len(value)-1 || strings.ContainsAny(value, " <>,;\"") || !strings.Contains(value[at:], ".") {
		v.Add(field, "error.email", "is not an email address")
	}
}

// clip shortens s to at most n runes for echoing bad input back in messages.
func clip(s string, n int) string {
	if !utf8.ValidString(s) {
		s = strings.ToValidUTF8(s, "\uFFFD")
	}
	r := []rune(s)
	if len(r) > n {
		return string(r[:n]) + "…"
	}
	return s
}
