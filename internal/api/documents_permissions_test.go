package api

import (
	"strings"
	"testing"

	"concord/internal/sqldb"
	"concord/internal/sqldb/sqldbtest"
)

// TestDocumentPermissionProbe has people reach past their rights on documents, translations
// and the glossary: each is refused and changes nothing. Controls then do the same as someone
// allowed to, so the refusals are about permission and not about the request.
func TestDocumentPermissionProbe(t *testing.T) {
	t.Parallel()
	sqldbtest.ForEach(t, func(t *testing.T, db *sqldb.DB) {
		w := newDocWorld(t, db)
		// A circulated greeting of organization A.
		greeting := w.newDoc(t, "delegateA", map[string]any{"kind": "greeting", "issuer_org_id": w.orgA, "source_lang": "de",
			"title": "Grußwort", "body": "Wir grüßen euch.\n\nSolidarität."})
		w.moveTo(t, "delegateA", greeting.ID, "circulating")
		// Texts of the Coordinating Committee: a draft, an internal published one and a public published one.
		draft := w.bodyDoc(t, "statement", "public", "Draft")
		internal := w.bodyDoc(t, "statement", "internal", "Internal")
		w.moveTo(t, "secretariat", internal.ID, "published")
		public := w.bodyDoc(t, "statement", "public", "Public")
		w.moveTo(t, "secretariat", public.ID, "published")
		term := w.glossaryTerm(t)
		pdf, pdfType := multipartFile(t, "file", "a.pdf", []byte("%PDF-1.4\n"))
		xlf := xliffBytes(t, w.xliffOf(t, docPath(public.ID, "/translations/es"), "translatorB"))

		type call struct {
			method, path string
			body         any
			contentType  string
		}
		g, d, in, pub := docPath(greeting.ID), docPath(draft.ID), docPath(internal.ID), docPath(public.ID)
		text := map[string]any{"title": "Taken over", "body": "New text."}
		probes := []struct {
			name    string
			as      string
			refused call
			want    int
			allowed *call
			control string
		}{
			{"delegate of B edits A's text", "delegateB", call{"PUT", g + "/text", text, ""}, 403, &call{"PUT", g + "/text", text, ""}, "delegateA"},
			{"delegate of B edits A's metadata", "delegateB", call{"PATCH", g, map[string]any{"recipient": "B"}, ""}, 403,
				&call{"PATCH", g, map[string]any{"recipient": "B"}, ""}, "orgAdminA"},
			{"delegate of B withdraws A's text", "delegateB", call{"POST", g + "/status", map[string]any{"status": "withdrawn"}, ""}, 403, nil, ""},
			{"delegate of B attaches to A's text", "delegateB", call{"POST", g + "/attachments", pdf, pdfType}, 403, &call{"POST", g + "/attachments", pdf, pdfType}, "delegateA"},
			{"delegate of B issues for A", "delegateB", call{"POST", Prefix + "/documents", map[string]any{"kind": "statement", "issuer_org_id": w.orgA,
				"source_lang": "en", "title": "T", "body": "B"}, ""}, 403, nil, ""},
			{"delegate issues for a federation body", "delegateA", call{"POST", Prefix + "/documents", map[string]any{"kind": "statement",
				"issuer_body": "Coordinating Committee", "source_lang": "en", "title": "T", "body": "B"}, ""}, 403,
				&call{"POST", Prefix + "/documents", map[string]any{"kind": "statement", "issuer_body": "Coordinating Committee", "source_lang": "en", "title": "T", "body": "B"}, ""}, "coordinator"},
			{"delegate edits a federation text", "delegateA", call{"PUT", in + "/text", text, ""}, 403, nil, ""},
			{"delegate of B translates A's text", "delegateB", call{"POST", g + "/translations/en", nil, ""}, 403,
				&call{"POST", g + "/translations/en", nil, ""}, "translatorB"},
			{"member reads someone else's draft", "delegateA", call{"GET", d, nil, ""}, 404, nil, ""},
			{"member edits someone else's draft", "delegateA", call{"PUT", d + "/text", text, ""}, 404, nil, ""},
			{"translator translates a draft", "translatorB", call{"POST", d + "/translations/fr", nil, ""}, 404, &call{"POST", d + "/translations/fr", nil, ""}, "secretariat"},
			{"outsider reads an internal text", "outsider", call{"GET", in, nil, ""}, 404, nil, ""},
			{"outsider reads its versions", "outsider", call{"GET", in + "/versions/1", nil, ""}, 404, nil, ""},
			{"outsider translates an internal text", "outsider", call{"POST", in + "/translations/fr", nil, ""}, 404, nil, ""},
			{"outsider translates a public text", "outsider", call{"POST", pub + "/translations/fr", nil, ""}, 403, nil, ""},
			{"outsider reads the glossary", "outsider", call{"GET", Prefix + "/glossary", nil, ""}, 200, nil, ""},
			{"translator edits the glossary", "translatorB", call{"POST", Prefix + "/glossary", map[string]any{"concept": "strike"}, ""}, 403,
				&call{"POST", Prefix + "/glossary", map[string]any{"concept": "strike"}, ""}, "coordinator"},
			{"org admin replaces a term", "orgAdminA", call{"PUT", Prefix + "/glossary/" + term.ID, map[string]any{"concept": "x"}, ""}, 403, nil, ""},
			{"delegate deletes a term", "delegateA", call{"DELETE", Prefix + "/glossary/" + term.ID, nil, ""}, 403, nil, ""},
			{"delegate imports a glossary", "delegateA", call{"PUT", Prefix + "/glossary.csv", "concept,note,lang,adopted,forbidden\n", "text/csv"}, 403, nil, ""},
			{"delegate imports a translation", "delegateA", call{"PUT", pub + "/translations/es/xliff", xlf, "application/x-xliff+xml"}, 403,
				&call{"PUT", pub + "/translations/es/xliff", xlf, "application/x-xliff+xml"}, "translatorB"},
			{"delegate exports for translation", "delegateA", call{"GET", pub + "/translations/it/po", nil, ""}, 403, nil, ""},
			{"delegate asks the translation memory", "delegateA", call{"GET", pub + "/translations/es/suggestions?segment_id=x", nil, ""}, 403, nil, ""},
			{"anonymous reads a draft", "", call{"GET", d, nil, ""}, 401, nil, ""},
			{"anonymous reads an internal text", "", call{"GET", in, nil, ""}, 401, nil, ""},
			{"anonymous reads its versions", "", call{"GET", in + "/versions", nil, ""}, 401, nil, ""},
			{"anonymous diffs it", "", call{"GET", in + "/diff?from=1&to=1", nil, ""}, 401, nil, ""},
			{"anonymous lists its attachments", "", call{"GET", in + "/attachments", nil, ""}, 401, nil, ""},
			{"anonymous lists its translations", "", call{"GET", in + "/translations", nil, ""}, 401, nil, ""},
			{"anonymous reads a member's text", "", call{"GET", g, nil, ""}, 401, nil, ""},
			{"anonymous creates", "", call{"POST", Prefix + "/documents", map[string]any{"kind": "statement"}, ""}, 401, nil, ""},
			{"anonymous edits a public text", "", call{"PUT", pub + "/text", text, ""}, 401, nil, ""},
			{"anonymous translates", "", call{"POST", pub + "/translations/fr", nil, ""}, 401, nil, ""},
			{"anonymous exports", "", call{"GET", pub + "/translations/es/xliff", nil, ""}, 401, nil, ""},
			{"anonymous reads the glossary", "", call{"GET", Prefix + "/glossary", nil, ""}, 401, nil, ""},
			{"anonymous checks a text", "", call{"POST", Prefix + "/glossary/check", map[string]any{"lang": "es", "text": "x"}, ""}, 401, nil, ""},
			{"anonymous lists engines", "", call{"GET", Prefix + "/engines", nil, ""}, 401, nil, ""},
		}
		wantCode := map[int]string{401: "unauthorized", 403: "forbidden", 404: "not_found"}
		for _, p := range probes {
			t.Run(p.name, func(t *testing.T) {
				before := w.snapshot(t)
				req := request{Method: p.refused.method, Path: p.refused.path, As: p.as, Body: p.refused.body}
				if p.refused.contentType != "" {
					req.Header = map[string]string{"Content-Type": p.refused.contentType}
				}
				res := w.do(t, req)
				if p.want == 200 {
					if res.Status != 200 {
						t.Errorf("got %d, want 200: %s", res.Status, res.Body)
					}
					return
				}
				e := apiError(t, res)
				if res.Status != p.want || e.Code != wantCode[p.want] {
					t.Errorf("got %d %s, want %d: %s", res.Status, e.Code, p.want, res.Body)
				}
				if bad := untranslated(e); len(bad) > 0 {
					t.Errorf("untranslated: %q", bad)
				}
				w.unchanged(t, before)
			})
		}
		for _, p := range probes {
			if p.allowed == nil {
				continue
			}
			t.Run("control/"+p.name, func(t *testing.T) {
				req := request{Method: p.allowed.method, Path: p.allowed.path, As: p.control, Body: p.allowed.body}
				if p.allowed.contentType != "" {
					req.Header = map[string]string{"Content-Type": p.allowed.contentType}
				}
				if res := w.do(t, req); res.Status/100 != 2 {
					t.Errorf("%s as %s: %d %s", p.allowed.method, p.control, res.Status, res.Body)
				}
			})
		}

		// Anonymous callers read published public texts and their final translations.
		for _, path := range []string{pub, pub + "/versions", pub + "/versions/1", pub + "/diff?from=1&to=1", pub + "/attachments", pub + "/translations",
			Prefix + "/documents", Prefix + "/search?q=struggle"} {
			if res := w.do(t, request{Method: "GET", Path: path}); res.Status != 200 {
				t.Errorf("anonymous GET %s: %d %s", strings.TrimPrefix(path, Prefix), res.Status, res.Body)
			}
		}
	})
}
