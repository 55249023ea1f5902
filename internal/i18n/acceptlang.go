package i18n

import (
	"cmp"
	"slices"
	"strings"
)

// Limits that keep FromAcceptLanguage's work bounded whatever a client sends.
const (
	maxHeaderBytes = 4096 // longer headers are cut at the last comma before this
	maxLanguages   = 32   // further entries are ignored
	maxTagBytes    = 64   // longer tags are ignored
)

// FromAcceptLanguage parses an Accept-Language header into well-formed language tags,
// most preferred first (by q-value, then by position). Entries with q=0, the wildcard "*"
// (it names no language; Negotiate's English fallback covers it) and malformed entries are
// dropped, a repeated tag keeps its first position and q-value, and at most 32
// tags are returned.
func (b *Bundle) FromAcceptLanguage(header string) []string {
	if len(header) > maxHeaderBytes {
		header = header[:maxHeaderBytes]
		if i := strings.LastIndexByte(header, ','); i >= 0 {
			header = header[:i]
		}
	}
	type weighted struct {
		tag string
		q   int // thousandths
	}
	var list []weighted
	for entry := range strings.SplitSeq(header, ",") {
		if len(list) == maxLanguages {
			break
		}
		tag, params, _ := strings.Cut(entry, ";")
		q, ok := parseQ(params)
		if !ok || q == 0 {
			continue
		}
		tag, ok = canonicalTag(strings.TrimSpace(tag))
		if !ok || slices.ContainsFunc(list, func(w weighted) bool { return w.tag == tag }) {
			continue
		}
		list = append(list, weighted{tag, q})
	}
	slices.SortStableFunc(list, func(a, b weighted) int { return cmp.Compare(b.q, a.q) })
	tags := make([]string, len(list))
	for i, w := range list {
		tags[i] = w.tag
	}
	return tags
}

// parseQ returns the q parameter among params ("q=0.5;x=y") in thousandths, 1000 if absent.
// A malformed q-value (RFC 9110 allows 0 to 1 with at most three decimals) is not ok.
func parseQ(params string) (q int, ok bool) {
	q = 1000
	for p := range strings.SplitSeq(params, ";") {
		name, val, _ := strings.Cut(p, "=")
		if !strings.EqualFold(strings.TrimSpace(name), "q") {
			continue
		}
		val = strings.TrimSpace(val)
		whole, frac, _ := strings.Cut(val, ".")
		if (whole != "0" && whole != "1") || len(frac) > 3 {
			return 0, false
		}
		q = int(whole[0]-'0') * 1000
		for i, scale := 0, 100; i < len(frac); i, scale = i+1, scale/10 {
			if frac[i] < '0' || frac[i] > '9' {
				return 0, false
			}
			q += int(frac[i]-'0') * scale
		}
		if q > 1000 {
			return 0, false
		}
	}
	return q, true
}

// canonicalTag checks that s looks like a BCP 47 tag (a primary subtag of 2 to 8 letters,
// then subtags of 1 to 8 letters or digits; "_" is read as "-") and returns it in the
// conventional case: "es-MX", "zh-Hant-TW"; subtags after a singleton ("x-…") stay lower case.
func canonicalTag(s string) (string, bool) {
	if len(s) > maxTagBytes {
		return "", false
	}
	subtags := strings.Split(strings.ReplaceAll(s, "_", "-"), "-")
	singleton := false
	for i, sub := range subtags {
		if len(sub) < 1 || len(sub) > 8 || !isAlnum(sub) || (i == 0 && (len(sub) < 2 || !isAlpha(sub))) {
			return "", false
		}
		sub = strings.ToLower(sub)
		switch {
		case i == 0 || singleton:
		case len(sub) == 1:
			singleton = true
		case len(sub) == 2 && isAlpha(sub):
			sub = strings.ToUpper(sub)
		case len(sub) == 4 && isAlpha(sub):
			sub = strings.ToUpper(sub[:1]) + sub[1:]
		}
		subtags[i] = sub
	}
	return strings.Join(subtags, "-"), true
}

func isAlpha(s string) bool {
	for i := range len(s) {
		if c := s[i] | 0x20; c < 'a' || c > 'z' {
			return false
		}
	}
	return true
}

func isAlnum(s string) bool {
	for i := range len(s) {
		if c := s[i]; (c < '0' || c > '9') && (c|0x20 < 'a' || c|0x20 > 'z') {
			return false
		}
	}
	return true
}
