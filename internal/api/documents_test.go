package api

import (
	"bytes"
	"context"
	"mime/multipart"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"

	"concord"
	"concord/internal/po"
	"concord/internal/sqldb"
	"concord/internal/sqldb/sqldbtest"
	"concord/internal/xliff"
)

// docText is a three-paragraph source text in English.
const docText = "The federation calls for a day of struggle on 8 March.\n\nWe greet the workers of all countries.\n\nSolidarity forever."

// addPerson adds a person with a mandate of org in role (none when org is "") and a token.
func (w *world) addPerson(t *testing.T, name, org string, role concord.Role) {
	t.Helper()
	ctx := context.Background()
	now := w.clock.Now()
	p := &concord.Person{ID: concord.NewID(now), Login: strings.ToLower(name), DisplayName: name, CreatedAt: now}
	sqldbtest.Must(t, w.db.WithTx(ctx, func(tx *sqldb.Tx) error { return tx.InsertPerson(p, "") }))
	w.ids[name] = p.ID
	if org != "" {
		md := &concord.Mandate{PersonID: p.ID, OrgID: org, Role: role, ValidFrom: day("2026-01-01"), Reference: "letter"}
		sqldbtest.Must(t, w.members.CreateMandate(ctx, w.actor(t, "admin"), md))
		w.mandates[name] = md.ID
	}
	_, secret, err := w.auth.CreateToken(ctx, w.actor(t, name), "test")
	sqldbtest.Must(t, err)
	w.tokens[name] = secret
}

// newDocWorld is a world with a translator of organization B ("translatorB").
func newDocWorld(t *testing.T, db *sqldb.DB) *world {
	t.Helper()
	w := newWorld(t, db)
	w.addPerson(t, "translatorB", w.orgB, concord.RoleTranslator)
	return w
}

func docPath(id string, rest ...string) string {
	return Prefix + "/documents/" + id + strings.Join(rest, "")
}

// newDoc creates a document through the API as the named person.
func (w *world) newDoc(t *testing.T, as string, body map[string]any) documentDetailDTO {
	t.Helper()
	return ok[documentDetailDTO](t, w, http.StatusCreated, request{Method: "POST", Path: Prefix + "/documents", As: as, Body: body})
}

// bodyDoc creates a text of the Coordinating Committee (secretariat) with docText.
func (w *world) bodyDoc(t *testing.T, kind, visibility, title string) documentDetailDTO {
	t.Helper()
	return w.newDoc(t, "secretariat", map[string]any{"kind": kind, "visibility": visibility, "issuer_body": "Coordinating Committee",
		"source_lang": "en", "title": title, "body": docText})
}

// moveTo changes a document's status through each of statuses in turn.
func (w *world) moveTo(t *testing.T, as, id string, statuses ...string) documentDetailDTO {
	t.Helper()
	var d documentDetailDTO
	for _, s := range statuses {
		d = ok[documentDetailDTO](t, w, 200, request{Method: "POST", Path: docPath(id, "/status"), As: as, Body: map[string]any{"status": s}})
	}
	return d
}

// multipartFile returns a multipart/form-data body with content in part field, and its
// Content-Type.
func multipartFile(t *testing.T, field, name string, content []byte) ([]byte, string) {
	t.Helper()
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	sqldbtest.Must(t, mw.WriteField("comment", "sent by a test"))
	fw, err := mw.CreateFormFile(field, name)
	sqldbtest.Must(t, err)
	_, err = fw.Write(content)
	sqldbtest.Must(t, err)
	sqldbtest.Must(t, mw.Close())
	return buf.Bytes(), mw.FormDataContentType()
}

// joinDiff rebuilds the old (equal and delete runs) and new (equal and insert runs) texts.
func joinDiff(ops []diffOpDTO) (before, after string) {
	var a, b strings.Builder
	for _, op := range ops {
		if op.Op != "insert" {
			a.WriteString(op.Text)
		}
		if op.Op != "delete" {
			b.WriteString(op.Text)
		}
	}
	return a.String(), b.String()
}

func TestDocumentLifecycle(t *testing.T) {
	t.Parallel()
	sqldbtest.ForEach(t, func(t *testing.T, db *sqldb.DB) {
		w := newDocWorld(t, db)
		res := w.do(t, request{Method: "POST", Path: Prefix + "/documents", As: "secretariat", Body: map[string]any{"kind": "resolution",
			"visibility": "public", "issuer_body": " Coordinating Committee ", "source_lang": "EN", "title": "On 8 March", "body": docText}})
		if res.Status != 201 {
			t.Fatalf("create: %d %s", res.Status, res.Body)
		}
		d := ok[documentDetailDTO](t, w, 200, request{Method: "GET", Path: res.Header.Get("Location"), As: "secretariat"})
		if d.Status != "draft" || d.Version != 1 || d.SourceLang != "en" || d.IssuerBody != "Coordinating Committee" || d.IssuerOrgID != nil ||
			d.Body != docText || d.Hash != concord.VersionHash("On 8 March", docText) || *d.CreatedBy != w.ids["secretariat"] ||
			!slices.Equal(d.NextStatuses, []string{"circulating", "withdrawn"}) || d.PublishedAt != nil {
			t.Fatalf("created document %+v", d)
		}
		id := d.ID

		// Drafts are for their editors: not for members, not for anonymous callers.
		for as, want := range map[string]int{"delegateA": 404, "outsider": 404, "": 401, "coordinator": 200, "admin": 200} {
			if res := w.do(t, request{Method: "GET", Path: docPath(id), As: as}); res.Status != want {
				t.Errorf("GET draft as %q: %d, want %d", as, res.Status, want)
			}
		}

		d = ok[documentDetailDTO](t, w, 200, request{Method: "PATCH", Path: docPath(id), As: "secretariat",
			Body: map[string]any{"occasion": "International Women's Day", "recipient": nil}})
		if d.Occasion != "International Women's Day" || d.Visibility != "public" || d.IssuerBody != "Coordinating Committee" {
			t.Errorf("patched %+v", d)
		}

		// A draft is edited in place.
		amended := docText + "\n\nAmended."
		v := ok[versionDetailDTO](t, w, 200, request{Method: "PUT", Path: docPath(id, "/text"), As: "secretariat",
			Body: map[string]any{"title": "On 8 March", "body": amended, "summary": "typo"}})
		if v.Number != 1 || v.Body != amended || v.Summary != "typo" || !strings.Contains(v.HTML, ">Amended.</p>") ||
			v.Hash != concord.VersionHash("On 8 March", amended) {
			t.Errorf("draft save: %+v", v)
		}

		d = w.moveTo(t, "secretariat", id, "circulating")
		if d.Status != "circulating" || !slices.Equal(d.NextStatuses, []string{"adopted", "withdrawn"}) {
			t.Errorf("circulated: %+v", d)
		}
		// Members read circulated texts.
		ok[documentDetailDTO](t, w, 200, request{Method: "GET", Path: docPath(id), As: "delegateA"})

		// A circulated text gets a new version; the same text again changes nothing.
		second := strings.Replace(amended, "Solidarity forever.", "Solidarity forever and ever.", 1)
		for range 2 {
			v = ok[versionDetailDTO](t, w, 200, request{Method: "PUT", Path: docPath(id, "/text"), As: "secretariat",
				Body: map[string]any{"title": "On the 8th of March", "body": second, "summary": "second reading"}})
			if v.Number != 2 || v.Title != "On the 8th of March" || v.Body != second {
				t.Fatalf("second version: %+v", v)
			}
		}
		vs := ok[listOf[versionDTO]](t, w, 200, request{Method: "GET", Path: docPath(id, "/versions"), As: "delegateA"})
		if len(vs.Items) != 2 || vs.Items[0].Number != 1 || vs.Items[1].Number != 2 || vs.Items[1].Summary != "second reading" {
			t.Errorf("versions %+v", vs)
		}
		v1 := ok[versionDetailDTO](t, w, 200, request{Method: "GET", Path: docPath(id, "/versions/1"), As: "delegateA"})
		if v1.Body != amended || v1.Title != "On 8 March" {
			t.Errorf("version 1: %+v", v1)
		}
		for _, n := range []string{"3", "0", "-1", "x", "99999999999"} {
			if res := w.do(t, request{Method: "GET", Path: docPath(id, "/versions/"+n), As: "delegateA"}); res.Status != 404 {
				t.Errorf("version %s: %d", n, res.Status)
			}
		}
		diff := ok[versionDiffDTO](t, w, 200, request{Method: "GET", Path: docPath(id, "/diff?from=1&to=2"), As: "delegateA"})
		if a, b := joinDiff(diff.Body); a != amended || b != second {
			t.Errorf("body diff does not rebuild the texts: %q / %q", a, b)
		}
		if a, b := joinDiff(diff.Title); a != "On 8 March" || b != "On the 8th of March" || !slices.ContainsFunc(diff.Body, func(op diffOpDTO) bool {
			return op.Op == "insert" && strings.Contains(op.Text, "and")
		}) {
			t.Errorf("diff %+v", diff)
		}
		if res := w.do(t, request{Method: "GET", Path: docPath(id, "/diff?from=1&to=7"), As: "delegateA"}); res.Status != 404 {
			t.Errorf("diff to a missing version: %d", res.Status)
		}

		// Published public texts are for everyone.
		d = w.moveTo(t, "secretariat", id, "adopted", "published")
		if d.PublishedAt == nil || d.Status != "published" {
			t.Fatalf("published %+v", d)
		}
		anon := ok[documentDetailDTO](t, w, 200, request{Method: "GET", Path: docPath(id)})
		if anon.Body != second || anon.Version != 2 {
			t.Errorf("anonymous read %+v", anon)
		}
		ok[listOf[versionDTO]](t, w, 200, request{Method: "GET", Path: docPath(id, "/versions")})
		ok[versionDiffDTO](t, w, 200, request{Method: "GET", Path: docPath(id, "/diff?from=1&to=2")})
		for query, want := range map[string]bool{"": true, "?kind=resolution&status=published": true, "?kind=statement": false,
			"?year=2026": true, "?year=2025": false, "?status=draft": false, "?limit=1&offset=1": false} {
			l := ok[listOf[documentDTO]](t, w, 200, request{Method: "GET", Path: Prefix + "/documents" + query})
			if got := slices.ContainsFunc(l.Items, func(x documentDTO) bool { return x.ID == id }); got != want {
				t.Errorf("anonymous list%s: found %v, want %v", query, got, want)
			}
		}
		hits := ok[listOf[searchHitDTO]](t, w, 200, request{Method: "GET", Path: Prefix + "/search?q=solidarity+EVER"})
		if len(hits.Items) != 1 || hits.Items[0].DocumentID != id || hits.Items[0].Lang != "en" || hits.Items[0].Kind != "resolution" ||
			hits.Items[0].Status != "published" || hits.Items[0].PublishedAt == nil {
			t.Errorf("search: %+v", hits)
		}

		// Withdrawn texts are closed.
		w.moveTo(t, "secretariat", id, "withdrawn")
		res = w.do(t, request{Method: "PUT", Path: docPath(id, "/text"), As: "secretariat", Body: map[string]any{"title": "T", "body": "B"}})
		if e := apiError(t, res); res.Status != 409 || e.Code != "conflict" || e.Message != "Withdrawn and superseded texts can no longer be edited." {
			t.Errorf("edit a withdrawn text: %d %+v", res.Status, e)
		}
	})
}

func TestOrganizationDocument(t *testing.T) {
	t.Parallel()
	sqldbtest.ForEach(t, func(t *testing.T, db *sqldb.DB) {
		w := newDocWorld(t, db)
		d := w.newDoc(t, "delegateA", map[string]any{"kind": "greeting", "issuer_org_id": w.orgA, "source_lang": "de",
			"occasion": "Jubiläum", "recipient": "Organization B", "title": "Grußwort", "body": "Wir grüßen euch."})
		if d.IssuerOrgID == nil || *d.IssuerOrgID != w.orgA || d.Visibility != "internal" || !slices.Contains(d.NextStatuses, "published") {
			t.Fatalf("greeting %+v", d)
		}
		// A greeting may be published directly; circular letters get a number.
		d = w.moveTo(t, "orgAdminA", d.ID, "published")
		if d.Status != "published" || d.Number != "" {
			t.Errorf("published greeting %+v", d)
		}
		l := w.bodyDoc(t, "circular_letter", "internal", "Circular")
		l2 := w.moveTo(t, "secretariat", l.ID, "circulating")
		if l2.Number != "1/2026" {
			t.Errorf("circular letter number %q", l2.Number)
		}
		// The internal greeting is for members only, though published.
		if res := w.do(t, request{Method: "GET", Path: docPath(d.ID)}); res.Status != 401 {
			t.Errorf("anonymous reads an internal greeting: %d", res.Status)
		}
		ok[documentDetailDTO](t, w, 200, request{Method: "GET", Path: docPath(d.ID), As: "delegateB"})
		l3 := ok[listOf[documentDTO]](t, w, 200, request{Method: "GET", Path: Prefix + "/documents?issuer_org_id=" + w.orgA, As: "delegateB"})
		if len(l3.Items) != 1 || l3.Items[0].ID != d.ID {
			t.Errorf("list by issuer: %+v", l3)
		}
	})
}

func TestAttachments(t *testing.T) {
	t.Parallel()
	sqldbtest.ForEach(t, func(t *testing.T, db *sqldb.DB) {
		w := newDocWorld(t, db)
		d := w.bodyDoc(t, "statement", "public", "Statement")
		pdf := []byte("%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n")
		body, ct := multipartFile(t, "file", `C:\Users\x\Erklärung "final".pdf`, pdf)
		res := w.do(t, request{Method: "POST", Path: docPath(d.ID, "/attachments"), As: "secretariat", Body: body, Header: map[string]string{"Content-Type": ct}})
		if res.Status != 201 {
			t.Fatalf("attach: %d %s", res.Status, res.Body)
		}
		att := ok[listOf[attachmentDTO]](t, w, 200, request{Method: "GET", Path: docPath(d.ID, "/attachments"), As: "secretariat"})
		if len(att.Items) != 1 || att.Items[0].Name != `Erklärung "final".pdf` || att.Items[0].MediaType != "application/pdf" ||
			att.Items[0].Size != int64(len(pdf)) || len(att.Items[0].SHA256) != 64 || res.Header.Get("Location") != docPath(d.ID, "/attachments/"+att.Items[0].ID) {
			t.Fatalf("attachments %+v, Location %s", att, res.Header.Get("Location"))
		}
		get := func(as string) response {
			return w.do(t, request{Method: "GET", Path: res.Header.Get("Location"), As: as})
		}
		file := get("secretariat")
		if file.Status != 200 || !bytes.Equal(file.Body, pdf) || file.Header.Get("Content-Type") != "application/pdf" ||
			!strings.HasPrefix(file.Header.Get("Content-Disposition"), "attachment;") || file.Header.Get("X-Content-Type-Options") != "nosniff" {
			t.Errorf("download: %d %v", file.Status, file.Header)
		}
		for as, want := range map[string]int{"": 401, "delegateB": 404} {
			if res := get(as); res.Status != want {
				t.Errorf("download of a draft's attachment as %q: %d, want %d", as, res.Status, want)
			}
		}
		if res := w.do(t, request{Method: "GET", Path: docPath(d.ID, "/attachments/"+concord.NewID(start)), As: "secretariat"}); res.Status != 404 {
			t.Errorf("unknown attachment: %d", res.Status)
		}
		w.moveTo(t, "secretariat", d.ID, "published")
		if res := get(""); res.Status != 200 || !bytes.Equal(res.Body, pdf) {
			t.Errorf("anonymous download of a published attachment: %d", res.Status)
		}
		// The same content twice is stored once.
		body, ct = multipartFile(t, "file", "copy.pdf", pdf)
		ok[attachmentDTO](t, w, 201, request{Method: "POST", Path: docPath(d.ID, "/attachments"), As: "secretariat", Body: body, Header: map[string]string{"Content-Type": ct}})
		if n := w.snapshot(t).StoredFiles; n != 1 {
			t.Errorf("%d stored files, want 1", n)
		}
	})
}

// glossaryTerm adds the day of struggle to the glossary: "lucha libre" is forbidden in Spanish.
func (w *world) glossaryTerm(t *testing.T) glossaryTermDTO {
	t.Helper()
	return ok[glossaryTermDTO](t, w, 201, request{Method: "POST", Path: Prefix + "/glossary", As: "secretariat", Body: map[string]any{
		"concept": "day of struggle", "note": "never 'wrestling day'",
		"adopted":   map[string][]string{"en": {"day of struggle"}, "ES": {"jornada de lucha"}},
		"forbidden": map[string][]string{"es": {"lucha libre"}}}})
}

func TestTranslationFlow(t *testing.T) {
	t.Parallel()
	sqldbtest.ForEach(t, func(t *testing.T, db *sqldb.DB) {
		w := newDocWorld(t, db)
		term := w.glossaryTerm(t)
		if !slices.Equal(term.Adopted["es"], []string{"jornada de lucha"}) {
			t.Fatalf("term %+v", term)
		}
		d := w.bodyDoc(t, "resolution", "public", "On 8 March")
		w.moveTo(t, "secretariat", d.ID, "circulating")
		es := docPath(d.ID, "/translations/es")

		tr := ok[translationDetailDTO](t, w, 200, request{Method: "POST", Path: docPath(d.ID, "/translations/ES"), As: "translatorB"})
		if tr.Lang != "es" || tr.Status != "draft" || tr.Version != 1 || tr.Outdated || tr.Provenance != "human" || len(tr.Segments) != 3 ||
			tr.SegmentsTotal != 3 || tr.SegmentsTranslated != 0 || tr.Complete || tr.SourceDiff != nil || *tr.TranslatorOrgID != w.orgB {
			t.Fatalf("started %+v", tr)
		}
		again := ok[translationDetailDTO](t, w, 200, request{Method: "POST", Path: es, As: "translatorB"})
		if again.ID != tr.ID {
			t.Errorf("starting again made a new translation")
		}
		seg := func(i int) string { return tr.Segments[i].SegmentID }
		patch := func(as string, body map[string]any) translationDetailDTO {
			t.Helper()
			return ok[translationDetailDTO](t, w, 200, request{Method: "PATCH", Path: es, As: as, Body: body})
		}
		bad := "La federación convoca una lucha libre el 8 de marzo."
		tr = patch("translatorB", map[string]any{"title": "Sobre el 8 de marzo", "segments": []map[string]any{
			{"segment_id": seg(0), "target": bad}, {"segment_id": seg(1), "target": "Saludamos a los trabajadores de todos los países.", "reviewed": true}}})
		if tr.Title != "Sobre el 8 de marzo" || tr.SegmentsTranslated != 2 || tr.Segments[1].State != "reviewed" || tr.Segments[0].State != "translated" {
			t.Fatalf("patched %+v", tr)
		}
		vs := tr.Segments[0].Violations
		if i := slices.IndexFunc(vs, func(v violationDTO) bool { return v.Kind == "forbidden" }); i < 0 || vs[i].TermID != term.ID ||
			bad[vs[i].Start:vs[i].End] != "lucha libre" {
			t.Errorf("violations of segment 0: %+v", vs)
		}
		if len(tr.Segments[1].Violations) != 0 || len(tr.TitleViolations) != 0 {
			t.Errorf("unexpected violations: %+v / %+v", tr.Segments[1].Violations, tr.TitleViolations)
		}
		// Anonymous callers read translations of public texts only once published.
		if res := w.do(t, request{Method: "GET", Path: es}); res.Status != 401 {
			t.Errorf("anonymous read of a circulating text's translation: %d", res.Status)
		}

		final := func(as string, body map[string]any) response {
			return w.do(t, request{Method: "POST", Path: es + "/final", As: as, Body: body})
		}
		if res := final("translatorB", map[string]any{}); res.Status != 422 || apiError(t, res).Message != "Translate the title and every paragraph first." {
			t.Errorf("final while incomplete: %d %s", res.Status, res.Body)
		}
		patch("translatorB", map[string]any{"segments": []map[string]any{{"segment_id": seg(2), "target": "¡Solidaridad para siempre!"}}})
		res := final("translatorB", map[string]any{})
		if e := apiError(t, res); res.Status != 422 || !strings.Contains(e.Message, "violations: 2") || len(e.Fields) != 0 {
			t.Errorf("final with violations: %d %s", res.Status, res.Body)
		}
		if res := final("translatorB", map[string]any{"override_reason": "quoted from 2019"}); res.Status != 403 {
			t.Errorf("a translator overrides the glossary: %d %s", res.Status, res.Body)
		}
		tr = ok[translationDetailDTO](t, w, 200, request{Method: "POST", Path: es + "/final", As: "secretariat", Body: map[string]any{"override_reason": "quoted from 2019"}})
		if tr.Status != "final" || tr.OverrideReason != "quoted from 2019" || *tr.TranslatorID != w.ids["secretariat"] || !tr.Complete {
			t.Errorf("final with override %+v", tr)
		}
		// Correcting it returns it to draft; then it is final without an override.
		tr = patch("translatorB", map[string]any{"segments": []map[string]any{{"segment_id": seg(0), "target": "La federación convoca una jornada de lucha el 8 de marzo."}}})
		if tr.Status != "draft" || len(tr.Segments[0].Violations) != 0 {
			t.Errorf("after the correction %+v", tr)
		}
		tr = ok[translationDetailDTO](t, w, 200, request{Method: "POST", Path: es + "/final", As: "translatorB", Body: map[string]any{}})
		if tr.Status != "final" || tr.OverrideReason != "" {
			t.Errorf("final %+v", tr)
		}

		// Translation memory: the same paragraph in another text.
		other := w.newDoc(t, "secretariat", map[string]any{"kind": "statement", "issuer_body": "Secretariat", "source_lang": "en",
			"title": "Greetings", "body": "We greet the workers of all countries.\n\nNew paragraph."})
		w.moveTo(t, "secretariat", other.ID, "circulating")
		otherSeg := concord.Segments(other.Body)[0].ID
		sugg := ok[listOf[suggestionDTO]](t, w, 200, request{Method: "GET", Path: docPath(other.ID, "/translations/es/suggestions?segment_id="+otherSeg), As: "translatorB"})
		if len(sugg.Items) == 0 || sugg.Items[0].Text != "Saludamos a los trabajadores de todos los países." || sugg.Items[0].Score != 1 ||
			sugg.Items[0].Kind != "memory" || sugg.Items[0].Origin != "On 8 March" {
			t.Errorf("suggestions %+v", sugg)
		}

		// A new version makes the translation outdated; starting again carries targets over.
		changed := strings.Replace(docText, "Solidarity forever.", "Solidarity for ever and ever.", 1)
		ok[versionDetailDTO](t, w, 200, request{Method: "PUT", Path: docPath(d.ID, "/text"), As: "secretariat", Body: map[string]any{"title": "On 8 March", "body": changed}})
		tr = ok[translationDetailDTO](t, w, 200, request{Method: "GET", Path: es, As: "delegateA"})
		if !tr.Outdated || tr.Version != 1 || tr.SourceDiff == nil {
			t.Fatalf("outdated %+v", tr)
		}
		if a, b := joinDiff(tr.SourceDiff); a != docText || b != changed {
			t.Errorf("source diff does not rebuild the bodies")
		}
		list := ok[listOf[translationDTO]](t, w, 200, request{Method: "GET", Path: docPath(d.ID, "/translations"), As: "delegateA"})
		if len(list.Items) != 1 || !list.Items[0].Outdated || list.Items[0].Status != "final" {
			t.Errorf("list %+v", list)
		}
		tr = ok[translationDetailDTO](t, w, 200, request{Method: "POST", Path: es, As: "translatorB"})
		if tr.Outdated || tr.Version != 2 || tr.Status != "draft" || tr.SegmentsTranslated != 2 || tr.Segments[2].State != "untranslated" {
			t.Errorf("restarted %+v", tr)
		}

		// Without engines, machine translation is refused; the engine list is empty.
		res = w.do(t, request{Method: "POST", Path: es + "/machine", As: "translatorB", Body: map[string]any{}})
		if e := apiError(t, res); res.Status != 422 || e.Message != "No machine translation engine translates from en to es." {
			t.Errorf("machine without engines: %d %s", res.Status, res.Body)
		}
		if l := ok[listOf[engineDTO]](t, w, 200, request{Method: "GET", Path: Prefix + "/engines", As: "translatorB"}); len(l.Items) != 0 {
			t.Errorf("engines %+v", l)
		}
	})
}

// xliffOf exports the translation at path as XLIFF and parses it.
func (w *world) xliffOf(t *testing.T, path, as string) xliff.File {
	t.Helper()
	res := w.do(t, request{Method: "GET", Path: path + "/xliff", As: as})
	if res.Status != 200 || !strings.HasPrefix(res.Header.Get("Content-Type"), "application/x-xliff+xml") {
		t.Fatalf("export: %d %s %s", res.Status, res.Header.Get("Content-Type"), res.Body)
	}
	f, err := xliff.Read(bytes.NewReader(res.Body))
	sqldbtest.Must(t, err)
	return f
}

func xliffBytes(t *testing.T, f xliff.File) []byte {
	t.Helper()
	var buf bytes.Buffer
	sqldbtest.Must(t, xliff.Write(&buf, f))
	return buf.Bytes()
}

func TestExchangeRoundTrip(t *testing.T) {
	t.Parallel()
	sqldbtest.ForEach(t, func(t *testing.T, db *sqldb.DB) {
		w := newDocWorld(t, db)
		d := w.bodyDoc(t, "resolution", "public", "On 8 March")
		w.moveTo(t, "secretariat", d.ID, "circulating")
		fr := docPath(d.ID, "/translations/fr")

		// XLIFF: export (which starts the translation), translate in a CAT tool, import.
		f := w.xliffOf(t, fr, "translatorB")
		if f.TargetLang != "fr" || f.SourceLang != "en" || len(f.Units) != 4 || f.Units[0].ID != "title" {
			t.Fatalf("exported %+v", f)
		}
		for i := range f.Units {
			f.Units[i].Target, f.Units[i].State = "FR: "+f.Units[i].Source, xliff.StateTranslated
		}
		f.Units[3].State = xliff.StateFinal
		report := ok[importReportDTO](t, w, 200, request{Method: "PUT", Path: fr + "/xliff", As: "translatorB", Body: xliffBytes(t, f),
			Header: map[string]string{"Content-Type": "application/x-xliff+xml; charset=utf-8"}})
		if !report.Applied || len(report.Accepted) != 3 || len(report.Rejected) != 0 {
			t.Fatalf("import report %+v", report)
		}
		tr := ok[translationDetailDTO](t, w, 200, request{Method: "GET", Path: fr, As: "translatorB"})
		if tr.Title != "FR: On 8 March" || tr.Segments[0].Target != "FR: "+tr.Segments[0].Source || tr.Segments[0].State != "translated" ||
			tr.Segments[2].State != "reviewed" {
			t.Errorf("after the XLIFF import %+v", tr)
		}
		// Importing the same file again changes nothing.
		report = ok[importReportDTO](t, w, 200, request{Method: "PUT", Path: fr + "/xliff", As: "translatorB", Body: xliffBytes(t, f),
			Header: map[string]string{"Content-Type": "application/x-xliff+xml"}})
		if report.Applied || report.Unchanged != 3 {
			t.Errorf("second import %+v", report)
		}

		// PO, sent as multipart/form-data.
		res := w.do(t, request{Method: "GET", Path: fr + "/po", As: "translatorB"})
		if res.Status != 200 || !strings.HasPrefix(res.Header.Get("Content-Type"), "text/x-gettext-translation") {
			t.Fatalf("PO export: %d %v", res.Status, res.Header)
		}
		pf, err := po.Read(bytes.NewReader(res.Body))
		sqldbtest.Must(t, err)
		for i := range pf.Entries {
			if pf.Entries[i].Context != "title" {
				pf.Entries[i].Str = "PO: " + pf.Entries[i].ID
			}
		}
		var buf bytes.Buffer
		sqldbtest.Must(t, po.Write(&buf, pf))
		body, ct := multipartFile(t, "file", "fr.po", buf.Bytes())
		report = ok[importReportDTO](t, w, 200, request{Method: "PUT", Path: fr + "/po", As: "translatorB", Body: body, Header: map[string]string{"Content-Type": ct}})
		if !report.Applied || len(report.Accepted) != 3 {
			t.Fatalf("PO import %+v", report)
		}
		tr = ok[translationDetailDTO](t, w, 200, request{Method: "GET", Path: fr, As: "translatorB"})
		if tr.Segments[1].Target != "PO: "+tr.Segments[1].Source || tr.Title != "FR: On 8 March" {
			t.Errorf("after the PO import %+v", tr)
		}

		// A unit that is not a segment of this version: nothing is applied, every unit is
		// reported, in the caller's language.
		f = w.xliffOf(t, fr, "translatorB")
		f.Units[1].ID, f.Units[1].Target = "s000000000000", "stray"
		f.Units[2].Source, f.Units[2].Target = "Another source", "autre"
		f.Units[3].Target = "changed"
		before := w.snapshot(t)
		report = ok[importReportDTO](t, w, 200, request{Method: "PUT", Path: fr + "/xliff", As: "translatorB", Body: xliffBytes(t, f),
			Header: map[string]string{"Content-Type": "application/xliff+xml", "Accept-Language": "de"}})
		if report.Applied || len(report.Accepted) != 0 || len(report.Rejected) != 2 || report.Rejected[0].Code != "error.unknown_segment" ||
			report.Rejected[0].Message != "„s000000000000“ ist kein Absatz der aktuellen Fassung." || report.Rejected[1].Code != "error.source_changed" ||
			strings.Contains(report.Rejected[1].Message, "{") {
			t.Errorf("rejected import %+v", report)
		}
		w.unchanged(t, before)

		// A file of another version is refused whole.
		old := xliffBytes(t, w.xliffOf(t, fr, "translatorB"))
		ok[versionDetailDTO](t, w, 200, request{Method: "PUT", Path: docPath(d.ID, "/text"), As: "secretariat", Body: map[string]any{"title": "On 8 March", "body": docText + "\n\nMore."}})
		ok[translationDetailDTO](t, w, 200, request{Method: "POST", Path: fr, As: "translatorB"})
		before = w.snapshot(t)
		res = w.do(t, request{Method: "PUT", Path: fr + "/xliff", As: "translatorB", Body: old, Header: map[string]string{"Content-Type": "application/x-xliff+xml"}})
		if e := apiError(t, res); res.Status != 422 || e.Code != "invalid" || !strings.Contains(e.Message, "another version") {
			t.Errorf("import of another version: %d %s", res.Status, res.Body)
		}
		// …and so is a file for another language.
		res = w.do(t, request{Method: "PUT", Path: docPath(d.ID, "/translations/es/xliff"), As: "translatorB", Body: old, Header: map[string]string{"Content-Type": "text/xml"}})
		if e := apiError(t, res); res.Status != 422 || e.Message != "The file is for another language (fr)." {
			t.Errorf("import for another language: %d %s", res.Status, res.Body)
		}
		w.unchanged(t, before)
	})
}

func TestGlossaryRoutes(t *testing.T) {
	t.Parallel()
	sqldbtest.ForEach(t, func(t *testing.T, db *sqldb.DB) {
		w := newDocWorld(t, db)
		term := w.glossaryTerm(t)
		l := ok[listOf[glossaryTermDTO]](t, w, 200, request{Method: "GET", Path: Prefix + "/glossary", As: "delegateA"})
		if len(l.Items) != 1 || l.Items[0].ID != term.ID || l.Items[0].Note != "never 'wrestling day'" {
			t.Fatalf("glossary %+v", l)
		}
		term = ok[glossaryTermDTO](t, w, 200, request{Method: "PUT", Path: Prefix + "/glossary/" + term.ID, As: "coordinator", Body: map[string]any{
			"concept": "day of struggle", "adopted": map[string][]string{"es": {"jornada de lucha", "jornada de lucha"}},
			"forbidden": map[string][]string{"es": {"lucha libre"}, "de": {"Ringkampftag"}}}})
		if term.Note != "" || !slices.Equal(term.Adopted["es"], []string{"jornada de lucha"}) || len(term.Forbidden) != 2 {
			t.Errorf("replaced %+v", term)
		}
		if res := w.do(t, request{Method: "PUT", Path: Prefix + "/glossary/" + concord.NewID(start), As: "coordinator",
			Body: map[string]any{"concept": "x"}}); res.Status != 404 {
			t.Errorf("replace an unknown term: %d", res.Status)
		}
		text := "Am Ringkampftag und am RINGKAMPFTAG."
		vs := ok[listOf[violationDTO]](t, w, 200, request{Method: "POST", Path: Prefix + "/glossary/check", As: "delegateA", Body: map[string]any{"lang": "DE-at", "text": text}})
		if len(vs.Items) != 2 || text[vs.Items[1].Start:vs.Items[1].End] != "RINGKAMPFTAG" || vs.Items[0].Kind != "forbidden" {
			t.Errorf("check %+v", vs)
		}

		// CSV out and in: the export imports back as the same glossary.
		res := w.do(t, request{Method: "GET", Path: Prefix + "/glossary.csv", As: "delegateA"})
		if res.Status != 200 || !strings.HasPrefix(res.Header.Get("Content-Type"), "text/csv") || !strings.HasPrefix(string(res.Body), "concept,note,lang,adopted,forbidden\n") {
			t.Fatalf("CSV export: %d %v %s", res.Status, res.Header, res.Body)
		}
		csv := string(res.Body) + "general strike,,es,huelga general,\n"
		imp := ok[glossaryImportDTO](t, w, 200, request{Method: "PUT", Path: Prefix + "/glossary.csv", As: "secretariat", Body: csv, Header: map[string]string{"Content-Type": "text/csv; charset=utf-8"}})
		if imp.Imported != 2 {
			t.Errorf("imported %d", imp.Imported)
		}
		l = ok[listOf[glossaryTermDTO]](t, w, 200, request{Method: "GET", Path: Prefix + "/glossary", As: "delegateA"})
		if len(l.Items) != 2 || l.Items[0].Concept != "day of struggle" || l.Items[0].ID != term.ID || l.Items[1].Adopted["es"][0] != "huelga general" {
			t.Errorf("after import %+v", l)
		}
		ok[struct{}](t, w, 204, request{Method: "DELETE", Path: Prefix + "/glossary/" + term.ID, As: "secretariat"})
		if res := w.do(t, request{Method: "DELETE", Path: Prefix + "/glossary/" + term.ID, As: "secretariat"}); res.Status != 404 {
			t.Errorf("delete twice: %d", res.Status)
		}
	})
}

// TestSearchVisibility checks that search never shows anonymous callers, or people without
// a role or mandate, a text they may not read, in any language.
func TestSearchVisibility(t *testing.T) {
	t.Parallel()
	sqldbtest.ForEach(t, func(t *testing.T, db *sqldb.DB) {
		w := newDocWorld(t, db)
		mk := func(visibility, title, word string, statuses ...string) string {
			d := w.newDoc(t, "secretariat", map[string]any{"kind": "statement", "visibility": visibility, "issuer_body": "Secretariat",
				"source_lang": "en", "title": title, "body": "A text about " + word + "."})
			w.moveTo(t, "secretariat", d.ID, statuses...)
			return d.ID
		}
		hidden := mk("internal", "Internal", "zanzibar", "published")
		draft := mk("public", "Draft", "zanzibar")
		circulating := mk("public", "Circulating", "zanzibar", "circulating")
		public := mk("public", "Public", "zanzibar", "published")
		// A French translation of the hidden text is indexed under fr.
		fr := docPath(hidden, "/translations/fr")
		tr := ok[translationDetailDTO](t, w, 200, request{Method: "POST", Path: fr, As: "translatorB"})
		ok[translationDetailDTO](t, w, 200, request{Method: "PATCH", Path: fr, As: "translatorB", Body: map[string]any{"title": "Interne",
			"segments": []map[string]any{{"segment_id": tr.Segments[0].SegmentID, "target": "Un texte sur zanzibar et quokka."}}}})

		search := func(as, query string) []string {
			t.Helper()
			l := ok[listOf[searchHitDTO]](t, w, 200, request{Method: "GET", Path: Prefix + "/search?" + query, As: as})
			var ids []string
			for _, h := range l.Items {
				ids = append(ids, h.DocumentID+"/"+h.Lang)
			}
			slices.Sort(ids)
			return ids
		}
		sorted := func(ids ...string) []string { slices.Sort(ids); return ids }
		for _, as := range []string{"", "outsider"} {
			if got := search(as, "q=zanzibar"); !slices.Equal(got, []string{public + "/en"}) {
				t.Errorf("search as %q: %v, want only the public text", as, got)
			}
			if got := search(as, "q=quokka&lang=fr"); len(got) != 0 {
				t.Errorf("search as %q finds the hidden translation: %v", as, got)
			}
			if got := search(as, "q=zanzibar&status=published&kind=statement&year=2026"); !slices.Equal(got, []string{public + "/en"}) {
				t.Errorf("filtered search as %q: %v", as, got)
			}
			l := ok[listOf[documentDTO]](t, w, 200, request{Method: "GET", Path: Prefix + "/documents", As: as})
			if len(l.Items) != 1 || l.Items[0].ID != public {
				t.Errorf("list as %q: %+v", as, l.Items)
			}
		}
		if got := search("delegateA", "q=zanzibar"); !slices.Equal(got, sorted(hidden+"/en", hidden+"/fr", circulating+"/en", public+"/en")) {
			t.Errorf("search as a member: %v", got)
		}
		if got := search("secretariat", "q=zanzibar"); !slices.Equal(got, sorted(hidden+"/en", hidden+"/fr", draft+"/en", circulating+"/en", public+"/en")) {
			t.Errorf("search as the secretariat: %v", got)
		}
		if got := search("delegateA", "q="+url.QueryEscape("quokka zanz")+"&lang=FR"); !slices.Equal(got, []string{hidden + "/fr"}) {
			t.Errorf("search by language as a member: %v", got)
		}
	})
}
