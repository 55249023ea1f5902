package web

import (
	"context"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"time"

	"concord"
	"concord/internal/documents"
	"concord/internal/httpx"
	"concord/internal/membership"
)

// Procedures: decisions counted over organizations. The list, the form that opens a
// procedure, the procedure's page with the delegates' response forms, and its live event
// stream. The public signatory list is in signatories.go.

// procID returns the procedure ID in the path; without the procedures service, or with a
// malformed ID, the page does not exist.
func (h *Handler) procID(r *http.Request) (string, error) {
	id := r.PathValue("id")
	if h.procs == nil || !concord.ValidID(id) {
		return "", notFound()
	}
	return id, nil
}

// canOpenProcedures reports whether the actor may open procedures (the service decides).
func canOpenProcedures(a *concord.Actor) bool {
	return a.IsFederation(concord.FedAdmin, concord.FedCoordinator)
}

// isProcStaff reports whether the actor sees who has not responded yet.
func isProcStaff(a *concord.Actor) bool {
	return a.IsFederation(concord.FedAdmin, concord.FedCoordinator, concord.FedSecretariat)
}

// CanOpenProcedure reports whether the person may open procedures, for links.
func (v *view) CanOpenProcedure() bool { return v.h.procs != nil && canOpenProcedures(v.Actor) }

// ProceduresOn reports whether the procedure pages exist, for the menu.
func (v *view) ProceduresOn() bool { return v.h.procs != nil }

// procListPage is the data of the procedure list.
type procListPage struct {
	Procs    []*concord.Procedure
	Document string // the text the list is filtered by, or ""
	CanOpen  bool
}

// procList lists the procedures the person may see, newest deadline first.
func (h *Handler) procList(w http.ResponseWriter, r *http.Request) error {
	if h.procs == nil {
		return notFound()
	}
	ctx, a, st := r.Context(), actor(r), state(r)
	doc := r.URL.Query().Get("document")
	if !concord.ValidID(doc) {
		doc = ""
	}
	ps, err := h.procs.List(ctx, a, doc)
	if err != nil {
		return err
	}
	return h.render(w, r, http.StatusOK, "procedures", st.l.T("proc.list_title"), procListPage{Procs: ps, Document: doc, CanOpen: canOpenProcedures(a)})
}

// procFormPage is the data of the form that opens a procedure.
type procFormPage struct {
	Documents []option
	Doc       *concord.Document // the text chosen from its page, shown rather than chosen
	Orgs      []*concord.Organization
}

// procDefaults are the form's starting values.
func procDefaults() url.Values {
	return url.Values{"rule.kind": {"signatures"}, "rule.majority": {"simple"}, "rule.base": {"cast"},
		"rule.numerator": {"2"}, "rule.denominator": {"3"}, "electorate_kind": {"members"}, "visibility": {"public"}}
}

// procNewForm shows the form that opens a procedure, on a question or on a text (prefilled
// from the text's page with ?document=).
func (h *Handler) procNewForm(w http.ResponseWriter, r *http.Request) error {
	if h.procs == nil {
		return notFound()
	}
	a, err := loggedIn(r)
	if err != nil {
		return err
	}
	if !canOpenProcedures(a) {
		return concord.Forbidden("only admins and coordinators open procedures")
	}
	f := newForm(procDefaults())
	if id := r.URL.Query().Get("document"); concord.ValidID(id) {
		f.Set("document_id", id)
	}
	return h.renderProcForm(w, r, http.StatusOK, f)
}

func (h *Handler) renderProcForm(w http.ResponseWriter, r *http.Request, status int, f *Form) error {
	ctx, a, st := r.Context(), actor(r), state(r)
	var d procFormPage
	if id := f.Value("document_id"); concord.ValidID(id) {
		doc, err := h.docs.Get(ctx, a, id)
		if err != nil {
			return err
		}
		d.Doc = doc
		if f.Value("question") == "" {
			f.Set("question", doc.Title())
		}
	} else {
		docs, err := h.docs.List(ctx, a, documents.ListFilter{Limit: maxListed})
		if err != nil {
			return err
		}
		d.Documents = append(d.Documents, option{Value: "", Label: st.l.T("proc.no_text")})
		for _, doc := range docs {
			d.Documents = append(d.Documents, option{Value: doc.ID, Label: doc.Title(), Lang: doc.SourceLang})
		}
	}
	orgs, err := h.members.Organizations(ctx, a, membership.OrgFilter{Status: []concord.OrgStatus{concord.StatusMember}})
	if err != nil {
		return err
	}
	d.Orgs = orgs
	return h.renderForm(w, r, status, "procedure_new", st.l.T("proc.new_title"), f, d)
}

// procCreate opens a procedure from the form.
func (h *Handler) procCreate(w http.ResponseWriter, r *http.Request) error {
	if h.procs == nil {
		return notFound()
	}
	a, err := loggedIn(r)
	if err != nil {
		return err
	}
	st := state(r)
	fr := &formReader{r: r}
	loc := h.location(st)
	p := &concord.Procedure{
		Question:         fr.text("question"),
		DocumentID:       fr.text("document_id"),
		ElectorateKind:   concord.ElectorateKind(fr.text("electorate_kind")),
		ElectorateRegion: fr.text("electorate_region"),
		Visibility:       concord.ResponseVisibility(fr.text("visibility")),
		OpensAt:          fr.localTime("opens_at", loc),
		Deadline:         fr.localTime("deadline", loc),
	}
	p.Rule = concord.Rule{Kind: concord.RuleKind(fr.text("rule.kind")), QuorumPercent: fr.percent("rule.quorum_percent")}
	switch p.Rule.Kind {
	case concord.RuleSignatures:
		p.Rule.MinSignatures = fr.count("rule.min_signatures")
		p.Rule.MinSignaturesPercent = fr.percent("rule.min_signatures_percent")
	case concord.RuleConsensus:
		p.Rule.MinParticipationPercent = fr.percent("rule.min_participation_percent")
	case concord.RuleMajority:
		p.Rule.Majority = concord.MajorityKind(fr.text("rule.majority"))
		p.Rule.Base = concord.MajorityBase(fr.text("rule.base"))
		p.Rule.AbstentionsCount = fr.text("rule.abstentions_count") != ""
		if p.Rule.Majority == concord.MajorityQualified {
			p.Rule.Numerator = fr.count("rule.numerator")
			p.Rule.Denominator = fr.count("rule.denominator")
		}
	}
	if p.DocumentID != "" && !concord.ValidID(p.DocumentID) {
		fr.v.Add("document_id", "error.reference", "no such text")
		p.DocumentID = ""
	}
	if p.ElectorateKind == concord.ElectorateList {
		for _, id := range fr.all("electorate") {
			if concord.ValidID(id) {
				p.Electorate = append(p.Electorate, id)
			}
		}
	}
	f := newForm(r.PostForm)
	err = fr.err()
	if err == nil {
		if p.Question == "" && p.DocumentID != "" {
			if doc, derr := h.docs.Get(r.Context(), a, p.DocumentID); derr == nil {
				p.Question = doc.Title()
			}
		}
		err = h.procs.Open(r.Context(), a, p)
	}
	if err != nil {
		if !h.absorb(r, f, err) {
			return err
		}
		return h.renderProcForm(w, r, httpStatus(err), f)
	}
	return redirect(w, r, "/procedures/"+p.ID, "proc_opened")
}

// httpStatus is the status an error's code maps to.
func httpStatus(err error) int { return httpx.Status(concord.ErrorCode(err)) }

// localTime reads a datetime-local field ("2026-03-08T10:30") as a time in loc; empty gives
// the zero time.
func (fr *formReader) localTime(name string, loc *time.Location) time.Time {
	s := fr.text(name)
	if s == "" {
		return time.Time{}
	}
	for _, layout := range []string{"2006-01-02T15:04", "2006-01-02T15:04:05"} {
		if t, err := time.ParseInLocation(layout, s, loc); err == nil {
			return t.UTC()
		}
	}
	fr.v.Add(name, "error.datetime_local", "is not a date and time")
	return time.Time{}
}

// count reads a whole number from 0 to 1 000 000; empty is 0.
func (fr *formReader) count(name string) int {
	s := fr.text(name)
	if s == "" {
		return 0
	}
	n, err := strconv.Atoi(s)
	if err != nil || n < 0 || n > 1_000_000 {
		fr.v.Add(name, "error.number", "is not a whole number", "min", "0", "max", "1000000")
		return 0
	}
	return n
}

// percent reads a share from 0 to 100 (a decimal comma is accepted); empty is 0.
func (fr *formReader) percent(name string) float64 {
	s := fr.text(name)
	if s == "" {
		return 0
	}
	for i := 0; i < len(s); i++ {
		if s[i] == ',' {
			s = s[:i] + "." + s[i+1:]
		}
	}
	p, err := strconv.ParseFloat(s, 64)
	if err != nil || p < 0 || p > 100 || p != p {
		fr.v.Add(name, "error.percent", "must be between 0 and 100")
		return 0
	}
	return p
}

// LocalUTC shows a datetime-local form value in UTC, or "" when it does not parse.
func (v *view) LocalUTC(name string) string {
	s := v.Form.Value(name)
	for _, layout := range []string{"2006-01-02T15:04", "2006-01-02T15:04:05"} {
		if t, err := time.ParseInLocation(layout, s, v.loc); err == nil {
			return v.WhenUTC(t)
		}
	}
	return ""
}

// LocalInput formats an instant for a datetime-local input in the person's time zone.
func (v *view) LocalInput(t time.Time) string { return t.In(v.loc).Format("2006-01-02T15:04") }

// Checked reports whether a checkbox value was chosen (for repeated fields).
func (v *view) Checked(name, value string) bool { return v.Form.Has(name, value) }

// RuleKindOptions are the rules, named.
func (v *view) RuleKindOptions() []option {
	var opts []option
	for _, k := range concord.RuleKinds() {
		opts = append(opts, option{Value: string(k), Label: v.RuleKind(k)})
	}
	return opts
}

// MajorityOptions are the kinds of majority.
func (v *view) MajorityOptions() []option {
	var opts []option
	for _, m := range []concord.MajorityKind{concord.MajoritySimple, concord.MajorityAbsolute, concord.MajorityQualified} {
		opts = append(opts, option{Value: string(m), Label: v.l.T("majority." + string(m))})
	}
	return opts
}

// BaseOptions are what a majority is counted of.
func (v *view) BaseOptions() []option {
	return []option{{Value: string(concord.BaseCast), Label: v.l.T("base.cast")},
		{Value: string(concord.BaseElectorate), Label: v.l.T("base.electorate")}}
}

// ElectorateOptions are the kinds of electorate.
func (v *view) ElectorateOptions() []option {
	var opts []option
	for _, k := range []concord.ElectorateKind{concord.ElectorateMembers, concord.ElectorateRegion, concord.ElectorateList} {
		opts = append(opts, option{Value: string(k), Label: v.l.T("electorate." + string(k))})
	}
	return opts
}

// ResponseVisibilityOptions are who may see the responses.
func (v *view) ResponseVisibilityOptions() []option {
	var opts []option
	for _, x := range []concord.ResponseVisibility{concord.ResponsesPublic, concord.ResponsesMembers, concord.ResponsesHidden} {
		opts = append(opts, option{Value: string(x), Label: v.ResponseVisibility(x)})
	}
	return opts
}

// tallyRow is one answer's count.
type tallyRow struct {
	Answer concord.Answer
	Count  int
}

// responseRow is one organization's current response, as listed.
type responseRow struct {
	Org    *concord.Organization
	Answer concord.Answer
	Person string // display name, when the viewer may see it
	At     time.Time
	Stale  bool
}

// change is one step of an organization's response history.
type respChange struct {
	From, To concord.Answer
	At       time.Time
}

// orgResponse is the response form of one organization the delegate represents.
type orgResponse struct {
	Org      *concord.Organization
	Current  *concord.Response
	Stale    bool // the current answer was given on an earlier version of the text
	Changes  []respChange
	Selected concord.Answer
	Error    string
}

// procPage is the data of a procedure's page.
type procPage struct {
	P          *concord.Procedure
	Doc        *concord.Document
	DocHash    string
	State      string
	Result     concord.Result
	Hidden     bool // counts are hidden until the close
	Visible    bool // individual responses are visible
	Tally      []tallyRow
	Responses  []responseRow
	Mine       []orgResponse
	NotMine    bool // a logged-in person without a delegate mandate in the electorate
	Staff      bool
	Undecided  []*concord.Organization
	Signatures bool
	LiveURL    string
}

// procShow shows a procedure.
func (h *Handler) procShow(w http.ResponseWriter, r *http.Request) error {
	return h.renderProc(w, r, http.StatusOK, nil, "", "")
}

// renderProc renders a procedure's page; after a refused response, f holds the problem and
// errOrg the organization whose form it belongs to, with the answer chosen.
func (h *Handler) renderProc(w http.ResponseWriter, r *http.Request, status int, f *Form, errOrg string, chosen concord.Answer) error {
	id, err := h.procID(r)
	if err != nil {
		return err
	}
	ctx, a, st := r.Context(), actor(r), state(r)
	v, err := h.procs.Get(ctx, a, id)
	if err != nil {
		return err
	}
	p := v.Procedure
	now := h.clock.Now()
	d := procPage{P: p, Doc: v.Document, State: procState(p, now), Result: v.Result, Visible: v.Visible,
		Hidden: !v.Visible || p.Visibility == concord.ResponsesHidden && p.ClosedAt == nil && now.Before(p.Deadline),
		Staff:  isProcStaff(a), Signatures: p.Rule.Kind == concord.RuleSignatures}
	if v.Document != nil {
		d.DocHash = v.Document.CurrentVersion.Hash
	}
	if !d.Hidden {
		for _, ans := range p.Rule.Kind.Answers() {
			d.Tally = append(d.Tally, tallyRow{Answer: ans, Count: v.Result.Tally.Counts[ans]})
		}
	}
	ids := slices.Clone(p.Electorate)
	orgs, err := h.orgsByID(ctx, a, ids)
	if err != nil {
		return err
	}
	if v.Visible && !d.Hidden {
		people := h.personNames(ctx, a, v.Responses)
		for _, resp := range v.Responses {
			if o := orgs[resp.OrgID]; o != nil {
				d.Responses = append(d.Responses, responseRow{Org: o, Answer: resp.Answer, Person: people[resp.PersonID], At: resp.At,
					Stale: p.DocumentID != "" && resp.VersionHash != d.DocHash})
			}
		}
	}
	if d.Staff {
		if d.Undecided, err = h.procs.Undecided(ctx, a, id); err != nil {
			return err
		}
	}
	if a != nil && a.Person != nil {
		for _, m := range a.Mandates {
			if m.Role != concord.RoleDelegate || !slices.Contains(p.Electorate, m.OrgID) || orgs[m.OrgID] == nil ||
				slices.ContainsFunc(d.Mine, func(x orgResponse) bool { return x.Org.ID == m.OrgID }) {
				continue
			}
			mine := orgResponse{Org: orgs[m.OrgID]}
			hist, err := h.procs.History(ctx, a, id, m.OrgID)
			if err != nil {
				return err
			}
			for i, resp := range hist {
				if i > 0 && hist[i-1].Answer != resp.Answer {
					mine.Changes = append(mine.Changes, respChange{From: hist[i-1].Answer, To: resp.Answer, At: resp.At})
				}
				if resp.Current {
					mine.Current = &hist[i]
				}
			}
			if mine.Current != nil {
				mine.Selected = mine.Current.Answer
				mine.Stale = p.DocumentID != "" && mine.Current.VersionHash != d.DocHash
			}
			if m.OrgID == errOrg && f != nil {
				mine.Selected = chosen
				mine.Error = f.Message
				if mine.Error == "" {
					mine.Error = f.Error("answer")
				}
				for _, pr := range f.Problems {
					if mine.Error == "" {
						mine.Error = pr.Message
					}
				}
			}
			d.Mine = append(d.Mine, mine)
		}
		d.NotMine = len(d.Mine) == 0
	}
	if h.live != nil && d.State != "closed" {
		d.LiveURL = "/procedures/" + p.ID + "/events?last_event_id=" + strconv.FormatInt(p.Revision, 10)
	}
	if f != nil && errOrg != "" {
		for i := range f.Problems {
			f.Problems[i].Anchor = "#respond-" + errOrg
		}
	}
	return h.renderForm(w, r, status, "procedure", st.l.T("proc.title"), f, d)
}

// orgsByID loads organizations by ID.
func (h *Handler) orgsByID(ctx context.Context, a *concord.Actor, ids []string) (map[string]*concord.Organization, error) {
	out := map[string]*concord.Organization{}
	if len(ids) == 0 {
		return out, nil
	}
	orgs, err := h.members.Organizations(ctx, a, membership.OrgFilter{IDs: ids})
	if err != nil {
		return nil, err
	}
	for _, o := range orgs {
		out[o.ID] = o
	}
	return out, nil
}

// personNames returns the display names of the people who responded, as far as the viewer
// may see them: everyone for federation staff, the people of the organizations the viewer
// administers, and the viewer.
func (h *Handler) personNames(ctx context.Context, a *concord.Actor, rs []concord.Response) map[string]string {
	names := map[string]string{}
	if a == nil || a.Person == nil || len(rs) == 0 {
		return names
	}
	names[a.Person.ID] = a.Person.DisplayName
	if membership.Can(a, membership.ActViewPrivate, "") {
		if people, err := h.members.AllPeople(ctx, a); err == nil {
			for _, p := range people {
				names[p.ID] = p.DisplayName
			}
		}
		return names
	}
	seen := map[string]bool{}
	for _, r := range rs {
		if seen[r.OrgID] || !membership.Can(a, membership.ActViewPrivate, r.OrgID) {
			continue
		}
		seen[r.OrgID] = true
		if people, err := h.members.People(ctx, a, r.OrgID); err == nil {
			for _, p := range people {
				names[p.Person.ID] = p.Person.DisplayName
			}
		}
	}
	return names
}

// procRespond records a delegate's answer for one organization. A refused answer (closed,
// text changed, no answer chosen) shows the page again with the problem at that form;
// answering for an organization one does not represent is refused outright.
func (h *Handler) procRespond(w http.ResponseWriter, r *http.Request) error {
	id, err := h.procID(r)
	if err != nil {
		return err
	}
	a, err := loggedIn(r)
	if err != nil {
		return err
	}
	fr := &formReader{r: r}
	org := fr.text("org")
	answer := concord.Answer(fr.text("answer"))
	version := fr.text("version")
	lang := fr.text("lang")
	if answer == "" {
		fr.v.Add("answer", "error.choose_answer", "choose an answer")
	}
	err = fr.err()
	if err == nil {
		_, err = h.procs.Respond(r.Context(), a, id, org, answer, version, lang)
	}
	if err != nil {
		f := newForm(r.PostForm)
		if !h.absorb(r, f, err) {
			return err
		}
		return h.renderProc(w, r, httpStatus(err), f, org, answer)
	}
	return redirect(w, r, "/procedures/"+id+"#respond-"+org, "responded")
}

// procEvents streams a procedure's live updates (tally, signatories, status) as
// Server-Sent Events to those who may see the procedure.
func (h *Handler) procEvents(w http.ResponseWriter, r *http.Request) error {
	id, err := h.procID(r)
	if err != nil {
		return err
	}
	if h.live == nil {
		return notFound()
	}
	topic, rev, err := h.procs.Watch(r.Context(), actor(r), id, r.URL.Query().Get("stream"))
	if err != nil {
		return err
	}
	h.live.Known(topic, rev)
	h.live.ServeSSE(w, r, topic)
	return nil
}

// awaitingRow is an open procedure in which an organization the person represents has not
// responded yet, or must confirm a new version of the text (Stale).
type awaitingRow struct {
	P     *concord.Procedure
	Org   *concord.Organization
	Stale bool
}

// awaiting lists the open procedures awaiting a response from the organizations the person
// is a delegate of, soonest deadline first.
func (h *Handler) awaiting(ctx context.Context, a *concord.Actor) ([]awaitingRow, error) {
	if h.procs == nil {
		return nil, nil
	}
	as, err := h.procs.Awaiting(ctx, a)
	if err != nil || len(as) == 0 {
		return nil, err
	}
	var ids []string
	for _, x := range as {
		ids = append(ids, x.OrgID)
	}
	orgs, err := h.orgsByID(ctx, a, ids)
	if err != nil {
		return nil, err
	}
	var rows []awaitingRow
	for _, x := range as {
		if o := orgs[x.OrgID]; o != nil {
			rows = append(rows, awaitingRow{P: x.Procedure, Org: o, Stale: x.Stale})
		}
	}
	return rows, nil
}

// TimeField is a datetime-local field whose hint names the person's time zone and, once a
// value is entered, the same instant in UTC.
func (v *view) TimeField(name string, opts ...string) field {
	f := v.Field(name, append([]string{"type:datetime-local", "dir:ltr"}, opts...)...)
	f.Hint, f.HintID = v.l.T("hint.local_time", "zone", v.Zone()), f.ID+"-hint"
	if name == "opens_at" {
		f.Hint += " " + v.l.T("hint.opens_at")
	}
	if utc := v.LocalUTC(name); utc != "" {
		f.Hint += " " + v.l.T("hint.in_utc", "time", utc)
	}
	return f
}
