package api

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"concord"
	"concord/internal/live"
	"concord/internal/procedures"
	"concord/internal/sqldb"
	"concord/internal/sqldb/sqldbtest"
)

// deadline is when the tests' procedures close: a week after start.
var deadline = start.AddDate(0, 0, 7)

// openProcedure opens a procedure for every member organization (A and B) through the
// service, as admin.
func (w *world) openProcedure(t *testing.T, vis concord.ResponseVisibility, rule concord.Rule) string {
	t.Helper()
	p := &concord.Procedure{Question: "Adopt the resolution?", Rule: rule, ElectorateKind: concord.ElectorateMembers,
		Visibility: vis, Deadline: deadline}
	sqldbtest.Must(t, w.procs.Open(context.Background(), w.actor(t, "admin"), p))
	return p.ID
}

var (
	signatures = concord.Rule{Kind: concord.RuleSignatures, MinSignatures: 2}
	majority   = concord.Rule{Kind: concord.RuleMajority, Majority: concord.MajorityAbsolute, Base: concord.BaseCast}
)

func respondPath(id string) string { return Prefix + "/procedures/" + id + "/responses" }

// respond posts an answer for an organization as a person.
func (w *world) respond(t *testing.T, as, id, org, answer string) response {
	t.Helper()
	return w.do(t, request{Method: "POST", Path: respondPath(id), As: as, Body: map[string]string{"organization_id": org, "answer": answer}})
}

func TestRespondAndGetProcedure(t *testing.T) {
	t.Parallel()
	sqldbtest.ForEach(t, func(t *testing.T, db *sqldb.DB) {
		w := newWorld(t, db)
		id := w.openProcedure(t, concord.ResponsesPublic, signatures)
		path := Prefix + "/procedures/" + id

		got := ok[responseDTO](t, w, http.StatusCreated, request{Method: "POST", Path: respondPath(id), As: "delegateA",
			Body: map[string]string{"organization_id": w.orgA, "answer": "sign", "language": "ES"}})
		want := responseDTO{ID: got.ID, OrganizationID: w.orgA, PersonID: w.ids["delegateA"], MandateID: w.mandates["delegateA"],
			Answer: "sign", LanguageShown: "es", At: got.At, Revision: 1, Current: true}
		if diff := diffDTO(want, got); diff != "" || !concord.ValidID(got.ID) {
			t.Errorf("response (-want +got):\n%s", diff)
		}

		// Anyone reads a public procedure, with the responses and a translated explanation.
		p := ok[procedureDetailDTO](t, w, http.StatusOK, request{Method: "GET", Path: path, Header: map[string]string{"Accept-Language": "de"}})
		if p.ID != id || p.Rule.Kind != "signatures" || p.Rule.MinSignatures != 2 || !p.Open || p.Outcome != "pending" ||
			p.Electorate.Kind != "members" || len(p.Electorate.OrganizationIDs) != 2 || p.Revision != 1 || p.Document != nil {
			t.Errorf("procedure %+v", p.procedureDTO)
		}
		wantTally := tallyDTO{Electorate: 2, Responded: 1, Counts: map[string]int{"sign": 1, "decline": 0}}
		if diff := diffDTO(wantTally, p.Result.Tally); diff != "" || p.Result.Outcome != "pending" || p.Result.Final {
			t.Errorf("result %+v, tally (-want +got):\n%s", p.Result, diff)
		}
		if len(p.Result.Reasons) != 1 || p.Result.Reasons[0].Key != "result.signatures" || p.Result.Reasons[0].Params["threshold"] != "2" ||
			!strings.Contains(p.Result.Reasons[0].Message, "1 von 2") {
			t.Errorf("reasons %+v", p.Result.Reasons)
		}
		if !p.ResponsesVisible || len(p.Responses) != 1 || p.Responses[0] != got {
			t.Errorf("responses %+v, want [%+v]", p.Responses, got)
		}

		// B signs: adopted (signature collections are adopted when the threshold is reached).
		ok[responseDTO](t, w, http.StatusCreated, request{Method: "POST", Path: respondPath(id), As: "delegateB",
			Body: map[string]string{"organization_id": w.orgB, "answer": "sign"}})
		p = ok[procedureDetailDTO](t, w, http.StatusOK, request{Method: "GET", Path: path, As: "outsider"})
		if p.Result.Outcome != "adopted" || p.Result.Tally.Counts["sign"] != 2 || p.Revision != 2 ||
			p.Result.Reasons[0].Message != "2 of 2 organizations have signed; 2 signatures are needed." {
			t.Errorf("after two signatures: %+v", p.Result)
		}

		// A changes its answer: the new one is current.
		again := ok[responseDTO](t, w, http.StatusCreated, request{Method: "POST", Path: respondPath(id), As: "delegateA",
			Body: map[string]string{"organization_id": w.orgA, "answer": "decline"}})
		if again.Revision != 3 || again.ID == got.ID {
			t.Errorf("second response %+v", again)
		}
		p = ok[procedureDetailDTO](t, w, http.StatusOK, request{Method: "GET", Path: path})
		if p.Result.Tally.Counts["sign"] != 1 || p.Result.Tally.Counts["decline"] != 1 || p.Result.Outcome != "pending" {
			t.Errorf("after the change: %+v", p.Result)
		}

		// Majority: the explanation says what majority is needed.
		mid := w.openProcedure(t, concord.ResponsesMembers, majority)
		w.respond(t, "delegateA", mid, w.orgA, "approve")
		m := ok[procedureDetailDTO](t, w, http.StatusOK, request{Method: "GET", Path: Prefix + "/procedures/" + mid, As: "delegateB"})
		if len(m.Result.Reasons) != 1 || m.Result.Reasons[0].Message != "In favour: 1, against: 0, abstentions: 0; counted of 1. An absolute majority needs 1 of 1." ||
			m.Result.Tally.Counts["approve"] != 1 || m.Result.Tally.Counts["reject"] != 0 {
			t.Errorf("majority result %+v", m.Result)
		}
		// Members see members' procedures; others do not.
		for _, as := range []string{"", "outsider"} {
			if res := w.do(t, request{Method: "GET", Path: Prefix + "/procedures/" + mid, As: as}); res.Status != http.StatusNotFound {
				t.Errorf("members' procedure as %q: %d %s", as, res.Status, res.Body)
			}
		}
		if res := w.do(t, request{Method: "GET", Path: Prefix + "/procedures/" + concord.NewID(start)}); res.Status != http.StatusNotFound {
			t.Errorf("unknown procedure: %d", res.Status)
		}
		if res := w.do(t, request{Method: "GET", Path: Prefix + "/procedures/nope"}); res.Status != http.StatusNotFound {
			t.Errorf("malformed ID: %d", res.Status)
		}
	})
}

// TestRespondAuthorization: only a current delegate of the organization responds, only for
// an organization of the electorate, only before the deadline; a refusal changes nothing.
func TestRespondAuthorization(t *testing.T) {
	t.Parallel()
	sqldbtest.ForEach(t, func(t *testing.T, db *sqldb.DB) {
		w := newWorld(t, db)
		id := w.openProcedure(t, concord.ResponsesPublic, signatures)
		w.respond(t, "delegateB", id, w.orgB, "sign")
		revoked := "orgAdminB" // gets a delegate mandate for A below, then loses it
		md := &concord.Mandate{PersonID: w.ids[revoked], OrgID: w.orgA, Role: concord.RoleDelegate, ValidFrom: day("2026-01-01"), Reference: "letter"}
		sqldbtest.Must(t, w.members.CreateMandate(context.Background(), w.actor(t, "admin"), md))
		sqldbtest.Must(t, w.members.RevokeMandate(context.Background(), w.actor(t, "admin"), md.ID))

		before := w.snapshot(t)
		for _, c := range []struct {
			name, as, org string
			status        int
			key           string
		}{
			{"delegate for another organization", "delegateA", w.orgB, http.StatusForbidden, "error.no_mandate"},
			{"org admin without a delegate mandate", "orgAdminA", w.orgA, http.StatusForbidden, "error.no_mandate"},
			{"revoked delegate mandate", revoked, w.orgA, http.StatusForbidden, "error.no_mandate"},
			{"no mandate at all", "outsider", w.orgA, http.StatusForbidden, "error.no_mandate"},
			{"admin", "admin", w.orgA, http.StatusForbidden, "error.no_mandate"},
			{"no token", "", w.orgA, http.StatusUnauthorized, "error.token_missing"},
			{"revoked token", "revoked", w.orgA, http.StatusUnauthorized, "error.token_invalid"},
		} {
			res := w.do(t, request{Method: "POST", Path: respondPath(id), As: c.as, Body: map[string]string{"organization_id": c.org, "answer": "sign"},
				Header: map[string]string{"Accept-Language": "fr"}})
			e := apiError(t, res)
			if res.Status != c.status || e.Message != mustBundle().Localizer("fr").T(c.key) {
				t.Errorf("%s: %d %+v, want %d with %s in French", c.name, res.Status, e, c.status, c.key)
			}
		}
		if res := w.respond(t, "delegateA", concord.NewID(start), w.orgA, "sign"); res.Status != http.StatusNotFound {
			t.Errorf("unknown procedure: %d %s", res.Status, res.Body)
		}
		w.unchanged(t, before)

		// After the deadline nobody responds, not even a delegate of the electorate.
		w.clock.set(deadline.Add(time.Second))
		res := w.respond(t, "delegateA", id, w.orgA, "sign")
		if e := apiError(t, res); res.Status != http.StatusConflict || e.Code != concord.ECONFLICT || e.Message != "This procedure is not open for responses." {
			t.Errorf("after the deadline: %d %+v", res.Status, e)
		}
		w.unchanged(t, before)
	})
}

// TestRespondBadInput: malformed bodies and answers are refused with the right status and a
// translated message, and change nothing.
func TestRespondBadInput(t *testing.T) {
	t.Parallel()
	sqldbtest.ForEach(t, func(t *testing.T, db *sqldb.DB) {
		w := newWorld(t, db)
		id := w.openProcedure(t, concord.ResponsesPublic, signatures)
		before := w.snapshot(t)
		org := w.orgA
		for _, c := range []struct {
			name   string
			body   any
			ct     string
			status int
			fields []string
		}{
			{"unknown answer", map[string]string{"organization_id": org, "answer": "maybe"}, "", http.StatusUnprocessableEntity, []string{"answer:error.answer"}},
			{"answer of another rule", map[string]string{"organization_id": org, "answer": "approve"}, "", http.StatusUnprocessableEntity, []string{"answer:error.answer"}},
			{"no answer", map[string]string{"organization_id": org}, "", http.StatusUnprocessableEntity, []string{"answer:error.answer"}},
			{"no organization", map[string]string{"answer": "sign"}, "", http.StatusUnprocessableEntity, []string{"organization_id:error.missing"}},
			{"malformed organization", map[string]string{"organization_id": "A", "answer": "sign"}, "", http.StatusUnprocessableEntity, []string{"organization_id:error.id"}},
			{"bad language", map[string]string{"organization_id": org, "answer": "sign", "language": "not a tag"}, "", http.StatusUnprocessableEntity, []string{"language:error.lang"}},
			{"bad JSON", `{"organization_id": "` + org + `", "answer": "sign"`, "", http.StatusBadRequest, nil},
			{"unknown field", map[string]string{"organization_id": org, "answer": "sign", "vote": "yes"}, "", http.StatusBadRequest, nil},
			{"wrong type", `{"organization_id": "` + org + `", "answer": 1}`, "", http.StatusBadRequest, nil},
			{"two objects", `{"organization_id": "` + org + `", "answer": "sign"} {}`, "", http.StatusBadRequest, nil},
			{"wrong content type", `{"organization_id": "` + org + `", "answer": "sign"}`, "text/plain", http.StatusUnsupportedMediaType, nil},
			{"form", "organization_id=" + org + "&answer=sign", "application/x-www-form-urlencoded", http.StatusUnsupportedMediaType, nil},
		} {
			hdr := map[string]string{"Accept-Language": "es"}
			if c.ct != "" {
				hdr["Content-Type"] = c.ct
			}
			res := w.do(t, request{Method: "POST", Path: respondPath(id), As: "delegateA", Body: c.body, Header: hdr})
			e := apiError(t, res)
			if res.Status != c.status || fmt.Sprint(fieldCodes(e)) != fmt.Sprint(c.fields) {
				t.Errorf("%s: %d %+v, want %d with fields %v", c.name, res.Status, e, c.status, c.fields)
			}
			if bad := untranslated(e); len(bad) > 0 || res.Header.Get("Content-Language") != "es" {
				t.Errorf("%s: untranslated %v (Content-Language %q)", c.name, bad, res.Header.Get("Content-Language"))
			}
		}
		res := w.respond(t, "delegateA", id, org, "maybe")
		if e := apiError(t, res); len(e.Fields) != 1 || e.Fields[0].Message != `"maybe" is not an answer this procedure allows.` {
			t.Errorf("unknown answer: %+v", e)
		}
		w.unchanged(t, before)
	})
}

// TestRespondVersion: on a text, a response names the version read; an outdated one is a
// conflict, and without one the response counts for the current version.
func TestRespondVersion(t *testing.T) {
	t.Parallel()
	sqldbtest.ForEach(t, func(t *testing.T, db *sqldb.DB) {
		w := newWorld(t, db)
		d := ok[documentDetailDTO](t, w, http.StatusCreated, request{Method: "POST", Path: Prefix + "/documents", As: "admin",
			Body: map[string]string{"kind": "resolution", "visibility": "public", "issuer_body": "Conference", "source_lang": "en", "title": "On peace", "body": "We want peace."}})
		p := &concord.Procedure{DocumentID: d.ID, Question: "Adopt?", Rule: signatures, ElectorateKind: concord.ElectorateMembers,
			Visibility: concord.ResponsesPublic, Deadline: deadline}
		sqldbtest.Must(t, w.procs.Open(context.Background(), w.actor(t, "admin"), p))
		before := w.snapshot(t)
		res := w.do(t, request{Method: "POST", Path: respondPath(p.ID), As: "delegateA",
			Body: map[string]string{"organization_id": w.orgA, "answer": "sign", "version_hash": strings.Repeat("0", 64)}})
		if e := apiError(t, res); res.Status != http.StatusConflict || !strings.Contains(e.Message, "current version") {
			t.Errorf("outdated version: %d %+v", res.Status, e)
		}
		w.unchanged(t, before)
		r := ok[responseDTO](t, w, http.StatusCreated, request{Method: "POST", Path: respondPath(p.ID), As: "delegateA",
			Body: map[string]string{"organization_id": w.orgA, "answer": "sign", "version_hash": d.Hash}})
		r2 := ok[responseDTO](t, w, http.StatusCreated, request{Method: "POST", Path: respondPath(p.ID), As: "delegateB",
			Body: map[string]string{"organization_id": w.orgB, "answer": "sign"}})
		if r.VersionHash != d.Hash || r2.VersionHash != d.Hash {
			t.Errorf("version hashes %q, %q, want %q", r.VersionHash, r2.VersionHash, d.Hash)
		}
		got := ok[procedureDetailDTO](t, w, http.StatusOK, request{Method: "GET", Path: Prefix + "/procedures/" + p.ID})
		if got.Document == nil || got.Document.ID != d.ID || got.Document.Hash != d.Hash || got.Document.Title != "On peace" ||
			got.DocumentID == nil || *got.DocumentID != d.ID {
			t.Errorf("document %+v", got.Document)
		}
	})
}

// stream opens a procedure's event stream on a real server and returns the events it
// sends, until the context ends.
func stream(t *testing.T, ctx context.Context, srv *httptest.Server, w *world, id, as string) <-chan live.Event {
	t.Helper()
	req, err := http.NewRequestWithContext(ctx, "GET", srv.URL+Prefix+"/procedures/"+id+"/events", nil)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Accept", "text/event-stream")
	if as != "" {
		req.Header.Set("Authorization", "Bearer "+w.tokens[as])
	}
	res, err := srv.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	if res.StatusCode != http.StatusOK || res.Header.Get("Content-Type") != "text/event-stream" {
		b, _ := io.ReadAll(res.Body)
		res.Body.Close()
		t.Fatalf("events as %q: %d %s %s", as, res.StatusCode, res.Header.Get("Content-Type"), b)
	}
	ch := make(chan live.Event, 16)
	go func() {
		defer close(ch)
		defer res.Body.Close()
		_ = live.ReadEvents(res.Body, func(e live.Event) error {
			select {
			case ch <- e:
				return nil
			case <-ctx.Done():
				return ctx.Err()
			}
		})
	}()
	return ch
}

// nextTally waits for the next tally event.
func nextTally(t *testing.T, ch <-chan live.Event) procedures.TallyEvent {
	t.Helper()
	timeout := time.After(10 * time.Second)
	for {
		select {
		case e, open := <-ch:
			if !open {
				t.Fatal("the stream ended before a tally")
			}
			if e.Name != "tally" {
				continue
			}
			var te procedures.TallyEvent
			if err := json.Unmarshal(e.Data, &te); err != nil {
				t.Fatalf("tally %s: %v", e.Data, err)
			}
			if e.ID != uint64(te.Revision) {
				t.Errorf("event ID %d, revision %d", e.ID, te.Revision)
			}
			return te
		case <-timeout:
			t.Fatal("no tally event within 10s")
		}
	}
}

// TestProcedureEvents: a response posted through the API reaches an open event stream as a
// tally; a client resuming with Last-Event-ID gets only what it missed.
func TestProcedureEvents(t *testing.T) {
	t.Parallel()
	sqldbtest.ForEach(t, func(t *testing.T, db *sqldb.DB) {
		w := newWorld(t, db)
		srv := httptest.NewServer(w.mux)
		defer srv.Close()
		ctx, cancel := context.WithCancel(context.Background())
		defer cancel()
		id := w.openProcedure(t, concord.ResponsesPublic, signatures)

		anon := stream(t, ctx, srv, w, id, "") // public: no token needed
		member := stream(t, ctx, srv, w, id, "delegateB")
		w.respond(t, "delegateA", id, w.orgA, "sign")
		for _, ch := range []<-chan live.Event{anon, member} {
			te := nextTally(t, ch)
			if te.Revision != 1 || te.Responded != 1 || te.Counts[concord.AnswerSign] != 1 || te.Electorate != 2 || te.Outcome != concord.OutcomePending {
				t.Errorf("tally %+v", te)
			}
		}
		// Over the real server too.
		body := `{"organization_id": "` + w.orgB + `", "answer": "sign"}`
		req, _ := http.NewRequest("POST", srv.URL+respondPath(id), strings.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("Authorization", "Bearer "+w.tokens["delegateB"])
		res, err := srv.Client().Do(req)
		if err != nil || res.StatusCode != http.StatusCreated {
			t.Fatalf("respond over HTTP: %v %v", res, err)
		}
		res.Body.Close()
		if te := nextTally(t, anon); te.Revision != 2 || te.Counts[concord.AnswerSign] != 2 || te.Outcome != concord.OutcomeAdopted {
			t.Errorf("second tally %+v", te)
		}

		// A fresh stream starts with the current state.
		if te := nextTally(t, stream(t, ctx, srv, w, id, "")); te.Revision != 2 || te.Responded != 2 {
			t.Errorf("state on connect %+v", te)
		}

		// Refused before streaming: members' procedures to others, bad positions.
		mid := w.openProcedure(t, concord.ResponsesMembers, majority)
		for _, c := range []struct {
			as, path string
			header   map[string]string
			status   int
		}{
			{"", "/procedures/" + mid + "/events", nil, http.StatusNotFound},
			{"outsider", "/procedures/" + mid + "/events", nil, http.StatusNotFound},
			{"", "/procedures/" + concord.NewID(start) + "/events", nil, http.StatusNotFound},
			{"", "/procedures/" + id + "/events", map[string]string{"Last-Event-ID": "x"}, http.StatusBadRequest},
			{"", "/procedures/" + id + "/events?last_event_id=-1", nil, http.StatusBadRequest},
			{"revoked", "/procedures/" + id + "/events", nil, http.StatusUnauthorized},
		} {
			res := w.do(t, request{Method: "GET", Path: Prefix + c.path, As: c.as, Header: c.header})
			if res.Status != c.status || len(untranslated(apiError(t, res))) > 0 {
				t.Errorf("GET %s as %q: %d %s, want %d", c.path, c.as, res.Status, res.Body, c.status)
			}
		}
	})
}

// TestHiddenProcedureLeaksNothing: while responses are hidden, neither the procedure nor
// the event stream shows responses or counts; after the deadline they do.
func TestHiddenProcedureLeaksNothing(t *testing.T) {
	t.Parallel()
	sqldbtest.ForEach(t, func(t *testing.T, db *sqldb.DB) {
		w := newWorld(t, db)
		srv := httptest.NewServer(w.mux)
		defer srv.Close()
		ctx, cancel := context.WithCancel(context.Background())
		defer cancel()
		id := w.openProcedure(t, concord.ResponsesHidden, majority)
		path := Prefix + "/procedures/" + id
		w.respond(t, "delegateA", id, w.orgA, "approve")
		w.respond(t, "delegateB", id, w.orgB, "reject")

		for _, as := range []string{"delegateA", "delegateB", "orgAdminA", "admin"} {
			res := w.do(t, request{Method: "GET", Path: path, As: as})
			var p procedureDetailDTO
			if err := json.Unmarshal(res.Body, &p); err != nil || res.Status != http.StatusOK {
				t.Fatalf("as %s: %d %s", as, res.Status, res.Body)
			}
			if p.ResponsesVisible || p.Responses != nil || len(p.Result.Tally.Counts) != 0 || p.Result.Outcome != "pending" ||
				p.Result.Tally.Responded != 2 || len(p.Result.Reasons) != 1 || p.Result.Reasons[0].Key != "result.hidden" {
				t.Errorf("hidden procedure as %s shows %+v", as, p.Result)
			}
			if bytes.Contains(res.Body, []byte(`"counts":{"`)) || bytes.Contains(res.Body, []byte(`"responses":[`)) ||
				bytes.Contains(res.Body, []byte(w.ids["delegateA"])) || bytes.Contains(res.Body, []byte(`"answer"`)) {
				t.Errorf("as %s: %s", as, res.Body)
			}
		}
		for _, as := range []string{"", "outsider"} {
			if res := w.do(t, request{Method: "GET", Path: path, As: as}); res.Status != http.StatusNotFound {
				t.Errorf("hidden procedure as %q: %d", as, res.Status)
			}
			if res := w.do(t, request{Method: "GET", Path: path + "/events", As: as}); res.Status != http.StatusNotFound {
				t.Errorf("hidden procedure's events as %q: %d", as, res.Status)
			}
		}

		// The stream's state has the hidden tally: no counts.
		ch := stream(t, ctx, srv, w, id, "delegateB")
		if te := nextTally(t, ch); te.Counts != nil || te.Responded != 2 || te.Outcome != concord.OutcomePending || te.Final {
			t.Errorf("hidden tally on the stream %+v", te)
		}
		// So has the tally of a response given while watching.
		w.respond(t, "delegateA", id, w.orgA, "abstain")
		if te := nextTally(t, ch); te.Counts != nil || te.Responded != 2 || te.Revision != 3 {
			t.Errorf("hidden tally after a response %+v", te)
		}

		// After the deadline the result is final and the responses are shown.
		w.clock.set(deadline.Add(time.Second))
		p := ok[procedureDetailDTO](t, w, http.StatusOK, request{Method: "GET", Path: path, As: "delegateB"})
		if !p.ResponsesVisible || len(p.Responses) != 2 || !p.Result.Final || p.Result.Outcome != "not_adopted" ||
			p.Result.Tally.Counts["reject"] != 1 || p.Result.Tally.Counts["abstain"] != 1 || p.Open {
			t.Errorf("after the deadline %+v", p)
		}
	})
}
