package api

import (
	"bytes"
	"net/http"
	"strings"
	"testing"

	"concord"
	"concord/internal/sqldb"
	"concord/internal/sqldb/sqldbtest"
)

// writeRoute is one route that takes a body, with whom to send it as, a valid body, and a
// string field of that body (for invalid UTF-8 and wrong types).
type writeRoute struct {
	method, path, as string
	valid            string
	textField        string
}

func (w *world) writeRoutes() []writeRoute {
	orgA := Prefix + "/organizations/" + w.orgA
	return []writeRoute{
		{"PATCH", Prefix + "/me", "delegateA", `{"display_name": "D"}`, "display_name"},
		{"POST", Prefix + "/organizations", "coordinator", `{"name": "N", "name_lang": "en", "country": "DE"}`, "name"},
		{"PATCH", orgA, "orgAdminA", `{"name": "N"}`, "name"},
		{"POST", orgA + "/status-changes", "coordinator", `{"status": "suspended", "effective_on": "2026-11-28", "decided_by": "CC"}`, "note"},
		{"POST", Prefix + "/applications", "", `{"name": "N", "name_lang": "en", "country": "DE", "email": "n@example.org"}`, "name"},
		{"PUT", Prefix + "/people/" + w.ids["outsider"] + "/federation-roles", "admin", `{"federation_roles": ["secretariat"]}`, ""},
		{"POST", orgA + "/invitations", "orgAdminA", `{"role": "delegate"}`, "display_name"},
		{"POST", Prefix + "/mandates", "orgAdminA", `{"person_id": "` + w.ids["outsider"] + `", "org_id": "` + w.orgA + `", "role": "delegate"}`, "reference"},
		{"PATCH", Prefix + "/mandates/" + w.mandates["delegateA"], "orgAdminA", `{"reference": "R"}`, "reference"},
		{"POST", Prefix + "/tokens", "delegateA", `{"name": "T"}`, "name"},
	}
}

// TestBadBodies sends every kind of malformed body to every route that takes one: each is
// refused with the right status, code and a translated message, and changes nothing.
func TestBadBodies(t *testing.T) {
	t.Parallel()
	sqldbtest.ForEach(t, func(t *testing.T, db *sqldb.DB) {
		w := newWorld(t, db)
		checkBadBodies(t, w, w.writeRoutes())
	})
}

// badBody is one kind of malformed JSON body and how the API must refuse it.
type badBody struct {
	name        string
	body        func(rt writeRoute) []byte
	contentType string // "" for application/json, "-" for none
	status      int
	code        string
	message     string // English; "" to check only that it is translated
}

func badBodies() []badBody {
	withField := func(rt writeRoute, raw string) string {
		if rt.textField == "" {
			return `{"federation_roles": [` + raw + `]}`
		}
		return `{"` + rt.textField + `": ` + raw + `}`
	}
	return []badBody{
		{"text/plain", func(rt writeRoute) []byte { return []byte(rt.valid) }, "text/plain", 415, "unsupported_media_type", "Send the request body as application/json."},
		{"no content type", func(rt writeRoute) []byte { return []byte(rt.valid) }, "-", 415, "unsupported_media_type", ""},
		{"form encoded", func(rt writeRoute) []byte { return []byte("name=x") }, "application/x-www-form-urlencoded", 415, "unsupported_media_type", ""},
		{"empty", func(writeRoute) []byte { return nil }, "", 400, "bad_request", "The request body is not valid JSON."},
		{"not JSON", func(writeRoute) []byte { return []byte("name=x") }, "", 400, "bad_request", "The request body is not valid JSON."},
		{"array", func(writeRoute) []byte { return []byte(`[]`) }, "", 400, "bad_request", ""},
		{"unknown field", func(rt writeRoute) []byte { return []byte(strings.Replace(rt.valid, "{", `{"colour": "red", `, 1)) }, "", 400, "bad_request", "Unknown field: colour."},
		{"trailing garbage", func(rt writeRoute) []byte { return []byte(rt.valid + " garbage") }, "", 400, "bad_request", "The request body is not valid JSON."},
		{"two objects", func(rt writeRoute) []byte { return []byte(rt.valid + rt.valid) }, "", 400, "bad_request", "The request body is not valid JSON."},
		{"truncated", func(rt writeRoute) []byte { return []byte(rt.valid[:len(rt.valid)-1]) }, "", 400, "bad_request", ""},
		{"invalid UTF-8", func(rt writeRoute) []byte { return []byte(withField(rt, "\"caf\xe9 \xff\xfe\"")) }, "", 400, "bad_request", "The text is not valid UTF-8."},
		{"wrong type", func(rt writeRoute) []byte { return []byte(withField(rt, "12")) }, "", 400, "bad_request", ""},
		{"too large", func(rt writeRoute) []byte {
			return []byte(withField(rt, `"`+strings.Repeat("a", 1<<20)+`"`))
		}, "", 413, "too_large", "The request body is too large."},
	}
}

// checkBadBodies sends every bad body to every route.
func checkBadBodies(t *testing.T, w *world, routes []writeRoute) {
	t.Helper()
	for _, rt := range routes {
		for _, c := range badBodies() {
			t.Run(rt.method+" "+strings.TrimPrefix(rt.path, Prefix)+"/"+c.name, func(t *testing.T) {
				before := w.snapshot(t)
				req := request{Method: rt.method, Path: rt.path, As: rt.as, Body: c.body(rt)}
				if req.Body.([]byte) == nil {
					req.Body = []byte{}
				}
				switch c.contentType {
				case "":
				case "-":
					req.Header = map[string]string{"Content-Type": ""}
				default:
					req.Header = map[string]string{"Content-Type": c.contentType}
				}
				res := w.do(t, req)
				e := apiError(t, res)
				if res.Status != c.status || e.Code != c.code || (c.message != "" && e.Message != c.message) {
					t.Errorf("got %d %s %q, want %d %s %q", res.Status, e.Code, e.Message, c.status, c.code, c.message)
				}
				if bad := untranslated(e); len(bad) > 0 {
					t.Errorf("untranslated: %q", bad)
				}
				w.unchanged(t, before)
			})
		}
	}
}

// TestInvalidInput sends well-formed bodies and queries with invalid values: each is refused
// with 422, the problem fields and translated messages, and changes nothing.
func TestInvalidInput(t *testing.T) {
	t.Parallel()
	sqldbtest.ForEach(t, func(t *testing.T, db *sqldb.DB) {
		w := newWorld(t, db)
		orgA := Prefix + "/organizations/" + w.orgA
		mandateA := Prefix + "/mandates/" + w.mandates["delegateA"]
		outsider, long := w.ids["outsider"], strings.Repeat("ä", concord.MaxName+1)
		tests := []struct {
			name, method, path, as string
			body                   any
			fields                 []string // "field:code", sorted
		}{
			{"org: nothing", "POST", Prefix + "/organizations", "coordinator", map[string]any{},
				[]string{"country:error.missing", "name:error.missing", "name_lang:error.missing"}},
			{"org: country XX", "POST", Prefix + "/organizations", "coordinator", map[string]any{"name": "X", "name_lang": "en", "country": "XX"},
				[]string{"country:error.country"}},
			{"org: long name", "POST", Prefix + "/organizations", "coordinator", map[string]any{"name": long, "name_lang": "en", "country": "DE"},
				[]string{"name:error.too_long"}},
			{"org: long translation", "POST", Prefix + "/organizations", "coordinator", map[string]any{"name": "X", "name_lang": "en", "country": "DE", "names": map[string]string{"fr": long}},
				[]string{"names.fr:error.too_long"}},
			{"org: control character", "POST", Prefix + "/organizations", "coordinator", map[string]any{"name": "X\u0007", "name_lang": "en", "country": "DE"},
				[]string{"name:error.control_char"}},
			{"org: member without decision", "POST", Prefix + "/organizations", "coordinator", map[string]any{"name": "X", "name_lang": "en", "country": "DE", "status": "member"},
				[]string{"decided_by:error.missing"}},
			{"org: starts as former", "POST", Prefix + "/organizations", "coordinator", map[string]any{"name": "X", "name_lang": "en", "country": "DE", "status": "former"},
				[]string{"status:error.initial_status"}},
			{"org: bad date", "POST", Prefix + "/organizations", "coordinator", map[string]any{"name": "X", "name_lang": "en", "country": "DE", "effective_on": "2026-13-01"},
				[]string{"effective_on:error.date"}},
			{"org: bad website and region", "POST", Prefix + "/organizations", "coordinator", map[string]any{"name": "X", "name_lang": "en", "country": "DE", "website": "ftp://x.org", "region": "atlantis"},
				[]string{"region:error.region", "website:error.url"}},
			{"org: too many names", "POST", Prefix + "/organizations", "coordinator", map[string]any{"name": "X", "name_lang": "en", "country": "DE", "names": manyNames(51)},
				[]string{"names:error.too_many"}},
			{"patch org: country XX", "PATCH", orgA, "orgAdminA", map[string]any{"country": "XX"}, []string{"country:error.country"}},
			{"patch org: empty name", "PATCH", orgA, "orgAdminA", map[string]any{"name": " "}, []string{"name:error.missing"}},
			{"patch org: long name", "PATCH", orgA, "orgAdminA", map[string]any{"name": long}, []string{"name:error.too_long"}},
			{"patch org: bad email and language", "PATCH", orgA, "orgAdminA", map[string]any{"email": "nope", "name_lang": "english!"},
				[]string{"email:error.email", "name_lang:error.lang"}},
			{"status: nothing", "POST", orgA + "/status-changes", "coordinator", map[string]any{},
				[]string{"decided_by:error.missing", "effective_on:error.missing", "status:error.status"}},
			{"status: not allowed", "POST", orgA + "/status-changes", "coordinator", map[string]any{"status": "applicant", "effective_on": "2026-11-28"},
				[]string{"status:error.transition"}},
			{"status: before the last change", "POST", orgA + "/status-changes", "coordinator", map[string]any{"status": "suspended", "effective_on": "2010-01-01", "decided_by": "CC"},
				[]string{"effective_on:error.date_before_last"}},
			{"status: bad date", "POST", orgA + "/status-changes", "coordinator", map[string]any{"status": "suspended", "effective_on": "soon", "decided_by": "CC"},
				[]string{"effective_on:error.date"}},
			{"apply: no email", "POST", Prefix + "/applications", "", map[string]any{"name": "X", "name_lang": "en", "country": "DE"},
				[]string{"email:error.missing"}},
			{"apply: country XX", "POST", Prefix + "/applications", "", map[string]any{"name": "X", "name_lang": "en", "country": "XX", "email": "x@example.org"},
				[]string{"country:error.country"}},
			{"apply: long name", "POST", Prefix + "/applications", "", map[string]any{"name": long, "name_lang": "en", "country": "DE", "email": "x@example.org"},
				[]string{"name:error.too_long"}},
			{"roles: missing", "PUT", Prefix + "/people/" + outsider + "/federation-roles", "admin", map[string]any{},
				[]string{"federation_roles:error.missing"}},
			{"roles: unknown", "PUT", Prefix + "/people/" + outsider + "/federation-roles", "admin", map[string]any{"federation_roles": []string{"king"}},
				[]string{"federation_roles:error.role"}},
			{"invite: no role", "POST", orgA + "/invitations", "orgAdminA", map[string]any{}, []string{"role:error.role"}},
			{"invite: bad email and language", "POST", orgA + "/invitations", "orgAdminA", map[string]any{"role": "delegate", "email": "nope", "language": "x"},
				[]string{"email:error.email", "language:error.lang"}},
			{"invite: ends before it starts", "POST", orgA + "/invitations", "orgAdminA", map[string]any{"role": "delegate", "valid_from": "2027-01-01", "valid_until": "2026-01-01"},
				[]string{"valid_until:error.date_order"}},
			{"invite: bad date", "POST", orgA + "/invitations", "orgAdminA", map[string]any{"role": "delegate", "valid_until": "31.12.2027"},
				[]string{"valid_until:error.date"}},
			{"mandate: nothing", "POST", Prefix + "/mandates", "orgAdminA", map[string]any{},
				[]string{"org_id:error.missing", "person_id:error.missing"}},
			{"mandate: bad person ID", "POST", Prefix + "/mandates", "orgAdminA", map[string]any{"person_id": "nope", "org_id": w.orgA, "role": "delegate"},
				[]string{"person_id:error.id"}},
			{"mandate: unknown person", "POST", Prefix + "/mandates", "orgAdminA", map[string]any{"person_id": "0190f4a2-0000-7000-8000-000000000000", "org_id": w.orgA, "role": "delegate"},
				nil},
			{"mandate: unknown role", "POST", Prefix + "/mandates", "orgAdminA", map[string]any{"person_id": outsider, "org_id": w.orgA, "role": "boss"},
				[]string{"role:error.role"}},
			{"mandate: bad date", "POST", Prefix + "/mandates", "orgAdminA", map[string]any{"person_id": outsider, "org_id": w.orgA, "role": "delegate", "valid_from": "tomorrow"},
				[]string{"valid_from:error.date"}},
			{"patch mandate: unknown role", "PATCH", mandateA, "orgAdminA", map[string]any{"role": "boss"}, []string{"role:error.role"}},
			{"patch mandate: bad date", "PATCH", mandateA, "orgAdminA", map[string]any{"valid_from": "x"}, []string{"valid_from:error.date"}},
			{"patch mandate: no start", "PATCH", mandateA, "orgAdminA", map[string]any{"valid_from": ""}, []string{"valid_from:error.missing"}},
			{"patch mandate: ends before it starts", "PATCH", mandateA, "orgAdminA", map[string]any{"valid_until": "2000-01-01"}, []string{"valid_until:error.date_order"}},
			{"me: unknown time zone", "PATCH", Prefix + "/me", "delegateA", map[string]any{"time_zone": "Mars/Olympus"}, []string{"time_zone:error.time_zone"}},
			{"me: empty name", "PATCH", Prefix + "/me", "delegateA", map[string]any{"display_name": ""}, []string{"display_name:error.missing"}},
			{"me: bad email and language", "PATCH", Prefix + "/me", "delegateA", map[string]any{"email": "x", "language": "not a tag"},
				[]string{"email:error.email", "language:error.lang"}},
			{"token: long name", "POST", Prefix + "/tokens", "delegateA", map[string]any{"name": long}, []string{"name:error.too_long"}},
			{"list: unknown status", "GET", Prefix + "/organizations?status=member&status=king", "", nil, []string{"status:error.status"}},
			{"list: bad paging", "GET", Prefix + "/organizations?limit=0&offset=-1", "", nil, []string{"limit:error.number", "offset:error.number"}},
			{"list: limit not a number", "GET", Prefix + "/organizations?limit=ten", "", nil, []string{"limit:error.number"}},
			{"list: country and region", "GET", Prefix + "/organizations?country=XX&region=mars", "", nil, []string{"country:error.country", "region:error.region"}},
			{"list: invalid UTF-8", "GET", Prefix + "/organizations?q=%FF", "", nil, []string{"q:error.invalid_utf8"}},
			{"list: control character", "GET", Prefix + "/organizations?q=a%00b", "", nil, []string{"q:error.control_char"}},
			{"audit: control character", "GET", Prefix + "/audit-events?action=mandate.%00", "admin", nil, []string{"action:error.control_char"}},
			{"list: long query", "GET", Prefix + "/organizations?q=" + strings.Repeat("a", 201), "", nil, []string{"q:error.too_long"}},
			{"audit: bad filters", "GET", Prefix + "/audit-events?before=yesterday&person_id=x&limit=501", "admin", nil,
				[]string{"before:error.datetime", "limit:error.number", "person_id:error.id"}},
			{"anniversaries: bad window", "GET", Prefix + "/anniversaries?days=0", "", nil, []string{"days:error.number"}},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				before := w.snapshot(t)
				res := w.do(t, request{Method: tt.method, Path: tt.path, As: tt.as, Body: tt.body})
				e := apiError(t, res)
				if res.Status != http.StatusUnprocessableEntity || e.Code != "invalid" {
					t.Fatalf("got %d %s, want 422 invalid: %s", res.Status, e.Code, res.Body)
				}
				if diff := diffDTO(tt.fields, fieldCodes(e)); diff != "" {
					t.Errorf("fields (-want +got):\n%s\n%s", diff, res.Body)
				}
				if bad := untranslated(e); len(bad) > 0 {
					t.Errorf("untranslated: %q", bad)
				}
				w.unchanged(t, before)
			})
		}
	})
}

func manyNames(n int) map[string]string {
	out := map[string]string{}
	for i := range n {
		out[string([]byte{'a' + byte(i/26), 'a' + byte(i%26)})] = "x"
	}
	return out
}

// TestTranslatedErrors checks that error messages follow Accept-Language.
func TestTranslatedErrors(t *testing.T) {
	t.Parallel()
	sqldbtest.ForEach(t, func(t *testing.T, db *sqldb.DB) {
		w := newWorld(t, db)
		tests := []struct {
			lang         string
			wantLanguage string
			want         errorDTO
		}{
			{"de-CH, de;q=0.9, en;q=0.5", "de", errorDTO{Code: "invalid", Message: "Die Eingabe ist ungültig.",
				Fields: []fieldErrorDTO{{Field: "country", Code: "error.country", Message: "„XX“ ist kein Ländercode nach ISO 3166-1."}}}},
			{"", "en", errorDTO{Code: "invalid", Message: "The input is not valid.",
				Fields: []fieldErrorDTO{{Field: "country", Code: "error.country", Message: "\"XX\" is not an ISO 3166-1 country code."}}}},
			{"zh-CN", "en", errorDTO{Code: "invalid", Message: "The input is not valid.",
				Fields: []fieldErrorDTO{{Field: "country", Code: "error.country", Message: "\"XX\" is not an ISO 3166-1 country code."}}}},
		}
		for _, tt := range tests {
			t.Run(tt.lang, func(t *testing.T) {
				t.Parallel()
				res := w.do(t, request{Method: "POST", Path: Prefix + "/organizations", As: "coordinator",
					Body: map[string]any{"name": "X", "name_lang": "en", "country": "XX"}, Header: map[string]string{"Accept-Language": tt.lang}})
				if diff := diffDTO(tt.want, apiError(t, res)); diff != "" || res.Status != 422 {
					t.Errorf("status %d, error (-want +got):\n%s", res.Status, diff)
				}
				if got := res.Header.Get("Content-Language"); got != tt.wantLanguage {
					t.Errorf("Content-Language %q, want %q", got, tt.wantLanguage)
				}
			})
		}
		// Every supported language translates the API's own messages.
		for _, lang := range mustBundle().Languages() {
			res := w.do(t, request{Method: "GET", Path: Prefix + "/organizations?limit=0&before=x", Header: map[string]string{"Accept-Language": lang.Tag}})
			e := apiError(t, res)
			if bad := untranslated(e); len(bad) > 0 || (lang.Tag != "en" && bytes.Contains(res.Body, []byte("whole number"))) {
				t.Errorf("%s: %s", lang.Tag, res.Body)
			}
		}
	})
}
