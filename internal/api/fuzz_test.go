package api

import (
	"bytes"
	"encoding/json"
	"net/http/httptest"
	"slices"
	"testing"
	"time"

	"concord"
	"concord/internal/httpx"

	"github.com/google/go-cmp/cmp"
)

// FuzzDecodeJSON feeds arbitrary bodies and content types to the API's decoder for the
// organization create body and the organization PATCH body. Decoding never panics and either
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
