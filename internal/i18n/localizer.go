package i18n

import (
	"fmt"
	"strconv"
	"strings"
	"time"
)

// Localizer translates messages and formats dates for one language.
type Localizer struct {
	cat      *catalog
	fallback *catalog // English
}

// Tag returns the BCP 47 tag of the localizer's language, for the HTML lang attribute.
func (l *Localizer) Tag() string { return l.cat.lang.Tag }

// Dir returns "rtl" or "ltr", for the HTML dir attribute.
func (l *Localizer) Dir() string { return l.cat.lang.Dir() }

// Has reports whether the key exists in the localizer's language itself (not by fallback).
func (l *Localizer) Has(key string) bool {
	_, ok := l.cat.messages[key]
	return ok
}

// T returns the message for key with {name} placeholders filled from the name/value pairs
// in kv; a plural message gives its "other" form.
func (l *Localizer) T(key string, kv ...any) string {
	text, _ := l.lookup(key, func(*catalog) string { return "other" })
	return fill(text, kv)
}

// N returns the plural form of key for count, with {count} and the placeholders in kv
// filled; count is written in the digits of the language that supplied the text.
func (l *Localizer) N(key string, count int, kv ...any) string {
	text, c := l.lookup(key, func(c *catalog) string { return c.plural.category(count) })
	return fill(text, append([]any{"count", c.digits(strconv.Itoa(count))}, kv...))
}

// Date returns the calendar date of t in loc (UTC if loc is nil), e.g. "3 March 2026".
func (l *Localizer) Date(t time.Time, loc *time.Location) string {
	t = inZone(t, loc)
	return l.T("format.date",
		"day", l.cat.digits(strconv.Itoa(t.Day())),
		"month", l.T("month."+strconv.Itoa(int(t.Month()))),
		"year", l.cat.digits(strconv.Itoa(t.Year())))
}

// DateTime returns the date, the 24-hour time and the zone abbreviation (or offset) of t in
// loc (UTC if loc is nil), e.g. "3 March 2026, 14:05 CET".
func (l *Localizer) DateTime(t time.Time, loc *time.Location) string {
	t = inZone(t, loc)
	return l.T("format.datetime",
		"date", l.Date(t, t.Location()),
		"time", l.cat.digits(t.Format("15:04")),
		"zone", t.Format("MST"))
}

func inZone(t time.Time, loc *time.Location) time.Time {
	if loc == nil {
		loc = time.UTC
	}
	return t.In(loc)
}

// lookup finds key in the localizer's language, then in English, choosing a plural form
// with form; it returns the key itself (and the localizer's catalog) if both lack it.
func (l *Localizer) lookup(key string, form func(*catalog) string) (string, *catalog) {
	for _, c := range []*catalog{l.cat, l.fallback} {
		m, ok := c.messages[key]
		switch {
		case !ok:
			continue
		case m.forms == nil:
			return m.text, c
		}
		if text, ok := m.forms[form(c)]; ok {
			return text, c
		}
		return m.forms["other"], c
	}
	return key, l.cat
}

// digits rewrites the ASCII digits in s into the catalog's digits.
func (c *catalog) digits(s string) string {
	if c.zero == '0' {
		return s
	}
	return strings.Map(func(r rune) rune {
		if r >= '0' && r <= '9' {
			return c.zero + r - '0'
		}
		return r
	}, s)
}

// fill replaces each {name} in text by the value following name in kv, formatted with %v.
// Placeholders without a value are left as they are; values are not scanned again.
func fill(text string, kv []any) string {
	if len(kv) < 2 || !strings.Contains(text, "{") {
		return text
	}
	var b strings.Builder
	for {
		open := strings.IndexByte(text, '{')
		if open < 0 {
			break
		}
		end := strings.IndexByte(text[open:], '}')
		if end < 0 {
			break
		}
		end += open
		v, ok := value(kv, text[open+1:end])
		if !ok {
			b.WriteString(text[:open+1])
			text = text[open+1:]
			continue
		}
		b.WriteString(text[:open])
		fmt.Fprintf(&b, "%v", v)
		text = text[end+1:]
	}
	b.WriteString(text)
	return b.String()
}

// value returns the value paired with name in kv; an odd trailing element is ignored.
func value(kv []any, name string) (any, bool) {
	for i := 0; i+1 < len(kv); i += 2 {
		if k, ok := kv[i].(string); ok && k == name {
			return kv[i+1], true
		}
	}
	return nil, false
}
