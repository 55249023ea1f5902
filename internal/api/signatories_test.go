package api

import (
	"bytes"
	"context"
	"encoding/csv"
	"fmt"
	"mime"
	"net/http"
	"strings"
	"testing"
	"time"

	"concord"
	"concord/internal/sqldb"
	"concord/internal/sqldb/sqldbtest"
)

// addMember adds a member organization with a delegate of the given name, who gets a token.
func (w *world) addMember(t *testing.T, o *concord.Organization, delegate string) string {
	t.Helper()
	ctx := context.Background()
	admin := w.actor(t, "admin")
	sqldbtest.Must(t, w.members.CreateOrganization(ctx, admin, o,
		concord.StatusChange{To: concord.StatusMember, DecidedBy: "World Conference", EffectiveOn: day("2015-05-01")}))
	now := w.clock.Now()
	p := &concord.Person{ID: concord.NewID(now), Login: strings.ToLower(delegate), DisplayName: delegate, CreatedAt: now}
	sqldbtest.Must(t, w.db.WithTx(ctx, func(tx *sqldb.Tx) error { return tx.InsertPerson(p, "") }))
	w.ids[delegate] = p.ID
	md := &concord.Mandate{PersonID: p.ID, OrgID: o.ID, Role: concord.RoleDelegate, ValidFrom: day("2026-01-01"), Reference: "letter"}
	sqldbtest.Must(t, w.members.CreateMandate(ctx, admin, md))
	w.mandates[delegate] = md.ID
	_, secret, err := w.auth.CreateToken(ctx, w.actor(t, delegate), "test")
	sqldbtest.Must(t, err)
	w.tokens[delegate] = secret
	return o.ID
}

func signatoriesPath(id string) string { return proceduresPath + "/" + id + "/signatories" }

// signatoriesCSV fetches the CSV list and parses it with encoding/csv.
func (w *world) signatoriesCSV(t *testing.T, id, as string) [][]string {
	t.Helper()
	res := w.do(t, request{Method: "GET", Path: signatoriesPath(id) + ".csv", As: as})
	if res.Status != http.StatusOK || res.Header.Get("Content-Type") != "text/csv; charset=utf-8" {
		t.Fatalf("CSV as %q: %d %s %s", as, res.Status, res.Header.Get("Content-Type"), res.Body)
	}
	disp, params, err := mime.ParseMediaType(res.Header.Get("Content-Disposition"))
	if err != nil || disp != "attachment" || params["filename"] != "signatories-"+id+".csv" {
		t.Errorf("Content-Disposition %q", res.Header.Get("Content-Disposition"))
	}
	if bytes.HasPrefix(res.Body, []byte("\ufeff")) || !bytes.HasSuffix(res.Body, []byte("\r\n")) {
		t.Errorf("CSV starts with a byte order mark or lacks CRLF line ends: %q", res.Body)
	}
	r := csv.NewReader(bytes.NewReader(res.Body))
	r.FieldsPerRecord = 6
	rows, err := r.ReadAll()
	if err != nil {
		t.Fatalf("CSV %q: %v", res.Body, err)
	}
	if len(rows) == 0 || strings.Join(rows[0], ",") != "number,name,name_lang,name_en,country,signed_at" {
		t.Fatalf("CSV header %v", rows)
	}
	return rows[1:]
}

// TestSignatories: the list of a public signature collection numbers the organizations in
// the order they signed, for anyone, as JSON and as CSV.
func TestSignatories(t *testing.T) {
	t.Parallel()
	sqldbtest.ForEach(t, func(t *testing.T, db *sqldb.DB) {
		w := newWorld(t, db)
		orgC := w.addMember(t, &concord.Organization{Name: `Партия "Левых", Москва`, NameLang: "ru", Names: map[string]string{"en": `"Left" Party, Moscow`},
			Country: "RU", Email: "c@example.org"}, "delegateC")
		orgD := w.addMember(t, &concord.Organization{Name: "=Union des travailleurs", NameLang: "fr", Country: "FR", Email: "d@example.org"}, "delegateD")
		id := w.openProcedure(t, concord.ResponsesPublic, signatures)
		mid := w.openProcedure(t, concord.ResponsesPublic, majority)

		empty := ok[signatoryListDTO](t, w, http.StatusOK, request{Method: "GET", Path: signatoriesPath(id)})
		if empty.ProcedureID != id || !empty.Open || empty.Final || empty.Signatories == nil || len(empty.Signatories) != 0 || empty.Stale == nil {
			t.Errorf("before any signature: %+v", empty)
		}
		if rows := w.signatoriesCSV(t, id, ""); len(rows) != 0 {
			t.Errorf("CSV before any signature: %v", rows)
		}

		var at []string
		for _, s := range []struct{ as, org string }{{"delegateB", w.orgB}, {"delegateC", orgC}, {"delegateD", orgD}, {"delegateA", w.orgA}} {
			at = append(at, ok[responseDTO](t, w, http.StatusCreated, request{Method: "POST", Path: respondPath(id), As: s.as,
				Body: map[string]string{"organization_id": s.org, "answer": "sign"}}).At)
		}
		w.respond(t, "delegateD", id, orgD, "decline") // D withdraws: A moves up
		at = append(at[:2], at[3])

		l := ok[signatoryListDTO](t, w, http.StatusOK, request{Method: "GET", Path: signatoriesPath(id), Header: map[string]string{"Accept-Language": "de"}})
		want := []signatoryDTO{
			{Number: 1, OrganizationID: w.orgB, Name: "Organization B", NameLang: "en", Names: map[string]string{}, Country: "TR", SignedAt: at[0]},
			{Number: 2, OrganizationID: orgC, Name: `Партия "Левых", Москва`, NameLang: "ru", Names: map[string]string{"en": `"Left" Party, Moscow`}, Country: "RU", SignedAt: at[1]},
			{Number: 3, OrganizationID: w.orgA, Name: "Organization A", NameLang: "en", Names: map[string]string{}, Country: "DE", SignedAt: at[2]},
		}
		if diff := diffDTO(want, l.Signatories); diff != "" {
			t.Errorf("signatories (-want +got):\n%s", diff)
		}
		if !l.Open || l.Final || len(l.Stale) != 0 {
			t.Errorf("list %+v", l)
		}
		if asOf, err := time.Parse(time.RFC3339Nano, l.AsOf); err != nil || asOf.Before(start) {
			t.Errorf("as_of %q", l.AsOf)
		}
		rows := w.signatoriesCSV(t, id, "outsider")
		wantRows := [][]string{
			{"1", "Organization B", "en", "Organization B", "TR", at[0]},
			{"2", `Партия "Левых", Москва`, "ru", `"Left" Party, Moscow`, "RU", at[1]},
			{"3", "Organization A", "en", "Organization A", "DE", at[2]},
		}
		if fmt.Sprintf("%q", rows) != fmt.Sprintf("%q", wantRows) {
			t.Errorf("CSV rows\n got %q\nwant %q", rows, wantRows)
		}

		// Only the numbered ones are in the CSV; a name that a spreadsheet would take for a
		// formula is defused.
		w.respond(t, "delegateD", id, orgD, "sign")
		rows = w.signatoriesCSV(t, id, "")
		if len(rows) != 4 || rows[3][0] != "4" || rows[3][1] != "'=Union des travailleurs" || rows[3][3] != "'=Union des travailleurs" {
			t.Errorf("CSV with D again: %q", rows)
		}

		// After the deadline the list is final.
		w.clock.set(deadline.Add(time.Second))
		if l := ok[signatoryListDTO](t, w, http.StatusOK, request{Method: "GET", Path: signatoriesPath(id)}); l.Open || !l.Final || len(l.Signatories) != 4 {
			t.Errorf("after the deadline: open %v, final %v, %d signatories", l.Open, l.Final, len(l.Signatories))
		}

		// Other rules have no signatory list; unknown procedures none either.
		for _, path := range []string{signatoriesPath(mid), signatoriesPath(mid) + ".csv", signatoriesPath(concord.NewID(start)),
			signatoriesPath(concord.NewID(start)) + ".csv", signatoriesPath("x") + ".csv"} {
			res := w.do(t, request{Method: "GET", Path: path, As: "admin", Header: map[string]string{"Accept-Language": "es"}})
			if e := apiError(t, res); res.Status != http.StatusNotFound || len(untranslated(e)) > 0 {
				t.Errorf("GET %s: %d %+v", path, res.Status, e)
			}
		}
	})
}

// TestSignatoriesStale: an organization that signed an earlier version of the text is listed
// apart, without a number, and left out of the CSV.
func TestSignatoriesStale(t *testing.T) {
	t.Parallel()
	sqldbtest.ForEach(t, func(t *testing.T, db *sqldb.DB) {
		w := newWorld(t, db)
		d := ok[documentDetailDTO](t, w, http.StatusCreated, request{Method: "POST", Path: Prefix + "/documents", As: "admin",
			Body: map[string]string{"kind": "resolution", "visibility": "public", "issuer_body": "Conference", "source_lang": "en", "title": "On peace", "body": "We want peace."}})
		p := ok[procedureDetailDTO](t, w, http.StatusCreated, request{Method: "POST", Path: proceduresPath, As: "coordinator",
			Body: with(openBody(), "document_id", d.ID)})
		w.respond(t, "delegateA", p.ID, w.orgA, "sign")
		ok[versionDetailDTO](t, w, http.StatusOK, request{Method: "PUT", Path: Prefix + "/documents/" + d.ID + "/text", As: "admin",
			Body: map[string]string{"title": "On peace", "body": "We want peace now.", "summary": "now"}})

		l := ok[signatoryListDTO](t, w, http.StatusOK, request{Method: "GET", Path: signatoriesPath(p.ID)})
		if len(l.Signatories) != 0 || len(l.Stale) != 1 || l.Stale[0].OrganizationID != w.orgA || l.Stale[0].Number != 0 || l.Stale[0].Name != "Organization A" {
			t.Errorf("signatories %+v, stale %+v", l.Signatories, l.Stale)
		}
		if rows := w.signatoriesCSV(t, p.ID, ""); len(rows) != 0 {
			t.Errorf("CSV %q", rows)
		}
	})
}

// TestHiddenSignatories: while responses are hidden the list is refused, as JSON and as CSV,
// even to members; after the deadline members see it. Non-members never see a hidden
// procedure.
func TestHiddenSignatories(t *testing.T) {
	t.Parallel()
	sqldbtest.ForEach(t, func(t *testing.T, db *sqldb.DB) {
		w := newWorld(t, db)
		id := w.openProcedure(t, concord.ResponsesHidden, signatures)
		w.respond(t, "delegateB", id, w.orgB, "sign")
		w.respond(t, "delegateA", id, w.orgA, "sign")
		refused := func(when string, cases map[string]int) {
			t.Helper()
			for as, status := range cases {
				for _, path := range []string{signatoriesPath(id), signatoriesPath(id) + ".csv"} {
					res := w.do(t, request{Method: "GET", Path: path, As: as, Header: map[string]string{"Accept-Language": "fr"}})
					e := apiError(t, res)
					if res.Status != status || len(untranslated(e)) > 0 || bytes.Contains(res.Body, []byte("Organization")) {
						t.Errorf("%s: GET %s as %q: %d %s, want %d", when, path, as, res.Status, res.Body, status)
					}
				}
			}
		}
		refused("before the deadline", map[string]int{"delegateA": 403, "admin": 403, "secretariat": 403, "": 404, "outsider": 404})

		w.clock.set(deadline.Add(time.Second))
		l := ok[signatoryListDTO](t, w, http.StatusOK, request{Method: "GET", Path: signatoriesPath(id), As: "delegateA"})
		if l.Open || !l.Final || len(l.Signatories) != 2 || l.Signatories[0].OrganizationID != w.orgB || l.Signatories[1].OrganizationID != w.orgA {
			t.Errorf("after the deadline: %+v", l)
		}
		if rows := w.signatoriesCSV(t, id, "secretariat"); len(rows) != 2 || rows[0][0] != "1" || rows[0][1] != "Organization B" || rows[1][1] != "Organization A" {
			t.Errorf("CSV after the deadline: %q", rows)
		}
		refused("after the deadline", map[string]int{"": 404, "outsider": 404})
	})
}
