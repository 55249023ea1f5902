package api

import (
	"context"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"

	"concord"
	"concord/internal/sqldb"
	"concord/internal/sqldb/sqldbtest"

	"github.com/google/go-cmp/cmp/cmpopts"
)

func TestTokenAuth(t *testing.T) {
	t.Parallel()
	sqldbtest.ForEach(t, func(t *testing.T, db *sqldb.DB) {
		w := newWorld(t, db)
		tests := []struct {
			name          string
			path          string
			authorization string // "" sends no header
			as            string
			want          int
			wantChallenge string // WWW-Authenticate
			wantMessage   string
		}{
			{name: "no token", path: "/me", want: 401, wantChallenge: `Bearer realm="concord"`,
				wantMessage: "This request needs an API token: send Authorization: Bearer <token>."},
			{name: "wrong token", path: "/me", authorization: "Bearer cc_0123456789abcdef", want: 401,
				wantChallenge: `Bearer realm="concord", error="invalid_token"`, wantMessage: "The API token is invalid or has been revoked."},
			{name: "revoked token", path: "/me", as: "revoked", want: 401, wantChallenge: `Bearer realm="concord", error="invalid_token"`},
			{name: "basic scheme", path: "/me", authorization: "Basic YWRtaW46YWRtaW4=", want: 401, wantChallenge: `Bearer realm="concord", error="invalid_token"`},
			{name: "empty bearer", path: "/me", authorization: "Bearer ", want: 401, wantChallenge: `Bearer realm="concord", error="invalid_token"`},
			{name: "overlong token", path: "/me", authorization: "Bearer " + strings.Repeat("x", 5000), want: 401},
			{name: "lower-case scheme", path: "/me", authorization: "bearer " + w.tokens["admin"], want: 200},
			{name: "valid token", path: "/me", as: "admin", want: 200},
			{name: "public route without token", path: "/organizations", want: 200},
			{name: "public route with a wrong token", path: "/organizations", authorization: "Bearer nope", want: 401},
			{name: "protected list without token", path: "/audit-events", want: 401, wantChallenge: `Bearer realm="concord"`},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				t.Parallel()
				req := request{Method: http.MethodGet, Path: Prefix + tt.path, As: tt.as}
				if tt.authorization != "" {
					req.Header = map[string]string{"Authorization": tt.authorization}
				}
				res := w.do(t, req)
				if res.Status != tt.want {
					t.Fatalf("status %d, want %d: %s", res.Status, tt.want, res.Body)
				}
				if tt.want != 401 {
					return
				}
				if got := res.Header.Get("WWW-Authenticate"); tt.wantChallenge != "" && got != tt.wantChallenge {
					t.Errorf("WWW-Authenticate %q, want %q", got, tt.wantChallenge)
				}
				e := apiError(t, res)
				if e.Code != "unauthorized" || (tt.wantMessage != "" && e.Message != tt.wantMessage) {
					t.Errorf("error %+v, want code unauthorized and message %q", e, tt.wantMessage)
				}
			})
		}
	})
}

func TestTokenLifecycle(t *testing.T) {
	t.Parallel()
	sqldbtest.ForEach(t, func(t *testing.T, db *sqldb.DB) {
		w := newWorld(t, db)
		created := ok[tokenCreatedDTO](t, w, 201, request{Method: "POST", Path: Prefix + "/tokens", As: "delegateA", Body: map[string]any{"name": "  my script  "}})
		if created.Name != "my script" || !strings.HasPrefix(created.Secret, "cc_") || created.RevokedAt != nil {
			t.Fatalf("created token %+v", created)
		}
		w.tokens["script"] = created.Secret
		me := ok[personWithMandatesDTO](t, w, 200, request{Method: "GET", Path: Prefix + "/me", As: "script"})
		if me.ID != w.ids["delegateA"] {
			t.Fatalf("the new token acts as %s, want delegateA", me.Login)
		}
		toks := ok[listOf[tokenDTO]](t, w, 200, request{Method: "GET", Path: Prefix + "/tokens", As: "delegateA"})
		if !slices.ContainsFunc(toks.Items, func(tk tokenDTO) bool { return tk.ID == created.ID }) {
			t.Fatalf("token list %+v lacks %s", toks.Items, created.ID)
		}
		if strings.Contains(string(w.do(t, request{Method: "GET", Path: Prefix + "/tokens", As: "delegateA"}).Body), created.Secret) {
			t.Fatal("the token list shows a secret")
		}
		// Someone else cannot revoke it.
		if res := w.do(t, request{Method: "DELETE", Path: Prefix + "/tokens/" + created.ID, As: "delegateB"}); res.Status != 404 {
			t.Fatalf("another person's revoke: status %d", res.Status)
		}
		ok[struct{}](t, w, 204, request{Method: "DELETE", Path: Prefix + "/tokens/" + created.ID, As: "script"})
		if res := w.do(t, request{Method: "GET", Path: Prefix + "/me", As: "script"}); res.Status != 401 {
			t.Fatalf("revoked token: status %d, want 401", res.Status)
		}
		if res := w.do(t, request{Method: "DELETE", Path: Prefix + "/tokens/" + created.ID, As: "delegateA"}); res.Status != 404 {
			t.Fatalf("second revoke: status %d, want 404", res.Status)
		}
	})
}

func TestOrganizationFlow(t *testing.T) {
	t.Parallel()
	sqldbtest.ForEach(t, func(t *testing.T, db *sqldb.DB) {
		w := newWorld(t, db)
		create := map[string]any{"name": "Partido del Trabajo", "name_lang": "es", "names": map[string]string{"en": "Labour Party"},
			"abbreviation": "PT", "country": "mx", "website": "https://pt.example.org", "description": "Founded 1990.",
			"email": "info@pt.example.org", "status": "member", "effective_on": "2016-03-08", "decided_by": "World Conference 2016"}
		res := w.do(t, request{Method: "POST", Path: Prefix + "/organizations", As: "coordinator", Body: create})
		if res.Status != 201 {
			t.Fatalf("create: %d %s", res.Status, res.Body)
		}
		org := ok[organizationDTO](t, w, 200, request{Method: "GET", Path: res.Header.Get("Location"), As: "coordinator"})
		want := organizationDTO{ID: org.ID, Name: "Partido del Trabajo", NameLang: "es", Names: map[string]string{"en": "Labour Party"},
			Abbreviation: "PT", Country: "MX", Region: "americas", Website: "https://pt.example.org", Description: "Founded 1990.",
			Email: "info@pt.example.org", Status: "member", MemberSince: ptr("2016-03-08"), CreatedAt: org.CreatedAt, UpdatedAt: org.UpdatedAt}
		if diff := diffDTO(want, org); diff != "" {
			t.Fatalf("created organization (-want +got):\n%s", diff)
		}
		orgPath := Prefix + "/organizations/" + org.ID

		// Anonymous visitors see the member without its contact email.
		public := ok[organizationDTO](t, w, 200, request{Method: "GET", Path: orgPath})
		if public.Email != "" || public.Name != want.Name {
			t.Errorf("public view %+v", public)
		}

		// PATCH merges: only the abbreviation changes.
		patched := ok[organizationDTO](t, w, 200, request{Method: "PATCH", Path: orgPath, As: "coordinator", Body: map[string]any{"abbreviation": "PdT"}})
		want.Abbreviation, want.UpdatedAt = "PdT", patched.UpdatedAt
		if diff := diffDTO(want, patched); diff != "" {
			t.Fatalf("patched (-want +got):\n%s", diff)
		}
		// A new country without a region derives the region again; names replace all translations.
		patched = ok[organizationDTO](t, w, 200, request{Method: "PATCH", Path: orgPath, As: "coordinator",
			Body: map[string]any{"country": "ES", "names": map[string]string{"de": "Partei der Arbeit"}, "email": nil}})
		want.Country, want.Region, want.Names, want.UpdatedAt = "ES", "europe", map[string]string{"de": "Partei der Arbeit"}, patched.UpdatedAt
		if diff := diffDTO(want, patched); diff != "" {
			t.Fatalf("patched country (-want +got):\n%s", diff)
		}

		// List filters.
		list := func(query string, as string) []string {
			t.Helper()
			l := ok[listOf[organizationDTO]](t, w, 200, request{Method: "GET", Path: Prefix + "/organizations" + query, As: as})
			var names []string
			for _, o := range l.Items {
				names = append(names, o.Name)
			}
			return names
		}
		for _, c := range []struct {
			query, as string
			want      []string
		}{
			{"", "", []string{"Organization A", "Partido del Trabajo", "Organization B"}},
			{"", "coordinator", []string{"Organization A", "Partido del Trabajo", "Applicant C", "Organization B"}},
			{"?status=applicant", "", nil},
			{"?status=applicant", "coordinator", []string{"Applicant C"}},
			{"?status=applicant&status=member", "coordinator", []string{"Organization A", "Partido del Trabajo", "Applicant C", "Organization B"}},
			{"?country=tr", "", []string{"Organization B"}},
			{"?region=europe", "", []string{"Organization A", "Partido del Trabajo"}},
			{"?q=" + url.QueryEscape("der arbeit"), "", []string{"Partido del Trabajo"}},
			{"?q=organization&limit=1", "", []string{"Organization A"}},
			{"?q=organization&limit=1&offset=1", "", []string{"Organization B"}},
		} {
			if diff := diffDTO(c.want, list(c.query, c.as)); diff != "" {
				t.Errorf("GET /organizations%s as %q (-want +got):\n%s", c.query, c.as, diff)
			}
		}

		// Status changes: suspend, then the history shows both entries.
		after := ok[organizationDTO](t, w, 201, request{Method: "POST", Path: orgPath + "/status-changes", As: "coordinator",
			Body: map[string]any{"status": "suspended", "effective_on": "2026-11-01", "decided_by": "Coordinating Committee", "note": "dues"}})
		if after.Status != "suspended" || after.MemberSince == nil || *after.MemberSince != "2016-03-08" {
			t.Fatalf("after suspension: %+v", after)
		}
		history := ok[listOf[statusChangeDTO]](t, w, 200, request{Method: "GET", Path: orgPath + "/status-changes", As: "coordinator"})
		got := make([]statusChangeDTO, len(history.Items))
		for i, c := range history.Items {
			got[i] = statusChangeDTO{From: c.From, To: c.To, EffectiveOn: c.EffectiveOn, DecidedBy: c.DecidedBy, Note: c.Note, RecordedBy: c.RecordedBy}
		}
		coordinator := w.ids["coordinator"]
		if diff := diffDTO([]statusChangeDTO{
			{To: "member", EffectiveOn: "2016-03-08", DecidedBy: "World Conference 2016", RecordedBy: &coordinator},
			{From: ptr("member"), To: "suspended", EffectiveOn: "2026-11-01", DecidedBy: "Coordinating Committee", Note: "dues", RecordedBy: &coordinator},
		}, got); diff != "" {
			t.Errorf("history (-want +got):\n%s", diff)
		}
		publicHistory := ok[listOf[statusChangeDTO]](t, w, 200, request{Method: "GET", Path: orgPath + "/status-changes"})
		if n := len(publicHistory.Items); n != 2 || publicHistory.Items[1].Note != "" || publicHistory.Items[1].RecordedBy != nil {
			t.Errorf("public history shows private fields: %+v", publicHistory.Items)
		}

		// Audit: the coordinator's acts, newest first, with their changes.
		events := ok[auditPage](t, w, 200, request{Method: "GET", Path: Prefix + "/audit-events?action=organization.&person_id=" + coordinator, As: "secretariat"})
		var actions []string
		for _, e := range events.Items {
			actions = append(actions, e.Action)
		}
		if diff := diffDTO([]string{"organization.status", "organization.update", "organization.update", "organization.create"}, actions); diff != "" {
			t.Errorf("audit actions (-want +got):\n%s", diff)
		}
		if c := events.Items[2].Changes["abbreviation"]; c != (changeDTO{Old: "PT", New: "PdT"}) {
			t.Errorf("audit change of abbreviation: %+v", c)
		}
		// Paging with limit and next_before walks every event once.
		page1 := ok[auditPage](t, w, 200, request{Method: "GET", Path: Prefix + "/audit-events?limit=2&person_id=" + coordinator, As: "admin"})
		if len(page1.Items) != 2 || page1.NextBefore == nil {
			t.Fatalf("page 1: %d items, next %v", len(page1.Items), page1.NextBefore)
		}
		page2 := ok[auditPage](t, w, 200, request{Method: "GET", Path: Prefix + "/audit-events?limit=2&person_id=" + coordinator + "&before=" + url.QueryEscape(*page1.NextBefore), As: "admin"})
		if len(page2.Items) != 2 || page2.Items[0].ID == page1.Items[1].ID || page2.Items[1].Action != "organization.create" {
			t.Errorf("page 2: %+v", page2.Items)
		}
	})
}

func TestApplicationFlow(t *testing.T) {
	t.Parallel()
	sqldbtest.ForEach(t, func(t *testing.T, db *sqldb.DB) {
		w := newWorld(t, db)
		app := ok[organizationDTO](t, w, 201, request{Method: "POST", Path: Prefix + "/applications",
			Body:   map[string]any{"name": "Союз", "name_lang": "ru", "country": "RU", "email": "soyuz@example.org", "note": "Hello"},
			Header: map[string]string{"Content-Type": "application/json; charset=utf-8"}})
		if app.Status != "applicant" || app.Region != "europe" {
			t.Fatalf("application %+v", app)
		}
		path := Prefix + "/organizations/" + app.ID
		// Anonymous visitors cannot see applicants, in the list or alone.
		if res := w.do(t, request{Method: "GET", Path: path}); res.Status != 404 {
			t.Errorf("anonymous GET applicant: %d", res.Status)
		}
		if res := w.do(t, request{Method: "GET", Path: path + "/status-changes"}); res.Status != 404 {
			t.Errorf("anonymous GET applicant history: %d", res.Status)
		}
		for _, query := range []string{"", "?status=applicant", "?country=RU"} {
			anon := ok[listOf[organizationDTO]](t, w, 200, request{Method: "GET", Path: Prefix + "/organizations" + query})
			if slices.ContainsFunc(anon.Items, func(o organizationDTO) bool { return o.Status == "applicant" }) {
				t.Errorf("anonymous GET /organizations%s shows applicants: %+v", query, anon.Items)
			}
		}
		// A delegate of another organization cannot either.
		if res := w.do(t, request{Method: "GET", Path: path, As: "delegateA"}); res.Status != 404 {
			t.Errorf("delegate GET applicant: %d", res.Status)
		}
		// The coordinators admit it; then it is public.
		ok[organizationDTO](t, w, 201, request{Method: "POST", Path: path + "/status-changes", As: "coordinator",
			Body: map[string]any{"status": "member", "effective_on": "2026-11-28", "decided_by": "Coordinating Committee"}})
		got := ok[organizationDTO](t, w, 200, request{Method: "GET", Path: path})
		if got.Status != "member" || got.MemberSince == nil || *got.MemberSince != "2026-11-28" || got.Email != "" {
			t.Errorf("admitted: %+v", got)
		}
		// Anniversaries: organizations A and B joined on 2015-05-01, so they turn 15 in 2030.
		js := ok[listOf[jubileeDTO]](t, w, 200, request{Method: "GET", Path: Prefix + "/anniversaries?days=2000"})
		var names []string
		for _, j := range js.Items {
			if j.On == "2030-05-01" && j.Years == 15 {
				names = append(names, j.Name)
			}
		}
		slices.Sort(names)
		if diff := diffDTO([]string{"Organization A", "Organization B"}, names); diff != "" {
			t.Errorf("jubilees (-want +got):\n%s\nall: %+v", diff, js.Items)
		}
	})
}

func TestPeopleFlow(t *testing.T) {
	t.Parallel()
	sqldbtest.ForEach(t, func(t *testing.T, db *sqldb.DB) {
		w := newWorld(t, db)
		me := ok[personWithMandatesDTO](t, w, 200, request{Method: "GET", Path: Prefix + "/me", As: "delegateA"})
		if me.Login != "delegatea" || len(me.Mandates) != 1 || me.Mandates[0].OrgID != w.orgA || me.Mandates[0].Role != "delegate" || !me.Mandates[0].Current {
			t.Fatalf("me: %+v", me)
		}
		admin := ok[personWithMandatesDTO](t, w, 200, request{Method: "GET", Path: Prefix + "/me", As: "admin"})
		if diff := diffDTO([]string{"admin"}, admin.FederationRoles); diff != "" || len(admin.Mandates) != 0 {
			t.Errorf("admin roles (-want +got):\n%s", diff)
		}

		// PATCH /me merges.
		patched := ok[personWithMandatesDTO](t, w, 200, request{Method: "PATCH", Path: Prefix + "/me", As: "delegateA",
			Body: map[string]any{"display_name": "Ayşe", "language": "tr", "time_zone": "Europe/Istanbul"}})
		wantMe := me
		wantMe.DisplayName, wantMe.Language, wantMe.TimeZone = "Ayşe", "tr", "Europe/Istanbul"
		if diff := diffDTO(wantMe, patched); diff != "" {
			t.Errorf("patched me (-want +got):\n%s", diff)
		}
		patched = ok[personWithMandatesDTO](t, w, 200, request{Method: "PATCH", Path: Prefix + "/me", As: "delegateA", Body: map[string]any{"email": "ayse@example.org"}})
		if patched.Email != "ayse@example.org" || patched.DisplayName != "Ayşe" || patched.TimeZone != "Europe/Istanbul" {
			t.Errorf("second patch lost fields: %+v", patched)
		}

		// Who sees whom.
		everyone := ok[listOf[personDTO]](t, w, 200, request{Method: "GET", Path: Prefix + "/people", As: "secretariat"})
		if len(everyone.Items) != len(w.ids) {
			t.Errorf("GET /people: %d people, want %d", len(everyone.Items), len(w.ids))
		}
		if res := w.do(t, request{Method: "GET", Path: Prefix + "/people", As: "delegateA"}); res.Status != 403 {
			t.Errorf("delegate GET /people: %d", res.Status)
		}
		peopleA := ok[listOf[personWithMandatesDTO]](t, w, 200, request{Method: "GET", Path: Prefix + "/organizations/" + w.orgA + "/people", As: "orgAdminA"})
		var logins []string
		for _, p := range peopleA.Items {
			logins = append(logins, p.Login)
			if len(p.Mandates) != 1 || p.Mandates[0].OrgID != w.orgA {
				t.Errorf("%s mandates %+v", p.Login, p.Mandates)
			}
		}
		slices.Sort(logins)
		if diff := diffDTO([]string{"delegatea", "orgadmina"}, logins); diff != "" {
			t.Errorf("people of A (-want +got):\n%s", diff)
		}
		person := ok[personWithMandatesDTO](t, w, 200, request{Method: "GET", Path: Prefix + "/people/" + w.ids["delegateA"], As: "orgAdminA"})
		if person.DisplayName != "Ayşe" {
			t.Errorf("GET person: %+v", person)
		}
		if res := w.do(t, request{Method: "GET", Path: Prefix + "/people/" + w.ids["delegateB"], As: "orgAdminA"}); res.Status != 404 {
			t.Errorf("org admin of A sees a person of B: %d", res.Status)
		}

		// Federation roles: the admin makes the outsider a coordinator, who can then add an organization.
		roles := ok[personWithMandatesDTO](t, w, 200, request{Method: "PUT", Path: Prefix + "/people/" + w.ids["outsider"] + "/federation-roles", As: "admin",
			Body: map[string]any{"federation_roles": []string{"coordinator", "secretariat", "coordinator"}}})
		if diff := diffDTO([]string{"coordinator", "secretariat"}, roles.FederationRoles, cmpopts.SortSlices(func(a, b string) bool { return a < b })); diff != "" {
			t.Errorf("roles (-want +got):\n%s", diff)
		}
		ok[organizationDTO](t, w, 201, request{Method: "POST", Path: Prefix + "/organizations", As: "outsider",
			Body: map[string]any{"name": "New", "name_lang": "en", "country": "GB"}})
		// The last admin cannot remove their own role.
		before := w.snapshot(t)
		res := w.do(t, request{Method: "PUT", Path: Prefix + "/people/" + w.ids["admin"] + "/federation-roles", As: "admin", Body: map[string]any{"federation_roles": []string{}}})
		if e := apiError(t, res); res.Status != 409 || e.Message != "The federation needs at least one admin." {
			t.Errorf("removing the last admin: %d %+v", res.Status, e)
		}
		w.unchanged(t, before)
	})
}

func TestMandateFlow(t *testing.T) {
	t.Parallel()
	sqldbtest.ForEach(t, func(t *testing.T, db *sqldb.DB) {
		w := newWorld(t, db)
		orgA := Prefix + "/organizations/" + w.orgA

		// Invitations: the link is shown once, never in the list.
		inv := ok[invitationCreatedDTO](t, w, 201, request{Method: "POST", Path: orgA + "/invitations", As: "orgAdminA",
			Body: map[string]any{"role": "delegate", "email": "new@example.org", "display_name": "Newcomer", "language": "fa", "valid_until": "2027-12-31", "reference": "letter 7"}})
		if !strings.HasPrefix(inv.Link, "https://concord.test/invitations/") || inv.OrgID != w.orgA || inv.ValidFrom != "2026-11-28" ||
			inv.ValidUntil == nil || *inv.ValidUntil != "2027-12-31" || inv.AcceptedAt != nil {
			t.Fatalf("invitation %+v", inv)
		}
		invs := ok[listOf[invitationDTO]](t, w, 200, request{Method: "GET", Path: orgA + "/invitations", As: "orgAdminA"})
		if diff := diffDTO([]invitationDTO{inv.invitationDTO}, invs.Items); diff != "" {
			t.Errorf("invitations (-want +got):\n%s", diff)
		}
		if strings.Contains(string(w.do(t, request{Method: "GET", Path: orgA + "/invitations", As: "orgAdminA"}).Body), inv.Link) {
			t.Error("the invitation list shows the link")
		}
		// Cancelling: only the organization's people managers, once.
		cancel := request{Method: "DELETE", Path: Prefix + "/invitations/" + inv.ID, As: "orgAdminB"}
		if res := w.do(t, cancel); res.Status != 403 {
			t.Errorf("another organization's admin cancels: %d %s", res.Status, res.Body)
		}
		cancel.As = "orgAdminA"
		if res := w.do(t, cancel); res.Status != 204 {
			t.Errorf("cancel: %d %s", res.Status, res.Body)
		}
		if res := w.do(t, cancel); res.Status != 404 {
			t.Errorf("cancel again: %d %s", res.Status, res.Body)
		}
		secret := strings.TrimPrefix(inv.Link, "https://concord.test/invitations/")
		if _, _, err := w.members.InvitationByToken(context.Background(), secret); concord.ErrorCode(err) != concord.ENOTFOUND {
			t.Errorf("the cancelled link still opens: %v", err)
		}

		// Mandates: create, read, patch partially, revoke.
		res := w.do(t, request{Method: "POST", Path: Prefix + "/mandates", As: "orgAdminA",
			Body: map[string]any{"person_id": w.ids["outsider"], "org_id": w.orgA, "role": "translator", "valid_from": "2026-12-01", "reference": "minutes 3"}})
		if res.Status != 201 {
			t.Fatalf("create mandate: %d %s", res.Status, res.Body)
		}
		m := ok[mandateDTO](t, w, 200, request{Method: "GET", Path: res.Header.Get("Location"), As: "orgAdminA"})
		adminA := w.ids["orgAdminA"]
		want := mandateDTO{ID: m.ID, PersonID: w.ids["outsider"], OrgID: w.orgA, Role: "translator", ValidFrom: "2026-12-01",
			Reference: "minutes 3", CreatedBy: &adminA, CreatedAt: m.CreatedAt, Current: false}
		if diff := diffDTO(want, m); diff != "" {
			t.Fatalf("mandate (-want +got):\n%s", diff)
		}
		// The holder may read their own mandate.
		ok[mandateDTO](t, w, 200, request{Method: "GET", Path: res.Header.Get("Location"), As: "outsider"})
		path := Prefix + "/mandates/" + m.ID
		for _, step := range []struct {
			body   map[string]any
			change func(*mandateDTO)
		}{
			{map[string]any{"reference": "minutes 4"}, func(m *mandateDTO) { m.Reference = "minutes 4" }},
			{map[string]any{"valid_from": "2026-11-01", "valid_until": "2027-06-30"}, func(m *mandateDTO) {
				m.ValidFrom, m.ValidUntil, m.Current = "2026-11-01", ptr("2027-06-30"), true
			}},
			{map[string]any{"role": "delegate", "valid_until": ""}, func(m *mandateDTO) { m.Role, m.ValidUntil = "delegate", nil }},
			{map[string]any{"role": nil}, func(*mandateDTO) {}},
		} {
			got := ok[mandateDTO](t, w, 200, request{Method: "PATCH", Path: path, As: "orgAdminA", Body: step.body})
			step.change(&want)
			if diff := diffDTO(want, got); diff != "" {
				t.Fatalf("after PATCH %v (-want +got):\n%s", step.body, diff)
			}
		}
		list := ok[listOf[mandateDTO]](t, w, 200, request{Method: "GET", Path: orgA + "/mandates", As: "delegateA"})
		if !slices.ContainsFunc(list.Items, func(x mandateDTO) bool { return diffDTO(x, want) == "" }) || len(list.Items) != 3 {
			t.Errorf("mandates of A: %+v", list.Items)
		}
		ok[struct{}](t, w, 204, request{Method: "DELETE", Path: path, As: "orgAdminA"})
		revoked := ok[mandateDTO](t, w, 200, request{Method: "GET", Path: path, As: "orgAdminA"})
		if revoked.RevokedAt == nil || revoked.RevokedBy == nil || *revoked.RevokedBy != adminA || revoked.Current {
			t.Errorf("revoked mandate %+v", revoked)
		}
		if res := w.do(t, request{Method: "DELETE", Path: path, As: "orgAdminA"}); res.Status != 404 {
			t.Errorf("second revoke: %d", res.Status)
		}
		// The org admin reads the organization's audit trail (org_id is required for them): their own
		// acts and the admin's acts concerning A.
		events := ok[auditPage](t, w, 200, request{Method: "GET", Path: Prefix + "/audit-events?org_id=" + w.orgA + "&action=mandate.", As: "orgAdminA"})
		if len(events.Items) != 8 || events.Items[0].Action != "mandate.revoke" || events.Items[0].MandateID == nil || *events.Items[0].MandateID != w.mandates["orgAdminA"] {
			t.Errorf("audit of A: %+v", events.Items)
		}
		if res := w.do(t, request{Method: "GET", Path: Prefix + "/audit-events", As: "orgAdminA"}); res.Status != 403 {
			t.Errorf("org admin reading all audit events: %d", res.Status)
		}
	})
}

func TestUnknownRoutes(t *testing.T) {
	t.Parallel()
	sqldbtest.ForEach(t, func(t *testing.T, db *sqldb.DB) {
		w := newWorld(t, db)
		tests := []struct {
			method, path string
			want         int
			allow        string
		}{
			{"GET", "/nope", 404, ""},
			{"POST", "/organizations/" + "0190f4a2-0000-7000-8000-000000000000" + "/nope", 404, ""},
			{"GET", "/organizations/not-an-id", 404, ""},
			{"GET", "/organizations/0190f4a2-0000-7000-8000-000000000000", 404, ""},
			{"GET", "/mandates/0190f4a2-0000-7000-8000-000000000000", 404, ""},
			{"DELETE", "/organizations", 405, "GET, HEAD, POST"},
			{"PUT", "/me", 405, "GET, HEAD, PATCH"},
			{"POST", "/mandates/0190f4a2-0000-7000-8000-000000000000", 405, "GET, HEAD, PATCH, DELETE"},
			{"OPTIONS", "/tokens", 405, "GET, HEAD, POST"},
			{"GET", "/tokens/0190f4a2-0000-7000-8000-000000000000", 405, "DELETE"},
		}
		for _, tt := range tests {
			t.Run(tt.method+" "+tt.path, func(t *testing.T) {
				t.Parallel()
				res := w.do(t, request{Method: tt.method, Path: Prefix + tt.path, As: "admin", Header: map[string]string{"Accept-Language": "fr"}})
				e := apiError(t, res)
				wantCode := map[int]string{404: "not_found", 405: "method_not_allowed"}[tt.want]
				if res.Status != tt.want || e.Code != wantCode || res.Header.Get("Allow") != tt.allow || len(untranslated(e)) > 0 {
					t.Errorf("status %d, code %q, Allow %q, message %q; want %d, %q, %q", res.Status, e.Code, res.Header.Get("Allow"), e.Message, tt.want, wantCode, tt.allow)
				}
				if res.Header.Get("Content-Language") != "fr" {
					t.Errorf("Content-Language %q, want fr", res.Header.Get("Content-Language"))
				}
			})
		}
	})
}

func ptr[T any](v T) *T { return &v }
