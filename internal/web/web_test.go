package web_test

import (
	"context"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"sync/atomic"
	"testing"
	"time"
	_ "time/tzdata" // time zones for profile tests, whatever the machine has installed

	"concord"
	"concord/internal/auth"
	"concord/internal/documents"
	"concord/internal/httpx"
	"concord/internal/i18n"
	"concord/internal/live"
	"concord/internal/membership"
	"concord/internal/mt"
	"concord/internal/procedures"
	"concord/internal/sqldb/sqldbtest"
	"concord/internal/web"
)

// testParams make password hashing cheap in tests.
var testParams = auth.PasswordParams{Memory: 64, Time: 1, Threads: 1}

const adminPassword = "admin password 123"

// env is a running web UI on a fresh SQLite database, with the real services.
type env struct {
	srv     *httptest.Server
	mux     *http.ServeMux // more handlers (the public site) may be added
	auth    *auth.Service
	members *membership.Service
	docs    *documents.Service
	procs   *procedures.Service
	hub     *live.Hub
	clock   *testClock
	bundle  *i18n.Bundle
	admin   *concord.Actor // nil when the env was made without an admin
}

// testClock is the system clock moved by an offset tests may advance (to pass a deadline).
type testClock struct{ offset atomic.Int64 }

func (c *testClock) Now() time.Time {
	return concord.SystemClock{}.Now().Add(time.Duration(c.offset.Load()))
}

// advance moves the clock forward by d.
func (c *testClock) advance(d time.Duration) { c.offset.Add(int64(d)) }

// newEnv starts the UI behind the same middleware the server uses. With withAdmin, the
// first admin "admin" exists. The documents service uses the given machine translation
// engines (none by default) and stores attachments in a temporary directory.
func newEnv(t *testing.T, withAdmin bool, engines ...mt.Engine) *env {
	t.Helper()
	db := sqldbtest.OpenSQLite(t)
	clock := &testClock{}
	mux := http.NewServeMux()
	srv := httptest.NewServer(httpx.SecurityHeaders(http.NewCrossOriginProtection().Handler(mux)))
	t.Cleanup(srv.Close)
	e := &env{srv: srv, mux: mux, auth: auth.NewService(db, clock, testParams),
		members: membership.NewService(membership.Config{DB: db, Clock: clock, PasswordParams: testParams, BaseURL: srv.URL}),
		bundle:  i18n.MustLoad()}
	files, err := documents.NewFileStore(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	e.docs = documents.NewService(documents.Config{DB: db, Clock: clock, Engines: engines, Files: files})
	e.clock = clock
	if e.hub, err = live.NewHub(live.Options{}); err != nil {
		t.Fatal(err)
	}
	e.procs = procedures.NewService(procedures.Config{DB: db, Clock: clock, Publisher: e.hub})
	t.Cleanup(e.procs.Close)
	t.Cleanup(e.hub.Close) // before the server closes: streams end only with the hub
	h, err := web.New(web.Deps{Auth: e.auth, Members: e.members, Docs: e.docs, Procs: e.procs, Live: e.hub, I18n: e.bundle, Clock: clock})
	if err != nil {
		t.Fatal(err)
	}
	h.Register(mux)
	if withAdmin {
		p := &concord.Person{Login: "admin", DisplayName: "Ada Admin"}
		if err := e.auth.CreateFirstAdmin(context.Background(), p, adminPassword); err != nil {
			t.Fatal(err)
		}
		e.admin = e.actor(t, p.ID)
	}
	return e
}

func (e *env) actor(t *testing.T, personID string) *concord.Actor {
	t.Helper()
	a, err := e.auth.LoadActor(context.Background(), personID)
	if err != nil {
		t.Fatal(err)
	}
	return a
}

// createOrg makes a member organization as the admin.
func (e *env) createOrg(t *testing.T, name, country string) *concord.Organization {
	t.Helper()
	o := &concord.Organization{Name: name, NameLang: "en", Country: country, Names: map[string]string{"de": name + " (de)"}}
	err := e.members.CreateOrganization(context.Background(), e.admin, o, concord.StatusChange{To: concord.StatusMember,
		EffectiveOn: time.Date(2001, 5, 1, 0, 0, 0, 0, time.UTC), DecidedBy: "World Conference 2001"})
	if err != nil {
		t.Fatal(err)
	}
	return o
}

// addPerson invites a person into org with role and accepts the invitation; it returns
// the new person. Their password is login + " password".
func (e *env) addPerson(t *testing.T, org *concord.Organization, login string, role concord.Role) *concord.Person {
	t.Helper()
	ctx := context.Background()
	link, err := e.members.Invite(ctx, e.admin, &concord.Invitation{OrgID: org.ID, Role: role})
	if err != nil {
		t.Fatal(err)
	}
	_, token, _ := strings.Cut(link, "/invitations/")
	p, err := e.members.AcceptInvitation(ctx, token, &concord.Person{Login: login, DisplayName: strings.ToUpper(login[:1]) + login[1:]},
		login+" password")
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// client is a browser stand-in: a cookie jar, no redirects followed.
type client struct {
	t    *testing.T
	e    *env
	http *http.Client
	lang string // sent as Accept-Language when set
}

func (e *env) client(t *testing.T) *client {
	t.Helper()
	jar, err := cookiejar.New(nil)
	if err != nil {
		t.Fatal(err)
	}
	return &client{t: t, e: e, http: &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error {
		return http.ErrUseLastResponse
	}}}
}

// setLang sets the lang cookie as the language switcher does.
func (c *client) setLang(lang string) {
	u, _ := url.Parse(c.e.srv.URL)
	c.http.Jar.SetCookies(u, []*http.Cookie{{Name: "lang", Value: lang, Path: "/"}})
}

// response is a status, headers and parsed body.
type response struct {
	status int
	header http.Header
	body   string
	doc    *doc
}

func (c *client) do(req *http.Request) *response {
	c.t.Helper()
	if c.lang != "" {
		req.Header.Set("Accept-Language", c.lang)
	}
	res, err := c.http.Do(req)
	if err != nil {
		c.t.Fatal(err)
	}
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	if err != nil {
		c.t.Fatal(err)
	}
	return &response{status: res.StatusCode, header: res.Header, body: string(b), doc: parseHTML(c.t, strings.NewReader(string(b)))}
}

func (c *client) get(path string) *response {
	c.t.Helper()
	req, err := http.NewRequest(http.MethodGet, c.e.srv.URL+path, nil)
	if err != nil {
		c.t.Fatal(err)
	}
	return c.do(req)
}

// post sends a form the way a browser does from a page of the same site.
func (c *client) post(path string, form url.Values) *response {
	c.t.Helper()
	req, err := http.NewRequest(http.MethodPost, c.e.srv.URL+path, strings.NewReader(form.Encode()))
	if err != nil {
		c.t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Sec-Fetch-Site", "same-origin")
	return c.do(req)
}

// login logs the client in and fails the test if that does not work.
func (c *client) login(login, password string) {
	c.t.Helper()
	res := c.post("/login", url.Values{"login": {login}, "password": {password}, "next": {"/"}})
	if res.status != http.StatusSeeOther {
		c.t.Fatalf("login %s: status %d\n%s", login, res.status, res.doc.text("#error-summary"))
	}
}

// wantStatus fails the test when res has another status.
func wantStatus(t *testing.T, what string, res *response, status int) {
	t.Helper()
	if res.status != status {
		t.Fatalf("%s: status %d, want %d\n%s", what, res.status, status, res.doc.text("main"))
	}
}

var rtl = map[string]bool{"fa": true, "ar": true}

// keyLike matches text that looks like an untranslated catalog key ("org.filter.title").
var keyLike = regexp.MustCompile(`\b(nav|field|hint|org|error|errorpage|status|role|fedrole|region|home|audit|mandate|invite|invitation|tokens|sessions|account|people|person|notice|form|apply|anniversaries|setup|login|action|doc|dockind|docstatus|docaction|visibility|segstate|transstatus|provenance|glossary|search|engines|translate|diff|markdown|size|proc|procvis|rule|answer|outcome|result|majority|electorate|sig)\.[a-z_]+(\.[a-z_]+)*\b`)

// checkPage checks what every page must have: language and direction, landmarks, a skip
// link, labelled controls, no inline script or style, no untranslated keys.
func checkPage(t *testing.T, path string, res *response, lang string) {
	t.Helper()
	d := res.doc
	dir := "ltr"
	if rtl[lang] {
		dir = "rtl"
	}
	if got := d.attr("html", "lang"); got != lang {
		t.Errorf("%s: <html lang=%q>, want %q", path, got, lang)
	}
	if got := d.attr("html", "dir"); got != dir {
		t.Errorf("%s: <html dir=%q>, want %q", path, got, dir)
	}
	for _, sel := range []string{"header", "header nav", "main#main", "footer", "footer nav form button#lang-" + lang, `a.skip-link[href="#main"]`} {
		if d.first(sel) == nil {
			t.Errorf("%s (%s): no %s", path, lang, sel)
		}
	}
	if d.text("title") == "" || d.text("main h1") == "" {
		t.Errorf("%s (%s): empty title or h1", path, lang)
	}
	d.walkElements(func(n *htmlNode) {
		switch {
		case hasAttr(n, "style"):
			t.Errorf("%s: inline style on <%s>", path, n.Data)
		case n.Data == "style":
			t.Errorf("%s: <style> element", path)
		case n.Data == "script" && attrOf(n, "src") == "" && attrOf(n, "type") != "application/json":
			t.Errorf("%s: inline <script>", path)
		case (n.Data == "input" && attrOf(n, "type") != "hidden") || n.Data == "select" || n.Data == "textarea":
			id := attrOf(n, "id")
			if id == "" || d.first(`label[for="`+id+`"]`) == nil {
				t.Errorf("%s: <%s name=%q id=%q> has no label", path, n.Data, attrOf(n, "name"), id)
			}
		}
		for _, a := range []string{"aria-label", "title"} {
			if v := attrOf(n, a); keyLike.MatchString(v) {
				t.Errorf("%s (%s): untranslated key in %s=%q", path, lang, a, v)
			}
		}
	})
	if m := keyLike.FindString(textWithout(d.root, "code")); m != "" {
		t.Errorf("%s (%s): untranslated key %q in the page", path, lang, m)
	}
}
