package api

import (
	"bytes"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"concord"
	"concord/internal/sqldb"
	"concord/internal/sqldb/sqldbtest"
	"concord/internal/xliff"
)

// docFixture is a circulated resolution with a Spanish translation started by translatorB,
// and a glossary term.
type docFixture struct {
	doc  documentDetailDTO
	tr   translationDetailDTO
	term glossaryTermDTO
	es   string // the Spanish translation's path
}

func (w *world) docFixture(t *testing.T) docFixture {
	t.Helper()
	var f docFixture
	f.term = w.glossaryTerm(t)
	f.doc = w.bodyDoc(t, "resolution", "public", "On 8 March")
	w.moveTo(t, "secretariat", f.doc.ID, "circulating")
	f.es = docPath(f.doc.ID, "/translations/es")
	f.tr = ok[translationDetailDTO](t, w, 200, request{Method: "POST", Path: f.es, As: "translatorB"})
	return f
}

// TestDocumentBadBodies sends every kind of malformed JSON body to every documents route
// that takes JSON.
func TestDocumentBadBodies(t *testing.T) {
	t.Parallel()
	sqldbtest.ForEach(t, func(t *testing.T, db *sqldb.DB) {
		w := newDocWorld(t, db)
		f := w.docFixture(t)
		doc := docPath(f.doc.ID)
		checkBadBodies(t, w, []writeRoute{
			{"POST", Prefix + "/documents", "secretariat", `{"kind": "statement", "issuer_body": "CC", "source_lang": "en", "title": "T", "body": "B"}`, "title"},
			{"PATCH", doc, "secretariat", `{"occasion": "O"}`, "occasion"},
			{"PUT", doc + "/text", "secretariat", `{"title": "T", "body": "B"}`, "body"},
			{"POST", doc + "/status", "secretariat", `{"status": "adopted"}`, "status"},
			{"PATCH", f.es, "translatorB", `{"title": "T"}`, "title"},
			{"POST", f.es + "/machine", "translatorB", `{"engine": "Apertium"}`, "engine"},
			{"POST", f.es + "/final", "secretariat", `{"override_reason": "R"}`, "override_reason"},
			{"POST", Prefix + "/glossary", "secretariat", `{"concept": "C"}`, "concept"},
			{"PUT", Prefix + "/glossary/" + f.term.ID, "secretariat", `{"concept": "C"}`, "note"},
			{"POST", Prefix + "/glossary/check", "delegateA", `{"lang": "es", "text": "x"}`, "text"},
		})
	})
}

// TestDocumentInvalidInput sends well-formed requests with invalid values to the documents
// routes: each is refused with 422, the problem fields (or the one reason) in translated
// messages, and changes nothing.
func TestDocumentInvalidInput(t *testing.T) {
	t.Parallel()
	sqldbtest.ForEach(t, func(t *testing.T, db *sqldb.DB) {
		w := newDocWorld(t, db)
		f := w.docFixture(t)
		doc, es := docPath(f.doc.ID), f.es
		seg := f.tr.Segments[0].SegmentID
		valid := func(extra map[string]any) map[string]any {
			m := map[string]any{"kind": "statement", "issuer_body": "CC", "source_lang": "en", "title": "T", "body": "B"}
			for k, v := range extra {
				m[k] = v
			}
			return m
		}
		longLine, longBody := strings.Repeat("ü", concord.MaxLine+1), strings.Repeat("x", concord.MaxBody+1)
		tests := []struct {
			name, method, path, as string
			body                   any
			fields                 []string // "field:code", sorted
			message                string   // the English message instead, for refusals without fields
		}{
			{"create: nothing", "POST", Prefix + "/documents", "secretariat", map[string]any{},
				[]string{"issuer:error.issuer", "kind:error.doc_kind", "source_lang:error.missing"}, ""},
			{"create: no text", "POST", Prefix + "/documents", "secretariat", valid(map[string]any{"title": " ", "body": ""}),
				[]string{"body:error.missing", "title:error.missing"}, ""},
			{"create: unknown kind and visibility", "POST", Prefix + "/documents", "secretariat", valid(map[string]any{"kind": "novel", "visibility": "secret"}),
				[]string{"kind:error.doc_kind", "visibility:error.visibility"}, ""},
			{"create: bad language tag", "POST", Prefix + "/documents", "secretariat", valid(map[string]any{"source_lang": "english!"}),
				[]string{"source_lang:error.lang"}, ""},
			{"create: two issuers", "POST", Prefix + "/documents", "admin", valid(map[string]any{"issuer_org_id": w.orgA}),
				[]string{"issuer:error.issuer"}, ""},
			{"create: bad issuer ID", "POST", Prefix + "/documents", "admin", valid(map[string]any{"issuer_body": "", "issuer_org_id": "org-a"}),
				[]string{"issuer_org_id:error.id"}, ""},
			{"create: unknown issuer", "POST", Prefix + "/documents", "admin", valid(map[string]any{"issuer_body": "", "issuer_org_id": concord.NewID(start)}),
				[]string{"issuer_org_id:error.reference"}, ""},
			{"create: overlong title and body", "POST", Prefix + "/documents", "secretariat", valid(map[string]any{"title": longLine, "body": longBody}),
				[]string{"body:error.too_long", "title:error.too_long"}, ""},
			{"create: control character in the title", "POST", Prefix + "/documents", "secretariat", valid(map[string]any{"title": "T\u0007"}),
				[]string{"title:error.control_char"}, ""},
			{"create: line break in the occasion", "POST", Prefix + "/documents", "secretariat", valid(map[string]any{"occasion": "a\nb"}),
				[]string{"occasion:error.control_char"}, ""},
			{"create: long occasion", "POST", Prefix + "/documents", "secretariat", valid(map[string]any{"occasion": strings.Repeat("o", concord.MaxName+1)}),
				[]string{"occasion:error.too_long"}, ""},
			{"patch: unknown visibility", "PATCH", doc, "secretariat", map[string]any{"visibility": "secret"}, []string{"visibility:error.visibility"}, ""},
			{"patch: long recipient", "PATCH", doc, "secretariat", map[string]any{"recipient": longLine}, []string{"recipient:error.too_long"}, ""},
			{"patch: no issuer", "PATCH", doc, "secretariat", map[string]any{"issuer_body": ""}, []string{"issuer:error.issuer"}, ""},
			{"text: nothing", "PUT", doc + "/text", "secretariat", map[string]any{}, []string{"body:error.missing", "title:error.missing"}, ""},
			{"text: overlong body", "PUT", doc + "/text", "secretariat", map[string]any{"title": "T", "body": longBody}, []string{"body:error.too_long"}, ""},
			{"text: overlong summary", "PUT", doc + "/text", "secretariat", map[string]any{"title": "T", "body": "B", "summary": longLine}, []string{"summary:error.too_long"}, ""},
			{"text: summary with a control character", "PUT", doc + "/text", "secretariat", map[string]any{"title": "T", "body": "B", "summary": "a\u001bb"},
				[]string{"summary:error.control_char"}, ""},
			{"status: nothing", "POST", doc + "/status", "secretariat", map[string]any{}, []string{"status:error.missing"}, ""},
			{"status: unknown", "POST", doc + "/status", "secretariat", map[string]any{"status": "archived"}, []string{"status:error.status"}, ""},
			{"status: not allowed", "POST", doc + "/status", "secretariat", map[string]any{"status": "published"}, []string{"status:error.doc_transition"}, ""},
			{"start: bad language tag", "POST", docPath(f.doc.ID, "/translations/e1"), "translatorB", nil, []string{"lang:error.lang"}, ""},
			{"start: overlong language tag", "POST", docPath(f.doc.ID, "/translations/"+strings.Repeat("a-", 20)+"b"), "translatorB", nil, []string{"lang:error.lang"}, ""},
			{"start: the source language", "POST", docPath(f.doc.ID, "/translations/en"), "translatorB", nil, []string{"lang:error.same_language"}, ""},
			{"patch translation: bad language tag", "PATCH", docPath(f.doc.ID, "/translations/"+url.PathEscape("es MX")), "translatorB",
				map[string]any{"title": "T"}, []string{"lang:error.lang"}, ""},
			{"patch translation: no segment ID", "PATCH", es, "translatorB", map[string]any{"segments": []map[string]any{{"target": "x"}}},
				[]string{"segments.0.segment_id:error.missing"}, ""},
			{"patch translation: unknown segment", "PATCH", es, "translatorB", map[string]any{"segments": []map[string]any{{"segment_id": "s000000000000", "target": "x"}}},
				[]string{"segment:error.unknown_segment"}, ""},
			{"patch translation: overlong target", "PATCH", es, "translatorB", map[string]any{"segments": []map[string]any{{"segment_id": seg, "target": "ok"}, {"segment_id": seg, "target": longBody}}},
				[]string{"segments.1.target:error.too_long"}, ""},
			{"patch translation: control character", "PATCH", es, "translatorB", map[string]any{"title": "T\u0000", "segments": []map[string]any{{"segment_id": seg, "target": "a\u0007"}}},
				[]string{"segments.0.target:error.control_char", "title:error.control_char"}, ""},
			{"patch translation: overlong title and ID", "PATCH", es, "translatorB", map[string]any{"title": longLine, "segments": []map[string]any{{"segment_id": strings.Repeat("s", 65), "target": "x"}}},
				[]string{"segments.0.segment_id:error.too_long", "title:error.too_long"}, ""},
			{"machine: empty segment ID", "POST", es + "/machine", "translatorB", map[string]any{"segment_ids": []string{seg, ""}}, []string{"segment_ids.1:error.missing"}, ""},
			{"machine: no engine", "POST", es + "/machine", "translatorB", map[string]any{"engine": "DeepL"}, nil,
				"No machine translation engine translates from en to es."},
			{"final: incomplete", "POST", es + "/final", "translatorB", map[string]any{}, nil, "Translate the title and every paragraph first."},
			{"final: overlong reason", "POST", es + "/final", "secretariat", map[string]any{"override_reason": longLine}, []string{"override_reason:error.too_long"}, ""},
			{"suggestions: no segment", "GET", es + "/suggestions", "translatorB", nil, []string{"segment_id:error.missing"}, ""},
			{"suggestions: unknown segment", "GET", es + "/suggestions?segment_id=s1", "translatorB", nil, []string{"segment_id:error.unknown_segment"}, ""},
			{"glossary: nothing", "POST", Prefix + "/glossary", "secretariat", map[string]any{}, []string{"concept:error.missing"}, ""},
			{"glossary: conflict", "POST", Prefix + "/glossary", "secretariat", map[string]any{"concept": "C",
				"adopted": map[string][]string{"es": {"Huelga"}}, "forbidden": map[string][]string{"ES": {"huelga"}}}, []string{"forbidden.es:error.glossary_conflict"}, ""},
			{"glossary: bad language and long wording", "POST", Prefix + "/glossary", "secretariat", map[string]any{"concept": "C",
				"adopted": map[string][]string{"e!": {"x"}, "de": {strings.Repeat("w", concord.MaxName+1)}}}, []string{"adopted.de:error.too_long", "adopted:error.lang"}, ""},
			{"glossary: replace with nothing", "PUT", Prefix + "/glossary/" + f.term.ID, "secretariat", map[string]any{"concept": "\t"}, []string{"concept:error.missing"}, ""},
			{"check: nothing", "POST", Prefix + "/glossary/check", "delegateA", map[string]any{}, []string{"lang:error.missing"}, ""},
			{"check: bad language and control character", "POST", Prefix + "/glossary/check", "delegateA", map[string]any{"lang": "x_y!", "text": "\u0001"},
				[]string{"lang:error.lang", "text:error.control_char"}, ""},
			{"list: bad filters", "GET", Prefix + "/documents?kind=novel&status=lost&year=99&issuer_org_id=x", "", nil,
				[]string{"issuer_org_id:error.id", "kind:error.doc_kind", "status:error.status", "year:error.number"}, ""},
			{"list: bad paging", "GET", Prefix + "/documents?limit=1001&offset=-1", "delegateA", nil, []string{"limit:error.number", "offset:error.number"}, ""},
			{"diff: no versions", "GET", doc + "/diff", "delegateA", nil, []string{"from:error.missing", "to:error.missing"}, ""},
			{"diff: bad versions", "GET", doc + "/diff?from=0&to=x", "delegateA", nil, []string{"from:error.number", "to:error.number"}, ""},
			{"search: no query", "GET", Prefix + "/search", "", nil, []string{"q:error.missing"}, ""},
			{"search: bad query and language", "GET", Prefix + "/search?q=%FF&lang=" + url.QueryEscape("no tag"), "", nil, []string{"lang:error.lang", "q:error.invalid_utf8"}, ""},
			{"search: long query and bad kind", "GET", Prefix + "/search?q=" + strings.Repeat("q", 201) + "&kind=novel&limit=201", "", nil,
				[]string{"kind:error.doc_kind", "limit:error.number", "q:error.too_long"}, ""},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				before := w.snapshot(t)
				res := w.do(t, request{Method: tt.method, Path: tt.path, As: tt.as, Body: tt.body, Header: map[string]string{"Accept-Language": "fr"}})
				e := apiError(t, res)
				if res.Status != http.StatusUnprocessableEntity || e.Code != "invalid" {
					t.Fatalf("got %d %s, want 422 invalid: %s", res.Status, e.Code, res.Body)
				}
				if diff := diffDTO(tt.fields, fieldCodes(e)); diff != "" {
					t.Errorf("fields (-want +got):\n%s\n%s", diff, res.Body)
				}
				if bad := untranslated(e); len(bad) > 0 || res.Header.Get("Content-Language") != "fr" {
					t.Errorf("untranslated: %q (%s)", bad, res.Header.Get("Content-Language"))
				}
				if tt.message != "" {
					en := apiError(t, w.do(t, request{Method: tt.method, Path: tt.path, As: tt.as, Body: tt.body}))
					if en.Message != tt.message {
						t.Errorf("message %q, want %q", en.Message, tt.message)
					}
				}
				w.unchanged(t, before)
			})
		}
	})
}

// TestUploadErrors sends broken and unwanted files to every upload route: each is refused with
// the right status, code and a translated message, and changes nothing (no file is stored).
func TestUploadErrors(t *testing.T) {
	t.Parallel()
	sqldbtest.ForEach(t, func(t *testing.T, db *sqldb.DB) {
		w := newDocWorld(t, db)
		f := w.docFixture(t)
		good := w.xliffOf(t, f.es, "translatorB")
		goodXLIFF := string(xliffBytes(t, good))
		attach, csvPath := docPath(f.doc.ID, "/attachments"), Prefix+"/glossary.csv"
		multi := func(field, name, content string) (string, string) {
			body, ct := multipartFile(t, field, name, []byte(content))
			return string(body), ct
		}
		type upload struct {
			name, method, path, as string
			body, contentType      string
			status                 int
			code                   string
			key                    string // the message key: the error's own or, for 422 with fields, "field:code"
		}
		var tests []upload
		add := func(u upload) { tests = append(tests, u) }
		// Attachments.
		for _, c := range []struct{ name, file, content, key string }{
			{"HTML", "page.html", "<!DOCTYPE html><html><script>alert(1)</script></html>", "error.file_type"},
			{"executable", "run.exe", "MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff", "error.file_type"},
			{"GIF", "x.gif", "GIF89a\x01\x00\x01\x00", "error.file_type"},
			{"empty", "empty.pdf", "", "error.file_empty"},
		} {
			body, ct := multi("file", c.file, c.content)
			add(upload{"attachment: " + c.name, "POST", attach, "secretariat", body, ct, 422, "invalid", c.key})
		}
		body, ct := multi("file", strings.Repeat("n", 201)+".pdf", "%PDF-1.4\n")
		add(upload{"attachment: long name", "POST", attach, "secretariat", body, ct, 422, "invalid", "file:error.file_name"})
		body, ct = multi("document", "x.pdf", "%PDF-1.4\n")
		add(upload{"attachment: no file part", "POST", attach, "secretariat", body, ct, 422, "invalid", "file:error.missing"})
		body, ct = multi("file", "big.pdf", "%PDF-1.4\n"+strings.Repeat("0", 20<<20))
		add(upload{"attachment: too large", "POST", attach, "secretariat", body, ct, 413, "too_large", "error.file_too_large"})
		add(upload{"attachment: raw PDF", "POST", attach, "secretariat", "%PDF-1.4\n", "application/pdf", 415, "unsupported_media_type", "error.content_type"})
		add(upload{"attachment: no boundary", "POST", attach, "secretariat", "--x\r\n", "multipart/form-data", 400, "bad_request", "error.bad_upload"})
		add(upload{"attachment: broken multipart", "POST", attach, "secretariat", "--x\r\nContent-Disposition: form-data; name=\"file\"; filename=\"a.pdf\"\r\n\r\n%PDF-1.4 cut off",
			"multipart/form-data; boundary=x", 400, "bad_request", "error.bad_upload"})
		add(upload{"attachment: no parts", "POST", attach, "secretariat", "no parts at all", "multipart/form-data; boundary=x", 422, "invalid", "file:error.missing"})
		// XLIFF imports.
		x := f.es + "/xliff"
		for _, c := range []struct{ name, content, key string }{
			{"not XML", "hello", "error.xliff_malformed"},
			{"empty", "", "error.xliff_malformed"},
			{"truncated", goodXLIFF[:len(goodXLIFF)/2], "error.xliff_malformed"},
			{"DOCTYPE", `<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "aaaa">]><xliff version="1.2" xmlns="urn:oasis:names:tc:xliff:document:1.2"/>`, "error.xliff_doctype"},
			{"XLIFF 2.0", `<xliff version="2.0" xmlns="urn:oasis:names:tc:xliff:document:2.0" srcLang="en"><file id="f"/></xliff>`, "error.xliff_version"},
			{"not XLIFF", `<html/>`, "error.xliff_root"},
			{"invalid UTF-8", strings.Replace(goodXLIFF, "federation", "f\xe9d\xe9ration", 1), "error.xliff_encoding"},
			{"Latin-1", strings.Replace(goodXLIFF, `encoding="UTF-8"`, `encoding="ISO-8859-1"`, 1), "error.xliff_encoding"},
			{"no file", `<xliff version="1.2" xmlns="urn:oasis:names:tc:xliff:document:1.2"></xliff>`, "error.xliff_no_file"},
			{"duplicate unit", strings.Replace(goodXLIFF, `id="title"`, `id="`+f.tr.Segments[0].SegmentID+`"`, 1), "error.xliff_duplicate_unit"},
			{"control character", strings.Replace(goodXLIFF, "federation", "fed&#x1;eration", 1), "error.xliff_malformed"},
		} {
			add(upload{"XLIFF: " + c.name, "PUT", x, "translatorB", c.content, "application/x-xliff+xml", 422, "invalid", c.key})
		}
		add(upload{"XLIFF: as JSON", "PUT", x, "translatorB", goodXLIFF, "application/json", 415, "unsupported_media_type", "error.content_type"})
		add(upload{"XLIFF: no content type", "PUT", x, "translatorB", goodXLIFF, "", 415, "unsupported_media_type", "error.content_type"})
		add(upload{"XLIFF: too large", "PUT", x, "translatorB", goodXLIFF + strings.Repeat(" ", xliff.MaxFileSize), "application/x-xliff+xml", 413, "too_large", "error.file_too_large"})
		body, ct = multi("upload", "es.xlf", goodXLIFF)
		add(upload{"XLIFF: no file part", "PUT", x, "translatorB", body, ct, 422, "invalid", "file:error.missing"})
		add(upload{"XLIFF: bad language", "PUT", docPath(f.doc.ID, "/translations/e-/xliff"), "translatorB", goodXLIFF, "application/x-xliff+xml", 422, "invalid", "lang:error.lang"})
		// PO imports.
		p := f.es + "/po"
		for _, c := range []struct{ name, content, key string }{
			{"garbage", "hello world", "error.po_malformed"},
			{"unterminated", "msgid \"a\nmsgstr \"b\"\n", "error.po_malformed"},
			{"plural", "msgid \"a\"\nmsgid_plural \"as\"\nmsgstr[0] \"b\"\n", "error.po_plural"},
			{"invalid UTF-8", "msgid \"caf\xe9\"\nmsgstr \"\"\n", "error.po_encoding"},
			{"Latin-1", "msgid \"\"\nmsgstr \"Content-Type: text/plain; charset=ISO-8859-1\\n\"\n", "error.po_charset"},
			{"control character", "msgid \"a\x01\"\nmsgstr \"\"\n", "error.po_control_char"},
			{"duplicate", "msgid \"a\"\nmsgstr \"\"\n\nmsgid \"a\"\nmsgstr \"\"\n", "error.po_duplicate"},
		} {
			add(upload{"PO: " + c.name, "PUT", p, "translatorB", c.content, "text/x-gettext-translation", 422, "invalid", c.key})
		}
		add(upload{"PO: form encoded", "PUT", p, "translatorB", "msgid=a", "application/x-www-form-urlencoded", 415, "unsupported_media_type", "error.content_type"})
		// Glossary CSV imports.
		for _, c := range []struct{ name, content, key string }{
			{"no header", "", "error.csv_malformed"},
			{"wrong header", "term,lang\nx,es\n", "error.csv_malformed"},
			{"missing column", "concept,note,lang,adopted,forbidden\nstrike,,es,huelga\n", "error.csv_malformed"},
			{"broken quote", "concept,note,lang,adopted,forbidden\n\"strike,,es,huelga,\n", "error.csv_malformed"},
			{"conflict", "concept,note,lang,adopted,forbidden\nstrike,,es,huelga,huelga\n", "forbidden.es:error.glossary_conflict"},
			{"bad language", "concept,note,lang,adopted,forbidden\nstrike,,spanish!,huelga,\n", "adopted:error.lang"},
			{"invalid UTF-8", "concept,note,lang,adopted,forbidden\nstr\xeeke,,es,huelga,\n", "concept:error.invalid_utf8"},
		} {
			add(upload{"CSV: " + c.name, "PUT", csvPath, "secretariat", c.content, "text/csv", 422, "invalid", c.key})
		}
		add(upload{"CSV: as plain text", "PUT", csvPath, "secretariat", "concept,note,lang,adopted,forbidden\n", "text/plain", 415, "unsupported_media_type", "error.content_type"})
		add(upload{"CSV: too large", "PUT", csvPath, "secretariat", "concept,note,lang,adopted,forbidden\n" + strings.Repeat("x,,es,y,\n", 4<<20/9+1), "text/csv", 413, "too_large", "error.file_too_large"})

		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				before := w.snapshot(t)
				res := w.do(t, request{Method: tt.method, Path: tt.path, As: tt.as, Body: []byte(tt.body),
					Header: map[string]string{"Content-Type": tt.contentType, "Accept-Language": "tr"}})
				e := apiError(t, res)
				key := e.Code
				if len(e.Fields) > 0 {
					key = strings.Join(fieldCodes(e), " ")
				} else if res.Status == 422 || res.Status == 413 || res.Status == 415 || res.Status == 400 {
					key = w.messageKey(t, e.Message, "tr")
				}
				if res.Status != tt.status || e.Code != tt.code || key != tt.key {
					t.Errorf("got %d %s %s, want %d %s %s: %s", res.Status, e.Code, key, tt.status, tt.code, tt.key, res.Body)
				}
				if bad := untranslated(e); len(bad) > 0 || strings.Contains(e.Message, "{") {
					t.Errorf("untranslated: %q %q", bad, e.Message)
				}
				w.unchanged(t, before)
			})
		}
	})
}

// messageKey tells which of the upload errors a message translated into lang is: the key
// whose message, with anything in place of its placeholders, is msg.
func (w *world) messageKey(t *testing.T, msg, lang string) string {
	t.Helper()
	loc := mustBundle().Localizer(lang)
	keys := []string{"error.content_type", "error.file_too_large", "error.bad_upload", "error.file_type", "error.file_empty",
		"error.xliff_malformed", "error.xliff_doctype", "error.xliff_version", "error.xliff_root", "error.xliff_encoding",
		"error.xliff_no_file", "error.xliff_duplicate_unit", "error.xliff_control_char", "error.po_malformed", "error.po_plural",
		"error.po_encoding", "error.po_charset", "error.po_control_char", "error.po_duplicate", "error.csv_malformed"}
	placeholder := regexp.MustCompile(`\\\{[A-Za-z0-9_]+\\\}`)
	for _, k := range keys {
		pattern := placeholder.ReplaceAllString(regexp.QuoteMeta(loc.T(k)), ".+")
		if regexp.MustCompile("^" + pattern + "$").MatchString(msg) {
			return k
		}
	}
	return "? " + msg
}

// TestAttachmentTypes accepts each allowed kind of file and records the sniffed type, not
// the one the client claims.
func TestAttachmentTypes(t *testing.T) {
	t.Parallel()
	sqldbtest.ForEach(t, func(t *testing.T, db *sqldb.DB) {
		w := newDocWorld(t, db)
		d := w.bodyDoc(t, "statement", "internal", "S")
		w.moveTo(t, "secretariat", d.ID, "circulating")
		for name, c := range map[string]struct{ content, want string }{
			"a.png":  {"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "image/png"},
			"b.jpg":  {"\xff\xd8\xff\xe0\x00\x10JFIF\x00", "image/jpeg"},
			"c.txt":  {"Grüße aus Kassel\n", "text/plain; charset=utf-8"},
			"d.odt":  {"PK\x03\x04\x14\x00\x00\x00\x00\x00", "application/zip"},
			"e.html": {"%PDF-1.7\n", "application/pdf"},
			"f.webp": {"RIFF\x00\x00\x00\x00WEBPVP8 ", "image/webp"},
			// Not sniffed as an image: served as text/plain, as an attachment, so never run.
			"g.svg": {`<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>`, "text/plain; charset=utf-8"},
		} {
			body, ct := multipartFile(t, "file", name, []byte(c.content))
			a := ok[attachmentDTO](t, w, 201, request{Method: "POST", Path: docPath(d.ID, "/attachments"), As: "secretariat", Body: body, Header: map[string]string{"Content-Type": ct}})
			if a.MediaType != c.want || a.Name != name {
				t.Errorf("%s: %+v, want %s", name, a, c.want)
			}
			res := w.do(t, request{Method: "GET", Path: docPath(d.ID, "/attachments/"+a.ID), As: "delegateA"})
			if res.Status != 200 || res.Header.Get("Content-Type") != c.want || !bytes.Equal(res.Body, []byte(c.content)) {
				t.Errorf("%s: download %d %s", name, res.Status, res.Header.Get("Content-Type"))
			}
		}
	})
}
