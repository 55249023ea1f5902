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
