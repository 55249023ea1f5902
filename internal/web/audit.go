package web

import (
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"time"

	"concord"
	"concord/internal/membership"
)

// auditPageSize is how many events one audit page shows.
const auditPageSize = 50

// auditActions are the action prefixes offered as filters.
var auditActions = []string{"organization.", "person.", "mandate.", "invitation.", "session.", "token.", "federation."}

// auditPage is the data of the audit log.
type auditPage struct {
	Org       *concord.Organization // set on an organization's own audit page
	Events    []concord.AuditEvent
	Orgs      map[string]*concord.Organization
	Older     string // link to the next, older page
	People    []option
	OrgOpts   []option
	Actions   []option
	FormPath  string
	Filtering bool
}

var actionPrefix = regexp.MustCompile(`^[a-z_]+(\.[a-z_]*)?$`)

// auditFilter reads the filter from the query, ignoring malformed values.
func auditFilter(q url.Values, f *Form) concord.AuditFilter {
	af := concord.AuditFilter{Limit: auditPageSize + 1}
	if s := q.Get("action"); len(s) <= 64 && actionPrefix.MatchString(s) {
		af.Action = s
		f.Set("action", s)
	}
	if s := q.Get("person"); concord.ValidID(s) {
		af.PersonID = s
		f.Set("person", s)
	}
	if s := q.Get("org"); concord.ValidID(s) {
		af.OrgID = s
		f.Set("org", s)
	}
	if t, err := time.Parse(time.RFC3339Nano, q.Get("before")); err == nil {
		af.Before = t
	}
	return af
}

// auditAll shows the whole audit log (admins and the secretariat).
func (h *Handler) auditAll(w http.ResponseWriter, r *http.Request) error {
	a := actor(r)
	if _, err := membership.Authorize(a, membership.ActReadAuditAll, ""); err != nil {
		return err
	}
	f := newForm(nil)
	af := auditFilter(r.URL.Query(), f)
	d := auditPage{FormPath: "/audit"}
	people, err := h.members.AllPeople(r.Context(), a)
	if err != nil {
		return err
	}
	d.People = personOptions(state(r).l.T("audit.anyone"), people)
	orgs, err := h.members.Organizations(r.Context(), a, membership.OrgFilter{})
	if err != nil {
		return err
	}
	d.OrgOpts = []option{{Value: "", Label: state(r).l.T("audit.any_org")}}
	for _, o := range orgs {
		d.OrgOpts = append(d.OrgOpts, option{Value: o.ID, Label: o.NameIn(state(r).l.Tag())})
	}
	return h.renderAudit(w, r, af, f, d)
}

// auditOrg shows the audit trail of one organization (its admins, the secretariat).
func (h *Handler) auditOrg(w http.ResponseWriter, r *http.Request) error {
	id, err := orgID(r)
	if err != nil {
		return err
	}
	a := actor(r)
	if _, err := membership.Authorize(a, membership.ActReadAuditOrg, id); err != nil {
		return err
	}
	f := newForm(nil)
	af := auditFilter(r.URL.Query(), f)
	af.OrgID = id
	d := auditPage{FormPath: "/organizations/" + id + "/audit"}
	if d.Org, _, err = h.members.Organization(r.Context(), a, id); err != nil {
		return err
	}
	people, err := h.members.People(r.Context(), a, id)
	if err != nil {
		return err
	}
	list := make([]*concord.Person, len(people))
	for i, p := range people {
		list[i] = p.Person
	}
	d.People = personOptions(state(r).l.T("audit.anyone"), list)
	return h.renderAudit(w, r, af, f, d)
}

func personOptions(anyone string, people []*concord.Person) []option {
	opts := []option{{Value: "", Label: anyone}}
	for _, p := range people {
		opts = append(opts, option{Value: p.ID, Label: p.DisplayName + " (" + p.Login + ")"})
	}
	return opts
}

// renderAudit loads one page of events with the organizations they name and renders it.
func (h *Handler) renderAudit(w http.ResponseWriter, r *http.Request, af concord.AuditFilter, f *Form, d auditPage) error {
	ctx, a, l := r.Context(), actor(r), state(r).l
	events, err := h.members.Audit(ctx, a, af)
	if err != nil {
		return err
	}
	if len(events) > auditPageSize {
		events = events[:auditPageSize]
		q := r.URL.Query()
		q.Set("before", events[len(events)-1].At.UTC().Format(time.RFC3339Nano))
		d.Older = d.FormPath + "?" + q.Encode()
	}
	d.Events = events
	d.Filtering = af.Action != "" || af.PersonID != "" || (d.Org == nil && af.OrgID != "") || !af.Before.IsZero()
	d.Actions = []option{{Value: "", Label: l.T("audit.any_action")}}
	for _, p := range auditActions {
		d.Actions = append(d.Actions, option{Value: p, Label: l.T("audit.prefix." + p[:len(p)-1])})
	}
	var ids []string
	for _, e := range events {
		if e.OrgID != "" && !slices.Contains(ids, e.OrgID) {
			ids = append(ids, e.OrgID)
		}
	}
	d.Orgs = map[string]*concord.Organization{}
	if len(ids) > 0 {
		orgs, err := h.members.Organizations(ctx, a, membership.OrgFilter{IDs: ids})
		if err != nil {
			return err
		}
		for _, o := range orgs {
			d.Orgs[o.ID] = o
		}
	}
	title := l.T("nav.audit")
	if d.Org != nil {
		title = l.T("audit.org_title", "name", d.Org.NameIn(l.Tag()))
	}
	return h.renderForm(w, r, http.StatusOK, "audit", title, f, d)
}

// change is one changed field of an audit event.
type change struct {
	Field, Old, New string
}

// Changes lists an event's changes sorted by field.
func (v *view) Changes(e concord.AuditEvent) []change {
	out := make([]change, 0, len(e.Changes))
	for k, c := range e.Changes {
		out = append(out, change{Field: k, Old: c[0], New: c[1]})
	}
	slices.SortFunc(out, func(a, b change) int {
		switch {
		case a.Field < b.Field:
			return -1
		case a.Field > b.Field:
			return 1
		}
		return 0
	})
	return out
}

// Action names an audit action in the reader's language, or shows its code.
func (v *view) Action(action string) string {
	key := "audit.action." + action
	if s := v.l.T(key); s != key {
		return s
	}
	return action
}

// IsID reports whether an audit value is an ID.
func (v *view) IsID(s string) bool { return concord.ValidID(s) }

// Brief shortens IDs in audit values to their first block (the full value is in a title).
func (v *view) Brief(s string) string {
	if concord.ValidID(s) {
		return s[:8] + "…"
	}
	return s
}
