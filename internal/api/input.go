package api

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"concord"
)

// dateLayout is how the API writes and reads calendar dates.
const dateLayout = "2006-01-02"

// formatDate writes a calendar date.
func formatDate(t time.Time) string { return t.Format(dateLayout) }

// formatDatePtr writes an optional calendar date, nil for none.
func formatDatePtr(t *time.Time) *string {
	if t == nil {
		return nil
	}
	s := formatDate(*t)
	return &s
}

// formatTime writes an instant in RFC 3339, UTC, with the sub-second digits the database keeps.
func formatTime(t time.Time) string { return t.UTC().Format(time.RFC3339Nano) }

// formatTimePtr writes an optional instant, nil for none.
func formatTimePtr(t *time.Time) *string {
	if t == nil {
		return nil
	}
	s := formatTime(*t)
	return &s
}

// optional returns nil for "" and a pointer to s otherwise, for IDs that may be absent.
func optional(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}

// parseDate reads a YYYY-MM-DD date from field; "" is the zero time (the service's default)
// and anything else malformed is recorded in v.
func parseDate(v *concord.Validation, field, s string) time.Time {
	if s == "" {
		return time.Time{}
	}
	t, err := time.Parse(dateLayout, s)
	if err != nil {
		v.Add(field, "error.date", "is not a date (YYYY-MM-DD)", "value", clip(s))
		return time.Time{}
	}
	return t
}

// parseDatePtr reads an optional date: "" is none (open-ended).
func parseDatePtr(v *concord.Validation, field, s string) *time.Time {
	if s == "" {
		return nil
	}
	t := parseDate(v, field, s)
	if t.IsZero() {
		return nil
	}
	return &t
}

// parseInstant reads an RFC 3339 instant (any offset) from field, in UTC; "" is the zero
// time (absent) and anything else malformed is recorded in v.
func parseInstant(v *concord.Validation, field, s string) time.Time {
	if s == "" {
		return time.Time{}
	}
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		v.Add(field, "error.datetime", "is not an RFC 3339 time", "value", clip(s))
		return time.Time{}
	}
	return t.UTC()
}

// checkID records a problem in v when a non-empty s is not an ID; required IDs must be present.
func checkID(v *concord.Validation, field, s string, required bool) {
	switch {
	case s == "" && required:
		v.Add(field, "error.missing", "is required")
	case s != "" && !concord.ValidID(s):
		v.Add(field, "error.id", "is not an ID", "value", clip(s))
	}
}

// pathID returns the {name} path value; a value that cannot be an ID is simply not found.
func pathID(r *http.Request, name, what string) (string, error) {
	id := r.PathValue(name)
	if !concord.ValidID(id) {
		return "", concord.NotFound(what)
	}
	return id, nil
}

// clip shortens bad input before it is echoed in a message.
func clip(s string) string {
	if !utf8.ValidString(s) {
		return "…"
	}
	if r := []rune(s); len(r) > 40 {
		return string(r[:40]) + "…"
	}
	return s
}

// queryParams reads query-string parameters, collecting every problem in one validation error.
type queryParams struct {
	values url.Values
	v      concord.Validation
}

func newQuery(r *http.Request) *queryParams { return &queryParams{values: r.URL.Query()} }

// text checks one query value: valid UTF-8, no control characters, at most max characters.
func (q *queryParams) text(name, s string, max int) bool {
	switch {
	case !utf8.ValidString(s):
		q.v.Add(name, "error.invalid_utf8", "not valid UTF-8")
	case strings.ContainsFunc(s, unicode.IsControl):
		q.v.Add(name, "error.control_char", "contains control characters")
	case utf8.RuneCountInString(s) > max:
		q.v.Add(name, "error.too_long", "is too long", "max", strconv.Itoa(max))
	default:
		return true
	}
	return false
}

// all returns every value of name (repeated parameters), each checked by text.
func (q *queryParams) all(name string, max int) []string {
	var out []string
	for _, s := range q.values[name] {
		if !q.text(name, s, max) {
			return nil
		}
		out = append(out, s)
	}
	return out
}

// str returns the first value of name, checked by text; "" when absent or refused.
func (q *queryParams) str(name string, max int) string {
	s := q.values.Get(name)
	if !q.text(name, s, max) {
		return ""
	}
	return s
}

// int returns name as a whole number in [min, max], def when absent.
func (q *queryParams) int(name string, def, min, max int) int {
	s := q.values.Get(name)
	if s == "" {
		return def
	}
	n, err := strconv.Atoi(s)
	if err != nil || n < min || n > max {
		q.v.Add(name, "error.number", "is not a whole number in range", "min", strconv.Itoa(min), "max", strconv.Itoa(max))
		return def
	}
	return n
}

// id returns name as an ID, "" when absent.
func (q *queryParams) id(name string) string {
	s := q.values.Get(name)
	checkID(&q.v, name, s, false)
	if !concord.ValidID(s) {
		return ""
	}
	return s
}

// time returns name as an RFC 3339 instant, the zero time when absent.
func (q *queryParams) time(name string) time.Time {
	s := q.values.Get(name)
	if s == "" {
		return time.Time{}
	}
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		q.v.Add(name, "error.datetime", "is not an RFC 3339 time", "value", clip(s))
		return time.Time{}
	}
	return t.UTC()
}

// err returns the collected problems as one EINVALID error, or nil.
func (q *queryParams) err() error { return q.v.Err() }

// canonicalLang writes a language tag in its canonical case ("ES" → "es", "pt-br" → "pt-BR",
// "zh-hant" → "zh-Hant", "es_MX" → "es-MX"), so that one language is not stored under two
// spellings. It does not validate the tag.
func canonicalLang(tag string) string {
	parts := strings.FieldsFunc(strings.TrimSpace(tag), func(r rune) bool { return r == '-' || r == '_' })
	for i, part := range parts {
		switch {
		case i == 0:
			parts[i] = strings.ToLower(part)
		case len(part) == 2 && isASCIILetters(part): // region
			parts[i] = strings.ToUpper(part)
		case len(part) == 4 && isASCIILetters(part): // script
			parts[i] = strings.ToUpper(part[:1]) + strings.ToLower(part[1:])
		default:
			parts[i] = strings.ToLower(part)
		}
	}
	return strings.Join(parts, "-")
}

func isASCIILetters(s string) bool {
	for i := 0; i < len(s); i++ {
		if c := s[i] | 0x20; c < 'a' || c > 'z' {
			return false
		}
	}
	return s != ""
}

// checkLang records a problem in v when a non-empty s is not a language tag (required ones
// must be present) and returns it in canonical case.
func checkLang(v *concord.Validation, field, s string, required bool) string {
	switch {
	case s == "" && required:
		v.Add(field, "error.missing", "is required")
	case s != "" && !concord.ValidLangTag(s):
		v.Add(field, "error.lang", "is not a language tag", "value", clip(s))
	default:
		return canonicalLang(s)
	}
	return ""
}

// pathLang returns the {lang} path value in canonical case; a value that is not a language
// tag is invalid input (422), as the service treats it.
func pathLang(r *http.Request) (string, error) {
	var v concord.Validation
	lang := checkLang(&v, "lang", r.PathValue("lang"), true)
	return lang, v.Err()
}

// checkText records a problem with a text field in v: valid UTF-8, no control characters
// (newlines and tabs allowed when multiline), at most max characters, present when required.
// The services check the fields they know; this covers the ones they take as they come.
func checkText(v *concord.Validation, field, s string, required bool, max int, multiline bool) {
	switch {
	case !utf8.ValidString(s):
		v.Add(field, "error.invalid_utf8", "not valid UTF-8")
	case required && strings.TrimSpace(s) == "":
		v.Add(field, "error.missing", "is required")
	case utf8.RuneCountInString(s) > max:
		v.Add(field, "error.too_long", "is too long", "max", strconv.Itoa(max))
	case strings.ContainsFunc(s, func(r rune) bool { return unicode.IsControl(r) && !(multiline && isLineSpace(r)) }):
		v.Add(field, "error.control_char", "contains control characters")
	}
}

// isLineSpace reports whether r is one of the control characters a multi-line text may hold.
func isLineSpace(r rune) bool { return r == '\n' || r == '\r' || r == '\t' }
