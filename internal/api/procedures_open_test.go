package api

import (
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"concord"
	"concord/internal/sqldb"
	"concord/internal/sqldb/sqldbtest"
)

const proceduresPath = Prefix + "/procedures"

// openBody is the body cmd/concord's multi-instance test sends: a signature collection of
// every member, public, closing at the deadline.
func openBody() map[string]any {
	return map[string]any{"question": "Adopt the joint call?", "rule": map[string]any{"kind": "signatures", "min_signatures": 1},
		"electorate": map[string]any{"kind": "members"}, "visibility": "public", "deadline": deadline.Format(time.RFC3339)}
}

// with returns a copy of body with the given fields replaced; a nil value removes the field.
func with(body map[string]any, kv ...any) map[string]any {
	out := map[string]any{}
	for k, v := range body {
		out[k] = v
	}
	for i := 0; i+1 < len(kv); i += 2 {
		if kv[i+1] == nil {
			delete(out, kv[i].(string))
		} else {
			out[kv[i].(string)] = kv[i+1]
		}
	}
	return out
}

// TestOpenProcedure: coordinators and admins open procedures through the API; the answer is
// what GET /procedures/{id} shows, and delegates can respond at once.
func TestOpenProcedure(t *testing.T) {
	t.Parallel()
	sqldbtest.ForEach(t, func(t *testing.T, db *sqldb.DB) {
		w := newWorld(t, db)
		res := w.do(t, request{Method: "POST", Path: proceduresPath, As: "coordinator", Body: openBody()})
		if res.Status != http.StatusCreated {
			t.Fatalf("open as coordinator: %d %s", res.Status, res.Body)
		}
		created := decodeAs[procedureDetailDTO](t, res)
		if loc := res.Header.Get("Location"); loc != proceduresPath+"/"+created.ID || !concord.ValidID(created.ID) {
			t.Errorf("Location %q for %s", loc, created.ID)
		}
		if created.Question != "Adopt the joint call?" || created.Rule.Kind != "signatures" || created.Rule.MinSignatures != 1 ||
			created.Electorate.Kind != "members" || fmt.Sprint(sorted(created.Electorate.OrganizationIDs)) != fmt.Sprint(sorted([]string{w.orgA, w.orgB})) ||
			created.Visibility != "public" || created.Deadline != formatTime(deadline) || !created.Open || created.Outcome != "pending" ||
			created.Revision != 0 || created.CreatedBy == nil || *created.CreatedBy != w.ids["coordinator"] || created.DocumentID != nil ||
			fmt.Sprint(created.Answers) != "[sign decline]" {
			t.Errorf("created %+v", created.procedureDTO)
		}
		if opens, err := time.Parse(time.RFC3339Nano, created.OpensAt); err != nil || opens.Before(start) || opens.After(start.Add(time.Minute)) {
			t.Errorf("opens_at %s, want about %s (now)", created.OpensAt, start)
		}
		if !created.ResponsesVisible || created.Responses == nil || len(created.Responses) != 0 || created.Result.Tally.Electorate != 2 ||
			created.Result.Outcome != "pending" {
			t.Errorf("created result %+v, responses %v", created.Result, created.Responses)
		}
		got := ok[procedureDetailDTO](t, w, http.StatusOK, request{Method: "GET", Path: proceduresPath + "/" + created.ID})
		if diff := diffDTO(created, got); diff != "" {
			t.Errorf("POST answer and GET differ (-post +get):\n%s", diff)
		}
		w.respond(t, "delegateA", created.ID, w.orgA, "sign")
		if p := ok[procedureDetailDTO](t, w, http.StatusOK, request{Method: "GET", Path: proceduresPath + "/" + created.ID}); p.Result.Outcome != "adopted" {
			t.Errorf("after one signature of one needed: %+v", p.Result)
		}

		// On a text, for a listed electorate, with a qualified majority, opening later (the
		// offset is kept as the instant, written in UTC).
		d := ok[documentDetailDTO](t, w, http.StatusCreated, request{Method: "POST", Path: Prefix + "/documents", As: "admin",
			Body: map[string]string{"kind": "resolution", "visibility": "public", "issuer_body": "Conference", "source_lang": "en", "title": "On peace", "body": "We want peace."}})
		opens := start.Add(24 * time.Hour)
		p := ok[procedureDetailDTO](t, w, http.StatusCreated, request{Method: "POST", Path: proceduresPath, As: "admin", Body: map[string]any{
			"question": "Adopt the text?", "document_id": d.ID,
			"rule":       map[string]any{"kind": "majority", "majority": "qualified", "numerator": 2, "denominator": 3, "base": "electorate", "quorum_percent": 50},
			"electorate": map[string]any{"kind": "list", "organization_ids": []string{w.orgB, w.orgB}},
			"visibility": "members", "opens_at": opens.In(time.FixedZone("", 2*3600)).Format(time.RFC3339), "deadline": deadline.Format(time.RFC3339)}})
		wantRule := ruleDTO{Kind: "majority", Majority: "qualified", Numerator: 2, Denominator: 3, Base: "electorate", QuorumPercent: 50}
		if diff := diffDTO(wantRule, p.Rule); diff != "" {
			t.Errorf("rule (-want +got):\n%s", diff)
		}
		if p.DocumentID == nil || *p.DocumentID != d.ID || p.Document == nil || p.Document.Hash != d.Hash || p.Electorate.Kind != "list" ||
			fmt.Sprint(p.Electorate.OrganizationIDs) != fmt.Sprint([]string{w.orgB}) || p.OpensAt != formatTime(opens) || p.Open ||
			p.Visibility != "members" || fmt.Sprint(p.Answers) != "[approve reject abstain]" {
			t.Errorf("procedure on a text %+v", p.procedureDTO)
		}
		if res := w.respond(t, "delegateB", p.ID, w.orgB, "approve"); res.Status != http.StatusConflict {
			t.Errorf("respond before opens_at: %d %s", res.Status, res.Body)
		}

		// A region: the members of that continent (A is in Germany, B in Turkey).
		r := ok[procedureDetailDTO](t, w, http.StatusCreated, request{Method: "POST", Path: proceduresPath, As: "coordinator",
			Body: with(openBody(), "electorate", map[string]any{"kind": "region", "region": "europe"}, "rule", map[string]any{"kind": "silence"})})
		if r.Electorate.Kind != "region" || r.Electorate.Region != "europe" || fmt.Sprint(r.Electorate.OrganizationIDs) != fmt.Sprint([]string{w.orgA}) {
			t.Errorf("regional electorate %+v", r.Electorate)
		}

		// Nobody else opens procedures; a refusal changes nothing.
		before := w.snapshot(t)
		for _, c := range []struct {
			as     string
			status int
		}{
			{"delegateA", http.StatusForbidden}, {"orgAdminA", http.StatusForbidden}, {"secretariat", http.StatusForbidden},
			{"outsider", http.StatusForbidden}, {"", http.StatusUnauthorized}, {"revoked", http.StatusUnauthorized},
		} {
			res := w.do(t, request{Method: "POST", Path: proceduresPath, As: c.as, Body: openBody(), Header: map[string]string{"Accept-Language": "tr"}})
			if e := apiError(t, res); res.Status != c.status || len(untranslated(e)) > 0 || res.Header.Get("Content-Language") != "tr" {
				t.Errorf("open as %q: %d %+v, want %d", c.as, res.Status, e, c.status)
			}
		}
		w.unchanged(t, before)
	})
}

// decodeAs decodes a JSON response body.
func decodeAs[T any](t *testing.T, res response) T {
	t.Helper()
	var out T
	if err := json.Unmarshal(res.Body, &out); err != nil {
		t.Fatalf("decode %s: %v", res.Body, err)
	}
	return out
}

func sorted(s []string) []string { return slices.Sorted(slices.Values(s)) }

// TestOpenProcedureBadInput: invalid bodies are 422 naming the fields in the request's terms,
// with translated messages, and open nothing.
func TestOpenProcedureBadInput(t *testing.T) {
	t.Parallel()
	sqldbtest.ForEach(t, func(t *testing.T, db *sqldb.DB) {
		w := newWorld(t, db)
		before := w.snapshot(t)
		rule := func(kv ...any) map[string]any { return with(map[string]any{}, kv...) }
		electorate := func(kv ...any) map[string]any { return with(map[string]any{}, kv...) }
		for _, c := range []struct {
			name   string
			body   any
			status int
			fields []string
		}{
			{"unknown rule kind", with(openBody(), "rule", rule("kind", "lottery")), 422, []string{"rule.kind:error.rule"}},
			{"no rule", with(openBody(), "rule", nil), 422, []string{"rule.kind:error.rule"}},
			{"percent 150", with(openBody(), "rule", rule("kind", "signatures", "min_signatures_percent", 150)), 422, []string{"rule.min_signatures_percent:error.percent"}},
			{"quorum below 0", with(openBody(), "rule", rule("kind", "silence", "quorum_percent", -1)), 422, []string{"rule.quorum_percent:error.percent"}},
			{"participation 101", with(openBody(), "rule", rule("kind", "consensus", "min_participation_percent", 101)), 422, []string{"rule.min_participation_percent:error.percent"}},
			{"no threshold", with(openBody(), "rule", rule("kind", "signatures")), 422, []string{"rule.min_signatures:error.threshold_missing"}},
			{"negative signatures", with(openBody(), "rule", rule("kind", "signatures", "min_signatures", -2)), 422, []string{"rule.min_signatures:error.negative"}},
			{"too many signatures", with(openBody(), "rule", rule("kind", "signatures", "min_signatures", 1<<40)), 422, []string{"rule.min_signatures:error.number"}},
			{"qualified 3/2", with(openBody(), "rule", rule("kind", "majority", "majority", "qualified", "numerator", 3, "denominator", 2, "base", "cast")), 422, []string{"rule.numerator:error.fraction"}},
			{"qualified 2/0", with(openBody(), "rule", rule("kind", "majority", "majority", "qualified", "numerator", 2, "base", "cast")), 422, []string{"rule.numerator:error.fraction"}},
			{"huge fraction", with(openBody(), "rule", rule("kind", "majority", "majority", "qualified", "numerator", 1<<40, "denominator", 1<<41, "base", "cast")), 422,
				[]string{"rule.denominator:error.number", "rule.numerator:error.number"}},
			{"unknown majority and base", with(openBody(), "rule", rule("kind", "majority", "majority", "most")), 422, []string{"rule.base:error.majority_base", "rule.majority:error.majority"}},
			{"deadline before opens_at", with(openBody(), "opens_at", deadline.Add(time.Hour).Format(time.RFC3339)), 422, []string{"deadline:error.date_order"}},
			{"deadline at opens_at", with(openBody(), "opens_at", deadline.Format(time.RFC3339)), 422, []string{"deadline:error.date_order"}},
			{"deadline passed", with(openBody(), "deadline", start.Add(-time.Hour).Format(time.RFC3339)), 422, []string{"deadline:error.date_order"}},
			{"no deadline", with(openBody(), "deadline", nil), 422, []string{"deadline:error.missing"}},
			{"deadline not RFC 3339", with(openBody(), "deadline", "2026-12-05"), 422, []string{"deadline:error.datetime"}},
			{"opens_at not RFC 3339", with(openBody(), "opens_at", "tomorrow"), 422, []string{"opens_at:error.datetime"}},
			{"unknown electorate kind", with(openBody(), "electorate", electorate("kind", "everyone")), 422, []string{"electorate.kind:error.electorate"}},
			{"no electorate", with(openBody(), "electorate", nil), 422, []string{"electorate.kind:error.electorate"}},
			{"unknown region", with(openBody(), "electorate", electorate("kind", "region", "region", "atlantis")), 422, []string{"electorate.region:error.region"}},
			{"empty list", with(openBody(), "electorate", electorate("kind", "list", "organization_ids", []string{})), 422, []string{"electorate.organization_ids:error.electorate_empty"}},
			{"list with a non-member", with(openBody(), "electorate", electorate("kind", "list", "organization_ids", []string{w.orgA, w.applicant})), 422,
				[]string{"electorate.organization_ids:error.electorate_members"}},
			{"list with an unknown organization", with(openBody(), "electorate", electorate("kind", "list", "organization_ids", []string{concord.NewID(start)})), 422,
				[]string{"electorate.organization_ids:error.electorate_members"}},
			{"list with a malformed ID", with(openBody(), "electorate", electorate("kind", "list", "organization_ids", []string{w.orgA, "B", "C"})), 422,
				[]string{"electorate.organization_ids:error.id"}},
			{"unknown visibility", with(openBody(), "visibility", "secret"), 422, []string{"visibility:error.response_visibility"}},
			{"no question", with(openBody(), "question", " "), 422, []string{"question:error.missing"}},
			{"question too long", with(openBody(), "question", strings.Repeat("?", 501)), 422, []string{"question:error.too_long"}},
			{"unknown document", with(openBody(), "document_id", concord.NewID(start)), 422, []string{"document_id:error.reference"}},
			{"malformed document ID", with(openBody(), "document_id", "doc-1"), 422, []string{"document_id:error.id"}},
			{"several problems at once", with(openBody(), "opens_at", "soon", "rule", rule("kind", "signatures", "min_signatures_percent", 150), "visibility", "secret"), 422,
				[]string{"opens_at:error.datetime", "rule.min_signatures_percent:error.percent", "visibility:error.response_visibility"}},
			{"unknown field", with(openBody(), "quorum", 50), 400, nil},
			{"unknown rule field", with(openBody(), "rule", rule("kind", "signatures", "min_signatures", 1, "threshold", 2)), 400, nil},
			{"wrong type", with(openBody(), "rule", rule("kind", "signatures", "min_signatures", "one")), 400, nil},
			{"fractional count", with(openBody(), "rule", rule("kind", "signatures", "min_signatures", 1.5)), 400, nil},
			{"not JSON", `{"question": "x",`, 400, nil},
		} {
			res := w.do(t, request{Method: "POST", Path: proceduresPath, As: "coordinator", Body: c.body, Header: map[string]string{"Accept-Language": "de"}})
			e := apiError(t, res)
			if res.Status != c.status || fmt.Sprint(fieldCodes(e)) != fmt.Sprint(c.fields) {
				t.Errorf("%s: %d %+v, want %d with fields %v", c.name, res.Status, e, c.status, c.fields)
			}
			if bad := untranslated(e); len(bad) > 0 || res.Header.Get("Content-Language") != "de" {
				t.Errorf("%s: untranslated %v (Content-Language %q)", c.name, bad, res.Header.Get("Content-Language"))
			}
		}
		w.unchanged(t, before)

		// The messages say what is wrong, in the request's language.
		de := mustBundle().Localizer("de")
		for _, c := range []struct {
			body  map[string]any
			field string
			want  string
		}{
			{with(openBody(), "rule", rule("kind", "lottery")), "rule.kind", de.T("error.rule", "value", "lottery")},
			{with(openBody(), "rule", rule("kind", "signatures", "min_signatures_percent", 150)), "rule.min_signatures_percent",
				de.T("error.percent", "field", "rule.min_signatures_percent")},
			{with(openBody(), "electorate", electorate("kind", "everyone")), "electorate.kind", de.T("error.electorate", "field", "electorate.kind")},
		} {
			res := w.do(t, request{Method: "POST", Path: proceduresPath, As: "coordinator", Body: c.body, Header: map[string]string{"Accept-Language": "de"}})
			e := apiError(t, res)
			if len(e.Fields) != 1 || e.Fields[0].Field != c.field || e.Fields[0].Message != c.want {
				t.Errorf("%s: %+v, want the message %q", c.field, e.Fields, c.want)
			}
		}
		w.unchanged(t, before)
	})
}

// TestListProcedures: anonymous callers and people without a role or mandate see the public
// procedures; members see all; document_id narrows the list.
func TestListProcedures(t *testing.T) {
	t.Parallel()
	sqldbtest.ForEach(t, func(t *testing.T, db *sqldb.DB) {
		w := newWorld(t, db)
		public := w.openProcedure(t, concord.ResponsesPublic, signatures)
		members := w.openProcedure(t, concord.ResponsesMembers, majority)
		hidden := w.openProcedure(t, concord.ResponsesHidden, majority)
		d := ok[documentDetailDTO](t, w, http.StatusCreated, request{Method: "POST", Path: Prefix + "/documents", As: "admin",
			Body: map[string]string{"kind": "resolution", "visibility": "public", "issuer_body": "Conference", "source_lang": "en", "title": "On peace", "body": "We want peace."}})
		onText := ok[procedureDetailDTO](t, w, http.StatusCreated, request{Method: "POST", Path: proceduresPath, As: "coordinator",
			Body: with(openBody(), "document_id", d.ID, "deadline", deadline.Add(time.Hour).Format(time.RFC3339))}).ID

		ids := func(as, query string) []string {
			t.Helper()
			l := ok[listOf[procedureDTO]](t, w, http.StatusOK, request{Method: "GET", Path: proceduresPath + query, As: as})
			var out []string
			for _, p := range l.Items {
				if p.Electorate.OrganizationIDs != nil {
					t.Errorf("a list shows the electorate of %s: %v", p.ID, p.Electorate.OrganizationIDs)
				}
				out = append(out, p.ID)
			}
			return out
		}
		all := fmt.Sprint(append([]string{onText}, sorted([]string{public, members, hidden})...)) // newest deadline first, then by ID
		for _, as := range []string{"admin", "secretariat", "delegateA", "orgAdminB"} {
			if got := fmt.Sprint(ids(as, "")); got != all {
				t.Errorf("as %s: %s, want %s", as, got, all)
			}
		}
		for _, as := range []string{"", "outsider"} {
			if got := fmt.Sprint(ids(as, "")); got != fmt.Sprint([]string{onText, public}) {
				t.Errorf("as %q: %s, want the public ones", as, got)
			}
		}
		if got := fmt.Sprint(ids("", "?document_id="+d.ID)); got != fmt.Sprint([]string{onText}) {
			t.Errorf("on the text: %s", got)
		}
		if got := ids("delegateA", "?document_id="+concord.NewID(start)); len(got) != 0 {
			t.Errorf("on an unknown text: %v", got)
		}
		res := w.do(t, request{Method: "GET", Path: proceduresPath + "?document_id=nope", Header: map[string]string{"Accept-Language": "fa"}})
		if e := apiError(t, res); res.Status != http.StatusUnprocessableEntity || fmt.Sprint(fieldCodes(e)) != "[document_id:error.id]" || len(untranslated(e)) > 0 {
			t.Errorf("malformed document_id: %d %+v", res.Status, e)
		}
	})
}

// TestResponseHistory: an organization's own people and staff read its responses, oldest
// first; others are refused.
func TestResponseHistory(t *testing.T) {
	t.Parallel()
	sqldbtest.ForEach(t, func(t *testing.T, db *sqldb.DB) {
		w := newWorld(t, db)
		id := w.openProcedure(t, concord.ResponsesMembers, majority)
		first := ok[responseDTO](t, w, http.StatusCreated, request{Method: "POST", Path: respondPath(id), As: "delegateA",
			Body: map[string]string{"organization_id": w.orgA, "answer": "approve"}})
		second := ok[responseDTO](t, w, http.StatusCreated, request{Method: "POST", Path: respondPath(id), As: "delegateA",
			Body: map[string]string{"organization_id": w.orgA, "answer": "abstain"}})
		w.respond(t, "delegateB", id, w.orgB, "reject")
		path := func(id, org string) string { return respondPath(id) + "/history?organization_id=" + org }

		first.Current = false
		for _, as := range []string{"delegateA", "orgAdminA", "admin", "coordinator", "secretariat"} {
			l := ok[listOf[responseDTO]](t, w, http.StatusOK, request{Method: "GET", Path: path(id, w.orgA), As: as})
			if diff := diffDTO([]responseDTO{first, second}, l.Items); diff != "" {
				t.Errorf("history as %s (-want +got):\n%s", as, diff)
			}
		}
		if l := ok[listOf[responseDTO]](t, w, http.StatusOK, request{Method: "GET", Path: path(id, w.applicant), As: "admin"}); len(l.Items) != 0 {
			t.Errorf("an organization that never responded: %+v", l.Items)
		}
		public := w.openProcedure(t, concord.ResponsesPublic, signatures)
		for _, c := range []struct {
			name, as, path string
			status         int
			fields         string
		}{
			{"another organization's delegate", "delegateB", path(id, w.orgA), http.StatusForbidden, "[]"},
			{"another organization's org admin", "orgAdminB", path(id, w.orgA), http.StatusForbidden, "[]"},
			{"no mandate, public procedure", "outsider", path(public, w.orgA), http.StatusForbidden, "[]"},
			{"no mandate, members' procedure", "outsider", path(id, w.orgA), http.StatusNotFound, "[]"},
			{"anonymous", "", path(id, w.orgA), http.StatusUnauthorized, "[]"},
			{"unknown procedure", "admin", path(concord.NewID(start), w.orgA), http.StatusNotFound, "[]"},
			{"no organization", "admin", respondPath(id) + "/history", http.StatusUnprocessableEntity, "[organization_id:error.missing]"},
			{"malformed organization", "admin", path(id, "A"), http.StatusUnprocessableEntity, "[organization_id:error.id]"},
		} {
			res := w.do(t, request{Method: "GET", Path: c.path, As: c.as, Header: map[string]string{"Accept-Language": "ru"}})
			e := apiError(t, res)
			if res.Status != c.status || fmt.Sprint(fieldCodes(e)) != c.fields || len(untranslated(e)) > 0 {
				t.Errorf("%s: %d %+v, want %d %s", c.name, res.Status, e, c.status, c.fields)
			}
		}
	})
}

// TestUndecided: staff list the organizations of the electorate that have not responded.
func TestUndecided(t *testing.T) {
	t.Parallel()
	sqldbtest.ForEach(t, func(t *testing.T, db *sqldb.DB) {
		w := newWorld(t, db)
		id := w.openProcedure(t, concord.ResponsesHidden, majority)
		path := proceduresPath + "/" + id + "/undecided"
		names := func(as string) []string {
			t.Helper()
			var out []string
			for _, o := range ok[listOf[organizationDTO]](t, w, http.StatusOK, request{Method: "GET", Path: path, As: as}).Items {
				out = append(out, o.Name)
			}
			return out
		}
		if got := names("coordinator"); fmt.Sprint(got) != "[Organization A Organization B]" {
			t.Errorf("before any response: %v", got)
		}
		w.respond(t, "delegateA", id, w.orgA, "approve")
		for _, as := range []string{"admin", "coordinator", "secretariat"} {
			if got := names(as); fmt.Sprint(got) != "[Organization B]" {
				t.Errorf("as %s after A responded: %v", as, got)
			}
		}
		w.respond(t, "delegateB", id, w.orgB, "reject")
		if got := names("secretariat"); len(got) != 0 {
			t.Errorf("after both responded: %v", got)
		}
		for _, c := range []struct {
			as, path string
			status   int
		}{
			{"delegateA", path, http.StatusForbidden},
			{"orgAdminB", path, http.StatusForbidden},
			{"outsider", path, http.StatusForbidden},
			{"", path, http.StatusUnauthorized},
			{"admin", proceduresPath + "/" + concord.NewID(start) + "/undecided", http.StatusNotFound},
			{"admin", proceduresPath + "/x/undecided", http.StatusNotFound},
		} {
			res := w.do(t, request{Method: "GET", Path: c.path, As: c.as, Header: map[string]string{"Accept-Language": "ar"}})
			if e := apiError(t, res); res.Status != c.status || len(untranslated(e)) > 0 {
				t.Errorf("GET %s as %q: %d %+v, want %d", c.path, c.as, res.Status, e, c.status)
			}
		}
	})
}
