package api

import (
	"bytes"
	"encoding/json"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"
	"time"

	"concord"
	"concord/internal/httpx"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
)

// FuzzDecodeJSON feeds arbitrary bodies and content types to the API's decoder for the
// organization create body and the organization PATCH body, for every JSON body of the
// documents routes (see fuzzDocumentBodies) and for the procedure open body (see
// fuzzProcedureBodies). Decoding never panics and either
// succeeds or fails with a *concord.Error of a transport code; what decodes re-encodes to an
// equal value, and goes through the domain's normalization, merge and validation without
// panicking or failing other than as invalid input.
func FuzzDecodeJSON(f *testing.F) {
	for _, seed := range []struct{ contentType, body string }{
		{"application/json", `{"name": "Partido", "name_lang": "es", "country": "MX", "names": {"en": "Party"}, "status": "member", "decided_by": "WC"}`},
		{"application/json; charset=utf-8", `{"abbreviation": "PT", "names": null, "email": null}`},
		{"application/json", `{"name": "x"} {"name": "y"}`},
		{"application/json", `{"name": "caf` + "\xe9" + `"}`},
		{"application/json", `{"colour": "red"}`},
		{"application/json", `{"name": 12, "names": {"fr": 3}}`},
		{"application/json", `{"names": {"": "", "a\u0000": "\u0007"}, "country": "xx"}`},
		{"application/json", `[{"name": "x"}]`},
		{"application/json", `{"name": "\ud800"}`},
		{"application/json", ""},
		{"text/plain", `{"name": "x"}`},
		{"", `{}`},
		{"application/json", `{"name":"x","name":"y","effective_on":"2026-02-30"}`},
		{"application/json", "\ufeff{}"},
		{"application/json", `{"kind": "greeting", "visibility": "public", "issuer_org_id": "0190f4a2-0000-7000-8000-000000000000", "source_lang": "ES_mx", "title": "Saludo", "body": "Hola\n\nAdiós"}`},
		{"application/json", `{"visibility": null, "occasion": "", "recipient": "B", "issuer_body": "CC"}`},
		{"application/json", `{"title": "T", "body": "B", "summary": "\u0007"}`},
		{"application/json", `{"title": null, "segments": [{"segment_id": "s0123456789ab", "target": "x", "reviewed": true}, {}]}`},
		{"application/json", `{"segments": {"segment_id": "x"}}`},
		{"application/json", `{"engine": "Apertium", "segment_ids": ["s1", "", null]}`},
		{"application/json", `{"override_reason": "quoted"}`},
		{"application/json", `{"concept": "day of struggle", "adopted": {"es": ["jornada de lucha"], "ES": ["Jornada"]}, "forbidden": {"es": ["lucha libre"], "": [""]}}`},
		{"application/json", `{"adopted": {"es": "jornada"}}`},
		{"application/json", `{"lang": "de-AT", "text": "Am Kampftag"}`},
		{"application/json", `{"status": "published"}`},
		{"application/json", `{"question": "Adopt the joint call?", "rule": {"kind": "signatures", "min_signatures": 1}, "electorate": {"kind": "members"}, "visibility": "public", "deadline": "2026-12-05T12:00:00Z"}`},
		{"application/json", `{"question": "Q", "document_id": null, "rule": {"kind": "majority", "majority": "qualified", "numerator": 3, "denominator": 2, "base": "cast", "abstentions_count": true, "quorum_percent": 150.5}, "electorate": {"kind": "list", "organization_ids": ["0190f4a2-0000-7000-8000-000000000000", "x", ""]}, "visibility": "hidden", "opens_at": "2026-12-01T00:00:00+02:00", "deadline": "2026-11-30T23:00:00-05:00"}`},
		{"application/json", `{"rule": {"kind": "consensus", "min_participation_percent": -0, "min_signatures": 9223372036854775807}, "electorate": {"kind": "region", "region": "Europe", "organization_ids": []}, "deadline": "tomorrow"}`},
		{"application/json", `{"rule": null, "electorate": null, "opens_at": "0001-01-01T00:00:00Z", "deadline": "9999-12-31T23:59:59.999999999Z"}`},
		{"application/json", `{"rule": {"kind": "signatures", "min_signatures_percent": 1e308}}`},
	} {
		f.Add(seed.contentType, []byte(seed.body))
	}
	known := []string{httpx.EBADREQUEST, httpx.EMEDIATYPE, httpx.ETOOLARGE}
	now := time.Date(2026, 11, 28, 12, 0, 0, 0, time.UTC)
	current := &concord.Organization{ID: concord.NewID(now), Name: "Organization A", NameLang: "en", Names: map[string]string{"de": "Organisation A"},
		Country: "DE", Region: "europe", Email: "a@example.org", Status: concord.StatusMember, CreatedAt: now, UpdatedAt: now}
	f.Fuzz(func(t *testing.T, contentType string, body []byte) {
		check := func(dst any) bool {
			r := httptest.NewRequest("POST", Prefix+"/organizations", bytes.NewReader(body))
			r.Header.Set("Content-Type", contentType)
			err := decode(r, dst)
			if err == nil {
				return true
			}
			e := concord.AsError(err)
			if e == nil || !slices.Contains(known, e.Code) || e.Key == "" {
				t.Fatalf("decode error %#v (%v) is not a *concord.Error with a transport code", err, err)
			}
			return false
		}
		roundTrip := func(v, fresh any) {
			b, err := json.Marshal(v)
			if err != nil {
				t.Fatalf("re-encode %#v: %v", v, err)
			}
			if err := httpx.DecodeJSONBytes(b, fresh); err != nil {
				t.Fatalf("decode of re-encoded %s: %v", b, err)
			}
		}
		wantInvalid := func(err error) {
			if code := concord.ErrorCode(err); code != "" && code != concord.EINVALID {
				t.Fatalf("validation error code %q: %v", code, err)
			}
		}

		var create organizationCreateRequest
		if check(&create) {
			var again organizationCreateRequest
			roundTrip(&create, &again)
			if diff := cmp.Diff(create, again, cmp.AllowUnexported(organizationCreateRequest{})); diff != "" {
				t.Fatalf("create body does not round-trip (-first +again):\n%s", diff)
			}
			var v concord.Validation
			parseDate(&v, "effective_on", create.EffectiveOn)
			wantInvalid(v.Err())
			o := create.organization()
			o.Normalize()
			wantInvalid(o.Validate())
		}

		fuzzDocumentBodies(t, check, roundTrip, wantInvalid)
		fuzzProcedureBodies(t, check, roundTrip, wantInvalid)

		var patch organizationPatch
		if check(&patch) {
			var again organizationPatch
			roundTrip(&patch, &again)
			if diff := cmp.Diff(patch, again); diff != "" {
				t.Fatalf("patch body does not round-trip (-first +again):\n%s", diff)
			}
			edit := patch.mergeOver(current)
			if current.Name != "Organization A" || current.Names["de"] != "Organisation A" || len(current.Names) != 1 {
				t.Fatalf("merge changed the current organization: %+v", current)
			}
			edit.Normalize()
			wantInvalid(edit.Validate())
		}
	})
}

// fuzzDocumentBodies decodes a fuzzed body as each request type of the documents routes: what
// decodes round-trips, and goes through the API's checks and the domain's validation without
// panicking or failing other than as invalid input.
func fuzzDocumentBodies(t *testing.T, check func(any) bool, roundTrip func(v, fresh any), wantInvalid func(error)) {
	now := time.Date(2026, 11, 28, 12, 0, 0, 0, time.UTC)
	current := &concord.Document{ID: concord.NewID(now), Kind: concord.KindGreeting, Status: concord.DocDraft, Visibility: concord.VisibilityInternal,
		IssuerBody: "Coordinating Committee", SourceLang: "en", Occasion: "Jubilee", CreatedAt: now, UpdatedAt: now}

	var create documentCreateRequest
	if check(&create) {
		var again documentCreateRequest
		roundTrip(&create, &again)
		if create != again {
			t.Fatalf("document create body does not round-trip: %+v, then %+v", create, again)
		}
		var v concord.Validation
		in := create.newDocument(&v)
		wantInvalid(v.Err())
		d := &concord.Document{Kind: in.Kind, Visibility: in.Visibility, IssuerOrgID: in.IssuerOrgID, IssuerBody: in.IssuerBody,
			SourceLang: in.SourceLang, Occasion: in.Occasion, Recipient: in.Recipient}
		d.Normalize()
		wantInvalid(d.Validate())
		var tv concord.Validation
		concord.ValidateText(&tv, concord.CleanText(in.Title), concord.CleanText(in.Body))
		wantInvalid(tv.Err())
	}

	var patch documentPatch
	if check(&patch) {
		var again documentPatch
		roundTrip(&patch, &again)
		if diff := cmp.Diff(patch, again); diff != "" {
			t.Fatalf("document patch does not round-trip (-first +again):\n%s", diff)
		}
		m := patch.mergeOver(current)
		if current.Occasion != "Jubilee" || current.Visibility != concord.VisibilityInternal {
			t.Fatalf("merge changed the current document: %+v", current)
		}
		d := *current
		d.Visibility, d.Occasion, d.Recipient, d.IssuerBody = m.Visibility, m.Occasion, m.Recipient, m.IssuerBody
		d.Normalize()
		wantInvalid(d.Validate())
	}

	var text textRequest
	if check(&text) {
		var again textRequest
		roundTrip(&text, &again)
		var v concord.Validation
		text.check(&v)
		concord.ValidateText(&v, concord.CleanText(text.Title), concord.CleanText(text.Body))
		wantInvalid(v.Err())
	}

	var tp translationPatch
	if check(&tp) {
		var again translationPatch
		roundTrip(&tp, &again)
		if diff := cmp.Diff(tp, again, cmpopts.EquateEmpty()); diff != "" {
			t.Fatalf("translation patch does not round-trip (-first +again):\n%s", diff)
		}
		var v concord.Validation
		if _, edits := tp.edits(&v); v.Err() == nil && len(edits) != len(tp.Segments) {
			t.Fatalf("%d edits for %d segments", len(edits), len(tp.Segments))
		}
		wantInvalid(v.Err())
	}

	var machine machineRequest
	if check(&machine) {
		var again machineRequest
		roundTrip(&machine, &again)
	}
	var final finalRequest
	if check(&final) {
		var again finalRequest
		roundTrip(&final, &again)
	}
	var status documentStatusRequest
	if check(&status) {
		var again documentStatusRequest
		roundTrip(&status, &again)
	}

	var term glossaryTermRequest
	if check(&term) {
		var again glossaryTermRequest
		roundTrip(&term, &again)
		gt := term.term("")
		wantInvalid(gt.Validate())
		concord.CheckText([]concord.GlossaryTerm{*gt}, "es", "una lucha libre y una jornada de lucha")
	}

	var gc glossaryCheckRequest
	if check(&gc) {
		var again glossaryCheckRequest
		roundTrip(&gc, &again)
		var v concord.Validation
		lang := checkLang(&v, "lang", gc.Lang, true)
		checkText(&v, "text", gc.Text, false, concord.MaxBody, true)
		if wantInvalid(v.Err()); v.Err() == nil {
			concord.CheckText(nil, lang, gc.Text)
		}
	}
}

// fuzzProcedureBodies decodes a fuzzed body as the body that opens a procedure: what decodes
// round-trips, and goes through the API's checks, the domain's normalization and validation
// and the renaming of its fields without panicking or failing other than as invalid input.
func fuzzProcedureBodies(t *testing.T, check func(any) bool, roundTrip func(v, fresh any), wantInvalid func(error)) {
	now := time.Date(2026, 11, 28, 12, 0, 0, 0, time.UTC)
	var open procedureCreateRequest
	if !check(&open) {
		return
	}
	var again procedureCreateRequest
	roundTrip(&open, &again)
	if diff := cmp.Diff(open, again, cmp.AllowUnexported(procedureCreateRequest{}), cmpopts.EquateEmpty()); diff != "" {
		t.Fatalf("procedure open body does not round-trip (-first +again):\n%s", diff)
	}
	var v concord.Validation
	p := open.procedure(&v)
	wantInvalid(v.Err())
	if !p.OpensAt.IsZero() && p.OpensAt.Location() != time.UTC || !p.Deadline.IsZero() && p.Deadline.Location() != time.UTC {
		t.Fatalf("times not in UTC: %v, %v", p.OpensAt, p.Deadline)
	}
	if p.ElectorateKind != concord.ElectorateList && len(p.Electorate) > 0 || p.ElectorateKind != concord.ElectorateRegion && p.ElectorateRegion != "" {
		t.Fatalf("electorate fields of another kind kept: %+v", p)
	}
	p.Normalize()
	if p.OpensAt.IsZero() {
		p.OpensAt = now
	}
	var prior []concord.FieldError
	if e := concord.AsError(v.Err()); e != nil {
		prior = e.Fields
	}
	err := open.fieldErrors(p.Validate(), prior)
	wantInvalid(err)
	if e := concord.AsError(err); e != nil {
		for _, f := range e.Fields {
			if strings.Contains(f.Field, "_kind") || strings.Contains(f.Field, "_region") || f.Params["field"] != f.Field {
				t.Fatalf("field %q (params %v) is not named as in the request", f.Field, f.Params)
			}
		}
	}
}
