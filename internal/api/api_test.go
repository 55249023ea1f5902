package api

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io/fs"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"
	_ "time/tzdata" // zones for profile validation, whatever the machine has installed

	"concord"
	"concord/internal/auth"
	"concord/internal/documents"
	"concord/internal/i18n"
	"concord/internal/live"
	"concord/internal/membership"
	"concord/internal/mt"
	"concord/internal/procedures"
	"concord/internal/sqldb"
	"concord/internal/sqldb/sqldbtest"

	"github.com/google/go-cmp/cmp"
)

// fastHash keeps argon2id cheap in tests; production uses auth.DefaultPasswordParams.
var fastHash = auth.PasswordParams{Memory: 64, Time: 1, Threads: 1}

// start is the tests' "now": 28 November 2026, noon UTC.
var start = time.Date(2026, 11, 28, 12, 0, 0, 0, time.UTC)

// tickClock advances a millisecond at every reading, so events are ordered and distinct.
type tickClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *tickClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(time.Millisecond)
	return c.t
}

// set moves the clock to t (it goes on ticking from there), e.g. past a deadline.
func (c *tickClock) set(t time.Time) {
	c.mu.Lock()
	c.t = t
	c.mu.Unlock()
}

func day(s string) time.Time {
	t, err := time.Parse(dateLayout, s)
	if err != nil {
		panic(err)
	}
	return t
}

var (
	bundleOnce sync.Once
	bundle     *i18n.Bundle
	docOnce    sync.Once
	doc        *openAPIDoc
)

func mustBundle() *i18n.Bundle {
	bundleOnce.Do(func() { bundle = i18n.MustLoad() })
	return bundle
}

func mustDoc(tb testing.TB) *openAPIDoc {
	tb.Helper()
	docOnce.Do(func() {
		doc = &openAPIDoc{}
		if err := json.Unmarshal(openAPIDocument, &doc.root); err != nil {
			panic(fmt.Sprintf("openapi.json: %v", err))
		}
	})
	return doc
}

// world is a small federation served by the API: staff, two member organizations with
// people, an applicant, and a bearer token for everyone.
type world struct {
	db        *sqldb.DB
	auth      *auth.Service
	members   *membership.Service
	docs      *documents.Service
	procs     *procedures.Service
	hub       *live.Hub
	files     string // the attachment store's directory
	clock     *tickClock
	handler   *Handler
	mux       *http.ServeMux
	orgA      string
	orgB      string
	applicant string
	ids       map[string]string // person IDs by name
	tokens    map[string]string // bearer secrets by name; "revoked" is a revoked one of admin's
	mandates  map[string]string // mandate IDs by holder name
}

func newWorld(t *testing.T, db *sqldb.DB) *world { return newWorldWith(t, db, nil) }

// newWorldWith is newWorld with machine translation engines for the documents service.
func newWorldWith(t *testing.T, db *sqldb.DB, engines []mt.Engine) *world {
	t.Helper()
	ctx := context.Background()
	clock := &tickClock{t: start}
	w := &world{db: db, ids: map[string]string{}, tokens: map[string]string{}, mandates: map[string]string{},
		auth:    auth.NewService(db, clock, fastHash),
		members: membership.NewService(membership.Config{DB: db, Clock: clock, PasswordParams: fastHash, BaseURL: "https://concord.test"}),
		files:   t.TempDir(), clock: clock}
	files, err := documents.NewFileStore(w.files)
	sqldbtest.Must(t, err)
	w.docs = documents.NewService(documents.Config{DB: db, Clock: clock, Engines: engines, Files: files})
	hub, err := live.NewHub(live.Options{})
	sqldbtest.Must(t, err)
	t.Cleanup(hub.Close)
	w.hub = hub
	w.procs = procedures.NewService(procedures.Config{DB: db, Clock: clock, Publisher: hub})
	t.Cleanup(w.procs.Close) // before the hub closes: cleanups run last first
	w.handler = New(Deps{Auth: w.auth, Members: w.members, Docs: w.docs, Procs: w.procs, Live: hub, I18n: mustBundle(), Clock: clock})
	w.mux = http.NewServeMux()
	w.handler.Register(w.mux)

	admin := &concord.Person{Login: "admin", DisplayName: "Admin", Email: "admin@example.org"}
	sqldbtest.Must(t, w.auth.CreateFirstAdmin(ctx, admin, "correct horse battery"))
	w.ids["admin"] = admin.ID
	addPerson := func(name string, roles ...concord.FederationRole) {
		now := clock.Now()
		p := &concord.Person{ID: concord.NewID(now), Login: strings.ToLower(name), DisplayName: name, FederationRoles: roles, CreatedAt: now}
		sqldbtest.Must(t, db.WithTx(ctx, func(tx *sqldb.Tx) error { return tx.InsertPerson(p, "") }))
		w.ids[name] = p.ID
	}
	addPerson("coordinator", concord.FedCoordinator)
	addPerson("secretariat", concord.FedSecretariat)
	for _, n := range []string{"orgAdminA", "delegateA", "orgAdminB", "delegateB", "outsider"} {
		addPerson(n)
	}
	adminActor := w.actor(t, "admin")
	mkOrg := func(name, country string) string {
		o := &concord.Organization{Name: name, NameLang: "en", Country: country, Email: strings.ToLower(strings.ReplaceAll(name, " ", "")) + "@example.org"}
		sqldbtest.Must(t, w.members.CreateOrganization(ctx, adminActor, o,
			concord.StatusChange{To: concord.StatusMember, DecidedBy: "World Conference", EffectiveOn: day("2015-05-01")}))
		return o.ID
	}
	w.orgA, w.orgB = mkOrg("Organization A", "DE"), mkOrg("Organization B", "TR")
	app := &concord.Organization{Name: "Applicant C", NameLang: "fr", Country: "FR", Email: "c@example.org"}
	sqldbtest.Must(t, w.members.Apply(ctx, app, "please", "192.0.2.1"))
	w.applicant = app.ID
	for _, m := range []struct {
		name string
		org  string
		role concord.Role
	}{
		{"orgAdminA", w.orgA, concord.RoleOrgAdmin}, {"delegateA", w.orgA, concord.RoleDelegate},
		{"orgAdminB", w.orgB, concord.RoleOrgAdmin}, {"delegateB", w.orgB, concord.RoleDelegate},
	} {
		md := &concord.Mandate{PersonID: w.ids[m.name], OrgID: m.org, Role: m.role, ValidFrom: day("2026-01-01"), Reference: "letter"}
		sqldbtest.Must(t, w.members.CreateMandate(ctx, adminActor, md))
		w.mandates[m.name] = md.ID
	}
	for name := range w.ids {
		_, secret, err := w.auth.CreateToken(ctx, w.actor(t, name), "test")
		sqldbtest.Must(t, err)
		w.tokens[name] = secret
	}
	tok, secret, err := w.auth.CreateToken(ctx, adminActor, "soon revoked")
	sqldbtest.Must(t, err)
	sqldbtest.Must(t, w.auth.RevokeToken(ctx, adminActor, tok.ID))
	w.tokens["revoked"] = secret
	return w
}

func (w *world) actor(t *testing.T, name string) *concord.Actor {
	t.Helper()
	a, err := w.auth.LoadActor(context.Background(), w.ids[name])
	sqldbtest.Must(t, err)
	return a
}

// request is one HTTP request to the API. As is the name of the person whose token is sent
// ("" for none); Body is JSON-encoded unless it is a string or []byte, sent as it is.
type request struct {
	Method string
	Path   string
	As     string
	Body   any
	Header map[string]string // e.g. Content-Type, Accept-Language, Authorization
}

type response struct {
	Status int
	Header http.Header
	Body   []byte
}

// do serves req and checks the response against the OpenAPI document.
func (w *world) do(t *testing.T, req request) response {
	t.Helper()
	var body []byte
	switch b := req.Body.(type) {
	case nil:
	case string:
		body = []byte(b)
	case []byte:
		body = b
	default:
		var err error
		if body, err = json.Marshal(b); err != nil {
			t.Fatal(err)
		}
	}
	r := httptest.NewRequest(req.Method, req.Path, bytes.NewReader(body))
	if req.Body != nil {
		r.Header.Set("Content-Type", "application/json")
	}
	if req.As != "" {
		tok, ok := w.tokens[req.As]
		if !ok {
			t.Fatalf("no token for %q", req.As)
		}
		r.Header.Set("Authorization", "Bearer "+tok)
	}
	for k, v := range req.Header {
		r.Header.Set(k, v)
	}
	rec := httptest.NewRecorder()
	w.mux.ServeHTTP(rec, r)
	res := response{Status: rec.Code, Header: rec.Header(), Body: rec.Body.Bytes()}
	if problems := mustDoc(t).checkResponse(w.handler, r, res); len(problems) > 0 {
		t.Errorf("%s %s → %d does not match openapi.json:\n  %s\nbody: %s", req.Method, req.Path, res.Status,
			strings.Join(problems, "\n  "), res.Body)
	}
	return res
}

// ok serves req, fails the test unless the status is want, and decodes the body into a T.
func ok[T any](t *testing.T, w *world, want int, req request) T {
	t.Helper()
	res := w.do(t, req)
	var out T
	if res.Status != want {
		t.Fatalf("%s %s as %q: status %d, want %d; body %s", req.Method, req.Path, req.As, res.Status, want, res.Body)
	}
	if want != http.StatusNoContent {
		if err := json.Unmarshal(res.Body, &out); err != nil {
			t.Fatalf("%s %s: decode %s: %v", req.Method, req.Path, res.Body, err)
		}
	}
	return out
}

// apiError decodes an error response.
func apiError(t *testing.T, res response) errorDTO {
	t.Helper()
	var body errorBody
	if err := json.Unmarshal(res.Body, &body); err != nil {
		t.Fatalf("error body %s: %v", res.Body, err)
	}
	return body.Error
}

// fieldCodes lists an error's fields as "field:code", sorted.
func fieldCodes(e errorDTO) []string {
	var out []string
	for _, f := range e.Fields {
		out = append(out, f.Field+":"+f.Code)
	}
	slices.Sort(out)
	return out
}

// untranslated lists the messages of e that are message keys rather than text: a catalog
// lacks them.
func untranslated(e errorDTO) []string {
	var out []string
	if e.Message == "" || strings.HasPrefix(e.Message, "error.") {
		out = append(out, "message "+e.Message)
	}
	for _, f := range e.Fields {
		if f.Message == "" || strings.HasPrefix(f.Message, "error.") || strings.Contains(f.Message, "{") {
			out = append(out, f.Field+" "+f.Message)
		}
	}
	return out
}

// diffDTO is cmp.Diff that looks into the API's types, unexported embedded ones included.
func diffDTO(want, got any, opts ...cmp.Option) string {
	return cmp.Diff(want, got, append(opts, cmp.Exporter(func(reflect.Type) bool { return true }))...)
}

// snapshot is everything a refused request must leave as it was.
type snapshot struct {
	Orgs         []*concord.Organization
	People       []*concord.Person
	Mandates     []concord.Mandate
	Invitations  []concord.Invitation
	AuditEvents  int
	Tokens       map[string]int
	Documents    []*concord.Document
	Versions     map[string][]concord.Version      // by document
	Translations map[string][]*concord.Translation // the newest per language, by document
	Attachments  map[string][]concord.Attachment   // by document
	Glossary     []concord.GlossaryTerm
	StoredFiles  int // files in the attachment store
	Procedures   []*concord.Procedure
	Responses    map[string][]concord.Response // every response, by procedure
}

func (w *world) snapshot(t *testing.T) snapshot {
	t.Helper()
	s := snapshot{Tokens: map[string]int{}, Versions: map[string][]concord.Version{}, Translations: map[string][]*concord.Translation{},
		Attachments: map[string][]concord.Attachment{}, Responses: map[string][]concord.Response{}}
	sqldbtest.Must(t, filepath.WalkDir(w.files, func(_ string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			s.StoredFiles++
		}
		return err
	}))
	sqldbtest.Must(t, w.db.View(context.Background(), func(tx *sqldb.Tx) error {
		var err error
		if s.Documents, err = tx.ListDocuments(sqldb.DocFilter{}); err != nil {
			return err
		}
		for _, d := range s.Documents {
			if s.Versions[d.ID], err = tx.ListVersions(d.ID); err != nil {
				return err
			}
			if s.Translations[d.ID], err = tx.LatestTranslations(d.ID, false); err != nil {
				return err
			}
			if s.Attachments[d.ID], err = tx.ListAttachments(d.ID); err != nil {
				return err
			}
		}
		if s.Glossary, err = tx.ListGlossaryTerms(); err != nil {
			return err
		}
		if s.Procedures, err = tx.ListProcedures("", 1000); err != nil {
			return err
		}
		for _, p := range s.Procedures {
			for _, org := range []string{w.orgA, w.orgB, w.applicant} {
				rs, err := tx.ResponseHistory(p.ID, org)
				if err != nil {
					return err
				}
				s.Responses[p.ID] = append(s.Responses[p.ID], rs...)
			}
		}
		if s.Orgs, err = tx.ListOrganizations(sqldb.OrgFilter{}); err != nil {
			return err
		}
		if s.People, err = tx.ListPeople(""); err != nil {
			return err
		}
		if s.Mandates, err = tx.ListMandates("", ""); err != nil {
			return err
		}
		for _, org := range []string{w.orgA, w.orgB, w.applicant} {
			invs, err := tx.ListInvitations(org)
			if err != nil {
				return err
			}
			s.Invitations = append(s.Invitations, invs...)
		}
		evs, err := tx.ListAuditEvents(concord.AuditFilter{Limit: 500})
		s.AuditEvents = len(evs)
		for name, id := range w.ids {
			toks, err := tx.ListAPITokens(id)
			if err != nil {
				return err
			}
			s.Tokens[name] = len(toks)
		}
		return err
	}))
	return s
}

// unchanged fails the test when the database differs from before.
func (w *world) unchanged(t *testing.T, before snapshot) {
	t.Helper()
	if diff := cmp.Diff(before, w.snapshot(t)); diff != "" {
		t.Errorf("a refused request changed data (-before +after):\n%s", diff)
	}
}

func TestNewWorld(t *testing.T) {
	t.Parallel()
	sqldbtest.ForEach(t, func(t *testing.T, db *sqldb.DB) {
		w := newWorld(t, db)
		s := w.snapshot(t)
		if len(s.Orgs) != 3 || len(s.Mandates) != 4 || s.AuditEvents == 0 {
			t.Fatalf("world: %d orgs, %d mandates, %d audit events", len(s.Orgs), len(s.Mandates), s.AuditEvents)
		}
	})
}
