package web_test

import (
	"bufio"
	"context"
	"encoding/csv"
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"concord"
	"concord/internal/live"
)

// procWorld is an env with three member organizations: A (Chile, named in Spanish), B and
// C; delegates "dana" of A and "boris" of B; "olga", org admin of A without a delegate
// mandate; and a circulating text.
type procWorld struct {
	*env
	a, b, c *concord.Organization
	doc     *concord.Document
}

func newProcWorld(t *testing.T) *procWorld {
	t.Helper()
	e := newEnv(t, true)
	w := &procWorld{env: e}
	ctx := context.Background()
	w.a = &concord.Organization{Name: "Central Unitaria de Trabajadores", NameLang: "es", Country: "CL",
		Names: map[string]string{"en": "Unitary Workers' Centre", "de": "Einheitszentrale der Arbeiter"}}
	if err := e.members.CreateOrganization(ctx, e.admin, w.a, concord.StatusChange{To: concord.StatusMember,
		EffectiveOn: time.Date(2001, 5, 1, 0, 0, 0, 0, time.UTC), DecidedBy: "World Conference 2001"}); err != nil {
		t.Fatal(err)
	}
	w.b = e.createOrg(t, "Workers' Union", "DE")
	w.c = e.createOrg(t, "Dock Workers", "NL")
	e.addPerson(t, w.a, "dana", concord.RoleDelegate)
	e.addPerson(t, w.b, "boris", concord.RoleDelegate)
	e.addPerson(t, w.a, "olga", concord.RoleOrgAdmin)
	w.doc = e.newResolution(t, "Resolution on 8 March", resolutionBody)
	e.setStatus(t, w.doc.ID, concord.DocCirculating)
	return w
}

// open opens a procedure as the admin; deadline is from now.
func (w *procWorld) open(t *testing.T, p concord.Procedure, deadline time.Duration) *concord.Procedure {
	t.Helper()
	if p.ElectorateKind == "" {
		p.ElectorateKind = concord.ElectorateMembers
	}
	if p.Visibility == "" {
		p.Visibility = concord.ResponsesPublic
	}
	if p.Question == "" {
		p.Question = "Adopt the resolution on 8 March?"
	}
	p.Deadline = w.clock.Now().Add(deadline)
	if err := w.procs.Open(context.Background(), w.admin, &p); err != nil {
		t.Fatal(err)
	}
	return &p
}

// signatures is a signature collection on the text with a threshold of two.
func (w *procWorld) signatures(t *testing.T, vis concord.ResponseVisibility) *concord.Procedure {
	t.Helper()
	return w.open(t, concord.Procedure{DocumentID: w.doc.ID, Visibility: vis,
		Rule: concord.Rule{Kind: concord.RuleSignatures, MinSignatures: 2}}, 48*time.Hour)
}

// respond answers as login for org through the service.
func (w *procWorld) respond(t *testing.T, login string, org *concord.Organization, p *concord.Procedure, answer concord.Answer) {
	t.Helper()
	a := w.actorByLogin(t, login)
	if _, err := w.procs.Respond(context.Background(), a, p.ID, org.ID, answer, "", "en"); err != nil {
		t.Fatalf("%s responds %s for %s: %v", login, answer, org.Name, err)
	}
}

func (w *procWorld) actorByLogin(t *testing.T, login string) *concord.Actor {
	t.Helper()
	people, err := w.members.AllPeople(context.Background(), w.admin)
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range people {
		if p.Login == login {
			return w.actor(t, p.ID)
		}
	}
	t.Fatalf("no person %s", login)
	return nil
}

// history is what org answered in p, read as the admin.
func (w *procWorld) history(t *testing.T, p *concord.Procedure, org *concord.Organization) []concord.Response {
	t.Helper()
	rs, err := w.procs.History(context.Background(), w.admin, p.ID, org.ID)
	if err != nil {
		t.Fatal(err)
	}
	return rs
}

var allLangs = []string{"en", "de", "es", "fr", "ru", "tr", "fa", "ar"}

// TestProcedurePagesInEveryLanguage renders the procedure pages in every UI language for
// the admin, a delegate and a visitor, and checks the structure every page must have.
func TestProcedurePagesInEveryLanguage(t *testing.T) {
	t.Parallel()
	w := newProcWorld(t)
	sig := w.signatures(t, concord.ResponsesPublic)
	vote := w.open(t, concord.Procedure{Question: "Hold the congress in Montevideo?", Visibility: concord.ResponsesMembers,
		Rule: concord.Rule{Kind: concord.RuleMajority, Majority: concord.MajorityQualified, Numerator: 2, Denominator: 3,
			Base: concord.BaseCast, QuorumPercent: 50}}, 24*time.Hour)
	w.respond(t, "dana", w.a, sig, concord.AnswerSign)
	w.respond(t, "boris", w.b, vote, concord.AnswerApprove)

	admin := []string{"/", "/procedures", "/procedures/new", "/procedures/new?document=" + w.doc.ID, "/procedures/" + sig.ID,
		"/procedures/" + vote.ID, "/procedures?document=" + w.doc.ID, "/documents/" + w.doc.ID}
	delegate := []string{"/", "/procedures", "/procedures/" + sig.ID, "/procedures/" + vote.ID}
	visitor := []string{"/procedures", "/procedures/" + sig.ID}
	for _, lang := range allLangs {
		t.Run(lang, func(t *testing.T) {
			t.Parallel()
			for _, who := range []struct {
				login string
				paths []string
			}{{"admin", admin}, {"dana", delegate}, {"", visitor}} {
				c := w.client(t)
				if who.login == "admin" {
					c.login("admin", adminPassword)
				} else if who.login != "" {
					c.login(who.login, who.login+" password")
				}
				c.setLang(lang)
				for _, path := range who.paths {
					res := c.get(path)
					wantStatus(t, who.login+" "+path, res, http.StatusOK)
					checkPage(t, path, res, lang)
				}
				// The signatory list takes its language from the path, not the cookie.
				path := "/signatories/" + sig.ID + "/" + lang
				res := c.get(path)
				wantStatus(t, path, res, http.StatusOK)
				checkPage(t, path, res, lang)
			}
		})
	}
}

// TestProcedureResultSentences checks that the result is explained in sentences built from
// the reasons, in the page's language and digits, and that the rule is explained in words.
func TestProcedureResultSentences(t *testing.T) {
	t.Parallel()
	w := newProcWorld(t)
	sig := w.signatures(t, concord.ResponsesPublic)
	w.respond(t, "dana", w.a, sig, concord.AnswerSign)
	w.respond(t, "boris", w.b, sig, concord.AnswerSign)
	c := w.client(t)
	res := c.get("/procedures/" + sig.ID)
	wantStatus(t, "procedure", res, http.StatusOK)
	l := w.bundle.Localizer("en")
	if got, want := res.doc.text("#outcome"), l.T("outcome.adopted"); got != want {
		t.Errorf("outcome %q, want %q", got, want)
	}
	if got, want := res.doc.text("#reasons li"), l.T("result.signatures", "signed", "2", "electorate", "3", "threshold", "2"); got != want {
		t.Errorf("reason %q, want %q", got, want)
	}
	if got := res.doc.text("#rule-text"); !strings.Contains(got, l.T("rule.explain.min_signatures", "n", "2")) {
		t.Errorf("rule explained as %q", got)
	}
	if got := res.doc.text(`#tally dd[data-answer="sign"]`); got != "2" {
		t.Errorf("tally of signatures %q", got)
	}
	if got := res.doc.text("#deadline"); !strings.Contains(got, "UTC") {
		t.Errorf("deadline without UTC: %q", got)
	}
	c.setLang("fa")
	res = c.get("/procedures/" + sig.ID)
	fa := w.bundle.Localizer("fa")
	if got, want := res.doc.text("#reasons li"), fa.T("result.signatures", "signed", "۲", "electorate", "۳", "threshold", "۲"); got != want {
		t.Errorf("Persian reason %q, want %q", got, want)
	}
	// The dictionary live.js uses carries the same texts.
	var dict map[string]string
	if err := json.Unmarshal([]byte(res.doc.text("script#i18n")), &dict); err != nil {
		t.Fatalf("i18n dictionary: %v", err)
	}
	if dict["result.signatures"] != fa.T("result.signatures") || dict["digits"] != "۰۱۲۳۴۵۶۷۸۹" || dict["answer.sign"] != fa.T("answer.sign") {
		t.Errorf("dictionary: %v", dict)
	}
	if res.doc.attr("#live", "data-live") != "/procedures/"+sig.ID+"/events?last_event_id=2" {
		t.Errorf("live URL %q", res.doc.attr("#live", "data-live"))
	}
}

// TestOpenProcedureForm opens procedures through the form: problems are shown at their
// fields in the person's language, and the deadline typed in the person's time zone is
// stored in UTC.
func TestOpenProcedureForm(t *testing.T) {
	t.Parallel()
	w := newProcWorld(t)
	ctx := context.Background()
	if _, err := w.members.UpdateProfile(ctx, w.admin, w.admin.Person.ID, concord.Person{DisplayName: "Ada Admin",
		TimeZone: "Europe/Berlin"}); err != nil {
		t.Fatal(err)
	}
	c := w.client(t)
	c.login("admin", adminPassword)
	c.setLang("de")

	res := c.get("/procedures/new?document=" + w.doc.ID)
	wantStatus(t, "form", res, http.StatusOK)
	if got := res.doc.attr(`input[name="question"]`, "value"); got != w.doc.Title() {
		t.Errorf("question prefilled with %q", got)
	}
	if !strings.Contains(res.doc.text("#f-deadline-hint"), "Europe/Berlin") {
		t.Errorf("deadline hint %q does not name the time zone", res.doc.text("#f-deadline-hint"))
	}

	bad := url.Values{"document_id": {w.doc.ID}, "question": {"Adopt?"}, "rule.kind": {"signatures"},
		"rule.min_signatures_percent": {"120"}, "electorate_kind": {"list"}, "visibility": {"public"},
		"deadline": {"2030-03-08T10:30"}}
	res = c.post("/procedures/new", bad)
	wantStatus(t, "bad form", res, http.StatusUnprocessableEntity)
	de := w.bundle.Localizer("de")
	if got, want := res.doc.text("#f-rule-min_signatures_percent-error"), de.T("error.percent", "field", de.T("field.rule.min_signatures_percent")); got != want {
		t.Errorf("percent error %q, want %q", got, want)
	}
	if res.doc.first("#error-summary") == nil {
		t.Error("no error summary")
	}
	if !strings.Contains(res.doc.text("#f-deadline-hint"), "09:30") {
		t.Errorf("the re-rendered form does not show the deadline in UTC: %q", res.doc.text("#f-deadline-hint"))
	}

	good := url.Values{"document_id": {w.doc.ID}, "question": {"Adopt the resolution?"}, "rule.kind": {"majority"},
		"rule.majority": {"qualified"}, "rule.numerator": {"2"}, "rule.denominator": {"3"}, "rule.base": {"electorate"},
		"rule.abstentions_count": {"1"}, "rule.quorum_percent": {"50,5"}, "electorate_kind": {"list"},
		"electorate": {w.a.ID, w.b.ID}, "visibility": {"hidden"}, "deadline": {"2030-03-08T10:30"}}
	res = c.post("/procedures/new", good)
	wantStatus(t, "good form", res, http.StatusSeeOther)
	loc := res.header.Get("Location")
	id := strings.TrimPrefix(strings.Split(loc, "?")[0], "/procedures/")
	v, err := w.procs.Get(ctx, w.admin, id)
	if err != nil {
		t.Fatalf("%s: %v", loc, err)
	}
	p := v.Procedure
	if want := time.Date(2030, 3, 8, 9, 30, 0, 0, time.UTC); !p.Deadline.Equal(want) {
		t.Errorf("deadline %v, want %v", p.Deadline, want)
	}
	want := concord.Rule{Kind: concord.RuleMajority, Majority: concord.MajorityQualified, Numerator: 2, Denominator: 3,
		Base: concord.BaseElectorate, AbstentionsCount: true, QuorumPercent: 50.5}
	if p.Rule != want || len(p.Electorate) != 2 || p.Visibility != concord.ResponsesHidden || p.DocumentID != w.doc.ID {
		t.Errorf("stored %+v electorate %v visibility %s", p.Rule, p.Electorate, p.Visibility)
	}

	res = c.get(loc)
	if got := res.doc.text("#deadline"); !strings.Contains(got, "10:30") || !strings.Contains(got, "Europe/Berlin") || !strings.Contains(got, "09:30 UTC") {
		t.Errorf("deadline shown as %q, want it in Berlin time and in UTC", got)
	}

	// Delegates do not open procedures.
	d := w.client(t)
	d.login("dana", "dana password")
	wantStatus(t, "delegate form", d.get("/procedures/new"), http.StatusForbidden)
	wantStatus(t, "delegate post", d.post("/procedures/new", good), http.StatusForbidden)
}

// TestRespondFlows: a delegate responds for their organization, changes the answer, sees
// the history, re-confirms after the text changed; nobody responds for an organization they
// do not represent; after the deadline the form is gone and answers are refused.
func TestRespondFlows(t *testing.T) {
	t.Parallel()
	w := newProcWorld(t)
	ctx := context.Background()
	p := w.signatures(t, concord.ResponsesPublic)
	path := "/procedures/" + p.ID

	dana := w.client(t)
	dana.login("dana", "dana password")
	res := dana.get("/")
	if got := res.doc.text("#awaiting"); !strings.Contains(got, p.Question) {
		t.Errorf("home does not remind of the open procedure: %q", got)
	}
	res = dana.get(path)
	form := "#respond-" + w.a.ID + " form"
	if res.doc.first(form) == nil || res.doc.first("#respond-"+w.b.ID) != nil {
		t.Fatalf("dana's forms: %q", res.doc.text("#respond"))
	}
	if got := res.doc.attr(form+` input[name="version"]`, "value"); got != w.doc.CurrentVersion.Hash {
		t.Errorf("version field %q, want %q", got, w.doc.CurrentVersion.Hash)
	}
	if n := len(res.doc.all(form + ` input[type="radio"]`)); n != 2 {
		t.Errorf("%d answers offered, want sign and decline", n)
	}

	// No answer chosen: the form says so, nothing is stored.
	form0 := url.Values{"org": {w.a.ID}, "version": {w.doc.CurrentVersion.Hash}, "lang": {"es"}}
	res = dana.post(path+"/respond", form0)
	wantStatus(t, "no answer", res, http.StatusUnprocessableEntity)
	if got := res.doc.text("#respond-" + w.a.ID + " .field-error"); got != w.bundle.Localizer("en").T("error.choose_answer") {
		t.Errorf("no-answer error %q", got)
	}
	sign := url.Values{"org": {w.a.ID}, "answer": {"sign"}, "version": {w.doc.CurrentVersion.Hash}, "lang": {"es"}}
	wantStatus(t, "sign", dana.post(path+"/respond", sign), http.StatusSeeOther)
	if h := w.history(t, p, w.a); len(h) != 1 || h[0].Answer != concord.AnswerSign || h[0].LangShown != "es" {
		t.Fatalf("history after signing: %+v", h)
	}
	if got := dana.get("/").doc.first("#awaiting"); got != nil {
		t.Error("home still reminds after the response")
	}
	decline := url.Values{"org": {w.a.ID}, "answer": {"decline"}, "version": {w.doc.CurrentVersion.Hash}, "lang": {"en"}}
	wantStatus(t, "decline", dana.post(path+"/respond", decline), http.StatusSeeOther)
	res = dana.get(path)
	l := w.bundle.Localizer("en")
	if got := res.doc.text("#respond-" + w.a.ID + " .history"); !strings.HasPrefix(got, "Changed from Sign to Decline on ") {
		t.Errorf("history shown as %q", got)
	}
	if n := res.doc.first(form + ` input[value="decline"]`); n == nil || !hasAttr(n, "checked") {
		t.Error("the current answer is not preselected")
	}

	// Dana cannot answer for B: a translated refusal, nothing stored.
	dana.setLang("de")
	forB := url.Values{"org": {w.b.ID}, "answer": {"sign"}, "version": {w.doc.CurrentVersion.Hash}}
	res = dana.post(path+"/respond", forB)
	wantStatus(t, "for B", res, http.StatusForbidden)
	if got, want := res.doc.text("main"), w.bundle.Localizer("de").T("error.no_mandate"); !strings.Contains(got, want) {
		t.Errorf("refusal %q does not say %q", got, want)
	}
	if h := w.history(t, p, w.b); len(h) != 0 {
		t.Errorf("a response for B was stored: %+v", h)
	}
	// Olga administers A but holds no delegate mandate: no form, and a refusal.
	olga := w.client(t)
	olga.login("olga", "olga password")
	res = olga.get(path)
	if res.doc.first("#respond form") != nil {
		t.Error("olga is offered a response form")
	}
	res = olga.post(path+"/respond", sign)
	wantStatus(t, "olga", res, http.StatusForbidden)
	if h := w.history(t, p, w.a); len(h) != 2 {
		t.Errorf("olga's response was stored: %+v", h)
	}
	// A visitor is sent to log in.
	wantStatus(t, "visitor", w.client(t).post(path+"/respond", sign), http.StatusSeeOther)

	// The text changes: A's signature is on an earlier version and must be re-confirmed.
	wantStatus(t, "sign again", dana.post(path+"/respond", sign), http.StatusSeeOther)
	if _, err := w.docs.SaveText(ctx, w.admin, w.doc.ID, w.doc.Title(), resolutionBody+"\n\nA new paragraph.", "amended"); err != nil {
		t.Fatal(err)
	}
	time.Sleep(1100 * time.Millisecond) // the service trusts a text's hash for a second
	dana.setLang("en")
	res = dana.get(path)
	if res.doc.first("#reconfirm-"+w.a.ID) == nil || res.doc.first("#respond-"+w.a.ID+" .stale-note") == nil {
		t.Fatalf("no re-confirmation offered: %q", res.doc.text("#respond"))
	}
	if got := res.doc.text("#tally-stale"); got != "1" {
		t.Errorf("stale count %q", got)
	}
	res = dana.post(path+"/respond", sign) // the old hash
	wantStatus(t, "old version", res, http.StatusConflict)
	if got := res.doc.text("#respond-" + w.a.ID + " .field-error"); got != l.T("error.version_changed") {
		t.Errorf("version error %q", got)
	}
	newHash := res.doc.attr(form+` input[name="version"]`, "value")
	if newHash == w.doc.CurrentVersion.Hash || newHash == "" {
		t.Fatalf("the form still carries the old hash")
	}
	sign.Set("version", newHash)
	wantStatus(t, "re-confirm", dana.post(path+"/respond", sign), http.StatusSeeOther)
	if res = dana.get(path); res.doc.first("#reconfirm-"+w.a.ID) != nil {
		t.Error("still asked to re-confirm")
	}

	// After the deadline: no form, and answers are refused.
	w.clock.advance(49 * time.Hour)
	res = dana.get(path)
	if res.doc.first("#respond form") != nil || res.doc.first("#not-open") == nil {
		t.Errorf("form after the deadline: %q", res.doc.text("#respond"))
	}
	if res.doc.first("#live") != nil {
		t.Error("a closed procedure is still live")
	}
	before := len(w.history(t, p, w.a))
	res = dana.post(path+"/respond", decline)
	wantStatus(t, "late", res, http.StatusConflict)
	if !strings.Contains(res.doc.text("main"), l.T("error.procedure_closed")) {
		t.Errorf("late answer refused with %q", res.doc.text("main .field-error"))
	}
	if got := len(w.history(t, p, w.a)); got != before {
		t.Errorf("a late answer was stored")
	}
}

// TestHiddenProcedureLeaksNothing: while a hidden procedure runs, no page, export or event
// stream shows responses or counts per answer; after the close everything is shown.
func TestHiddenProcedureLeaksNothing(t *testing.T) {
	t.Parallel()
	w := newProcWorld(t)
	p := w.signatures(t, concord.ResponsesHidden)
	stream := w.openStream(t, "admin", adminPassword, p.ID)
	w.respond(t, "dana", w.a, p, concord.AnswerSign)
	w.respond(t, "boris", w.b, p, concord.AnswerDecline)

	clients := map[string]*client{}
	for _, login := range []string{"admin", "dana", "boris"} {
		c := w.client(t)
		if login == "admin" {
			c.login(login, adminPassword)
		} else {
			c.login(login, login+" password")
		}
		clients[login] = c
	}
	clients["visitor"] = w.client(t)
	l := w.bundle.Localizer("en")
	for who, c := range clients {
		res := c.get("/procedures/" + p.ID)
		if who == "visitor" {
			wantStatus(t, who, res, http.StatusNotFound)
		} else {
			wantStatus(t, who, res, http.StatusOK)
			if res.doc.first("#tally") != nil || res.doc.first("#responses") != nil {
				t.Errorf("%s sees counts or responses of a hidden procedure", who)
			}
			if got, want := res.doc.text("#reasons"), l.T("result.hidden", "responded", "2", "electorate", "3"); got != want {
				t.Errorf("%s: result %q, want %q", who, got, want)
			}
			if strings.Contains(res.doc.text("main"), w.b.Name) && who != "boris" && who != "admin" {
				t.Errorf("%s sees who responded", who)
			}
		}
		for _, path := range []string{"/signatories/" + p.ID + "/en", "/signatories/" + p.ID + "/signatories.csv", "/signatories/" + p.ID + "/signatories.json"} {
			res := c.get(path)
			if res.status == http.StatusOK || strings.Contains(res.body, w.a.Name) {
				t.Errorf("%s: %s answered %d with the signatories", who, path, res.status)
			}
		}
		res = c.get("/procedures")
		if who != "visitor" && !strings.Contains(res.doc.text("#procedures"), p.Question) {
			t.Errorf("%s does not see the procedure listed", who)
		}
	}
	for _, ev := range stream.until(t, func(ev live.Event) bool {
		return ev.Name == "tally" && strings.Contains(string(ev.Data), `"responded":2`)
	}) {
		if ev.Name == "signatory" || strings.Contains(string(ev.Data), `"counts"`) || strings.Contains(string(ev.Data), w.a.ID) {
			t.Errorf("the stream of a hidden procedure carries %s %s", ev.Name, ev.Data)
		}
	}

	// After the close everything is there.
	w.clock.advance(49 * time.Hour)
	if err := w.procs.CloseOverdue(context.Background()); err != nil {
		t.Fatal(err)
	}
	res := clients["boris"].get("/signatories/" + p.ID + "/en")
	wantStatus(t, "after close", res, http.StatusOK)
	if !strings.Contains(res.doc.text("#signatories"), w.a.Name) || res.doc.first("#tally") != nil {
		t.Errorf("signatories after the close: %q", res.doc.text("#signatories"))
	}
	if got := clients["boris"].get("/procedures/" + p.ID).doc.text(`#tally dd[data-answer="decline"]`); got != "1" {
		t.Errorf("declines after the close: %q", got)
	}
}

// TestSignatoryList checks the public list: numbered, names in their own script with the
// reader's translation, localized countries, one page per language with hreflang links,
// signatures on an earlier version apart, and the CSV and JSON exports.
func TestSignatoryList(t *testing.T) {
	t.Parallel()
	w := newProcWorld(t)
	ctx := context.Background()
	p := w.signatures(t, concord.ResponsesPublic)
	w.respond(t, "dana", w.a, p, concord.AnswerSign)
	w.respond(t, "boris", w.b, p, concord.AnswerSign)
	c := w.client(t)

	res := c.get("/signatories/" + p.ID)
	wantStatus(t, "redirect", res, http.StatusSeeOther)
	res = c.get("/signatories/" + p.ID + "/de")
	wantStatus(t, "list", res, http.StatusOK)
	items := res.doc.all("#signatories li")
	if len(items) != 2 {
		t.Fatalf("%d signatories listed", len(items))
	}
	first := "#sig-" + w.a.ID
	if got := res.doc.text(first + " .sig-number"); got != "1" {
		t.Errorf("first number %q", got)
	}
	if got := res.doc.attr(first+" .sig-name", "lang"); got != "es" {
		t.Errorf("name lang %q", got)
	}
	if got := res.doc.text(first + " .translation"); got != "(Einheitszentrale der Arbeiter)" {
		t.Errorf("German name %q", got)
	}
	if got := res.doc.text(first + " .sig-country"); got != "Chile" {
		t.Errorf("country %q", got)
	}
	if got := len(res.doc.all(`link[rel="alternate"][hreflang]`)); got != 8 {
		t.Errorf("%d hreflang links", got)
	}
	if got := res.doc.text("#list-status"); !strings.Contains(got, "weitere") {
		t.Errorf("open list status %q", got)
	}
	res = c.get("/signatories/" + p.ID + "/fa")
	if got := res.doc.text(first + " .sig-country"); got != "شیلی" {
		t.Errorf("Persian country %q", got)
	}
	if got := res.doc.text("#sig-" + w.b.ID + " .sig-number"); got != "۲" {
		t.Errorf("Persian number %q", got)
	}
	wantStatus(t, "unknown language", c.get("/signatories/"+p.ID+"/xx"), http.StatusNotFound)

	// The text changes; B re-confirms, A's signature stays on the earlier version.
	if _, err := w.docs.SaveText(ctx, w.admin, w.doc.ID, w.doc.Title(), resolutionBody+"\n\nAmended.", "amended"); err != nil {
		t.Fatal(err)
	}
	time.Sleep(1100 * time.Millisecond)
	w.respond(t, "boris", w.b, p, concord.AnswerSign)
	res = c.get("/signatories/" + p.ID + "/en")
	if got := res.doc.all("#signatories li"); len(got) != 1 || res.doc.text("#sig-"+w.b.ID+" .sig-number") != "1" {
		t.Errorf("current signatories: %q", res.doc.text("#signatories"))
	}
	if got := res.doc.text("#stale"); !strings.Contains(got, w.a.Name) {
		t.Errorf("earlier-version signatories: %q", got)
	}

	res = c.get("/signatories/" + p.ID + "/signatories.csv")
	wantStatus(t, "csv", res, http.StatusOK)
	rows, err := csv.NewReader(strings.NewReader(res.body)).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != 3 || strings.Join(rows[0], ",") != "number,name,name_en,country,signed_at,version" ||
		rows[1][0] != "1" || rows[1][1] != "Workers' Union" || rows[1][3] != "DE" ||
		rows[2][0] != "" || rows[2][2] != "Unitary Workers' Centre" || rows[2][5] != "earlier" {
		t.Errorf("CSV:\n%s", res.body)
	}
	if _, err := time.Parse(time.RFC3339, rows[1][4]); err != nil || !strings.HasSuffix(rows[1][4], "Z") {
		t.Errorf("signed_at %q is not RFC 3339 UTC", rows[1][4])
	}
	res = c.get("/signatories/" + p.ID + "/signatories.json")
	wantStatus(t, "json", res, http.StatusOK)
	var x struct {
		Final       bool `json:"final"`
		Signatories []struct {
			Number  int    `json:"number"`
			OrgID   string `json:"org_id"`
			Country string `json:"country"`
		} `json:"signatories"`
		Stale []struct {
			OrgID string `json:"org_id"`
		} `json:"signed_earlier_version"`
	}
	if err := json.Unmarshal([]byte(res.body), &x); err != nil {
		t.Fatal(err)
	}
	if x.Final || len(x.Signatories) != 1 || x.Signatories[0].OrgID != w.b.ID || x.Signatories[0].Number != 1 || len(x.Stale) != 1 {
		t.Errorf("JSON: %s", res.body)
	}

	// Members-only procedures have no public list.
	m := w.signatures(t, concord.ResponsesMembers)
	wantStatus(t, "members-only list", c.get("/signatories/"+m.ID+"/en"), http.StatusNotFound)
	// Other rules have no signatory list.
	vote := w.open(t, concord.Procedure{Rule: concord.Rule{Kind: concord.RuleSilence}}, time.Hour)
	wantStatus(t, "no list for a vote", c.get("/signatories/"+vote.ID+"/en"), http.StatusNotFound)
}

// TestProcedureEventsAccess: the event stream of a members-only procedure needs a member's
// session; a public one streams to anyone, with the tally after each response.
func TestProcedureEventsAccess(t *testing.T) {
	t.Parallel()
	w := newProcWorld(t)
	m := w.signatures(t, concord.ResponsesMembers)
	wantStatus(t, "visitor stream", w.client(t).get("/procedures/"+m.ID+"/events"), http.StatusNotFound)
	wantStatus(t, "malformed id", w.client(t).get("/procedures/nonsense/events"), http.StatusNotFound)

	p := w.signatures(t, concord.ResponsesPublic)
	s := w.openStream(t, "", "", p.ID)
	list := w.openStream(t, "", "", p.ID+"/events?stream=signatories&x=") // the list's stream
	w.respond(t, "dana", w.a, p, concord.AnswerSign)
	// The procedure's stream carries tallies; new signatories go to the list's stream.
	evs := s.until(t, func(ev live.Event) bool { return ev.Name == "tally" && strings.Contains(string(ev.Data), `"sign":1`) })
	var tally struct {
		Counts map[string]int `json:"counts"`
	}
	for _, ev := range evs {
		if ev.Name == "tally" {
			if err := json.Unmarshal(ev.Data, &tally); err != nil || tally.Counts["sign"] != 1 {
				t.Errorf("tally %s", ev.Data)
			}
		}
	}
	sig := list.until(t, func(ev live.Event) bool { return ev.Name == "signatory" })
	if last := sig[len(sig)-1]; !strings.Contains(string(last.Data), w.a.Name) || last.ID != 1 {
		t.Errorf("signatory event %d %s", last.ID, last.Data)
	}
}

// eventStream reads a procedure's event stream in the background.
type eventStream struct {
	events chan live.Event
}

// openStream connects to a procedure's event stream, logged in as login when given, and
// returns once the server answered.
func (w *procWorld) openStream(t *testing.T, login, password, id string) *eventStream {
	t.Helper()
	c := w.client(t)
	if login != "" {
		c.login(login, password)
	}
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, w.srv.URL+"/procedures/"+id+"/events", nil)
	if err != nil {
		t.Fatal(err)
	}
	res, err := c.http.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	if res.StatusCode != http.StatusOK || !strings.HasPrefix(res.Header.Get("Content-Type"), "text/event-stream") {
		t.Fatalf("event stream: %d %s", res.StatusCode, res.Header.Get("Content-Type"))
	}
	s := &eventStream{events: make(chan live.Event, 64)}
	go func() {
		defer res.Body.Close()
		_ = live.ReadEvents(bufio.NewReader(res.Body), func(ev live.Event) error {
			select {
			case s.events <- ev:
			case <-ctx.Done():
				return ctx.Err()
			}
			return nil
		})
	}()
	return s
}

// until returns the events received until done says so (inclusive), failing after 10s.
func (s *eventStream) until(t *testing.T, done func(live.Event) bool) []live.Event {
	t.Helper()
	var out []live.Event
	timeout := time.After(10 * time.Second)
	for {
		select {
		case ev := <-s.events:
			out = append(out, ev)
			if done(ev) {
				return out
			}
		case <-timeout:
			t.Fatalf("timed out; events so far: %+v", out)
			return nil
		}
	}
}
