package web_test

import (
	"bytes"
	"context"
	"mime/multipart"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"concord"
	"concord/internal/documents"
	"concord/internal/mt"
)

// fakeEngine is a machine translation engine for English to Spanish that marks its output.
type fakeEngine struct{}

func (fakeEngine) Name() string                            { return "Fake" }
func (fakeEngine) Version(context.Context) (string, error) { return "1.0", nil }
func (fakeEngine) Pairs(context.Context) ([]mt.Pair, error) {
	return []mt.Pair{{Source: "en", Target: "es"}}, nil
}
func (fakeEngine) Translate(_ context.Context, _ mt.Pair, texts []string) ([]string, error) {
	out := make([]string, len(texts))
	for i, s := range texts {
		out[i] = "MT: " + s
	}
	return out, nil
}

const resolutionBody = "The federation calls for a day of struggle on 8 March.\n\nWe greet the workers of all countries.\n\nSolidarity forever."

// newResolution makes a public resolution of a federation body, as the admin.
func (e *env) newResolution(t *testing.T, title, body string) *concord.Document {
	t.Helper()
	d, err := e.docs.Create(context.Background(), e.admin, documents.NewDocument{Kind: concord.KindResolution,
		Visibility: concord.VisibilityPublic, IssuerBody: "Coordinating Committee", SourceLang: "en", Title: title, Body: body})
	if err != nil {
		t.Fatal(err)
	}
	return d
}

// setStatus moves a document along as the admin.
func (e *env) setStatus(t *testing.T, id string, to ...concord.DocStatus) {
	t.Helper()
	for _, s := range to {
		if _, err := e.docs.ChangeStatus(context.Background(), e.admin, id, s); err != nil {
			t.Fatalf("status %s: %v", s, err)
		}
	}
}

// addTerm puts the "day of struggle" term into the glossary.
func (e *env) addTerm(t *testing.T) *concord.GlossaryTerm {
	t.Helper()
	term := &concord.GlossaryTerm{Concept: "day of struggle", Note: "Fixed by the 2019 conference",
		Adopted:   map[string][]string{"en": {"day of struggle"}, "es": {"jornada de lucha"}},
		Forbidden: map[string][]string{"es": {"lucha libre"}}}
	if err := e.docs.PutTerm(context.Background(), e.admin, term); err != nil {
		t.Fatal(err)
	}
	return term
}

// upload sends a multipart form with one file the way a browser does.
func (c *client) upload(path, field, filename string, content []byte) *response {
	c.t.Helper()
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	fw, err := mw.CreateFormFile(field, filename)
	if err != nil {
		c.t.Fatal(err)
	}
	fw.Write(content)
	mw.Close()
	req, err := http.NewRequest(http.MethodPost, c.e.srv.URL+path, &buf)
	if err != nil {
		c.t.Fatal(err)
	}
	req.Header.Set("Content-Type", mw.FormDataContentType())
	req.Header.Set("Sec-Fetch-Site", "same-origin")
	return c.do(req)
}

// TestDocumentPagesInEveryLanguage renders every document, translation, glossary, search
// and engine page in every UI language and checks the structure every page must have.
func TestDocumentPagesInEveryLanguage(t *testing.T) {
	t.Parallel()
	e := newEnv(t, true, fakeEngine{})
	ctx := context.Background()
	org := e.createOrg(t, "Workers' Union", "DE")
	d := e.newResolution(t, "Resolution on 8 March", resolutionBody)
	e.setStatus(t, d.ID, concord.DocCirculating)
	if _, err := e.docs.StartTranslation(ctx, e.admin, d.ID, "de"); err != nil {
		t.Fatal(err)
	}
	if _, err := e.docs.SaveText(ctx, e.admin, d.ID, "Resolution on 8 March", resolutionBody+"\n\nLong live the 8th of March!", "adds a closing line"); err != nil {
		t.Fatal(err)
	}
	if _, err := e.docs.SaveSegments(ctx, e.admin, d.ID, "es", "", nil); err == nil {
		t.Fatal("saving a translation that was never started should fail")
	}
	if _, err := e.docs.StartTranslation(ctx, e.admin, d.ID, "es"); err != nil {
		t.Fatal(err)
	}
	segs := concord.Segments(resolutionBody)
	if _, err := e.docs.SaveSegments(ctx, e.admin, d.ID, "es", "Resolución sobre el 8 de marzo", []documents.SegmentEdit{
		{SegmentID: segs[0].ID, Target: "La federación convoca una lucha libre el 8 de marzo."}}); err != nil {
		t.Fatal(err)
	}
	if _, err := e.docs.MachineTranslate(ctx, e.admin, d.ID, "es", "", []string{segs[1].ID}); err != nil {
		t.Fatal(err)
	}
	term := e.addTerm(t)
	if _, err := e.docs.Attach(ctx, e.admin, d.ID, "minutes.pdf", strings.NewReader("%PDF-1.4\nminutes")); err != nil {
		t.Fatal(err)
	}
	greeting, err := e.docs.Create(ctx, e.admin, documents.NewDocument{Kind: concord.KindGreeting, Visibility: concord.VisibilityInternal,
		IssuerOrgID: org.ID, SourceLang: "de", Occasion: "1. Mai", Recipient: "Alle Mitglieder", Title: "Grüße zum 1. Mai", Body: "Wir grüßen euch."})
	if err != nil {
		t.Fatal(err)
	}
	p := "/documents/" + d.ID
	year := strconv.Itoa(time.Now().Year())
	pages := []string{"/documents", "/documents?kind=resolution&status=circulating&year=" + year + "&issuer=" + org.ID, "/documents/new",
		p, p + "/edit", p + "/versions/1", p + "/versions/2", p + "/diff", p + "/diff?from=2&to=1", p + "/diff?from=2&to=2",
		p + "/translate/es", p + "/translate/de", p + "/translate/fr", p + "/translate/es?since=1",
		"/documents/" + greeting.ID, "/documents/" + greeting.ID + "/edit",
		"/glossary", "/glossary/new", "/glossary/" + term.ID + "/edit",
		"/search", "/search?q=struggle", "/search?q=marzo&lang=es&kind=resolution&status=circulating&year=" + year, "/search?q=nothingmatches",
		"/engines"}
	for _, lang := range []string{"en", "de", "es", "fr", "ru", "tr", "fa", "ar"} {
		t.Run(lang, func(t *testing.T) {
			t.Parallel()
			a := e.client(t)
			a.login("admin", adminPassword)
			a.setLang(lang)
			for _, path := range pages {
				res := a.get(path)
				wantStatus(t, path, res, http.StatusOK)
				checkPage(t, path, res, lang)
			}
		})
	}

	// What the pages show, in English.
	a := e.client(t)
	a.login("admin", adminPassword)
	res := a.get(p)
	if res.doc.first(`.doc-text #p-1`) == nil || res.doc.first(`.doc-text #p-4`) == nil {
		t.Errorf("document page: no numbered paragraphs in the text:\n%s", res.doc.text(".doc-text"))
	}
	cur, err := e.docs.Get(ctx, e.admin, d.ID)
	if err != nil {
		t.Fatal(err)
	}
	if got := res.doc.text("#current-version"); !strings.Contains(got, "Version 2") || !strings.Contains(got, cur.CurrentVersion.Hash[:12]) {
		t.Errorf("current version: %q", got)
	}
	if res.doc.first(`form[action="`+p+`/status"] button[value="adopted"]`) == nil || res.doc.first(`form[action="`+p+`/status"] button[value="withdrawn"]`) == nil {
		t.Errorf("no status buttons for adopted and withdrawn")
	}
	if got := res.doc.text("#translations"); !strings.Contains(got, "Outdated: translation of version 1") || !strings.Contains(got, "Machine translation (Fake 1.0), not reviewed") {
		t.Errorf("translations table: %q", got)
	}
	if res.doc.first(`a[href="`+p+`/translate/es"]`) == nil || res.doc.first(`#attachments ul a`) == nil {
		t.Errorf("no editor link or attachment link")
	}
	res = a.get(p + "/diff?from=1&to=2")
	if got := res.doc.text(".diff ins"); !strings.Contains(got, "inserted:") || !strings.Contains(got, "Long live the 8th of March!") {
		t.Errorf("diff: inserted paragraph %q", got)
	}
	if got := res.doc.text(".diff-block.added .para-no"); !strings.Contains(got, "§ 4") {
		t.Errorf("diff: the new paragraph is numbered %q, want § 4", got)
	}
	res = a.get(p + "/translate/es")
	if got := res.doc.text("mark.violation"); !strings.Contains(got, "lucha libre") {
		t.Errorf("editor: forbidden wording not highlighted: %q", got)
	}
	if got := res.doc.text("#row-" + segs[0].ID + " .issues"); !strings.Contains(got, `“lucha libre” is a forbidden wording: use “jornada de lucha”`) {
		t.Errorf("editor: violation text %q", got)
	}
	if res.doc.attr("#f-t-"+segs[0].ID, "lang") != "es" || res.doc.attr("#f-t-"+segs[0].ID, "dir") != "ltr" {
		t.Errorf("target textarea lacks lang/dir")
	}
	if got := res.doc.text("#engines"); !strings.Contains(got, "Fake") {
		t.Errorf("editor: engines %q", got)
	}
	res = a.get(p + "/translate/de")
	if res.doc.first("#outdated") == nil || res.doc.first(".source-diff ins") == nil || res.doc.first("#start-translation") == nil {
		t.Errorf("outdated translation: no banner, source diff or start button")
	}
	if got := a.get(p + "/translate/fr").doc.text("#engines"); !strings.Contains(got, "No installed machine translation engine translates from English into French") {
		t.Errorf("engines for en→fr: %q", got)
	}
}

// TestDocumentFormValidation submits bad documents and glossary terms: each is refused with
// the translated message beside its field and in the summary, the input is kept, and
// nothing is created.
func TestDocumentFormValidation(t *testing.T) {
	t.Parallel()
	e := newEnv(t, true)
	valid := url.Values{"kind": {"resolution"}, "issuer": {"body"}, "issuer_body": {"Coordinating Committee"},
		"source_lang": {"en"}, "visibility": {"internal"}, "title": {"On peace"}, "body": {"We want peace."}}
	with := func(base url.Values, k, v string) url.Values {
		f := url.Values{}
		for key, vals := range base {
			f[key] = append([]string(nil), vals...)
		}
		f.Set(k, v)
		return f
	}
	docTests := []struct {
		name  string
		form  url.Values
		field string
		msg   func(l localizer) string
	}{
		{"missing title", with(valid, "title", ""), "f-title", func(l localizer) string { return l.T("error.missing", "field", l.T("field.title")) }},
		{"overlong title", with(valid, "title", strings.Repeat("t", concord.MaxLine+1)), "f-title",
			func(l localizer) string {
				return l.T("error.too_long", "field", l.T("field.title"), "max", concord.MaxLine)
			}},
		{"invalid UTF-8 body", with(valid, "body", "bad \xff bytes"), "f-body", func(l localizer) string { return l.T("error.invalid_utf8") }},
		{"unknown kind", with(valid, "kind", "manifesto"), "f-kind", func(l localizer) string { return l.T("error.doc_kind", "value", "manifesto") }},
		{"bad language", with(valid, "source_lang", "english!"), "f-source_lang", func(l localizer) string { return l.T("error.lang", "value", "english!") }},
		{"no issuing body", with(valid, "issuer_body", ""), "f-issuer_body",
			func(l localizer) string { return l.T("error.missing", "field", l.T("field.issuer_body")) }},
	}
	termTests := []struct {
		name  string
		form  url.Values
		field string
		msg   func(l localizer) string
	}{
		{"missing concept", url.Values{"concept": {""}, "w_lang": {"es"}, "w_adopted": {"jornada de lucha"}}, "f-concept",
			func(l localizer) string { return l.T("error.missing", "field", l.T("field.concept")) }},
		{"adopted and forbidden", url.Values{"concept": {"day of struggle"}, "w_lang": {"es"}, "w_adopted": {"jornada de lucha"}, "w_forbidden": {"Jornada de lucha"}},
			"f-forbidden-es", func(l localizer) string {
				return l.T("error.glossary_conflict", "lang", "es", "wording", "Jornada de lucha")
			}},
		{"wordings without language", url.Values{"concept": {"day of struggle"}, "w_lang": {""}, "w_adopted": {"jornada de lucha"}}, "f-wordings",
			func(l localizer) string { return l.T("error.wording_lang_missing") }},
	}
	check := func(t *testing.T, lang string, res *response, field, want string) {
		t.Helper()
		wantStatus(t, field, res, http.StatusUnprocessableEntity)
		d := res.doc
		if got := d.attr("html", "lang"); got != lang {
			t.Errorf("lang = %q, want %q", got, lang)
		}
		if link := d.first(`#error-summary a[href="#` + field + `"]`); link == nil || !strings.Contains(textOf(link), want) {
			t.Errorf("summary has no link to #%s with %q: %q", field, want, d.text("#error-summary"))
		}
		if !strings.Contains(d.text("main"), want) {
			t.Errorf("page lacks %q", want)
		}
		checkPage(t, field, res, lang)
	}
	for _, lang := range []string{"en", "es", "fa"} {
		l := e.bundle.Localizer(lang)
		for _, tt := range docTests {
			t.Run(lang+"/doc/"+tt.name, func(t *testing.T) {
				t.Parallel()
				c := e.client(t)
				c.login("admin", adminPassword)
				c.setLang(lang)
				res := c.post("/documents/new", tt.form)
				check(t, lang, res, tt.field, tt.msg(l))
				if tt.field != "f-title" && res.doc.attr("#f-title", "value") != "On peace" {
					t.Errorf("title not kept: %q", res.doc.attr("#f-title", "value"))
				}
			})
		}
		for _, tt := range termTests {
			t.Run(lang+"/term/"+tt.name, func(t *testing.T) {
				t.Parallel()
				c := e.client(t)
				c.login("admin", adminPassword)
				c.setLang(lang)
				check(t, lang, c.post("/glossary/new", tt.form), tt.field, tt.msg(l))
			})
		}
	}
	t.Cleanup(func() {
		docs, err := e.docs.List(context.Background(), e.admin, documents.ListFilter{})
		if err != nil || len(docs) != 0 {
			t.Errorf("documents were created: %d, %v", len(docs), err)
		}
		terms, err := e.docs.Glossary(context.Background(), e.admin)
		if err != nil || len(terms) != 0 {
			t.Errorf("terms were created: %d, %v", len(terms), err)
		}
	})
}

// TestDocumentAccess checks who reaches what: a delegate of organization B gets "not found"
// on a draft of organization A (its existence is not revealed) and "forbidden" on editing
// A's circulated texts; visitors are sent to log in; a delegate sees A's drafts only as A's.
func TestDocumentAccess(t *testing.T) {
	t.Parallel()
	e := newEnv(t, true)
	ctx := context.Background()
	orgA, orgB := e.createOrg(t, "Organization A", "FR"), e.createOrg(t, "Organization B", "ES")
	alice := e.addPerson(t, orgA, "alice", concord.RoleDelegate)
	e.addPerson(t, orgB, "bob", concord.RoleDelegate)
	aliceActor := e.actor(t, alice.ID)
	draft, err := e.docs.Create(ctx, aliceActor, documents.NewDocument{Kind: concord.KindStatement, IssuerOrgID: orgA.ID,
		SourceLang: "fr", Title: "Déclaration", Body: "Texte du brouillon."})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.docs.Attach(ctx, aliceActor, draft.ID, "note.txt", strings.NewReader("a note")); err != nil {
		t.Fatal(err)
	}
	atts, _ := e.docs.Attachments(ctx, aliceActor, draft.ID)
	circulated, err := e.docs.Create(ctx, aliceActor, documents.NewDocument{Kind: concord.KindStatement, IssuerOrgID: orgA.ID,
		SourceLang: "fr", Title: "Déclaration diffusée", Body: "Texte."})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.docs.ChangeStatus(ctx, aliceActor, circulated.ID, concord.DocCirculating); err != nil {
		t.Fatal(err)
	}

	bob := e.client(t)
	bob.login("bob", "bob password")
	d := "/documents/" + draft.ID
	text := url.Values{"title": {"Hijacked"}, "body": {"Hijacked."}}
	for _, tt := range []struct {
		method, path string
		form         url.Values
		status       int
	}{
		{"GET", d, nil, http.StatusNotFound},
		{"GET", d + "/edit", nil, http.StatusNotFound},
		{"POST", d + "/edit", text, http.StatusNotFound},
		{"POST", d + "/meta", url.Values{"visibility": {"public"}}, http.StatusNotFound},
		{"POST", d + "/status", url.Values{"to": {"circulating"}}, http.StatusNotFound},
		{"GET", d + "/versions/1", nil, http.StatusNotFound},
		{"GET", d + "/diff", nil, http.StatusNotFound},
		{"GET", d + "/translate/es", nil, http.StatusNotFound},
		{"POST", d + "/translate/es/start", url.Values{}, http.StatusNotFound},
		{"GET", d + "/attachments/" + atts[0].ID, nil, http.StatusNotFound},
		{"GET", "/documents/" + circulated.ID, nil, http.StatusOK},
		{"GET", "/documents/" + circulated.ID + "/edit", nil, http.StatusForbidden},
		{"POST", "/documents/" + circulated.ID + "/edit", text, http.StatusForbidden},
		{"POST", "/documents/" + circulated.ID + "/status", url.Values{"to": {"withdrawn"}}, http.StatusForbidden},
		{"GET", "/glossary/new", nil, http.StatusForbidden},
		{"POST", "/glossary/new", url.Values{"concept": {"x"}}, http.StatusForbidden},
		{"GET", "/glossary/export.csv", nil, http.StatusOK},
	} {
		var res *response
		if tt.method == "GET" {
			res = bob.get(tt.path)
		} else {
			res = bob.post(tt.path, tt.form)
		}
		if res.status != tt.status {
			t.Errorf("bob %s %s: status %d, want %d", tt.method, tt.path, res.status, tt.status)
		}
	}
	if strings.Contains(bob.get("/documents").body, "Déclaration</a>") || !strings.Contains(bob.get("/documents").body, "Déclaration diffusée") {
		t.Errorf("bob's list shows A's draft, or not A's circulated text")
	}
	if strings.Contains(bob.get("/search?q=brouillon").body, draft.ID) {
		t.Errorf("search shows A's draft to bob")
	}
	if got, _ := e.docs.Get(ctx, aliceActor, draft.ID); got.Title() != "Déclaration" || got.Status != concord.DocDraft {
		t.Errorf("A's draft changed: %q %s", got.Title(), got.Status)
	}

	ali := e.client(t)
	ali.login("alice", "alice password")
	wantStatus(t, "alice reads her draft", ali.get(d), http.StatusOK)
	wantStatus(t, "alice edits her draft", ali.get(d+"/edit"), http.StatusOK)
	if got := ali.get("/documents/new").doc.all(`#f-issuer option`); len(got) != 1 || attrOf(got[0], "value") != orgA.ID {
		t.Errorf("alice may issue for %d choices, want only A", len(got))
	}

	visitor := e.client(t)
	for _, path := range []string{"/documents", d, "/documents/new", "/documents/" + circulated.ID, "/glossary", "/search?q=x", "/engines",
		"/documents/" + circulated.ID + "/translate/es"} {
		res := visitor.get(path)
		if res.status != http.StatusSeeOther || !strings.HasPrefix(res.header.Get("Location"), "/login?next=") {
			t.Errorf("visitor %s: status %d, Location %q; want the login redirect", path, res.status, res.header.Get("Location"))
		}
	}
}

// TestDocumentLifecycle drives a text through the forms: create, edit in place as a draft,
// circulate (edits now make versions), compare, attach files and download them.
func TestDocumentLifecycle(t *testing.T) {
	t.Parallel()
	e := newEnv(t, true)
	c := e.client(t)
	c.login("admin", adminPassword)
	res := c.post("/documents/new", url.Values{"kind": {"circular_letter"}, "issuer": {"body"}, "issuer_body": {"Secretariat"},
		"source_lang": {"en"}, "visibility": {"public"}, "title": {"Letter on the congress"}, "body": {"Dear comrades,\n\nthe congress meets in May."}})
	wantStatus(t, "create", res, http.StatusSeeOther)
	p := strings.TrimSuffix(res.header.Get("Location"), "?done=doc_created")
	id := strings.TrimPrefix(p, "/documents/")
	wantStatus(t, "draft edit", c.post(p+"/edit", url.Values{"title": {"Letter on the congress"}, "body": {"Dear comrades,\n\nthe congress meets in June."}}), http.StatusSeeOther)
	vs, _ := e.docs.Versions(context.Background(), e.admin, id)
	if len(vs) != 1 {
		t.Fatalf("a draft edit made %d versions, want 1", len(vs))
	}
	wantStatus(t, "circulate", c.post(p+"/status", url.Values{"to": {"circulating"}}), http.StatusSeeOther)
	res = c.get(p)
	if got := res.doc.text(".kicker"); !strings.Contains(got, "No. 1/") {
		t.Errorf("circular letter number: %q", got)
	}
	if res.doc.first(`button[value="published"]`) != nil {
		t.Errorf("a circulating text offers publication")
	}
	res = c.post(p+"/status", url.Values{"to": {"draft"}})
	wantStatus(t, "back to draft", res, http.StatusUnprocessableEntity)
	if got := res.doc.text("#error-summary"); !strings.Contains(got, "A document of this kind cannot go from Circulating to Draft") {
		t.Errorf("refused transition: %q", got)
	}
	edit := c.get(p + "/edit")
	if got := edit.doc.text(".callout"); !strings.Contains(got, "version 2") {
		t.Errorf("edit page does not say a new version is made: %q", got)
	}
	wantStatus(t, "new version", c.post(p+"/edit", url.Values{"title": {"Letter on the congress"},
		"body": {"Dear comrades,\n\nthe congress meets in July."}, "summary": {"new month"}}), http.StatusSeeOther)
	res = c.get(p + "/diff?from=1&to=2")
	if got := res.doc.text(".diff del"); !strings.Contains(got, "deleted: June") {
		t.Errorf("diff deleted: %q", got)
	}
	if got := res.doc.text(".diff ins"); !strings.Contains(got, "inserted: July") {
		t.Errorf("diff inserted: %q", got)
	}
	if got := res.doc.text(".diff-block.changed .para-no"); got != "§ 2" {
		t.Errorf("changed paragraph %q, want § 2", got)
	}
	wantStatus(t, "bad diff", c.get(p+"/diff?from=7&to=1"), http.StatusBadRequest)
	wantStatus(t, "no version 3", c.get(p+"/versions/3"), http.StatusNotFound)
	if got := c.get(p + "/versions/1").doc.text(".doc-text"); !strings.Contains(got, "June") {
		t.Errorf("version 1 shows %q", got)
	}

	// Attachments: stored, listed, downloaded with a safe name and the sniffed type.
	res = c.upload(p+"/attachments", "file", "Minutes \"May\".pdf", []byte("%PDF-1.4\n% minutes"))
	wantStatus(t, "upload", res, http.StatusSeeOther)
	res = c.get(p)
	link := res.doc.first("#attachments ul a")
	if link == nil {
		t.Fatal("no attachment listed")
	}
	dl := c.get(attrOf(link, "href"))
	wantStatus(t, "download", dl, http.StatusOK)
	if got := dl.header.Get("Content-Type"); got != "application/pdf" {
		t.Errorf("Content-Type %q", got)
	}
	if got := dl.header.Get("Content-Disposition"); got != `attachment; filename="Minutes \"May\".pdf"` {
		t.Errorf("Content-Disposition %q", got)
	}
	if dl.header.Get("X-Content-Type-Options") != "nosniff" || dl.body != "%PDF-1.4\n% minutes" {
		t.Errorf("download headers or body wrong: %v %q", dl.header, dl.body)
	}
	for _, tt := range []struct {
		name, file, content, want string
	}{
		{"HTML", "page.html", "<!doctype html><script>alert(1)</script>", "Files of type text/html; charset=utf-8 are not accepted"},
		{"empty", "empty.pdf", "", "The file is empty."},
	} {
		res = c.upload(p+"/attachments", "file", tt.file, []byte(tt.content))
		wantStatus(t, tt.name, res, http.StatusUnprocessableEntity)
		if got := res.doc.text("#f-file-error"); !strings.Contains(got, tt.want) {
			t.Errorf("%s upload: error %q, want %q", tt.name, got, tt.want)
		}
	}
	c.setLang("de")
	res = c.upload(p+"/attachments", "file", "big.pdf", append([]byte("%PDF-1.4\n"), make([]byte, documents.MaxAttachment+uploadSlackForTest)...))
	wantStatus(t, "too large", res, http.StatusUnprocessableEntity)
	if got := res.doc.text("#f-file-error"); got != e.bundle.Localizer("de").T("error.file_too_large") {
		t.Errorf("too large: %q", got)
	}
	if got := res.doc.text("#f-file-hint"); !strings.Contains(got, "20 MB") {
		t.Errorf("the limit is not stated: %q", got)
	}
	atts, _ := e.docs.Attachments(context.Background(), e.admin, id)
	if len(atts) != 1 {
		t.Errorf("%d attachments, want 1", len(atts))
	}
}

// uploadSlackForTest goes past the multipart slack the server allows beyond the file limit.
const uploadSlackForTest = 2 << 20

// editorForm is the translator's editor form as a browser would send it: every textarea and
// the checked boxes, plus the button pressed.
func editorForm(res *response, button, value string) url.Values {
	f := url.Values{}
	for _, n := range res.doc.all("form.editor textarea") {
		f.Set(attrOf(n, "name"), textOf(n))
	}
	for _, n := range res.doc.all("form.editor input") {
		switch attrOf(n, "type") {
		case "checkbox":
			if hasAttr(n, "checked") {
				f.Set(attrOf(n, "name"), attrOf(n, "value"))
			}
		default:
			f.Set(attrOf(n, "name"), attrOf(n, "value"))
		}
	}
	if button != "" {
		f.Set(button, value)
	}
	return f
}

// TestTranslatorEditor goes through the translator's work without JavaScript: opening the
// editor writes nothing, a start button starts it, machine translation fills one paragraph,
// untouched machine output stays machine output, glossary violations block marking final
// and are listed and highlighted, a reviewer may override with a reason, translation memory
// suggestions are taken with a button, and XLIFF and PO go out and come back with a report.
func TestTranslatorEditor(t *testing.T) {
	t.Parallel()
	e := newEnv(t, true, fakeEngine{})
	ctx := context.Background()
	org := e.createOrg(t, "Workers' Union", "DE")
	e.addPerson(t, org, "tina", concord.RoleTranslator)
	d := e.newResolution(t, "Resolution on 8 March", resolutionBody)
	e.setStatus(t, d.ID, concord.DocCirculating, concord.DocAdopted, concord.DocPublished)
	e.addTerm(t)
	segs := concord.Segments(resolutionBody)
	p := "/documents/" + d.ID + "/translate/es"

	c := e.client(t)
	c.login("tina", "tina password")
	res := c.get("/documents/" + d.ID + "/translate?lang=es")
	if res.status != http.StatusSeeOther || res.header.Get("Location") != p {
		t.Fatalf("translate into: %d %q", res.status, res.header.Get("Location"))
	}
	res = c.get(p)
	wantStatus(t, "editor before start", res, http.StatusOK)
	if res.doc.first("#start-translation") == nil || res.doc.first("form.editor") != nil {
		t.Fatalf("no start button, or an editor before the translation exists")
	}
	if ts, _ := e.docs.Translations(ctx, e.admin, d.ID); len(ts) != 0 {
		t.Fatalf("GET started a translation")
	}
	wantStatus(t, "source language", c.get("/documents/"+d.ID+"/translate/en"), http.StatusUnprocessableEntity)
	wantStatus(t, "start", c.post(p+"/start", url.Values{}), http.StatusSeeOther)
	res = c.get(p)
	if n := len(res.doc.all("form.editor textarea")); n != 3 {
		t.Fatalf("%d textareas, want 3", n)
	}
	if res.doc.first(`#f-override_reason`) != nil {
		t.Errorf("a translator (not a reviewer) is offered the override")
	}

	// Machine translation of one paragraph.
	res = c.post(p, editorForm(res, "do", "mt:"+segs[1].ID))
	if res.status != http.StatusSeeOther || !strings.HasSuffix(res.header.Get("Location"), "#row-"+segs[1].ID) {
		t.Fatalf("machine translate: %d %q", res.status, res.header.Get("Location"))
	}
	tv, _ := e.docs.Translation(ctx, e.admin, d.ID, "es")
	if sg := tv.Translation.Segments[1]; sg.State != concord.SegMachine || sg.Target != "MT: "+segs[1].Text || sg.Engine != "Fake" {
		t.Fatalf("segment 2 after machine translation: %+v", sg)
	}
	if tv.Translation.Segments[0].State != concord.SegUntranslated {
		t.Errorf("segment 1 was filled too")
	}

	// Saving the page without touching the machine paragraph keeps it machine output.
	res = c.get(p)
	form := editorForm(res, "do", "save")
	form.Set("title", "Resolución sobre el 8 de marzo")
	form.Set("t."+segs[0].ID, "La federación convoca una lucha libre el 8 de marzo.")
	wantStatus(t, "save", c.post(p, form), http.StatusSeeOther)
	tv, _ = e.docs.Translation(ctx, e.admin, d.ID, "es")
	if st := tv.Translation.Segments[1].State; st != concord.SegMachine {
		t.Errorf("untouched machine paragraph became %s", st)
	}

	// Marking final with a forbidden wording: refused, listed, highlighted; the text is kept.
	res = c.get(p)
	form = editorForm(res, "do", "final")
	form.Set("t."+segs[2].ID, "¡Solidaridad para siempre!")
	form.Set("r."+segs[1].ID, "1")
	res = c.post(p, form)
	wantStatus(t, "final with violation", res, http.StatusUnprocessableEntity)
	linked := false
	for _, link := range res.doc.all(`#error-summary a[href="#f-t-` + segs[0].ID + `"]`) {
		linked = linked || strings.Contains(textOf(link), "“lucha libre” is a forbidden wording: use “jornada de lucha”")
	}
	if !linked {
		t.Errorf("summary does not link the violation: %q", res.doc.text("#error-summary"))
	}
	if got := res.doc.text("#row-" + segs[0].ID + " mark.violation"); got != "forbidden wording: lucha libre" {
		t.Errorf("highlight %q", got)
	}
	if got := res.doc.text("#f-t-" + segs[2].ID); got != "¡Solidaridad para siempre!" {
		t.Errorf("typed text lost: %q", got)
	}
	tv, _ = e.docs.Translation(ctx, e.admin, d.ID, "es")
	if tv.Translation.Status != concord.TransDraft || tv.Translation.Segments[1].State != concord.SegReviewed {
		t.Errorf("after the refused final: %s, segment 2 %s", tv.Translation.Status, tv.Translation.Segments[1].State)
	}

	// A reviewer may keep it with a reason; editing again returns it to draft.
	admin := e.client(t)
	admin.login("admin", adminPassword)
	res = admin.get(p)
	if res.doc.first(`#f-override_reason`) == nil {
		t.Fatalf("no override field for a reviewer")
	}
	form = editorForm(res, "do", "final")
	form.Set("override_reason", "Quoted from the 1990 statutes")
	wantStatus(t, "override", admin.post(p, form), http.StatusSeeOther)
	if got := admin.get(p).doc.text("#translation-facts"); !strings.Contains(got, "Quoted from the 1990 statutes") || !strings.Contains(got, "Final") {
		t.Errorf("override not shown: %q", got)
	}

	// The translator fixes the wording and marks it final.
	res = c.get(p)
	form = editorForm(res, "do", "final")
	form.Set("t."+segs[0].ID, "La federación convoca una jornada de lucha el 8 de marzo.")
	wantStatus(t, "final", c.post(p, form), http.StatusSeeOther)
	res = c.get(p)
	if got := res.doc.text("#translation-status"); got != "Final" {
		t.Errorf("status %q", got)
	}
	if got := res.doc.text("#translation-provenance"); got != "Machine translation (Fake), reviewed by a person" {
		t.Errorf("provenance %q", got)
	}
	if res.doc.first("mark.violation") != nil {
		t.Errorf("violation still marked")
	}

	// XLIFF and PO out; PO back in, all or nothing.
	x := c.get(p + "/export.xlf")
	wantStatus(t, "xliff", x, http.StatusOK)
	if !strings.Contains(x.header.Get("Content-Disposition"), "attachment") || !strings.Contains(x.body, `<xliff`) || !strings.Contains(x.body, "jornada de lucha") {
		t.Errorf("xliff export: %v\n%s", x.header, x.body)
	}
	po := c.get(p + "/export.po")
	wantStatus(t, "po", po, http.StatusOK)
	if !strings.HasPrefix(po.header.Get("Content-Type"), "text/x-gettext-translation") || !strings.Contains(po.body, "msgctxt \""+segs[2].ID+"\"") {
		t.Errorf("po export: %v\n%s", po.header, po.body)
	}
	changed := strings.Replace(po.body, "¡Solidaridad para siempre!", "¡Viva la solidaridad!", 1)
	res = c.upload(p+"/import", "file", "es.po", []byte(changed))
	wantStatus(t, "import", res, http.StatusOK)
	if got := res.doc.text("#import-report"); !strings.Contains(got, "1 paragraph was imported.") {
		t.Errorf("import report %q", got)
	}
	bad := strings.Replace(changed, "msgctxt \""+segs[2].ID+"\"", "msgctxt \"s000000000000\"", 1)
	bad = strings.Replace(bad, "¡Viva la solidaridad!", "¡Otra cosa!", 1)
	res = c.upload(p+"/import", "file", "es.po", []byte(bad))
	wantStatus(t, "import rejected", res, http.StatusUnprocessableEntity)
	if got := res.doc.text("#import-report"); !strings.Contains(got, "Nothing was applied: 1 unit was rejected.") || !strings.Contains(got, "s000000000000") {
		t.Errorf("rejection report %q", got)
	}
	res = c.upload(p+"/import", "file", "es.xlf", []byte("<xliff version=\"2.0\"></xliff>"))
	wantStatus(t, "xliff 2", res, http.StatusUnprocessableEntity)
	if got := res.doc.text("#f-file-error"); !strings.Contains(got, "XLIFF 2.0") {
		t.Errorf("xliff 2 error %q", got)
	}
	tv, _ = e.docs.Translation(ctx, e.admin, d.ID, "es")
	if got := tv.Translation.Segments[2].Target; got != "¡Viva la solidaridad!" {
		t.Errorf("after the imports segment 3 is %q", got)
	}

	// Translation memory: a second text with a paragraph already translated.
	d2 := e.newResolution(t, "Greetings to the congress", "We greet the congress.\n\nSolidarity forever.")
	e.setStatus(t, d2.ID, concord.DocCirculating)
	p2 := "/documents/" + d2.ID + "/translate/es"
	wantStatus(t, "start 2", c.post(p2+"/start", url.Values{}), http.StatusSeeOther)
	res = c.get(p2)
	seg2 := concord.Segments("We greet the congress.\n\nSolidarity forever.")[1]
	use := res.doc.first(`#row-` + seg2.ID + ` .suggestions button`)
	if use == nil || attrOf(use, "value") != "¡Viva la solidaridad!" || attrOf(use, "data-fill") != "f-t-"+seg2.ID {
		t.Fatalf("no memory suggestion for the repeated paragraph:\n%s", res.doc.text("#row-"+seg2.ID))
	}
	wantStatus(t, "use suggestion", c.post(p2, editorForm(res, attrOf(use, "name"), attrOf(use, "value"))), http.StatusSeeOther)
	tv, _ = e.docs.Translation(ctx, e.admin, d2.ID, "es")
	if sg := tv.Translation.Segments[1]; sg.Target != "¡Viva la solidaridad!" || sg.State != concord.SegTranslated {
		t.Errorf("suggestion not taken: %+v", sg)
	}

	// A new version makes the translation outdated; starting again keeps unchanged paragraphs.
	if _, err := e.docs.SaveText(ctx, e.admin, d.ID, "Resolution on 8 March", resolutionBody+"\n\nLong live the 8th of March!", "closing line"); err != nil {
		t.Fatal(err)
	}
	res = c.get(p)
	if res.doc.first("#outdated") == nil || !strings.Contains(res.doc.text(".source-diff .diff ins"), "Long live the 8th of March!") {
		t.Errorf("no outdated banner with the source diff")
	}
	res = c.post(p+"/start", url.Values{})
	if res.status != http.StatusSeeOther || !strings.Contains(res.header.Get("Location"), "since=1") {
		t.Fatalf("restart: %d %q", res.status, res.header.Get("Location"))
	}
	res = c.get(res.header.Get("Location"))
	if !strings.Contains(res.doc.text(".source-diff summary"), "since version 1") || res.doc.text("#f-t-"+segs[0].ID) == "" {
		t.Errorf("restarted editor: %q / %q", res.doc.text(".source-diff summary"), res.doc.text("#f-t-"+segs[0].ID))
	}
}

// TestGlossaryPages adds, edits, exports, imports and deletes glossary terms through the
// forms, as federation staff; a file with a bad line changes nothing and says which line.
func TestGlossaryPages(t *testing.T) {
	t.Parallel()
	e := newEnv(t, true)
	ctx := context.Background()
	c := e.client(t)
	c.login("admin", adminPassword)
	res := c.post("/glossary/new", url.Values{"concept": {"day of struggle"}, "note": {"2019 conference"},
		"w_lang": {"es", "de", ""}, "w_adopted": {"jornada de lucha\r\ndía de lucha", "Kampftag", ""}, "w_forbidden": {"lucha libre", "", ""}})
	wantStatus(t, "create term", res, http.StatusSeeOther)
	terms, _ := e.docs.Glossary(ctx, e.admin)
	if len(terms) != 1 || len(terms[0].Adopted["es"]) != 2 || terms[0].Forbidden["es"][0] != "lucha libre" || terms[0].Adopted["de"][0] != "Kampftag" {
		t.Fatalf("term stored as %+v", terms)
	}
	id := terms[0].ID
	res = c.get("/glossary")
	if got := res.doc.text("#term-" + id); !strings.Contains(got, "jornada de lucha, día de lucha") || !strings.Contains(got, "Forbidden: lucha libre") {
		t.Errorf("glossary row: %q", got)
	}
	res = c.get("/glossary/" + id + "/edit")
	if got := res.doc.text("#f-adopted-es"); got != "jornada de lucha día de lucha" {
		t.Errorf("edit form adopted es: %q", got)
	}
	wantStatus(t, "edit term", c.post("/glossary/"+id+"/edit", url.Values{"concept": {"day of struggle"}, "w_lang": {"es"},
		"w_adopted": {"jornada de lucha"}, "w_forbidden": {"lucha libre\ndía de lucha libre"}}), http.StatusSeeOther)
	csv := c.get("/glossary/export.csv")
	wantStatus(t, "export", csv, http.StatusOK)
	if !strings.Contains(csv.header.Get("Content-Disposition"), "glossary.csv") || !strings.Contains(csv.body, "day of struggle,,es,jornada de lucha,lucha libre|día de lucha libre") {
		t.Errorf("export: %v\n%s", csv.header, csv.body)
	}
	res = c.upload("/glossary/import", "file", "g.csv", []byte("concept,note,lang,adopted,forbidden\nworkers' control,,es,control obrero,\nstrike,,es,huelga,huelga\n"))
	wantStatus(t, "bad import", res, http.StatusUnprocessableEntity)
	if got := res.doc.text("#error-summary"); !strings.Contains(got, "Line 3 of the file is not valid. Nothing was imported.") || !strings.Contains(got, "is both adopted and forbidden") {
		t.Errorf("bad import summary: %q", got)
	}
	res = c.upload("/glossary/import", "file", "g.csv", []byte("not,a,glossary\n"))
	wantStatus(t, "malformed import", res, http.StatusUnprocessableEntity)
	if got := res.doc.text("#f-file-error"); !strings.Contains(got, "line 1") {
		t.Errorf("malformed import: %q", got)
	}
	if terms, _ := e.docs.Glossary(ctx, e.admin); len(terms) != 1 {
		t.Errorf("a refused import changed the glossary: %d terms", len(terms))
	}
	wantStatus(t, "import", c.upload("/glossary/import", "file", "g.csv", []byte("\ufeffconcept,note,lang,adopted,forbidden\nworkers' control,,es,control obrero,\n")), http.StatusSeeOther)
	wantStatus(t, "delete", c.post("/glossary/"+id+"/delete", url.Values{}), http.StatusSeeOther)
	terms, _ = e.docs.Glossary(ctx, e.admin)
	if len(terms) != 1 || terms[0].Concept != "workers' control" {
		t.Errorf("after import and delete: %+v", terms)
	}
	if n := len(c.get("/glossary").doc.all("table.terms tbody tr")); n != 1 {
		t.Errorf("%d rows listed", n)
	}
}

// TestSearchAndEngines finds texts in any language with filters, and lists the engines.
func TestSearchAndEngines(t *testing.T) {
	t.Parallel()
	e := newEnv(t, true, fakeEngine{})
	ctx := context.Background()
	d := e.newResolution(t, "Resolution on 8 March", resolutionBody)
	e.setStatus(t, d.ID, concord.DocCirculating)
	if _, err := e.docs.StartTranslation(ctx, e.admin, d.ID, "es"); err != nil {
		t.Fatal(err)
	}
	if _, err := e.docs.SaveSegments(ctx, e.admin, d.ID, "es", "Resolución sobre el 8 de marzo", nil); err != nil {
		t.Fatal(err)
	}
	c := e.client(t)
	c.login("admin", adminPassword)
	for _, tt := range []struct {
		query string
		want  int
	}{
		{"/search?q=struggle", 1},
		{"/search?q=marzo", 1},
		{"/search?q=marzo&lang=en", 0},
		{"/search?q=struggle&kind=statement", 0},
		{"/search?q=struggle&status=circulating&year=" + strconv.Itoa(time.Now().Year()), 1},
		{"/search?q=struggle&year=1999", 0},
	} {
		res := c.get(tt.query)
		wantStatus(t, tt.query, res, http.StatusOK)
		if got := len(res.doc.all(`table tbody a[href="/documents/` + d.ID + `"]`)); got != tt.want {
			t.Errorf("%s: %d results, want %d", tt.query, got, tt.want)
		}
	}
	res := c.get("/search?q=marzo")
	if got := res.doc.text("table tbody tr"); !strings.Contains(got, "Resolución sobre el 8 de marzo") || !strings.Contains(got, "Spanish (translation)") {
		t.Errorf("result row: %q", got)
	}
	res = c.get("/engines")
	if got := res.doc.text("main"); !strings.Contains(got, "Fake") || !strings.Contains(got, "English → Spanish") {
		t.Errorf("engines page: %q", got)
	}
}
