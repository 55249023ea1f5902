package web_test

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"concord"
	"concord/internal/membership"
)

// TestInvitationFlow: an org admin invites, the link works once for a fresh visitor, who
// lands on the organization's page logged in; the used link is a translated 404.
func TestInvitationFlow(t *testing.T) {
	t.Parallel()
	e := newEnv(t, true)
	org := e.createOrg(t, "Unión Popular", "UY")
	e.addPerson(t, org, "olga", concord.RoleOrgAdmin)
	admin := e.client(t)
	admin.login("olga", "olga password")

	res := admin.post("/organizations/"+org.ID+"/invite", url.Values{"email": {"not an address"}, "role": {"delegate"},
		"valid_from": {"2025-01-01"}, "language": {"es"}})
	wantStatus(t, "bad email", res, http.StatusUnprocessableEntity)
	if res.doc.first(`#f-email[aria-invalid="true"]`) == nil {
		t.Error("bad email not marked")
	}
	res = admin.post("/organizations/"+org.ID+"/invite", url.Values{"display_name": {"Pablo"}, "role": {"delegate"},
		"valid_from": {"2025-01-01"}, "valid_until": {"2027-12-31"}, "reference": {"Letter 7/2025"}, "language": {"es"}})
	wantStatus(t, "invite", res, http.StatusOK)
	link := res.doc.text("#invitation-link")
	if !strings.HasPrefix(link, e.srv.URL+"/invitations/") {
		t.Fatalf("invitation link %q", link)
	}
	path := strings.TrimPrefix(link, e.srv.URL)

	people := admin.get("/organizations/" + org.ID + "/people")
	if got := people.doc.text("main table .invitation-open"); got == "" {
		t.Error("open invitation not listed on the people page")
	}

	invitee := e.client(t)
	res = invitee.get(path)
	wantStatus(t, "invitation page", res, http.StatusOK)
	checkPage(t, "/invitations/…", res, "es") // the invitation's language
	if got := res.doc.text("#invited-org"); !strings.Contains(got, "Unión Popular") {
		t.Errorf("invitation page names %q", got)
	}
	if got := res.doc.attr("#f-display_name", "value"); got != "Pablo" {
		t.Errorf("display name suggestion %q", got)
	}
	res = invitee.post(path, url.Values{"login": {"pablo"}, "display_name": {"Pablo"}, "password": {"pablo password"},
		"password2": {"pablo passwort"}, "language": {"es"}, "time_zone": {"America/Montevideo"}})
	wantStatus(t, "mismatched passwords", res, http.StatusUnprocessableEntity)
	res = invitee.post(path, url.Values{"login": {"olga"}, "display_name": {"Pablo"}, "password": {"pablo password"},
		"password2": {"pablo password"}, "language": {"es"}, "time_zone": {"America/Montevideo"}})
	wantStatus(t, "taken login", res, http.StatusUnprocessableEntity)
	if got, want := res.doc.text("#f-login-error"), e.bundle.Localizer("es").T("error.login_taken"); got != want {
		t.Errorf("taken login message %q, want %q", got, want)
	}
	res = invitee.post(path, url.Values{"login": {"pablo"}, "display_name": {"Pablo"}, "password": {"pablo password"},
		"password2": {"pablo password"}, "language": {"es"}, "time_zone": {"America/Montevideo"}})
	wantStatus(t, "accept", res, http.StatusSeeOther)
	if got := res.header.Get("Location"); !strings.HasPrefix(got, "/organizations/"+org.ID) {
		t.Errorf("Location = %q", got)
	}
	res = invitee.get(res.header.Get("Location"))
	wantStatus(t, "organization after accepting", res, http.StatusOK)
	if got := res.doc.text("main h1"); !strings.Contains(got, "Unión Popular") {
		t.Errorf("h1 %q", got)
	}
	if res.doc.first(".notice") == nil {
		t.Error("no welcome notice")
	}
	if got := res.doc.text(`header a[href="/account"]`); !strings.Contains(got, "Pablo") {
		t.Errorf("not logged in as Pablo: %q", got)
	}

	again := e.client(t)
	again.setLang("ru")
	for _, res := range []*response{again.get(path), again.post(path, url.Values{"login": {"x2x"}, "display_name": {"X"},
		"password": {"long password"}, "password2": {"long password"}})} {
		wantStatus(t, "used link", res, http.StatusNotFound)
		if got, want := res.doc.text("main .lead"), e.bundle.Localizer("ru").T("error.invitation_used"); got != want {
			t.Errorf("used link message %q, want %q", got, want)
		}
		checkPage(t, "/invitations/… (used)", res, "ru")
	}
	wantStatus(t, "unknown link", again.get("/invitations/abc"), http.StatusNotFound)
}

// TestMandates adds, edits and revokes a mandate through the people page forms.
func TestMandates(t *testing.T) {
	t.Parallel()
	e := newEnv(t, true)
	org := e.createOrg(t, "Liga", "PT")
	e.addPerson(t, org, "maria", concord.RoleOrgAdmin)
	joao := e.addPerson(t, org, "joao", concord.RoleDelegate)
	c := e.client(t)
	c.login("maria", "maria password")
	base := "/organizations/" + org.ID

	res := c.get(base + "/people")
	wantStatus(t, "people", res, http.StatusOK)
	if res.doc.first(`select#f-person_id option[value="`+joao.ID+`"]`) == nil {
		t.Fatal("joao is not offered for a new mandate")
	}
	res = c.post(base+"/mandates/new", url.Values{"person_id": {joao.ID}, "role": {"translator"}, "valid_from": {"2025-02-01"},
		"valid_until": {"2025-01-01"}})
	wantStatus(t, "until before from", res, http.StatusUnprocessableEntity)
	if res.doc.first(`#f-valid_until[aria-invalid="true"]`) == nil {
		t.Error("valid_until not marked")
	}
	if got := res.doc.attr(`select#f-person_id option[selected]`, "value"); got != joao.ID {
		t.Errorf("person choice not kept: %q", got)
	}
	res = c.post(base+"/mandates/new", url.Values{"person_id": {joao.ID}, "role": {"translator"}, "valid_from": {"2025-02-01"},
		"reference": {"Minutes 3"}})
	wantStatus(t, "add mandate", res, http.StatusSeeOther)

	people, err := e.members.People(context.Background(), e.admin, org.ID)
	if err != nil {
		t.Fatal(err)
	}
	var translator concord.Mandate
	for _, p := range people {
		for _, m := range p.Mandates {
			if m.Role == concord.RoleTranslator {
				translator = m
			}
		}
	}
	if translator.ID == "" || translator.Reference != "Minutes 3" {
		t.Fatalf("translator mandate not created: %+v", people)
	}
	edit := base + "/mandates/" + translator.ID + "/edit"
	res = c.get(edit)
	wantStatus(t, "edit form", res, http.StatusOK)
	if got := res.doc.attr("#f-reference", "value"); got != "Minutes 3" {
		t.Errorf("edit form reference %q", got)
	}
	res = c.post(edit, url.Values{"role": {"translator"}, "valid_from": {"2025-02-01"}, "valid_until": {"2026-06-30"}, "reference": {"Minutes 4"}})
	wantStatus(t, "edit", res, http.StatusSeeOther)

	revoke := base + "/mandates/" + translator.ID + "/revoke"
	res = c.get(revoke)
	wantStatus(t, "revoke confirmation", res, http.StatusOK)
	if res.doc.first(`form[method="post"][action="`+revoke+`"] button`) == nil {
		t.Error("no confirmation form")
	}
	wantStatus(t, "revoke", c.post(revoke, nil), http.StatusSeeOther)
	wantStatus(t, "edit a revoked mandate", c.get(edit), http.StatusNotFound)

	res = c.get(base + "/people?done=revoked")
	if got := res.doc.text(".notice"); got != e.bundle.Localizer("en").T("notice.mandate_revoked") {
		t.Errorf("notice %q", got)
	}
	states := res.doc.all("main table .mandate-revoked")
	if len(states) != 1 {
		t.Errorf("%d revoked mandates shown, want 1", len(states))
	}

	// An invitation sent to the wrong address is cancelled from the same page.
	res = c.post(base+"/invite", url.Values{"role": {"delegate"}, "email": {"wrong@example.org"}, "display_name": {"Wrong"}})
	wantStatus(t, "invite", res, http.StatusOK)
	link := res.doc.text("#invitation-link")
	res = c.get(base + "/people")
	invs, err := e.members.Invitations(context.Background(), e.admin, org.ID)
	if err != nil || len(invs) == 0 || invs[0].Email != "wrong@example.org" {
		t.Fatalf("invitations %+v, %v", invs, err)
	}
	action := base + "/invitations/" + invs[0].ID + "/cancel"
	if res.doc.first(`form[method="post"][action="`+action+`"] button`) == nil {
		t.Fatal("no cancel form for the open invitation")
	}
	res = c.post(action, nil)
	wantStatus(t, "cancel invitation", res, http.StatusSeeOther)
	res = c.get(res.header.Get("Location"))
	if got := res.doc.text(".notice"); got != e.bundle.Localizer("en").T("notice.invitation_cancelled") {
		t.Errorf("notice %q", got)
	}
	if res.doc.first(".invitation-expired") == nil || res.doc.first(`form[action="`+action+`"]`) != nil {
		t.Error("the cancelled invitation is not shown as expired without a cancel button")
	}
	_, path, ok := strings.Cut(link, "/invitations/")
	if !ok {
		t.Fatalf("invitation link %q", link)
	}
	wantStatus(t, "cancelled link", e.client(t).get("/invitations/"+path), http.StatusNotFound)
}

func TestAccount(t *testing.T) {
	t.Parallel()
	e := newEnv(t, true)
	org := e.createOrg(t, "Club", "IR")
	e.addPerson(t, org, "sara", concord.RoleDelegate)
	c := e.client(t)
	c.login("sara", "sara password")

	res := c.post("/account", url.Values{"display_name": {"Sara"}, "language": {"fa"}, "time_zone": {"Mars/Olympus"}})
	wantStatus(t, "bad time zone", res, http.StatusUnprocessableEntity)
	if res.doc.first(`#f-time_zone[aria-invalid="true"]`) == nil {
		t.Error("time zone not marked")
	}
	res = c.post("/account", url.Values{"display_name": {"Sara"}, "language": {"fa"}, "time_zone": {"Asia/Tehran"}})
	wantStatus(t, "profile", res, http.StatusSeeOther)
	res = c.get("/account")
	checkPage(t, "/account", res, "fa")
	if got := res.doc.attr("#f-time_zone", "value"); got != "Asia/Tehran" {
		t.Errorf("time zone %q", got)
	}
	if got := c.get("/account/sessions").doc.text("main tbody time"); !strings.Contains(got, "+0330") {
		t.Errorf("session time not in the person's zone (Tehran, +0330): %q", got)
	}

	other := e.client(t)
	other.login("sara", "sara password")
	res = c.post("/account/password", url.Values{"old_password": {"wrong"}, "new_password": {"new sara password"}, "new_password2": {"new sara password"}})
	wantStatus(t, "wrong old password", res, http.StatusUnprocessableEntity)
	if got, want := res.doc.text("#f-old_password-error"), e.bundle.Localizer("fa").T("error.password_wrong"); got != want {
		t.Errorf("message %q, want %q", got, want)
	}
	res = c.post("/account/password", url.Values{"old_password": {"sara password"}, "new_password": {"new sara password"}, "new_password2": {"new sara password"}})
	wantStatus(t, "change password", res, http.StatusSeeOther)
	wantStatus(t, "other session after password change", other.get("/account"), http.StatusSeeOther)
	wantStatus(t, "this session after password change", c.get("/account"), http.StatusOK)

	res = c.post("/account/tokens", url.Values{"name": {"translation script"}})
	wantStatus(t, "create token", res, http.StatusOK)
	if secret := res.doc.text("#token-secret"); !strings.HasPrefix(secret, "cc_") {
		t.Errorf("token secret %q", secret)
	}
	res = c.get("/account/tokens")
	if res.doc.first("#token-secret") != nil {
		t.Error("secret shown again")
	}
	revokeForms := res.doc.all(`main td form`)
	if len(revokeForms) != 1 {
		t.Fatalf("%d token revoke forms", len(revokeForms))
	}
	wantStatus(t, "revoke token", c.post(attrOf(revokeForms[0], "action"), nil), http.StatusSeeOther)
	if got := c.get("/account/tokens").doc.all("main td form"); len(got) != 0 {
		t.Errorf("%d tokens left", len(got))
	}

	third := e.client(t)
	third.login("sara", "new sara password")
	res = c.get("/account/sessions")
	wantStatus(t, "sessions", res, http.StatusOK)
	if len(res.doc.all("main tbody tr")) != 2 || len(res.doc.all("main tbody tr.current")) != 1 {
		t.Fatalf("sessions table: %s", res.doc.text("main tbody"))
	}
	var otherForm string
	for _, tr := range res.doc.all("main tbody tr") {
		if !containsWord(attrOf(tr, "class"), "current") {
			otherForm = attrOf(selectAll(tr, "form")[0], "action")
		}
	}
	wantStatus(t, "end other session", c.post(otherForm, nil), http.StatusSeeOther)
	wantStatus(t, "ended session", third.get("/account"), http.StatusSeeOther)
	current := attrOf(c.get("/account/sessions").doc.first("main tbody tr.current form"), "action")
	res = c.post(current, nil)
	if got := res.header.Get("Location"); got != "/login" {
		t.Errorf("ending the current session goes to %q", got)
	}
}

func TestAuditLog(t *testing.T) {
	t.Parallel()
	e := newEnv(t, true)
	org := e.createOrg(t, "Audited", "CL")
	e.addPerson(t, org, "ines", concord.RoleOrgAdmin)
	ines := e.client(t)
	ines.login("ines", "ines password")
	if res := ines.post("/organizations/"+org.ID+"/edit", url.Values{"name": {"Audited Union"}, "name_lang": {"es"}, "country": {"CL"},
		"names_lang": {"de", "fr"}, "names_value": {"Geprüft", "Vérifié"}}); res.status != http.StatusSeeOther {
		t.Fatalf("edit: %d %s", res.status, res.doc.text("#error-summary"))
	}
	o, _, _ := e.members.Organization(context.Background(), e.admin, org.ID)
	if o.Name != "Audited Union" || o.Names["fr"] != "Vérifié" || len(o.Names) != 2 {
		t.Errorf("edit not saved: %+v", o)
	}

	admin := e.client(t)
	admin.login("admin", adminPassword)
	res := admin.get("/audit")
	wantStatus(t, "audit", res, http.StatusOK)
	if n := len(res.doc.all("main table.audit tbody tr")); n < 4 {
		t.Errorf("%d audit rows", n)
	}
	res = admin.get("/audit?action=organization.update")
	rows := res.doc.all("main table.audit tbody tr")
	if len(rows) != 1 || !strings.Contains(textOf(rows[0]), "Audited Union") || !strings.Contains(textOf(rows[0]), "Ines") {
		t.Errorf("filtered audit: %d rows: %s", len(rows), res.doc.text("main table.audit tbody"))
	}
	wantStatus(t, "audit for an org admin", ines.get("/audit"), http.StatusForbidden)

	for range 60 { // enough events for two pages
		if _, _, err := e.auth.Login(context.Background(), "ines", "ines password", "192.0.2.1", "test"); err != nil {
			t.Fatal(err)
		}
	}
	res = admin.get("/audit?action=session.")
	rows = res.doc.all("main table.audit tbody tr")
	older := res.doc.attr(`main a[rel="next"]`, "href")
	if len(rows) != 50 || !strings.Contains(older, "before=") || !strings.Contains(older, "action=session.") {
		t.Fatalf("first page: %d rows, older link %q", len(rows), older)
	}
	res = admin.get(older)
	if n := len(res.doc.all("main table.audit tbody tr")); n != 62-50 { // 60 here, one per client login above
		t.Errorf("second page: %d rows, want %d", n, 62-50)
	}
	res = ines.get("/organizations/" + org.ID + "/audit")
	wantStatus(t, "org audit", res, http.StatusOK)
	if n := len(res.doc.all("main table.audit tbody tr")); n == 0 {
		t.Error("org audit is empty")
	}
}

func TestStatusAndApplications(t *testing.T) {
	t.Parallel()
	e := newEnv(t, true)
	visitor := e.client(t)
	res := visitor.post("/apply", url.Values{"name": {"Nuevo Frente"}, "name_lang": {"es"}, "country": {"MX"}})
	wantStatus(t, "application without email", res, http.StatusUnprocessableEntity)
	res = visitor.post("/apply", url.Values{"name": {"Nuevo Frente"}, "name_lang": {"es"}, "country": {"MX"}, "email": {"frente@example.org"},
		"note": {"Hola"}})
	wantStatus(t, "application", res, http.StatusSeeOther)
	if got := visitor.get("/organizations").doc.text("main"); strings.Contains(got, "Nuevo Frente") {
		t.Error("an applicant is listed publicly")
	}
	admin := e.client(t)
	admin.login("admin", adminPassword)
	res = admin.get("/organizations?status=applicant")
	link := res.doc.first("main tbody th a")
	if link == nil || !strings.Contains(textOf(link), "Nuevo Frente") {
		t.Fatalf("applicant not listed for the admin: %s", res.doc.text("main"))
	}
	orgPath := attrOf(link, "href")
	res = admin.get(orgPath + "/status")
	var offered []string
	for _, n := range res.doc.all(`input[name="status"]`) {
		offered = append(offered, attrOf(n, "value"))
	}
	if strings.Join(offered, ",") != "member,rejected" {
		t.Errorf("offered statuses %v", offered)
	}
	today := time.Now().UTC().Format(time.DateOnly)
	res = admin.post(orgPath+"/status", url.Values{"status": {"member"}, "effective_on": {today}})
	wantStatus(t, "admit without deciding body", res, http.StatusUnprocessableEntity)
	res = admin.post(orgPath+"/status", url.Values{"status": {"member"}, "effective_on": {today}, "decided_by": {"Coordinating Committee"}})
	wantStatus(t, "admit", res, http.StatusSeeOther)
	res = visitor.get(orgPath)
	wantStatus(t, "public profile", res, http.StatusOK)
	if got := res.doc.text("main table tbody"); !strings.Contains(got, "Coordinating Committee") {
		t.Errorf("status history: %q", got)
	}
	if strings.Contains(res.doc.text("main"), "frente@example.org") {
		t.Error("contact email shown to a visitor")
	}
	if res.doc.first(`h1 span[lang="es"][dir="auto"]`) == nil {
		t.Error("name without its language")
	}
	var orgs []*concord.Organization
	orgs, _ = e.members.Organizations(context.Background(), e.admin, membership.OrgFilter{Status: []concord.OrgStatus{concord.StatusMember}})
	if len(orgs) != 1 {
		t.Errorf("%d members", len(orgs))
	}
}

func TestStaticFiles(t *testing.T) {
	t.Parallel()
	e := newEnv(t, false)
	c := e.client(t)
	res := c.get("/login")
	css := res.doc.attr(`link[rel="stylesheet"]`, "href")
	js := res.doc.attr("script", "src")
	for _, u := range []string{css, js} {
		if !strings.HasPrefix(u, "/static/") {
			t.Fatalf("asset URL %q", u)
		}
		res := c.get(u)
		wantStatus(t, u, res, http.StatusOK)
		if got := res.header.Get("Cache-Control"); !strings.Contains(got, "immutable") {
			t.Errorf("%s: Cache-Control %q", u, got)
		}
		parts := strings.Split(u, "/")
		parts[2] = "0000000000000000"
		stale := c.get(strings.Join(parts, "/"))
		wantStatus(t, "stale hash", stale, http.StatusOK)
		if got := stale.header.Get("Cache-Control"); got != "no-cache" {
			t.Errorf("stale hash: Cache-Control %q", got)
		}
	}
	if got := c.get(css).header.Get("Content-Type"); !strings.HasPrefix(got, "text/css") {
		t.Errorf("CSS Content-Type %q", got)
	}
	wantStatus(t, "unknown asset", c.get("/static/x/nothing.css"), http.StatusNotFound)
	res = c.get("/no/such/page")
	wantStatus(t, "unknown page", res, http.StatusNotFound)
	checkPage(t, "/no/such/page", res, "en")
}

// TestFederationRoles: the admin gives a person a federation role on their page; taking
// away the last admin is refused with the translated reason and changes nothing.
func TestFederationRoles(t *testing.T) {
	t.Parallel()
	e := newEnv(t, true)
	org := e.createOrg(t, "Roles", "KE")
	wanjiru := e.addPerson(t, org, "wanjiru", concord.RoleDelegate)
	c := e.client(t)
	c.login("admin", adminPassword)
	c.setLang("tr")

	res := c.get("/people/" + wanjiru.ID)
	wantStatus(t, "person", res, http.StatusOK)
	if res.doc.first(`input[type="checkbox"][name="roles"][value="coordinator"]`) == nil {
		t.Fatal("no role checkboxes for the admin")
	}
	res = c.post("/people/"+wanjiru.ID+"/roles", url.Values{"roles": {"coordinator", "secretariat"}})
	wantStatus(t, "set roles", res, http.StatusSeeOther)
	res = c.get(res.header.Get("Location"))
	if res.doc.first(`input[value="coordinator"][checked]`) == nil || res.doc.first(`input[value="admin"][checked]`) != nil {
		t.Errorf("roles not shown as saved: %s", res.doc.text("main form"))
	}
	if got, want := res.doc.text(".notice"), e.bundle.Localizer("tr").T("notice.roles"); got != want {
		t.Errorf("notice %q, want %q", got, want)
	}

	res = c.post("/people/"+e.admin.Person.ID+"/roles", url.Values{"roles": {"secretariat"}})
	wantStatus(t, "remove the last admin", res, http.StatusConflict)
	if got, want := res.doc.text("#error-summary p"), e.bundle.Localizer("tr").T("error.last_admin"); got != want {
		t.Errorf("message %q, want %q", got, want)
	}
	wantStatus(t, "still admin", c.get("/audit"), http.StatusOK)

	w := e.client(t)
	w.login("wanjiru", "wanjiru password")
	res = w.get("/")
	if res.doc.first(`header a[href="/people"]`) == nil {
		t.Error("a coordinator does not see the people menu")
	}
	if card := res.doc.text("main .card"); !strings.Contains(card, "Roles") {
		t.Errorf("home does not show the person's mandate: %q", card)
	}
	wantStatus(t, "roles form for a non-admin", w.post("/people/"+wanjiru.ID+"/roles", url.Values{"roles": {"admin"}}), http.StatusForbidden)
}
