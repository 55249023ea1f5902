package web_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"concord"
	"concord/internal/membership"
	"concord/internal/web"
)

// TestPagesInEveryLanguage renders every page in every UI language, as a visitor and as
// the admin, and checks the structure every page must have.
func TestPagesInEveryLanguage(t *testing.T) {
	t.Parallel()
	e := newEnv(t, true)
	org := e.createOrg(t, "Workers' Union", "DE")
	delegate := e.addPerson(t, org, "dana", concord.RoleDelegate)
	people, err := e.members.People(context.Background(), e.admin, org.ID)
	if err != nil || len(people) != 1 {
		t.Fatalf("people: %v %v", people, err)
	}
	mandateID := people[0].Mandates[0].ID
	orgPath := "/organizations/" + org.ID

	anonymous := []string{"/", "/login", "/organizations", orgPath, "/anniversaries", "/apply", "/apply/thanks"}
	admin := []string{"/", "/organizations", "/organizations?region=europe&country=DE&status=member&q=union", orgPath,
		orgPath + "/edit", orgPath + "/status", orgPath + "/people", orgPath + "/invite", orgPath + "/mandates/new",
		orgPath + "/mandates/" + mandateID + "/edit", orgPath + "/mandates/" + mandateID + "/revoke", orgPath + "/audit",
		"/organizations/new", "/people", "/people/" + delegate.ID, "/account", "/account/sessions", "/account/tokens",
		"/audit", "/audit?action=organization.", "/anniversaries"}

	for _, lang := range []string{"en", "de", "es", "fr", "ru", "tr", "fa", "ar"} {
		t.Run(lang, func(t *testing.T) {
			t.Parallel()
			visitor := e.client(t)
			visitor.setLang(lang)
			for _, path := range anonymous {
				res := visitor.get(path)
				wantStatus(t, path, res, http.StatusOK)
				checkPage(t, path, res, lang)
			}
			a := e.client(t)
			a.login("admin", adminPassword)
			a.setLang(lang)
			for _, path := range admin {
				res := a.get(path)
				wantStatus(t, path, res, http.StatusOK)
				checkPage(t, path, res, lang)
			}
		})
	}
}

// TestOrganizationFormValidation submits bad organizations: each is refused with the
// translated message beside its field and in the summary, the other input is kept, and
// nothing is created.
func TestOrganizationFormValidation(t *testing.T) {
	t.Parallel()
	e := newEnv(t, true)
	valid := url.Values{"name": {"Partido Obrero"}, "name_lang": {"es"}, "abbreviation": {"PO"}, "country": {"AR"},
		"status": {"member"}, "effective_on": {"2020-01-01"}, "decided_by": {"Congress"}}
	with := func(k, v string) url.Values {
		f := url.Values{}
		for key, vals := range valid {
			f[key] = append([]string(nil), vals...)
		}
		f.Set(k, v)
		return f
	}
	tests := []struct {
		name  string
		form  url.Values
		field string // the invalid field's control id
		msg   func(l localizer) string
	}{
		{"bad country", with("country", "XX"), "f-country", func(l localizer) string { return l.T("error.country", "value", "XX") }},
		{"overlong name", with("name", strings.Repeat("n", concord.MaxName+1)), "f-name",
			func(l localizer) string { return l.T("error.too_long", "field", l.T("field.name"), "max", "200") }},
		{"invalid UTF-8", with("description", "bad \xff\xfe bytes"), "f-description",
			func(l localizer) string { return l.T("error.invalid_utf8") }},
		{"bad website", with("website", "ftp://example.org"), "f-website",
			func(l localizer) string { return l.T("error.url", "field", l.T("field.website")) }},
		{"missing name language", with("name_lang", ""), "f-name_lang",
			func(l localizer) string { return l.T("error.missing", "field", l.T("field.name_lang")) }},
	}
	for _, lang := range []string{"en", "de", "ar"} {
		for _, tt := range tests {
			t.Run(lang+"/"+tt.name, func(t *testing.T) {
				t.Parallel()
				c := e.client(t)
				c.login("admin", adminPassword)
				c.setLang(lang)
				res := c.post("/organizations/new", tt.form)
				wantStatus(t, tt.name, res, http.StatusUnprocessableEntity)
				l := e.bundle.Localizer(lang)
				want := tt.msg(l)
				d := res.doc
				if got := d.attr("html", "lang"); got != lang {
					t.Errorf("lang = %q, want %q", got, lang)
				}
				if got := d.text("#" + tt.field + "-error"); got != want {
					t.Errorf("field message = %q, want %q", got, want)
				}
				if d.first("#"+tt.field+`[aria-invalid="true"]`) == nil {
					t.Errorf("#%s is not aria-invalid", tt.field)
				}
				if got := d.attr("#"+tt.field, "aria-describedby"); !strings.Contains(got, tt.field+"-error") {
					t.Errorf("#%s aria-describedby = %q", tt.field, got)
				}
				if link := d.first(`#error-summary a[href="#` + tt.field + `"]`); link == nil || !strings.Contains(textOf(link), want) {
					t.Errorf("summary has no link to #%s with %q: %q", tt.field, want, d.text("#error-summary"))
				}
				if tt.field != "f-abbreviation" && d.attr("#f-abbreviation", "value") != "PO" {
					t.Errorf("abbreviation not kept: %q", d.attr("#f-abbreviation", "value"))
				}
				checkPage(t, "/organizations/new", res, lang)
			})
		}
	}
	t.Cleanup(func() {
		orgs, err := e.members.Organizations(context.Background(), e.admin, membership.OrgFilter{})
		if err != nil || len(orgs) != 0 {
			t.Errorf("after refused forms: %d organizations, %v", len(orgs), err)
		}
	})
}

// localizer is what the tests need of *i18n.Localizer.
type localizer interface {
	T(key string, kv ...any) string
}

// TestOrgAdminConfinedToOwnOrganization checks that an org admin of A gets 403 on every
// form of B (GET and POST) and that nothing of B changes, while A's forms work.
func TestOrgAdminConfinedToOwnOrganization(t *testing.T) {
	t.Parallel()
	e := newEnv(t, true)
	a := e.createOrg(t, "Organization A", "FR")
	b := e.createOrg(t, "Organization B", "ES")
	e.addPerson(t, a, "alice", concord.RoleOrgAdmin)
	bob := e.addPerson(t, b, "bob", concord.RoleDelegate)
	bPeople, err := e.members.People(context.Background(), e.admin, b.ID)
	if err != nil {
		t.Fatal(err)
	}
	bMandate := bPeople[0].Mandates[0].ID
	orgForm := url.Values{"name": {"Hijacked"}, "name_lang": {"en"}, "country": {"ES"}}
	mandateForm := url.Values{"person_id": {bob.ID}, "role": {"org_admin"}, "valid_from": {"2024-01-01"}}
	inviteForm := url.Values{"role": {"org_admin"}, "valid_from": {"2024-01-01"}}

	c := e.client(t)
	c.login("alice", "alice password")
	tests := []struct {
		method, path string
		form         url.Values
	}{
		{"GET", "/organizations/%s/edit", nil},
		{"POST", "/organizations/%s/edit", orgForm},
		{"GET", "/organizations/%s/invite", nil},
		{"POST", "/organizations/%s/invite", inviteForm},
		{"GET", "/organizations/%s/mandates/new", nil},
		{"POST", "/organizations/%s/mandates/new", mandateForm},
		{"POST", "/organizations/%s/mandates/new", url.Values{"role": {"bogus"}}}, // invalid and forbidden: forbidden
		{"GET", "/organizations/%s/mandates/" + bMandate + "/edit", nil},
		{"POST", "/organizations/%s/mandates/" + bMandate + "/edit", mandateForm},
		{"GET", "/organizations/%s/mandates/" + bMandate + "/revoke", nil},
		{"POST", "/organizations/%s/mandates/" + bMandate + "/revoke", url.Values{}},
		{"GET", "/organizations/%s/status", nil},
		{"POST", "/organizations/%s/status", url.Values{"status": {"suspended"}, "effective_on": {"2024-01-01"}, "decided_by": {"x"}}},
		{"GET", "/organizations/%s/people", nil},
		{"GET", "/organizations/%s/audit", nil},
	}
	forbidden := e.bundle.Localizer("en").T("errorpage.forbidden")
	for _, tt := range tests {
		path := strings.Replace(tt.path, "%s", b.ID, 1)
		var res *response
		if tt.method == "GET" {
			res = c.get(path)
		} else {
			res = c.post(path, tt.form)
		}
		if res.status != http.StatusForbidden {
			t.Errorf("%s %s: status %d, want 403", tt.method, path, res.status)
			continue
		}
		if got := res.doc.text("main h1"); got != forbidden {
			t.Errorf("%s %s: h1 %q, want %q", tt.method, path, got, forbidden)
		}
	}
	after, _, err := e.members.Organization(context.Background(), e.admin, b.ID)
	if err != nil || after.Name != "Organization B" || after.Status != concord.StatusMember {
		t.Errorf("B changed: %+v, %v", after, err)
	}
	bPeople, _ = e.members.People(context.Background(), e.admin, b.ID)
	if len(bPeople) != 1 || len(bPeople[0].Mandates) != 1 || bPeople[0].Mandates[0].RevokedAt != nil {
		t.Errorf("B's mandates changed: %+v", bPeople)
	}
	for _, p := range []string{"/organizations/%s/edit", "/organizations/%s/invite", "/organizations/%s/mandates/new", "/organizations/%s/people", "/organizations/%s/audit"} {
		path := strings.Replace(p, "%s", a.ID, 1)
		wantStatus(t, path, c.get(path), http.StatusOK)
	}
	wantStatus(t, "own status form (coordinators only)", c.get("/organizations/"+a.ID+"/status"), http.StatusForbidden)
}

func TestLoginAndLogout(t *testing.T) {
	t.Parallel()
	e := newEnv(t, true)
	tests := []struct {
		name, login, password, next string
		status                      int
		location                    string
	}{
		{"wrong password", "admin", "wrong password", "/", http.StatusUnauthorized, ""},
		{"unknown login", "nobody", "wrong password", "/", http.StatusUnauthorized, ""},
		{"good", "admin", adminPassword, "/organizations?region=asia", http.StatusSeeOther, "/organizations?region=asia"},
		{"upper-case login", "ADMIN", adminPassword, "/account", http.StatusSeeOther, "/account"},
		{"scheme-relative next", "admin", adminPassword, "//evil.example/x", http.StatusSeeOther, "/"},
		{"absolute next", "admin", adminPassword, "https://evil.example/", http.StatusSeeOther, "/"},
		{"backslash next", "admin", adminPassword, `/\evil.example`, http.StatusSeeOther, "/"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			for _, lang := range []string{"en", "fa"} {
				c := e.client(t)
				c.setLang(lang)
				res := c.post("/login", url.Values{"login": {tt.login}, "password": {tt.password}, "next": {tt.next}})
				wantStatus(t, lang, res, tt.status)
				if tt.status == http.StatusSeeOther {
					if got := res.header.Get("Location"); got != tt.location {
						t.Errorf("Location = %q, want %q", got, tt.location)
					}
					continue
				}
				want := e.bundle.Localizer(lang).T("error.login_failed")
				if got := res.doc.text("#error-summary p"); got != want {
					t.Errorf("%s: message %q, want %q", lang, got, want)
				}
				if got := res.doc.attr("#f-login", "value"); got != tt.login {
					t.Errorf("login not kept: %q", got)
				}
				if res.doc.attr("#f-password", "value") != "" {
					t.Error("password echoed back")
				}
				checkPage(t, "/login", res, lang)
			}
		})
	}

	t.Run("logout", func(t *testing.T) {
		t.Parallel()
		c := e.client(t)
		c.login("admin", adminPassword)
		wantStatus(t, "account while logged in", c.get("/account"), http.StatusOK)
		u, _ := url.Parse(e.srv.URL)
		old := c.http.Jar.Cookies(u)
		res := c.post("/logout", nil)
		wantStatus(t, "logout", res, http.StatusSeeOther)
		if !strings.Contains(res.header.Get("Set-Cookie"), "Max-Age=0") {
			t.Errorf("logout does not clear the cookie: %q", res.header.Get("Set-Cookie"))
		}
		res = c.get("/account")
		wantStatus(t, "account after logout", res, http.StatusSeeOther)
		if got := res.header.Get("Location"); got != "/login?next=%2Faccount" {
			t.Errorf("Location = %q", got)
		}
		replay := e.client(t) // the old cookie no longer opens a session on the server
		replay.http.Jar.SetCookies(u, old)
		wantStatus(t, "account with the logged-out cookie", replay.get("/account"), http.StatusSeeOther)
	})

	t.Run("session cookie", func(t *testing.T) {
		t.Parallel()
		c := e.client(t)
		res := c.post("/login", url.Values{"login": {"admin"}, "password": {adminPassword}})
		cookie := res.header.Get("Set-Cookie")
		for _, want := range []string{"concord_session=", "Path=/", "HttpOnly", "SameSite=Lax"} {
			if !strings.Contains(cookie, want) {
				t.Errorf("cookie %q lacks %q", cookie, want)
			}
		}
		bogus := e.client(t)
		u, _ := url.Parse(e.srv.URL)
		bogus.http.Jar.SetCookies(u, []*http.Cookie{{Name: "concord_session", Value: "not-a-session", Path: "/"}})
		res = bogus.get("/")
		wantStatus(t, "home with a bogus cookie", res, http.StatusOK)
		if res.doc.first(`header a[href="/account"]`) != nil {
			t.Error("a bogus cookie is logged in")
		}
	})
}

func TestSetupWorksOnce(t *testing.T) {
	t.Parallel()
	e := newEnv(t, false)
	c := e.client(t)
	res := c.get("/")
	if res.doc.first(`main a[href="/setup"]`) == nil {
		t.Error("home does not point to /setup before setup")
	}
	wantStatus(t, "setup form", c.get("/setup"), http.StatusOK)
	res = c.post("/setup", url.Values{"login": {"root"}, "display_name": {"Root"}, "password": {"long enough 1"}, "password2": {"long enough 2"}})
	wantStatus(t, "mismatched passwords", res, http.StatusUnprocessableEntity)
	if got, want := res.doc.text("#f-password2-error"), e.bundle.Localizer("en").T("error.password_mismatch"); got != want {
		t.Errorf("mismatch message %q, want %q", got, want)
	}
	res = c.post("/setup", url.Values{"login": {"root"}, "display_name": {"Root"}, "password": {"short"}, "password2": {"short"}})
	wantStatus(t, "short password", res, http.StatusUnprocessableEntity)
	if res.doc.first(`#f-password[aria-invalid="true"]`) == nil {
		t.Error("short password not marked")
	}
	res = c.post("/setup", url.Values{"login": {"root"}, "display_name": {"Root"}, "password": {"long enough 1"}, "password2": {"long enough 1"}})
	wantStatus(t, "setup", res, http.StatusSeeOther)
	res = c.get("/")
	if got := res.doc.text(`header a[href="/account"]`); !strings.Contains(got, "Root") {
		t.Errorf("not logged in after setup: %q", got)
	}
	if res.doc.first(`main a[href="/setup"]`) != nil {
		t.Error("home still points to /setup")
	}
	other := e.client(t)
	wantStatus(t, "setup form again", other.get("/setup"), http.StatusNotFound)
	res = other.post("/setup", url.Values{"login": {"intruder"}, "display_name": {"I"}, "password": {"long enough 1"}, "password2": {"long enough 1"}})
	wantStatus(t, "setup again", res, http.StatusNotFound)
	checkPage(t, "/setup (404)", res, "en")
	if needed, _ := e.auth.SetupNeeded(context.Background()); needed {
		t.Error("setup still needed")
	}
}

func TestLanguageSwitcher(t *testing.T) {
	t.Parallel()
	e := newEnv(t, true)
	for _, lang := range []string{"en", "de", "es", "fr", "ru", "tr", "fa", "ar"} {
		t.Run(lang, func(t *testing.T) {
			t.Parallel()
			c := e.client(t)
			c.lang = "de" // the switcher beats the browser's preference
			res := c.post("/language", url.Values{"lang": {lang}, "next": {"/organizations?country=DE"}})
			wantStatus(t, "switch", res, http.StatusSeeOther)
			if got := res.header.Get("Location"); got != "/organizations?country=DE" {
				t.Errorf("Location = %q", got)
			}
			if cookie := res.header.Get("Set-Cookie"); !strings.HasPrefix(cookie, "lang="+lang+";") {
				t.Errorf("Set-Cookie = %q", cookie)
			}
			res = c.get("/organizations?country=DE")
			checkPage(t, "/organizations", res, lang)
			if res.doc.first("button#lang-"+lang+`[aria-current="true"]`) == nil {
				t.Error("current language not marked in the switcher")
			}
			if got := res.doc.attr(`footer form input[name="next"]`, "value"); got != "/organizations?country=DE" {
				t.Errorf("switcher returns to %q", got)
			}
		})
	}
	t.Run("refused", func(t *testing.T) {
		t.Parallel()
		c := e.client(t)
		wantStatus(t, "unknown language", c.post("/language", url.Values{"lang": {"xx"}, "next": {"/"}}), http.StatusBadRequest)
		res := c.post("/language", url.Values{"lang": {"fa"}, "next": {"//evil.example"}})
		if got := res.header.Get("Location"); got != "/" {
			t.Errorf("Location = %q, want /", got)
		}
	})
	t.Run("negotiation", func(t *testing.T) {
		t.Parallel()
		c := e.client(t)
		c.lang = "fa-IR, en;q=0.5"
		checkPage(t, "/ (Accept-Language fa)", c.get("/"), "fa")
		c.lang = "zh-CN"
		checkPage(t, "/ (Accept-Language zh)", c.get("/"), "en")
		// The person's language beats the browser's; the switcher beats both.
		p := e.addPerson(t, e.createOrg(t, "Sendika", "TR"), "tarik", concord.RoleDelegate)
		if _, err := e.members.UpdateProfile(context.Background(), e.actor(t, p.ID), p.ID, concord.Person{DisplayName: "Tarık", Language: "tr"}); err != nil {
			t.Fatal(err)
		}
		c.login("tarik", "tarik password")
		checkPage(t, "/ (person tr)", c.get("/"), "tr")
		c.setLang("ar")
		checkPage(t, "/ (switcher ar)", c.get("/"), "ar")
	})
}

// TestSecureSessionCookie: behind a TLS-terminating proxy that is trusted, the session
// cookie is __Host- prefixed and Secure, and only that cookie is read.
func TestSecureSessionCookie(t *testing.T) {
	t.Parallel()
	e := newEnv(t, true)
	h, err := web.New(web.Deps{Auth: e.auth, Members: e.members, Docs: e.docs, I18n: e.bundle, TrustProxy: true})
	if err != nil {
		t.Fatal(err)
	}
	mux := http.NewServeMux()
	h.Register(mux)
	login := httptest.NewRequest(http.MethodPost, "/login", strings.NewReader(url.Values{"login": {"admin"}, "password": {adminPassword}}.Encode()))
	login.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	login.Header.Set("X-Forwarded-Proto", "https")
	rec := httptest.NewRecorder()
	mux.ServeHTTP(rec, login)
	cookies := rec.Result().Cookies()
	if rec.Code != http.StatusSeeOther || len(cookies) != 1 || cookies[0].Name != "__Host-concord_session" || !cookies[0].Secure ||
		!cookies[0].HttpOnly || cookies[0].Path != "/" || cookies[0].SameSite != http.SameSiteLaxMode {
		t.Fatalf("status %d, cookies %+v", rec.Code, cookies)
	}
	for _, tt := range []struct {
		name, cookie string
		loggedIn     bool
	}{
		{"__Host- cookie", "__Host-concord_session", true},
		{"plain cookie under TLS", "concord_session", false}, // set by someone over plain HTTP: ignored
	} {
		req := httptest.NewRequest(http.MethodGet, "/account", nil)
		req.AddCookie(&http.Cookie{Name: tt.cookie, Value: cookies[0].Value})
		req.Header.Set("X-Forwarded-Proto", "https")
		rec := httptest.NewRecorder()
		mux.ServeHTTP(rec, req)
		if got := rec.Code == http.StatusOK; got != tt.loggedIn {
			t.Errorf("%s: status %d, logged in %v, want %v", tt.name, rec.Code, got, tt.loggedIn)
		}
	}
}
