package web

import (
	"bytes"
	"fmt"
	"net/http"
	"strings"
	"time"

	"concord"
	"concord/internal/i18n"
	"concord/internal/membership"
)

// view is the data of every template: the page's own Data plus what the layout and the
// request-dependent helpers (translation, dates in the person's zone, permissions) need.
type view struct {
	Title     string
	FedName   string
	Lang      string
	Dir       string
	Languages []i18n.Language
	Actor     *concord.Actor
	Notice    string // a translated confirmation after a redirect ("Saved.")
	Form      *Form
	Data      any

	h   *Handler
	r   *http.Request
	l   *i18n.Localizer
	loc *time.Location
}

// render executes the page template name in the layout and writes it with status.
func (h *Handler) render(w http.ResponseWriter, r *http.Request, status int, name, title string, data any) error {
	return h.renderForm(w, r, status, name, title, nil, data)
}

// renderForm is render for a page with a form, showing its values and problems.
func (h *Handler) renderForm(w http.ResponseWriter, r *http.Request, status int, name, title string, f *Form, data any) error {
	t := h.pages[name]
	if t == nil {
		return fmt.Errorf("web: no template %q", name)
	}
	st := state(r)
	if st.l == nil {
		st.l = h.i18n.Localizer(h.chooseLanguage(r, st.actor))
	}
	fedName := st.l.T("app.name")
	if fed, err := h.federation(r.Context(), st); err == nil {
		if n := fed.Names[st.l.Tag()]; n != "" {
			fedName = n
		} else if fed.Name != "" {
			fedName = fed.Name
		}
	}
	if f == nil {
		f = newForm(nil)
	}
	v := &view{Title: title, FedName: fedName, Lang: st.l.Tag(), Dir: st.l.Dir(), Languages: h.i18n.Languages(),
		Actor: st.actor, Form: f, Data: data, h: h, r: r, l: st.l, loc: h.location(st)}
	if key, ok := notices[r.URL.Query().Get("done")]; ok && r.Method == http.MethodGet {
		v.Notice = st.l.T(key)
	}
	var buf bytes.Buffer
	if err := t.ExecuteTemplate(&buf, "layout", v); err != nil {
		return fmt.Errorf("web: render %s: %w", name, err)
	}
	hdr := w.Header()
	hdr.Set("Content-Type", "text/html; charset=utf-8")
	hdr.Set("Content-Language", st.l.Tag())
	hdr.Set("Vary", "Cookie, Accept-Language")
	if st.actor != nil {
		hdr.Set("Cache-Control", "private, no-store")
	} else {
		hdr.Set("Cache-Control", "no-cache")
	}
	w.WriteHeader(status)
	_, _ = w.Write(buf.Bytes()) // a failed write means the client left; nothing to tell it
	return nil
}

// notices are the confirmations a redirect may ask for with ?done=…, by name.
var notices = map[string]string{
	"saved":                "notice.saved",
	"created":              "notice.created",
	"status":               "notice.status",
	"mandate":              "notice.mandate_created",
	"mandate_saved":        "notice.mandate_saved",
	"revoked":              "notice.mandate_revoked",
	"password":             "notice.password",
	"session":              "notice.session_revoked",
	"token":                "notice.token_revoked",
	"invitation_cancelled": "notice.invitation_cancelled",
	"roles":                "notice.roles",
	"welcome":              "notice.welcome",
	"setup":                "notice.setup",
	"logged_out":           "notice.logged_out",
	"profile":              "notice.profile",
	// documents
	"doc_created":     "notice.doc_created",
	"doc_status":      "notice.doc_status",
	"attached":        "notice.attached",
	"translation":     "notice.translation_saved",
	"started":         "notice.translation_started",
	"machine":         "notice.machine_done",
	"final":           "notice.translation_final",
	"term_saved":      "notice.term_saved",
	"term_deleted":    "notice.term_deleted",
	"glossary_import": "notice.glossary_imported",
	// procedures
	"proc_opened": "notice.proc_opened",
	"responded":   "notice.responded",
}

// redirect sends the browser to a page after a successful POST, with an optional notice.
func redirect(w http.ResponseWriter, r *http.Request, to, notice string) error {
	if notice != "" {
		to, fragment, _ := strings.Cut(to, "#")
		sep := "?"
		if strings.Contains(to, "?") {
			sep = "&"
		}
		to += sep + "done=" + notice
		if fragment != "" {
			to += "#" + fragment
		}
		http.Redirect(w, r, to, http.StatusSeeOther)
		return nil
	}
	http.Redirect(w, r, to, http.StatusSeeOther)
	return nil
}

// T translates a catalog key.
func (v *view) T(key string, kv ...any) string { return v.l.T(key, kv...) }

// N translates a plural message for count.
func (v *view) N(key string, count int, kv ...any) string { return v.l.N(key, count, kv...) }

// Day formats a calendar date (kept as midnight UTC), the same in every time zone.
func (v *view) Day(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return v.l.Date(t, time.UTC)
}

// DayPtr is Day for an optional date; nil gives "".
func (v *view) DayPtr(t *time.Time) string {
	if t == nil {
		return ""
	}
	return v.Day(*t)
}

// When formats an instant in the person's time zone.
func (v *view) When(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return v.l.DateTime(t, v.loc)
}

// ISO is an instant as RFC 3339 in UTC, for <time datetime>.
func (v *view) ISO(t time.Time) string { return t.UTC().Format(time.RFC3339) }

// ISODay is a calendar date as YYYY-MM-DD, for <time datetime> and date inputs.
func (v *view) ISODay(t time.Time) string { return t.Format(time.DateOnly) }

// Static returns the content-hash URL of a static file.
func (v *view) Static(name string) (string, error) { return v.h.static.url(name) }

// Here is the current page's path and query, where the language switcher returns (without
// a one-time notice).
func (v *view) Here() string {
	u := *v.r.URL
	if q := u.Query(); q.Has("done") {
		q.Del("done")
		u.RawQuery = q.Encode()
	}
	return localPath(u.RequestURI())
}

// In reports whether the current path is prefix or below it, for aria-current in the menu.
func (v *view) In(prefix string) bool {
	p := v.r.URL.Path
	if prefix == "/" {
		return p == "/"
	}
	return p == prefix || len(p) > len(prefix) && p[:len(prefix)] == prefix && p[len(prefix)] == '/'
}

// Me is the logged-in person, or nil.
func (v *view) Me() *concord.Person {
	if v.Actor == nil {
		return nil
	}
	return v.Actor.Person
}

// Arrow points from an old value to a new one in the reading direction.
func (v *view) Arrow() string {
	if v.Dir == "rtl" {
		return "←"
	}
	return "→"
}

// actions maps the names templates use to membership actions.
var actions = map[string]membership.Action{
	"create_org":    membership.ActCreateOrg,
	"edit_org":      membership.ActEditOrg,
	"change_status": membership.ActChangeStatus,
	"view_private":  membership.ActViewPrivate,
	"manage_people": membership.ActManagePeople,
	"manage_roles":  membership.ActManageRoles,
	"audit_all":     membership.ActReadAuditAll,
	"audit_org":     membership.ActReadAuditOrg,
}

// Can reports whether the person may do the named action on an organization ("" for none);
// templates use it to show only the links that will work. The services decide for real.
func (v *view) Can(action, orgID string) (bool, error) {
	act, ok := actions[action]
	if !ok {
		return false, fmt.Errorf("web: unknown action %q in template", action)
	}
	return membership.Can(v.Actor, act, orgID), nil
}

// Status translates an organization status.
func (v *view) Status(s concord.OrgStatus) string { return v.l.T("status." + string(s)) }

// Role translates an organization role.
func (v *view) Role(r concord.Role) string { return v.l.T("role." + string(r)) }

// FedRole translates a federation role.
func (v *view) FedRole(r concord.FederationRole) string { return v.l.T("fedrole." + string(r)) }

// Region translates a region code; "" stays empty.
func (v *view) Region(code string) string {
	if code == "" {
		return ""
	}
	return v.l.T("region." + code)
}

// Country is a country's name in the reader's language.
func (v *view) Country(code string) string { return v.h.names.country(v.Lang, code) }

// LangName is a language's name in the reader's language ("Persian", "persan", "فارسی").
func (v *view) LangName(tag string) string { return v.h.names.language(v.Lang, tag) }

// OrgName is an organization's name in the reader's language (its own when untranslated).
func (v *view) OrgName(o *concord.Organization) string { return o.NameIn(v.Lang) }

// Translated reports whether the organization's name has a translation into the reader's
// language that differs from its own name.
func (v *view) Translated(o *concord.Organization) bool { return o.NameIn(v.Lang) != o.Name }

// MandateState is the state of a mandate today: current, upcoming, ended or revoked.
func (v *view) MandateState(m concord.Mandate) string {
	now := v.h.clock.Now()
	switch {
	case m.RevokedAt != nil:
		return "revoked"
	case m.CurrentAt(now):
		return "current"
	case now.Before(m.ValidFrom):
		return "upcoming"
	}
	return "ended"
}

// CountryOptions are every country, named and sorted in the reader's language, after an
// empty choice labelled by emptyKey.
func (v *view) CountryOptions(emptyKey string) []option {
	return append([]option{{Value: "", Label: v.l.T(emptyKey)}}, v.h.names.countryOptions[v.Lang]...)
}

// orgName is an organization's name as the orgname partial shows it: in its own language
// and script, with the reader's translation beside it when there is one.
type orgName struct {
	Name, Lang, Translation string
}

// Named prepares an organization's name for the orgname partial.
func (v *view) Named(o *concord.Organization) orgName {
	n := orgName{Name: o.Name, Lang: o.NameLang}
	if t := o.NameIn(v.Lang); t != o.Name {
		n.Translation = t
	}
	return n
}

// RegionOptions are the regions, with an empty choice that derives the region from the
// country.
func (v *view) RegionOptions(emptyKey string) []option {
	opts := []option{{Value: "", Label: v.l.T(emptyKey)}}
	for _, r := range concord.Regions() {
		opts = append(opts, option{Value: r, Label: v.l.T("region." + r)})
	}
	return opts
}

// StatusOptions are the given statuses, translated, after an optional empty choice.
func (v *view) StatusOptions(emptyKey string, statuses []concord.OrgStatus) []option {
	var opts []option
	if emptyKey != "" {
		opts = append(opts, option{Value: "", Label: v.l.T(emptyKey)})
	}
	for _, s := range statuses {
		opts = append(opts, option{Value: string(s), Label: v.l.T("status." + string(s))})
	}
	return opts
}

// InitialStatuses are the statuses a new organization may start in.
func (v *view) InitialStatuses() []concord.OrgStatus {
	return []concord.OrgStatus{concord.StatusMember, concord.StatusApplicant}
}

// AllStatuses lists every organization status.
func (v *view) AllStatuses() []concord.OrgStatus { return concord.Statuses() }

// RoleOptions are the organization roles.
func (v *view) RoleOptions() []option {
	var opts []option
	for _, r := range concord.Roles() {
		opts = append(opts, option{Value: string(r), Label: v.l.T("role." + string(r))})
	}
	return opts
}

// FederationRoles lists the federation roles, for checkboxes.
func (v *view) FederationRoles() []concord.FederationRole { return concord.FederationRoles() }

// UILanguageOptions are the UI languages, each named in itself, after an optional empty
// choice.
func (v *view) UILanguageOptions(emptyKey string) []option {
	var opts []option
	if emptyKey != "" {
		opts = append(opts, option{Value: "", Label: v.l.T(emptyKey)})
	}
	for _, l := range v.Languages {
		opts = append(opts, option{Value: l.Tag, Label: l.Name, Lang: l.Tag})
	}
	return opts
}

// LanguageSuggestions are common languages for a datalist: tag and name.
func (v *view) LanguageSuggestions() []option {
	opts := make([]option, 0, len(commonLanguages))
	for _, tag := range commonLanguages {
		opts = append(opts, option{Value: tag, Label: v.h.names.language(v.Lang, tag)})
	}
	return opts
}

// TimeZones are common IANA time zones for a datalist.
func (v *view) TimeZones() []string { return commonTimeZones }
