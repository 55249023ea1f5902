package web

import (
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"concord"
	"concord/internal/httpx"
	"concord/internal/i18n"
)

// Form holds a form's values (as submitted, or the current data) and its problems, each
// translated: one message per field, a summary for the top of the page, and a general
// message for problems that belong to no field.
type Form struct {
	values   url.Values
	errors   map[string]string
	Problems []Problem
	Message  string
}

// Problem is one entry of the error summary, linking to its field.
type Problem struct {
	Anchor  string
	Message string
}

func newForm(values url.Values) *Form {
	if values == nil {
		values = url.Values{}
	}
	return &Form{values: values, errors: map[string]string{}}
}

// Value returns a field's value, made printable if it was not valid UTF-8.
func (f *Form) Value(name string) string {
	return strings.ToValidUTF8(f.values.Get(name), "\uFFFD")
}

// Values returns every value of a repeated field.
func (f *Form) Values(name string) []string {
	out := make([]string, 0, len(f.values[name]))
	for _, v := range f.values[name] {
		out = append(out, strings.ToValidUTF8(v, "\uFFFD"))
	}
	return out
}

// Has reports whether a repeated field (checkboxes) holds value.
func (f *Form) Has(name, value string) bool {
	for _, v := range f.values[name] {
		if v == value {
			return true
		}
	}
	return false
}

// Set replaces a field's value.
func (f *Form) Set(name, value string) { f.values.Set(name, value) }

// Error is the translated problem with a field, or "".
func (f *Form) Error(name string) string { return f.errors[name] }

// Invalid reports whether the form has any problem to show.
func (f *Form) Invalid() bool { return len(f.Problems) > 0 || f.Message != "" }

// fixable reports whether err is a problem the person can fix by changing the form: invalid
// input, a conflict, too many attempts, a malformed or oversized form.
func fixable(err error) bool {
	switch concord.ErrorCode(err) {
	case concord.EINVALID, concord.ECONFLICT, concord.ERATELIMIT, httpx.EBADREQUEST, httpx.ETOOLARGE:
		return true
	}
	return false
}

// absorb records err on the form when it is fixable and reports whether it did.
func (h *Handler) absorb(r *http.Request, f *Form, err error) bool {
	st := state(r)
	e := concord.AsError(err)
	if e == nil || !fixable(err) {
		return false
	}
	switch e.Code {
	case concord.EINVALID:
		if len(e.Fields) == 0 {
			f.Message = h.errorMessage(st, err)
		}
		for _, fe := range e.Fields {
			msg := h.fieldMessage(st, fe)
			if _, seen := f.errors[fe.Field]; !seen {
				f.errors[fe.Field] = msg
			}
			summary := msg
			if label := h.fieldLabel(st.l, fe.Field); !strings.Contains(msg, label) {
				summary = st.l.T("form.problem", "field", label, "message", msg)
			}
			f.Problems = append(f.Problems, Problem{Anchor: "#" + fieldID(fe.Field), Message: summary})
		}
		return true
	}
	f.Message = h.errorMessage(st, err)
	return true
}

// retry re-renders a form page with the problem err describes, when it is one the person
// can fix there; other errors (forbidden, not found, internal) go to the error page.
func (h *Handler) retry(w http.ResponseWriter, r *http.Request, err error, f *Form, name, title string, data any) error {
	if !h.absorb(r, f, err) {
		return err
	}
	return h.renderForm(w, r, httpx.Status(concord.ErrorCode(err)), name, title, f, data)
}

var nonIDChars = regexp.MustCompile(`[^A-Za-z0-9_-]+`)

// fieldID is the HTML id of a field's control; error summaries link to it.
func fieldID(name string) string { return "f-" + nonIDChars.ReplaceAllString(name, "-") }

// fieldLabel names a field in messages with its form label: "field.<name>" in the catalog,
// "names.<tag>" as the name in that language.
func (h *Handler) fieldLabel(l *i18n.Localizer, name string) string {
	if tag, ok := strings.CutPrefix(name, "names."); ok {
		return l.T("field.name_in", "lang", h.names.language(l.Tag(), tag))
	}
	if tag, ok := strings.CutPrefix(name, "adopted."); ok {
		return l.T("field.adopted_in", "lang", h.names.language(l.Tag(), tag))
	}
	if tag, ok := strings.CutPrefix(name, "forbidden."); ok {
		return l.T("field.forbidden_in", "lang", h.names.language(l.Tag(), tag))
	}
	if strings.HasPrefix(name, "t.") {
		return l.T("field.segment_text")
	}
	if s := l.T("field." + name); s != "field."+name {
		return s
	}
	return name
}

// formReader reads form fields and records problems with the input itself (invalid UTF-8,
// malformed dates) before anything reaches a service.
type formReader struct {
	r *http.Request
	v concord.Validation
}

// text returns a trimmed field.
func (fr *formReader) text(name string) string { return httpx.FormValue(fr.r, &fr.v, name) }

// raw returns a field as typed (passwords are not trimmed).
func (fr *formReader) raw(name string) string { return fr.r.PostFormValue(name) }

// date reads a YYYY-MM-DD field as midnight UTC; empty gives the zero time.
func (fr *formReader) date(name string) time.Time {
	s := fr.text(name)
	if s == "" {
		return time.Time{}
	}
	t, err := time.Parse(time.DateOnly, s)
	if err != nil {
		fr.v.Add(name, "error.date", "is not a date (YYYY-MM-DD)")
		return time.Time{}
	}
	return t
}

// datePtr is date for an optional date.
func (fr *formReader) datePtr(name string) *time.Time {
	t := fr.date(name)
	if t.IsZero() {
		return nil
	}
	return &t
}

// all returns every value of a repeated field, with invalid UTF-8 reported once.
func (fr *formReader) all(name string) []string {
	vals := fr.r.PostForm[name]
	out := make([]string, len(vals))
	for i, s := range vals {
		if !utf8.ValidString(s) {
			fr.v.Add(name, "error.invalid_utf8", "not valid UTF-8")
			s = ""
		}
		out[i] = strings.TrimSpace(s)
	}
	return out
}

// err returns the recorded input problems as one EINVALID error, or nil.
func (fr *formReader) err() error { return fr.v.Err() }

// field is what the input, select and textarea partials render.
type field struct {
	ID, Name, Label, Type, Value string
	Error, ErrorID               string
	Hint, HintID                 string
	Required                     bool
	RequiredMark                 string
	Autocomplete, List, Dir      string
	Rows                         int
	Options                      []option
}

// option is one choice of a select.
type option struct {
	Value, Label, Lang string
	Selected           bool
}

// DescribedBy lists the hint and error ids for aria-describedby.
func (f field) DescribedBy() string {
	return strings.TrimSpace(f.HintID + " " + f.ErrorID)
}

// Field describes a form control named name, labelled by the catalog key field.<name>.
// Options, each "key:value" or a flag: required, type:email, hint:<key>, label:<key>,
// auto:<autocomplete>, list:<datalist id>, dir:auto, rows:<n>, id:<suffix>, value:<literal>.
func (v *view) Field(name string, opts ...string) field {
	f := field{ID: fieldID(name), Name: name, Label: v.h.fieldLabel(v.l, name), Type: "text", Value: v.Form.Value(name)}
	for _, o := range opts {
		key, val, _ := strings.Cut(o, ":")
		switch key {
		case "required":
			f.Required, f.RequiredMark = true, v.l.T("form.required_mark")
		case "type":
			f.Type = val
		case "hint":
			f.Hint, f.HintID = v.l.T(val), f.ID+"-hint"
		case "label":
			f.Label = v.l.T(val)
		case "auto":
			f.Autocomplete = val
		case "list":
			f.List = val
		case "dir":
			f.Dir = val
		case "rows":
			f.Rows, _ = strconv.Atoi(val)
		case "id":
			f.ID += "-" + val
		case "value":
			f.Value = val
		}
	}
	if f.Type == "password" {
		f.Value = ""
	}
	if msg := v.Form.Error(name); msg != "" {
		f.Error, f.ErrorID = msg, f.ID+"-error"
	}
	return f
}

// Select is Field with a list of choices; the one equal to the form value is selected.
func (v *view) Select(name string, options []option, opts ...string) field {
	f := v.Field(name, opts...)
	f.Options = make([]option, len(options))
	for i, o := range options {
		o.Selected = o.Value == f.Value
		f.Options[i] = o
	}
	return f
}
